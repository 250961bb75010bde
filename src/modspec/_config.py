"""The running interpreter's import settings, read once into builtins the cores can use, and
the typed slots through which finders and hooks plug into a core."""

from __future__ import annotations

import _imp
import importlib.machinery
import os
import sys
from importlib.machinery import FrozenImporter

from ._rawspec import unlocated_spec
from ._records import NamedTuple
from ._spec import Kind

__all__ = [
    "CoreConfig",
    "EntryFinder",
    "FindSpec",
    "LateFinder",
    "NameFinder",
    "PackageHook",
    "PathHook",
    "ZipHook",
    "current",
    "frozen_key",
]

# Platforms where CPython's FileFinder may match names case-insensitively (PYTHONCASEOK).
_CASE_INSENSITIVE_PLATFORMS = ("win", "cygwin", "darwin")

# The slots' protocols are for the type checker only (typing costs a tenth of a resolve's
# start-up): other modules import them under TYPE_CHECKING too.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Protocol

    from ._rawspec import RawSpec

    class _NameQuestion(Protocol):
        # _imp.is_builtin and find_frozen answer with an int, a spec or None: only truth counts.
        def __call__(self, name: str, /) -> object: ...

    class FindSpec(Protocol):
        """A core's PathFinder.find_spec: the raw spec of ``fullname`` on ``path``, or None."""

        def __call__(self, fullname: str, path: Sequence[object], /) -> RawSpec | None: ...

    class EntryFinder(Protocol):
        """A path-entry finder asked with the last part of a name (a zip archive's, say)."""

        def find_spec(self, tail_module: str, /) -> RawSpec | None: ...

    class NameFinder(Protocol):
        """A path-entry finder a third-party path hook made: asked with the full name."""

        def __call__(self, fullname: str, /) -> RawSpec | None: ...

    class ZipHook(Protocol):
        """zipimporter's path hook: a finder for a zip path entry, None for any other entry."""

        def __call__(self, entry: str, config: CoreConfig, /) -> EntryFinder | None: ...

    class LateFinder(Protocol):
        """A meta path finder after PathFinder, asked for what the standard finders do not find."""

        def __call__(self, fullname: str, find_spec: FindSpec, /) -> RawSpec | None: ...

    class PathHook(Protocol):
        """A path hook after zipimporter's and FileFinder's: a finder for the entry, or None."""

        def __call__(self, entry: str, /) -> NameFinder | None: ...

    class PackageHook(Protocol):
        """What a package's own code makes of its ``__path__``: the raw spec to use for it."""

        def __call__(
            self, fullname: str, raw: RawSpec, search: Sequence[object], find_spec: FindSpec, /
        ) -> RawSpec: ...


class CoreConfig(NamedTuple):
    """Everything a resolution core needs to know about the interpreter, as plain values.

    ``loaders`` pairs each file suffix with the kind its loader gives, in FileFinder's order.
    """

    loaders: tuple[tuple[str, Kind], ...]
    source_suffixes: tuple[str, ...]
    bytecode_suffixes: tuple[str, ...]
    cache_tag: str | None
    optimization: str
    pycache_prefix: str | None
    # FileFinder normalises its directory differently in 3.10, 3.11 and 3.12+.
    minor_version: int
    relax_case: bool
    # Whether a directory listing tells exactly which names a stat would find there (case-
    # sensitive file systems): then missing __init__ and .pyc files need no stat to rule out.
    listings_exact: bool
    # BuiltinImporter's question; 3.10's finds nothing for submodules (when given a path).
    is_builtin: _NameQuestion
    # The names is_builtin may accept (the inittab's, fixed at start-up): a set lookup spares
    # every other name the call and its scan of the table.
    builtin_names: frozenset[str]
    builtin_needs_top_level: bool
    # FrozenImporter's question (truthy when frozen), and the raw spec it would give.
    is_frozen: _NameQuestion
    # The names is_frozen may accept (3.11+: the frozen tables' names, as -X frozen_modules
    # leaves them), up to a NUL (frozen_key), which spares every other name its scan of the
    # tables; None: ask is_frozen for every name.
    frozen_names: frozenset[str] | None
    frozen_spec: NameFinder
    zip_finder: ZipHook
    # Finders that sys.meta_path holds after PathFinder (editable installs' hooks), in order.
    late_finders: tuple[LateFinder, ...] = ()
    # Path hooks after zipimporter and FileFinder's (an editable install's placeholder entry).
    path_hooks: tuple[PathHook, ...] = ()
    # Called for each package found (legacy namespace packages).
    package_hook: PackageHook | None = None


