"""Bytecode freshness: whether importing a module would use its cached .pyc, or compile."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

from ._paths import SOURCE_LIMIT, read_regular
from ._pep552 import FLAG_HASH_BASED, classify_pyc, hash_checked, source_hash, unpack_uint32
from ._spec import Kind, Spec

__all__ = ["BytecodeStatus", "HeaderReader", "bytecode_status"]

# The cores' bulk reader: the first 16 bytes of each file, or None where it cannot be read.
HeaderReader = Callable[[list[str]], list[bytes | None]]


class BytecodeStatus(enum.Enum):
    """What importing a module would do with its bytecode, as CPython's loaders decide it."""

    FRESH = "fresh"
    """The .pyc would be used as it is: its header is valid and matches the source (for a
    timestamp pyc, the source's mtime and size; for a checked hash-based pyc, the hash of the
    source's bytes). For a sourceless module (``Kind.BYTECODE``): its header is valid."""

    STALE = "stale"
    """A .pyc is there but ``SourceLoader.get_code`` would reject it: a bad magic number (another
    Python's), invalid flags, a header shorter than 16 bytes, or out of date with the source.
    Importing compiles the source and rewrites the .pyc (where ``sys.dont_write_bytecode`` is
    false and its directory is writable)."""

    MISSING = "missing"
    """No .pyc to use: nothing readable at ``spec.cached`` (no regular file there), so importing
    compiles the source and writes one (with the same provisos as STALE). Also where
    ``get_code`` would not look for one: ``spec.cached`` is None (no cache tag; nothing is
    written either), or the source was missing when the spec was taken (``origin_stat`` None).
    For a sourceless module: its .pyc has gone since the spec was taken, so importing fails."""

    UNCHECKED = "unchecked"
    """A hash-based .pyc (PEP 552) used without a look at the source: an unchecked one, or any
    under ``--check-hash-based-pycs never``. Importing never recompiles it, whatever the
    source now says."""

    INVALID = "invalid"
    """A sourceless .pyc (``Kind.BYTECODE``) that ``SourcelessFileLoader`` would reject, as
    ``_classify_pyc`` does: a bad magic number or invalid flags (ImportError), a header shorter
    than 16 bytes (EOFError). With no source to fall back on, importing fails. (A source
    module's rejected .pyc is STALE.)"""

    NOT_APPLICABLE = "not_applicable"
    """Importing reads no cached .pyc and writes none: extension modules (machine code), builtin
    and frozen modules (inside the interpreter), namespace packages (no code at all), and
    modules in zip archives (zipimport may read a .pyc from the archive, but never writes
    bytecode, and cannot rewrite the archive)."""


def bytecode_status(
    specs: Iterable[Spec | None], read_headers: HeaderReader
) -> dict[str, BytecodeStatus]:
    """The bytecode status of each spec, by name, in input order; see Resolver.bytecode_status.

    ``read_headers`` is a core's bulk reader: every header is read in one call.
    """
    if isinstance(specs, Spec):
        raise TypeError("specs must be an iterable of Spec, not a Spec; pass [spec]")
    chosen: dict[str, Spec] = {}
    for spec in specs:
        if spec is None:
            continue  # resolve_many's answer for a name that is not found
        if not isinstance(spec, Spec):
            raise TypeError(f"specs must hold Spec (or None), not {type(spec).__name__}")
        chosen.setdefault(spec.name, spec)
    names: list[str] = []
    paths: list[str] = []
    for name, spec in chosen.items():
        path = _bytecode_path(spec)
        if path is not None:
            names.append(name)
            paths.append(path)
    headers = dict(zip(names, read_headers(paths), strict=True))
    return {name: _status(spec, headers.get(name)) for name, spec in chosen.items()}


def _bytecode_path(spec: Spec) -> str | None:
    # The file the spec's loader would read bytecode from, if it would read one.
    if spec.kind is Kind.SOURCE:
        # SourceLoader.get_code reads no pyc without a cache path or a stat of the source.
        return spec.cached if spec.origin_stat is not None else None
    if spec.kind is Kind.BYTECODE:
        return spec.origin  # SourcelessFileLoader.get_code: the origin is the pyc
    return None


def _status(spec: Spec, header: bytes | None) -> BytecodeStatus:
    if spec.kind is Kind.SOURCE:
        return _source_status(spec, header)
    if spec.kind is Kind.BYTECODE:
        return _sourceless_status(header)
    return BytecodeStatus.NOT_APPLICABLE


def _sourceless_status(header: bytes | None) -> BytecodeStatus:
    # Mirrors importlib._bootstrap_external.SourcelessFileLoader.get_code (3.10–3.13).
    if header is None:
        return BytecodeStatus.MISSING  # get_data raises OSError: the import fails
    if classify_pyc(header) is None:
        return BytecodeStatus.INVALID
    return BytecodeStatus.FRESH


def _source_status(spec: Spec, header: bytes | None) -> BytecodeStatus:
    # Mirrors importlib._bootstrap_external.SourceLoader.get_code (3.10–3.13): the pyc is used
    # unless _classify_pyc or a _validate_*_pyc raises ImportError or EOFError.
    stat = spec.origin_stat
    if header is None or stat is None or spec.origin is None:
        return BytecodeStatus.MISSING
    flags = classify_pyc(header)
    if flags is None:
        return BytecodeStatus.STALE
    if flags & FLAG_HASH_BASED:
        if not hash_checked(flags):
            return BytecodeStatus.UNCHECKED
        try:
            source_bytes = read_regular(spec.origin, SOURCE_LIMIT)
        except (OSError, ValueError):
            # get_code lets an unreadable source's error escape: no pyc is used, and the import
            # fails. A source modspec will not read (a FIFO, a device, past the bound) is
            # answered alike, though CPython may block on it or hash it whole.
            return BytecodeStatus.STALE
        # Mirrors importlib._bootstrap_external._validate_hash_pyc.
        fresh = header[8:16] == source_hash(source_bytes)
        return BytecodeStatus.FRESH if fresh else BytecodeStatus.STALE
    # Mirrors importlib._bootstrap_external._validate_timestamp_pyc.
    if unpack_uint32(header[8:12]) != _source_mtime(stat.mtime_ns) & 0xFFFFFFFF:
        return BytecodeStatus.STALE
    if unpack_uint32(header[12:16]) != stat.size & 0xFFFFFFFF:
        return BytecodeStatus.STALE
    return BytecodeStatus.FRESH


def _source_mtime(mtime_ns: int) -> int:
    """``int(os.stat(source).st_mtime)`` from ``st_mtime_ns``: what SourceLoader.path_stats gives
    get_code, and py_compile writes into the header."""
    # st_mtime is the double sec + nsec * 1e-9 (posixmodule.c, fill_time), which rounds up to
    # the next second within about 1e-7 s of it: mtime_ns // 10**9 would be one second off there.
    sec, nsec = divmod(mtime_ns, 1_000_000_000)
    return int(sec + nsec * 1e-9)
