"""Incremental scans: each file's extracted imports kept in the user's cache directory, keyed
by the file's path and stat, so that a second scan of an unchanged tree reads no source.

One store per scanned root and backend, rewritten whole (a temporary file in the same
directory, then os.replace) only when something changed: concurrent runs never see a torn
store, and the last writer wins. A store is columns of plain values (arrays of integers, one
string table, JSON for the rare condition and choice tuples) behind a header with a blake2b
digest, so reading it runs no unpickler or unmarshaller, and every column is checked against
the others before one value is used. Anything amiss (a digest that does not match, another
version of modspec, scanner or Python, a wrong shape) discards the store; an unwritable
directory means no cache, silently.

A file is taken from the store when its size, mtime, ctime and inode are those stored; a
file modified within the last seconds is not stored (its next edit may keep the same mtime
on a coarse clock), nor is one that could not be read or parsed, which is scanned again.
"""

from __future__ import annotations

import array
import json
import os
import stat
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from itertools import accumulate, repeat

from .._backend import compiled_or_none
from .._gcpause import gc_paused
from .._paths import read_regular
from .._records import NamedTuple
from .._version import __version__
from . import extract, extract_py, extract_rules
from .cache_files import DIGEST_SIZE, RACY_NS, blake2b, discard, open_beside, put_in_place
from .extract import FileImports, Guard, ImportRef, extract_files
from .sources import SourceFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["extract_with_cache", "store_path"]

_FORMAT = 2  # 2: a file's flags byte holds FileImports.marked too
_MAGIC = b"modspec extract cache\n\0"
_HEADER = struct.Struct("<II16s")  # format, number of blobs, digest of what follows
# Blobs, in order: meta (JSON), paths, stats, inodes, counts, file flags, strings, then the
# imports' columns: line, level, module, name, flags, condition, choice; then the condition
# and choice tables (JSON).
_BLOBS = 16
_STORE_LIMIT = 1 << 31  # a store past 2 GiB is no store of ours
# Past this share of changed files the store is rebuilt, which also drops unused strings.
_REBUILD_SHARE = 0.5
_GUARDS = tuple(Guard(flags) for flags in range(128))
# A file's flags: the scanner answered (FileImports.fast), the source holds silence's mark.
_FAST, _MARKED = 1, 2
_new = tuple.__new__  # ImportRef(...) and FileImports(...) run Python code; this does not


def _identity(backend: str | None) -> tuple[str, dict[str, Any]] | None:
    """The backend's name and what decides an extraction's answers besides the file: modspec's
    version, the scanner (by its modules' stats, so an edited or rebuilt one counts) and the
    Python version, whose grammar ast parses. None where the scanner's files cannot be
    stat'ed (a process whose user may not look into the installation): then no store can be
    told current, and none is used."""
    scanner = compiled_or_none(
        backend, "_codebase.extract_c", ("extract", "FIELDS"), "import scanner"
    )
    modules = [extract, extract_py, extract_rules, sys.modules[__name__]]
    files = [str(module.__file__) for module in modules]
    if scanner is not None:
        files.append(str(scanner.__file__))
    stats = []
    for file in files:
        try:
            st = os.stat(file)
        except OSError:
            return None
        stats.append([os.path.basename(file), st.st_size, st.st_mtime_ns])
    name = "python" if scanner is None else "cython"
    python = [sys.implementation.name, *sys.version_info[:2]]
    return name, {
        "format": _FORMAT,
        "modspec": __version__,
        "backend": name,
        "python": python,
        "byteorder": sys.byteorder,
        "scanner": stats,
    }


def store_path(directory: str, backend: str, root: str) -> str:
    """The store of ``root``'s files under the cache ``directory``."""
    digest = blake2b(root.encode("utf-8", "surrogateescape"), digest_size=12)
    tag = sys.implementation.cache_tag or sys.implementation.name
    return os.path.join(directory, "extract", f"{backend}-{tag}-{digest.hexdigest()}.store")


# -- the stat key ------------------------------------------------------------------------------

_Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def _key(path: str) -> _Key | None:
    """The stat of ``path`` a stored answer must match; None for no regular file."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


# -- a store in memory -------------------------------------------------------------------------


class _Store:
    """A root's stored answers: per file its path, key, import count and flags; per
    import its columns, strings and tuples by index into shared tables."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.keys: list[_Key] = []
        self.counts = array.array("I")
        self.flags_of_files = bytearray()
        self.strings: list[str | None] = [None]  # 0: a name of None
        self.lines = array.array("I")
        self.levels = array.array("B")
        self.modules = array.array("I")
        self.names = array.array("I")
        self.flags = array.array("B")
        self.conditions: list[tuple[tuple[str, bool], ...]] = [()]
        self.condition_index = array.array("I")
        self.choices: list[tuple[tuple[int, int], ...]] = [()]
        self.choice_index = array.array("I")

    def answers(self) -> dict[str, tuple[int, _Key, int, int]]:
        """Path -> (file index, key, first import, import count)."""
        starts = accumulate(self.counts, initial=0)
        return {
            path: (index, key, start, count)
            for index, (path, key, start, count) in enumerate(
                zip(self.paths, self.keys, starts, self.counts, strict=False)
            )
        }

    def refs(self) -> list[ImportRef]:
        """Every stored import, in file order."""
        strings, conditions, choices = self.strings, self.conditions, self.choices
        fields = zip(
            self.lines,
            self.levels,
            map(strings.__getitem__, self.modules),
            map(strings.__getitem__, self.names),
            map(_GUARDS.__getitem__, self.flags),
            map(conditions.__getitem__, self.condition_index),
            map(choices.__getitem__, self.choice_index),
            strict=True,
        )
        return list(map(_new, repeat(ImportRef), fields))


class _Builder:
    """A new store: files copied from an old one (their columns sliced, in runs) or added."""

    def __init__(self, old: _Store | None) -> None:
        self.store = _Store()
        self.old = old
        if old is not None:
            # The tables are kept whole: the copied columns index into them.
            self.store.strings = list(old.strings)
            self.store.conditions = list(old.conditions)
            self.store.choices = list(old.choices)
        self._string_ids = {s: i for i, s in enumerate(self.store.strings) if i}
        self._condition_ids = {c: i for i, c in enumerate(self.store.conditions)}
        self._choice_ids = {c: i for i, c in enumerate(self.store.choices)}
        self._run: tuple[int, int] | None = None  # the old imports [start, end) to copy

    def copy(self, path: str, key: _Key, start: int, count: int, flags: int) -> None:
        """A file whose answer is the old store's imports [start, start + count)."""
        self._file(path, key, count, flags)
        if self._run is not None and self._run[1] == start:
            self._run = (self._run[0], start + count)
        else:
            self._flush()
            self._run = (start, start + count)

    def add(self, path: str, key: _Key, imports: tuple[ImportRef, ...], flags: int) -> None:
        self._flush()
        self._file(path, key, len(imports), flags)
        store = self.store
        for line, level, module, name, guard, condition, choice in imports:
            store.lines.append(line)
            store.levels.append(level)
            store.modules.append(self._string(module))
            store.names.append(0 if name is None else self._string(name))
            store.flags.append(guard)
            store.condition_index.append(self._id(self._condition_ids, store.conditions, condition))
            store.choice_index.append(self._id(self._choice_ids, store.choices, choice))

    def done(self) -> _Store:
        self._flush()
        return self.store

    def _file(self, path: str, key: _Key, count: int, flags: int) -> None:
        self.store.paths.append(path)
        self.store.keys.append(key)
        self.store.counts.append(count)
        self.store.flags_of_files.append(flags)

    def _flush(self) -> None:
        if self._run is None or self.old is None:
            return
        start, end = self._run
        old, new = self.old, self.store
        for column in (
            "lines", "levels", "modules", "names", "flags", "condition_index", "choice_index"
        ):  # fmt: skip
            getattr(new, column).extend(getattr(old, column)[start:end])
        self._run = None

    def _string(self, text: str) -> int:
        found = self._string_ids.get(text)
        if found is None:
            found = self._string_ids[text] = len(self.store.strings)
            self.store.strings.append(text)
        return found

    @staticmethod
    def _id(ids: dict[Any, int], table: list[Any], value: Any) -> int:
        found = ids.get(value)
        if found is None:
            found = ids[value] = len(table)
            table.append(value)
        return found


