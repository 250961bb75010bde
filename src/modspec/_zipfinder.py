"""ZipFinder: zipimport.zipimporter as a path hook, answered from the archive's directory.

A zip archive on the path (``/x/lib.zip``, or a directory inside one, ``/x/lib.zip/sub``) is
searched as CPython's zipimporter searches it: ``__init__.pyc``, ``__init__.py``, ``.pyc``,
``.py``; never extension modules, ``.pyw`` or ``__pycache__``. Nothing is imported, compiled
or unmarshalled: the central directory is read with the interpreter's own reader, and of the
members only a pyc's 16-byte header (and, for a hash-checked pyc, the source beside it).

The origin's stat stays -1: a member of an archive is not a file on disk. So does the cached
file's, but for one case: under ``-X pycache_prefix`` a source's cached path leads out of the
archive, to a file that may exist (CPython never writes or reads it for a zip import, but the
spec names it, so its stat is given as for any spec).

Where CPython's ``find_spec`` raises instead of answering, modspec answers as if zipimport
had met the ImportError it handles at that step; the cases are:

* a path entry whose directory zipimport cannot parse with an error other than ZipImportError
  (EOFError on a cut central directory, undecodable UTF-8 names): every lookup reaching that
  entry raises; modspec treats the entry as "not a zip" and goes on along the path;
* a member whose data cannot be read or decompressed: CPython raises from ``get_filename``;
  modspec answers origin ``'<unknown>'``, as for the ZipImportError of a bad local header;
* a pyc whose magic is right but whose header is cut short (EOFError): modspec skips it like
  a pyc with a bad magic number;
* a ``.py`` that does not compile, and a pyc whose body is not a marshalled code object: CPython
  raises from ``find_spec`` (it compiles the source and unmarshals the pyc to decide); modspec
  never compiles or unmarshals, so it answers with that file as the origin;
* 3.13 reading Zip64 extra fields imports ``struct``, through the import system: with the
  archive itself ahead of the standard library on sys.path, that recurses (RecursionError);
  modspec reads the directory with its own process's ``struct``.

And one difference of state rather than of error: zipimport imports zlib when it first inflates
a member, through sys.path; where zlib cannot be found there (and is not imported yet), every
compressed member gives origin ``'<unknown>'``. modspec inflates with its own process's zlib.
"""

from __future__ import annotations

import io
import os
import stat
import time
import zipimport

from ._cachefile import get_cached
from ._paths import SOURCE_LIMIT, path_join, path_stat, regular_stat
from ._pep552 import (
    FLAG_HASH_BASED,
    HEADER_SIZE,
    classify_pyc,
    hash_checked,
    source_hash,
    unpack_uint32,
)
from ._rawspec import file_spec, unlocated_spec
from ._spec import Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

    from ._config import CoreConfig
    from ._rawspec import RawSpec

__all__ = ["ZipDirectories", "ZipFinder", "zip_finder"]

# A zipimport toc entry: (path, compress, data_size, file_size, file_offset, time, date, crc).
TocEntry = tuple[str, int, int, int, int, int, int, int]

_UNKNOWN = "<unknown>"
_LOCAL_HEADER_SIZE = 30
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_CHUNK = 1 << 16

# Mirrors zipimport._zip_searchorder (3.10–3.13): (suffix, isbytecode, ispackage).
_ZIP_SEARCHORDER = (
    ("/__init__.pyc", True, True),
    ("/__init__.py", False, True),
    (".pyc", True, False),
    (".py", False, False),
)


class _Unreadable(Exception):
    """A member zipimport._get_data could not return (ZipImportError, or worse)."""


