"""Picks, for every compiled/pure twin, the Cython extension or its pure-Python twin.

Twins: the resolution core (``_core_c`` / ``_core_py``, with the ``.pyc`` header reader) and
the import extractor of the code-base application. One rule for all: ``MODSPEC_PURE`` set, or
an interpreter other than CPython, selects pure; a compiled module that is missing or stale
falls back to pure with one ``RuntimeWarning``, never an ImportError.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import warnings

# typing.TYPE_CHECKING without importing typing (a tenth of a command's start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from . import _core_py

    PycReader = Callable[[list[str]], list[bytes | None]]

# The pure twins (_core_py, _pep552's reader) are imported only where they are selected: the
# compiled core does not need them.

__all__ = [
    "BACKEND",
    "BACKENDS",
    "compiled",
    "compiled_or_none",
    "core_class",
    "env_flag",
    "pyc_reader",
]

BACKENDS = ("cython", "python")

# What the compiled core must provide: the names its pure twins provide.
_CORE = "_core_c"
_CORE_NAMES = ("PathCore", "read_pyc_headers", "LAYOUT")


def env_flag(name: str) -> bool:
    """Whether the environment variable ``name`` is set, to anything but ``""`` or ``"0"``."""
    return os.environ.get(name, "") not in ("", "0")


def compiled(module: str, names: tuple[str, ...]) -> ModuleType:
    """The compiled module ``modspec.<module>``; ImportError where it is not built, or is a
    stale build that lacks one of ``names``."""
    found = importlib.import_module(f"{__package__}.{module}")
    missing = [name for name in names if not hasattr(found, name)]
    if missing:
        # A stale build (the .so outlived a change to its .pyx) is as unusable as none.
        raise ImportError(f"{found.__name__} lacks {', '.join(missing)}: a stale build?")
    return found


def _pure_intended() -> bool:
    # sys.implementation, not platform.python_implementation(): importing platform costs more
    # than the rest of the selector.
    return env_flag("MODSPEC_PURE") or sys.implementation.name != "cpython"


def _fallback(what: str, exc: ImportError) -> None:
    # A missing or broken build must not break imports; say so, once per twin, and go on.
    warnings.warn(
        f"modspec: compiled {what} unavailable ({exc}); using the pure-Python {what}",
        RuntimeWarning,
        stacklevel=4,
    )


@functools.cache
def _default(module: str, names: tuple[str, ...], what: str) -> ModuleType | None:
    if _pure_intended():
        return None
    try:
        return compiled(module, names)
    except ImportError as exc:
        _fallback(what, exc)
        return None


def compiled_or_none(
    backend: str | None, module: str, names: tuple[str, ...], what: str
) -> ModuleType | None:
    """The compiled twin ``module`` that ``backend`` selects, or None for the pure one.

    ``backend`` None: the default selection (``MODSPEC_PURE``, the interpreter, a fallback
    with one warning where the build is unusable); ``"cython"``: the compiled module or
    ImportError; ``"python"``: None; any other name: ValueError.
    """
    if backend is None:
        # One choice for every twin: where the core is pure (intended, or fallen back), so is
        # the rest, with no second warning.
        return None if BACKEND == "python" else _default(module, names, what)
    if backend == "python":
        return None
    if backend == "cython":
        return compiled(module, names)
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def _core(backend: str) -> ModuleType | None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    return compiled_or_none(backend, _CORE, _CORE_NAMES, "core")


def core_class(backend: str) -> type[_core_py.PathCore]:
    """The PathCore class of ``backend``; ValueError for an unknown name."""
    module = _core(backend)
    if module is None:
        from . import _core_py

        return _core_py.PathCore
    # Typed through the pure twin: _core_c.PathCore has _core_py.PathCore's interface.
    core: type[_core_py.PathCore] = module.PathCore
    return core


def pyc_reader(backend: str) -> PycReader:
    """The bulk .pyc header reader of ``backend``; ValueError for an unknown name."""
    module = _core(backend)
    if module is None:
        from . import _pep552

        return _pep552.read_pyc_headers
    reader: PycReader = module.read_pyc_headers
    return reader


BACKEND: str = "python" if _default(_CORE, _CORE_NAMES, "core") is None else "cython"
