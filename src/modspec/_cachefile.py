"""PEP 3147: where a source's bytecode is cached, and which cached files a finder must stat."""

from __future__ import annotations

import enum
import os

from ._paths import path_isabs, path_join

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._config import CoreConfig

__all__ = [
    "PYCACHE",
    "CachedCheck",
    "cache_from_source",
    "cached_check",
    "get_cached",
    "pycache_suffix",
]

PYCACHE = "__pycache__"
_OPT = "opt-"


def pycache_suffix(config: CoreConfig) -> str | None:
    """What follows a dotted source name's stem in its cached file's name (``.cpython-311.pyc``,
    ``.cpython-311.opt-1.pyc``); None where the interpreter has no cache tag."""
    if config.cache_tag is None:
        return None
    optimization = f".{_OPT}{config.optimization}" if config.optimization else ""
    return f".{config.cache_tag}{optimization}{config.bytecode_suffixes[0]}"


def cache_from_source(path: str, config: CoreConfig) -> str | None:
    """``importlib.util.cache_from_source`` for the config's interpreter (None: no cache tag)."""
    # Mirrors importlib._bootstrap_external.cache_from_source (3.10–3.13, POSIX).
    suffix = pycache_suffix(config)
    if suffix is None:
        return None
    head, _, tail = path.rpartition("/")
    base, sep, rest = tail.rpartition(".")
    # CPython joins the part before the last dot (or, where that is empty, the part after it),
    # the dot and the tag: a name without a dot gets the tag with no dot before it.
    stem = base if base else rest
    filename = stem + suffix if sep else stem + suffix[1:]
    if config.pycache_prefix is not None:
        # PEP 3147 + bpo-33499: the source's absolute directory is re-rooted under the prefix.
        if not path_isabs(head):
            head = path_join(os.getcwd(), head)
        return path_join(config.pycache_prefix, head.lstrip("/"), filename)
    return path_join(head, PYCACHE, filename)


def get_cached(origin: str, config: CoreConfig) -> str | None:
    """``ModuleSpec.cached`` for a spec with this origin."""
    # Mirrors importlib._bootstrap_external._get_cached.
    if origin.endswith(config.source_suffixes):
        return cache_from_source(origin, config)
    if origin.endswith(config.bytecode_suffixes):
        return origin
    return None


class CachedCheck(enum.IntEnum):
    """What a core must stat of the cached files of the sources it finds in one directory."""

    NONE = 0
    """Nothing: the cache is the directory's own __pycache__, and its exact listing has none."""
    STAT = 1
    """Each source's .pyc: the cache directory is not listed (a first call)."""
    LISTED = 2
    """Only the .pyc the cache directory's listing names (each, if that listing is not exact)."""


def cached_check(
    config: CoreConfig, home: str, home_exact: bool, home_has_pycache: bool, reused: bool
) -> CachedCheck:
    """The rule both cores keep for the sources found in the directory ``home``, whose listing
    is ``home_exact`` and names ``__pycache__`` or not; ``reused``: whether a call has completed
    since the listings were taken."""
    # cache_from_source puts a file of "/" (or "//") in a relative __pycache__: not home's own.
    beside = config.pycache_prefix is None and home.rstrip("/") != ""
    if beside and home_exact and not home_has_pycache:
        return CachedCheck.NONE
    # A first call stats each .pyc rather than list __pycache__ (the Cython core stats them
    # beside its walk). Later calls list it, once for all the calls after them, which then
    # make no failing stats; so a .pyc written between calls is seen by both cores or neither.
    return CachedCheck.LISTED if reused else CachedCheck.STAT
