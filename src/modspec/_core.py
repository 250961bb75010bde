"""Pure-Python resolution core: PathFinder and FileFinder over a listing cache (the reference)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ._config import CoreConfig, frozen_key
from ._spec import FileStat, Spec

__all__ = ["SPEC_SLOTS", "PathCore", "RawSpec", "cache_from_source", "get_cached", "make_spec"]

# A spec as builtins: (kind, origin, submodule_search_locations, cached,
#                      origin size, origin mtime_ns, cached size, cached mtime_ns);
# a size of -1 means that file does not exist (or the spec has no location).
RawSpec = tuple[Any, "str | None", "tuple[str, ...] | None", "str | None", int, int, int, int]

# Answers in bulk: Spec's slot descriptors set each field directly, at half the cost of the
# frozen dataclass's __init__, which goes through object.__setattr__ field by field. Unpacking
# fails at import if a field is added without updating make_spec (and _fast's twin of it).
SPEC_SLOTS = tuple(getattr(Spec, field.name) for field in dataclasses.fields(Spec))
_new = object.__new__
(
    _set_name,
    _set_kind,
    _set_origin,
    _set_search,
    _set_cached,
    _set_origin_stat,
    _set_cached_stat,
) = (slot.__set__ for slot in SPEC_SLOTS)


def make_spec(fullname: str, raw: RawSpec | None) -> Spec | None:
    """The public view of a raw spec (None stays None)."""
    if raw is None:
        return None
    kind, origin, search, cached, osize, omtime, csize, cmtime = raw
    spec: Spec = _new(Spec)
    _set_name(spec, fullname)
    _set_kind(spec, kind)
    _set_origin(spec, origin)
    _set_search(spec, search)
    _set_cached(spec, cached)
    _set_origin_stat(spec, FileStat(osize, omtime) if osize >= 0 else None)
    _set_cached_stat(spec, FileStat(csize, cmtime) if csize >= 0 else None)
    return spec


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


def get_cached(origin: str, config: CoreConfig) -> str | None:
    """``ModuleSpec.cached`` for a spec with this origin."""
    # Mirrors importlib._bootstrap_external._get_cached.
    if origin.endswith(config.source_suffixes):
        return cache_from_source(origin, config)
    if origin.endswith(config.bytecode_suffixes):
        return origin
    return None


def finder_path(entry: str, minor_version: int) -> str:
    """The absolute directory a FileFinder built for ``entry`` searches."""
    # Mirrors importlib._bootstrap_external.FileFinder.__init__, which changed in 3.11 and 3.12.
    if minor_version <= 10:
        path = entry or "."
        return path if _path_isabs(path) else _path_join(os.getcwd(), path)
    if not entry or entry == ".":
        return os.getcwd()
    if _path_isabs(entry):
        return entry
    if minor_version >= 12:
        entry = entry.removeprefix("./")
    return _path_join(os.getcwd(), entry)


class _Listing:
    """A directory listed once: its entry names, and (worked out when first searched) for each
    module stem the bitmask of loader suffixes present (bit i: ``stem + loaders[i][0]``)."""

    __slots__ = ("_stems", "cached_listing", "exact", "is_dir", "names")

    def __init__(self, names: frozenset[str], is_dir: bool, exact: bool) -> None:
        self.names = names
        self._stems: dict[str, int] | None = None
        # Listing succeeded, so this is a directory (symlinks followed).
        self.is_dir = is_dir
        # The listing is the whole truth (it succeeded, or there is no such directory), so a
        # name missing from it needs no stat to be ruled out.
        self.exact = exact
        # The listing of the directory that holds the bytecode of this one's sources.
        self.cached_listing: _Listing | None = None

    def stems(self, loaders: tuple[tuple[str, Any], ...]) -> dict[str, int]:
        # Lazily: a __pycache__ directory is listed for its names alone.
        if self._stems is None:
            stems: dict[str, int] = {}
            for name in self.names:
                for bit, (suffix, _) in enumerate(loaders):
                    if name.endswith(suffix) and len(name) > len(suffix):
                        stem = name[: -len(suffix)]
                        stems[stem] = stems.get(stem, 0) | (1 << bit)
            self._stems = stems
        return self._stems


def list_directory(path: str, config: CoreConfig) -> _Listing:
    """``path``'s listing as FileFinder._fill_cache takes it: empty where it cannot be read."""
    # Mirrors importlib._bootstrap_external.FileFinder._fill_cache (POSIX).
    is_dir, exact = True, config.listings_exact
    try:
        contents = os.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        contents, is_dir = [], False
    except (OSError, ValueError):
        # CPython lets errors other than these three escape (ELOOP, EIO); a static answer
        # reads them as empty. Not exact: an unreadable directory may still be searchable.
        contents, is_dir, exact = [], False, False
    if config.relax_case:
        contents = [name.lower() for name in contents]
    return _Listing(frozenset(contents), is_dir, exact)