# -- reading and writing a store ---------------------------------------------------------------


class _Invalid(ValueError):
    """A store that is not one this modspec wrote: discarded."""


def _encode(store: _Store, meta: dict[str, Any]) -> list[bytes]:
    described = {
        **meta,
        "files": len(store.paths),
        "imports": len(store.lines),
        "strings": len(store.strings) - 1,
    }
    sizes = array.array("q")
    inodes = array.array("Q")
    for size, mtime, ctime, inode in store.keys:
        sizes.extend((size, mtime, ctime))
        inodes.append(inode)
    strings = store.strings[1:]
    return [
        json.dumps(described, sort_keys=True).encode(),
        "\0".join(store.paths).encode("utf-8", "surrogateescape"),
        sizes.tobytes(),
        inodes.tobytes(),
        store.counts.tobytes(),
        bytes(store.flags_of_files),
        "\0".join(strings).encode("utf-8", "surrogatepass"),  # type: ignore[arg-type]
        store.lines.tobytes(),
        store.levels.tobytes(),
        store.modules.tobytes(),
        store.names.tobytes(),
        store.flags.tobytes(),
        store.condition_index.tobytes(),
        store.choice_index.tobytes(),
        json.dumps(store.conditions[1:]).encode(),
        json.dumps(store.choices[1:]).encode(),
    ]


def _pack(blobs: list[bytes]) -> bytes:
    body = struct.pack(f"<{len(blobs)}Q", *map(len, blobs)) + b"".join(blobs)
    digest = blake2b(body, digest_size=DIGEST_SIZE).digest()
    return _MAGIC + _HEADER.pack(_FORMAT, len(blobs), digest) + body


def _unpack(data: bytes) -> list[bytes]:
    if not data.startswith(_MAGIC):
        raise _Invalid("no store")
    offset = len(_MAGIC)
    try:
        version, count, digest = _HEADER.unpack_from(data, offset)
    except struct.error:
        raise _Invalid("truncated header") from None
    if version != _FORMAT or count != _BLOBS:
        raise _Invalid("another format")
    body = memoryview(data)[offset + _HEADER.size :]
    if blake2b(body, digest_size=DIGEST_SIZE).digest() != digest:
        raise _Invalid("digest")
    try:
        lengths = struct.unpack_from(f"<{count}Q", body)
    except struct.error:
        raise _Invalid("truncated lengths") from None
    position = 8 * count
    if position + sum(lengths) != len(body):
        raise _Invalid("lengths")
    blobs = []
    for length in lengths:
        blobs.append(bytes(body[position : position + length]))
        position += length
    return blobs


def _array(code: str, blob: bytes, length: int) -> array.array[int]:
    column = array.array(code)
    if len(blob) != length * column.itemsize:
        raise _Invalid("column length")
    column.frombytes(blob)
    return column


def _split(blob: bytes, length: int, errors: str) -> list[str]:
    if length == 0:
        if blob:
            raise _Invalid("table length")
        return []
    parts = blob.decode("utf-8", errors).split("\0")
    if len(parts) != length:
        raise _Invalid("table length")
    return parts


def _below(column: array.array[int], limit: int) -> None:
    if column and max(column) >= limit:
        raise _Invalid("index out of range")


def _pairs(blob: bytes, first: type, second: type) -> list[tuple[tuple[Any, Any], ...]]:
    """A condition or choice table: () at index 0, then each entry's pairs, every value of
    exactly its type (a bool is no int here, nor an int a bool)."""
    found = json.loads(blob)
    if not isinstance(found, list):
        raise _Invalid("pair table")
    table: list[tuple[tuple[Any, Any], ...]] = [()]
    for entry in found:
        if not isinstance(entry, list) or not all(
            type(pair) is list
            and len(pair) == 2
            and type(pair[0]) is first
            and type(pair[1]) is second
            for pair in entry
        ):
            raise _Invalid("pair table")
        table.append(tuple((one, other) for one, other in entry))
    return table