# What zipimport._read_directory raises for a damaged archive besides ZipImportError, read off
# its source and seen by fuzzing archives on 3.10.13, 3.11.7, 3.12.1 and 3.13.0:
# - EOFError: the central directory ends early;
# - UnicodeDecodeError: a name flagged UTF-8 (0x800) that is not;
# - IndexError: 3.13, a Zip64 extra field holding fewer values than the fields it stands for
#   ("pop from empty list");
# - OSError: the central directory's own reads (fp.read(46)) are not wrapped in ZipImportError,
#   so an I/O error there escapes as it is.
# Anything else (MemoryError, a bug) propagates.
_DAMAGED = (EOFError, UnicodeDecodeError, IndexError, OSError)


def _read_directory(archive: str) -> dict[str, TocEntry]:
    # The running interpreter's own central-directory reader, so each version parses archives
    # exactly as its import system does (Zip64 from 3.13 on). It only reads: the caller fills
    # zipimport._zip_directory_cache (we don't), and it imports nothing but struct, on 3.13,
    # for Zip64 extra fields.
    # typeshed has no stubs for zipimport's private functions.
    files: dict[str, TocEntry] = zipimport._read_directory(archive)  # type: ignore[attr-defined]
    return files


def _unpack_uint16(data: bytes) -> int:
    return int.from_bytes(data[:2], "little")


def _get_data(archive: str, toc_entry: TocEntry, limit: int, *, whole: bool = False) -> bytes:
    """The first ``limit`` bytes of a member; with ``whole``, all of it, where it is no longer
    than ``limit``. _Unreadable where CPython's reader raises, and past the bound."""
    # Mirrors zipimport._get_data (3.10–3.13), which reads and inflates the whole member: the
    # local header is checked alike, but never more than asked for is read, or allocated, from
    # sizes the archive claims.
    _datapath, compress, data_size, _file_size, file_offset, _time, _date, _crc = toc_entry
    if data_size < 0:
        raise _Unreadable("negative data size")
    try:
        with io.open_code(archive) as fp:
            fp.seek(file_offset)
            buffer = fp.read(_LOCAL_HEADER_SIZE)
            if len(buffer) != _LOCAL_HEADER_SIZE or buffer[:4] != _LOCAL_HEADER_SIGNATURE:
                raise _Unreadable("bad local file header")
            name_size = _unpack_uint16(buffer[26:28])
            extra_size = _unpack_uint16(buffer[28:30])
            data_offset = file_offset + _LOCAL_HEADER_SIZE + name_size + extra_size
            fp.seek(data_offset)
            # zipimport reads data_size bytes, then checks it got them all: the file's size
            # tells as much without the read (or an allocation of a size the archive claims).
            if data_offset + data_size > os.fstat(fp.fileno()).st_size:
                raise _Unreadable("zipimport: can't read data")
            if compress == 0:
                if whole and data_size > limit:
                    raise _Unreadable(f"more than the {limit:,} bytes read")
                return fp.read(min(limit, data_size))
            return _inflate(fp, data_size, limit, whole)
    except (OSError, ValueError) as exc:
        raise _Unreadable(str(exc)) from exc


def _zlib() -> Any:
    # zipimport inflates every compressed member as raw deflate, whatever its method says,
    # and cannot read one at all without zlib.
    try:
        import zlib
    except ImportError as exc:
        raise _Unreadable("can't decompress data; zlib not available") from exc
    return zlib


def _inflate(fp: IO[bytes], data_size: int, limit: int, whole: bool) -> bytes:
    # Piece by piece, each inflated to what is still wanted (max_length): a member that inflates
    # to gigabytes costs the bound, never its size. With whole, one byte past the bound tells
    # that the member is larger.
    zlib = _zlib()
    inflater = zlib.decompressobj(-15)
    wanted = limit + 1 if whole else limit
    pieces: list[bytes] = []
    size = 0
    remaining = data_size
    try:
        while size < wanted and remaining > 0 and not inflater.eof:
            chunk = fp.read(min(remaining, _CHUNK))
            if not chunk:
                break
            remaining -= len(chunk)
            while chunk and size < wanted and not inflater.eof:
                piece = inflater.decompress(chunk, wanted - size)
                pieces.append(piece)
                size += len(piece)
                chunk = inflater.unconsumed_tail
    except zlib.error as exc:
        raise _Unreadable(str(exc)) from exc
    if whole and size > limit:
        raise _Unreadable(f"inflates to more than the {limit:,} bytes read")
    if whole and not inflater.eof:
        # zlib.decompress, zipimport's inflater, refuses a stream that does not end.
        raise _Unreadable("incomplete or truncated stream")
    return b"".join(pieces)


