"""``modspec closure`` and ``modspec why`` on the command line, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree
from real_imports import extractor_records

PROJECT = {
    "app/__init__.py": "from . import core\nimport app.extra\n",
    "app/core.py": "import json\nfrom app import util\n",
    "app/util.py": "def later():\n    import app.never\n",
    "app/extra.py": "import app.util\n",
    "app/never.py": "",
}


def modspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modspec", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, PROJECT)
    return tmp_path


def _path(root: Path) -> list[str]:
    # The project, then the standard library (as the interpreter's own path has it).
    entries = [str(root)] + [entry for entry in sys.path if entry and "site-packages" not in entry]
    return [word for entry in entries for word in ("--path", entry)]


def test_closure_text(project: Path) -> None:
    done = modspec("closure", "app", *_path(project))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("modspec closure of app (python ")
    assert "nothing imported" in lines[0]
    tree = lines[lines.index(next(line for line in lines if line.startswith("modules in"))) + 1 :]
    rows = [line.split() for line in tree[:5]]
    assert rows[0] == ["app", "(a", "root)"]
    assert rows[1] == ["app.core", "app/__init__.py:1"]
    assert rows[2] == ["json", "app/core.py:1"]
    assert "app.never" not in done.stdout  # only inside a function


def test_closure_json(project: Path) -> None:
    done = modspec("closure", "app", "--json", *_path(project))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "modspec.closure/1"
    assert document["roots"] == ["app"]
    names = [module["name"] for module in document["modules"]]
    assert names[:3] == ["app", "app.core", "json"]
    assert {"app.util", "app.extra"} <= set(names)
    core = document["modules"][1]
    assert core["via"] == {
        "importer": "app",
        "file": str(project / "app" / "__init__.py"),
        "line": 1,
    }
    assert core["category"] == "third-party"
    assert core["kind"] == "source"
    assert document["totals"]["modules"] == len(names)
    assert document["totals"]["by_top_level"]["app"]["modules"] == 4
    assert "site" in document["startup"]["modules"]
    assert sorted(document["completed"]) == sorted(names)


def test_why_text_and_json(project: Path) -> None:
    done = modspec("why", "app", "app.util", *_path(project))
    assert done.returncode == 0, done.stderr
    assert "2 shortest chains of 2" in done.stdout
    assert "app -> app.core  app/__init__.py:1" in done.stdout
    assert "app.core -> app.util  app/core.py:2" in done.stdout
    assert "app.extra -> app.util  app/extra.py:1" in done.stdout
    as_json = json.loads(modspec("why", "app", "app.util", "--json", *_path(project)).stdout)
    assert as_json["schema"] == "modspec.why/1"
    assert [[e["target"] for e in chain] for chain in as_json["chains"]] == [
        ["app.core", "app.util"],
        ["app.extra", "app.util"],
    ]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["why", "app", "app.never"], 1, "app.never is not in the closure of app: no import"),
        (["why", "app", "os"], 1, "os is not in the closure of app: the interpreter loads it"),
        (["why", "no_such_root", "os"], 1, "no module named 'no_such_root'"),
        (["closure", "no_such_root"], 1, "no module named 'no_such_root'"),
        (["closure", ".relative"], 2, "'.relative': a root must be an absolute module name"),
        (["closure", "app", "--platform", "plan9"], 2, "unknown platform 'plan9'"),
        (["closure", "app", "--python-version", "three"], 2, "python version must be X.Y"),
    ],
)
def test_errors_are_one_line(project: Path, args: list[str], status: int, message: str) -> None:
    done = modspec(*args, *_path(project))
    assert done.returncode == status
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_path_and_environment_exclude_each_other(project: Path) -> None:
    done = modspec("closure", "app", "--path", str(project), "--environment", sys.executable)
    assert done.returncode == 2
    assert done.stderr == "modspec: --path and --environment each give the whole path: pick one\n"


def test_target_options_decide_the_tests(tmp_path: Path) -> None:
    if not extractor_records(None, "condition"):
        pytest.skip("the extractor records no conditions yet")
    write_tree(
        tmp_path,
        {
            "plat.py": "import sys\nif sys.platform == 'win32':\n    import winonly\n",
            "winonly.py": "",
        },
    )
    for platform, expected in (("win32", True), ("linux", False)):
        done = modspec("closure", "plat", "--json", "--platform", platform, *_path(tmp_path))
        document = json.loads(done.stdout)
        assert document["target"]["platform"] == platform
        assert ("winonly" in [m["name"] for m in document["modules"]]) is expected
