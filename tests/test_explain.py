"""explain: why a name resolves, or which part of it is not found, and why."""

from __future__ import annotations

import dataclasses
import sys
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import pytest
from oracle import oracle

import modspec
from modspec import Explanation, InvalidName, Kind, Reason, Resolver

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]

TAG = sys.implementation.cache_tag

# (id, files, path entries, name, reason, missing_part, searched); entries and searched are
# relative to the tree's root, and "missing" never exists.
CASES: list[tuple[str, dict[str, object], list[str], str, Reason, str | None, list[str]]] = [
    (
        "found",
        {"a/pkg/__init__.py": "", "a/pkg/m.py": ""},
        ["a"],
        "pkg.m",
        Reason.FOUND,
        None,
        [],
    ),
    (
        "no-such-top-level-name",
        {"a/x.py": "", "b/y.py": ""},
        ["a", "missing", "b"],
        "nope",
        Reason.NOT_FOUND,
        "nope",
        ["a", "missing", "b"],
    ),
    (
        "no-such-submodule",
        {"a/pkg/__init__.py": "", "a/nope.py": ""},
        ["a"],
        "pkg.nope",
        Reason.NOT_FOUND,
        "pkg.nope",
        ["a/pkg"],
    ),
    (
        "no-such-submodule-in-a-namespace-package",
        {"a/ns/x.py": "", "b/ns/y.py": ""},
        ["a", "b"],
        "ns.z",
        Reason.NOT_FOUND,
        "ns.z",
        ["a/ns", "b/ns"],
    ),
    (
        "parent-not-a-package",
        {"a/mod.py": "", "a/sub.py": ""},
        ["a"],
        "mod.sub",
        Reason.PARENT_NOT_PACKAGE,
        "mod.sub",
        [],
    ),
    (
        "parent-missing",
        {"a/pkg/__init__.py": "", "a/b/c.py": ""},
        ["a"],
        "pkg.b.c",
        Reason.PARENT_MISSING,
        "pkg.b",
        ["a/pkg"],
    ),
    (
        "top-level-parent-missing",
        {"a/x.py": ""},
        ["a"],
        "nope.b.c",
        Reason.PARENT_MISSING,
        "nope",
        ["a"],
    ),
    (
        "orphan-bytecode",
        {"a/x.py": "", f"b/__pycache__/m.{TAG}.pyc": b""},
        ["a", "b"],
        "m",
        Reason.ORPHAN_BYTECODE,
        "m",
        ["a", "b"],
    ),
    (
        "orphan-optimized-bytecode-in-a-package",
        {"a/pkg/__init__.py": "", f"a/pkg/__pycache__/m.{TAG}.opt-1.pyc": b""},
        ["a"],
        "pkg.m",
        Reason.ORPHAN_BYTECODE,
        "pkg.m",
        ["a/pkg"],
    ),
    (
        "sourceless-bytecode-beside-is-found",
        {"a/m.pyc": b""},
        ["a"],
        "m",
        Reason.FOUND,
        None,
        [],
    ),
    (
        "bytecode-of-another-name-is-no-orphan",
        {f"a/__pycache__/mm.{TAG}.pyc": b"", f"a/__pycache__/m2.{TAG}.pyc": b""},
        ["a"],
        "m",
        Reason.NOT_FOUND,
        "m",
        ["a"],
    ),
    (
        "module-found-only-with-another-case",
        {"a/Foo.py": ""},
        ["a"],
        "foo",
        Reason.CASE_MISMATCH,
        "foo",
        ["a"],
    ),
    (
        "package-found-only-with-another-case",
        {"a/pkg/__init__.py": "", "a/pkg/Bar/__init__.py": ""},
        ["a"],
        "pkg.bar",
        Reason.CASE_MISMATCH,
        "pkg.bar",
        ["a/pkg"],
    ),
    (
        "suffix-of-another-case",
        {"a/foo.PY": ""},
        ["a"],
        "foo",
        Reason.CASE_MISMATCH,
        "foo",
        ["a"],
    ),
    (
        "another-case-of-a-file-without-a-module-suffix-is-no-match",
        {"a/Foo.txt": ""},
        ["a"],
        "foo",
        Reason.NOT_FOUND,
        "foo",
        ["a"],
    ),
    (
        "no-usable-path-entry",
        {"file.txt": "", "a/x.py": ""},
        ["missing", "file.txt"],
        "x",
        Reason.NO_USABLE_PATH,
        "x",
        ["missing", "file.txt"],
    ),
    (
        "empty-path",
        {},
        [],
        "x",
        Reason.NO_USABLE_PATH,
        "x",
        [],
    ),
    (
        "invalid-name",
        {"a/x.py": ""},
        ["a"],
        "x..y",
        Reason.INVALID_NAME,
        "x..y",
        [],
    ),
    (
        "trailing-dot",
        {"a/x/__init__.py": ""},
        ["a"],
        "x.",
        Reason.INVALID_NAME,
        "x.",
        [],
    ),
    (
        "empty-name",
        {"a/x.py": ""},
        ["a"],
        "",
        Reason.INVALID_NAME,
        "",
        [],
    ),
]


