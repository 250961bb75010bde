"""modspec: what ``import X`` would find, for thousands of names, without importing anything."""

from __future__ import annotations

from ._backend import BACKEND
from ._bytecode import BytecodeStatus
from ._discover import discover
from ._editable import EditableFinder
from ._environment import EnvironmentPath, EnvironmentPathError, environment_path
from ._explain import Explanation, Reason
from ._resolver import InvalidName, Resolver, bytecode_status, explain, resolve, resolve_many
from ._spec import FileStat, Kind, ModuleInfo, Spec, UnsupportedSpec
from ._version import __version__

__all__ = [
    "BACKEND",
    "BytecodeStatus",
    "EditableFinder",
    "EnvironmentPath",
    "EnvironmentPathError",
    "Explanation",
    "FileStat",
    "InvalidName",
    "Kind",
    "ModuleInfo",
    "Reason",
    "Resolver",
    "Spec",
    "UnsupportedSpec",
    "__version__",
    "bytecode_status",
    "discover",
    "environment_path",
    "explain",
    "resolve",
    "resolve_many",
]
