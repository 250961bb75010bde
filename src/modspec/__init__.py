"""modspec: what ``import X`` would find, for thousands of names, without importing anything."""

from __future__ import annotations

import sys

from ._version import __version__

# typing.TYPE_CHECKING without importing typing (a third of `import modspec.cli`'s cost):
# type checkers read this block, the interpreter never runs it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._backend import BACKEND
    from ._bytecode import BytecodeStatus
    from ._codebase.closure import Closure, LoadedModule, closure
    from ._codebase.conditions import Target
    from ._codebase.graph import Cycle, Edge, Graph, Node, import_graph
    from ._codebase.importtime import ImportTime, importtime
    from ._codebase.surface import Category, Surface, surface
    from ._discover import discover
    from ._editable import EditableFinder
    from ._environment import EnvironmentPath, EnvironmentPathError, environment_path
    from ._explain import Explanation, Reason
    from ._resolver import (
        InvalidName,
        Resolver,
        bytecode_status,
        explain,
        resolve,
        resolve_many,
    )
    from ._spec import FileStat, Kind, ModuleInfo, Spec, UnsupportedSpec

# Every export is loaded on first use (PEP 562): `import modspec.cli` then costs what the
# command it runs needs, and `modspec --help` nothing of the resolver. Name -> its module.
_EXPORTS = {
    "BACKEND": "_backend",
    "BytecodeStatus": "_bytecode",
    "Category": "_codebase.surface",
    "Closure": "_codebase.closure",
    "Cycle": "_codebase.graph",
    "EditableFinder": "_editable",
    "Edge": "_codebase.graph",
    "EnvironmentPath": "_environment",
    "EnvironmentPathError": "_environment",
    "Explanation": "_explain",
    "FileStat": "_spec",
    "Graph": "_codebase.graph",
    "ImportTime": "_codebase.importtime",
    "InvalidName": "_resolver",
    "Kind": "_spec",
    "LoadedModule": "_codebase.closure",
    "ModuleInfo": "_spec",
    "Node": "_codebase.graph",
    "Reason": "_explain",
    "Resolver": "_resolver",
    "Spec": "_spec",
    "Surface": "_codebase.surface",
    "Target": "_codebase.conditions",
    "UnsupportedSpec": "_spec",
    "bytecode_status": "_resolver",
    "closure": "_codebase.closure",
    "discover": "_discover",
    "environment_path": "_environment",
    "explain": "_resolver",
    "import_graph": "_codebase.graph",
    "importtime": "_codebase.importtime",
    "resolve": "_resolver",
    "resolve_many": "_resolver",
    "surface": "_codebase.surface",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # __import__, not importlib.import_module: importing the importlib package (and warnings,
    # which it imports) would be most of what `import modspec` costs.
    __import__(f"{__name__}.{module}")
    value = getattr(sys.modules[f"{__name__}.{module}"], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# The same names as _EXPORTS (a test holds them equal), spelled out for tools that read it.
__all__ = [
    "BACKEND",
    "BytecodeStatus",
    "Category",
    "Closure",
    "Cycle",
    "Edge",
    "EditableFinder",
    "EnvironmentPath",
    "EnvironmentPathError",
    "Explanation",
    "FileStat",
    "Graph",
    "ImportTime",
    "InvalidName",
    "Kind",
    "LoadedModule",
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
    "closure",
    "discover",
    "environment_path",
    "explain",
    "import_graph",
    "importtime",
    "resolve",
    "resolve_many",
    "surface",
]
