"""Spec <-> importlib: to_importlib() loads real modules; from_importlib() agrees with resolve()."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import py_compile
import shutil
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import modspec
from modspec import FileStat, Kind, Resolver, Spec, UnsupportedSpec

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]

PREFIX = "modspec_rt_"  # every module these tests load is named so, and removed afterwards


@pytest.fixture
def scratch_modules() -> Iterator[None]:
    """Forget, afterwards, every module a test put in sys.modules under PREFIX."""
    yield
    for name in [name for name in sys.modules if name.startswith(PREFIX)]:
        del sys.modules[name]


def load(spec: Spec) -> types.ModuleType:
    """What the import system does with a spec: module_from_spec, then exec_module."""
    module_spec = spec.to_importlib()
    assert isinstance(module_spec, importlib.machinery.ModuleSpec)
    module = importlib.util.module_from_spec(module_spec)
    if module_spec.loader is not None:
        module_spec.loader.exec_module(module)
    return module


def check_module_attributes(module: types.ModuleType, spec: Spec) -> None:
    """The attributes _init_module_attrs derives from the spec are the spec's."""
    assert module.__name__ == spec.name
    assert module.__spec__.name == spec.name
    assert module.__spec__.origin == spec.origin
    assert module.__spec__.cached == spec.cached
    assert module.__spec__.has_location is spec.has_location
    assert module.__spec__.parent == spec.parent
    assert module.__package__ == spec.parent
    if spec.loader is not None:
        loader = module.__loader__
        assert (loader if isinstance(loader, type) else type(loader)) is spec.loader
    assert getattr(module, "__cached__", None) == spec.cached
    if spec.has_location:
        assert module.__file__ == spec.origin
    if spec.is_package:
        assert list(module.__path__) == list(spec.submodule_search_locations or ())
    else:
        assert not hasattr(module, "__path__")


# --- to_importlib: each kind a tree can hold ----------------------------------------------------

ROUND_TRIP_TREE: dict[str, object] = {
    f"rt/{PREFIX}src.py": "value = 6 * 7\nname = __name__\n",
    f"rt/{PREFIX}pkg/__init__.py": "init = True\npath = list(__path__)\n",
    f"rt/{PREFIX}pkg/sub.py": "from . import helper\npackage = __package__\nhelped = helper.HELP\n",
    f"rt/{PREFIX}pkg/helper.py": "HELP = 'helped'\n",
    f"rt/{PREFIX}ns/portion.py": "PORTION = 'a'\n",
    f"rt2/{PREFIX}ns/other.py": "PORTION = 'b'\n",
    f"rt/{PREFIX}bc_source.py": "COMPILED = 'sourceless'\n",
}


@pytest.fixture
def round_trip_path(tree: Tree, scratch_modules: None) -> list[str]:
    root = tree(ROUND_TRIP_TREE)
    # A sourceless module: a .pyc beside where its source was, and no source.
    source = root / "rt" / f"{PREFIX}bc_source.py"
    py_compile.compile(str(source), cfile=str(root / "rt" / f"{PREFIX}bc.pyc"), doraise=True)
    source.unlink()
    return [str(root / "rt"), str(root / "rt2")]


def test_round_trip_source_module(make_resolver: MakeResolver, round_trip_path: list[str]) -> None:
    spec = make_resolver(round_trip_path).resolve(f"{PREFIX}src")
    assert spec is not None
    assert spec.kind is Kind.SOURCE
    module = load(spec)
    check_module_attributes(module, spec)
    assert module.value == 42
    assert module.name == f"{PREFIX}src"


def test_round_trip_package_and_submodule(
    make_resolver: MakeResolver, round_trip_path: list[str]
) -> None:
    resolver = make_resolver(round_trip_path)
    package_spec = resolver.resolve(f"{PREFIX}pkg")
    assert package_spec is not None
    assert package_spec.kind is Kind.SOURCE
    assert package_spec.is_package
    package = load(package_spec)
    check_module_attributes(package, package_spec)
    assert package.init is True
    assert package.path == [str(Path(round_trip_path[0], f"{PREFIX}pkg"))]
    # The submodule's relative import goes through the real import system and the package's
    # __path__ as to_importlib() set it.
    sys.modules[f"{PREFIX}pkg"] = package
    sub_spec = resolver.resolve(f"{PREFIX}pkg.sub")
    assert sub_spec is not None
    sub = load(sub_spec)
    check_module_attributes(sub, sub_spec)
    assert sub.package == f"{PREFIX}pkg"
    assert sub.helped == "helped"
    # A fresh look: the import may have written helper's .pyc into a __pycache__ that the
    # first resolver's kept listing of pkg/ predates (as FileFinder would re-list pkg/).
    helper_spec = make_resolver(round_trip_path).resolve(f"{PREFIX}pkg.helper")
    assert helper_spec is not None
    assert Spec.from_importlib(sys.modules[f"{PREFIX}pkg.helper"].__spec__) == helper_spec