def _parse_dostime(d: int, t: int) -> float:
    # Mirrors zipimport._parse_dostime: the archive's local time, as time.mktime reads it.
    return time.mktime(
        (
            (d >> 9) + 1980,  # bits 9..15: year
            (d >> 5) & 0xF,  # bits 5..8: month
            d & 0x1F,  # bits 0..4: day
            t >> 11,  # bits 11..15: hours
            (t >> 5) & 0x3F,  # bits 8..10: minutes
            (t & 0x1F) * 2,  # bits 0..7: seconds / 2
            -1,
            -1,
            -1,
        )
    )


class ZipFinder:
    """One zip path entry: an archive and a directory prefix inside it."""

    __slots__ = ("archive", "config", "files", "prefix")

    def __init__(
        self, archive: str, prefix: str, files: dict[str, TocEntry], config: CoreConfig
    ) -> None:
        self.archive = archive
        self.prefix = prefix
        self.files = files
        self.config = config

    def __repr__(self) -> str:
        return f"<ZipFinder {self.archive}/{self.prefix}>"

    def find_spec(self, tail_module: str) -> RawSpec | None:
        # Mirrors zipimport.zipimporter.find_spec (3.10–3.13).
        path = self.prefix + tail_module  # _get_module_path
        is_package = self._get_module_info(path)
        if is_package is None:
            # Not a module or regular package: a directory entry ("name/") in the archive is a
            # possible namespace portion.
            if path + "/" in self.files:
                portion = f"{self.archive}/{path}"
                return unlocated_spec(Kind.NAMESPACE, None, (portion,))
            return None
        # spec_from_loader -> spec_from_file_location(name, loader=zipimporter, ...): the origin
        # is get_filename's answer, a package's search location the origin's directory.
        origin = self._get_filename(path)
        search = (origin.rpartition("/")[0],) if is_package else None
        cached = get_cached(origin, self.config)
        # Only a pycache_prefix takes the cached path out of the archive, where it may exist.
        outside = cached is not None and cached != origin and self.config.pycache_prefix is not None
        cached_st = regular_stat(cached) if outside and cached is not None else None
        return file_spec(Kind.ZIP, origin, search, cached, None, cached_st)

    def _get_module_info(self, path: str) -> bool | None:
        # Mirrors zipimport._get_module_info: the first name present decides if it is a package.
        for suffix, _isbytecode, ispackage in _ZIP_SEARCHORDER:
            if path + suffix in self.files:
                return ispackage
        return None

    def _get_filename(self, path: str) -> str:
        # Mirrors zipimport._get_module_code as get_filename calls it: the first member in
        # search order whose code is good. Where none is, get_filename raises ZipImportError and
        # spec_from_file_location keeps its placeholder origin.
        for suffix, isbytecode, _ispackage in _ZIP_SEARCHORDER:
            fullpath = path + suffix
            toc_entry = self.files.get(fullpath)
            if toc_entry is None:
                continue
            try:
                # CPython reads a .py whole to compile it; its local header is all we check.
                data = _get_data(self.archive, toc_entry, HEADER_SIZE if isbytecode else 0)
            except _Unreadable:
                return _UNKNOWN  # raised outside _get_module_code's try: the search stops
            if not isbytecode or self._pyc_is_good(fullpath, data):
                return toc_entry[0]
        return _UNKNOWN

    def _pyc_is_good(self, fullpath: str, data: bytes) -> bool:
        # Mirrors zipimport._unmarshal_code up to the unmarshalling, which modspec leaves out.
        flags = classify_pyc(data)
        if flags is None:
            return False
        source_entry = self.files.get(fullpath[:-1])  # strip the 'c' of .pyc
        if flags & FLAG_HASH_BASED:
            if not hash_checked(flags) or source_entry is None:
                return True
            try:
                source = _get_data(self.archive, source_entry, SOURCE_LIMIT, whole=True)
            except _Unreadable:
                # Inside _get_module_code's try: the next member is tried. A source past the
                # bound is taken alike, unhashed (README: a limitation, as for a source file).
                return False
            return data[8:16] == source_hash(source)
        # Timestamp pyc: zipimport's lenient check (DOS times have a 2-second step), not
        # _validate_timestamp_pyc; against the .py beside it in the archive, if any.
        if source_entry is None:
            return True
        try:
            source_mtime = _parse_dostime(source_entry[6], source_entry[5])
        except (OverflowError, ValueError):
            return False
        if not source_mtime:
            return True
        return (
            abs(unpack_uint32(data[8:12]) - source_mtime) <= 1
            and unpack_uint32(data[12:16]) == source_entry[3]
        )


