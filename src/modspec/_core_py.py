"""Pure-Python resolution core: PathFinder and FileFinder over a listing cache (the reference).

Its twin, ``_core_c.pyx``, takes the same steps in the same order under the same names; what
only C needs there (hashed listings, directory-relative stats, the stat thread) is marked so.
"""

from __future__ import annotations

import os

from ._cachefile import PYCACHE, CachedCheck, cached_check, get_cached
from ._config import frozen_key
from ._paths import finder_path, is_directory, path_isabs, path_join, regular_stat
from ._rawspec import SEARCH, file_spec, make_spec, unlocated_spec
from ._spec import Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ._config import CoreConfig, EntryFinder, NameFinder
    from ._rawspec import RawSpec
    from ._spec import Spec

__all__ = ["PathCore"]


class _Listing:
    """A directory listed once: its entry names, and (worked out when first searched) for each
    module stem the bitmask of loader suffixes present (bit i: ``stem + loaders[i][0]``)."""

    __slots__ = ("_check", "_stems", "cached_listing", "exact", "is_dir", "names")

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
        # cached_check's answer for this directory, and the `reused` it was given.
        self._check: tuple[CachedCheck, bool] | None = None

    def has(self, name: str) -> bool:
        """Whether ``name`` is listed."""
        return name in self.names

    def cached_check(self, path: str, config: CoreConfig, reused: bool) -> CachedCheck:
        """What to stat of the cached files of the sources found here (_cachefile's rule)."""
        if self._check is None or self._check[1] != reused:
            check = cached_check(config, path, self.exact, self.has(PYCACHE), reused)
            self._check = (check, reused)
        return self._check[0]

    def present(self, stem: str, loaders: tuple[tuple[str, Kind], ...]) -> int:
        """The bitmask of loader suffixes listed after ``stem`` (bit i: ``stem + suffix i``)."""
        # Worked out lazily: a __pycache__ directory is listed for its names alone.
        if self._stems is None:
            stems: dict[str, int] = {}
            for name in self.names:
                for bit, (suffix, _) in enumerate(loaders):
                    if name.endswith(suffix) and len(name) > len(suffix):
                        stem_of = name[: -len(suffix)]
                        stems[stem_of] = stems.get(stem_of, 0) | (1 << bit)
            self._stems = stems
        return self._stems.get(stem, 0)


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
        if listing.has(cache_module):
            base_path = path_join(self.path, tail_module)
            inner = core.listing(base_path)
            present = inner.present("__init__", config.loaders) if inner.exact else -1
            for bit, (suffix, kind) in enumerate(config.loaders):
                if present & (1 << bit):
                    full_path = base_path + "/__init__" + suffix
                    st = regular_stat(full_path)
                    if st is not None:
                        return core.file_spec(kind, full_path, (base_path,), st, inner, base_path)
            # ... else maybe a namespace portion, if no module file follows. A listing that
            # succeeded proves a directory; otherwise ask stat, as CPython does.
            is_namespace = inner.is_dir or (not inner.exact and is_directory(base_path))
        # (2) A module file, suffixes in loader order.
        present = listing.present(cache_module, config.loaders)
        if present:
            for bit, (suffix, kind) in enumerate(config.loaders):
                if present & (1 << bit):
                    full_path = path_join(self.path, tail_module + suffix)
                    st = regular_stat(full_path)
                    if st is not None:
                        return core.file_spec(kind, full_path, None, st, listing, self.path)
        # (3) A namespace portion.
        if is_namespace:
            return unlocated_spec(Kind.NAMESPACE, None, (base_path,))
        return None


class _HookFinder:
    """The finder a path hook of ``config.path_hooks`` made for an entry: it is asked with the
    full name, as a path-entry finder is, not only the tail as the standard ones are here."""

    __slots__ = ("find",)

    def __init__(self, find: NameFinder) -> None:
        self.find = find


_NOT_SEEN = object()
if TYPE_CHECKING:
    _Finder = _DirFinder | _HookFinder | EntryFinder | None


