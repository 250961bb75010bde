"""Every command that may take more than a second draws its progress line on a terminal, and
never in a pipe: each run through a subprocess whose stderr is a pty, then a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")  # POSIX only


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("progress")
    for index in range(30):
        module = root / "app" / f"m{index}.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(f"import json\nfrom app import m{(index + 1) % 30}\n", encoding="utf-8")
    (root / "app" / "__init__.py").write_text("from app import m0\n", encoding="utf-8")
    return root


def _commands(root: Path) -> dict[str, list[str]]:
    path = ["--path", str(root)]
    return {
        "surface": ["surface", str(root), *path],
        "graph": ["graph", str(root), *path],
        "closure": ["closure", "app", *path],
        "why": ["why", "app", "app.m7", *path],
        "scan": ["scan", *path],
    }


# The line shows at once (not after a second), so that a fast run draws it too.
_ENV = {**os.environ, "MODSPEC_PROGRESS_AFTER": "0"}


def _on_a_terminal(argv: list[str]) -> tuple[int, bytes, bytes]:
    """(status, stdout, what reached the terminal) of modspec with a pty for stderr."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.Popen(
            [sys.executable, "-m", "modspec", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            env=_ENV,
        )
    finally:
        os.close(follower)
    seen = bytearray()
    while True:
        try:
            piece = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not piece:
            break
        seen += piece
    os.close(leader)
    out, _ = done.communicate(timeout=120)
    return done.returncode, out, bytes(seen)


@pytest.mark.parametrize("command", ["surface", "graph", "closure", "why", "scan"])
def test_progress_shows_on_a_terminal_only(project: Path, command: str) -> None:
    argv = _commands(project)[command]
    status, out, terminal = _on_a_terminal(argv)
    assert status == 0, terminal
    assert b"\rmodspec: " in terminal
    assert b"\r\x1b[K" in terminal  # and is cleared before the report
    assert b"\r" not in out  # the report is not the terminal's
    piped = subprocess.run(
        [sys.executable, "-m", "modspec", *argv],
        capture_output=True,
        timeout=120,
        env=_ENV,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert b"\r" not in piped.stderr
    assert b"\x1b[K" not in piped.stdout
