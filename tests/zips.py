"""Zip archives for the tests: members, timestamp and hash-based pycs, fixed DOS times."""

from __future__ import annotations

import _imp
import importlib.util
import marshal
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

MAGIC = importlib.util.MAGIC_NUMBER
BAD_MAGIC = b"\x00\x00\r\n"
CACHE_TAG = sys.implementation.cache_tag
# Every member gets this DOS time (even seconds: DOS times have a 2-second step); a pyc is fresh
# for zipimport when its recorded mtime is within a second of it, read as local time.
DATE_TIME = (2021, 3, 4, 5, 6, 8)
SOURCE_MTIME = int(time.mktime((*DATE_TIME, -1, -1, -1)))
SRC = "X = 1\n"
OTHER_SRC = "X = 2\n"


def code_bytes(source: str) -> bytes:
    return marshal.dumps(compile(source, "<zip member>", "exec"))


def timestamp_pyc(
    source: str,
    *,
    mtime: int = SOURCE_MTIME,
    size: int | None = None,
    magic: bytes = MAGIC,
    flags: int = 0,
) -> bytes:
    """A PEP 3147 pyc header (magic, flags, mtime, source size) and the compiled source."""
    size = len(source.encode()) if size is None else size
    header = magic + flags.to_bytes(4, "little") + mtime.to_bytes(4, "little")
    return header + size.to_bytes(4, "little") + code_bytes(source)


def hash_pyc(source: str, *, checked: bool, hashed: str | None = None) -> bytes:
    """A PEP 552 hash-based pyc of ``source``, carrying the hash of ``hashed`` (default: itself)."""
    key = int.from_bytes(MAGIC, "little")
    source_hash = _imp.source_hash(key, (source if hashed is None else hashed).encode())
    flags = 0b11 if checked else 0b01
    return MAGIC + flags.to_bytes(4, "little") + source_hash + code_bytes(source)


def make_zip(
    path: Path,
    members: dict[str, str | bytes | None],
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """A zip of {name: data}; a name ending in "/" (data None) is an explicit directory entry,
    which zipimport needs to see a namespace portion."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=DATE_TIME)
            info.compress_type = compression
            archive.writestr(info, b"" if data is None else data)
    return path


def zlib_entries() -> list[str]:
    """The directory of this interpreter's zlib, as a path entry. zipimport imports zlib through
    the import system when it first inflates a member, and the oracle's sys.path is just the
    test's path: without this, every compressed member is unreadable there (see
    test_compressed_members_without_zlib)."""
    import zlib

    where = getattr(zlib, "__file__", None)
    return [] if where is None else [str(Path(where).parent)]


def with_stdlib(path: list[str]) -> list[str]:
    """``path`` and the standard library after it: both_in_subprocess imports modspec in the
    subprocess with the path under test as sys.path, and modspec needs the standard library."""
    return [*path, sysconfig.get_path("stdlib"), *zlib_entries()]
