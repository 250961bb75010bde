"""Whole answers kept: a command's output over a code base, replayed while nothing it was made
from has changed.

The per-file store (extract_cache) spares a second run the reading of unchanged files, but
not the grouping, resolving, classifying and rendering of a million imports, which cost a
large tree most of its time. An entry here is the rendered output of one question (the
command, its options, the interpreter, modspec's own files, the roots' settings and the
search path: ``Question``) with what it was made from:

- the tree: every walked file's stat, in walk order (a file added, removed or edited, a
  setting that walks other files, changes it);
- the rest the answers were read from: every directory the resolver listed, path entry it
  looked at and archive it read (``Resolver.read_paths``), the search path's entries, and
  each answer's ``origin`` and ``cached`` file and the directory of the latter.

Each is kept as a digest of its stats (type, size, mtime, ctime, inode, device; a failed
stat by its error), taken again before an entry is used: anything different and the entry is
not used. A listing's answer changes only with its directory's mtime; a file's content only
with its stat. An entry whose inputs changed within the last seconds is not kept (a later
change may land in the same tick of a coarse clock), so it is never stale by a race with an
editor. What is not seen: a change inside a file of the search path that keeps its stat, or
one that swaps a symbolic link's target without touching any listed directory.

The output is stored as the bytes written, split where the run's timings go (the replay
writes its own). Entries are written beside their place and moved in whole; a digest over
each entry is checked before a byte of it is used, and anything amiss discards it. The
``KEEP`` most recently used entries are kept, within ``BUDGET`` bytes together.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import struct
import sys
import time

from .._paths import read_regular
from .._version import __version__
from .cache_files import DIGEST_SIZE, RACY_NS, blake2b, discard, open_beside, put_in_place

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import BinaryIO, TextIO

    from .._resolver import Resolver
    from .._spec import Spec

__all__ = ["BUDGET", "KEEP", "Entry", "Question", "Recorder", "answers_read", "signature_digest"]

_FORMAT = 1
_MAGIC = b"modspec result cache\n\0"
# head, tail, inputs and meta lengths; format; exit status; digest of all before it.
_TRAILER = struct.Struct("<QQQQIi16s")
KEEP = 8  # entries kept in the directory, the most recently used
# What the entries may take together (a graph's JSON of a large tree runs to hundreds of
# megabytes): the most recently used go first; one entry alone may take it all.
BUDGET = 1 << 30
_ENTRY_LIMIT = BUDGET  # an output past it is not kept (nor read back)
_SUBDIRECTORY = "results"


def _code() -> list[list[object]]:
    """modspec's own files, by name, size and mtime: a rebuilt or edited modspec asks anew."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found: list[list[object]] = []
    todo = [package]
    while todo:
        directory = todo.pop()
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        todo.append(entry.path)
                elif entry.name.endswith((".py", ".so", ".pyd")):
                    st = entry.stat()
                    found.append([entry.path, st.st_size, st.st_mtime_ns])
    return found