# An archive's identity on disk: a rewritten or replaced archive is read again.
_Identity = tuple[int, int, int, int]


class ZipDirectories:
    """The central directories of the archives on a Resolver's path, each read once and shared
    by all its finders (one per package found in the archive), while the archive's size,
    mtime and inode stay the same, until ``clear()``. zipimport shares its directories alike,
    in zipimport._zip_directory_cache."""

    __slots__ = ("_read",)

    def __init__(self) -> None:
        # archive path -> (its identity when read, its directory or None where declined)
        self._read: dict[str, tuple[_Identity, dict[str, TocEntry] | None]] = {}

    def __call__(self, entry: str, config: CoreConfig) -> ZipFinder | None:
        """The path hook for a Resolver's core: ``zip_finder`` over these directories."""
        return zip_finder(entry, config, self)

    def clear(self) -> None:
        """Forget every directory (Resolver.invalidate_caches)."""
        self._read.clear()

    def archives(self) -> list[str]:
        """The archives whose directories were read."""
        return list(self._read)

    def files(self, archive: str, st: os.stat_result) -> dict[str, TocEntry] | None:
        """The directory of ``archive`` (stat'ed as ``st``), or None where zipimport declines."""
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        known = self._read.get(archive)
        if known is not None and known[0] == identity:
            return known[1]
        files = _archive_files(archive)
        self._read[archive] = (identity, files)
        return files


def _archive_files(archive: str) -> dict[str, TocEntry] | None:
    try:
        return _read_directory(archive)
    except ImportError:
        return None  # ZipImportError: the hook declines and FileFinder's is asked
    except _DAMAGED:
        # CPython lets these escape the path hook, so every lookup reaching the entry raises;
        # a static answer treats a damaged archive as no archive (see the module docstring).
        return None


def zip_finder(
    entry: str, config: CoreConfig, directories: ZipDirectories | None = None
) -> ZipFinder | None:
    """The finder zipimporter's path hook gives ``entry``, or None where it declines; its
    archive's directory from ``directories``, or read now."""
    # Mirrors zipimport.zipimporter.__init__ (3.10–3.13, POSIX): back up the path one element
    # at a time to the first that exists; it must be a regular file and a zip archive, and what
    # was backed over is the prefix inside it.
    if not entry:
        return None
    path = entry
    prefix: list[str] = []
    while True:
        st = path_stat(path)
        if st is not None:
            if not stat.S_ISREG(st.st_mode):
                return None
            break
        dirname, _, basename = path.rpartition("/")  # _path_split
        if dirname == path:
            return None
        path = dirname
        prefix.append(basename)
    files = (directories or ZipDirectories()).files(path, st)
    if files is None:
        return None
    inner = path_join(*prefix[::-1])
    return ZipFinder(path, inner + "/" if inner else "", files, config)
