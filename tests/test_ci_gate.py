"""`modspec surface` as a CI gate: exit statuses, one-line errors, configuration found and
checked, findings silenced by pattern or comment, GitHub annotations. All through a real
process, as CI runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import modspec

Tree = Callable[[dict[str, object]], Path]


def _modspec(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modspec", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=120,
    )


def _one_line_error(ran: subprocess.CompletedProcess[str], status: int, text: str) -> None:
    assert ran.returncode == status, ran.stderr
    assert "Traceback" not in ran.stderr
    assert ran.stderr.count("\n") == 1, ran.stderr
    assert text in ran.stderr


def test_version() -> None:
    ran = _modspec("--version")
    assert ran.returncode == 0
    assert ran.stdout == f"modspec {modspec.__version__}\n"


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["surface"], "the following arguments are required: ROOT"),
        (["surface", ".", "--workers", "0"], "expected a whole number >= 1"),
        (["surface", ".", "--limit", "-1"], "expected a whole number >= 0"),
        (["surface", ".", "--fail-on", "bogus"], "'bogus': choose from unresolved"),
        (["surface", ".", "--bogus"], "unrecognized arguments: --bogus"),
        (["nothing"], "invalid choice: 'nothing'"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(argv: list[str], text: str) -> None:
    _one_line_error(_modspec(*argv), 2, text)


@pytest.mark.parametrize(
    ("table", "text"),
    [
        ('fail-on = ["bogus"]', "tool.modspec.fail-on: unknown finding 'bogus'"),
        ('source-dirs = ["nonexistent"]', "source-dirs: 'nonexistent' is no directory"),
        ('source-dirs = ["../.."]', "source-dirs: '../..' lies outside the project"),
        ("colour = true", "unknown key tool.modspec.colour"),
        ('ignore = "x"', "tool.modspec.ignore must be a list of strings"),
    ],
)
def test_a_bad_configuration_names_its_key(tree: Tree, table: str, text: str) -> None:
    root = tree({"proj/pyproject.toml": f"[tool.modspec]\n{table}\n", "proj/a.py": ""})
    _one_line_error(_modspec("surface", str(root / "proj")), 2, text)


def test_the_configuration_is_found_above_the_root(tree: Tree) -> None:
    base = tree(
        {
            "proj/pyproject.toml": '[tool.modspec]\nfail-on = ["unresolved"]\n',
            "proj/pkg/__init__.py": "",
            "proj/pkg/a.py": "import surely_missing_module\n",
        }
    )
    ran = _modspec("surface", str(base / "proj" / "pkg"))
    assert ran.returncode == 1, ran.stdout
    assert "FAILED (--fail-on): unresolved" in ran.stdout


def test_a_pyproject_without_the_table_is_passed_over(tree: Tree) -> None:
    base = tree(
        {
            "proj/pyproject.toml": '[tool.modspec]\nfail-on = ["unresolved"]\n',
            "proj/sub/pyproject.toml": '[project]\nname = "sub"\n',
            "proj/sub/a.py": "import surely_missing_module\n",
        }
    )
    assert _modspec("surface", str(base / "proj" / "sub")).returncode == 1


def test_config_option(tree: Tree) -> None:
    base = tree(
        {
            "elsewhere/settings.toml": '[tool.modspec]\nfail-on = ["unresolved"]\n',
            "proj/a.py": "import surely_missing_module\n",
        }
    )
    config = str(base / "elsewhere" / "settings.toml")
    assert _modspec("surface", str(base / "proj")).returncode == 0
    assert _modspec("surface", str(base / "proj"), "--config", config).returncode == 1
    _one_line_error(
        _modspec("surface", str(base / "proj"), "--config", str(base / "none.toml")),
        2,
        "none.toml: no such file",
    )


def test_repeated_fail_on_adds_up(tree: Tree) -> None:
    root = tree({"proj/a.py": "import surely_missing_module\n", "proj/b.py": "import x(\n"})
    root = root / "proj"
    ran = _modspec("surface", str(root), "--fail-on", "unparsable", "--fail-on", "unresolved")
    assert ran.returncode == 1
    assert "FAILED (--fail-on): unparsable, unresolved" in ran.stdout


def test_findings_silenced_by_pattern_and_comment(tree: Tree) -> None:
    root = (
        tree(
            {
                "proj/pyproject.toml": '[tool.modspec]\nignore = ["selenium", "legacy_*"]\n',
                "proj/a.py": (
                    "import selenium.webdriver\n"
                    "import legacy_tools\n"
                    "import gone_one  # modspec: ignore\n"
                    "import gone_two  # noqa  modspec: ignore[unresolved]\n"
                    "import gone_three  # modspec: ignore[shadowed]\n"
                    "import gone_four\n"
                ),
            }
        )
        / "proj"
    )
    ran = _modspec("surface", str(root), "--json", "--fail-on", "unresolved")
    document = json.loads(ran.stdout)
    silenced = {row["name"]: row["silenced"] for row in document["unresolved"]}
    assert silenced == {
        "selenium.webdriver": "tool.modspec.ignore: selenium",
        "legacy_tools": "tool.modspec.ignore: legacy_*",
        "gone_one": "# modspec: ignore",
        "gone_two": "# modspec: ignore[unresolved]",
        "gone_three": None,
        "gone_four": None,
    }
    assert document["findings"]["unresolved"] == 2
    assert {row["rule"] for row in document["unresolved"]} == {"unresolved"}
    assert ran.returncode == 1


def test_categories_keep_zero_counts(tree: Tree) -> None:
    root = tree({"proj/a.py": "import json\n"}) / "proj"
    document = json.loads(_modspec("surface", str(root), "--json").stdout)
    assert document["categories"] == {
        "builtin": 0,
        "first-party": 0,
        "namespace": 0,
        "stdlib": 1,
        "third-party": 0,
        "unresolved": 0,
    }


def test_github_annotations(tree: Tree) -> None:
    root = tree({"proj/a.py": "import os\nimport surely_missing\n"}) / "proj"
    ran = _modspec("surface", str(root), "--format", "github", "--fail-on", "unresolved")
    assert ran.returncode == 1
    lines = ran.stdout.splitlines()
    path = str(root / "a.py")
    assert f"::error file={path},line=2,title=modspec unresolved::surely_missing" in lines[0]
    assert all(line.startswith("::") for line in lines)
    warned = _modspec("surface", str(root), "--format", "github")
    assert warned.returncode == 0
    assert warned.stdout.startswith("::warning ")


def test_a_full_disk_is_one_line_and_exit_2(tree: Tree) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full to write to")
    root = tree({"proj/a.py": "import os\n"}) / "proj"
    with open("/dev/full", "w") as full:
        ran = subprocess.run(
            [sys.executable, "-m", "modspec", "surface", str(root), "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    _one_line_error(ran, 2, "No space left on device")


def test_interrupt_is_one_line_and_exit_130(tmp_path: Path) -> None:
    # A scan of seconds: the signal must come inside it, not as the process ends (an
    # interpreter that is finalizing has put the default handler back, and dies of it).
    for index in range(16_000):
        directory = tmp_path / f"d{index % 160}"
        directory.mkdir(exist_ok=True)
        (directory / f"m{index}.py").write_text("import os\n" * 50)
    process = subprocess.Popen(
        [sys.executable, "-m", "modspec", "surface", str(tmp_path), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)  # past the start-up, inside the scan
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the scan ended before the signal came")
    assert process.returncode == 130
    assert err == "modspec: interrupted\n"


def test_the_default_path_is_not_modspec_s_own(tmp_path: Path) -> None:
    # A console script's directory (a venv's bin/) or, under -m, the current directory, is
    # where modspec was started, not what the code under study would see.
    (tmp_path / "evilmod.py").write_text("")
    script = tmp_path / "console_script.py"
    script.write_text("import sys\nfrom modspec.cli import main\nsys.exit(main())\n")
    as_script = subprocess.run(
        [sys.executable, str(script), "resolve", "evilmod"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert as_script.returncode == 1
    assert "evilmod: not found" in as_script.stdout
    as_module = _modspec("resolve", "evilmod", cwd=tmp_path)
    assert as_module.returncode == 1
    found = _modspec("resolve", "evilmod", "--path", str(tmp_path))
    assert found.returncode == 0
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("import json\n")
    paths = [
        json.loads(
            subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path).stdout
        )["path"]
        for command in (
            [sys.executable, str(script), "surface", str(root), "--json"],
            [sys.executable, "-m", "modspec", "surface", str(root), "--json"],
        )
    ]
    assert paths[0] == paths[1]
    assert str(tmp_path) not in paths[0]


@pytest.mark.parametrize("path", ["/usr/lib", b"/usr/lib", Path("/usr/lib")])
def test_a_path_that_is_one_string_is_refused(path: object) -> None:
    with pytest.raises(TypeError, match="path must be a sequence of path entries"):
        modspec.Resolver(path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a sequence of path entries"):
        modspec.resolve_many(["json"], path=path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a sequence of path entries"):
        modspec.surface(["."], path=path)  # type: ignore[arg-type]


def test_modules_shipped_with_the_interpreter_are_stdlib(tree: Tree, backend: str) -> None:
    shipped = [name for name in ("_testcapi", "xxlimited", "test.support") if _importable(name)]
    if not shipped:
        pytest.skip("this interpreter ships none of its test modules")
    root = tree({"proj/a.py": "".join(f"import {name}\n" for name in shipped)}) / "proj"
    report = modspec.surface([str(root)], backend=backend)
    assert {name: report.categories[name].value for name in shipped} == dict.fromkeys(
        shipped, "stdlib"
    )


def _importable(name: str) -> bool:
    return modspec.resolve(name) is not None


def test_extension_bytes_are_not_source_bytes(tree: Tree, backend: str) -> None:
    extension = modspec.resolve("_json")  # the accelerator json loads, built separately
    if extension is None or extension.kind is not modspec.Kind.EXTENSION:
        pytest.skip("_json is built in here")
    root = tree({"proj/a.py": "import json\nimport _json\n"}) / "proj"
    report = modspec.surface([str(root)], backend=backend)
    tops = {top.name: top for top in report.top_levels}
    assert tops["_json"].source_bytes == 0
    assert tops["_json"].extension_bytes == os.path.getsize(str(extension.origin))
    assert tops["json"].extension_bytes == 0


def test_resolve_os_path_says_what_the_import_gets() -> None:
    ran = _modspec("resolve", "os.path")
    assert ran.returncode == 0
    assert f"os sets sys.modules['os.path'] to {os.path.__name__}" in ran.stdout
    row = json.loads(_modspec("resolve", "os.path", "--json").stdout)["os.path"]
    assert row["name"] == os.path.__name__
    assert row["set_by"] == "os"
