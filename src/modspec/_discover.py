"""Lists the module names importable from a path, statically: pkgutil.walk_packages, no imports."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Callable, Iterable, Sequence

from ._resolver import Resolver, path_entries
from ._spec import Spec

__all__ = ["discover"]

# A cache, and a package's own body: `import pkg.__init__` works, but runs it a second time.
_SKIPPED = frozenset({"__pycache__", "__init__"})


def _suffixes() -> tuple[str, ...]:
    machinery = importlib.machinery
    every = (
        *machinery.EXTENSION_SUFFIXES,
        *machinery.SOURCE_SUFFIXES,
        *machinery.BYTECODE_SUFFIXES,
    )
    # Longest first, so 'x.cpython-311-x86_64-linux-gnu.so' is not taken for 'x.cpython-311...'.
    return tuple(sorted(every, key=len, reverse=True))


def _names_in(directory: str, suffixes: tuple[str, ...]) -> set[str]:
    """Names that ``import`` could ask for in ``directory``: modules, packages, namespace dirs."""
    try:
        entries = os.scandir(directory)
    except (OSError, ValueError):
        # ValueError: a NUL byte or an unencodable surrogate, an entry the resolver skips too.
        return set()
    names = set()
    with entries:
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                stem = name
            else:
                stem = next((name[: -len(s)] for s in suffixes if name.endswith(s)), "")
            # An import statement can only name identifiers; '-' or '.' in a name rules it out.
            if stem.isidentifier() and stem not in _SKIPPED:
                names.add(stem)
    return names


def discover(
    path: Sequence[object] | None = None,
    *,
    resolver: Resolver | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Spec]:
    """Every module an ``import`` statement could reach on ``path`` (default ``sys.path``), with
    its spec: top-level names of each directory entry, then the submodules of every package.

    Names come from directory listings (members of zip archives are not listed); each is then
    resolved as ``import`` would, so a name shadowed by an earlier entry maps to the winner.
    Symlinks that loop back into a package are followed once. ``progress(phase, done,
    total)`` is called after each batch: the modules found, and those plus the next batch.
    """
    resolver = resolver if resolver is not None else Resolver(path)
    entries = sys.path if path is None else path_entries(path) or []
    suffixes = _suffixes()
    top_level: set[str] = set()
    for entry in entries:
        if isinstance(entry, str):
            top_level |= _names_in(entry or os.getcwd(), suffixes)
    found: dict[str, Spec] = {}
    seen_dirs: set[tuple[int, int]] = set()
    batch: Iterable[str] = sorted(top_level)
    while batch:
        children: list[str] = []
        for name, spec in resolver.resolve_many(batch).items():
            if spec is None:
                continue
            found[name] = spec
            for location in spec.submodule_search_locations or ():
                if _first_visit(location, seen_dirs):
                    children += (f"{name}.{child}" for child in _names_in(location, suffixes))
        batch = sorted(set(children))
        if progress is not None:
            progress("discover", len(found), len(found) + len(batch))
    return found


def _first_visit(directory: str, seen: set[tuple[int, int]]) -> bool:
    try:
        st = os.stat(directory)
    except (OSError, ValueError):
        return False
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True