def test_round_trip_sourceless_module(
    make_resolver: MakeResolver, round_trip_path: list[str]
) -> None:
    spec = make_resolver(round_trip_path).resolve(f"{PREFIX}bc")
    assert spec is not None
    assert spec.kind is Kind.BYTECODE
    assert spec.cached == spec.origin
    assert spec.cached_stat == spec.origin_stat
    module = load(spec)
    check_module_attributes(module, spec)
    assert module.COMPILED == "sourceless"


def test_round_trip_namespace_package(
    make_resolver: MakeResolver, round_trip_path: list[str]
) -> None:
    resolver = make_resolver(round_trip_path)
    spec = resolver.resolve(f"{PREFIX}ns")
    assert spec is not None
    assert spec.kind is Kind.NAMESPACE
    assert spec.submodule_search_locations == tuple(
        str(Path(entry, f"{PREFIX}ns")) for entry in round_trip_path
    )
    module_spec = spec.to_importlib()
    assert module_spec.loader is None  # as PathFinder leaves it
    assert module_spec.origin is None
    module = load(spec)
    check_module_attributes(module, spec)
    # Both portions are importable through the namespace package's __path__.
    sys.modules[f"{PREFIX}ns"] = module
    assert importlib.import_module(f"{PREFIX}ns.portion").PORTION == "a"
    assert importlib.import_module(f"{PREFIX}ns.other").PORTION == "b"


# An extension module can be put in a tree by copying one: its init function names the module.
EXTENSION_CANDIDATES: list[tuple[str, Callable[[Any], object], object]] = [
    # (module name, a call and its result)
    ("_bisect", lambda module: module.bisect_left([1, 2, 3], 2), 1),
    ("cmath", lambda module: module.sqrt(-1), 1j),
    ("_heapq", lambda module: module.nsmallest(1, [3, 1, 2]), [1]),
]


def test_round_trip_extension_module(tree: Tree, make_resolver: MakeResolver) -> None:
    available = [
        (name, call, result)
        for name, call, result in EXTENSION_CANDIDATES
        if (found := modspec.resolve(name)) is not None and found.kind is Kind.EXTENSION
    ]
    assert available, "none of the candidates is an extension module in this build"
    name, call, result = available[0]
    installed = modspec.resolve(name)
    assert installed is not None
    assert installed.origin is not None
    root = tree({"ext": None})
    shutil.copy(installed.origin, root / "ext")
    spec = make_resolver([str(root / "ext")]).resolve(name)
    assert spec is not None
    assert spec.kind is Kind.EXTENSION
    assert spec.origin == str(root / "ext" / Path(installed.origin).name)
    assert spec.cached is None
    module = load(spec)
    check_module_attributes(module, spec)
    assert call(module) == result


# Builtins loaded afresh by create_module/exec_module; several are multi-phase and make a new
# module object, none of these holds interpreter-wide state a second copy could disturb.
BUILTIN_CANDIDATES = [
    ("_string", "formatter_parser"),
    ("_symtable", "symtable"),
    ("xxsubtype", "spamdict"),
    ("_operator", "add"),
]


@pytest.mark.parametrize(("name", "attribute"), BUILTIN_CANDIDATES)
def test_round_trip_builtin(make_resolver: MakeResolver, name: str, attribute: str) -> None:
    spec = make_resolver([]).resolve(name)
    if name not in sys.builtin_module_names:
        assert spec is None or spec.kind is not Kind.BUILTIN
        return
    assert spec == Spec(name, Kind.BUILTIN, "built-in", None, None, None, None)
    module = load(spec)
    check_module_attributes(module, spec)
    assert callable(getattr(module, attribute))


def test_some_builtin_candidate_is_builtin() -> None:
    assert any(name in sys.builtin_module_names for name, _ in BUILTIN_CANDIDATES)


FROZEN_CASES = [
    # (name, is a package, an attribute its code sets)
    ("__hello__", False, "main"),
    ("__phello__", True, "main"),
    ("__phello__.spam", False, "main"),
]


