"""The raw spec: the plain tuple both cores answer with, its layout, and its public view.

A raw spec is ``(kind, origin, submodule_search_locations, cached, origin size, origin
mtime_ns, cached size, cached mtime_ns)``: builtins only, so that the Cython core can build
and fill it from C. A size of ``NO_FILE`` means that file does not exist (or the spec has no
location), and its mtime is then ``NO_FILE`` too. Only the constructors below build one; the
Cython core spells the same layout in C (``_core_c.pyx``), and a test holds the two equal.
"""

from __future__ import annotations

from ._spec import FileStat, Kind, Spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import Final

__all__ = [
    "CACHED",
    "CACHED_MTIME",
    "CACHED_SIZE",
    "KIND",
    "LAYOUT",
    "NO_FILE",
    "ORIGIN",
    "ORIGIN_MTIME",
    "ORIGIN_SIZE",
    "SEARCH",
    "SPEC_SLOTS",
    "RawSpec",
    "file_spec",
    "make_spec",
    "unlocated_spec",
    "with_search",
]

RawSpec = tuple[Kind, "str | None", "tuple[str, ...] | None", "str | None", int, int, int, int]

# Final, so that the type checker knows each field's type when a raw spec is indexed by name.
KIND: Final = 0
ORIGIN: Final = 1
SEARCH: Final = 2
CACHED: Final = 3
ORIGIN_SIZE: Final = 4
ORIGIN_MTIME: Final = 5
CACHED_SIZE: Final = 6
CACHED_MTIME: Final = 7
LAYOUT = (
    "kind", "origin", "search", "cached", "origin_size", "origin_mtime", "cached_size",
    "cached_mtime",
)  # fmt: skip
NO_FILE: Final = -1


def unlocated_spec(kind: Kind, origin: str | None, search: tuple[str, ...] | None) -> RawSpec:
    """A spec with no file of its own: builtin, frozen, a namespace package."""
    return (kind, origin, search, None, NO_FILE, NO_FILE, NO_FILE, NO_FILE)


def file_spec(
    kind: Kind,
    origin: str,
    search: tuple[str, ...] | None,
    cached: str | None,
    origin_st: os.stat_result | None,
    cached_st: os.stat_result | None,
) -> RawSpec:
    """A spec with a file location, and the stats of its origin and cached files (None: that
    file is missing or is not a regular file)."""
    return (
        kind,
        origin,
        search,
        cached,
        *((NO_FILE, NO_FILE) if origin_st is None else (origin_st.st_size, origin_st.st_mtime_ns)),
        *((NO_FILE, NO_FILE) if cached_st is None else (cached_st.st_size, cached_st.st_mtime_ns)),
    )


def with_search(raw: RawSpec, search: tuple[str, ...]) -> RawSpec:
    """``raw`` with other submodule search locations (what a package's code makes of them)."""
    kind, origin, _, cached, osize, omtime, csize, cmtime = raw
    return (kind, origin, search, cached, osize, omtime, csize, cmtime)


# Answers in bulk: Spec's slot descriptors set each field directly, without the call of its
# __init__. Unpacking fails at import if a field is added without updating make_spec (and
# the Cython core's twin).
SPEC_SLOTS = tuple(getattr(Spec, name) for name in Spec.__match_args__)
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
    _set_origin_stat(spec, FileStat(osize, omtime) if osize != NO_FILE else None)
    _set_cached_stat(spec, FileStat(csize, cmtime) if csize != NO_FILE else None)
    return spec
