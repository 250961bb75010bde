"""Builds the Cython extensions, src/modspec/_core_c.pyx and _codebase/extract_c.pyx; nothing else.

Where they cannot be compiled (no C compiler, no Python headers, no Cython), the pure-Python
package is installed instead, with a warning, as yarl, multidict and propcache do.

MODSPEC_NO_EXTENSIONS=1       install the pure-Python package only, without trying to compile
MODSPEC_REQUIRE_EXTENSIONS=1  a failed compile is an error, not a pure install (CI, wheels)
MODSPEC_DEBUG_BUILD=1         compile with -O0 -g and Cython's line tracing (debuggers, profilers)
"""

from __future__ import annotations

import importlib.util
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError

# What a missing or broken toolchain raises: the compiler's own failures (CompileError and
# LinkError are CCompilerErrors), a compiler that cannot be run (distutils' ExecError, or an
# OSError), no compiler for the platform (PlatformError). setuptools.errors names distutils'
# classes, which Python 3.12+ no longer ships.
_TOOLCHAIN_ERRORS = (CCompilerError, ExecError, PlatformError, OSError)


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _extensions() -> list[Extension]:
    if _flag("MODSPEC_NO_EXTENSIONS"):
        if _flag("MODSPEC_REQUIRE_EXTENSIONS"):
            sys.exit("MODSPEC_NO_EXTENSIONS and MODSPEC_REQUIRE_EXTENSIONS are both set")
        return []
    if sys.implementation.name != "cpython":
        # The selector never loads the compiled core off CPython (modspec._backend).
        if _flag("MODSPEC_REQUIRE_EXTENSIONS"):
            sys.exit(f"MODSPEC_REQUIRE_EXTENSIONS: no compiled core on {sys.implementation.name}")
        return []
    debug = _flag("MODSPEC_DEBUG_BUILD")
    extensions = []
    for name in ("_core_c", "_codebase.extract_c"):
        extension = Extension(
            f"modspec.{name}",
            [f"src/modspec/{name.replace('.', '/')}.pyx"],
            # -pthread: _core_c stats from a second thread; glibc before 2.34 keeps
            # pthread_create in libpthread.
            extra_compile_args=["-O0", "-g", "-pthread"] if debug else ["-O2", "-pthread"],
            extra_link_args=["-pthread"],
            define_macros=[("CYTHON_TRACE_NOGIL", "1")] if debug else [],
        )
        # Read by Cython's build_ext, which setuptools' build_ext derives from where Cython
        # is installed: each .pyx is translated as it is built, into the build directory, so
        # that no generated C lands beside the sources (nor in an sdist or a wheel).
        extension.cython_directives = {"linetrace": debug}  # type: ignore[attr-defined]
        extension.cython_c_in_temp = True  # type: ignore[attr-defined]
        extensions.append(extension)
    return extensions


class build_ext(_build_ext):
    """Compiles what it can; an extension the toolchain cannot compile is left out, with a
    warning, and modspec's selector then picks its pure-Python twin at import."""

    def run(self) -> None:
        self._failed: list[tuple[str, str]] = []
        if self.extensions and importlib.util.find_spec("Cython") is None:
            # Only without build isolation: pyproject.toml's build requirements hold Cython.
            if _flag("MODSPEC_REQUIRE_EXTENSIONS"):
                sys.exit("MODSPEC_REQUIRE_EXTENSIONS: Cython is not installed")
            self._leave_out(self.extensions, "Cython is not installed")
        else:
            try:
                super().run()
            except _TOOLCHAIN_ERRORS as exc:
                if _flag("MODSPEC_REQUIRE_EXTENSIONS"):
                    raise
                self._leave_out(self.extensions, str(exc))
        if self._failed:
            _warn_pure(self._failed)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except _TOOLCHAIN_ERRORS as exc:
            if _flag("MODSPEC_REQUIRE_EXTENSIONS"):
                raise
            self._leave_out([ext], str(exc))

    def _leave_out(self, extensions: list[Extension], reason: str) -> None:
        self._failed += [(ext.name, reason) for ext in extensions]
        # Out of the outputs too: nothing to copy for --inplace, nothing to list in a wheel.
        self.extensions = [ext for ext in self.extensions if ext not in extensions]


def _warn_pure(failed: list[tuple[str, str]]) -> None:
    lines = [
        "WARNING: modspec's Cython extensions could not be compiled:",
        *(f"    {name}: {reason}" for name, reason in failed),
        "installing the pure-Python package instead: the same answers, slower;",
        "`import modspec` warns once that the compiled core is unavailable",
        "(MODSPEC_PURE=1 says that is intended and silences it).",
        "MODSPEC_REQUIRE_EXTENSIONS=1 makes a failed compile an error instead;",
        "MODSPEC_NO_EXTENSIONS=1 installs the pure package without trying.",
        "pip may cache this build: once a C compiler and Python's headers are installed,",
        "reinstall with --no-cache-dir to compile.",
    ]
    rule = "*" * 78
    print("\n".join([rule, *lines, rule]), file=sys.stderr, flush=True)


setup(ext_modules=_extensions(), cmdclass={"build_ext": build_ext})
