"""Picks the resolution core: the Cython extension, or its pure-Python twin."""

from __future__ import annotations

import importlib
import os
import platform
import warnings
from collections.abc import Callable
from types import ModuleType

from . import _core
from ._core import PathCore

__all__ = ["BACKEND", "BACKENDS", "core_class", "pyc_reader"]

BACKENDS = ("cython", "python")

# What the compiled module must provide: the names its pure twin, _core, provides.
_TWIN_NAMES = ("PathCore", "read_pyc_headers")

PycReader = Callable[[list[str]], list[bytes | None]]


def _fast() -> ModuleType:
    module = importlib.import_module(f"{__package__}._fast")
    missing = [name for name in _TWIN_NAMES if not hasattr(module, name)]
    if missing:
        # A stale build (the .so outlived a change to _fast.pyx) is as unusable as none.
        raise ImportError(f"{module.__name__} lacks {', '.join(missing)}: a stale build?")
    return module


def _pick() -> str:
    if os.environ.get("MODSPEC_PURE", "") not in ("", "0"):
        return "python"
    if platform.python_implementation() != "CPython":
        return "python"
    try:
        _fast()
    except ImportError as exc:
        # A missing or broken build must not break imports; say so, once, and go on.
        warnings.warn(
            f"modspec: compiled core unavailable ({exc}); using the pure-Python core",
            RuntimeWarning,
            stacklevel=3,
        )
        return "python"
    return "cython"


def _module(backend: str) -> ModuleType:
    if backend == "python":
        return _core
    if backend == "cython":
        return _fast()
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def core_class(backend: str) -> type[PathCore]:
    """The PathCore class of ``backend``; ValueError for an unknown name."""
    # Typed through the pure twin: _fast.PathCore has _core.PathCore's interface.
    core: type[PathCore] = _module(backend).PathCore
    return core


def pyc_reader(backend: str) -> PycReader:
    """The bulk .pyc header reader of ``backend``; ValueError for an unknown name."""
    reader: PycReader = _module(backend).read_pyc_headers
    return reader


BACKEND: str = _pick()
