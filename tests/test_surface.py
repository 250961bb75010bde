"""modspec surface: a fixture code base with every kind of import, classified and reported."""

from __future__ import annotations

import importlib.machinery
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import modspec
from modspec import Kind, cli, resolve_many
from modspec._codebase.extract import Guard
from modspec._codebase.progress import Progress
from modspec._codebase.surface import Category, Finding, surface

Tree = Callable[[dict[str, object]], Path]

PROJECT = {
    "app/__init__.py": (
        "from . import util\nfrom .util import helper\nimport json\nimport logging\n"
    ),
    "app/util.py": (
        "import os.path\n"
        "from collections import OrderedDict\n"
        "try:\n"
        "    import missing_optional\n"
        "except ImportError:\n"
        "    pass\n"
        "import missing_required\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import missing_for_types\n"
        "def later():\n"
        "    from app.sub import deep\n"
    ),
    "app/sub/__init__.py": "",
    "app/sub/deep.py": "from ... import beyond\nfrom .. import util as u\nimport sys\n",
    "logging.py": "import sys\n",
    "sys.py": "",
    "scripts/run-it/go.py": "from . import sibling\nimport app\n",
    "broken.py": "def (:\n",
}


# 3.11 freezes posixpath and friends into the interpreter; 3.10 reads them from the stdlib.
_FROZEN_OR_STDLIB = {
    name: Category.BUILTIN if spec is not None and spec.kind is Kind.FROZEN else Category.STDLIB
    for name, spec in resolve_many(["posixpath"]).items()
}


@pytest.fixture
def project(tree: Tree) -> Path:
    return tree({"proj/" + rel: text for rel, text in PROJECT.items()}) / "proj"


def test_every_import_is_found_and_classified(project: Path, backend: str) -> None:
    report = surface([str(project)], backend=backend)
    assert report.backend == backend
    assert report.files == 8
    assert [os.path.basename(p) for p, _ in report.unparsable] == ["broken.py"]
    assert report.categories == {
        "app": Category.FIRST_PARTY,
        "app.sub.deep": Category.FIRST_PARTY,
        "app.util": Category.FIRST_PARTY,
        "collections": Category.STDLIB,
        "json": Category.STDLIB,
        "logging": Category.FIRST_PARTY,  # the local logging.py, which hides the stdlib's
        "os.path": _FROZEN_OR_STDLIB["posixpath"],  # os.py's own doing: see _SET_BY_PARENT
        "sys": Category.BUILTIN,
        "typing": Category.STDLIB,
    }
    assert report.importers["app"] == 1  # scripts/run-it/go.py
    assert report.importers["sys"] == 2
    # `from .util import helper`: helper is no submodule, so the import needs app.util only.
    assert "app.util.helper" not in report.modules
    unresolved = {
        (u.name, os.path.relpath(u.site.path, project), u.site.line, u.site.guard, u.reason)
        for u in report.unresolved
    }
    assert unresolved == {
        ("missing_optional", "app/util.py", 4, Guard.OPTIONAL, "not_found"),
        ("missing_required", "app/util.py", 7, Guard.NONE, "not_found"),
        ("missing_for_types", "app/util.py", 10, Guard.TYPE_CHECKING, "not_found"),
        ("...", "app/sub/deep.py", 1, Guard.NONE, "relative_import"),
        (".", "scripts/run-it/go.py", 1, Guard.NONE, "relative_import"),
    }
    findings = report.findings()
    assert findings[Finding.UNRESOLVED] == 4
    assert findings[Finding.UNRESOLVED_OPTIONAL] == 1
    assert findings[Finding.UNPARSABLE] == 1


def test_guards_every_import_of_a_module_shares(project: Path, backend: str) -> None:
    report = surface([str(project)], backend=backend)
    assert report.statements == 17
    assert report.imports == 17
    assert report.guards["app.sub.deep"] == Guard.DEFERRED  # only in later()
    assert report.guards["typing"] == Guard.NONE
    assert report.guards["sys"] == Guard.NONE


def test_shadowing(project: Path, backend: str) -> None:
    report = surface([str(project)], backend=backend)
    by_name = {s.name: s for s in report.shadowing}
    logging = by_name["logging"]
    assert logging.first_party
    assert logging.winner == str(project / "logging.py")
    assert logging.hidden == (os.path.join(os.path.dirname(os.__file__), "logging", "__init__.py"),)
    # sys is built in: the local sys.py is never imported.
    assert by_name["sys"].winner == "builtin"
    assert by_name["sys"].hidden == (str(project / "sys.py"),)
    assert report.findings()[Finding.SHADOWED] == 2


