"""``modspec importtime`` on the command line: its output, its exit statuses, its one-line
errors. The children run the fixture's code; no time is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_tree
from test_closure_cli import _path, modspec

TREE = {
    "app/__init__.py": "import app.slow\n\ndef later():\n    return app.slow.X\n",
    "app/slow.py": "X = sum(range(1000))\n",
    "bad.py": "raise RuntimeError('no luck')\n",
    "sleepy.py": "import time\ntime.sleep(300)\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, TREE)
    return tmp_path


def test_help_says_it_runs_code() -> None:
    done = modspec("importtime", "--help")
    assert done.returncode == 0
    assert "RUNS" in done.stdout
    assert "RUNS the import" in modspec("--help").stdout


def test_text(project: Path) -> None:
    done = modspec("importtime", "app", "--repeat", "2", *_path(project))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("modspec importtime of app (python ")
    assert "least of 2 runs" in lines[0]
    assert "the modules' code was run" in lines[0]
    assert "2 modules imported" in lines[1]
    assert any(line.split()[:1] == ["app.slow"] and "app/__init__.py:1" in line for line in lines)
    candidates = lines.index(next(line for line in lines if line.startswith("lazy-import")))
    assert "app/__init__.py:1  import app.slow" in lines[candidates + 1]
    assert "defers app.slow" in lines[candidates + 2]


def test_json(project: Path) -> None:
    done = modspec("importtime", "app", "--json", "--repeat", "1", *_path(project))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "modspec.importtime/1"
    assert document["repeat"] == 1
    assert document["isolated"] is True
    assert [m["name"] for m in document["modules"]] == ["app", "app.slow"]
    slow = document["modules"][1]
    assert slow["predicted"] is True
    assert slow["via"]["line"] == 1
    assert slow["via"]["file"] == str(project / "app" / "__init__.py")
    assert document["totals"]["modules"] == 2
    assert document["totals"]["predicted_share"] == 1.0
    assert [c["deferred"] for c in document["candidates"]] == [["app.slow"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad"], "modspec: importing bad raised RuntimeError: no luck\n"),
        (
            ["nosuch"],
            "modspec: importing nosuch raised ModuleNotFoundError: No module named 'nosuch'\n",
        ),
        (
            ["sleepy", "--timeout", "1"],
            "modspec: the import took more than 1 s: the child was stopped\n",
        ),
        ([".rel"], "modspec: '.rel': a root must be an absolute module name\n"),
    ],
    ids=["raises", "not found", "timeout", "relative"],
)
def test_errors_are_one_line(project: Path, args: list[str], message: str) -> None:
    done = modspec("importtime", *args, "--repeat", "1", *_path(project))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


@pytest.mark.parametrize("args", [["--repeat", "0"], ["--timeout", "0"], ["--timeout", "soon"]])
def test_bad_options(args: list[str]) -> None:
    done = modspec("importtime", "json", *args)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1


def test_no_isolate_runs_the_child_without_dash_i(project: Path) -> None:
    (project / "app" / "slow.py").write_text(
        "import sys\nif not sys.flags.isolated:\n    raise SystemExit('not isolated')\n"
    )
    args = ["importtime", "app", "--repeat", "1", *_path(project)]
    done = modspec(*args, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["isolated"] is True
    done = modspec(*args, "--no-isolate")
    assert (done.returncode, done.stderr) == (
        2,
        "modspec: importing app raised SystemExit: not isolated\n",
    )
