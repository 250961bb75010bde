"""environment_path: another interpreter's sys.path, against that interpreter in a subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree
from guards import run_bounded

import modspec
from modspec import EnvironmentPath, EnvironmentPathError, environment_path

# --- interpreters and the oracle ----------------------------------------------------------------


def _interpreters() -> dict[tuple[int, int], str]:
    """One base interpreter per minor version 3.10–3.13: pyenv's where pyenv is on PATH, else
    the one running the tests."""
    found: dict[tuple[int, int], str] = {}
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        root = subprocess.run(
            [pyenv, "root"], capture_output=True, text=True, check=False
        ).stdout.strip()
        versions = Path(root, "versions")
        names = sorted(os.listdir(versions)) if versions.is_dir() else []
        for name in names:
            match = re.fullmatch(r"3\.(1[0-3])\.(\d+)", name)
            python = versions / name / "bin" / f"python3.{match.group(1)}" if match else None
            if python is not None and python.is_file():
                key = (3, int(match.group(1)))  # type: ignore[union-attr]
                previous = found.get(key)
                if previous is None or _micro(previous) < _micro(str(python)):
                    found[key] = str(python)
    current = sys.version_info[:2]
    if current not in found:
        found[current] = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return dict(sorted(found.items()))


def _micro(python: str) -> int:
    match = re.search(r"/3\.\d+\.(\d+)/", python)
    return int(match.group(1)) if match else 0


INTERPRETERS = _interpreters()
CURRENT = INTERPRETERS[sys.version_info[:2]]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


_SCRIPT = (
    "import json, sys; print(json.dumps({'path': sys.path[1:], 'prefix': sys.prefix,"
    " 'base_prefix': sys.base_prefix, 'version': list(sys.version_info[:2])}))"
)


def run_oracle(python: str, cwd: Path, **env: str) -> dict[str, Any]:
    """What ``python -c`` reports: sys.path without its '' (the -c script directory)."""
    done = subprocess.run(
        [python, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=_clean_env(**env),
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def answer(found: EnvironmentPath) -> dict[str, Any]:
    return {
        "path": list(found.entries),
        "prefix": found.prefix,
        "base_prefix": found.base_prefix,
        "version": list(found.version),
    }


def make_venv(python: str, where: Path, *, system_site: bool = False) -> Path:
    command = [python, "-m", "venv", "--without-pip", str(where)]
    if system_site:
        command.insert(3, "--system-site-packages")
    subprocess.run(command, check=True, env=_clean_env(), capture_output=True)
    return where


def site_packages(venv: Path) -> Path:
    (lib,) = (venv / "lib").glob("python3.*")
    return lib / "site-packages"


MakeVenv = Callable[..., Path]


@pytest.fixture
def venv(tmp_path: Path) -> MakeVenv:
    def make(python: str = CURRENT, *, system_site: bool = False, name: str = "venv") -> Path:
        return make_venv(python, tmp_path / name, system_site=system_site)

    return make


# --- plain layouts ------------------------------------------------------------------------------


@pytest.mark.parametrize("system_site", [False, True], ids=["plain", "system-site"])
def test_venv_agrees_with_cpython(venv: MakeVenv, tmp_path: Path, system_site: bool) -> None:
    root = venv(system_site=system_site)
    expected = run_oracle(str(root / "bin" / "python"), tmp_path)
    for target in (root / "bin" / "python", root, str(root), root / "bin" / "python3"):
        assert answer(environment_path(target)) == expected
    found = environment_path(root)
    base = found.base_prefix
    own = str(site_packages(root))
    assert found.site_packages[0] == own
    assert found.prefix == str(root)
    # The base's site-packages come after the venv's, and only with system site-packages.
    from_base = [entry for entry in found.entries if entry.startswith(base + os.sep)]
    assert any(entry.endswith("site-packages") for entry in from_base) is system_site


def test_base_interpreter_agrees_with_cpython(tmp_path: Path) -> None:
    expected = run_oracle(CURRENT, tmp_path)
    found = environment_path(CURRENT)
    assert answer(found) == expected
    assert found.prefix == found.base_prefix
    # The prefix names the same installation.
    assert answer(environment_path(found.prefix)) == expected


def test_zip_entry_is_listed_though_missing(venv: MakeVenv) -> None:
    found = environment_path(venv())
    major, minor = found.version
    zip_entry = os.path.join(found.base_prefix, "lib", f"python{major}{minor}.zip")
    assert found.entries[0] == zip_entry
    assert not os.path.exists(zip_entry)


def test_version_from_pyvenv_cfg(venv: MakeVenv) -> None:
    assert environment_path(venv()).version == sys.version_info[:2]


# --- .pth files ---------------------------------------------------------------------------------

# (files under site-packages, as write_tree takes them); every case is checked against CPython.
PTH_CASES: dict[str, dict[str, object]] = {
    "relative": {"rel/": None, "a.pth": "rel\n"},
    "absolute": {"a.pth": "{root}/outside\n"},
    "parent": {"a.pth": "../../../outside\n"},
    "missing": {"a.pth": "nowhere\n{root}/nowhere\n"},
    "duplicates": {"rel/": None, "a.pth": "rel\nrel\n./rel\n{site}/rel\n", "b.pth": "rel\n"},
    "site-packages-itself": {"a.pth": ".\n{site}\n"},
    "comments-and-blanks": {"rel/": None, "a.pth": "# rel\n\n   \n\t\nrel\n#{root}/outside\n"},
    "trailing-whitespace": {"rel/": None, "a.pth": "rel   \t\n"},
    "leading-whitespace": {"rel/": None, "a.pth": "  rel\n"},
    "crlf": {"rel/": None, "a.pth": b"rel\r\n../../../outside\r\n"},
    "cr-only": {"rel/": None, "a.pth": b"rel\r../../../outside\r"},
    "form-feed": {"rel/": None, "a.pth": b"rel\x0c../../../outside\n"},
    "bom": {"rel/": None, "a.pth": b"\xef\xbb\xbfrel\n"},
    "nul": {"rel/": None, "a.pth": b"re\x00l\nrel\n"},
    "control-characters": {"rel/": None, "a.pth": b"\x01\x02\nrel\x1f\nrel\n"},
    "a-file-not-a-directory": {"file.txt": "", "a.pth": "file.txt\n"},
    "order-of-files": {"one/": None, "two/": None, "b.pth": "one\n", "a.pth": "two\n"},
    "hidden-file": {"rel/": None, ".hidden.pth": "rel\n"},
    "not-pth": {"rel/": None, "a.pth.txt": "rel\n", "a.PTH": "rel\n"},
    "pth-directory": {"d.pth/": None, "rel/": None, "e.pth": "rel\n"},
    "import-lookalikes": {"importx/": None, "a.pth": "importx\n"},
    "non-ascii": {"\u00e9t\u00e9/": None, "a.pth": "\u00e9t\u00e9\n"},
}


def _write_site(venv_root: Path, files: dict[str, object]) -> Path:
    site = site_packages(venv_root)
    (venv_root / "outside").mkdir(exist_ok=True)
    fill = {"root": str(venv_root), "site": str(site)}
    written: dict[str, object] = {}
    for rel, content in files.items():
        if isinstance(content, str):
            content = content.format(**fill)
        written[rel.rstrip("/")] = content
    write_tree(site, written)
    return site


@pytest.mark.parametrize("files", PTH_CASES.values(), ids=PTH_CASES.keys())
def test_pth_files_agree_with_cpython(
    venv: MakeVenv, tmp_path: Path, files: dict[str, object]
) -> None:
    root = venv()
    _write_site(root, files)
    expected = run_oracle(str(root / "bin" / "python"), tmp_path)
    assert answer(environment_path(root)) == expected


def test_pth_cases_are_not_vacuous(venv: MakeVenv) -> None:
    root = venv()
    site = _write_site(root, PTH_CASES["duplicates"])
    found = environment_path(root)
    assert found.entries.count(str(site / "rel")) == 1
    assert found.pth_files == (str(site / "a.pth"), str(site / "b.pth"))


def test_import_lines_are_reported_never_run(venv: MakeVenv, tmp_path: Path) -> None:
    root = venv(system_site=True)
    marker = tmp_path / "marker.txt"
    line = f"import os; open({str(marker)!r}, 'a').write('ran\\n')"
    site = _write_site(root, {"rel/": None, "a.pth": f"rel\n{line}\nimport\tsys\n"})
    found = environment_path(root)
    assert not marker.exists()
    pth = str(site / "a.pth")
    # site processes a venv's own site-packages twice (in venv() and again for PREFIXES),
    # so each import line would run twice.
    ours = tuple(item for item in found.skipped_imports if item[0] == pth)
    assert ours == ((pth, line), (pth, "import\tsys")) * 2
    expected = run_oracle(str(root / "bin" / "python"), tmp_path)
    assert marker.read_text("utf-8") == "ran\n" * 2
    # The marker the oracle wrote changes nothing.
    assert environment_path(root) == found
    assert answer(found) == expected


def test_undecodable_pth_stops_the_interpreter(venv: MakeVenv, tmp_path: Path) -> None:
    root = venv()
    _write_site(root, {"rel/": None, "a.pth": b"rel\n\xff\xfe garbage\n"})
    done = subprocess.run(
        [str(root / "bin" / "python"), "-c", "pass"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert done.returncode != 0
    assert "UnicodeDecodeError" in done.stderr
    with pytest.raises(EnvironmentPathError, match=r"a\.pth.* not UTF-8"):
        environment_path(root)


# --- PYTHONPATH ---------------------------------------------------------------------------------


def test_pythonpath_parameter(venv: MakeVenv, tmp_path: Path) -> None:
    root = venv()
    (tmp_path / "pp").mkdir()
    value = os.pathsep.join([str(tmp_path / "pp"), "relative", str(site_packages(root))])
    expected = run_oracle(str(root / "bin" / "python"), tmp_path, PYTHONPATH=value)
    old = os.getcwd()
    os.chdir(tmp_path)  # relative entries are against the current directory, as in the oracle
    try:
        found = environment_path(root, pythonpath=value)
    finally:
        os.chdir(old)
    assert answer(found) == expected
    assert found.entries[0] == str(tmp_path / "pp")


# --- errors -------------------------------------------------------------------------------------


def test_missing_target(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentPathError, match="no such"):
        environment_path(tmp_path / "missing")


def test_a_directory_without_python(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentPathError, match="no bin/python3"):
        environment_path(tmp_path)


def test_is_a_value_error() -> None:
    assert issubclass(EnvironmentPathError, ValueError)


# --- the resolver over another environment ------------------------------------------------------


def test_resolver_finds_a_package_only_in_the_venv(
    venv: MakeVenv, make_resolver: Callable[..., modspec.Resolver]
) -> None:
    root = venv()
    site = _write_site(
        root,
        {"only_here_pkg/__init__.py": "", "only_here_pkg/mod.py": "", "a.pth": "extra\n"},
    )
    write_tree(site / "extra", {"via_pth.py": ""})
    resolver = make_resolver(list(environment_path(root).entries))
    found = resolver.resolve("only_here_pkg.mod")
    assert found is not None
    assert found.origin == str(site / "only_here_pkg" / "mod.py")
    via_pth = resolver.resolve("via_pth")
    assert via_pth is not None
    assert via_pth.origin == str(site / "extra" / "via_pth.py")
    assert modspec.resolve("only_here_pkg") is None


# --- every available version --------------------------------------------------------------------

ALL_PTH = {
    "rel/": None,
    "one/": None,
    "a.pth": b"\xef\xbb\xbfrel\n# c\n\n../../../outside\r\none\x0cnowhere\n",
    "b.pth": "rel\n{site}/one\nimport sys\n",
    ".hidden.pth": "one\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("system_site", [False, True], ids=["plain", "system-site"])
@pytest.mark.parametrize("version", INTERPRETERS, ids=lambda version: f"{version[0]}.{version[1]}")
def test_every_version_agrees_with_cpython(
    tmp_path: Path, version: tuple[int, int], system_site: bool
) -> None:
    python = INTERPRETERS[version]
    base = run_oracle(python, tmp_path)
    assert answer(environment_path(python)) == base
    root = make_venv(python, tmp_path / "venv", system_site=system_site)
    _write_site(root, ALL_PTH)
    found = environment_path(root)
    assert answer(found) == run_oracle(str(root / "bin" / "python"), tmp_path)
    assert found.version == version


# --- files that never end: FIFOs, devices, /proc ------------------------------------------------

# A FIFO blocks a reader until a writer comes; the rest stream without end (pagemap is a
# "regular" file of size 0 that reads on for terabytes).
ENDLESS = {
    "fifo": None,
    "dev-zero": "/dev/zero",
    "dev-urandom": "/dev/urandom",
    "proc-pagemap": "/proc/self/pagemap",
}


def _make_endless(path: Path, target: str | None) -> None:
    if target is None:
        os.mkfifo(path)
    else:
        os.symlink(target, path)


@pytest.fixture(scope="module")
def endless_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One venv for the rows below, each of which puts its file in and takes it out again."""
    root = make_venv(CURRENT, tmp_path_factory.mktemp("endless") / "venv")
    (site_packages(root) / "rel").mkdir()
    (site_packages(root) / "a.pth").write_text("rel\n", "utf-8")
    return root


