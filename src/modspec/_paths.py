"""CPython's path helpers, mirrored for POSIX: joins, absolute paths, stats by file type."""

from __future__ import annotations

import os
import stat

__all__ = [
    "SOURCE_LIMIT",
    "FileTooLarge",
    "InspectedFileError",
    "NotARegularFile",
    "finder_path",
    "is_directory",
    "is_regular",
    "path_isabs",
    "path_join",
    "path_stat",
    "read_regular",
    "regular_stat",
]


def path_join(*parts: str) -> str:
    # Mirrors importlib._bootstrap_external._path_join (POSIX).
    return "/".join([part.rstrip("/") for part in parts if part])


def path_isabs(path: str) -> bool:
    # Mirrors importlib._bootstrap_external._path_isabs (POSIX).
    return path.startswith("/")


def path_stat(path: str) -> os.stat_result | None:
    """``os.stat`` following symlinks, as importlib._bootstrap_external._path_stat does; None
    where CPython's would raise (OSError, or ValueError for a NUL or an unencodable path)."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def regular_stat(path: str) -> os.stat_result | None:
    """``path``'s stat where it is a regular file (symlinks followed), else None."""
    # Mirrors importlib._bootstrap_external._path_isfile, keeping the stat for the caller.
    st = path_stat(path)
    return st if st is not None and stat.S_ISREG(st.st_mode) else None


def is_regular(path: str) -> bool:
    """Whether ``path`` is a regular file (symlinks followed): never a FIFO, device or socket."""
    return regular_stat(path) is not None


def is_directory(path: str) -> bool:
    """Whether ``path`` is a directory (symlinks followed)."""
    # Mirrors importlib._bootstrap_external._path_isdir.
    st = path_stat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def finder_path(entry: str, minor_version: int) -> str:
    """The absolute directory a FileFinder built for ``entry`` searches."""
    # Mirrors importlib._bootstrap_external.FileFinder.__init__, which changed in 3.11 and 3.12.
    if minor_version <= 10:
        path = entry or "."
        return path if path_isabs(path) else path_join(os.getcwd(), path)
    if not entry or entry == ".":
        return os.getcwd()
    if path_isabs(entry):
        return entry
    if minor_version >= 12:
        entry = entry.removeprefix("./")
    return path_join(os.getcwd(), entry)


class InspectedFileError(OSError):
    """A file of the inspected tree that modspec will not read (an OSError, so that callers
    that take unreadable files in their stride take these too)."""


class NotARegularFile(InspectedFileError):
    """Not a regular file: a FIFO, a device, a socket or a directory (symlinks followed)."""


class FileTooLarge(InspectedFileError):
    """Larger than the bound its reader sets."""


# The largest source modspec reads (for __doc__, or to hash it for a checked .pyc): far above
# any source written by hand or by the usual generators, far below what exhausts memory.
SOURCE_LIMIT = 64 << 20

# Read in pieces: a file that stat calls regular may still stream without end (/proc).
_CHUNK = 1 << 16


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Never blocks on a FIFO (the open is non-blocking, and anything but a regular file is
    refused before a byte is read), never takes a terminal, and never reads more than
    ``limit`` bytes and one piece more, whatever stat says of the size. Raises NotARegularFile,
    FileTooLarge, or the OSError (ValueError for a NUL in the path) of the open or the read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"{path}: not a regular file")
        if st.st_size > limit:
            raise FileTooLarge(f"{path}: {st.st_size:,} bytes, more than the {limit:,} read")
        pieces: list[bytes] = []
        size = 0
        # The size stat gives in one read (a join of one piece copies nothing), then pieces
        # while the file grows. Whole pieces: some files refuse reads of odd sizes
        # (/proc/self/pagemap: EINVAL).
        want = (st.st_size // _CHUNK + 1) * _CHUNK
        while size <= limit:
            piece = os.read(fd, want)
            want = _CHUNK
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        if size > limit:
            raise FileTooLarge(f"{path}: more than the {limit:,} bytes read")
        return b"".join(pieces)
    finally:
        os.close(fd)