class Question:
    """What an entry answers: the command and everything else its output depends on besides
    the files it reads (``parts``: plain data, or values whose repr tells them apart)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.digest = blake2b(text.encode("utf-8", "surrogateescape"), digest_size=DIGEST_SIZE)

    @classmethod
    def of(cls, command: str, parts: Mapping[str, object]) -> Question | None:
        """The question; None where modspec's own files or the working directory cannot
        be looked at (a process whose user may not read the installation): then no entry
        can be told current, and none is used or kept."""
        try:
            described = {
                "format": _FORMAT,
                "modspec": __version__,
                "python": [sys.executable, sys.version, sys.implementation.cache_tag],
                "code": _code(),
                "cwd": os.getcwd(),
                "command": command,
                **parts,
            }
        except OSError:
            return None
        return cls(json.dumps(described, sort_keys=True, default=repr))

    def path(self, directory: str) -> str:
        """The entry of this question under the cache ``directory``."""
        return os.path.join(directory, _SUBDIRECTORY, f"{self.digest.hexdigest()}.result")


def _stats(paths: Sequence[str]) -> tuple[array.array[int], array.array[int]]:
    """Per path its (type and mode, size, mtime, ctime) and (inode, device); a failed stat
    is its negative errno and zeros."""
    signed, unsigned = array.array("q"), array.array("Q")
    stat = os.stat
    for path in paths:
        try:
            st = stat(path)
        except OSError as exc:
            signed.extend((-(exc.errno or 1), 0, 0, 0))
            unsigned.extend((0, 0))
        except ValueError:  # a NUL in the path
            signed.extend((-1, 0, 0, 0))
            unsigned.extend((0, 0))
        else:
            signed.extend((st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            unsigned.extend((st.st_ino, st.st_dev))
    return signed, unsigned


def signature_digest(paths: Sequence[str]) -> tuple[bytes, int]:
    """A digest of ``paths`` and their stats, in order, and the latest of their mtimes."""
    signed, unsigned = _stats(paths)
    digest = blake2b(digest_size=DIGEST_SIZE)
    digest.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    digest.update(signed.tobytes())
    digest.update(unsigned.tobytes())
    return digest.digest(), max(signed[2::4], default=0)


def answers_read(
    resolver: Resolver, path: Iterable[str], specs: Iterable[Spec | None]
) -> Iterator[str]:
    """What answers of ``resolver`` over ``path`` were read from, besides the tree: its
    listings, the path's entries, and each answer's origin, cached file and its directory."""
    yield from resolver.read_paths()
    yield from path
    for spec in specs:
        if spec is None:
            continue
        if spec.origin is not None:
            yield spec.origin
        if spec.cached is not None:
            yield spec.cached
            yield os.path.dirname(spec.cached)


class Entry:
    """A kept answer: the output before and after the timings, and the exit status."""

    __slots__ = ("head", "status", "tail")

    def __init__(self, head: memoryview, tail: memoryview, status: int) -> None:
        self.head, self.tail, self.status = head, tail, status

    @classmethod
    def load(cls, question: Question, directory: str, tree: Sequence[str]) -> Entry | None:
        """The entry answering ``question`` whose inputs are as they were (``tree``: the
        walked files, in walk order); None where there is none to trust."""
        path = question.path(directory)
        try:
            data = read_regular(path, _ENTRY_LIMIT)
        except (OSError, ValueError):
            return None
        parts = _unpack(data)
        if parts is None:
            return None
        head, tail, inputs, meta, status = parts
        try:
            described = json.loads(bytes(meta))
            others = bytes(inputs).decode("utf-8", "surrogateescape").split("\0") if inputs else []
        except ValueError:
            return None
        if not isinstance(described, dict) or described.get("question") != question.text:
            return None
        if described.get("tree") != signature_digest(tree)[0].hex():
            return None
        if described.get("others") != signature_digest(others)[0].hex():
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # the most recently used, for KEEP
        return cls(head, tail, status)


def _unpack(data: bytes) -> tuple[memoryview, memoryview, memoryview, memoryview, int] | None:
    """An entry's parts, its digest checked; None where it is not one of ours, whole."""
    if len(data) < len(_MAGIC) + _TRAILER.size or not data.startswith(_MAGIC):
        return None
    body, trailer = data[: -_TRAILER.size], data[-_TRAILER.size :]
    *sizes, version, status, digest = _TRAILER.unpack(trailer)
    if version != _FORMAT or len(_MAGIC) + sum(sizes) != len(body):
        return None
    check = blake2b(body, digest_size=DIGEST_SIZE)
    check.update(trailer[:-DIGEST_SIZE])
    if check.digest() != digest:
        return None
    # Views, not copies: a graph's JSON runs to hundreds of megabytes.
    view, offset, pieces = memoryview(data), len(_MAGIC), []
    for size in sizes:
        pieces.append(view[offset : offset + size])
        offset += size
    head, tail, inputs, meta = pieces
    return head, tail, inputs, meta, status


