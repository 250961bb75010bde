"""Imports against declared dependencies (deptry's question): a fixture project with its own
site directory of distributions, each finding at its file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from modspec._codebase.findings import Finding
from modspec._codebase.surface import surface

Tree = Callable[[dict[str, object]], Path]

PYPROJECT = """\
[project]
name = "demo"
version = "1"
dependencies = [
    "Web_Framework>=2",
    "unused-lib",
    "python-dateutil",
]

[project.optional-dependencies]
fast = ["speedup"]

[dependency-groups]
test = ["testkit", {include-group = "lint"}]
lint = ["lintkit"]
"""


def _dist(name: str, top: str, requires: tuple[str, ...] = ()) -> dict[str, object]:
    info = f"site/{name.replace('-', '_')}-1.0.dist-info"
    metadata = f"Name: {name}\nVersion: 1.0\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    return {
        f"{info}/METADATA": metadata,
        f"{info}/top_level.txt": f"{top}\n",
        f"site/{top}/__init__.py": "",
    }


@pytest.fixture
def project(tree: Tree) -> Path:
    files: dict[str, object] = {
        "demo/pyproject.toml": PYPROJECT,
        "demo/src/demo/__init__.py": (
            "import web_framework\n"  # declared (normalised: Web_Framework)
            "import helperlib\n"  # installed for web-framework: transitive
            "import stray\n"  # installed, required by nothing declared: undeclared
            "import speedup\n"  # an optional group, in code
            "try:\n"
            "    import optional_stray\n"  # may fail: no finding
            "except ImportError:\n"
            "    optional_stray = None\n"
            "import dateutil\n"  # python-dateutil is not installed: unknown to the path
        ),
        "demo/tests/test_demo.py": "import testkit\nimport lintkit\nimport stray\n",
    }
    files |= _dist("web-framework", "web_framework", ("helper-lib>=1", "extra-only; extra == 'x'"))
    files |= _dist("helper-lib", "helperlib")
    files |= _dist("stray-dist", "stray")
    files |= _dist("speedup", "speedup")
    files |= _dist("testkit", "testkit")
    files |= _dist("lintkit", "lintkit")
    files |= _dist("unused-lib", "unused_lib")
    files |= _dist("optional-stray", "optional_stray")
    return tree(files)


def _report(base: Path, backend: str) -> list[tuple[str, str, str, int]]:
    root = base / "demo"
    report = surface(
        [str(root)], path=[str(root / "src"), str(base / "site")], backend=backend, workers=1
    )
    return [
        (f.rule.value, f.distribution, str(Path(f.file).relative_to(base)), f.line)
        for f in report.dependencies
    ]


def test_each_finding_at_its_line(project: Path, backend: str) -> None:
    assert _report(project, backend) == [
        ("unused-dependency", "unused-lib", "demo/pyproject.toml", 6),
        ("unused-dependency", "python-dateutil", "demo/pyproject.toml", 7),
        ("transitive-dependency", "helper-lib", "demo/src/demo/__init__.py", 2),
        ("undeclared-dependency", "stray-dist", "demo/src/demo/__init__.py", 3),
        ("dev-dependency-in-code", "speedup", "demo/src/demo/__init__.py", 4),
        ("undeclared-dependency", "stray-dist", "demo/tests/test_demo.py", 3),
    ]


def test_counts_and_the_command_line(project: Path) -> None:
    root = project / "demo"
    command = [sys.executable, "-m", "modspec", "surface", str(root)]
    command += ["--path", str(root / "src"), "--path", str(project / "site")]
    ran = subprocess.run(
        [*command, "--json", "--fail-on", "undeclared-dependency"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 1, ran.stderr
    document = json.loads(ran.stdout)
    assert document["findings"]["undeclared-dependency"] == 2
    assert document["findings"]["transitive-dependency"] == 1
    assert document["findings"]["unused-dependency"] == 2
    assert document["findings"]["dev-dependency-in-code"] == 1
    dependencies = document["dependencies"]
    assert dependencies["project"] == str(root / "pyproject.toml")
    assert dependencies["declared"]["lintkit"] == [
        "dependency-groups.test",
        "dependency-groups.lint",
    ]
    assert dependencies["declared"]["web-framework"] == ["dependencies"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "[transitive-dependency] helper-lib is installed because a declared" in text


def test_a_comment_silences_one(project: Path, backend: str) -> None:
    init = project / "demo" / "src" / "demo" / "__init__.py"
    init.write_text(
        init.read_text().replace(
            "import stray\n", "import stray  # modspec: ignore[undeclared-dependency]\n"
        )
    )
    root = project / "demo"
    report = surface([str(root)], path=[str(root / "src"), str(project / "site")], backend=backend)
    assert report.findings()[Finding.UNDECLARED_DEPENDENCY] == 1  # the one in tests/ stays


def test_no_project_table_no_check(tree: Tree, backend: str) -> None:
    root = tree({"code/a.py": "import json\n"}) / "code"
    report = surface([str(root)], backend=backend)
    assert report.project is None
    assert report.dependencies == []
