"""The whole environment: every module name under this interpreter's sys.path, against CPython."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from oracle import fields, oracle

import modspec

pytestmark = pytest.mark.slow

# Longest first: "m.cpython-311-x86_64-linux-gnu.so" is "m", not "m.cpython-311-x86_64-linux-gnu".
_SUFFIXES = sorted(set(importlib.machinery.all_suffixes()), key=len, reverse=True)


def _module_name(file_name: str) -> str | None:
    for suffix in _SUFFIXES:
        if file_name.endswith(suffix):
            stem = file_name[: -len(suffix)]
            return stem if stem.isidentifier() else None
    return None


def walk(directory: str, prefix: str = "", seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Module names a directory offers, as pkgutil.walk_packages would list them, but without
    importing: files with an import suffix, and every directory whose name is an identifier
    (a regular or a namespace package), recursively; a symlink back into a directory being walked
    is listed, not entered."""
    seen = seen | {os.path.realpath(directory)}
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # follows symlinks, as the import system does
        except OSError:
            is_dir = False
        if is_dir:
            if entry.name == "__pycache__" or not entry.name.isidentifier():
                continue
            yield prefix + entry.name
            if os.path.realpath(entry.path) not in seen:
                yield from walk(entry.path, f"{prefix}{entry.name}.", seen)
        else:
            name = _module_name(entry.name)
            if name is not None:
                yield prefix + name


def environment_names(path: list[str]) -> list[str]:
    # Builtin and frozen modules have no file to walk to: the stdlib's list names them.
    names = dict.fromkeys([*sys.builtin_module_names, *sorted(sys.stdlib_module_names)])
    for entry in path:
        if isinstance(entry, str):
            names.update(dict.fromkeys(walk(entry or os.getcwd())))
    return list(names)


def test_walk_lists_modules_packages_and_namespaces(tree: Any) -> None:
    root = tree(
        {
            "w/mod.py": "",
            f"w/ext{importlib.machinery.EXTENSION_SUFFIXES[0]}": b"",
            "w/legacy.pyc": b"",
            "w/pkg/__init__.py": "",
            "w/pkg/sub.py": "",
            "w/pkg/__pycache__/sub.cpython-311.pyc": b"",
            "w/ns/deeper/leaf.py": "",
            "w/not-a-name.py": "",
            "w/not-a-name/x.py": "",
            "w/data.txt": "",
            "w/loop": ("symlink", "."),
        }
    )
    names = set(walk(str(root / "w")))
    assert names == {
        "mod", "ext", "legacy", "pkg", "pkg.__init__", "pkg.sub", "ns", "ns.deeper",
        "ns.deeper.leaf", "loop",
    }  # fmt: skip


@pytest.fixture(scope="module")
def environment() -> tuple[list[str], list[str], dict[str, Any]]:
    """(sys.path, every name under it, CPython's answers), taken once for both backends."""
    path = list(sys.path)
    names = environment_names(path)
    return path, names, oracle(names, path)


def test_environment_is_large(environment: tuple[list[str], list[str], dict[str, Any]]) -> None:
    _, names, expected = environment
    assert len(names) > 2_000
    found = [answer for answer in expected.values() if answer is not None]
    # The stdlib alone has source modules, packages, extension modules and namespace dirs.
    loaders = {answer.get("loader") for answer in found}
    assert {
        "importlib.SourceFileLoader", "importlib.ExtensionFileLoader", "importlib.BuiltinImporter",
        "importlib.FrozenImporter", None,
    } <= loaders  # fmt: skip
    assert not [answer for answer in found if "error" in answer]


def test_environment_agrees_with_cpython(
    backend: str, environment: tuple[list[str], list[str], dict[str, Any]]
) -> None:
    path, names, expected = environment
    got = {
        name: fields(spec)
        for name, spec in modspec.Resolver(path, backend=backend).resolve_many(names).items()
    }
    differ = [name for name in names if got[name] != expected[name]]
    if differ:
        # A file written meanwhile (a .pyc by a concurrent run, say) is no disagreement: ask both
        # again, at once, for the names that differ; what still differs is.
        again = oracle(differ, path)
        fresh = modspec.Resolver(path, backend=backend).resolve_many(differ)
        differ = [name for name in differ if fields(fresh[name]) != again[name]]
        got, expected = {n: fields(fresh[n]) for n in differ}, {n: again[n] for n in differ}
    assert not differ, _diff(differ, got, expected, len(names))


def _diff(differ: list[str], got: dict[str, Any], expected: dict[str, Any], total: int) -> str:
    lines = [f"{len(differ)} of {total} names differ from CPython:"]
    for name in differ[:25]:
        lines.append(f"  {name}")
        mine, theirs = got[name] or {}, expected[name] or {}
        if got[name] is None or expected[name] is None:
            lines.append(f"    modspec: {got[name]}")
            lines.append(f"    CPython: {expected[name]}")
            continue
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                lines.append(f"    {key}: modspec {mine.get(key)!r} != CPython {theirs.get(key)!r}")
    if len(differ) > 25:
        lines.append(f"  ... and {len(differ) - 25} more")
    return "\n".join(lines)
