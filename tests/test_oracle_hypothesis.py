"""Random trees, random paths: modspec must answer every name exactly as CPython does.

Names come from a tiny alphabet so that modules, packages, namespace portions and cached files
collide within a directory and across path entries. Each example asks CPython (tests/oracle.py)
about every candidate name in one subprocess. ``MODSPEC_FUZZ_EXAMPLES`` sets the number of
examples (default 40).
"""

from __future__ import annotations

import importlib.machinery
import itertools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import compare

import modspec

MakeResolver = Callable[..., modspec.Resolver]

ALPHABET = ("a", "b", "A")
SUFFIXES = (
    *importlib.machinery.EXTENSION_SUFFIXES,
    *importlib.machinery.SOURCE_SUFFIXES,
    *importlib.machinery.BYTECODE_SUFFIXES,
)
TAG = sys.implementation.cache_tag
MAX_ENTRIES = 4
# How a path entry names directory e<i>: absolute or relative to the working directory.
SPELLINGS = (
    *("{root}/{d}", "{root}/{d}/", "{root}/./{d}", "{root}//{d}"),
    *("{d}", "./{d}", "{d}/", "{d}//", "./{d}/", ".//{d}", "{d}/.", "{d}/../{d}"),
)
ABSENT = ("zz", "a.zz", "zz.a", "__init__", "__pycache__", "a.__init__")

# One item of a directory tree: (parent directories, (what, name, suffix)); "compiled" is
# a source file with its cache file.
_leaf = st.one_of(
    st.tuples(st.just("module"), st.sampled_from(ALPHABET), st.sampled_from(SUFFIXES)),
    st.tuples(st.just("init"), st.just("__init__"), st.sampled_from(SUFFIXES)),
    st.tuples(st.just("dir"), st.sampled_from(ALPHABET), st.just("")),
    st.tuples(st.just("cached"), st.sampled_from(ALPHABET), st.just("")),
    st.tuples(st.just("compiled"), st.sampled_from((*ALPHABET, "__init__")), st.just(".py")),
)
_item = st.tuples(st.lists(st.sampled_from(ALPHABET), max_size=2).map(tuple), _leaf)
Item = tuple[tuple[str, ...], tuple[str, str, str]]
_trees = st.lists(st.lists(_item, max_size=6), min_size=1, max_size=MAX_ENTRIES)
# Entries may repeat, and may name a directory that no tree was drawn for (a missing entry).
_path = st.lists(
    st.tuples(st.integers(0, MAX_ENTRIES - 1), st.sampled_from(SPELLINGS)), min_size=1, max_size=4
)


def build(root: Path, trees: list[list[Item]]) -> set[str]:
    """Write the trees under root/e0, root/e1, ...; return the module names they hold."""
    names: set[str] = set()
    for index, items in enumerate(trees):
        (root / f"e{index}").mkdir()
        for parents, (what, name, suffix) in items:
            directory = root.joinpath(f"e{index}", *parents)
            directory.mkdir(parents=True, exist_ok=True)
            files = []
            if what == "dir":
                (directory / name).mkdir(exist_ok=True)
            if what in ("module", "init", "compiled"):
                files.append(directory / f"{name}{suffix}")
            if what in ("cached", "compiled"):
                # A PEP 3147 cache file, of a source file that may or may not exist.
                (directory / "__pycache__").mkdir(exist_ok=True)
                files.append(directory / "__pycache__" / f"{name}.{TAG}.pyc")
            for target in files:
                target.write_bytes(os.fsencode(target.relative_to(root)))
            if name != "__init__":
                parents = (*parents, name)
            if parents:
                names.add(".".join(parents))
    return names


def candidates(tree_names: set[str]) -> list[str]:
    """Every tree name, every dotted name of the alphabet up to depth 3, and a few absent ones."""
    combos = {
        ".".join(parts)
        for depth in (1, 2, 3)
        for parts in itertools.product(ALPHABET, repeat=depth)
    }
    return sorted(tree_names | combos | set(ABSENT))


@settings(
    max_examples=int(os.environ.get("MODSPEC_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(trees=_trees, chosen=_path)
def test_random_trees_match_cpython(
    make_resolver: MakeResolver, trees: list[list[Item]], chosen: list[tuple[int, str]]
) -> None:
    # A fresh directory per example: hypothesis reuses function-scoped fixtures like tmp_path.
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = candidates(build(root, trees))
        path = [spelling.format(root=root, d=f"e{index}") for index, spelling in chosen]
        cwd = os.getcwd()
        os.chdir(root)  # relative entries are relative to the working directory
        try:
            compare(make_resolver(path), names, path)
        finally:
            os.chdir(cwd)
