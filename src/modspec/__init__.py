"""modspec: what ``import X`` would find, for thousands of names, without importing anything."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._backend import BACKEND
from ._bytecode import BytecodeStatus
from ._discover import discover
from ._editable import EditableFinder
from ._environment import EnvironmentPath, EnvironmentPathError, environment_path
from ._explain import Explanation, Reason
from ._resolver import InvalidName, Resolver, bytecode_status, explain, resolve, resolve_many
from ._spec import FileStat, Kind, ModuleInfo, Spec, UnsupportedSpec
from ._version import __version__

if TYPE_CHECKING:
    from ._codebase.conditions import Target
    from ._codebase.graph import Cycle, Edge, Graph, Node, import_graph
    from ._codebase.surface import Category, Surface, surface

# The code base half (surface, the import graph) is loaded on first use, so that
# `import modspec` costs what the resolver costs: name -> the module defining it.
_CODE_BASE = {
    "Category": "surface",
    "Cycle": "graph",
    "Edge": "graph",
    "Graph": "graph",
    "Node": "graph",
    "Surface": "surface",
    "Target": "conditions",
    "import_graph": "graph",
    "surface": "surface",
}


def __getattr__(name: str) -> Any:
    module = _CODE_BASE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"._codebase.{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "BACKEND",
    "BytecodeStatus",
    "Category",
    "Cycle",
    "Edge",
    "EditableFinder",
    "EnvironmentPath",
    "EnvironmentPathError",
    "Explanation",
    "FileStat",
    "Graph",
    "InvalidName",
    "Kind",
    "ModuleInfo",
    "Node",
    "Reason",
    "Resolver",
    "Spec",
    "Surface",
    "Target",
    "UnsupportedSpec",
    "__version__",
    "bytecode_status",
    "discover",
    "environment_path",
    "explain",
    "import_graph",
    "resolve",
    "resolve_many",
    "surface",
]
