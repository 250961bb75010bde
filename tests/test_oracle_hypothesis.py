"""Random trees, random paths: modspec must answer every name exactly as CPython does.

Names come from a tiny alphabet so that modules, packages, namespace portions and cached files
collide within a directory and across path entries. Each example asks CPython (tests/oracle.py)
about every candidate name in one subprocess. ``MODSPEC_FUZZ_EXAMPLES`` sets the number of
examples (default 40). Hostile shapes join in: files named like packages, dangling symlinks and
FIFOs named like modules, file paths as path entries, and names that are empty, end in a dot,
hold spaces, NUL bytes or lone surrogates.
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
    # A file, a directory or nothing, as the tree has it.
    *("{root}/{d}/a.py", "{d}/a"),
)
ABSENT = ("zz", "a.zz", "zz.a", "__init__", "__pycache__", "a.__init__")
# Names no module has, or only odd files have: each must get CPython's answer, not a crash.
HOSTILE = ("", "a.", "a..b", "a b", " a", "a\x00", "\x00", "\udcff", "a.\udcff", "a.a.")

# One item of a directory tree: (parent directories, (what, name, suffix)); "compiled" is
# a source file with its cache file.
_leaf = st.one_of(
    st.tuples(st.just("module"), st.sampled_from(ALPHABET), st.sampled_from(SUFFIXES)),
    st.tuples(st.just("init"), st.just("__init__"), st.sampled_from(SUFFIXES)),
    st.tuples(st.just("dir"), st.sampled_from(ALPHABET), st.just("")),
    st.tuples(st.just("cached"), st.sampled_from(ALPHABET), st.just("")),
    st.tuples(st.just("compiled"), st.sampled_from((*ALPHABET, "__init__")), st.just(".py")),
    # Odd files where a module or package could be: a plain file named like a package, a
    # symlink to nothing and a FIFO named like modules.
    st.tuples(st.just("file"), st.sampled_from(ALPHABET), st.just("")),
    st.tuples(st.just("dangling"), st.sampled_from(ALPHABET), st.sampled_from(SUFFIXES)),
    st.tuples(st.just("fifo"), st.sampled_from(ALPHABET), st.just(".py")),
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
            try:
                directory.mkdir(parents=True, exist_ok=True)
                _add_odd_file(directory, what, name, suffix)
            except OSError:
                continue  # an earlier item put a file where this one needs a directory
            if what in ("file", "dangling", "fifo"):
                continue
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
                if target.is_fifo():
                    continue  # opening it to write would wait for a reader forever
                try:
                    target.write_bytes(os.fsencode(target.relative_to(root)))
                except OSError:
                    continue  # a directory, FIFO or dangling link took the name first
            if name != "__init__":
                parents = (*parents, name)
            if parents:
                names.add(".".join(parents))
    return names


def _add_odd_file(directory: Path, what: str, name: str, suffix: str) -> None:
    target = directory / f"{name}{suffix}"
    if target.exists() or target.is_symlink():
        return
    if what == "file":
        target.write_bytes(b"")
    elif what == "dangling":
        target.symlink_to(directory / "nowhere")
    elif what == "fifo":
        os.mkfifo(target)


def candidates(tree_names: set[str]) -> list[str]:
    """Every tree name, every dotted name of the alphabet up to depth 3, and a few absent ones."""
    combos = {
        ".".join(parts)
        for depth in (1, 2, 3)
        for parts in itertools.product(ALPHABET, repeat=depth)
    }
    return sorted(tree_names | combos | set(ABSENT) | set(HOSTILE))


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
