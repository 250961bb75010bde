"""Text reports print the tree's names escaped: no terminal control, no forged lines, and no
UnicodeEncodeError for a name that is not UTF-8. Each through a subprocess, on both cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each hostile name (as bytes, as the file system holds it) and how the report must write it.
NAMES = {
    b"\xff": "\\udcff",  # not UTF-8: decoded with surrogateescape
    b"\x1b]0;pwned\x07\x1b[2J": "\\x1b]0;pwned\\x07\\x1b[2J",  # sets the title, clears
    b"x\nfindings: none\nFAILED": "x\\nfindings: none\\nFAILED",  # forges report lines
    b"over\rwrite": "over\\rwrite",  # a CR: the line is overwritten
}


def _run(backend: str, *argv: str | bytes) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "MODSPEC_PURE": str(int(backend == "python"))}
    result = subprocess.run(
        [sys.executable, "-m", "modspec", *argv],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode()
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    for name in NAMES:
        # Each imports a module that is not there, so its path is printed with the import.
        with open(os.fsencode(tmp_path) + b"/" + name + b".py", "wb") as file:
            file.write(b"import not_there_at_all\n")
    return tmp_path


def _assert_clean(text: str) -> None:
    assert not any(char in text for char in "\x1b\r\x07")
    text.encode("utf-8")  # no lone surrogate left


def test_surface_text_escapes_names(hostile: Path, backend: str) -> None:
    result = _run(backend, "surface", str(hostile), "--path", str(hostile))
    assert result.returncode == 0, result.stderr
    _assert_clean(result.stdout)
    for shown in NAMES.values():
        assert f"    {shown}.py:1\n" in result.stdout
    findings = [line for line in result.stdout.splitlines() if line.startswith("findings:")]
    assert findings == ["findings: unresolved 4"]
    assert not any(line.startswith("FAILED") for line in result.stdout.splitlines())


def test_surface_json_is_unchanged(hostile: Path, backend: str) -> None:
    result = _run(backend, "surface", str(hostile), "--path", str(hostile), "--json")
    assert result.returncode == 0, result.stderr
    files = {row["file"] for row in json.loads(result.stdout)["unresolved"]}
    expected = {os.fsdecode(os.fsencode(hostile) + b"/" + name + b".py") for name in NAMES}
    assert files == expected


@pytest.mark.parametrize("name", list(NAMES), ids=["not-utf8", "escape", "newline", "cr"])
def test_resolve_text_escapes_names(hostile: Path, backend: str, name: bytes) -> None:
    result = _run(backend, "resolve", "--path", str(hostile), name, name + b"_gone")
    assert result.returncode == 1, result.stderr  # the second name is not found
    _assert_clean(result.stdout)
    shown = NAMES[name]
    lines = result.stdout.splitlines()
    assert lines[0] == f"{shown}: source"
    assert lines[1] == f"  origin: {hostile}/{shown}.py"
    assert lines[-1].startswith(f"{shown}_gone: not found")
    assert len(lines) == 5  # name, origin, cached, bytecode; the missing one
