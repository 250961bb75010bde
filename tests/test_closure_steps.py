"""The closure's steps and machine, fed ImportRefs as extract_py's contract spells them
(choice, condition, guards): what each rule does, whatever the extractors record so far."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from modspec import Resolver
from modspec._codebase.closure_load import Loader
from modspec._codebase.closure_program import BRANCH, FROM, LOAD, compile_steps
from modspec._codebase.closure_run import Machine
from modspec._codebase.conditions import Target
from modspec._codebase.extract_py import Guard, ImportRef

NONE = Guard.NONE


def ref(
    line: int,
    module: str,
    name: str | None = None,
    *,
    level: int = 0,
    guard: Guard = NONE,
    condition: tuple[tuple[str, bool], ...] = (),
    choice: tuple[tuple[int, int], ...] = (),
) -> ImportRef:
    return ImportRef(line, level, module, name, guard, condition, choice)


def run(
    tmp_path: Path, backend: str, refs: list[ImportRef], target: Target | None = None
) -> Machine:
    """Runs ``refs`` as the code of a root module on a path of ``tmp_path`` alone."""
    resolver = Resolver([str(tmp_path)], backend=backend)
    loader = Loader(resolver, backend, 1)
    machine = Machine(loader, target or Target.of("3.12", "linux"))
    machine.run(compile_steps(refs, (), None, machine.target))
    loader.close()
    return machine


FILES = {name + ".py": "" for name in ("ok", "ok2", "alt", "alt2", "never", "nt_only")}


def test_a_choice_takes_the_body_or_the_first_handler(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    machine = run(
        tmp_path,
        backend,
        [
            # try: import ok; import missing; import never / except ImportError: import alt
            ref(2, "ok", choice=((1, 0),)),
            ref(3, "missing", choice=((1, 0),)),
            ref(4, "never", choice=((1, 0),)),
            ref(6, "alt", choice=((1, 1),)),
            ref(8, "never", choice=((1, 2),)),  # a later handler: not the alternative
            # try: import ok2 / except ImportError: import alt2  (the body runs: no handler)
            ref(10, "ok2", choice=((9, 0),)),
            ref(12, "alt2", choice=((9, 1),)),
        ],
    )
    assert list(machine.loaded) == ["ok", "alt", "ok2"]
    assert [(f.name, f.handled) for f in machine.failures] == [("missing", True)]


def test_the_first_handler_that_imports_is_the_alternative(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    # try: import missing / except KeyError: pass / except ImportError: import alt
    refs = [ref(2, "missing", choice=((1, 0),)), ref(6, "alt", choice=((1, 2),))]
    assert list(run(tmp_path, backend, refs).loaded) == ["alt"]


def test_nested_choices(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    machine = run(
        tmp_path,
        backend,
        [
            ref(2, "missing", choice=((1, 0),)),
            # the handler holds a try of its own, whose body fails too
            ref(5, "missing2", choice=((1, 1), (4, 0))),
            ref(7, "alt", choice=((1, 1), (4, 1))),
            ref(9, "ok"),
        ],
    )
    assert list(machine.loaded) == ["alt", "ok"]


def test_a_failing_alternative_goes_to_the_outer_try(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    machine = run(
        tmp_path,
        backend,
        [
            ref(3, "missing", choice=((1, 0), (2, 0))),
            ref(5, "missing2", choice=((1, 0), (2, 1))),
            ref(6, "never", choice=((1, 0),)),
            ref(8, "alt", choice=((1, 1),)),
        ],
    )
    assert list(machine.loaded) == ["alt"]


def test_decided_tests_and_guards(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    windows = (("sys.platform == 'win32'", True),)
    machine = run(
        tmp_path,
        backend,
        [
            ref(2, "nt_only", condition=windows),
            ref(4, "ok", condition=(("sys.platform == 'win32'", False),)),
            ref(6, "never", guard=Guard.DEFERRED),
            ref(7, "never", guard=Guard.TYPE_CHECKING),
            ref(8, "never", guard=Guard.MAIN),
            ref(9, "never", guard=Guard.LAZY),
        ],
    )
    assert list(machine.loaded) == ["ok"]
    on_windows = run(
        tmp_path, backend, [ref(2, "nt_only", condition=windows)], Target.of(None, "win32")
    )
    assert list(on_windows.loaded) == ["nt_only"]


def test_an_undecided_branch_runs_where_its_imports_resolve(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    nt = (("'posix' in _names", False), ("'nt' in _names", True))
    posix = (("'posix' in _names", True),)
    refs = [
        # if 'posix' in _names: import ok; (a try within the branch does not decide it)
        ref(2, "ok", condition=posix),
        ref(4, "missing", condition=posix, choice=((3, 0),)),
        ref(7, "ok2", condition=posix),
        # elif 'nt' in _names: import nt_only; import nt
        ref(9, "nt_only", condition=nt),
        ref(10, "nt", condition=nt),
    ]
    steps = compile_steps(refs, (), None, Target.of("3.12", "linux"))
    assert steps[0] == (BRANCH, ("ok", "ok2"), 1)
    assert (LOAD, "nt_only", 9) in steps
    machine = run(tmp_path, backend, refs)
    assert list(machine.loaded) == ["ok", "ok2"]


def test_relative_imports_and_fromlists(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/sub.py": "", "pkg/deep/__init__.py": ""})
    steps = compile_steps(
        [ref(1, "", "sub", level=1), ref(2, "deep", "x", level=1), ref(3, "", "y", level=2)],
        (),
        "pkg",
        Target.current(),
    )
    assert steps[:4] == [
        (LOAD, "pkg", 1),
        (FROM, "pkg.sub", 1),
        (LOAD, "pkg", 2),
        (LOAD, "pkg.deep", 2),
    ]
    assert steps[-1][0] != LOAD  # beyond the top-level package: it fails, whatever is there
    assert "beyond the top-level package" in steps[-1][1]


@pytest.mark.parametrize("optional", [Guard.OPTIONAL, NONE])
def test_an_optional_import_without_a_recorded_choice(
    backend: str, tmp_path: Path, optional: Guard
) -> None:
    write_tree(tmp_path, FILES)
    machine = run(tmp_path, backend, [ref(1, "missing", guard=optional), ref(2, "ok")])
    # Taken alone (OPTIONAL) or, with nothing to take it, passed over as a branch not run.
    assert list(machine.loaded) == ["ok"]
    assert machine.failures[0].handled is bool(optional)