_ENVIRONMENT_IN_A_BOUNDED_PROCESS = """
    import json, sys
    import modspec
    try:
        found = modspec.environment_path(sys.argv[1])
    except modspec.EnvironmentPathError as error:
        print(json.dumps({"error": str(error)}))
    else:
        print(json.dumps({"entries": found.entries, "pth_files": found.pth_files}))
"""


def _bounded_environment_path(root: Path) -> dict[str, Any]:
    done = run_bounded(_ENVIRONMENT_IN_A_BOUNDED_PROCESS.replace("sys.argv[1]", repr(str(root))))
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@pytest.mark.parametrize("target", ENDLESS.values(), ids=ENDLESS.keys())
def test_endless_pth_is_skipped(endless_venv: Path, target: str | None) -> None:
    site = site_packages(endless_venv)
    expected = environment_path(endless_venv)
    endless = site / "endless.pth"
    _make_endless(endless, target)
    try:
        found = _bounded_environment_path(endless_venv)
    finally:
        endless.unlink()
    # As if it were not there: site skips a .pth it cannot read; these it would never finish.
    assert found == {"entries": list(expected.entries), "pth_files": [str(site / "a.pth")]}
    assert str(site / "rel") in found["entries"]


@pytest.mark.parametrize("target", ENDLESS.values(), ids=ENDLESS.keys())
def test_endless_pyvenv_cfg_stops_the_interpreter(endless_venv: Path, target: str | None) -> None:
    cfg = endless_venv / "pyvenv.cfg"
    saved = cfg.read_bytes()
    cfg.unlink()
    _make_endless(cfg, target)
    try:
        found = _bounded_environment_path(endless_venv)
    finally:
        cfg.unlink()
        cfg.write_bytes(saved)
    if sys.version_info < (3, 11) and target in (None, "/dev/zero", "/dev/urandom"):
        # 3.10's getpath looks beside the resolved executable, and its site takes only a
        # regular file for pyvenv.cfg: no venv, the base interpreter's own path.
        assert "error" not in found
        assert str(site_packages(endless_venv)) not in found["entries"]
    else:
        assert "pyvenv.cfg" in found["error"]


