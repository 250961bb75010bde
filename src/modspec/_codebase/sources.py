"""The Python source files under a code base's roots, and the module each one is."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .config import Root
from .ignore import IgnoreRules, parse_patterns

__all__ = ["SourceFile", "source_files"]

# Directories that hold installed code, not the code base's own.
_ENVIRONMENT_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})
# PEP 405 venvs carry pyvenv.cfg; conda environments carry conda-meta/.
_ENVIRONMENT_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
_GIT_TOP_SEARCH = 64  # parents climbed looking for .git: far enough, never forever


class SourceFile(NamedTuple):
    """A ``.py`` file and the module it is when its source directory is on the path."""

    path: str
    root: str
    module: str | None  # None: a path part is no identifier (a script, ``my-tool/run.py``)
    package: str | None  # what relative imports resolve against (``__package__``)


def _read_patterns(path: str) -> tuple[tuple[str, ...], bool]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as file:
            return tuple(file), True
    except OSError:
        return (), False


def _base_rules(root: Root) -> IgnoreRules:
    rules = IgnoreRules()
    if root.gitignore:
        # A root inside a work tree obeys the .gitignore files above it and info/exclude.
        ancestors = []
        directory = root.path
        for _ in range(_GIT_TOP_SEARCH):
            ancestors.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                lines, _found = _read_patterns(os.path.join(directory, ".git", "info", "exclude"))
                rules.add(directory, parse_patterns(lines))
                for above in reversed(ancestors[1:]):
                    rules.add(
                        above, parse_patterns(_read_patterns(os.path.join(above, ".gitignore"))[0])
                    )
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    rules.add(root.path, parse_patterns(root.exclude))
    return rules


def _module_name(path: str, root: Root) -> tuple[str | None, str | None]:
    # The deepest source directory holding the file names its module.
    best = ""
    for source in root.source_dirs:
        if path.startswith(source.rstrip(os.sep) + os.sep) and len(source) > len(best):
            best = source
    if not best:
        return None, None
    parts = path[len(best.rstrip(os.sep)) + 1 : -len(".py")].split(os.sep)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts.pop()
    if not parts or not all(part.isidentifier() for part in parts):
        return None, None
    module = ".".join(parts)
    return module, module if is_init else module.rpartition(".")[0]


def source_files(root: Root) -> Iterator[SourceFile]:
    """Every ``.py`` file under the root, in sorted order, skipping hidden directories,
    ``__pycache__``, virtual environments, site-packages, git-ignored and excluded paths.
    Directory symlinks are not followed, so a link loop cannot make the walk endless."""
    stack: list[tuple[str, IgnoreRules]] = [(root.path, _base_rules(root))]
    while stack:
        directory, rules = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable or vanished: nothing to scan there
        # The listing tells what else to read: no stat or open per directory to find out.
        names = {entry.name for entry in entries}
        if directory != root.path and not names.isdisjoint(_ENVIRONMENT_MARKERS):
            continue  # a virtual environment: installed code, not the code base's own
        if root.gitignore and ".gitignore" in names:
            lines, found = _read_patterns(os.path.join(directory, ".gitignore"))
            if found:
                rules = rules.scoped(directory, parse_patterns(lines))
        subdirs: list[str] = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in _ENVIRONMENT_DIRS:
                    continue
                if rules.ignored(entry.path, True):
                    continue
                subdirs.append(entry.path)
            elif is_file and name.endswith(".py") and not rules.ignored(entry.path, False):
                module, package = _module_name(entry.path, root)
                yield SourceFile(entry.path, root.path, module, package)
        # Reversed onto the stack, so directories come out in sorted order.
        stack.extend((subdir, rules) for subdir in reversed(subdirs))


def shown_path(path: str, roots: Sequence[str]) -> str:
    """``path`` as a report shows it: relative to the first root it lies under, else whole."""
    for root in roots:
        if path.startswith(root + os.sep):
            return path[len(root) + 1 :]
    return path
