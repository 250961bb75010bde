"""A code base's roots: their ``[tool.modspec]`` settings and source directories."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from .._paths import read_regular
from .reading import CONFIG_LIMIT, reason

__all__ = ["ConfigError", "Root", "load_root"]

# The keys [tool.modspec] may hold, and what each must be.
_LIST_KEYS = ("exclude", "source-dirs", "fail-on")
_BOOL_KEYS = ("gitignore",)


class ConfigError(ValueError):
    """A root's ``[tool.modspec]`` table is not what modspec understands."""


class Root(NamedTuple):
    """One root given to ``surface``, with what its pyproject.toml says about it."""

    path: str  # absolute, normalised
    source_dirs: tuple[str, ...]  # absolute; module names are relative to the deepest match
    exclude: tuple[str, ...]  # gitignore-style patterns, relative to ``path``
    fail_on: tuple[str, ...]
    gitignore: bool


def _table(pyproject: str) -> dict[str, Any]:
    # Imported here: most roots hold no pyproject.toml, and tomllib costs a tenth of the
    # command line's start-up.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised by CI's 3.10 run
        import tomli as tomllib

    try:
        document = tomllib.loads(read_regular(pyproject, CONFIG_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{pyproject}: {reason(exc, pyproject)}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table = document.get("tool", {}).get("modspec", {})
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
    return table


def _package_top(directory: str) -> str:
    # A root inside a package: its modules are named from the outermost package's parent.
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


def load_root(path: str, exclude: Sequence[str] = (), gitignore: bool | None = None) -> Root:
    """The root at ``path`` with its settings; command-line ``exclude`` patterns add to the
    configured ones, a command-line ``gitignore`` overrides the configured one."""
    root = os.path.abspath(path)
    if not os.path.isdir(root):
        raise ConfigError(f"{path}: not a directory")
    table = _table(os.path.join(root, "pyproject.toml"))
    if "source-dirs" in table:
        source_dirs = [os.path.normpath(os.path.join(root, d)) for d in table["source-dirs"]]
    else:
        # The src layout's modules are named from src/; everything else from the root.
        source_dirs = (
            [os.path.join(root, "src")] if os.path.isdir(os.path.join(root, "src")) else []
        )
        source_dirs.append(_package_top(root))
    return Root(
        path=root,
        source_dirs=tuple(dict.fromkeys(source_dirs)),
        exclude=(*table.get("exclude", ()), *exclude),
        fail_on=tuple(table.get("fail-on", ())),
        gitignore=table.get("gitignore", True) if gitignore is None else gitignore,
    )