def test_fifo_pyvenv_cfg_blocks_cpython(endless_venv: Path, tmp_path: Path) -> None:
    # The oracle for the rows above: from 3.11 the interpreter does not start (getpath waits
    # for a writer); 3.10 starts as the base interpreter, no venv.
    cfg = endless_venv / "pyvenv.cfg"
    saved = cfg.read_bytes()
    cfg.unlink()
    os.mkfifo(cfg)
    command = [str(endless_venv / "bin" / "python"), "-c", "import sys; print(sys.prefix)"]
    try:
        if sys.version_info < (3, 11):
            done = subprocess.run(
                command, cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=30
            )
            assert done.stdout.strip() == sys.base_prefix
        else:
            with pytest.raises(subprocess.TimeoutExpired):
                subprocess.run(
                    command, cwd=tmp_path, env=_clean_env(), capture_output=True, timeout=3
                )
    finally:
        cfg.unlink()
        cfg.write_bytes(saved)


def test_pyvenv_cfg_directory_is_no_file(endless_venv: Path, tmp_path: Path) -> None:
    # A directory is what CPython's open refuses (IsADirectoryError): no pyvenv.cfg, no venv.
    cfg = endless_venv / "pyvenv.cfg"
    saved = cfg.read_bytes()
    cfg.unlink()
    cfg.mkdir()
    try:
        expected = run_oracle(str(endless_venv / "bin" / "python"), tmp_path)
        assert answer(environment_path(endless_venv)) == expected
    finally:
        cfg.rmdir()
        cfg.write_bytes(saved)