class PathCore:
    """The meta path's standard finders over cached listings, kept until invalidated:
    BuiltinImporter, FrozenImporter, then PathFinder with zipimporter and FileFinder hooks."""

    def __init__(self, config: CoreConfig) -> None:
        self.config = config
        self._finders: dict[str, _Finder] = {}
        self._listings: dict[str, _Listing] = {}
        self._last_entry: str | None = None
        self._last_finder: _Finder = None
        # Whether a call has completed since the listings were last dropped (_locate_cached).
        self._listings_reused = False

    def invalidate_caches(self) -> None:
        self._finders.clear()
        self._listings.clear()
        self._listings_reused = False
        self._last_entry = self._last_finder = None

    def read_paths(self) -> list[str]:
        """The directories listed and the path entries given to the path hooks since the
        last invalidation: with the files its answers name, what those answers depend on."""
        return [*self._listings, *map(str.__str__, self._finders)]

    def listing(self, path: str) -> _Listing:
        """The listing of the directory ``path``, taken on first use."""
        try:
            return self._listings[path]
        except KeyError:
            found = self._listings[path] = list_directory(path, self.config)
            return found

    def _locate_cached(
        self, origin: str, home: _Listing, home_path: str
    ) -> tuple[str | None, bool]:
        """The cached file of ``origin`` (found in the directory ``home_path``, listed as
        ``home``), and whether it needs a stat."""
        cached = get_cached(origin, self.config)
        if cached is None or cached == origin:
            return cached, False
        check = home.cached_check(home_path, self.config, self._listings_reused)
        if check is CachedCheck.NONE:
            return cached, False
        if check is CachedCheck.STAT:
            return cached, True
        head, _, tail = cached.rpartition("/")
        listing = home.cached_listing
        if listing is None:
            # The same for every source in home: it depends on the directory alone.
            listing = home.cached_listing = self.listing(head or "/")
        return cached, not listing.exact or listing.has(tail)

    def file_spec(
        self,
        kind: Kind,
        origin: str,
        search: tuple[str, ...] | None,
        st: os.stat_result,
        home: _Listing,
        home_path: str,
    ) -> RawSpec:
        """The raw spec of a file found on disk (in the directory ``home_path``, listed as
        ``home``), with its cached file located and stat'ed."""
        cached, needs_stat = self._locate_cached(origin, home, home_path)
        if cached == origin:
            return file_spec(kind, origin, search, cached, st, st)
        cached_st = regular_stat(cached) if cached is not None and needs_stat else None
        return file_spec(kind, origin, search, cached, st, cached_st)

    def _finder(self, entry: str) -> _Finder:
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories. As
        # there, the entry object keys the cache and is given to the hooks (a str subclass's
        # own __eq__ and __hash__ count), and the file system gets its str value (os.stat
        # takes a str as it is, never asking __fspath__ or __str__).
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        if entry is self._last_entry:
            return self._last_finder  # siblings share their parent's search location
        finder = self._finders.get(entry, _NOT_SEEN)
        if finder is not _NOT_SEEN:
            self._last_entry, self._last_finder = entry, finder  # type: ignore[assignment]
            return finder  # type: ignore[return-value]
        value = str.__str__(entry)
        listed = self._listings.get(value)
        found: _Finder
        if listed is not None and listed.is_dir and path_isabs(value):
            # A package's directory, listed when the package was found: no zip archive, and
            # FileFinder keeps an absolute path as it is.
            found = _DirFinder(self, value)
        else:
            found = self.config.zip_finder(value, self.config)
            if found is None and is_directory(value):
                path = finder_path(entry, self.config.minor_version)
                found = _DirFinder(self, str.__str__(path))
            if found is None:
                found = self._hook_finder(entry)
        self._finders[entry] = found
        return found

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
                raw = finder.find_spec(tail_module)  # type: ignore[union-attr]
            if raw is None:
                continue
            if raw[0] is not Kind.NAMESPACE:
                return raw
            namespace_path.extend(raw[SEARCH] or ())
        if namespace_path:
            return unlocated_spec(Kind.NAMESPACE, None, tuple(namespace_path))
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
                return unlocated_spec(Kind.BUILTIN, "built-in", None)
            frozen_names = config.frozen_names
            may_be_frozen = frozen_names is None or frozen_key(fullname) in frozen_names
            if may_be_frozen and config.is_frozen(fullname):
                frozen = config.frozen_spec(fullname)
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
        memo = self._find_all(fullnames, path)
        return [memo[fullname] for fullname in fullnames]

    def find_specs(
        self, wanted: Mapping[str, str], path: Sequence[object]
    ) -> dict[str, Spec | None]:
        """find_many's answers as Specs: for each name of ``wanted`` (which maps it to its
        absolute name), in its order, the Spec of that absolute name, or None."""
        memo = self._find_all(list(wanted.values()), path)
        return {name: make_spec(fullname, memo[fullname]) for name, fullname in wanted.items()}

    def _find_all(
        self, fullnames: Sequence[str], path: Sequence[object]
    ) -> dict[str, RawSpec | None]:
        # Mirrors importlib._bootstrap._find_and_load_unlocked's search, with the parent's spec
        # standing in for the imported parent. CPython recurses into the parents; a loop does
        # the same without a RecursionError for names of hundreds of parts.
        memo: dict[str, RawSpec | None] = {}
        raw: RawSpec | None
        last_parent: str | None = None
        last_raw: RawSpec | None = None
        # In sorted order siblings come together, so their parent's answer is at hand without
        # a probe into a memo of every name; the answers do not depend on the order.
        for fullname in sorted(fullnames):
            if fullname in memo:
                continue
            if (
                not fullname
                or fullname.startswith(".")
                or fullname.endswith(".")
                or (".." in fullname)
            ):
                memo[fullname] = None  # '', 'a.', 'a..b': no module has an empty name part
                continue
            parent_name, dot, _ = fullname.rpartition(".")
            if not dot:
                memo[fullname] = self._answer(fullname, path, True)
                continue
            if parent_name == last_parent:
                raw = last_raw
            else:
                known = memo.get(parent_name, _NOT_SEEN)
                if known is _NOT_SEEN:
                    raw = self._parent_answer(fullname, len(parent_name), memo, path)
                else:
                    raw = known  # type: ignore[assignment]
                last_parent, last_raw = parent_name, raw
            search = None if raw is None else raw[SEARCH]
            memo[fullname] = None if search is None else self._answer(fullname, search, False)
        self._listings_reused = True
        return memo

    def _parent_answer(
        self,
        fullname: str,
        parent_end: int,
        memo: dict[str, RawSpec | None],
        path: Sequence[object],
    ) -> RawSpec | None:
        """The answer of ``fullname``'s parent, ``fullname[:parent_end]``: its ancestors not
        answered yet are, from the top down, up to the first one not found or not a package,
        whose descendants are all None. A name of P parts makes a str per part answered, not
        one per prefix (P prefixes: quadratic)."""
        start = 0
        search: Sequence[object] | None = path
        while True:
            end = fullname.find(".", start, parent_end + 1)
            name = fullname[:end]
            known = memo.get(name, _NOT_SEEN)
            if known is _NOT_SEEN:
                raw = memo[name] = self._answer(name, search, start == 0)  # type: ignore[arg-type]
            else:
                raw = known  # type: ignore[assignment]
            if end == parent_end:
                return raw
            search = None if raw is None else raw[SEARCH]
            if search is None:
                return None
            start = end + 1

    def _answer(self, name: str, search: Sequence[object], top_level: bool) -> RawSpec | None:
        # The answer of ``name``, ``search`` being its parent's search locations, or the path
        # for a top-level name.
        found = self._find_on(name, search, top_level)
        package_hook = self.config.package_hook
        if package_hook is not None and found is not None and found[SEARCH] is not None:
            # What the package's own code makes of its __path__, when asked to model it.
            found = package_hook(name, found, search, self.find_spec)
        return found