@pytest.mark.parametrize(
    ("files", "entries", "name", "reason", "missing_part", "searched"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_reason(
    make_resolver: MakeResolver,
    tree: Tree,
    files: dict[str, object],
    entries: list[str],
    name: str,
    reason: Reason,
    missing_part: str | None,
    searched: list[str],
) -> None:
    root = tree(files)
    path = [str(root / entry) for entry in entries]
    resolver = make_resolver(path)
    explanation = resolver.explain(name)
    assert explanation.name == name
    assert explanation.reason is reason, explanation.detail
    assert explanation.missing_part == missing_part
    assert explanation.searched == tuple(str(root / entry) for entry in searched)
    assert explanation.spec == resolver.resolve(name)
    assert (explanation.spec is not None) == (reason is Reason.FOUND)
    assert explanation.detail
    assert "\n" not in explanation.detail
    # The module-level function takes a fresh look, and says the same.
    assert modspec.explain(name, path=path) == explanation


def test_every_reason_but_the_custom_finder_has_a_case() -> None:
    covered = {case[4] for case in CASES}
    assert set(Reason) - covered == {Reason.CUSTOM_FINDER}


def test_cpython_finds_nothing_where_a_reason_says_so(tree: Tree) -> None:
    # One entry per case, each in its own directory, so one oracle run answers them all.
    files: dict[str, object] = {}
    missing: list[tuple[str, list[str]]] = []
    for number, (_, case_files, entries, name, reason, _, _) in enumerate(CASES):
        if reason is Reason.FOUND or reason is Reason.INVALID_NAME:
            continue  # found: the oracle tests cover these; invalid: find_spec raises
        files.update({f"{number}/{rel}": content for rel, content in case_files.items()})
        missing.append((name, [f"{number}/{entry}" for entry in entries]))
    root = tree(files)
    for name, entries in missing:
        path = [str(root / entry) for entry in entries]
        assert oracle([name], path) == {name: None}, (name, entries)


def test_detail_says_which_part_and_why(make_resolver: MakeResolver, tree: Tree) -> None:
    root = tree({"a/pkg/__init__.py": "", f"a/__pycache__/m.{TAG}.pyc": b"", "a/Foo.py": ""})
    resolver = make_resolver([str(root / "a")])
    assert resolver.explain("pkg.b.c").detail.startswith("its parent 'pkg.b' is not found: ")
    assert resolver.explain("pkg.b.c.d").detail.startswith("its ancestor 'pkg.b' is not found: ")
    assert resolver.explain("pkg.b").detail == (
        "no module or package 'b' in the one search location of package 'pkg'"
    )
    orphan = resolver.explain("m").detail
    assert str(root / "a" / "__pycache__" / f"m.{TAG}.pyc") in orphan
    assert "never imports from __pycache__ without the source" in orphan
    assert str(root / "a" / "Foo.py") in resolver.explain("foo").detail
    assert resolver.explain("pkg").detail == (
        f"found: a source package at {root / 'a' / 'pkg' / '__init__.py'}"
    )


def test_a_parent_missing_is_explained_by_its_missing_part(
    make_resolver: MakeResolver, tree: Tree
) -> None:
    root = tree({"a/pkg/__init__.py": "", f"a/pkg/__pycache__/b.{TAG}.pyc": b""})
    resolver = make_resolver([str(root / "a")])
    deep = resolver.explain("pkg.b.c.d")
    assert deep.reason is Reason.PARENT_MISSING
    assert deep.missing_part == "pkg.b"
    cause = resolver.explain("pkg.b")
    assert cause.reason is Reason.ORPHAN_BYTECODE
    assert cause.searched == deep.searched
    assert deep.detail.endswith(cause.detail)


def test_os_path(make_resolver: MakeResolver) -> None:
    resolver = make_resolver()
    explanation = resolver.explain("os.path")
    assert explanation.reason is Reason.PARENT_NOT_PACKAGE
    assert explanation.missing_part == "os.path"
    assert explanation.spec is None
    assert explanation.searched == ()
    kind = resolver.resolve("os").kind  # type: ignore[union-attr]
    assert kind in (Kind.FROZEN, Kind.SOURCE)  # frozen from 3.11
    assert explanation.detail.startswith(f"'os' is a {kind.value} module, not a package")
    assert "may still add names to sys.modules at run time, as os does for os.path" in (
        explanation.detail
    )
    deeper = resolver.explain("os.path.join")
    assert (deeper.reason, deeper.missing_part) == (Reason.PARENT_MISSING, "os.path")


def test_found(make_resolver: MakeResolver) -> None:
    resolver = make_resolver()
    for name in ("json.decoder", "sys"):
        explanation = resolver.explain(name)
        assert explanation.reason is Reason.FOUND
        assert explanation.spec == resolver.resolve(name)
        assert (explanation.missing_part, explanation.searched) == (None, ())
    assert resolver.explain("sys").detail == "found: a builtin module"


def test_relative_names(make_resolver: MakeResolver, tree: Tree) -> None:
    root = tree({"a/pkg/__init__.py": "", "a/pkg/m.py": ""})
    resolver = make_resolver([str(root / "a")])
    assert resolver.explain(".m", package="pkg").name == "pkg.m"
    assert resolver.explain(".m", package="pkg").reason is Reason.FOUND
    nope = resolver.explain("..nope", package="pkg.m")
    assert (nope.name, nope.reason, nope.missing_part) == ("pkg.nope", Reason.NOT_FOUND, "pkg.nope")
    with pytest.raises(InvalidName):
        resolver.explain(".m")
    with pytest.raises(TypeError):
        resolver.explain(b"m")  # type: ignore[arg-type]


def test_a_zip_archive_is_a_usable_path_entry(make_resolver: MakeResolver, tree: Tree) -> None:
    root = tree({})
    with zipfile.ZipFile(root / "lib.zip", "w") as archive:
        archive.writestr("x.py", "")
    resolver = make_resolver([str(root / "lib.zip"), str(root / "missing")])
    assert resolver.explain("x").spec == resolver.resolve("x")
    assert resolver.explain("x").reason is Reason.FOUND
    assert resolver.explain("y").reason is Reason.NOT_FOUND
    assert "1 of them missing" in resolver.explain("y").detail


def test_explanation_is_frozen_and_slotted(make_resolver: MakeResolver) -> None:
    explanation = make_resolver([]).explain("nope")
    with pytest.raises(dataclasses.FrozenInstanceError):
        explanation.reason = Reason.FOUND  # type: ignore[misc]
    assert not hasattr(explanation, "__dict__")
    assert list(Explanation.__match_args__) == [
        "name",
        "spec",
        "reason",
        "detail",
        "searched",
        "missing_part",
    ]
    assert hash(explanation) == hash(make_resolver([]).explain("nope"))


# --- custom finders in sys.meta_path: looked at, never run --------------------------------------


class _Untouchable:
    """A finder whose code must never run: any call or dynamic attribute fails the test."""

    calls: ClassVar[list[str]] = []

    def find_spec(self, *args: object) -> NoReturn:
        type(self).calls.append("find_spec")
        raise AssertionError("modspec ran a custom finder")

    def __getattr__(self, name: str) -> NoReturn:
        type(self).calls.append(f"__getattr__({name})")
        raise AssertionError(f"modspec asked a custom finder for {name!r}")

    def __repr__(self) -> str:
        type(self).calls.append("__repr__")
        raise AssertionError("modspec ran a custom finder's __repr__")


class _EditableLike(_Untouchable):
    MAPPING: ClassVar[dict[str, str]] = {"edpkg": "/nowhere/edpkg", "ns.part": "/nowhere/part"}


@pytest.fixture
def untouched() -> Any:
    _Untouchable.calls.clear()
    yield
    assert _Untouchable.calls == []


@pytest.mark.usefixtures("untouched")
def test_a_finder_with_a_mapping(
    make_resolver: MakeResolver, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"a/x.py": "", "a/ns/y.py": "", "a/edpkg2.py": ""})
    finder = _EditableLike()
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, finder])
    resolver = make_resolver([str(root / "a")])
    explanation = resolver.explain("edpkg")
    assert explanation.reason is Reason.CUSTOM_FINDER
    assert (explanation.missing_part, explanation.spec) == ("edpkg", None)
    assert explanation.searched == (str(root / "a"),)
    assert f"possibly provided by {object.__repr__(finder)}" in explanation.detail
    assert "its MAPPING names 'edpkg'" in explanation.detail
    sub = resolver.explain("edpkg.sub.deeper")
    assert (sub.reason, sub.missing_part) == (Reason.PARENT_MISSING, "edpkg")
    # A dotted key covers that name and those inside it, as the editable finder matches.
    assert resolver.explain("ns.part.m").missing_part == "ns.part"
    assert resolver.explain("ns.part").reason is Reason.CUSTOM_FINDER
    # Names it does not claim, and names found statically, are what they are.
    assert resolver.explain("edpkg2x").reason is Reason.NOT_FOUND
    assert resolver.explain("ns.partial").reason is Reason.NOT_FOUND
    assert resolver.explain("x").reason is Reason.FOUND
    assert resolver.explain("x.y").reason is Reason.PARENT_NOT_PACKAGE


