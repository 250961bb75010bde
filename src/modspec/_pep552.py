"""PEP 552: the 16-byte header of a .pyc, its flags, and how the import system judges it."""

from __future__ import annotations

import _imp
import os
import stat

# The frozen bootstrap's own constant (importlib.util re-exports it, at the cost of contextlib).
from importlib._bootstrap_external import MAGIC_NUMBER

__all__ = [
    "FLAG_CHECK_SOURCE",
    "FLAG_HASH_BASED",
    "HEADER_SIZE",
    "MAGIC_NUMBER",
    "classify_pyc",
    "hash_checked",
    "read_pyc_headers",
    "source_hash",
    "unpack_uint32",
]

# Magic (4 bytes), flags (4), then the source's mtime and size (4 + 4) or its hash (8).
HEADER_SIZE = 16
FLAG_HASH_BASED = 0b01
FLAG_CHECK_SOURCE = 0b10
_DEFINED_FLAGS = FLAG_HASH_BASED | FLAG_CHECK_SOURCE
# Mirrors importlib._bootstrap_external._RAW_MAGIC_NUMBER: the key of the source hash.
_RAW_MAGIC_NUMBER = int.from_bytes(MAGIC_NUMBER, "little")


def unpack_uint32(data: bytes) -> int:
    # Mirrors importlib._bootstrap_external._unpack_uint32.
    return int.from_bytes(data, "little")


def classify_pyc(header: bytes) -> int | None:
    """The header's flags, or None where _classify_pyc raises (ImportError, EOFError)."""
    # Mirrors importlib._bootstrap_external._classify_pyc: magic first, then length, then flags.
    if header[:4] != MAGIC_NUMBER:
        return None
    if len(header) < HEADER_SIZE:
        return None
    flags = unpack_uint32(header[4:8])
    if flags & ~_DEFINED_FLAGS:
        return None
    return flags


def hash_checked(flags: int) -> bool:
    """Whether a hash-based pyc with these flags is checked against its source's hash now."""
    # Mirrors SourceLoader.get_code and zipimport._unmarshal_code (3.10–3.13): its own
    # check_source flag, overridden by --check-hash-based-pycs, read at each call as they do.
    mode = _imp.check_hash_based_pycs
    if mode == "never":
        return False
    return mode == "always" or flags & FLAG_CHECK_SOURCE != 0


def source_hash(source: bytes) -> bytes:
    """The hash a hash-based pyc of ``source`` holds in its header's last 8 bytes."""
    return _imp.source_hash(_RAW_MAGIC_NUMBER, source)


def read_pyc_headers(paths: list[str]) -> list[bytes | None]:
    """The first 16 bytes of each file (fewer for a short file), or None where the file is
    missing, unreadable or not a regular file (the pure twin of the Cython core's reader)."""
    headers: list[bytes | None] = []
    for path in paths:
        if not isinstance(path, str):
            raise TypeError(f"paths must be str, not {type(path).__name__}")
        try:
            # O_NONBLOCK: a FIFO at a cache path must not hang the caller.
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except (OSError, ValueError):
            headers.append(None)
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                headers.append(None)
                continue
            header = b""
            while len(header) < HEADER_SIZE:
                chunk = os.read(fd, HEADER_SIZE - len(header))
                if not chunk:
                    break  # EOF: a short file, which the caller judges
                header += chunk
        except OSError:
            headers.append(None)
        else:
            headers.append(header)
        finally:
            os.close(fd)
    return headers
