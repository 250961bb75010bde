"""`modspec surface` against a hostile tree: files that never end, that are too large, and
directories that cannot be read. Each run is a subprocess with a deadline: a hang fails."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modspec._codebase.reading import SOURCE_LIMIT
from modspec.cli import main

NOBODY = 65534


def surface(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``modspec surface ROOT --path ROOT ARGS`` in a subprocess, with a deadline."""
    return subprocess.run(
        [sys.executable, "-m", "modspec", "surface", str(root), "--path", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _two_mib(path: Path) -> None:
    path.write_text("*.tmp\n" * (1 << 19))


# Files that never end (a FIFO blocks a plain open; the rest stream without end, and stat
# calls /proc/self/pagemap regular), and a regular one past the 1 MiB bound.
ENDLESS = {
    "fifo": _fifo,
    "dev-zero": _link("/dev/zero"),
    "dev-urandom": _link("/dev/urandom"),
    "proc-pagemap": _link("/proc/self/pagemap"),
    "two-mib": _two_mib,
}
IGNORE_FILES = [".gitignore", "sub/.gitignore", ".git/info/exclude"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / "sub" / "mod.py").write_text("import json\n")
    return tmp_path


@pytest.mark.parametrize("where", IGNORE_FILES)
@pytest.mark.parametrize("make", list(ENDLESS.values()), ids=list(ENDLESS))
def test_an_ignore_file_that_never_ends_is_skipped_and_said(
    root: Path, where: str, make: Callable[[Path], None]
) -> None:
    make(root / where)
    result = surface(root, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["totals"]["files"] == 1
    [skipped] = document["skipped"]
    assert skipped["path"] == str(root / where)
    assert skipped["error"].startswith(("NotARegularFile: ", "FileTooLarge: "))
    assert document["findings"]["skipped"] == 1
    gated = surface(root, "--fail-on", "skipped")
    assert gated.returncode == 1
    assert f"  {where}: " in gated.stdout
    assert "FAILED (--fail-on): skipped" in gated.stdout


@pytest.mark.parametrize("make", list(ENDLESS.values()), ids=list(ENDLESS))
def test_a_pyproject_that_never_ends_is_a_config_error(
    root: Path, make: Callable[[Path], None]
) -> None:
    make(root / "pyproject.toml")
    result = surface(root)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"modspec: {root / 'pyproject.toml'}: ")
    assert "NotARegularFile" in line or "FileTooLarge" in line


def test_a_source_file_past_the_limit_is_reported_unparsable(root: Path) -> None:
    (root / "big.py").write_bytes(b"import os\n" + b"#" * SOURCE_LIMIT)
    (root / "pagemap.py").symlink_to("/proc/self/pagemap")  # stat says regular, size 0
    result = surface(root, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    errors = {os.path.basename(row["file"]): row["error"] for row in document["unparsable"]}
    assert set(errors) == {"big.py", "pagemap.py"}
    assert errors["big.py"].startswith("FileTooLarge: ")
    assert errors["pagemap.py"].startswith("FileTooLarge: ")
    assert document["totals"]["files"] == 3
    assert surface(root, "--fail-on", "unparsable").returncode == 1


def test_a_directory_past_path_max_is_skipped_and_said(root: Path) -> None:
    # Built one level at a time through descriptors: no path given to the kernel is too long.
    fd = os.open(root / "sub", os.O_RDONLY | os.O_DIRECTORY)
    name = "d" * 200
    try:
        for _ in range(25):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    result = surface(root, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    [skipped] = document["skipped"]
    assert len(skipped["path"]) > 4096
    assert skipped["path"].startswith(str(root / "sub" / name))
    assert skipped["error"] == "OSError: File name too long"
    assert surface(root, "--fail-on", "skipped").returncode == 1


@pytest.fixture
def shared_root() -> Iterator[Path]:
    """A tree another user can walk (pytest's tmp_path is the owner's only)."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        root.chmod(0o755)
        (root / "locked").mkdir()
        (root / "locked" / "hidden.py").write_text("import json\n")
        (root / "open.py").write_text("import json\n")
        (root / "locked").chmod(0)
        try:
            yield root
        finally:
            (root / "locked").chmod(0o755)


def _as_nobody(argv: list[str]) -> tuple[int, str]:
    """(status, stdout) of ``modspec ARGV`` run by nobody: a forked child of this process,
    whose interpreter (under root's 0700 home) nobody could not start afresh."""
    main(argv)  # everything the run imports is imported now, while it can still be read
    # A file, not a pipe: the deadline below holds even if the child never writes or ends.
    with tempfile.TemporaryFile("w+") as out:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its status and the file
            status = 2
            try:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                with contextlib.redirect_stdout(out):
                    status = main(argv)
                out.flush()
            finally:
                os._exit(status)
        deadline = time.monotonic() + 60
        while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail("the walk did not end")
            time.sleep(0.05)
        out.seek(0)
        output = out.read()
    return os.waitstatus_to_exitcode(waited[1]), output


def _surface_as_nobody(root: Path, *args: str) -> tuple[int, str]:
    argv = ["surface", str(root), "--path", str(root), *args]
    if os.geteuid() == 0:
        return _as_nobody(argv)
    result = surface(root, *args)
    return result.returncode, result.stdout


def test_an_unreadable_directory_is_skipped_and_said(shared_root: Path) -> None:
    # Root reads every directory, so the walk runs as nobody there: the lock holds.
    status, output = _surface_as_nobody(shared_root, "--json")
    assert status == 0
    document = json.loads(output)
    assert document["totals"]["files"] == 1
    assert document["skipped"] == [
        {"path": str(shared_root / "locked"), "error": "PermissionError: Permission denied"}
    ]
    status, output = _surface_as_nobody(shared_root, "--fail-on", "skipped")
    assert status == 1
    assert "  locked: PermissionError: Permission denied" in output


@pytest.mark.parametrize(
    ("written", "length", "parts"),
    [
        ("a" * 1001, 1001, 1),
        (".".join(["a"] * 201), 401, 201),
        ("pkg." + "b" * 100_000, 100_004, 2),
    ],
    ids=["characters", "parts", "huge"],
)
def test_a_name_too_long_is_a_finding_not_resolved(
    root: Path, backend: str, written: str, length: int, parts: int
) -> None:
    (root / "long.py").write_text(f"import {written}\n")
    env = {**os.environ, "MODSPEC_PURE": str(int(backend == "python"))}
    argv = [sys.executable, "-m", "modspec", "surface", str(root), "--path", str(root)]
    result = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["long_names"] == [
        {
            "name": written[:100] + "...",
            "length": length,
            "parts": parts,
            "file": str(root / "long.py"),
            "line": 1,
        }
    ]
    assert document["findings"]["name-too-long"] == 1
    # Never handed to the resolver: the one unresolved import is sub/mod.py's json.
    assert [u["name"] for u in document["unresolved"]] == ["json"]
    gated = subprocess.run(
        [*argv, "--fail-on", "name-too-long"], capture_output=True, text=True, timeout=60, env=env
    )
    assert gated.returncode == 1
    assert f"  long.py:1: {written[:100]}... ({length:,} characters, {parts:,} parts)" in (
        gated.stdout
    )


def test_a_name_at_the_limits_is_resolved(root: Path) -> None:
    name = ".".join(["a"] * 200)[:1000]
    (root / "long.py").write_text(f"import {name}\n")
    document = json.loads(surface(root, "--json").stdout)
    assert document["long_names"] == []
    assert [u["name"] for u in document["unresolved"]] == [name, "json"]