def test_a_name_in_two_path_entries(tree: Tree, backend: str) -> None:
    base = tree(
        {
            "code/use.py": "import dup\n",
            "one/dup.py": "",
            "two/dup/__init__.py": "",
        }
    )
    path = [str(base / "code"), str(base / "one"), str(base / "two")]
    report = surface([str(base / "code")], path=path, backend=backend)
    (shadow,) = report.shadowing
    assert (shadow.name, shadow.winner, shadow.first_party) == (
        "dup",
        str(base / "one" / "dup.py"),
        False,
    )
    assert shadow.hidden == (str(base / "two" / "dup" / "__init__.py"),)
    assert report.findings()[Finding.DUPLICATE] == 1
    assert report.categories == {"dup": Category.THIRD_PARTY}


def test_third_party_modules_name_their_distribution(tree: Tree, backend: str) -> None:
    root = tree({"code/use.py": "import pytest\nimport _pytest.nodes\n"}) / "code"
    report = surface([str(root)], backend=backend)
    assert report.categories["pytest"] is Category.THIRD_PARTY
    assert report.distributions["pytest"] == ("pytest",)
    assert report.distributions["_pytest"] == ("pytest",)
    tops = {top.name: top for top in report.top_levels}
    assert tops["_pytest"].source_bytes == os.path.getsize(
        sys.modules["_pytest.nodes"].__file__ or ""
    )


def test_namespace_packages(tree: Tree, backend: str) -> None:
    base = tree({"code/use.py": "import nspkg.mod\nimport nspkg\n", "code/nspkg/mod.py": ""})
    report = surface([str(base / "code")], backend=backend)
    assert report.categories == {"nspkg": Category.NAMESPACE, "nspkg.mod": Category.FIRST_PARTY}


def test_bytecode_of_first_party_modules(tree: Tree, backend: str) -> None:
    base = tree(
        {"code/use.py": "import fresh, missing\n", "code/fresh.py": "", "code/missing.py": ""}
    )
    import py_compile

    py_compile.compile(str(base / "code" / "fresh.py"), doraise=True)
    report = surface([str(base / "code")], backend=backend)
    assert {name: status.value for name, status in report.bytecode.items()} == {
        "fresh": "fresh",
        "missing": "missing",
    }
    assert report.findings()[Finding.MISSING_BYTECODE] == 1


def test_progress_is_reported(project: Path, backend: str) -> None:
    calls: list[tuple[str, int, int]] = []
    surface([str(project)], backend=backend, progress=lambda *a: calls.append(a))
    assert calls[-1] == ("scan", 8, 8)
    assert [done for _, done, _ in calls] == list(range(1, 9))


# --- the command line --------------------------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_text_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["surface", str(project)], capsys)
    assert status == 0
    assert "8 files, 17 import statements (17 imported names)" in out
    assert "unresolved imports: 5 top-level names, 5 imports" in out
    assert "      ? app/util.py:4" in out
    assert "      T app/util.py:10" in out
    assert "logging [shadowed: first-party]" in out
    assert "broken.py: " in out


def test_cli_json_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["surface", str(project), "--json"], capsys)
    assert status == 0
    document = json.loads(out)
    assert document["schema"] == "modspec.surface/1"
    assert set(document) == {
        "schema",
        "modspec",
        "python",
        "backend",
        "target",
        "roots",
        "path",
        "totals",
        "timings",
        "categories",
        "modules",
        "top_levels",
        "unresolved",
        "shadowing",
        "bytecode",
        "unparsable",
        "skipped",
        "long_names",
        "dependencies",
        "findings",
        "failed",
    }
    assert document["totals"]["files"] == 8
    phases = {"walk", "cache", "scan", "resolve", "classify", "bytecode", "total"}
    assert set(document["timings"]) == phases
    assert {"name": "missing_optional", "line": 4, "guards": ["optional"]}.items() <= next(
        u for u in document["unresolved"] if u["name"] == "missing_optional"
    ).items()
    assert document["findings"]["unresolved"] == 4
    assert document["failed"] == []


