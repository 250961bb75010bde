"""Picks the resolution core: the Cython extension, or its pure-Python twin."""

from __future__ import annotations

import os
import platform
import warnings
from typing import TYPE_CHECKING

from ._core import PathCore

__all__ = ["BACKEND", "BACKENDS", "core_class"]

BACKENDS = ("cython", "python")


def _pick() -> str:
    if os.environ.get("MODSPEC_PURE", "") not in ("", "0"):
        return "python"
    if platform.python_implementation() != "CPython":
        return "python"
    try:
        from . import _fast  # noqa: F401
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
        # One source of truth for types: the checker sees the pure twin.
        if TYPE_CHECKING:
            from . import _core as _fast
        else:
            from . import _fast
        return _fast.PathCore
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


BACKEND: str = _pick()