@pytest.mark.usefixtures("untouched")
def test_a_setuptools_editable_finder(
    make_resolver: MakeResolver, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    # setuptools' generated module: the class is the finder, MAPPING a global of its module.
    module = types.ModuleType("__editable___demo_0_1_finder")
    module.MAPPING = {"demo": "/nowhere/src/demo"}  # type: ignore[attr-defined]
    module.NAMESPACES = {"demo_ns": []}  # type: ignore[attr-defined]
    finder = type("_EditableFinder", (_Untouchable,), {"__module__": module.__name__})
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, finder])
    root = tree({"a/x.py": ""})
    resolver = make_resolver([str(root / "a")])
    demo = resolver.explain("demo")
    assert demo.reason is Reason.CUSTOM_FINDER
    assert f"possibly provided by {type.__repr__(finder)} in sys.meta_path" in demo.detail
    assert "__editable___demo_0_1_finder._EditableFinder" in demo.detail
    assert "its NAMESPACES names 'demo_ns'" in resolver.explain("demo_ns").detail
    assert resolver.explain("other").reason is Reason.NOT_FOUND


@pytest.mark.usefixtures("untouched")
def test_a_finder_with_a_method_per_name(
    make_resolver: MakeResolver, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    # _distutils_hack's DistutilsMetaFinder: find_spec calls spec_for_<name>.
    class _DistutilsLike(_Untouchable):
        def spec_for_oldlib(self) -> NoReturn:
            raise AssertionError("modspec ran a custom finder's method")

    monkeypatch.setattr(sys, "meta_path", [_DistutilsLike(), *sys.meta_path])
    resolver = make_resolver([str(tree({"a/x.py": ""}) / "a")])
    explanation = resolver.explain("oldlib")
    assert explanation.reason is Reason.CUSTOM_FINDER
    assert "it has a method spec_for_oldlib" in explanation.detail
    assert resolver.explain("newlib").reason is Reason.NOT_FOUND


@pytest.mark.usefixtures("untouched")
def test_tables_of_other_types_are_not_read(
    make_resolver: MakeResolver, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    class _Table(dict[str, str]):
        def __iter__(self) -> NoReturn:
            raise AssertionError("modspec ran a dict subclass's code")

        def __contains__(self, key: object) -> NoReturn:
            raise AssertionError("modspec ran a dict subclass's code")

    class _Odd(_Untouchable):
        MAPPING = _Table(odd="/nowhere")
        NAMESPACES: ClassVar[object] = property(lambda self: {"odd": []})

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, _Odd()])
    resolver = make_resolver([str(tree({"a/x.py": ""}) / "a")])
    assert resolver.explain("odd").reason is Reason.NOT_FOUND


