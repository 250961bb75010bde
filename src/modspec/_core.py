"""Pure-Python resolution core: PathFinder and FileFinder over a listing cache (the reference)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ._config import CoreConfig

__all__ = ["PathCore", "RawSpec", "cache_from_source"]

# A spec as builtins: (kind, origin, submodule_search_locations, cached,
#                      origin size, origin mtime_ns, cached size, cached mtime_ns);
# a size of -1 means that file does not exist (or the spec has no location).
RawSpec = tuple[Any, "str | None", "tuple[str, ...] | None", "str | None", int, int, int, int]

_S_IFMT = 0o170000
_S_IFREG = 0o100000
_S_IFDIR = 0o040000
_PYCACHE = "__pycache__"
_OPT = "opt-"


def _path_join(*parts: str) -> str:
    # Mirrors importlib._bootstrap_external._path_join (POSIX).
    return "/".join([part.rstrip("/") for part in parts if part])


def _path_isabs(path: str) -> bool:
    return path.startswith("/")


def _stat_mode(path: str, mode: int) -> os.stat_result | None:
    # Mirrors importlib._bootstrap_external._path_is_mode_type, keeping the stat for the caller.
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if (st.st_mode & _S_IFMT) == mode else None


def cache_from_source(path: str, config: CoreConfig) -> str | None:
    """``importlib.util.cache_from_source`` for the config's interpreter (None: no cache tag)."""
    # Mirrors importlib._bootstrap_external.cache_from_source (3.10–3.13, POSIX).
    if config.cache_tag is None:
        return None
    head, _, tail = path.rpartition("/")
    base, sep, rest = tail.rpartition(".")
    almost_filename = "".join([(base if base else rest), sep, config.cache_tag])
    if config.optimization:
        almost_filename = f"{almost_filename}.{_OPT}{config.optimization}"
    filename = almost_filename + config.bytecode_suffixes[0]
    if config.pycache_prefix is not None:
        # PEP 3147 + bpo-33499: the source's absolute directory is re-rooted under the prefix.
        if not _path_isabs(head):
            head = _path_join(os.getcwd(), head)
        return _path_join(config.pycache_prefix, head.lstrip("/"), filename)
    return _path_join(head, _PYCACHE, filename)


def finder_path(entry: str, minor_version: int) -> str:
    """The absolute directory a FileFinder built for ``entry`` searches."""
    # Mirrors importlib._bootstrap_external.FileFinder.__init__, which changed in 3.11 and 3.12.
    cwd = os.getcwd()
    if minor_version <= 10:
        path = entry or "."
        return path if _path_isabs(path) else _path_join(cwd, path)
    if not entry or entry == ".":
        return cwd
    if _path_isabs(entry):
        return entry
    if minor_version >= 12:
        entry = entry.removeprefix("./")
    return _path_join(cwd, entry)