def relax_case() -> bool:
    # Mirrors importlib._bootstrap_external._make_relax_case: PYTHONCASEOK only counts on
    # case-insensitive platforms and only without -E.
    if not sys.platform.startswith(_CASE_INSENSITIVE_PLATFORMS):
        return False
    return not sys.flags.ignore_environment and "PYTHONCASEOK" in os.environ


def frozen_spec(fullname: str) -> RawSpec | None:
    """The raw spec FrozenImporter.find_spec gives ``fullname``, or None."""
    # FrozenImporter knows a frozen package's source directory (3.11+); ask it, once per hit.
    spec = FrozenImporter.find_spec(fullname)
    if spec is None:
        return None
    search = spec.submodule_search_locations
    return unlocated_spec(Kind.FROZEN, spec.origin, None if search is None else tuple(search))


def frozen_names() -> frozenset[str] | None:
    """The names FrozenImporter may find now; None where the interpreter cannot tell (3.10,
    whose table is short enough to scan)."""
    # A private function, but the very list find_frozen looks names up in (3.11-3.13).
    names = getattr(_imp, "_frozen_module_names", None)
    return None if names is None else frozenset(names())


def frozen_key(fullname: str) -> str:
    """What of ``fullname`` find_frozen compares: it compares C strings, so a NUL ends it."""
    return fullname.partition("\0")[0] if "\0" in fullname else fullname


def current(
    zip_finder: ZipHook,
    *,
    late_finders: tuple[LateFinder, ...] = (),
    path_hooks: tuple[PathHook, ...] = (),
    package_hook: PackageHook | None = None,
) -> CoreConfig:
    """The config of the running interpreter (and the extra finders and hooks given)."""
    machinery = importlib.machinery
    # Mirrors importlib._bootstrap_external._get_supported_file_loaders: extensions, source,
    # bytecode — the order FileFinder tries suffixes in.
    loaders = (
        *((suffix, Kind.EXTENSION) for suffix in machinery.EXTENSION_SUFFIXES),
        *((suffix, Kind.SOURCE) for suffix in machinery.SOURCE_SUFFIXES),
        *((suffix, Kind.BYTECODE) for suffix in machinery.BYTECODE_SUFFIXES),
    )
    optimize = sys.flags.optimize
    return CoreConfig(
        loaders=loaders,
        source_suffixes=tuple(machinery.SOURCE_SUFFIXES),
        bytecode_suffixes=tuple(machinery.BYTECODE_SUFFIXES),
        cache_tag=sys.implementation.cache_tag,
        optimization="" if optimize == 0 else str(optimize),
        pycache_prefix=sys.pycache_prefix,
        minor_version=sys.version_info[1],
        relax_case=relax_case(),
        listings_exact=sys.platform.startswith("linux"),
        is_builtin=_imp.is_builtin,
        builtin_names=frozenset(sys.builtin_module_names),
        builtin_needs_top_level=sys.version_info < (3, 11),
        # 3.11 replaced is_frozen with find_frozen, which also honours -X frozen_modules.
        is_frozen=getattr(_imp, "find_frozen", None) or _imp.is_frozen,
        frozen_names=frozen_names(),
        frozen_spec=frozen_spec,
        zip_finder=zip_finder,
        late_finders=late_finders,
        path_hooks=path_hooks,
        package_hook=package_hook,
    )
