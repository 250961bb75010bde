"""Imports under platform and version tests and in ImportError fallbacks, decided for a
target: not findings where they do not run, not eager edges; and the same answers from the
command line's --python-version and --platform."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from modspec._codebase.conditions import Target
from modspec._codebase.extract_py import imports_ast
from modspec._codebase.graph import build_graph
from modspec._codebase.surface import Finding, collect, surface

Tree = Callable[[dict[str, object]], Path]

# The surface and the graph decide what the extractors record; until they record the tests
# around an import (ImportRef.condition, .choice), these cases have nothing to decide on.
_RECORDS = imports_ast(b"if x:\n    import a\n")[0].condition != ()
needs_conditions = pytest.mark.skipif(
    not _RECORDS, reason="the extractors record no conditions or choices yet"
)

SOURCE = """\
import os
import sys
if sys.platform == "win32":
    import win_only_missing
elif sys.platform == "darwin":
    import mac_only_missing
else:
    import other_platforms_missing
if os.name == "nt":
    import nt_only_missing
if sys.version_info < (3, 9):
    import old_python_missing
try:
    import json
except ImportError:
    import json_fallback_missing
try:
    import first_choice_missing
except ImportError:
    import second_choice_present
if __name__ == "__main__":
    import main_only_missing
if HAVE_X:
    import unknown_test_missing
"""


@pytest.fixture
def project(tree: Tree) -> Path:
    return tree({"proj/app/plat.py": SOURCE, "proj/app/second_choice_present.py": ""}) / "proj"


def _path(root: Path) -> list[str]:
    return [str(root / "app"), *(entry for entry in sys.path if entry)]


def _unresolved(root: Path, backend: str, target: Target) -> dict[str, str | None]:
    report = surface([str(root)], path=_path(root), backend=backend, workers=1, target=target)
    return {u.name: u.inactive for u in report.unresolved}


@needs_conditions
def test_linux_target(project: Path, backend: str) -> None:
    found = _unresolved(project, backend, Target.of("3.12", "linux"))
    active = {name for name, why in found.items() if why is None}
    assert active == {
        "other_platforms_missing",
        "first_choice_missing",  # optional: its own finding
        "main_only_missing",
        "unknown_test_missing",
    }
    assert set(found) - active == {
        "win_only_missing",
        "mac_only_missing",
        "nt_only_missing",
        "old_python_missing",
        "json_fallback_missing",
    }
    assert found["win_only_missing"] == ("not run on Python 3.12 on linux: sys.platform == 'win32'")
    assert "the try at line 13 takes another alternative" in str(found["json_fallback_missing"])


@needs_conditions
def test_windows_target(project: Path, backend: str) -> None:
    found = _unresolved(project, backend, Target.of("3.8", "win32"))
    active = {name for name, why in found.items() if why is None}
    assert {"win_only_missing", "nt_only_missing", "old_python_missing"} <= active
    assert "other_platforms_missing" not in active
    assert "mac_only_missing" not in active


@needs_conditions
def test_findings_count_only_what_runs(project: Path, backend: str) -> None:
    report = surface(
        [str(project)],
        path=_path(project),
        backend=backend,
        workers=1,
        target=Target.of("3.12", "linux"),
    )
    findings = report.findings()
    assert findings[Finding.UNRESOLVED] == 3  # other platforms, __main__, unknown test
    assert findings[Finding.UNRESOLVED_OPTIONAL] == 1


@needs_conditions
def test_graph_edges_carry_condition_and_activity(project: Path, backend: str) -> None:
    collected = collect(
        [str(project)],
        {},
        path=_path(project),
        backend=backend,
        workers=1,
        target=Target.of("3.12", "linux"),
    )
    edges = {edge.target: edge for edge in build_graph(collected).edges}
    win = edges["win_only_missing"]
    assert win.condition == (("sys.platform == 'win32'", True),)
    assert "conditional" in win.guards
    assert not win.active
    assert not win.eager
    other = edges["other_platforms_missing"]
    assert other.condition == (
        ("sys.platform == 'win32'", False),
        ("sys.platform == 'darwin'", False),
    )
    assert other.active
    assert other.eager
    assert not edges["json_fallback_missing"].active
    assert "fallback" in edges["json_fallback_missing"].guards
    assert edges["second_choice_present"].active
    assert edges["second_choice_present"].eager
    main = edges["main_only_missing"]
    assert "main" in main.guards
    assert main.active
    assert not main.eager
    unknown = edges["unknown_test_missing"]
    assert unknown.condition == (("HAVE_X", True),)
    assert unknown.active
    assert "conditional" not in unknown.guards


@needs_conditions
def test_command_line_target(project: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "modspec", "surface", str(project), "--json"]
    for entry in _path(project):
        command += ["--path", entry]
    ran = subprocess.run(
        [*command, "--python-version", "3.8", "--platform", "windows"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    document = json.loads(ran.stdout)
    assert document["target"] == {"python_version": "3.8", "platform": "win32"}
    rows = {row["name"]: row for row in document["unresolved"]}
    assert rows["win_only_missing"]["inactive"] is None
    assert rows["other_platforms_missing"]["inactive"].startswith("not run on Python 3.8")
    assert rows["win_only_missing"]["condition"] == [
        {"test": "sys.platform == 'win32'", "holds": True}
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--python-version", "3", "python version must be X.Y or X.Y.Z, not '3'"),
        ("--platform", "beos", "unknown platform 'beos'"),
    ],
)
def test_bad_target_is_one_line_and_exit_2(
    project: Path, option: str, value: str, message: str
) -> None:
    for command in ("surface", "graph"):
        ran = subprocess.run(
            [sys.executable, "-m", "modspec", command, str(project), option, value],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 2
        assert ran.stderr.count("\n") == 1
        assert message in ran.stderr
        assert "Traceback" not in ran.stderr