class _DirFinder:
    """One directory on the path: FileFinder over a listing taken once."""

    __slots__ = ("core", "listing", "path")

    def __init__(self, core: PathCore, path: str) -> None:
        self.core = core
        self.path = path
        self.listing: _Listing | None = None

    def find_spec(self, tail_module: str) -> RawSpec | None:
        # Mirrors importlib._bootstrap_external.FileFinder.find_spec (3.10–3.13). Suffixes are
        # tried in loader order as there, but only those the listing holds get a stat.
        core = self.core
        config = core.config
        listing = self.listing
        if listing is None:
            listing = self.listing = core.listing(self.path)
        cache_module = tail_module.lower() if config.relax_case else tail_module
        is_namespace = False
        base_path = ""
        # (1) A directory of that name: a package if it holds an __init__ with a known suffix.
        if cache_module in listing.names:
            base_path = _path_join(self.path, tail_module)
            inner = core.listing(base_path)
            present = inner.stems(config.loaders).get("__init__", 0) if inner.exact else -1
            for bit, (suffix, kind) in enumerate(config.loaders):
                if present & (1 << bit):
                    full_path = base_path + "/__init__" + suffix
                    st = _stat_mode(full_path, _S_IFREG)
                    if st is not None:
                        return core.file_spec(kind, full_path, (base_path,), st, inner)
            # ... else maybe a namespace portion, if no module file follows. A listing that
            # succeeded proves a directory; otherwise ask stat, as CPython does.
            is_namespace = inner.is_dir or (
                not inner.exact and _stat_mode(base_path, _S_IFDIR) is not None
            )
        # (2) A module file, suffixes in loader order.
        present = listing.stems(config.loaders).get(cache_module, 0)
        if present:
            for bit, (suffix, kind) in enumerate(config.loaders):
                if present & (1 << bit):
                    full_path = _path_join(self.path, tail_module + suffix)
                    st = _stat_mode(full_path, _S_IFREG)
                    if st is not None:
                        return core.file_spec(kind, full_path, None, st, listing)
        # (3) A namespace portion.
        if is_namespace:
            return (config.namespace_kind, None, (base_path,), None, -1, -1, -1, -1)
        return None


class _HookFinder:
    """The finder a path hook of ``config.path_hooks`` made for an entry: it is asked with the
    full name, as a path-entry finder is, not only the tail as the standard ones are here."""

    __slots__ = ("find",)

    def __init__(self, find: Any) -> None:
        self.find = find


_NOT_SEEN = object()


