"""One fixture tree per rule of CPython's path-based import system, each checked against CPython.

Every case builds a small tree under tmp_path (the working directory during the test), resolves a
list of names over a path, and asks CPython's own finders for the same names over the same path
(tests/oracle.py): every ModuleSpec field and both stats must agree, on both cores.

Path entries are written with a ``{root}`` placeholder for tmp_path, so a case can use absolute
entries, relative ones, or both. File contents are the file's own relative path: sizes differ, so
a stat taken from the wrong file shows.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from oracle import compare, fields, oracle

import modspec

Tree = Callable[[dict[str, object]], Path]
MakeResolver = Callable[..., modspec.Resolver]

EXT = tuple(importlib.machinery.EXTENSION_SUFFIXES)
# FileFinder's order: every extension suffix, then source, then bytecode.
SUFFIXES = (*EXT, *importlib.machinery.SOURCE_SUFFIXES, *importlib.machinery.BYTECODE_SUFFIXES)
TAG = sys.implementation.cache_tag


def files(*paths: str) -> dict[str, object]:
    """A tree of files whose content is their own path; a trailing '/' makes a directory."""
    return {p.rstrip("/"): None if p.endswith("/") else os.fsencode(p) for p in paths}


def link(target: str) -> tuple[str, str]:
    return ("symlink", target)


def pyc(directory: str, stem: str, tag: str | None = TAG) -> str:
    """The PEP 3147 cache file of ``directory/stem.py``."""
    return f"{directory}/__pycache__/{stem}.{tag}.pyc"


def run_case(
    tree: Tree,
    make_resolver: MakeResolver,
    layout: dict[str, object],
    entries: Sequence[object],
    names: Sequence[str],
) -> None:
    root = tree(layout)
    path = [e.format(root=root) if isinstance(e, str) else e for e in entries]
    compare(make_resolver(path), names, path)  # type: ignore[arg-type]


# --- Packages beat modules; the first path entry with the name wins. ---

PACKAGE_CASES = [
    *(
        pytest.param(
            files(f"a/pkg/__init__{suffix}", "a/pkg.py", "a/pkg.pyc", "a/pkg/sub.py"),
            ["{root}/a"],
            ["pkg", "pkg.sub", "pkg.nope"],
            id=f"package-init{suffix}-beats-module",
        )
        for suffix in SUFFIXES
    ),
    pytest.param(
        files("a/m.py", "b/m/__init__.py", "b/m/x.py"),
        ["{root}/a", "{root}/b"],
        ["m", "m.x"],
        id="first-entry-module-beats-later-package",
    ),
    pytest.param(
        files("a/m/__init__.py", "a/m/x.py", "b/m.py", "b/m/__init__.py", "b/m/y.py"),
        ["{root}/a", "{root}/b"],
        ["m", "m.x", "m.y"],
        id="first-entry-package-beats-later-package",
    ),
    pytest.param(
        files("a/m.pyc", "b/m.py", f"b/m{EXT[0]}"),
        ["{root}/a", "{root}/b"],
        ["m"],
        id="first-entry-sourceless-beats-later-source-and-extension",
    ),
    pytest.param(
        files("a/other.py", "b/m.py", "c/m.py"),
        ["{root}/a", "{root}/b", "{root}/c"],
        ["m", "other"],
        id="first-entry-that-has-the-name",
    ),
]


@pytest.mark.parametrize(("layout", "entries", "names"), PACKAGE_CASES)
def test_packages(
    tree: Tree,
    make_resolver: MakeResolver,
    layout: dict[str, object],
    entries: list[str],
    names: list[str],
) -> None:
    run_case(tree, make_resolver, layout, entries, names)


# --- Suffix order: every extension suffix, then .py, then .pyc; several present at once. ---

SUFFIX_CASES = [
    *(
        pytest.param(
            files(*(f"a/m{suffix}" for suffix in SUFFIXES[first:])),
            id=f"module-from-{SUFFIXES[first]}",
        )
        for first in range(len(SUFFIXES))
    ),
    *(
        pytest.param(
            files(*(f"a/m/__init__{suffix}" for suffix in SUFFIXES[first:])),
            id=f"package-from-{SUFFIXES[first]}",
        )
        for first in range(len(SUFFIXES))
    ),
    pytest.param(files("a/m.py", "a/m.pyc", f"a/m{EXT[-1]}"), id="last-extension-beats-source"),
    pytest.param(files("a/m.pyc", f"a/m{EXT[0]}.py"), id="suffix-must-follow-the-name"),
    pytest.param(files("a/m.PY", "a/m.Pyc", f"a/m{EXT[0].upper()}"), id="suffix-case-matters"),
]


@pytest.mark.parametrize("layout", SUFFIX_CASES)
def test_suffix_order(tree: Tree, make_resolver: MakeResolver, layout: dict[str, object]) -> None:
    run_case(tree, make_resolver, layout, ["{root}/a"], ["m", "m.x"])


# --- Namespace packages (PEP 420). ---

NAMESPACE_CASES = [
    pytest.param(
        files("a/ns/x.py", "b/ns/y.py", "c/ns/", "d/other.py", "e/ns/x.py"),
        ["{root}/a", "{root}/b", "{root}/c", "{root}/d", "{root}/e"],
        ["ns", "ns.x", "ns.y", "ns.z"],
        id="portions-from-all-entries-in-order",
    ),
    pytest.param(
        files("a/ns/x.py", "b/ns/__init__.py", "b/ns/y.py", "c/ns/z.py"),
        ["{root}/a", "{root}/b", "{root}/c"],
        ["ns", "ns.x", "ns.y", "ns.z"],
        id="later-regular-package-wins",
    ),
    pytest.param(
        files("a/ns/x.py", "b/ns.py", "c/ns/"),
        ["{root}/a", "{root}/b", "{root}/c"],
        ["ns", "ns.x"],
        id="later-module-wins",
    ),
    pytest.param(
        files("a/ns/", "b/ns/__init__.pyc", f"c/ns{EXT[0]}"),
        ["{root}/a", "{root}/b", "{root}/c"],
        ["ns"],
        id="later-sourceless-package-wins",
    ),
    pytest.param(
        files("a/top/mid/leaf.py", "b/top/mid/other.py", "b/top/mid/deeper/"),
        ["{root}/a", "{root}/b"],
        ["top", "top.mid", "top.mid.leaf", "top.mid.other", "top.mid.deeper", "top.mid.deeper.x"],
        id="nested-namespaces",
    ),
    pytest.param(
        files("a/top/p1/x.py", "b/top/p2/y.py", "b/top/p1/z.py", "c/top/p1/__init__.py"),
        ["{root}/a", "{root}/b", "{root}/c"],
        ["top", "top.p1", "top.p2", "top.p1.x", "top.p1.z", "top.p2.y"],
        id="portions-inside-a-namespace",
    ),
    pytest.param(
        files("a/x/inner.py", "a/x.py", "b/x/"),
        ["{root}/a", "{root}/b"],
        ["x", "x.inner"],
        id="module-beats-namespace-dir-in-same-dir",
    ),
    pytest.param(
        files("a/x/inner.py", "a/x.pyc", f"a/y{EXT[-1]}", "a/y/"),
        ["{root}/a"],
        ["x", "x.inner", "y"],
        id="sourceless-and-extension-beat-namespace-dir-in-same-dir",
    ),
    pytest.param(
        files("a/empty/"),
        ["{root}/a"],
        ["empty", "empty.x"],
        id="empty-directory-is-a-namespace",
    ),
    pytest.param(
        files("a/pkg/__init__.py", "a/pkg/sub/mod.py", "b/pkg/sub/other.py"),
        ["{root}/a", "{root}/b"],
        ["pkg", "pkg.sub", "pkg.sub.mod", "pkg.sub.other"],
        id="namespace-inside-a-regular-package",
    ),
    pytest.param(
        files("a/ns/pkg/__init__.py", "a/ns/pkg/x.py", "b/ns/pkg/__init__.py", "b/ns/pkg/y.py"),
        ["{root}/a", "{root}/b"],
        ["ns", "ns.pkg", "ns.pkg.x", "ns.pkg.y"],
        id="regular-package-inside-a-namespace",
    ),
    pytest.param(
        files("a/ns/x.py"),
        ["{root}/a", "{root}/a"],
        ["ns", "ns.x"],
        id="duplicate-entry-duplicates-the-portion",
    ),
]


@pytest.mark.parametrize(("layout", "entries", "names"), NAMESPACE_CASES)
def test_namespace_packages(
    tree: Tree,
    make_resolver: MakeResolver,
    layout: dict[str, object],
    entries: list[str],
    names: list[str],
) -> None:
    run_case(tree, make_resolver, layout, entries, names)


# --- Sourceless bytecode, extension modules, symlinks and other odd files. ---

FILE_CASES = [
    pytest.param(files("a/m.pyc"), ["m", "m.x"], id="sourceless-module"),
    pytest.param(
        files("a/p/__init__.pyc", "a/p/s.pyc", "a/p/t.py"),
        ["p", "p.s", "p.t"],
        id="sourceless-package",
    ),
    pytest.param(
        files("a/m.pyc", pyc("a", "m"), "a/p/__init__.pyc", pyc("a/p", "__init__")),
        ["m", "p"],
        id="sourceless-cached-is-origin-despite-pycache",
    ),
    pytest.param(files("a/m.py", "a/m.pyc", pyc("a", "m")), ["m"], id="source-beats-sourceless"),
    pytest.param(
        files(f"a/p/__init__{EXT[0]}", "a/p/s.py", f"a/p/t{EXT[-1]}", "a/p/q/__init__.py"),
        ["p", "p.s", "p.t", "p.q"],
        id="extension-package",
    ),
    pytest.param(
        files(*(f"a/e{i}{suffix}" for i, suffix in enumerate(EXT))),
        [f"e{i}" for i in range(len(EXT))],
        id="every-extension-suffix",
    ),
    pytest.param(
        {**files("a/p/x.py"), "a/p/__init__.py": link("missing.py")},
        ["p", "p.x"],
        id="broken-init-symlink-makes-a-namespace",
    ),
    pytest.param(
        {**files("a/p/x.py", "a/p.py"), "a/p/__init__.py": link("missing.py")},
        ["p", "p.x"],
        id="broken-init-symlink-module-wins",
    ),
    pytest.param(
        {**files("a/p/__init__.pyc"), "a/p/__init__.py": link("missing.py")},
        ["p"],
        id="broken-init-symlink-then-sourceless-init",
    ),
    pytest.param(
        files("a/p/__init__.py/", "a/p/x.py"), ["p", "p.x"], id="init-that-is-a-directory"
    ),
    pytest.param(
        files("a/x.py/inner.py", "a/y.py/", "a/y.pyc", f"a/z{EXT[0]}/", "a/z.py"),
        ["x", "x.py", "x.inner", "y", "z"],
        id="directories-named-like-modules",
    ),
    pytest.param(
        {**files("a/real/__init__.py", "a/real/s.py"), "a/link": link("real")},
        ["link", "link.s", "real"],
        id="symlinked-package",
    ),
    pytest.param(
        {**files("a/real.py", pyc("a", "real")), "a/alias.py": link("real.py")},
        ["alias", "real"],
        id="symlinked-module",
    ),
    pytest.param(
        {
            **files("elsewhere/pkg/__init__.py", "elsewhere/pkg/s.py"),
            "a/pkg": link("../elsewhere/pkg"),
        },
        ["pkg", "pkg.s"],
        id="symlink-to-a-package-outside-the-path",
    ),
    pytest.param(
        {**files("a/m.pyc"), "a/loop.py": link("loop.py"), "a/m.py": link("loop.py")},
        ["loop", "m"],
        id="symlink-loops-are-not-files",
    ),
    pytest.param(
        {**files("a/realns/x.py", "b/ns/y.py"), "a/ns": link("realns")},
        ["ns", "ns.x", "ns.y"],
        id="symlinked-namespace-portion",
    ),
    pytest.param(
        {**files("a/dd/x.py"), "a/d.py": link("dd")},
        ["d", "dd", "dd.x"],
        id="module-symlink-to-a-directory",
    ),
    pytest.param(
        files("a/plain", "a/x", "a/x.py", "a/README.txt"),
        ["plain", "x", "README", "README.txt"],
        id="files-without-a-module-suffix",
    ),
]


@pytest.mark.parametrize(("layout", "names"), FILE_CASES)
def test_files(
    tree: Tree, make_resolver: MakeResolver, layout: dict[str, object], names: list[str]
) -> None:
    run_case(tree, make_resolver, layout, ["{root}/a", "{root}/b"], names)


def test_special_files_are_not_modules(tree: Tree, make_resolver: MakeResolver) -> None:
    # FileFinder wants regular files (after following symlinks): a FIFO is none.
    root = tree(files("a/q.pyc", "a/p/x.py"))
    os.mkfifo(root / "a" / "q.py")
    os.mkfifo(root / "a" / "p" / "__init__.py")
    run_case(tree, make_resolver, {}, ["{root}/a"], ["q", "p", "p.x"])


def test_symlinked_path_entry(tree: Tree, make_resolver: MakeResolver) -> None:
    # The origin keeps the path entry's spelling, never the resolved target.
    layout = {**files("a/m.py", "a/p/__init__.py", "a/ns/x.py"), "linked": link("a")}
    run_case(tree, make_resolver, layout, ["{root}/linked", "linked"], ["m", "p", "ns", "ns.x"])


# --- __pycache__: cached locations and their stats. ---

PYCACHE_CASES = [
    pytest.param(
        files(pyc("a", "orphan"), "a/__pycache__/bare.pyc"),
        ["orphan", "__pycache__", "__pycache__.bare", "__pycache__.orphan"],
        id="orphan-pyc-is-not-found",
    ),
    pytest.param(
        files("a/m.py", pyc("a", "m"), "a/n.py"),
        ["m", "n"],
        id="cached-stat-only-when-the-pyc-exists",
    ),
    pytest.param(
        files("a/p/__init__.py", pyc("a/p", "__init__"), "a/p/s.py", pyc("a/p", "s")),
        ["p", "p.s"],
        id="package-init-cached",
    ),
    pytest.param(
        files("a/m.py", pyc("a", "m", "cpython-00"), pyc("a", "m", f"{TAG}.opt-1")),
        ["m"],
        id="pyc-for-another-tag-or-optimization-is-not-cached",
    ),
    pytest.param(
        files("a/m.py", pyc("a", "m") + "/"), ["m"], id="cached-that-is-a-directory-has-no-stat"
    ),
    pytest.param(
        {**files("a/m.py", "a/real.pyc"), pyc("a", "m"): link("../real.pyc")},
        ["m"],
        id="cached-symlink-is-followed",
    ),
    pytest.param(
        # The module's name fits in a directory entry, its cache file's name does not.
        files(f"a/{'x' * 250}.py"),
        ["x" * 250],
        id="cached-name-too-long-has-no-stat",
    ),
]


@pytest.mark.parametrize(("layout", "names"), PYCACHE_CASES)
def test_pycache(
    tree: Tree, make_resolver: MakeResolver, layout: dict[str, object], names: list[str]
) -> None:
    run_case(tree, make_resolver, layout, ["{root}/a"], names)


# --- Submodules and dotted names. ---

SUBMODULE_CASES = [
    pytest.param(
        files("a/m.py", "a/m/sub.py", "a/m/__init__.py"),
        ["m", "m.sub", "m.sub.deeper"],
        id="submodule-of-a-module-is-none",
    ),
    pytest.param(files("a/x.py"), ["missing.sub", "missing.sub.deeper"], id="missing-parent"),
    pytest.param(
        files("a/a/__init__.py", "a/a/b/__init__.py", "a/a/b/c/__init__.py", "a/a/b/c/d.py"),
        ["a", "a.b", "a.b.c", "a.b.c.d", "a.b.c.d.e", "a.b.x", "a.c"],
        id="deep-nesting",
    ),
    pytest.param(
        files("a/a/b/c/d.py", "a/a/b/__init__.py"),
        ["a", "a.b", "a.b.c", "a.b.c.d"],
        id="regular-and-namespace-levels-mixed",
    ),
    pytest.param(
        files("a/p/__init__.py", "a/p/q.py"),
        ["", "p.", "p..q", ".", "p.q."],
        id="empty-name-parts",
    ),
]


@pytest.mark.parametrize(("layout", "names"), SUBMODULE_CASES)
def test_submodules(
    tree: Tree, make_resolver: MakeResolver, layout: dict[str, object], names: list[str]
) -> None:
    names = [n for n in names if not n.startswith(".")]  # relative names need package=
    run_case(tree, make_resolver, layout, ["{root}/a"], names)


# --- Names: case, non-identifiers. ---

NAME_CASES = [
    pytest.param(
        files("a/Foo.py", "a/Bar/__init__.py", "a/Bar/Sub.py", "a/baz/"),
        ["foo", "Foo", "FOO", "bar", "Bar", "Bar.sub", "Bar.Sub", "BAZ", "baz"],
        id="case-sensitive",
    ),
    pytest.param(
        files(
            "a/my-pkg/__init__.py",
            "a/my-pkg/sub-mod.py",
            "a/café.py",
            "a/cafe\u0301x.py",
            "a/with space.py",
            "a/1abc.py",
            "a/ns dir/x.py",
            "a/π.pyc",
        ),
        [
            "my-pkg",
            "my-pkg.sub-mod",
            "my_pkg",
            "café",
            "caf\u00e9x",
            "cafe\u0301x",
            "with space",
            "1abc",
            "ns dir",
            "ns dir.x",
            "π",
        ],
        id="non-identifier-names",
    ),
    pytest.param(
        files("a/caf\udce9.py", pyc("a", "caf\udce9"), "a/n\udcff/__init__.py", "a/n\udcff/x.pyc"),
        ["caf\udce9", "café", "n\udcff", "n\udcff.x", "n\xff"],
        id="non-utf8-file-names",
    ),
    pytest.param(
        files("a/__init__.py", "a/__main__.py", "a/__pycache__/x.pyc"),
        ["__init__", "__main__", "__pycache__", "__pycache__.x"],
        id="dunder-names",
    ),
]


@pytest.mark.parametrize(("layout", "names"), NAME_CASES)
def test_names(
    tree: Tree, make_resolver: MakeResolver, layout: dict[str, object], names: list[str]
) -> None:
    run_case(tree, make_resolver, layout, ["{root}/a"], names)


# --- Builtin and frozen modules come before the path (which ones differs per version). ---


def test_builtin_and_frozen_beat_the_path(tree: Tree, make_resolver: MakeResolver) -> None:
    shadows = [
        "sys", "builtins", "marshal", "_imp", "time", "os", "zipimport", "codecs", "abc", "io",
        "posixpath", "stat", "site", "runpy", "__hello__", "__phello__", "_frozen_importlib",
    ]  # fmt: skip
    layout = files(
        *(f"a/{name}.py" for name in shadows),
        "a/importlib/__init__.py",
        "a/importlib/util.py",
        "a/importlib/machinery.py",
        "a/importlib/other.py",
        "a/__phello__/spam.py",
    )
    names = [
        *shadows,
        "__phello__.spam",
        "__phello__.ham",
        "__phello__.ham.eggs",
        "__phello__.nope",
        "__hello_alias__",
        "__phello_alias__",
        "importlib",
        "importlib.util",
        "importlib.machinery",
        "importlib.other",
        "os.path",
        "sys.x",
    ]
    run_case(tree, make_resolver, layout, ["{root}/a"], names)


# --- Path entries: their forms, and entries that are not directories. ---

ENTRY_LAYOUT = {
    **files(
        "sub/m.py",
        "sub/p/__init__.py",
        "sub/p/x.py",
        "sub/ns/a.py",
        "m.pyc",
        "ns/b.py",
        "plain.txt",
        "file.py",
    ),
    "linked": link("sub"),
    "loop": link("loop"),
    "dangling": link("missing"),
}
ENTRY_NAMES = ["m", "p", "p.x", "ns", "ns.a", "ns.b", "file", "nope"]

ENTRY_CASES = [
    pytest.param([""], id="empty-is-cwd"),
    pytest.param(["."], id="dot"),
    pytest.param(["./"], id="dot-slash"),
    pytest.param(["sub"], id="relative"),
    pytest.param(["./sub"], id="dot-slash-relative"),
    pytest.param(["././sub"], id="dot-slash-twice"),
    pytest.param([".//sub"], id="dot-double-slash"),
    pytest.param(["sub/"], id="trailing-slash"),
    pytest.param(["sub//"], id="trailing-double-slash"),
    pytest.param(["./sub/"], id="dot-slash-and-trailing-slash"),
    pytest.param(["sub/../sub"], id="dot-dot-inside"),
    pytest.param(["../{name}/sub"], id="dot-dot-first"),
    pytest.param(["{root}/sub/"], id="absolute-trailing-slash"),
    pytest.param(["{root}/sub//"], id="absolute-trailing-double-slash"),
    pytest.param(["{root}//sub"], id="absolute-double-slash"),
    pytest.param(["{root}/./sub"], id="absolute-with-dot"),
    pytest.param(["{root}/sub/."], id="absolute-ending-in-dot"),
    pytest.param(["sub", "sub"], id="duplicate"),
    pytest.param(
        ["sub", "./sub", "sub/", "{root}/sub", "{root}/sub/"], id="same-dir-spelled-5-ways"
    ),
    pytest.param(["", ".", "{root}", "./"], id="cwd-spelled-4-ways"),
    pytest.param(["missing", "{root}/missing", "sub"], id="missing"),
    pytest.param(["plain.txt", "file.py", "{root}/m.pyc", "sub"], id="regular-files"),
    pytest.param(["sub/m.py/..", "sub"], id="through-a-file"),
    pytest.param([None, 3, 4.5, ["sub"], "sub"], id="non-str-entries"),
    pytest.param(["", "sub", ""], id="cwd-twice"),
    pytest.param(["linked", "{root}/linked/"], id="symlink-to-a-directory"),
    pytest.param(["loop", "dangling", "{root}/loop", "sub"], id="broken-symlinks"),
    pytest.param(["/", "//", "sub"], id="filesystem-root"),
]


@pytest.mark.parametrize("entries", ENTRY_CASES)
def test_path_entries(tree: Tree, make_resolver: MakeResolver, entries: list[object]) -> None:
    root = tree(ENTRY_LAYOUT)
    entries = [e.replace("{name}", root.name) if isinstance(e, str) else e for e in entries]
    run_case(tree, make_resolver, {}, entries, ENTRY_NAMES)


class _Str(str):
    """A str subclass: CPython takes it as a path entry and as a module name."""


def test_str_subclass_entries_and_names(tree: Tree, make_resolver: MakeResolver) -> None:
    # CPython only calls str methods on them, which answer plain str: the JSON oracle, asked
    # with plain str, gives the answer for the subclass too.
    root = tree(files("sub/m.py", "sub/p/__init__.py", "sub/p/x.py", "sub/ns/y.py", "ns/z.py"))
    path = ["sub", f"{root}/sub/", f"{root}"]
    names = ["m", "p", "p.x", "ns", "ns.y", "ns.z", "nope"]
    resolver = make_resolver([_Str(entry) for entry in path])
    found = resolver.resolve_many([_Str(name) for name in names])
    assert {name: fields(spec) for name, spec in found.items()} == oracle(names, path)


def test_pathlike_entries_are_skipped(tree: Tree, make_resolver: MakeResolver) -> None:
    # PathFinder skips entries that are not str (3.10: str or bytes), so a pathlib.Path is
    # skipped as None is; the oracle gets None in its place (JSON cannot carry a Path).
    root = tree(files("sub/m.py", "sub/ns/y.py", "other/m.pyc", "other/ns/z.py"))
    names = ["m", "ns", "ns.y", "ns.z"]
    found = make_resolver([root / "sub", str(root / "other")]).resolve_many(names)
    expected = oracle(names, [None, str(root / "other")])  # type: ignore[list-item]
    assert {name: fields(spec) for name, spec in found.items()} == expected


# CPython asked in a subprocess with bytes path entries, which the JSON oracle cannot carry.
_BYTES_ORACLE = r"""
import json, os, sys, zipimport
from importlib.machinery import FileFinder, PathFinder
from importlib._bootstrap_external import _get_supported_file_loaders

