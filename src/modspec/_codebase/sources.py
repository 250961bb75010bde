"""The Python source files under a code base's roots, and the module each one is."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from .._paths import read_regular
from .._records import NamedTuple
from .config import Root
from .ignore import IgnoreRules, parse_patterns
from .reading import IGNORE_FILE_LIMIT, reason

__all__ = ["Skipped", "SourceFile", "source_files"]

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


class Skipped(NamedTuple):
    """A path the walk could not read: a directory, or an ignore file it will not read."""

    path: str
    error: str  # "PermissionError: Permission denied", "FileTooLarge: ..."


def _read_patterns(path: str, skipped: list[Skipped]) -> tuple[str, ...] | None:
    """The lines of the ignore file ``path``; None where there is none, or (said in
    ``skipped``) it is no regular file, is past IGNORE_FILE_LIMIT or cannot be read."""
    try:
        data = read_regular(path, IGNORE_FILE_LIMIT)
    except (FileNotFoundError, NotADirectoryError):
        return None  # no such file (NotADirectory: .git is a file in a linked work tree)
    except OSError as exc:
        skipped.append(Skipped(path, reason(exc, path)))
        return None
    # Git splits on "\n" only; a "\r" before it is stripped with the line's end.
    return tuple(data.decode("utf-8", "surrogateescape").split("\n"))


def _base_rules(root: Root, skipped: list[Skipped]) -> IgnoreRules:
    rules = IgnoreRules()
    if root.gitignore:
        # A root inside a work tree obeys the .gitignore files above it and info/exclude.
        ancestors = []
        directory = root.path
        for _ in range(_GIT_TOP_SEARCH):
            ancestors.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                exclude = os.path.join(directory, ".git", "info", "exclude")
                rules.add(directory, parse_patterns(_read_patterns(exclude, skipped) or ()))
                for above in reversed(ancestors[1:]):
                    lines = _read_patterns(os.path.join(above, ".gitignore"), skipped)
                    rules.add(above, parse_patterns(lines or ()))
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    if root.config is not None:
        rules.add(os.path.dirname(root.config), parse_patterns(root.config_exclude))
    rules.add(root.path, parse_patterns(root.exclude))
    return rules


def _directory_parts(directory: str, root: Root) -> list[str] | None:
    """The name parts of ``directory`` below the deepest source directory holding it (its
    files' modules are these parts and their own names); None: under no source directory."""
    best = ""  # the deepest one's path with a separator at its end
    for source in root.source_dirs:
        prefix = source if source.endswith(os.sep) else source + os.sep
        if len(prefix) > len(best) and (directory + os.sep).startswith(prefix):
            best = prefix
    if not best:
        return None
    rest = directory[len(best) :]
    return rest.split(os.sep) if rest else []


def _module_name(parts: list[str], stem: str) -> tuple[str | None, str | None]:
    """The module of the file ``stem``.py in the directory of name ``parts``, and its package."""
    is_init = stem == "__init__"
    if not is_init:
        parts = [*parts, stem]
    if not parts or not all(part.isidentifier() for part in parts[:-1]):
        return None, None
    if not parts[-1].isidentifier():
        # Django's migrations/0001_initial.py: no import statement names it, but
        # importlib.import_module does, and its relative imports are its package's.
        if len(parts) == 1:
            return None, None
        return ".".join(parts), ".".join(parts[:-1])
    module = ".".join(parts)
    return module, module if is_init else module.rpartition(".")[0]


def source_files(root: Root, skipped: list[Skipped] | None = None) -> Iterator[SourceFile]:
    """Every ``.py`` file under the root, in sorted order, skipping hidden directories,
    ``__pycache__``, virtual environments, site-packages, git-ignored and excluded paths.
    Directory symlinks are not followed, so a link loop cannot make the walk endless.
    What cannot be read (a directory, a path past PATH_MAX, an ignore file) goes into
    ``skipped``."""
    skipped = [] if skipped is None else skipped
    stack: list[tuple[str, IgnoreRules]] = [(root.path, _base_rules(root, skipped))]
    while stack:
        directory, rules = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda entry: entry.name)
        except FileNotFoundError:
            continue  # vanished since its parent was listed: nothing to scan, nothing missed
        except OSError as exc:
            skipped.append(Skipped(directory, reason(exc, directory)))
            continue
        # The listing tells what else to read: no stat or open per directory to find out.
        names = {entry.name for entry in entries}
        if directory != root.path and not names.isdisjoint(_ENVIRONMENT_MARKERS):
            continue  # a virtual environment: installed code, not the code base's own
        if root.gitignore and ".gitignore" in names:
            lines = _read_patterns(os.path.join(directory, ".gitignore"), skipped)
            if lines is not None:
                rules = rules.scoped(directory, parse_patterns(lines))
        subdirs: list[str] = []
        parts = _directory_parts(directory, root)
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError as exc:
                skipped.append(Skipped(entry.path, reason(exc, entry.path)))
                continue
            if is_dir:
                if name.startswith(".") or name in _ENVIRONMENT_DIRS:
                    continue
                if rules.ignored(entry.path, True):
                    continue
                subdirs.append(entry.path)
            elif is_file and name.endswith(".py") and not rules.ignored(entry.path, False):
                module, package = (None, None) if parts is None else _module_name(parts, name[:-3])
                yield SourceFile(entry.path, root.path, module, package)
        # Reversed onto the stack, so directories come out in sorted order.
        stack.extend((subdir, rules) for subdir in reversed(subdirs))


def shown_path(path: str, roots: Sequence[str]) -> str:
    """``path`` as a report shows it: relative to the first root it lies under, else whole."""
    for root in roots:
        if path.startswith(root + os.sep):
            return path[len(root) + 1 :]
    return path
