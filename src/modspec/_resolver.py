"""Resolver: sys.meta_path's standard finders (builtin, frozen, path) over a resolution core."""

from __future__ import annotations

import _imp
import sys
from collections.abc import Iterable, Sequence
from importlib.machinery import FrozenImporter

from . import _backend, _config, _zipfinder
from ._spec import FileStat, Kind, Spec

__all__ = ["InvalidName", "Resolver", "resolve", "resolve_many"]

_BUILTIN_ORIGIN = "built-in"
# 3.10's BuiltinImporter finds nothing when given a search path (that is, for submodules).
_BUILTIN_NEEDS_TOP_LEVEL = sys.version_info < (3, 11)


class InvalidName(ValueError):
    """A relative module name that cannot be made absolute (no package, or beyond the top)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r}: {reason}")
        self.name = name


def absolute_name(name: object, package: object) -> str:
    """``name`` made absolute against ``package``, as ``importlib.util.resolve_name`` does."""
    if not isinstance(name, str):
        raise TypeError(f"module name must be str, not {type(name).__name__}")
    if not name.startswith("."):
        return name
    if package is None or package == "":
        raise InvalidName(name, "a relative name needs package=")
    if not isinstance(package, str):
        raise TypeError(f"package must be str, not {type(package).__name__}")
    # Mirrors importlib._bootstrap._resolve_name.
    level = len(name) - len(name.lstrip("."))
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise InvalidName(name, f"relative import beyond the top-level package of {package!r}")
    base = bits[0]
    return f"{base}.{name[level:]}" if name[level:] else base


def _is_builtin(fullname: str) -> bool:
    # What BuiltinImporter.find_spec asks, without building a ModuleSpec to throw away.
    try:
        return bool(_imp.is_builtin(fullname))
    except ValueError:  # NUL bytes, lone surrogates: no builtin has such a name
        return False


def _frozen_spec(fullname: str) -> Spec | None:
    try:
        frozen = FrozenImporter.find_spec(fullname)
    except ValueError:
        return None
    return None if frozen is None else Spec.from_importlib(frozen)


class Resolver:
    """Resolves module names without importing them, keeping directory listings between calls.

    ``path`` replaces ``sys.path`` for top-level names (None: the live ``sys.path`` at each
    call). Listings are taken on first use and kept until ``invalidate_caches()``.
    ``backend`` picks the core: ``"cython"``, ``"python"`` or None for ``modspec.BACKEND``.
    """

    def __init__(self, path: Sequence[object] | None = None, *, backend: str | None = None) -> None:
        self._path = None if path is None else list(path)
        self.backend = _backend.BACKEND if backend is None else backend
        config = _config.current(
            source=Kind.SOURCE,
            bytecode=Kind.BYTECODE,
            extension=Kind.EXTENSION,
            namespace=Kind.NAMESPACE,
            zip_finder=_zipfinder.zip_finder,
        )
        self._core = _backend.core_class(self.backend)(config)

    def invalidate_caches(self) -> None:
        """Forget every directory listing and path-entry finder (files changed on disk)."""
        self._core.invalidate_caches()

    def resolve(self, name: str, *, package: str | None = None) -> Spec | None:
        """The spec ``import name`` would find, or None where no module of that name exists."""
        return self._find(absolute_name(name, package), {})

    def resolve_many(
        self, names: Iterable[str], *, package: str | None = None
    ) -> dict[str, Spec | None]:
        """One entry per distinct name, in input order: its spec, or None."""
        if isinstance(names, str):
            # Iterating "json" would resolve "j", "s", "o", "n": surely not what was meant.
            raise TypeError("names must be an iterable of str, not a str; use resolve() for one")
        found: dict[str, Spec | None] = {}
        memo: dict[str, Spec | None] = {}
        for name in names:
            # Checked before the lookup, so an unhashable non-str is still a clear TypeError.
            fullname = absolute_name(name, package)
            if name not in found:
                found[name] = self._find(fullname, memo)
        return found

    def _find(self, fullname: str, memo: dict[str, Spec | None]) -> Spec | None:
        # Mirrors importlib._bootstrap._find_and_load_unlocked's search, with the parent's spec
        # standing in for the imported parent. CPython recurses into the parents; a loop does the
        # same without a RecursionError for names of hundreds of parts, which are answers too.
        try:
            return memo[fullname]
        except KeyError:
            pass
        # Climb to the nearest ancestor whose answer is known or needs no parent ...
        pending = [fullname]
        parent_name, dot, tail = fullname.rpartition(".")
        while dot and tail and parent_name and parent_name not in memo:
            pending.append(parent_name)
            parent_name, dot, tail = parent_name.rpartition(".")
        # ... then answer from the top down.
        spec: Spec | None = None
        for name in reversed(pending):
            parent_name, dot, tail = name.rpartition(".")
            if not tail or (dot and not parent_name):
                spec = None  # '', 'a.', 'a..b': no module has an empty name part
            elif dot:
                parent = memo[parent_name]
                if parent is None or parent.submodule_search_locations is None:
                    spec = None
                else:
                    search = parent.submodule_search_locations
                    spec = self._find_on(name, search, top_level=False)
            else:
                path = sys.path if self._path is None else self._path
                spec = self._find_on(name, path, top_level=True)
            memo[name] = spec
        return spec

    def _find_on(self, fullname: str, path: Sequence[object], *, top_level: bool) -> Spec | None:
        # sys.meta_path's standard order: BuiltinImporter, FrozenImporter, PathFinder.
        if (top_level or not _BUILTIN_NEEDS_TOP_LEVEL) and _is_builtin(fullname):
            return Spec(fullname, Kind.BUILTIN, _BUILTIN_ORIGIN, None, None, None, None)
        frozen = _frozen_spec(fullname)
        if frozen is not None:
            return frozen
        raw = self._core.find_spec(fullname, path)
        if raw is None:
            return None
        kind, origin, search, cached, osize, omtime, csize, cmtime = raw
        return Spec(
            fullname,
            kind,
            origin,
            search,
            cached,
            FileStat(osize, omtime) if osize >= 0 else None,
            FileStat(csize, cmtime) if csize >= 0 else None,
        )


def resolve(
    name: str, *, path: Sequence[object] | None = None, package: str | None = None
) -> Spec | None:
    """The spec ``import name`` would find on ``path`` (default ``sys.path``), from a fresh
    look at the file system; None where no such module exists."""
    return Resolver(path).resolve(name, package=package)


def resolve_many(
    names: Iterable[str], *, path: Sequence[object] | None = None, package: str | None = None
) -> dict[str, Spec | None]:
    """``resolve`` for many names at once, sharing one look at each directory."""
    return Resolver(path).resolve_many(names, package=package)
