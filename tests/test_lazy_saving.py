"""What deferring a statement leaves unloaded: the modules only that statement reaches."""

from __future__ import annotations

from modspec._codebase.lazy_saving import dominated_modules, unreachable_without

# root: line 1 imports a, line 2 imports b; a and b both import shared (lines 1); a alone
# imports only_a (line 2), which imports deep (line 1).
EDGES = [
    ("root", "a", 1),
    ("a", "shared", 1),
    ("a", "only_a", 2),
    ("only_a", "deep", 1),
    ("root", "b", 2),
    ("b", "shared", 1),
]


def test_a_statement_dominates_what_only_it_reaches() -> None:
    found = dominated_modules(EDGES, ["root"])
    assert found[("root", 1)] == ["a", "only_a", "deep"]
    assert found[("a", 2)] == ["only_a", "deep"]
    assert found[("root", 2)] == ["b"]
    # shared is reached through a and through b: no one statement takes it away.
    assert ("a", 1) not in found
    assert all("shared" not in names for names in found.values())


def test_one_statement_asking_for_several_modules() -> None:
    # `import p.q` asks for p and p.q on one line: one statement node, both behind it.
    found = dominated_modules([("root", "p", 3), ("root", "p.q", 3)], ["root"])
    assert found[("root", 3)] == ["p", "p.q"]


def test_a_cycle_is_dominated_by_the_statement_into_it() -> None:
    edges = [("root", "x", 1), ("x", "y", 1), ("y", "x", 1)]
    assert dominated_modules(edges, ["root"])[("root", 1)] == ["x", "y"]


def test_deferring_several_at_once() -> None:
    # Each of a and b alone keeps shared; both deferred, shared goes too.
    assert unreachable_without(EDGES, ["root"], {("root", 1)}) == ["a", "only_a", "deep"]
    gone = unreachable_without(EDGES, ["root"], {("root", 1), ("root", 2)})
    assert sorted(gone) == ["a", "b", "deep", "only_a", "shared"]


def test_the_roots_own_import_statements() -> None:
    # Edges of no importer (the roots' own lines) come from the entry.
    edges = [(None, "root", 0), ("root", "a", 1)]
    found = dominated_modules(edges, ["root"])
    assert found[("root", 1)] == ["a"]