@pytest.mark.parametrize(("name", "is_package", "attribute"), FROZEN_CASES)
def test_round_trip_frozen(
    make_resolver: MakeResolver,
    capsys: pytest.CaptureFixture[str],
    name: str,
    is_package: bool,
    attribute: str,
) -> None:
    spec = make_resolver([]).resolve(name)
    assert spec is not None
    assert spec.kind is Kind.FROZEN
    assert spec.origin == "frozen"
    assert spec.is_package is is_package
    module = load(spec)
    capsys.readouterr()  # 3.10's frozen __hello__ greets when run
    check_module_attributes(module, spec)
    assert module.initialized is True
    if sys.version_info >= (3, 11):  # 3.10's frozen hello modules only print
        assert callable(getattr(module, attribute))


def test_frozen_spec_keeps_loader_state(make_resolver: MakeResolver) -> None:
    spec = make_resolver([]).resolve("__phello__.spam")
    assert spec is not None
    module_spec = spec.to_importlib()
    expected = importlib.machinery.FrozenImporter.find_spec("__phello__.spam")
    assert expected is not None
    assert module_spec.loader_state == expected.loader_state


# --- from_importlib agrees with resolve ---------------------------------------------------------

STDLIB_NAMES = [
    # pure-Python modules and packages
    "json",
    "json.decoder",
    "os.path",
    "email",
    "email.mime",
    "email.mime.text",
    "xml",
    "xml.etree",
    "xml.etree.ElementTree",
    "collections",
    "collections.abc",
    "concurrent",
    "concurrent.futures",
    "concurrent.futures.thread",
    "http",
    "http.client",
    "logging",
    "logging.handlers",
    "urllib",
    "urllib.parse",
    "importlib",
    "importlib.resources",
    "asyncio",
    "asyncio.events",
    "unittest",
    "unittest.mock",
    "sqlite3",
    "ctypes",
    "ctypes.util",
    "multiprocessing",
    "wsgiref",
    "string",
    "textwrap",
    "difflib",
    "argparse",
    "dataclasses",
    "fractions",
    "tomllib",
    "encodings",
    "encodings.utf_8",
    "encodings.idna",
    "lib2to3",
    "test",
    "test.support",
    "tkinter",
    "pydoc_data",
    # frozen since 3.11, source before
    "os",
    "codecs",
    "io",
    "abc",
    "stat",
    "posixpath",
    "genericpath",
    "site",
    "_collections_abc",
    "_sitebuiltins",
    "runpy",
    "zipimport",
    "importlib.util",
    "importlib.machinery",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "__hello__",
    "__phello__",
    "__phello__.spam",
    "__phello__.ham",
    "__phello__.ham.eggs",
    "__hello_alias__",
    "__phello_alias__",
    "__phello_alias__.spam",
    "__hello_only__",
    # extension modules (or builtins, as the build decided)
    "_json",
    "math",
    "cmath",
    "_decimal",
    "array",
    "select",
    "_socket",
    "zlib",
    "_struct",
    "binascii",
    "_csv",
    "_bisect",
    "_heapq",
    "_random",
    "_pickle",
    "_datetime",
    "mmap",
    "_lzma",
    "_bz2",
    "unicodedata",
    "_posixsubprocess",
    "fcntl",
    "_queue",
    "_asyncio",
    "pyexpat",
    "_sqlite3",
    "_ctypes",
    "_ssl",
    "_hashlib",
    # builtins
    "sys",
    "builtins",
    "_imp",
    "_thread",
    "_io",
    "marshal",
    "posix",
    "time",
    "errno",
    "_abc",
    "_codecs",
    "_sre",
    "itertools",
    "gc",
    "_weakref",
    "_warnings",
    "atexit",
    "_signal",
    "_stat",
    "_string",
    "pwd",
    "_operator",
    # absent here
    "no_such_module_x",
    "json.no_such",
    "nt",
    "winreg",
    "msvcrt",
    "_winapi",
]


# Modules a parent's code puts in sys.modules under another name: `import os.path` works because
# os ran, and since 3.13 collections/__init__.py registers _collections_abc as collections.abc,
# shadowing collections/abc.py. modspec runs nothing: it answers what the finders would find,
# None for os.path (os is no package) and the shadowed file for collections.abc.
SYS_MODULES_ALIASES = {
    # name: (the module registered under it, since which version, the file modspec finds)
    "os.path": ("posixpath", (3, 10), None),
    "collections.abc": ("_collections_abc", (3, 13), "collections/abc.py"),
}


