"""The running interpreter's import settings, read once into builtins the cores can use."""

from __future__ import annotations

import _imp
import importlib.machinery
import os
import sys
from collections.abc import Callable
from importlib.machinery import FrozenImporter
from typing import Any, NamedTuple

from ._spec import Kind

# Platforms where CPython's FileFinder may match names case-insensitively (PYTHONCASEOK).
_CASE_INSENSITIVE_PLATFORMS = ("win", "cygwin", "darwin")


class CoreConfig(NamedTuple):
    """Everything a resolution core needs to know about the interpreter, as plain values.

    ``loaders`` pairs each file suffix with the kind its loader gives, in FileFinder's order;
    the cores hand kinds back untouched, so they need not know what a Kind is.
    """

    loaders: tuple[tuple[str, Any], ...]
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
    namespace_kind: Any
    builtin_kind: Any
    # BuiltinImporter's question; 3.10's finds nothing for submodules (when given a path).
    is_builtin: Callable[[str], Any]
    # The names is_builtin may accept (the inittab's, fixed at start-up): a set lookup spares
    # every other name the call and its scan of the table.
    builtin_names: frozenset[str]
    builtin_needs_top_level: bool
    # FrozenImporter's question (truthy when frozen), and the raw spec it would give.
    is_frozen: Callable[[str], Any]
    # The names is_frozen may accept (3.11+: the frozen tables' names, as -X frozen_modules
    # leaves them), up to a NUL (frozen_key), which spares every other name its scan of the
    # tables; None: ask is_frozen for every name.
    frozen_names: frozenset[str] | None
    frozen_spec: Callable[[str], Any]
    # Called with a path entry (and this config); returns a zip finder, or None for an entry
    # that is not a zip archive.
    zip_finder: Callable[[str, CoreConfig], Any]
    # Finders that sys.meta_path holds after PathFinder (editable installs' hooks): each is
    # called with (fullname, the core's find_spec) for a name the standard finders do not
    # find, and returns a raw spec or None.
    late_finders: tuple[Callable[[str, Any], Any], ...] = ()
    # Path hooks after zipimporter and FileFinder's: each is called with a path entry that is
    # neither a zip archive nor a directory, and returns None or a callable that answers a
    # full name with a raw spec (a namespace portion, say) or None.
    path_hooks: tuple[Callable[[str], Any], ...] = ()
    # Called with (fullname, raw spec, the path it was found on, the core's find_spec) for each
    # package found, and returns the raw spec to use: what the package's own code would make
    # of its __path__ (legacy namespace packages).
    package_hook: Callable[[str, Any, Any, Any], Any] | None = None


def relax_case() -> bool:
    # Mirrors importlib._bootstrap_external._make_relax_case: PYTHONCASEOK only counts on
    # case-insensitive platforms and only without -E.
    if not sys.platform.startswith(_CASE_INSENSITIVE_PLATFORMS):
        return False
    return not sys.flags.ignore_environment and "PYTHONCASEOK" in os.environ


def frozen_spec(fullname: str) -> Any:
    """The raw spec FrozenImporter.find_spec gives ``fullname``, or None."""
    # FrozenImporter knows a frozen package's source directory (3.11+); ask it, once per hit.
    spec = FrozenImporter.find_spec(fullname)
    if spec is None:
        return None
    search = spec.submodule_search_locations
    return (
        Kind.FROZEN,
        spec.origin,
        None if search is None else tuple(search),
        None,
        -1,
        -1,
        -1,
        -1,
    )


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
    zip_finder: Callable[[str, CoreConfig], Any],
    *,
    late_finders: tuple[Callable[[str, Any], Any], ...] = (),
    path_hooks: tuple[Callable[[str], Any], ...] = (),
    package_hook: Callable[[str, Any, Any, Any], Any] | None = None,
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
        namespace_kind=Kind.NAMESPACE,
        builtin_kind=Kind.BUILTIN,
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