class _DirFinder:
    """One directory on the path: FileFinder with a listing taken once."""

    __slots__ = ("_cache", "core", "path")

    def __init__(self, core: PathCore, path: str) -> None:
        self.core = core
        self.path = path
        self._cache: frozenset[str] | None = None

    def _fill_cache(self) -> frozenset[str]:
        # Mirrors importlib._bootstrap_external.FileFinder._fill_cache (POSIX).
        try:
            contents = os.listdir(self.path)
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            contents = []
        except OSError:
            # CPython lets other errors (ELOOP, EIO) escape; a static answer treats them as empty.
            contents = []
        if self.core.config.relax_case:
            self._cache = frozenset(name.lower() for name in contents)
        else:
            self._cache = frozenset(contents)
        return self._cache

    def find_spec(self, tail_module: str) -> RawSpec | None:
        # Mirrors importlib._bootstrap_external.FileFinder.find_spec (3.10–3.13).
        cache = self._cache if self._cache is not None else self._fill_cache()
        config = self.core.config
        cache_module = tail_module.lower() if config.relax_case else tail_module
        is_namespace = False
        base_path = ""
        # (1) A directory of that name: a package if it holds an __init__ with a known suffix.
        if cache_module in cache:
            base_path = _path_join(self.path, tail_module)
            for suffix, kind in config.loaders:
                full_path = _path_join(base_path, "__init__" + suffix)
                st = _stat_mode(full_path, _S_IFREG)
                if st is not None:
                    return self.core.file_spec(kind, full_path, (base_path,), st)
            # ... else maybe a namespace portion, if no module file follows.
            is_namespace = _stat_mode(base_path, _S_IFDIR) is not None
        # (2) A module file, suffixes in loader order.
        for suffix, kind in config.loaders:
            if cache_module + suffix in cache:
                full_path = _path_join(self.path, tail_module + suffix)
                st = _stat_mode(full_path, _S_IFREG)
                if st is not None:
                    return self.core.file_spec(kind, full_path, None, st)
        # (3) A namespace portion.
        if is_namespace:
            return (config.namespace_kind, None, (base_path,), None, -1, -1, -1, -1)
        return None


class PathCore:
    """PathFinder over a cache of path-entry finders; keeps its listings until invalidated."""

    def __init__(self, config: CoreConfig) -> None:
        self.config = config
        self._finders: dict[str, Any] = {}

    def invalidate_caches(self) -> None:
        self._finders.clear()

    def file_spec(
        self, kind: Any, origin: str, search: tuple[str, ...] | None, st: os.stat_result
    ) -> RawSpec:
        """The raw spec of a file found on disk, with its cached file located and stat'ed."""
        cached = self._get_cached(origin)
        if cached == origin:
            return (
                kind,
                origin,
                search,
                cached,
                st.st_size,
                st.st_mtime_ns,
                st.st_size,
                st.st_mtime_ns,
            )
        cached_st = _stat_mode(cached, _S_IFREG) if cached is not None else None
        if cached_st is None:
            return (kind, origin, search, cached, st.st_size, st.st_mtime_ns, -1, -1)
        return (
            kind,
            origin,
            search,
            cached,
            st.st_size,
            st.st_mtime_ns,
            cached_st.st_size,
            cached_st.st_mtime_ns,
        )

    def _get_cached(self, origin: str) -> str | None:
        # Mirrors importlib._bootstrap_external._get_cached.
        config = self.config
        if origin.endswith(config.source_suffixes):
            return cache_from_source(origin, config)
        if origin.endswith(config.bytecode_suffixes):
            return origin
        return None

    def _finder(self, entry: str) -> Any:
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories.
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        try:
            return self._finders[entry]
        except KeyError:
            pass
        finder = self.config.zip_finder(entry, self.config)
        if finder is None and _stat_mode(entry or ".", _S_IFDIR) is not None:
            finder = _DirFinder(self, finder_path(entry, self.config.minor_version))
        self._finders[entry] = finder
        return finder

    def find_spec(self, fullname: str, path: Sequence[object]) -> RawSpec | None:
        """PathFinder.find_spec: the first entry with a module or package wins; namespace
        portions are collected across all entries."""
        # Mirrors importlib._bootstrap_external.PathFinder._get_spec and find_spec.
        tail_module = fullname.rpartition(".")[2]
        namespace_path: list[str] = []
        for entry in path:
            # bytes entries are skipped too: 3.10 raises TypeError on them, later versions
            # find nothing there.
            if not isinstance(entry, str):
                continue
            finder = self._finder(entry)
            if finder is None:
                continue
            raw = finder.find_spec(tail_module)
            if raw is None:
                continue
            if raw[0] is not self.config.namespace_kind:
                return raw  # type: ignore[no-any-return]
            namespace_path.extend(raw[2])
        if namespace_path:
            return (self.config.namespace_kind, None, tuple(namespace_path), None, -1, -1, -1, -1)
        return None
