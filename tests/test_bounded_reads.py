"""Inspected files that never end: what module_info, bytecode_status, editable hooks and legacy
namespaces make of a source, a finder module, an ``__init__`` or a ``.pkg`` that is a FIFO, a
device, an endless /proc file or past its bound. Never a hang (deadlines), never a MemoryError
(RLIMIT_AS in a subprocess), on both cores."""

from __future__ import annotations

import json
import os
import py_compile
import sys
from pathlib import Path

import pytest
from guards import deadline, run_bounded

import modspec
from modspec import BytecodeStatus, _legacy
from modspec._editable import read_editable_finder
from modspec._paths import SOURCE_LIMIT

TAG = sys.implementation.cache_tag
DEADLINE = 20  # seconds: longer is taken for a hang
PAGEMAP = "/proc/self/pagemap"  # "regular", of size 0, and reads on for terabytes


def _module_with_checked_pyc(root: Path) -> Path:
    """root/m.py with a docstring, and a checked hash-based .pyc that matches it."""
    source = root / "m.py"
    source.write_text('"""The doc."""\n', "utf-8")
    cfile = root / "__pycache__" / f"m.{TAG}.pyc"
    py_compile.compile(
        str(source), str(cfile), invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )
    return source


def _answers(resolver: modspec.Resolver, spec: modspec.Spec) -> tuple[str | None, BytecodeStatus]:
    with deadline(DEADLINE):
        return spec.module_info().doc, resolver.bytecode_status([spec])["m"]


def test_readable_source_is_the_control(tmp_path: Path, backend: str) -> None:
    _module_with_checked_pyc(tmp_path)
    resolver = modspec.Resolver([str(tmp_path)], backend=backend)
    spec = resolver.resolve("m")
    assert spec is not None
    assert _answers(resolver, spec) == ("The doc.", BytecodeStatus.FRESH)


@pytest.mark.parametrize("swap", ["fifo", "dev-zero"])
def test_source_swapped_after_resolution(tmp_path: Path, backend: str, swap: str) -> None:
    source = _module_with_checked_pyc(tmp_path)
    resolver = modspec.Resolver([str(tmp_path)], backend=backend)
    spec = resolver.resolve("m")
    assert spec is not None
    source.unlink()
    if swap == "fifo":
        os.mkfifo(source)  # no writer ever comes: an open or read would wait for ever
    else:
        source.symlink_to("/dev/zero")
    # Not read: no docstring; the checked pyc's source cannot be hashed, so it is not used.
    assert _answers(resolver, spec) == (None, BytecodeStatus.STALE)


def test_source_past_the_bound(tmp_path: Path, backend: str) -> None:
    source = _module_with_checked_pyc(tmp_path)
    with source.open("r+b") as file:
        file.truncate(SOURCE_LIMIT + 1)  # sparse: the docstring, then NUL bytes
    resolver = modspec.Resolver([str(tmp_path)], backend=backend)
    spec = resolver.resolve("m")
    assert spec is not None
    assert _answers(resolver, spec) == (None, BytecodeStatus.STALE)


def test_endless_source_in_a_bounded_process(tmp_path: Path, backend: str) -> None:
    _module_with_checked_pyc(tmp_path)
    (tmp_path / "m.py").unlink()
    (tmp_path / "m.py").symlink_to(PAGEMAP)  # stat calls it regular: found, then read
    done = run_bounded(
        f"""
        import json, modspec
        resolver = modspec.Resolver([{str(tmp_path)!r}], backend={backend!r})
        spec = resolver.resolve("m")
        status = resolver.bytecode_status([spec])["m"]
        print(json.dumps([spec.module_info().doc, status.value]))
        """
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [None, "stale"]


def _endless(path: Path, target: str | None) -> None:
    """A FIFO at ``path`` (None), or a symlink to ``target``."""
    if target is None:
        os.mkfifo(path)
    else:
        path.symlink_to(target)


@pytest.mark.parametrize("target", [None, "/dev/zero", PAGEMAP], ids=["fifo", "dev-zero", "proc"])
def test_endless_editable_finder_module(tmp_path: Path, target: str | None) -> None:
    finder = tmp_path / "__editable___demo_finder.py"
    _endless(finder, target)
    with deadline(DEADLINE):
        assert read_editable_finder(str(finder), finder.stem) is None


@pytest.mark.parametrize("target", [None, "/dev/zero", PAGEMAP], ids=["fifo", "dev-zero", "proc"])
def test_endless_legacy_init(tmp_path: Path, target: str | None) -> None:
    init = tmp_path / "__init__.py"
    _endless(init, target)
    with deadline(DEADLINE):
        assert _legacy.idiom(str(init), lambda: True) is None


def test_endless_pkg_file_is_skipped(tmp_path: Path, backend: str) -> None:
    # pkgutil.extend_path adds a .pkg file's lines; one that reads without end is skipped, and
    # the rest of the answer stands.
    extend = "import pkgutil\n__path__ = pkgutil.extend_path(__path__, __name__)\n"
    for entry in ("a", "b", "c"):
        (tmp_path / entry / "ns").mkdir(parents=True)
        (tmp_path / entry / "ns" / "__init__.py").write_text(extend, "utf-8")
    (tmp_path / "a" / "ns.pkg").symlink_to(PAGEMAP)
    (tmp_path / "b" / "ns.pkg").write_text(f"{tmp_path}/extra\n", "utf-8")
    path = [str(tmp_path / entry) for entry in ("a", "b", "c")]
    resolver = modspec.Resolver(path, backend=backend, legacy_namespaces=True)
    with deadline(DEADLINE):
        spec = resolver.resolve("ns")
    assert spec is not None
    # Entry by entry: a's portion (its .pkg skipped), b's and its .pkg's line, c's.
    assert spec.submodule_search_locations == (
        str(tmp_path / "a" / "ns"),
        str(tmp_path / "b" / "ns"),
        f"{tmp_path}/extra",
        str(tmp_path / "c" / "ns"),
    )
