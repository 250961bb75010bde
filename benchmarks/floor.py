"""The system-call floor: list each directory a resolution looks in, stat each file it reports.

What must be read is taken from modspec's own answers, once, outside the timed region: each path
entry (for top-level names) and each search location of a package whose children are asked
for is listed once; each origin and each cached file modspec found is stat'ed once. The floor
does no name matching, builds no spec and makes no failed ``__init__`` probes. It is the issue's
yardstick rather than a strict lower bound: a resolver may trade some of its stats for listings
(modspec lists a ``__pycache__`` once instead of stat'ing each ``.pyc`` that is not there).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import corpus as corpora

import modspec

# The C floor's list_and_stat: (directories, files) as bytes -> (entries read, files present).
CFloor = Callable[[list[bytes], list[bytes]], tuple[int, int]]

# Kinds whose origin is a file of its own (a zip member's origin is inside the archive).
_FILE_KINDS = frozenset({modspec.Kind.SOURCE, modspec.Kind.BYTECODE, modspec.Kind.EXTENSION})


@dataclass(frozen=True)
class Work:
    """The directories to list and the files to stat, as str (for os) and bytes (for C)."""

    directories: list[str]
    files: list[str]

    def encoded(self) -> tuple[list[bytes], list[bytes]]:
        return [os.fsencode(d) for d in self.directories], [os.fsencode(f) for f in self.files]


def work(corpus: corpora.Corpus) -> Work:
    """The floor's work for ``corpus``, from modspec's answers (the names and their parents)."""
    wanted: dict[str, None] = {}
    for name in corpus.names:
        parts = name.split(".")
        # Resolving a.b.c resolves a and a.b first: their listings count too.
        wanted.update(dict.fromkeys(".".join(parts[:n]) for n in range(1, len(parts) + 1)))
    specs = modspec.Resolver(list(corpus.path), backend="cython").resolve_many(wanted)
    directories: dict[str, None] = dict.fromkeys(corpus.path)
    files: dict[str, None] = {}
    for name, spec in specs.items():
        parent, dot, _ = name.rpartition(".")
        if dot:
            parent_spec = specs[parent]
            if parent_spec is not None and parent_spec.submodule_search_locations is not None:
                directories.update(dict.fromkeys(parent_spec.submodule_search_locations))
        if spec is None:
            continue
        if spec.kind in _FILE_KINDS and spec.origin is not None:
            files[spec.origin] = None
        if spec.cached is not None and spec.cached != spec.origin:
            files[spec.cached] = None  # may not exist: stat'ing it is how one finds out
    return Work(list(directories), list(files))


def list_and_stat(directories: list[str], files: list[str]) -> tuple[int, int]:
    """The floor in Python: ``os.listdir`` each directory, ``os.stat`` each file.

    Returns (entries read, files that exist)."""
    listdir, stat = os.listdir, os.stat
    entries = present = 0
    for directory in directories:
        try:  # noqa: SIM105 - contextlib.suppress would add a call to each timed step
            entries += len(listdir(directory))
        except OSError:
            pass
    for file in files:
        try:
            stat(file)
        except OSError:
            continue
        present += 1
    return entries, present


def build_c_floor(where: Path) -> CFloor:
    """floor_c.pyx compiled with ``cythonize -i`` in ``where``; its ``list_and_stat``.

    Raises ModuleNotFoundError where Cython or setuptools (which builds it) is not installed."""
    return load_c_floor(build_c_floor_module(where))


def build_c_floor_module(where: Path) -> Path:
    """The extension module built from floor_c.pyx in ``where`` (for a child to load)."""
    for needed in ("Cython", "setuptools"):  # a clear error before the subprocess fails
        if modspec.resolve(needed) is None:
            raise ModuleNotFoundError(f"no module named {needed!r}", name=needed)

    source = Path(__file__).with_name("floor_c.pyx")
    shutil.copyfile(source, where / source.name)
    done = subprocess.run(
        [sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-q", source.name],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )
    built = sorted(where.glob("floor_c.*.so")) or sorted(where.glob("floor_c.*.pyd"))
    if done.returncode != 0 or not built:
        raise RuntimeError(f"cythonize -i floor_c.pyx failed:\n{done.stdout}\n{done.stderr}")
    return built[0]


def load_c_floor(built: Path) -> CFloor:
    """``list_and_stat`` of the module build_c_floor_module made."""
    spec = importlib.util.spec_from_file_location("floor_c", built)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {built}")
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: CFloor = module.list_and_stat
    return function