@pytest.mark.parametrize(
    ("fail_on", "status"),
    [
        ("unresolved", 1),
        ("unresolved-optional,shadowed", 1),
        ("duplicate", 0),
        ("stale-bytecode", 0),
    ],
)
def test_cli_fail_on(
    project: Path, capsys: pytest.CaptureFixture[str], fail_on: str, status: int
) -> None:
    code, out, _ = _run(["surface", str(project), "--fail-on", fail_on], capsys)
    assert code == status
    assert ("FAILED (--fail-on)" in out) == bool(status)


def test_cli_fail_on_from_pyproject(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.modspec]\nfail-on = ["unparsable"]\n')
    code, out, _ = _run(["surface", str(project), "--json"], capsys)
    assert (code, json.loads(out)["failed"]) == (1, ["unparsable"])
    code, _, _ = _run(["surface", str(project), "--fail-on", "duplicate"], capsys)
    assert code == 0  # the command line wins


def test_cli_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["surface", str(project), "--fail-on", "bogus"])
    assert exc.value.code == 2
    assert "choose from unresolved" in capsys.readouterr().err
    status, _, err = _run(["surface", str(project / "nope")], capsys)
    assert status == 2
    assert "not a directory" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_after_a_second_on_a_terminal() -> None:
    now = [0.0]
    stream = _Terminal()
    progress = Progress(stream, clock=lambda: now[0])
    progress("scan", 1, 100)
    assert stream.getvalue() == ""  # not a second yet
    now[0] = 1.5
    progress("scan", 50, 100)
    assert stream.getvalue() == "\rmodspec: scan 50/100 files (50%)\x1b[K"
    now[0] = 1.52
    progress("scan", 51, 100)  # throttled
    assert stream.getvalue().count("\r") == 1
    progress("scan", 100, 100)  # the last step always shows
    progress.close()
    assert stream.getvalue().endswith("(100%)\x1b[K\r\x1b[K")


def test_progress_is_silent_off_a_terminal() -> None:
    now = [5.0]
    stream = io.StringIO()
    progress = Progress(stream, clock=lambda: now[0])
    now[0] = 10.0
    progress("scan", 1, 2)
    progress.close()
    assert stream.getvalue() == ""


def test_hostile_files_are_reported_never_raised(tree: Tree, backend: str) -> None:
    root = (
        tree(
            {
                "code/garbage.py": bytes(range(256)) * 4,
                "code/nul.py": b"import os\x00\n",
                "code/latin1.py": b"# -*- coding: latin-1 -*-\nimport caf\xe9\n",
                "code/bad_utf8.py": b"import os\n'\xff'\n",
                "code/dangling.py": ("symlink", "nowhere.py"),
                "code/big.py": "import json\n" + "x = 1\n" * 50_000,
                "code/deep.py": "if x:\n"
                + "".join(" " * i + "if x:\n" for i in range(1, 90))
                + " " * 90
                + "import json\n",
            }
        )
        / "code"
    )
    os.mkfifo(root / "fifo.py")  # not a regular file: never opened, so no hang
    (root / b"caf\xe9.py".decode(sys.getfilesystemencoding(), "surrogateescape")).write_text(
        "import json\n"
    )
    report = surface([str(root)], backend=backend)
    broken = {os.path.basename(path) for path, _ in report.unparsable}
    assert {"garbage.py", "nul.py", "bad_utf8.py"} <= broken
    assert "big.py" not in broken
    assert report.categories["json"] is Category.STDLIB
    # latin-1 declared by its cookie: the import of café is read as CPython would read it.
    assert any(u.name == "caf\xe9" for u in report.unresolved)


def test_distributions_come_from_the_search_path(tree: Tree, backend: str) -> None:
    extension = "fastext" + importlib.machinery.EXTENSION_SUFFIXES[0]
    base = tree(
        {
            "code/use.py": "import declared\nimport inferred\nimport fastext\nimport orphan\n",
            "site/declared/__init__.py": "",
            "site/declared_dist-1.0.dist-info/METADATA": "Name: declared-dist\nVersion: 1.0\n",
            "site/declared_dist-1.0.dist-info/top_level.txt": "declared\n",
            "site/inferred.py": "",
            f"site/{extension}": "",
            "site/infer-2.0.dist-info/METADATA": "Name: infer\nVersion: 2.0\n",
            "site/infer-2.0.dist-info/RECORD": f"inferred.py,,\n{extension},,\n"
            "infer-2.0.dist-info/METADATA,,\n",
            "site/orphan.py": "",
        }
    )
    path = [str(base / "code"), str(base / "site")]
    report = surface([str(base / "code")], path=path, backend=backend)
    assert report.distributions["declared"] == ("declared-dist",)
    assert report.distributions["inferred"] == ("infer",)
    assert report.distributions["orphan"] == ()
    assert report.distributions["fastext"] == ("infer",)


