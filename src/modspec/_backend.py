"""Picks the resolution core: the Cython extension, or its pure-Python twin."""

from __future__ import annotations

import importlib
import os
import platform
import warnings

from ._core import PathCore

__all__ = ["BACKEND", "BACKENDS", "core_class"]

BACKENDS = ("cython", "python")


def _fast_core() -> type[PathCore]:
    # Typed through its pure twin: _fast.PathCore has _core.PathCore's interface.
    module = importlib.import_module(f"{__package__}._fast")
    try:
        core: type[PathCore] = module.PathCore
    except AttributeError as exc:
        # A stale build (the .so outlived a rename in _fast.pyx) is as unusable as none.
        raise ImportError(f"{module.__name__} has no PathCore: a stale build?") from exc
    return core


def _pick() -> str:
    if os.environ.get("MODSPEC_PURE", "") not in ("", "0"):
        return "python"
    if platform.python_implementation() != "CPython":
        return "python"
    try:
        _fast_core()
    except ImportError as exc:
        # A missing or broken build must not break imports; say so, once, and go on.
        warnings.warn(
            f"modspec: compiled core unavailable ({exc}); using the pure-Python core",
            RuntimeWarning,
            stacklevel=3,
        )
        return "python"
    return "cython"


def core_class(backend: str) -> type[PathCore]:
    """The PathCore class of ``backend``; ValueError for an unknown name."""
    if backend == "python":
        return PathCore
    if backend == "cython":
        return _fast_core()
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


BACKEND: str = _pick()