request = json.load(sys.stdin)
sys.path_hooks[:] = [zipimport.zipimporter, FileFinder.path_hook(*_get_supported_file_loaders())]
sys.path_importer_cache.clear()
path = [os.fsencode(entry) if as_bytes else entry for entry, as_bytes in request["path"]]
try:
    spec = PathFinder.find_spec(request["name"], path)
    search = spec and spec.submodule_search_locations
    search = None if search is None else list(getattr(search, "_path", search))
    answer = None if spec is None else [spec.origin, search]
except Exception as exc:
    answer = {"error": type(exc).__name__}
json.dump(answer, sys.stdout)
"""


def _cpython_path_finder(name: str, path: Sequence[str | bytes]) -> object:
    request = {"name": name, "path": [[os.fsdecode(e), isinstance(e, bytes)] for e in path]}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _BYTES_ORACLE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "entry", [b"sub", b"missing", b"plain.txt", b"{root}/sub"], ids=lambda e: e.decode()
)
def test_bytes_entries(tree: Tree, make_resolver: MakeResolver, entry: bytes) -> None:
    root = tree(files("sub/m.py", "sub/ns/x.py", "other/m.py", "other/ns/y.py", "plain.txt"))
    entry = entry.replace(b"{root}", os.fsencode(root))
    path = [entry, str(root / "other")]
    theirs = {name: _cpython_path_finder(name, path) for name in ("m", "ns")}
    if sys.version_info < (3, 11) and (root / os.fsdecode(entry)).is_dir():
        # 3.10's PathFinder hands bytes entries to FileFinder, which fails on them (it mixes
        # bytes and str); modspec skips them, as 3.11+ does.
        assert theirs == {"m": {"error": "TypeError"}, "ns": {"error": "TypeError"}}
        return
    mine = make_resolver(path).resolve_many(["m", "ns"])
    assert mine["m"] is not None
    assert mine["ns"] is not None
    assert theirs == {
        "m": [mine["m"].origin, None],
        "ns": [None, list(mine["ns"].submodule_search_locations or ())],
    }
    run_case(tree, make_resolver, {}, [e for e in path if isinstance(e, str)], ["m", "ns", "ns.x"])


# --- Directories that cannot be read (root reads them all the same). ---

LOCKED = ("locked", "open/lockedpkg")


@pytest.fixture
def locked_tree(tree: Tree) -> Iterator[Path]:
    root = tree(
        files(
            "locked/m.py",
            "locked/ns/x.py",
            "open/lockedpkg/__init__.py",
            "open/lockedpkg/x.py",
            "open/m.py",
        )
    )
    for rel in LOCKED:
        (root / rel).chmod(0)
    yield root
    for rel in LOCKED:
        (root / rel).chmod(0o755)


def test_unreadable_directories(locked_tree: Path, make_resolver: MakeResolver) -> None:
    path = [str(locked_tree / "locked"), str(locked_tree / "open")]
    compare(make_resolver(path), ["m", "ns", "ns.x", "lockedpkg", "lockedpkg.x"], path)


def test_unreadable_directories_hide_their_contents(
    locked_tree: Path, make_resolver: MakeResolver
) -> None:
    if os.access(locked_tree / "locked", os.R_OK):
        pytest.skip("permissions are not enforced for this user (root): the oracle test covers it")
    path = [str(locked_tree / "locked"), str(locked_tree / "open")]
    found = make_resolver(path).resolve_many(["m", "lockedpkg"])
    m, lockedpkg = found["m"], found["lockedpkg"]
    assert m is not None
    assert m.origin == str(locked_tree / "open" / "m.py")
    # Its __init__ cannot be stat'ed, so the directory is only a namespace portion.
    assert lockedpkg is not None
    assert lockedpkg.kind is modspec.Kind.NAMESPACE
