"""The cache directory, and its files: written beside their place and moved in whole, so
that a concurrent run sees the old file or the new one, never a torn one."""

from __future__ import annotations

import contextlib
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

__all__ = [
    "CACHE_DIR_VARIABLE",
    "DIGEST_SIZE",
    "RACY_NS",
    "blake2b",
    "cache_directory",
    "discard",
    "open_beside",
    "put_in_place",
]

CACHE_DIR_VARIABLE = "MODSPEC_CACHE_DIR"
# An input whose mtime lies this close to the run is not trusted: its next write may land in
# the same tick of a coarse clock (FAT: 2 s) and keep its size and mtime.
RACY_NS = 3_000_000_000
DIGEST_SIZE = 16  # of the blake2b digests that check the stores and entries

# blake2b from its own module: hashlib's import loads OpenSSL's (_hashlib), a tenth of a
# small code base's whole graph, for a hash it does not need there.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a CPython built without it
    from hashlib import blake2b


def cache_directory() -> str | None:
    """Where modspec keeps its cache: $MODSPEC_CACHE_DIR, else the platform's user cache
    directory (``$XDG_CACHE_HOME/modspec``, ``~/.cache/modspec``; ``~/Library/Caches/modspec``
    on macOS; ``%LOCALAPPDATA%\\modspec\\Cache`` on Windows); None where there is no home."""
    given = os.environ.get(CACHE_DIR_VARIABLE)
    if given:
        return os.path.abspath(given)
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return os.path.join(local, "modspec", "Cache") if local else None
    home = os.path.expanduser("~")
    if home == "~" or not os.path.isabs(home):
        return None
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "modspec")
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # XDG: a relative value is invalid and must be ignored.
    base = xdg if os.path.isabs(xdg) else os.path.join(home, ".cache")
    return os.path.join(base, "modspec")


def open_beside(path: str) -> tuple[BinaryIO, str] | None:
    """A new temporary file in ``path``'s directory (made if missing), open for writing, and
    its name; None where the directory cannot be written (a cache that cannot be kept is no
    error)."""
    import tempfile  # only when something is written: with shutil and random, no small import

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    except OSError:
        return None
    return open(fd, "wb"), temporary


def put_in_place(file: BinaryIO, temporary: str, path: str) -> None:
    """Closes ``file`` (made by ``open_beside`` as ``temporary``) and moves it to ``path``;
    where that fails, removes it."""
    try:
        file.close()
        os.replace(temporary, path)
    except OSError:
        discard(file, temporary)


def discard(file: BinaryIO, temporary: str) -> None:
    """Closes and removes a temporary file of ``open_beside`` that is not to be kept."""
    with contextlib.suppress(OSError):
        file.close()
    with contextlib.suppress(OSError):
        os.unlink(temporary)
