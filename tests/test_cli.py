"""The modspec command line: resolve and scan, as text and JSON."""

from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import modspec
from modspec.cli import main

Tree = Callable[[dict[str, object]], Path]


def test_resolve_text(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/pkg/__init__.py": "", "src/pkg/mod.py": ""})
    status = main(["resolve", "pkg", "pkg.mod", "pkg.nope", "--path", str(root / "src")])
    out = capsys.readouterr().out
    assert status == 1  # one name is missing
    assert "pkg: source (package)" in out
    assert f"origin: {root / 'src' / 'pkg' / 'mod.py'}" in out
    assert "__pycache__/mod." in out
    assert "(missing)" in out
    assert (
        "pkg.nope: not found — no module or package 'nope' in the one search location of "
        "package 'pkg'\n"
    ) in out


def test_resolve_json(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/mod.py": ""})
    assert main(["resolve", "mod", "sys", "--path", str(root / "src"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows["mod"]["kind"] == "source"
    assert rows["mod"]["origin"] == str(root / "src" / "mod.py")
    assert rows["mod"]["origin_stat"]["size"] == 0
    assert rows["sys"]["kind"] == "builtin"
    assert rows["sys"]["loader"].endswith("BuiltinImporter")


def test_resolve_says_why_a_name_is_missing(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/mod.py": "", "src/__pycache__/gone.cpython-311.pyc": b""})
    path = ["--path", str(root / "src")]
    assert main(["resolve", "mod.x", *path]) == 1
    out = capsys.readouterr().out
    assert out.startswith("mod.x: not found — 'mod' is a source module, not a package")
    # No finder finds os.path (os is no package); the command says what `import os.path`
    # gets instead: the module os puts into sys.modules under that name.
    assert main(["resolve", "os.path"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("os.path: no finder finds it; os sets sys.modules['os.path']")
    explanation = modspec.explain("os.path")
    assert "not a package" in explanation.detail
    assert "as os does for os.path" in explanation.detail
    assert main(["resolve", "gone", *path, "--json"]) == 1
    row = json.loads(capsys.readouterr().out)["gone"]
    assert row["reason"] == "orphan_bytecode"
    assert row["missing_part"] == "gone"
    assert row["searched"] == [str(root / "src")]
    assert "__pycache__" in row["detail"]


def test_resolve_json_missing_relative_name(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/pkg/__init__.py": ""})
    argv = ["resolve", ".nope", "--package", "pkg", "--path", str(root / "src"), "--json"]
    assert main(argv) == 1
    row = json.loads(capsys.readouterr().out)[".nope"]
    assert row["name"] == "pkg.nope"
    assert row["reason"] == "not_found"
    assert row["searched"] == [str(root / "src" / "pkg")]


def test_resolve_relative_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", ".decoder", "--package", "json"]) == 0
    assert ".decoder: source" in capsys.readouterr().out
    assert main(["resolve", ".decoder"]) == 2
    assert "needs package=" in capsys.readouterr().err


def test_scan_summary(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"a/pkg/__init__.py": "", "a/pkg/m.py": "", "a/ns/x.py": ""})
    assert main(["scan", "--path", str(root / "a")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 modules under 1 path entries")
    counts = dict(line.split() for line in out.splitlines() if line.startswith("  "))
    assert counts == {"source": "3", "namespace": "1", "packages": "2"}
    assert "source modules with bytecode in __pycache__: 0 of 3" in out


def test_scan_json(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"a/pkg/__init__.py": "", "a/pkg/m.py": ""})
    assert main(["scan", "--path", str(root / "a"), "--json"]) == 0
    assert sorted(json.loads(capsys.readouterr().out)) == ["pkg", "pkg.m"]


def test_python_dash_m_and_a_closed_pipe() -> None:
    # `modspec scan | head -1`: the reader goes away; no traceback, exit 0.
    done = subprocess.run(
        f"{sys.executable} -m modspec scan | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "modules under" in done.stdout
    assert "Traceback" not in done.stderr


def test_resolve_shows_bytecode_status(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/fresh.py": "X = 1\n", "src/nopyc.py": ""})
    py_compile.compile(str(root / "src" / "fresh.py"), doraise=True)
    assert main(["resolve", "fresh", "nopyc", "--path", str(root / "src")]) == 0
    out = capsys.readouterr().out
    assert "fresh: source\n" in out
    assert out.count("  bytecode: fresh") == 1
    assert out.count("  bytecode: missing") == 1
    assert main(["resolve", "fresh", "--path", str(root / "src"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fresh"]["bytecode"] == "fresh"


def test_info_predicts_attributes(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/pkg/__init__.py": '"""The package.\n\nMore."""\n', "src/pkg/m.py": ""})
    src = str(root / "src")
    assert main(["info", "pkg", "pkg.m", "pkg.gone", "--path", src]) == 1  # one is missing
    out = capsys.readouterr().out
    assert "pkg: once imported (predicted, nothing imported)" in out
    assert f"  __file__    {root / 'src' / 'pkg' / '__init__.py'}" in out
    assert f"  __path__    [{str(root / 'src' / 'pkg')!r}]" in out
    assert "  __doc__     'The package.' ..." in out
    assert "  __doc__     None" in out  # pkg.m has no docstring
    assert "pkg.gone: not found \N{EM DASH} " in out


def test_info_json_matches_module_info(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree({"src/mod.py": '"""Doc."""\n'})
    assert main(["info", "mod", "--path", str(root / "src"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["mod"]
    expected = modspec.resolve("mod", path=[str(root / "src")])
    assert expected is not None
    info = expected.module_info()
    assert row["doc"] == info.doc == "Doc."
    assert row["file"] == info.file
    assert row["names"] is None
    assert row["package"] == ""
    assert row["loader"].endswith("SourceFileLoader")
    assert row["spec"]["origin"] == info.file


# --- start-up: the fast paths say what the full parser says --------------------------------


def test_the_version_alone_is_what_the_parser_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from modspec import cli

    assert main(["--version"]) == 0
    fast = capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        cli._parser().parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr() == fast
    assert fast.out == f"modspec {modspec.__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["resolve", "json"],
        ["resolve", "json", "os.path", ".x", ""],
        ["info", "json", "pkg.mod"],
        # Not names only: the parser's own reading.
        ["resolve"],
        ["resolve", "json", "--json"],
        ["resolve", "-x"],
        ["resolve", "--", "json"],
        ["info", "json", "--package", "pkg"],
        ["scan"],
        ["surface", "src"],
        ["--version"],
    ],
)
def test_names_only_are_read_as_the_parser_reads_them(argv: list[str]) -> None:
    from modspec import cli

    fast = cli._names_only(argv)
    plain = all(not word.startswith("-") for word in argv[1:]) and len(argv) > 1
    if argv[0] not in ("resolve", "info") or not plain:
        assert fast is None
        return
    assert fast is not None
    assert vars(fast) == vars(cli._parser(argv[0]).parse_args(argv))


@pytest.mark.parametrize("columns", [None, "0", "-3", "abc", "30", "200"])
def test_the_help_is_as_wide_as_shutil_says(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from modspec import cli

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli._columns() == shutil.get_terminal_size().columns
