"""discover(): every module an import statement could reach, found from listings alone."""

from __future__ import annotations

import importlib.machinery
import os
from collections.abc import Callable
from pathlib import Path

import modspec

Tree = Callable[[dict[str, object]], Path]

EXT = importlib.machinery.EXTENSION_SUFFIXES[0]
TREE: dict[str, object] = {
    "a/mod.py": "",
    "a/pkg/__init__.py": "",
    "a/pkg/sub.py": "",
    "a/pkg/inner/__init__.py": "",
    "a/pkg/inner/deep.py": "",
    "a/pkg/__pycache__/sub.cpython-311.pyc": b"",
    f"a/fast{EXT}": b"",
    "a/only.pyc": b"",
    "a/ns/part.py": "",
    "b/ns/other.py": "",
    "b/mod.py": "",  # shadowed by a/mod.py
    "a/not-a-name.py": "",  # import statements cannot name it
    "a/data.txt": "",
    "a/pkg_1.0.dist-info/METADATA": "",
}


def test_discover_finds_every_importable_name(tree: Tree, backend: str) -> None:
    root = tree(TREE)
    path = [str(root / "a"), str(root / "b")]
    found = modspec.discover(path, resolver=modspec.Resolver(path, backend=backend))
    assert sorted(found) == [
        "fast",
        "mod",
        "ns",
        "ns.other",
        "ns.part",
        "only",
        "pkg",
        "pkg.inner",
        "pkg.inner.deep",
        "pkg.sub",
    ]
    # Each name maps to what import would find: the first entry wins.
    assert found["mod"].origin == str(root / "a" / "mod.py")
    assert found["ns"].submodule_search_locations == (str(root / "a/ns"), str(root / "b/ns"))
    assert found["fast"].kind is modspec.Kind.EXTENSION
    assert found["only"].kind is modspec.Kind.BYTECODE


def test_discover_agrees_with_resolve_many(tree: Tree) -> None:
    root = tree(TREE)
    path = [str(root / "a"), str(root / "b")]
    found = modspec.discover(path)
    assert found == {k: v for k, v in modspec.resolve_many(list(found), path=path).items() if v}


def test_discover_follows_a_symlink_loop_once(tree: Tree) -> None:
    root = tree({"a/pkg/__init__.py": "", "a/pkg/mod.py": ""})
    os.symlink(root / "a" / "pkg", root / "a" / "pkg" / "again")
    found = modspec.discover([str(root / "a")])
    # pkg/again is a namespace portion pointing back at pkg: listed once, not forever.
    assert "pkg.mod" in found
    assert "pkg.again" in found
    assert not any(name.count("again") > 1 for name in found)


def test_discover_defaults_to_sys_path() -> None:
    found = modspec.discover()
    assert found["json"].kind is modspec.Kind.SOURCE
    assert "json.decoder" in found
