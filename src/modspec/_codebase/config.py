"""A code base's roots: their ``[tool.modspec]`` settings and source directories."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .._paths import read_regular
from .._records import NamedTuple
from .dependencies import Declared, declared_in
from .findings import Finding
from .reading import CONFIG_LIMIT, reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ConfigError", "Root", "find_config", "find_project", "load_root"]

# The keys [tool.modspec] may hold, and what each must be.
_LIST_KEYS = ("exclude", "source-dirs", "fail-on", "ignore")
_BOOL_KEYS = ("gitignore",)


class ConfigError(ValueError):
    """A root's ``[tool.modspec]`` table is not what modspec understands."""


class Root(NamedTuple):
    """One root given to ``surface``, with what its configuration says about it."""

    path: str  # absolute, normalised
    source_dirs: tuple[str, ...]  # absolute; module names are relative to the deepest match
    exclude: tuple[str, ...]  # gitignore-style patterns from the command line, relative to path
    fail_on: tuple[str, ...]
    gitignore: bool
    # The pyproject.toml whose [tool.modspec] applies (None: none found), and its patterns:
    # gitignore-style ones relative to its directory, module patterns to ignore findings of.
    config: str | None = None
    config_exclude: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _document(pyproject: str) -> dict[str, Any] | None:
    """The TOML document at ``pyproject``; None where there is no such file."""
    found = _read_toml(pyproject)
    return None if found is None else found[0]


def _read_toml(pyproject: str) -> tuple[dict[str, Any], str] | None:
    """The TOML document at ``pyproject`` and its text; None where there is no such file."""
    try:
        text = read_regular(pyproject, CONFIG_LIMIT).decode("utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{pyproject}: {reason(exc, pyproject)}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    # Imported once a file is there: most directories searched hold no pyproject.toml, and
    # tomllib costs a tenth of the command line's start-up.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised by CI's 3.10 run
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    return document, text


def find_project(root: str) -> Declared | None:
    """The dependencies the nearest pyproject.toml with a [project] table at or above
    ``root`` declares; None if there is none."""
    directory = os.path.abspath(root)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        found = _read_toml(candidate)
        if found is not None and isinstance(found[0].get("project"), dict):
            return declared_in(candidate, *found)
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _table(pyproject: str, document: dict[str, Any]) -> dict[str, Any]:
    tool = document.get("tool", {})
    table = tool.get("modspec", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.modspec] must be a table")
    for key, value in table.items():
        if key in _LIST_KEYS:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{pyproject}: tool.modspec.{key} must be a list of strings")
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{pyproject}: tool.modspec.{key} must be true or false")
        else:
            known = ", ".join(_LIST_KEYS + _BOOL_KEYS)
            raise ConfigError(f"{pyproject}: unknown key tool.modspec.{key} (known: {known})")
    known_findings = {finding.value for finding in Finding}
    for word in table.get("fail-on", ()):
        if word not in known_findings:
            known = ", ".join(sorted(known_findings))
            raise ConfigError(
                f"{pyproject}: tool.modspec.fail-on: unknown finding {word!r} (known: {known})"
            )
    return table


def find_config(root: str) -> str | None:
    """The nearest pyproject.toml at or above ``root`` that holds a [tool.modspec] table, as
    ruff and deptry look for theirs; None if there is none."""
    directory = root
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        document = _document(candidate)
        if document is not None:
            tool = document.get("tool")
            if isinstance(tool, dict) and "modspec" in tool:
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _package_top(directory: str) -> str:
    # A root inside a package: its modules are named from the outermost package's parent.
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


def _source_dirs(pyproject: str, base: str, listed: Sequence[str]) -> list[str]:
    found = []
    for entry in listed:
        directory = os.path.normpath(os.path.join(base, entry))
        if directory != base and not directory.startswith(base + os.sep):
            raise ConfigError(
                f"{pyproject}: tool.modspec.source-dirs: {entry!r} lies outside the project"
            )
        if not os.path.isdir(directory):
            raise ConfigError(f"{pyproject}: tool.modspec.source-dirs: {entry!r} is no directory")
        found.append(directory)
    return found


def load_root(
    path: str,
    exclude: Sequence[str] = (),
    gitignore: bool | None = None,
    config: str | None = None,
) -> Root:
    """The root at ``path`` with its settings: those of ``config`` (a pyproject.toml) if given,
    else of the nearest pyproject.toml at or above the root with a [tool.modspec] table.
    Command-line ``exclude`` patterns add to the configured ones, a command-line ``gitignore``
    overrides the configured one. Raises ConfigError naming the file and key at fault."""
    root = os.path.abspath(path)
    if not os.path.isdir(root):
        raise ConfigError(f"{path}: not a directory")
    pyproject: str | None
    if config is not None:
        given = os.path.abspath(config)
        document = _document(given)
        if document is None:
            raise ConfigError(f"{config}: no such file")
        pyproject = given
    else:
        pyproject = find_config(root)
        document = None if pyproject is None else _document(pyproject)
    table = {} if pyproject is None or document is None else _table(pyproject, document)
    base = root if pyproject is None else os.path.dirname(pyproject)
    if "source-dirs" in table:
        source_dirs = _source_dirs(str(pyproject), base, table["source-dirs"])
    else:
        # The src layout's modules are named from src/; everything else from the root.
        source_dirs = (
            [os.path.join(root, "src")] if os.path.isdir(os.path.join(root, "src")) else []
        )
        source_dirs.append(_package_top(root))
    return Root(
        path=root,
        source_dirs=tuple(dict.fromkeys(source_dirs)),
        exclude=tuple(exclude),
        fail_on=tuple(table.get("fail-on", ())),
        gitignore=table.get("gitignore", True) if gitignore is None else gitignore,
        config=pyproject if table else None,
        config_exclude=tuple(table.get("exclude", ())),
        ignore=tuple(table.get("ignore", ())),
    )