def _decode(blobs: list[bytes], meta: dict[str, Any]) -> _Store:
    """The store the blobs hold, each column checked against the others; _Invalid if not."""
    try:
        described = json.loads(blobs[0])
    except ValueError:
        raise _Invalid("meta") from None
    if not isinstance(described, dict):
        raise _Invalid("meta")
    counts = {key: described.pop(key, None) for key in ("files", "imports", "strings")}
    if described != json.loads(json.dumps(meta)) or not all(
        type(n) is int and n >= 0 for n in counts.values()
    ):
        raise _Invalid("written by another modspec, scanner, Python or for another root")
    files, imports, strings = counts["files"], counts["imports"], counts["strings"]
    store = _Store()
    try:
        store.paths = _split(blobs[1], files, "surrogateescape")
        store.strings = [None, *_split(blobs[6], strings, "surrogatepass")]
        store.conditions = _pairs(blobs[14], str, bool)
        store.choices = _pairs(blobs[15], int, int)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Invalid("tables") from exc
    sizes = _array("q", blobs[2], 3 * files)
    inodes = _array("Q", blobs[3], files)
    store.keys = list(zip(sizes[0::3], sizes[1::3], sizes[2::3], inodes, strict=True))
    store.counts = _array("I", blobs[4], files)
    if len(blobs[5]) != files or blobs[5].translate(None, b"\0\1\2\3"):
        raise _Invalid("file flags")
    store.flags_of_files = bytearray(blobs[5])
    if sum(store.counts) != imports or len(set(store.paths)) != files:
        raise _Invalid("counts")
    store.lines = _array("I", blobs[7], imports)
    store.levels = _array("B", blobs[8], imports)
    store.modules = _array("I", blobs[9], imports)
    store.names = _array("I", blobs[10], imports)
    store.flags = _array("B", blobs[11], imports)
    store.condition_index = _array("I", blobs[12], imports)
    store.choice_index = _array("I", blobs[13], imports)
    if store.modules and min(store.modules) == 0:
        raise _Invalid("a module of None")
    _below(store.modules, len(store.strings))
    _below(store.names, len(store.strings))
    _below(store.flags, len(_GUARDS))
    _below(store.condition_index, len(store.conditions))
    _below(store.choice_index, len(store.choices))
    return store


def _load(path: str, meta: dict[str, Any]) -> _Store | None:
    """The store at ``path``; None where there is none, or none to trust."""
    try:
        # Bounded, and never blocked by a FIFO someone left in its place.
        data = read_regular(path, _STORE_LIMIT)
    except (OSError, ValueError):
        return None
    try:
        return _decode(_unpack(data), meta)
    except _Invalid:
        return None