def test_an_unresolved_from_import_names_the_module(tree: Tree, backend: str) -> None:
    root = tree({"code/use.py": "from gone.pkg import thing\nfrom json import nothing_here\n"})
    report = surface([str(root / "code")], backend=backend)
    assert [(u.name, u.reason) for u in report.unresolved] == [("gone.pkg", "parent_missing")]
    assert report.categories == {"json": Category.STDLIB}  # nothing_here: an attribute, maybe


def test_another_environment(tree: Tree, backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = tree({"code/use.py": "import envonly\nimport json\n"})
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    (site / "envonly.py").write_text("")
    environment = modspec.environment_path(venv)
    report = surface([str(base / "code")], environment=environment, backend=backend)
    assert report.path[0] == str(base / "code")
    assert list(report.path[1:]) == list(environment.entries)
    spec = report.modules["envonly"]
    assert spec is not None
    assert spec.origin == str(site / "envonly.py")
    assert report.categories["envonly"] is Category.THIRD_PARTY
    status, out, _ = _run(["surface", str(base / "code"), "--environment", str(venv)], capsys)
    assert (status, "unresolved imports" in out) == (0, False)
    status, _, err = _run(
        ["surface", str(base / "code"), "--environment", str(venv), "--path", "x"], capsys
    )
    assert (status, "pick one" in err) == (2, True)
    status, _, err = _run(["surface", str(base / "code"), "--environment", str(base)], capsys)
    assert status == 2
    assert err.startswith("modspec: ")


def test_legacy_namespaces(tree: Tree, backend: str) -> None:
    legacy = "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"
    base = tree(
        {
            "code/use.py": "import legacy.two\n",
            "one/legacy/__init__.py": legacy,
            "two/legacy/__init__.py": legacy,
            "two/legacy/two.py": "",
        }
    )
    path = [str(base / "code"), str(base / "one"), str(base / "two")]
    before = surface([str(base / "code")], path=path, backend=backend)
    # CPython's answer before legacy/__init__.py runs: only the first portion is searched.
    assert [u.name for u in before.unresolved] == ["legacy.two"]
    after = surface([str(base / "code")], path=path, backend=backend, legacy_namespaces=True)
    assert after.unresolved == []
    spec = after.modules["legacy.two"]
    assert spec is not None
    assert spec.origin == str(base / "two" / "legacy" / "two.py")


def test_one_unresolved_import_per_module_and_line(tree: Tree, backend: str) -> None:
    root = tree({"code/use.py": "from gone import a, b, c\nfrom gone import d\n"}) / "code"
    report = surface([str(root)], backend=backend)
    assert [(u.name, u.site.line) for u in report.unresolved] == [("gone", 1), ("gone", 2)]
    assert report.imports == 4


def test_targets_are_what_running_the_code_imports(tree: Tree, backend: str) -> None:
    # The oracle: CPython runs the code base (in a subprocess) and says which of its modules
    # got imported, from which files; `from a import b` means a.b where that is a submodule.
    base = tree(
        {
            "code/app/__init__.py": "value = 1\nfrom . import helpers\n",
            "code/app/helpers.py": "thing = 2\nfrom .sub import deep\n",
            "code/app/sub/__init__.py": "",
            "code/app/sub/deep.py": "from app import value\n",
            "code/app/main.py": "from app.helpers import thing\nfrom app import sub\n"
            "import app.sub.deep\n",
        }
    )
    code = base / "code"
    script = (
        "import sys, json; sys.path[:0] = [sys.argv[1]]; import app.main; "
        "print(json.dumps({n: m.__file__ for n, m in sys.modules.items() "
        "if n == 'app' or n.startswith('app.')}))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", script, str(code)],
        capture_output=True,
        text=True,
        check=True,
    )
    ran: dict[str, str] = json.loads(done.stdout)
    report = surface([str(code)], path=[str(code)], backend=backend)
    # app.main is the entry point the subprocess imported; nothing in the code base imports it.
    assert {name: spec.origin for name, spec in report.modules.items() if spec} == {
        name: file for name, file in ran.items() if name != "app.main"
    }