def _find_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    # find_spec imports the parents (harmless stdlib packages) and answers from sys.modules
    # for what is imported already.
    try:
        return importlib.util.find_spec(name)
    except ModuleNotFoundError:  # a missing parent
        return None


@pytest.mark.parametrize("name", STDLIB_NAMES)
def test_from_importlib_agrees_with_resolve(
    make_resolver: MakeResolver, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    theirs = _find_spec(name)
    capsys.readouterr()  # 3.10's frozen __phello__ greets when imported as a parent
    mine = make_resolver().resolve(name)
    if theirs is None:
        assert mine is None
        return
    alias, since, shadowed = SYS_MODULES_ALIASES.get(name, (None, (99,), None))
    if sys.version_info >= since:
        assert theirs.name == alias
        if shadowed is None:
            assert mine is None
        else:
            assert mine is not None
            assert mine.origin is not None
            assert mine.origin.endswith("/" + shadowed)
        return
    assert mine is not None
    loader = theirs.loader if isinstance(theirs.loader, type) else type(theirs.loader)
    search = theirs.submodule_search_locations
    assert (mine.name, mine.loader, mine.origin, mine.cached, mine.parent, mine.has_location) == (
        theirs.name,
        loader,
        theirs.origin,
        theirs.cached,
        theirs.parent,
        theirs.has_location,
    )
    assert mine.submodule_search_locations == (None if search is None else tuple(search))
    assert Spec.from_importlib(theirs) == mine


def test_stdlib_names_cover_every_kind() -> None:
    kinds = {spec.kind for spec in modspec.resolve_many(STDLIB_NAMES).values() if spec}
    expected = {Kind.SOURCE, Kind.EXTENSION, Kind.BUILTIN, Kind.FROZEN}
    assert expected <= kinds


def test_from_importlib_stats_the_files(tree: Tree) -> None:
    root = tree({"st/mod.py": "x = 1\n", "st/__pycache__": None})
    origin = str(root / "st" / "mod.py")
    cached = importlib.util.cache_from_source(origin)
    module_spec = importlib.util.spec_from_file_location("mod", origin)
    assert module_spec is not None
    spec = Spec.from_importlib(module_spec)
    assert spec.origin_stat == FileStat.of(origin)
    assert spec.origin_stat is not None
    assert spec.cached == cached
    assert spec.cached_stat is None
    py_compile.compile(origin, cfile=cached, doraise=True)
    assert Spec.from_importlib(module_spec).cached_stat == FileStat.of(cached)


def test_from_importlib_of_an_imported_namespace_package(
    tree: Tree, make_resolver: MakeResolver, scratch_modules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once imported, a namespace package's spec has a NamespaceLoader, put there by
    # module_from_spec; find_spec then answers from sys.modules.
    root = tree({f"nsi/{PREFIX}ns_imported/part.py": ""})
    monkeypatch.setattr(sys, "path", [str(root / "nsi"), *sys.path])
    module = importlib.import_module(f"{PREFIX}ns_imported")
    assert module.__spec__.loader is not None
    theirs = importlib.util.find_spec(f"{PREFIX}ns_imported")
    assert theirs is module.__spec__
    spec = Spec.from_importlib(theirs)
    assert spec == make_resolver().resolve(f"{PREFIX}ns_imported")
    assert spec.kind is Kind.NAMESPACE


# --- from_importlib refuses what no standard finder makes ---------------------------------------


class _CustomLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _SourceSubclass(importlib.machinery.SourceFileLoader):
    """Behaves otherwise than a SourceFileLoader (as pyximport's ExtensionFileLoader does)."""


def _custom_specs() -> list[importlib.machinery.ModuleSpec]:
    return [
        importlib.machinery.ModuleSpec("custom", _CustomLoader()),
        importlib.machinery.ModuleSpec(
            "custom",
            _CustomLoader,  # type: ignore[arg-type]
            origin="somewhere",
        ),
        importlib.machinery.ModuleSpec("custom", _SourceSubclass("custom", "/x/custom.py")),
        importlib.machinery.ModuleSpec("custom", object()),  # type: ignore[arg-type]
        importlib.machinery.ModuleSpec("custom", None),  # no loader and no __path__
    ]


@pytest.mark.parametrize("index", range(len(_custom_specs())))
def test_from_importlib_refuses_custom_loaders(index: int) -> None:
    module_spec = _custom_specs()[index]
    with pytest.raises(UnsupportedSpec, match="custom"):
        Spec.from_importlib(module_spec)
