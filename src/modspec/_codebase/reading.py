"""Bounded reads of the scanned tree's files: each reader's limit, and its errors in one line."""

from __future__ import annotations

__all__ = ["CONFIG_LIMIT", "IGNORE_FILE_LIMIT", "SOURCE_LIMIT", "reason"]

# A pyproject.toml or an ignore file past 1 MiB is no hand-written file: /dev/zero, /proc, junk.
CONFIG_LIMIT = 1 << 20
IGNORE_FILE_LIMIT = 1 << 20
# The largest generated modules seen in the wild are a few MiB; past 10 the file is reported.
SOURCE_LIMIT = 10 << 20


def reason(exc: OSError, path: str) -> str:
    """Why ``path`` could not be read, without repeating the path: ``PermissionError:
    Permission denied``, ``NotARegularFile: not a regular file``."""
    said = exc.strerror or str(exc).removeprefix(f"{path}: ")
    return f"{type(exc).__name__}: {said}"
