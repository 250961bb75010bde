"""The running interpreter's import settings, read once into builtins the cores can use."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

# Platforms where CPython's FileFinder may match names case-insensitively (PYTHONCASEOK).
_CASE_INSENSITIVE_PLATFORMS = ("win", "cygwin", "darwin")


class CoreConfig(NamedTuple):
    """Everything a resolution core needs to know about the interpreter, as plain values.

    ``loaders`` pairs each file suffix with the kind its loader gives, in FileFinder's order;
    the cores hand those kinds back untouched, so they need not know what a Kind is.
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
    namespace_kind: Any
    # Called with a path entry (and this config); returns a zip finder, or None for an entry
    # that is not a zip archive.
    zip_finder: Callable[[str, CoreConfig], Any]


def relax_case() -> bool:
    # Mirrors importlib._bootstrap_external._make_relax_case: PYTHONCASEOK only counts on
    # case-insensitive platforms and only without -E.
    if not sys.platform.startswith(_CASE_INSENSITIVE_PLATFORMS):
        return False
    return not sys.flags.ignore_environment and "PYTHONCASEOK" in os.environ


def current(
    source: Any,
    bytecode: Any,
    extension: Any,
    namespace: Any,
    zip_finder: Callable[[str, CoreConfig], Any],
) -> CoreConfig:
    """The config of the running interpreter, labelling suffixes with the given kinds."""
    machinery = importlib.machinery
    # Mirrors importlib._bootstrap_external._get_supported_file_loaders: extensions, source,
    # bytecode — the order FileFinder tries suffixes in.
    loaders = (
        *((suffix, extension) for suffix in machinery.EXTENSION_SUFFIXES),
        *((suffix, source) for suffix in machinery.SOURCE_SUFFIXES),
        *((suffix, bytecode) for suffix in machinery.BYTECODE_SUFFIXES),
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
        namespace_kind=namespace,
        zip_finder=zip_finder,
    )
