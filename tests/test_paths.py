"""The kernel's path helpers: stats by file type, and the one bounded reader of inspected files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from modspec._paths import (
    FileTooLarge,
    NotARegularFile,
    is_directory,
    is_regular,
    read_regular,
    regular_stat,
)


def test_file_types(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "link").symlink_to("f")
    assert is_regular(str(tmp_path / "f"))
    assert is_regular(str(tmp_path / "link"))
    assert not is_regular(str(tmp_path / "fifo"))
    assert not is_regular(str(tmp_path / "loop"))
    assert is_directory(str(tmp_path))
    assert not is_directory(str(tmp_path / "f"))
    assert regular_stat(str(tmp_path / "missing")) is None
    assert regular_stat("a\0b") is None  # CPython's stat raises ValueError: no such file


def test_reads_a_regular_file_whole(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 100_000)
    assert read_regular(str(tmp_path / "f"), 100_000) == b"x" * 100_000


def test_refuses_a_file_past_the_bound(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge, match="101 bytes, more than the 100 read"):
        read_regular(str(tmp_path / "f"), 100)


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to("fifo")  # as a repository may commit it
    result: list[BaseException] = []

    def read() -> None:
        try:
            read_regular(str(tmp_path / "link"), 1000)
        except BaseException as exc:
            result.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert isinstance(result[0], NotARegularFile)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused(tmp_path: Path, device: str) -> None:
    (tmp_path / "link").symlink_to(device)
    with pytest.raises(NotARegularFile):
        read_regular(str(tmp_path / "link"), 1000)


def test_a_streaming_file_stat_calls_empty_is_cut_at_the_bound() -> None:
    # /proc files stat as regular and empty, yet read on: the bound holds all the same.
    with pytest.raises(FileTooLarge):
        read_regular("/proc/self/pagemap", 1 << 16)


def test_errors_are_oserrors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular(str(tmp_path / "missing"), 10)
    with pytest.raises(NotARegularFile):
        read_regular(str(tmp_path), 10)
    assert issubclass(NotARegularFile, OSError)
    assert issubclass(FileTooLarge, OSError)