def test_the_standard_finders_are_not_custom(make_resolver: MakeResolver) -> None:
    # Whatever else this process has in sys.meta_path, the standard finders claim nothing.
    resolver = make_resolver([])
    assert resolver.explain("no_such_module_anywhere").reason is Reason.NO_USABLE_PATH


# --- nothing is imported -------------------------------------------------------------------------


def test_explain_imports_nothing(make_resolver: MakeResolver, tree: Tree) -> None:
    root = tree(
        {
            "a/boom.py": "raise SystemExit('imported')",
            "a/bpkg/__init__.py": "raise SystemExit('imported')",
            "a/bpkg/inner.py": "raise SystemExit('imported')",
            f"a/__pycache__/orphan.{TAG}.pyc": b"",
            "a/Boom2.py": "raise SystemExit('imported')",
        }
    )
    names = [
        "boom",
        "boom.x",
        "bpkg.inner",
        "bpkg.inner.x",
        "bpkg.nope.x",
        "orphan",
        "boom2",
        "antigravity",  # in the standard library: importing it would open a web browser
    ]
    assert "antigravity" not in sys.modules
    resolver = make_resolver([str(root / "a"), *sys.path])
    before = set(sys.modules)
    explanations = [resolver.explain(name) for name in names]
    explanations.append(modspec.explain("this.x"))
    added = set(sys.modules) - before
    assert not {name for name in added if not name.startswith("modspec")}
    assert explanations[-2].reason is Reason.FOUND
    assert [explanation.reason for explanation in explanations[:-2]] == [
        Reason.FOUND,
        Reason.PARENT_NOT_PACKAGE,
        Reason.FOUND,
        Reason.PARENT_NOT_PACKAGE,
        Reason.PARENT_MISSING,
        Reason.ORPHAN_BYTECODE,
        Reason.CASE_MISMATCH,
    ]


def test_explanations_keep_listings_until_the_caches_are_invalidated(
    make_resolver: MakeResolver, tree: Tree
) -> None:
    root = tree({"a/__pycache__/other.pyc": b""})
    resolver = make_resolver([str(root / "a")])
    assert resolver.explain("mod").reason is Reason.NOT_FOUND
    # Listed once, as the resolver's own listings are: a new file shows after invalidation.
    (root / "a" / "__pycache__" / f"mod.{sys.implementation.cache_tag}.pyc").write_bytes(b"")
    assert resolver.explain("mod").reason is Reason.NOT_FOUND
    resolver.invalidate_caches()
    assert resolver.explain("mod").reason is Reason.ORPHAN_BYTECODE
