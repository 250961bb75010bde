"""The closure's reads: each module's spec and the code its import would run, fetched in
batches (one resolve_many and one round of file reads per wave of newly named modules)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from .._paths import read_regular
from .._predict import frozen_file
from .._resolver import Resolver
from .._spec import Kind, Spec
from .closure_dynamic import (
    DynamicSite,
    VendorHook,
    dynamic_imports,
    literal_all,
    replaces_itself,
    vendor_hooks,
)
from .extract import ImportRef, extract_source
from .reading import SOURCE_LIMIT, reason

__all__ = ["Loader", "ModuleCode", "source_file"]

# Below this many files a wave is read on the calling thread: a pool costs more than it saves.
_POOL_THRESHOLD = 8


class ModuleCode(NamedTuple):
    """What running a module's code would import, as far as its source tells."""

    name: str
    package: str | None  # what its relative imports are relative to (None: a top-level module)
    file: str | None  # the source read: the origin, or a frozen module's stdlib file
    size: int  # bytes of source read
    refs: tuple[ImportRef, ...]  # its import statements, in order
    dynamic: tuple[ImportRef, ...]  # its literal importlib.import_module/__import__ calls
    sites: tuple[DynamicSite, ...]  # its dynamic imports that cannot be followed
    error: str | None  # why its source was not read, or that it does not compile
    compiles: bool  # False: a SyntaxError, so importing it raises
    hooks: tuple[VendorHook, ...] = ()  # import hooks its code installs
    replaced: bool = False  # its code puts another object in its place in sys.modules


def source_file(spec: Spec) -> str | None:
    """The Python source whose code importing ``spec`` runs; None where none is read: an
    extension, a built-in, a namespace package, bytecode without source, a zip member, or a
    frozen module whose source this interpreter does not name (3.10)."""
    if spec.kind is Kind.SOURCE:
        return spec.origin
    if spec.kind is Kind.FROZEN:
        return frozen_file(spec.name)
    return None


def _package(spec: Spec) -> str | None:
    return spec.parent or None


class _Read(NamedTuple):
    size: int
    refs: tuple[ImportRef, ...]
    error: str | None
    compiles: bool
    source: bytes | None  # kept only where the main thread has more to read in it


def _read(path: str, backend: str | None) -> _Read:
    try:
        source = read_regular(path, SOURCE_LIMIT)
    except OSError as exc:
        return _Read(0, (), reason(exc, path), True, None)
    try:
        refs, _fast = extract_source(source, backend=backend)
    except SyntaxError as exc:
        return _Read(len(source), (), f"SyntaxError: {exc.msg} (line {exc.lineno})", False, None)
    except (ValueError, RecursionError, MemoryError) as exc:
        return _Read(len(source), (), f"{type(exc).__name__}: {exc}", False, None)
    return _Read(len(source), refs, None, True, source)


class Loader:
    """Specs and module code, each fetched once; ``prefetch`` fills both in waves."""

    def __init__(
        self,
        resolver: Resolver,
        backend: str | None,
        workers: int | None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.resolver = resolver
        # Called as progress(phase, done, total): "read" per wave, "load" per module run.
        self.progress = progress
        self.backend = backend
        self.workers = workers if workers is not None else _cores()
        self.specs: dict[str, Spec | None] = {}
        self.codes: dict[str, ModuleCode] = {}
        # A package's source, kept until a star import asks for its __all__.
        self._package_sources: dict[str, bytes] = {}
        self._all_names: dict[str, tuple[str, ...] | None] = {}
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def spec(self, name: str) -> Spec | None:
        if name not in self.specs:
            self.specs.update(self.resolver.resolve_many([name]))
        return self.specs[name]

    def code(self, name: str) -> ModuleCode:
        """The code of a module that resolves (``spec(name)`` is not None)."""
        if name not in self.codes:
            spec = self.spec(name)
            assert spec is not None
            self._read_all([spec])
        return self.codes[name]

    def all_names(self, name: str) -> tuple[str, ...] | None:
        """The literal ``__all__`` of the package ``name`` (() where it sets none; None where
        it is not literal), as a star import of it reads it."""
        if name not in self._all_names:
            source = self._package_sources.pop(name, None)
            self._all_names[name] = () if source is None else literal_all(source)
        return self._all_names[name]

    def prefetch(self, names: Iterable[str], expand: Callable[[ModuleCode], Iterable[str]]) -> None:
        """Resolves ``names`` and reads their code, then the names ``expand`` finds in that
        code, and so on, a batch per wave, until no new name turns up."""
        wave = [name for name in dict.fromkeys(names) if name not in self.specs]
        while wave:
            self.specs.update(self.resolver.resolve_many(wave))
            found = [self.specs[name] for name in wave]
            unread = [s for s in found if s is not None and s.name not in self.codes]
            self._read_all(unread)
            named: dict[str, None] = {}
            for spec in unread:
                for name in expand(self.codes[spec.name]):
                    if name not in self.specs:
                        named[name] = None
            wave = list(named)
            if self.progress is not None:
                self.progress("read", len(self.codes), len(self.codes) + len(wave))

    def _read_all(self, specs: list[Spec]) -> None:
        files = [source_file(spec) for spec in specs]
        paths = [path for path in files if path is not None]
        reads: dict[str, _Read]
        if len(paths) < _POOL_THRESHOLD or self.workers == 1:
            reads = {path: _read(path, self.backend) for path in paths}
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers)
            backend = self.backend
            done = self._pool.map(lambda path: _read(path, backend), paths)
            reads = dict(zip(paths, done, strict=True))
        # ast's part on this thread: its parses take turns (warnings are process-wide).
        for spec, path in zip(specs, files, strict=True):
            read = reads.get(path) if path else None
            self.codes[spec.name] = _code(spec, path, read)
            if read is not None and read.source is not None and spec.is_package:
                self._package_sources[spec.name] = read.source


def _code(spec: Spec, path: str | None, read: _Read | None) -> ModuleCode:
    package = _package(spec)
    if path is None or read is None:
        error = None
        if spec.kind is Kind.FROZEN:
            error = "frozen, and this interpreter names no source for it"
        return ModuleCode(spec.name, package, None, 0, (), (), (), error, True)
    dynamic: tuple[ImportRef, ...] = ()
    sites: tuple[DynamicSite, ...] = ()
    hooks: tuple[VendorHook, ...] = ()
    replaced = False
    if read.source is not None:
        found = dynamic_imports(read.source, spec.name, package)
        dynamic, sites = found.refs, found.sites
        hooks = vendor_hooks(read.source, spec.name)
        replaced = replaces_itself(read.source)
    return ModuleCode(
        spec.name,
        package,
        path,
        read.size,
        read.refs,
        dynamic,
        sites,
        read.error,
        read.compiles,
        hooks,
        replaced,
    )


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