class Recorder:
    """Output written to ``out`` and, encoded as ``out`` encodes it, into a new entry; the
    part ``timings`` writes goes to ``out`` only, and splits the entry's head from its tail.
    ``keep`` then moves the entry in place; an output past the limit is not kept."""

    def __init__(self, out: TextIO, question: Question, directory: str) -> None:
        self.out = out
        self.path = question.path(directory)
        self.question = question
        self._encoding = getattr(out, "encoding", None) or "utf-8"
        self._errors = getattr(out, "errors", None) or "strict"
        self._file: BinaryIO | None = None
        self._temporary = ""
        opened = open_beside(self.path)
        if opened is not None:
            self._file, self._temporary = opened
            try:
                self._file.write(_MAGIC)
            except OSError:
                self._drop()
        self._digest = blake2b(_MAGIC, digest_size=DIGEST_SIZE)
        self._sizes = [0, 0]
        self._part = 0  # 0: the head, 1: the tail

    def write(self, text: str) -> int:
        self.out.write(text)
        if self._file is not None:
            data = text.encode(self._encoding, self._errors)
            self._sizes[self._part] += len(data)
            if sum(self._sizes) > _ENTRY_LIMIT:
                self._drop()
                return len(text)
            try:
                self._file.write(data)
            except OSError:
                self._drop()
                return len(text)
            self._digest.update(data)
        return len(text)

    def timings(self, text: str) -> None:
        """The run's timings, ``text``: shown, not kept (at most once)."""
        self.out.write(text)
        self._part = 1

    def keep(self, status: int, tree: Sequence[str], others: Iterable[str], since: int) -> None:
        """Puts the entry in place, with its inputs as they are now (``tree``: the walked
        files in walk order; ``others``: the rest); not where one of them changed since
        ``since`` (time.time_ns() at the start of the run), or less than seconds before."""
        if self._file is None:
            return
        rest = sorted(set(others).difference(tree))
        tree_digest, tree_latest = signature_digest(tree)
        rest_digest, rest_latest = signature_digest(rest)
        # mtimes only: a change after an old mtime always moves it (to now); a recent one may
        # not move on the next change within the same tick.
        if max(tree_latest, rest_latest) >= since - RACY_NS:
            self._drop()
            return
        inputs = "\0".join(rest).encode("utf-8", "surrogateescape")
        meta = json.dumps(
            {"question": self.question.text, "tree": tree_digest.hex(), "others": rest_digest.hex()}
        ).encode("utf-8", "surrogateescape")
        trailer = _TRAILER.pack(*self._sizes, len(inputs), len(meta), _FORMAT, status, b"")
        head = trailer[:-DIGEST_SIZE]
        try:
            for data in (inputs, meta):
                self._file.write(data)
                self._digest.update(data)
            self._digest.update(head)
            self._file.write(head + self._digest.digest())
        except OSError:
            self._drop()
            return
        put_in_place(self._file, self._temporary, self.path)
        self._file = None
        _prune(os.path.dirname(self.path))

    def close(self) -> None:
        """Drops the entry if it was not kept (an output that failed half way)."""
        self._drop()

    def _drop(self) -> None:
        if self._file is not None:
            discard(self._file, self._temporary)
            self._file = None


def _prune(directory: str) -> None:
    """Keeps the ``KEEP`` most recently used entries of ``directory`` that fit in ``BUDGET``
    together (the newest always), and removes the rest, and what a run that was killed
    while writing one left an hour ago or more."""
    abandoned = time.time_ns() - 3600 * 1_000_000_000
    entries, doomed = [], []
    try:
        with os.scandir(directory) as found:
            for entry in found:
                st = entry.stat()
                if entry.name.endswith(".result"):
                    entries.append((st.st_mtime_ns, st.st_size, entry.path))
                elif entry.name.endswith(".tmp") and st.st_mtime_ns < abandoned:
                    doomed.append(entry.path)
    except OSError:
        return
    entries.sort(reverse=True)
    taken = 0
    for index, (_, size, path) in enumerate(entries):
        taken += size
        if index >= KEEP or (index and taken > BUDGET):
            doomed.append(path)
    for path in doomed:
        with contextlib.suppress(OSError):
            os.unlink(path)