class PathCore:
    """The meta path's standard finders over cached listings, kept until invalidated:
    BuiltinImporter, FrozenImporter, then PathFinder with zipimporter and FileFinder hooks."""

    def __init__(self, config: CoreConfig) -> None:
        self.config = config
        self._finders: dict[str, Any] = {}
        self._listings: dict[str, _Listing] = {}
        self._last_entry: str | None = None
        self._last_finder: Any = None
        # Whether a call has completed since the listings were last dropped (file_spec).
        self._listings_reused = False

    def invalidate_caches(self) -> None:
        self._finders.clear()
        self._listings.clear()
        self._listings_reused = False
        self._last_entry = self._last_finder = None

    def listing(self, path: str) -> _Listing:
        """The listing of the directory ``path``, taken on first use."""
        try:
            return self._listings[path]
        except KeyError:
            found = self._listings[path] = list_directory(path, self.config)
            return found

    def file_spec(
        self,
        kind: Any,
        origin: str,
        search: tuple[str, ...] | None,
        st: os.stat_result,
        home: _Listing,
    ) -> RawSpec:
        """The raw spec of a file found on disk (in the directory listed as ``home``), with its
        cached file located and stat'ed."""
        size, mtime = st.st_size, st.st_mtime_ns
        cached = get_cached(origin, self.config)
        if cached == origin:
            return (kind, origin, search, cached, size, mtime, size, mtime)
        if cached is None:
            return (kind, origin, search, cached, size, mtime, -1, -1)
        head, _, tail = cached.rpartition("/")
        if (
            self.config.pycache_prefix is None
            and home.exact
            and "__pycache__" not in home.names
            and head.endswith("/__pycache__")
        ):
            # The cache would be home's own __pycache__, and home has none: nothing to stat.
            return (kind, origin, search, cached, size, mtime, -1, -1)
        # A first call stats each .pyc rather than list __pycache__ (_fast stats them beside
        # its walk). Later calls list it, once for all the calls after them, which then make no
        # failing stats. Both cores keep this rule, so a .pyc written between calls is seen
        # by both or by neither.
        listing = home.cached_listing
        if listing is None and self._listings_reused:
            # The same for every source in home: it depends on the directory alone.
            listing = home.cached_listing = self.listing(head or "/")
        cached_st = None
        if listing is None or not listing.exact or tail in listing.names:
            cached_st = _stat_mode(cached, _S_IFREG)
        if cached_st is None:
            return (kind, origin, search, cached, size, mtime, -1, -1)
        return (kind, origin, search, cached, size, mtime, cached_st.st_size, cached_st.st_mtime_ns)

    def _finder(self, entry: str) -> Any:
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories.
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        if entry is self._last_entry:
            return self._last_finder  # siblings share their parent's search location
        finder = self._finders.get(entry, _NOT_SEEN)
        if finder is not _NOT_SEEN:
            self._last_entry, self._last_finder = entry, finder
            return finder
        listed = self._listings.get(entry)
        if listed is not None and listed.is_dir and _path_isabs(entry):
            # A package's directory, listed when the package was found: no zip archive, and
            # FileFinder keeps an absolute path as it is.
            finder = _DirFinder(self, entry)
        else:
            finder = self.config.zip_finder(entry, self.config)
            if finder is None and _stat_mode(entry, _S_IFDIR) is not None:
                finder = _DirFinder(self, finder_path(entry, self.config.minor_version))
            if finder is None:
                finder = self._hook_finder(entry)
        self._finders[entry] = finder
        return finder

    def _hook_finder(self, entry: str) -> _HookFinder | None:
        # sys.path_hooks after the standard two (an editable install's placeholder entry).
        for hook in self.config.path_hooks:
            find = hook(entry)
            if find is not None:
                return _HookFinder(find)
        return None

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
            if type(finder) is _HookFinder:
                raw = finder.find(fullname)
            else:
                raw = finder.find_spec(tail_module)
            if raw is None:
                continue
            if raw[0] is not self.config.namespace_kind:
                return raw  # type: ignore[no-any-return]
            namespace_path.extend(raw[2])
        if namespace_path:
            return (self.config.namespace_kind, None, tuple(namespace_path), None, -1, -1, -1, -1)
        return None

    def _find_on(self, fullname: str, path: Sequence[object], top_level: bool) -> RawSpec | None:
        # sys.meta_path's standard order: BuiltinImporter, FrozenImporter, PathFinder.
        config = self.config
        try:
            if (
                (top_level or not config.builtin_needs_top_level)
                and fullname in config.builtin_names
                and config.is_builtin(fullname)
            ):
                return (config.builtin_kind, "built-in", None, None, -1, -1, -1, -1)
            frozen_names = config.frozen_names
            may_be_frozen = frozen_names is None or frozen_key(fullname) in frozen_names
            if may_be_frozen and config.is_frozen(fullname):
                frozen: RawSpec | None = config.frozen_spec(fullname)
                if frozen is not None:
                    return frozen
        except (ImportError, ValueError):
            pass  # NUL bytes, lone surrogates, excluded frozen modules: not those finders'
        found = self.find_spec(fullname, path)
        if found is None:
            # sys.meta_path's finders after PathFinder, in order (editable installs' hooks).
            for late_finder in config.late_finders:
                found = late_finder(fullname, self.find_spec)
                if found is not None:
                    break
        return found

    def find_many(self, fullnames: Sequence[str], path: Sequence[object]) -> list[RawSpec | None]:
        """The raw spec of each absolute name (None: not found), parents searched first."""
        # Mirrors importlib._bootstrap._find_and_load_unlocked's search, with the parent's spec
        # standing in for the imported parent. CPython recurses into the parents; a loop does
        # the same without a RecursionError for names of hundreds of parts.
        memo: dict[str, RawSpec | None] = {}
        raw: Any  # an answer, or _NOT_SEEN
        last_parent, last_raw = None, None
        package_hook = self.config.package_hook
        # In sorted order siblings come together, so their parent's answer is at hand without
        # a probe into a memo of every name; the answers do not depend on the order.
        for fullname in sorted(fullnames):
            if fullname in memo:
                continue
            # Climb to the nearest ancestor whose answer is known or needs no parent ...
            pending = [fullname]
            parent_name, dot, tail = fullname.rpartition(".")
            raw = _NOT_SEEN
            while dot and tail and parent_name:
                if parent_name == last_parent:
                    raw = last_raw
                    break
                raw = memo.get(parent_name, _NOT_SEEN)
                if raw is not _NOT_SEEN:
                    break
                pending.append(parent_name)
                parent_name, dot, tail = parent_name.rpartition(".")
            # ... then answer from the top down, each answer being the next one's parent's.
            for name in reversed(pending):
                parent_name, dot, tail = name.rpartition(".")
                if not tail or (dot and not parent_name):
                    raw = None  # '', 'a.', 'a..b': no module has an empty name part
                elif dot:
                    last_parent, last_raw = parent_name, raw
                    search = None if raw is None else raw[2]
                    raw = None if search is None else self._find_on(name, search, False)
                else:
                    search = path
                    raw = self._find_on(name, path, True)
                if package_hook is not None and raw is not None and raw[2] is not None:
                    # What the package's own code makes of its __path__, when asked to model it.
                    raw = package_hook(name, raw, search, self.find_spec)
                memo[name] = raw
        self._listings_reused = True
        return [memo[fullname] for fullname in fullnames]

    def find_specs(
        self, wanted: Mapping[str, str], path: Sequence[object]
    ) -> dict[str, Spec | None]:
        """find_many's answers as Specs: for each name of ``wanted`` (which maps it to its
        absolute name), in its order, the Spec of that absolute name, or None."""
        raws = self.find_many(list(wanted.values()), path)
        return {
            name: make_spec(fullname, raw)
            for (name, fullname), raw in zip(wanted.items(), raws, strict=True)
        }


_PYC_HEADER = 16  # PEP 552: magic, flags, then source mtime and size, or source hash


def read_pyc_headers(paths: list[str]) -> list[bytes | None]:
    """The first 16 bytes of each file (fewer for a short file), or None where the file is
    missing, unreadable or not a regular file (the twin of _fast.read_pyc_headers)."""
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
            if (os.fstat(fd).st_mode & _S_IFMT) != _S_IFREG:
                headers.append(None)
                continue
            header = b""
            while len(header) < _PYC_HEADER:
                chunk = os.read(fd, _PYC_HEADER - len(header))
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