def _save(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically; where the directory cannot be written, not at
    all (a cache that cannot be kept is no error)."""
    opened = open_beside(path)
    if opened is None:
        return
    file, temporary = opened
    try:
        file.write(data)
    except OSError:
        discard(file, temporary)
        return
    put_in_place(file, temporary, path)


# -- the scan ----------------------------------------------------------------------------------


def extract_with_cache(
    sources: Sequence[SourceFile],
    *,
    directory: str | None,
    workers: int | None = None,
    backend: str | None = None,
) -> Iterator[FileImports]:
    """``extract_files`` of the sources' paths, in input order, each file taken from its
    root's store under the cache ``directory`` where it is unchanged (None: no cache); the
    stores are brought up to date when the last answer has been taken."""
    paths = [source.path for source in sources]
    # Checked now, as extract_files checks them: a bad argument is the caller's error.
    extract_files((), workers=workers, backend=backend)
    identity = None if directory is None else _identity(backend)
    if directory is None or identity is None:
        return extract_files(paths, workers=workers, backend=backend)
    name, meta = identity
    return _scan(sources, directory, name, meta, workers, backend)


class _Root(NamedTuple):
    path: str
    store_file: str
    old: _Store | None
    indexes: list[int]  # into the sources, in input order


def _scan(
    sources: Sequence[SourceFile],
    directory: str,
    name: str,
    meta: dict[str, Any],
    workers: int | None,
    backend: str | None,
) -> Iterator[FileImports]:
    started = time.time_ns()
    by_root: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        by_root.setdefault(source.root, []).append(index)
    answers: list[FileImports | None] = [None] * len(sources)
    copies: dict[int, tuple[int, int]] = {}  # source index -> its old import range
    roots: list[_Root] = []
    # A million tuples and no garbage: collections would find nothing, at a third of the cost.
    with gc_paused():
        keys = [_key(source.path) for source in sources]
        for root, indexes in by_root.items():
            store_file = store_path(directory, name, root)
            old = _load(store_file, {**meta, "root": root})
            roots.append(_Root(root, store_file, old, indexes))
            if old is not None:
                _answer(sources, keys, indexes, old, answers, copies)
    missing = [sources[i].path for i, answer in enumerate(answers) if answer is None]
    scanned = extract_files(missing, workers=workers, backend=backend)
    for index, answer in enumerate(answers):
        if answer is None:
            answer = answers[index] = next(scanned)
        yield answer
    for done in roots:
        _update(done, sources, keys, answers, copies, started, meta)


def _answer(
    sources: Sequence[SourceFile],
    keys: list[_Key | None],
    indexes: list[int],
    store: _Store,
    answers: list[FileImports | None],
    copies: dict[int, tuple[int, int]],
) -> None:
    """Fills ``answers`` with the stored answers of the files whose key has not changed."""
    stored = store.answers()
    refs: list[ImportRef] | None = None
    for index in indexes:
        path = sources[index].path
        found = stored.get(path)
        if found is None or keys[index] != found[1]:
            continue
        if refs is None:
            refs = store.refs()
        position, key, start, count = found
        imports = tuple(refs[start : start + count])
        flags = store.flags_of_files[position]
        answer = (path, key[0], imports, None, bool(flags & _FAST), bool(flags & _MARKED))
        answers[index] = _new(FileImports, answer)
        copies[index] = (start, count)


def _update(
    root: _Root,
    sources: Sequence[SourceFile],
    keys: list[_Key | None],
    answers: list[FileImports | None],
    copies: dict[int, tuple[int, int]],
    started: int,
    meta: dict[str, Any],
) -> None:
    """Writes the root's store anew where this scan changed it."""
    copied = sum(1 for index in root.indexes if index in copies)
    adding = {
        index
        for index in root.indexes
        if index not in copies and _storable(answers[index], keys[index], started)
    }
    # Every stored file taken, none gone, nothing new to store (a file that does not parse
    # is never stored, so it alone changes nothing): the store stays as it is.
    if root.old is not None and not adding and copied == len(root.old.paths):
        return
    rebuild = root.old is None or len(adding) > _REBUILD_SHARE * len(root.indexes)
    builder = _Builder(None if rebuild else root.old)
    for index in root.indexes:
        answer, key = answers[index], keys[index]
        if answer is None or key is None:
            continue
        if index in copies and not rebuild:
            start, count = copies[index]
            builder.copy(answer.path, key, start, count, _flags(answer))
        elif index in adding or (rebuild and index in copies):
            assert answer.imports is not None
            builder.add(answer.path, key, answer.imports, _flags(answer))
    store = builder.done()
    _save(root.store_file, _pack(_encode(store, {**meta, "root": root.path})))


def _flags(answer: FileImports) -> int:
    return _FAST * answer.fast | _MARKED * answer.marked


def _storable(answer: FileImports | None, key: _Key | None, started: int) -> bool:
    """Whether the answer is the file's as its key says: read whole at the size stat gave,
    not modified too close to the scan, not an error (which may be the reader's)."""
    return (
        answer is not None
        and key is not None
        and answer.imports is not None
        and answer.size == key[0]
        and key[1] < started - RACY_NS
    )
