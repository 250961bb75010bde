"""Builds the Cython extensions, src/modspec/_core_c.pyx and _codebase/extract_c.pyx; nothing else.

MODSPEC_NO_EXTENSIONS=1  install the pure-Python package only
MODSPEC_DEBUG_BUILD=1    compile with -O0 -g and Cython's line tracing, for debuggers and profilers
"""

from __future__ import annotations

import os

from setuptools import Extension, setup


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _extensions() -> list[Extension]:
    if _flag("MODSPEC_NO_EXTENSIONS"):
        return []
    from Cython.Build import cythonize

    debug = _flag("MODSPEC_DEBUG_BUILD")
    extensions = [
        Extension(
            f"modspec.{name}",
            [f"src/modspec/{name.replace('.', '/')}.pyx"],
            # -pthread: _core_c stats from a second thread; glibc before 2.34 keeps
            # pthread_create in libpthread.
            extra_compile_args=["-O0", "-g", "-pthread"] if debug else ["-O2", "-pthread"],
            extra_link_args=["-pthread"],
            define_macros=[("CYTHON_TRACE_NOGIL", "1")] if debug else [],
        )
        for name in ("_core_c", "_codebase.extract_c")
    ]
    return cythonize(
        extensions,
        compiler_directives={"linetrace": debug},
        annotate=False,
    )


setup(ext_modules=_extensions())
