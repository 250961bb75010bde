"""ModuleInfo: predict() against what a real import sets, asked of CPython in a subprocess."""

from __future__ import annotations

import importlib.machinery
import json
import os
import py_compile
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

import modspec
from modspec import Kind, ModuleInfo, Resolver, Spec

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]
Fields = dict[str, Any]

# Shared by both sides: how a ModuleInfo becomes a comparable dict.
_FIELDS_SOURCE = r"""
def _class_name(cls):
    if cls is None:
        return None
    module = cls.__module__.lstrip("_").replace("frozen_importlib_external", "importlib")
    return module.replace("frozen_importlib", "importlib") + "." + cls.__qualname__

def _optional_list(value):
    return None if value is None else list(value)

def info_fields(info):
    spec = info.spec
    return {
        "name": info.name,
        "file": info.file,
        "doc": info.doc if info.doc is None or isinstance(info.doc, str) else repr(info.doc),
        "names": None if info.names is None else sorted(info.names),
        "spec": None if spec is None else {
            "name": spec.name,
            "kind": spec.kind.value,
            "origin": spec.origin,
            "submodule_search_locations": _optional_list(spec.submodule_search_locations),
            "cached": spec.cached,
            "origin_stat": _optional_list(spec.origin_stat),
            "cached_stat": _optional_list(spec.cached_stat),
        },
        "loader": _class_name(info.loader),
        "package": info.package,
        "path": _optional_list(info.path),
        "cached": info.cached,
    }
"""

# Imports each name and reports ModuleInfo.of() of what sys.modules then holds; with a
# backend, also ModuleInfo.predict() of modspec's spec, computed there (under the same flags).
_IMPORT_SCRIPT = (
    _FIELDS_SOURCE
    + r"""
import importlib
import json
import signal
import sys

with open(sys.argv[1], encoding="utf-8") as file:
    request = json.load(file)
sys.path[:0] = [request["modspec_dir"]]
from modspec import ModuleInfo, Resolver
del sys.path[0]
sys.path[:0] = request["path"]
search_path = list(sys.path)  # as it is before any module of the request runs

def _timeout(signum, frame):
    raise TimeoutError("import took too long")

signal.signal(signal.SIGALRM, _timeout)
answers = {}
for name in request["names"]:
    try:
        signal.setitimer(signal.ITIMER_REAL, request["timeout"])
        try:
            importlib.import_module(name)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        answers[name] = info_fields(ModuleInfo.of(sys.modules[name]))
    except BaseException as exc:  # SystemExit too: a module that exits is not comparable
        answers[name] = {"error": f"{type(exc).__name__}: {exc}"}
predicted = {}
if request.get("backend"):
    resolver = Resolver(search_path, backend=request["backend"])
    for name, spec in resolver.resolve_many(request["names"]).items():
        predicted[name] = None if spec is None else info_fields(ModuleInfo.predict(spec))
with open(sys.argv[2], "w", encoding="utf-8") as file:
    json.dump({"of": answers, "predict": predicted}, file)
"""
)

_namespace: dict[str, Any] = {}
exec(_FIELDS_SOURCE, _namespace)


def info_fields(info: ModuleInfo) -> Fields:
    """A ModuleInfo as the dict the subprocess reports."""
    found: Fields = _namespace["info_fields"](info)
    return found


def import_in_subprocess(
    names: Iterable[str],
    path: Sequence[str],
    scratch: Path,
    *,
    flags: Sequence[str] = (),
    backend: str | None = None,
    timeout: float = 10.0,
) -> tuple[dict[str, Fields], dict[str, Fields | None]]:
    """(ModuleInfo.of each name after importing it, predictions made there when ``backend``).

    -I: no user site or environment; -S: no site, so no .pth file installs finders or hooks
    (modspec predicts what the standard finders find); -B: importing writes no .pyc, so the
    files modspec stat'ed stay as they were. ``path`` goes before the interpreter's own
    sys.path (the stdlib, under -S)."""
    request = {
        "names": list(names),
        "path": list(path),
        "backend": backend,
        "timeout": timeout,
        "modspec_dir": str(Path(modspec.__file__).parent.parent),
    }
    scratch.mkdir(parents=True, exist_ok=True)
    request_file, answer_file = scratch / "request.json", scratch / "answer.json"
    request_file.write_text(json.dumps(request), encoding="utf-8")
    command = [sys.executable, "-I", "-S", "-B", *flags, "-c", _IMPORT_SCRIPT]
    done = subprocess.run(
        [*command, str(request_file), str(answer_file)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        # setuptools would otherwise put its own distutils in the stdlib's place as it loads.
        env={**os.environ, "SETUPTOOLS_USE_DISTUTILS": "stdlib"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"import subprocess failed ({done.returncode}):\n{done.stderr}")
    answers = json.loads(answer_file.read_text(encoding="utf-8"))
    return answers["of"], answers["predict"]


def without_names(found: Fields) -> Fields:
    """Every field but ``names``: what only running the module can tell."""
    return {key: value for key, value in found.items() if key != "names"}


def describe(mismatches: dict[str, tuple[Fields, Fields]]) -> str:
    lines = [f"{len(mismatches)} module(s) differ (predicted, then imported):"]
    for name, (predicted, imported) in mismatches.items():
        differ = sorted(key for key in predicted if predicted[key] != imported.get(key))
        lines.append(f"  {name}: {', '.join(differ)}")
    lines.append("in detail:")
    for name, (predicted, imported) in list(mismatches.items())[:25]:
        lines.append(f"  {name}")
        for key in sorted(set(predicted) | set(imported)):
            if predicted.get(key) != imported.get(key):
                lines.append(f"    {key}: predicted {predicted.get(key)!r}")
                lines.append(f"    {' ' * len(key)}  imported  {imported.get(key)!r}")
    if len(mismatches) > 25:
        lines.append(f"  ... and {len(mismatches) - 25} more")
    return "\n".join(lines)


# --- fixture trees ------------------------------------------------------------------------------

P = "modspec_mi_"  # every fixture module is named so: nothing else on sys.path answers them

# 3.13's compiler strips docstrings' indentation and expands their tabs (gh-81283).
CLEANS = sys.version_info >= (3, 13)

DOCSTRINGS: dict[str, tuple[object, str | None]] = {
    # name: (source, the __doc__ CPython gives it)
    "doc": (
        '"""Module doc.\n\n    Indented.\n"""\nX = 1\n',
        "Module doc.\n\nIndented.\n" if CLEANS else "Module doc.\n\n    Indented.\n",
    ),
    "indented": (
        '"""  lead\n\ttab\n      six\n"""\n',
        "lead\n  tab\nsix\n" if CLEANS else "  lead\n\ttab\n      six\n",
    ),
    "latin": (b'# -*- coding: latin-1 -*-\n"""caf\xe9 \xb5"""\n', "caf\u00e9 \u00b5"),
    "bom": ('\ufeff"""bom \u00e9"""\n'.encode(), "bom \u00e9"),
    "raw": (
        'r"raw \\d " "plain\\t" u"uni"\n',
        "raw \\d plain    uni" if CLEANS else "raw \\d plain\tuni",
    ),
    "paren": ('("a"\n "b")\nx = 1\n', "ab"),
    "semicolon": ('"first"; x = 1\n', "first"),
    "comments": ('#!/usr/bin/env python\n# comment\n\n"""after comments"""\n', "after comments"),
    "escape": ('"invalid \\d escape"\n', "invalid \\d escape"),  # the import only warns
    "fstring": ('f"not a doc"\n', None),
    "bytes": ('b"not a doc"\n', None),
    "folded": ('"a" + "b"\n', None),  # constant folding comes after the docstring is taken
    "nodoc": ('x = 1\n"late string"\n', None),
    "empty": ("", None),
}


def fixture_tree(tree: Tree) -> tuple[Path, list[str], list[str]]:
    files: dict[str, object] = {f"fx/{P}{name}.py": src for name, (src, _) in DOCSTRINGS.items()}
    files.update(
        {
            f"fx/{P}pkg/__init__.py": '"""Package doc."""\n',
            f"fx/{P}pkg/sub.py": '"""Sub doc."""\nfrom . import other\n',
            f"fx/{P}pkg/other.py": "",
            f"fx/{P}ns/portion.py": '"""Portion doc."""\n',
            f"fx2/{P}ns/other.py": "",
            f"fx2/{P}ns/deeper/leaf.py": '"leaf"\n',
            f"src/{P}bc.py": "VALUE = 1\n",
        }
    )
    root = tree(files)
    # A sourceless module: the legacy .pyc beside where its source was.
    py_compile.compile(str(root / f"src/{P}bc.py"), str(root / f"fx/{P}bc.pyc"), doraise=True)
    path = [str(root / "fx"), str(root / "fx2")]
    names = [f"{P}{name}" for name in DOCSTRINGS]
    names += [f"{P}pkg", f"{P}pkg.sub", f"{P}pkg.other", f"{P}bc"]
    names += [f"{P}ns", f"{P}ns.portion", f"{P}ns.other", f"{P}ns.deeper", f"{P}ns.deeper.leaf"]
    return root, path, names


def test_fixtures_predict_what_import_sets(tree: Tree, make_resolver: MakeResolver) -> None:
    root, path, names = fixture_tree(tree)
    imported, _ = import_in_subprocess(names, path, root / "scratch")
    specs = make_resolver(path).resolve_many(names)
    mismatches = {}
    for name in names:
        spec = specs[name]
        assert spec is not None, name
        assert "error" not in imported[name], imported[name]
        predicted = info_fields(ModuleInfo.predict(spec))
        if without_names(predicted) != without_names(imported[name]):
            mismatches[name] = (predicted, imported[name])
    assert not mismatches, describe(mismatches)
    # What the fixtures are there to show:
    kinds = {specs[name].kind for name in names}  # type: ignore[union-attr]
    assert {Kind.SOURCE, Kind.BYTECODE, Kind.NAMESPACE} <= kinds
    for name, (_, doc) in DOCSTRINGS.items():
        assert imported[P + name]["doc"] == doc, name
    assert imported[f"{P}pkg"]["path"] == [str(root / "fx" / f"{P}pkg")]
    assert imported[f"{P}ns"]["path"] == [str(root / d / f"{P}ns") for d in ("fx", "fx2")]
    assert imported[f"{P}ns"]["file"] is None
    assert imported[f"{P}bc"]["cached"] == str(root / "fx" / f"{P}bc.pyc")


def test_fixtures_under_OO(tree: Tree, backend: str) -> None:
    # -OO strips docstrings: predicted (there, under -OO) and imported alike have none.
    root, path, names = fixture_tree(tree)
    imported, predicted = import_in_subprocess(
        names, path, root / "scratch", flags=["-OO"], backend=backend
    )
    mismatches = {}
    for name in names:
        mine = predicted[name]
        assert mine is not None, name
        if without_names(mine) != without_names(imported[name]):
            mismatches[name] = (mine, imported[name])
    assert not mismatches, describe(mismatches)
    assert all(imported[name]["doc"] is None for name in names)
    assert imported[f"{P}doc"]["cached"].endswith(".opt-2.pyc")


def test_a_module_that_sets_its_own_doc(tree: Tree, make_resolver: MakeResolver) -> None:
    # Documented as unpredictable: the prediction is what the import system sets, the module's
    # own code runs afterwards.
    root = tree({f"fx/{P}selfdoc.py": '"""original"""\n__doc__ = "changed"\n'})
    path = [str(root / "fx")]
    imported, _ = import_in_subprocess([f"{P}selfdoc"], path, root / "scratch")
    spec = make_resolver(path).resolve(f"{P}selfdoc")
    assert spec is not None
    assert spec.module_info().doc == "original"
    assert imported[f"{P}selfdoc"]["doc"] == "changed"


def test_sourceless_docstring_is_not_predicted(tree: Tree, make_resolver: MakeResolver) -> None:
    # Documented as unpredictable: reading it would mean unmarshalling the .pyc.
    root = tree({f"src/{P}bcdoc.py": '"""compiled doc"""\n'})
    py_compile.compile(str(root / f"src/{P}bcdoc.py"), str(root / f"fx/{P}bcdoc.pyc"))
    path = [str(root / "fx")]
    imported, _ = import_in_subprocess([f"{P}bcdoc"], path, root / "scratch")
    spec = make_resolver(path).resolve(f"{P}bcdoc")
    assert spec is not None
    assert spec.kind is Kind.BYTECODE
    predicted = info_fields(spec.module_info())
    assert predicted["doc"] is None
    assert imported[f"{P}bcdoc"]["doc"] == "compiled doc"
    assert without_names({**predicted, "doc": "compiled doc"}) == without_names(
        imported[f"{P}bcdoc"]
    )


BROKEN = {
    "syntax": '"""doc"""\ndef (:\n',
    "nul": b'"""doc"""\n\x00\n',
    "undecodable": b'"""caf\xe9"""\n',  # not UTF-8, and no coding cookie
    "badcookie": b'# coding: no-such-codec\n"""doc"""\n',
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_file_that_does_not_parse_has_no_doc(
    name: str, tree: Tree, make_resolver: MakeResolver
) -> None:
    root = tree({f"fx/{P}{name}.py": BROKEN[name]})
    path = [str(root / "fx")]
    imported, _ = import_in_subprocess([P + name], path, root / "scratch")
    # It does not import at all (3.10 and 3.11 raise ValueError for a NUL byte).
    assert imported[P + name]["error"].startswith(("SyntaxError", "ValueError"))
    spec = make_resolver(path).resolve(P + name)
    assert spec is not None
    info = spec.module_info()
    assert info.doc is None
    assert info.file == spec.origin


STDLIB_SAMPLE = [
    "json",  # a source package
    "json.decoder",
    "_json",  # an extension module (or a builtin, depending on the build)
    "sys",  # builtin
    "math",
    "zipimport",  # frozen on every version
    "os",  # frozen on 3.11+
    "__phello__",  # a frozen package
    "__phello__.spam",
    "__hello_alias__",  # frozen under another name (3.11+)
    "email.mime.text",
    "encodings",
]


@pytest.mark.parametrize("flags", [(), ("-O",), ("-OO",)], ids=["default", "O", "OO"])
def test_stdlib_sample_and_flags(flags: tuple[str, ...], backend: str, tmp_path: Path) -> None:
    # Predicted in the subprocess too: -O and -OO change cached (opt-N .pyc) and doc.
    imported, predicted = import_in_subprocess(
        STDLIB_SAMPLE, [], tmp_path, flags=flags, backend=backend
    )
    mismatches = {}
    for name in STDLIB_SAMPLE:
        mine, theirs = predicted[name], imported[name]
        if mine is None:
            assert "error" in theirs, name
            continue
        if mine["spec"]["kind"] in ("builtin", "extension"):
            # Documented as unpredictable: their __doc__ comes from C.
            assert mine["doc"] is None
            theirs = {**theirs, "doc": None}
        if without_names(mine) != without_names(theirs):
            mismatches[name] = (mine, theirs)
    assert not mismatches, describe(mismatches)
    json_doc = imported["json"]["doc"]
    assert (json_doc is None) == (flags == ("-OO",))
    # Frozen code was compiled when the interpreter was built: -OO does not strip it.
    assert imported["zipimport"]["doc"] is not None


# --- the API ------------------------------------------------------------------------------------


def test_of_a_live_module_reads_its_dict() -> None:
    info = ModuleInfo.of(json_module())
    assert info.name == "json"
    assert info.spec == modspec.resolve("json")
    assert info.loader is importlib.machinery.SourceFileLoader
    assert info.names is not None
    assert {"__name__", "loads", "dumps"} <= info.names
    assert info.path == info.spec.submodule_search_locations  # type: ignore[union-attr]
    assert hash(info) == hash(ModuleInfo.of(json_module()))


def json_module() -> Any:
    import json as module

    return module


def test_of_does_not_run_module_getattr() -> None:
    import types

    module = types.ModuleType("modspec_mi_lazy", "lazy doc")

    def __getattr__(name: str) -> object:
        raise AssertionError(f"__getattr__({name!r}) ran")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    info = ModuleInfo.of(module)
    assert info.doc == "lazy doc"
    assert info.file is None
    assert info.spec is None
    assert info.loader is None
    assert info.path is None
    assert info.cached is None


def test_of_a_module_with_a_foreign_spec() -> None:
    import types

    class Loader(importlib.machinery.SourceFileLoader):
        pass

    module = types.ModuleType("modspec_mi_foreign")
    loader = Loader("modspec_mi_foreign", "x.py")
    module.__spec__ = importlib.machinery.ModuleSpec("modspec_mi_foreign", loader)
    module.__loader__ = loader
    info = ModuleInfo.of(module)
    assert info.spec is None  # UnsupportedSpec: not a loader of the standard finders
    assert info.loader is Loader


def test_predict_is_frozen_hashable_and_delegated(make_resolver: MakeResolver) -> None:
    spec = make_resolver().resolve("json.decoder")
    assert isinstance(spec, Spec)
    info = ModuleInfo.predict(spec)
    assert info == spec.module_info()
    assert hash(info) == hash(spec.module_info())
    assert info.names is None
    assert info.package == "json"
    assert info.spec is spec
    with pytest.raises(AttributeError):
        info.name = "other"  # type: ignore[misc]


# --- the whole environment ----------------------------------------------------------------------

# Not imported at all: importing them acts on the world (a browser, the terminal), runs a
# program, a GUI or a test suite, or changes what later imports find.
NOT_IMPORTED_TOP = {
    "antigravity": "opens a web browser",
    "this": "prints the Zen of Python",
    "idlelib": "a GUI application; some modules build windows",
    "tkinter": "needs a display for much of it",
    "turtle": "tkinter",
    "turtledemo": "tkinter demos",
    "test": "CPython's test suite: some modules change global state as they load",
    "setup": "a build script",
}


def importable(name: str) -> bool:
    parts = name.split(".")
    return parts[0] not in NOT_IMPORTED_TOP and "__main__" not in parts  # __main__ runs


# Documented differences, found by importing the environment: (module, field) -> why. Each is
# a module doing at run time what no prediction from its spec can know.
ALLOWED: dict[tuple[str, str], str] = {
    # importlib/__init__.py renames the frozen bootstrap modules, and puts them in sys.modules
    # under the names of their source files: another module than the file modspec finds.
    ("_frozen_importlib", "name"): "importlib sets it to 'importlib._bootstrap'",
    ("_frozen_importlib", "package"): "importlib sets it to 'importlib'",
    ("_frozen_importlib_external", "name"): "importlib: 'importlib._bootstrap_external'",
    ("_frozen_importlib_external", "package"): "importlib sets it to 'importlib'",
    **{
        (f"importlib.{name}", field): "sys.modules holds the frozen _frozen_importlib module"
        for name in ("_bootstrap", "_bootstrap_external")
        for field in ("file", "doc", "spec", "loader", "cached")
    },
    **{
        ("collections.abc", field): "collections puts _collections_abc in sys.modules under it"
        for field in ("file", "doc", "spec", "loader", "package", "cached")
    },
    # A module that names itself otherwise: its code, or its C definition, says so.
    ("_collections_abc", "name"): "__name__ = 'collections.abc', for pickling",
    ("_pydecimal", "name"): "__name__ = 'decimal', for pickling",
    ("_decimal", "name"): "its C module definition is named 'decimal'",
    ("_io", "name"): "its C module definition is named 'io'",
    ("_xxtestfuzz", "name"): "its C module definition is named '_fuzz'",
    # __doc__ set by the module's own code: from its accelerator, or assigned, or extended.
    **{
        (name, "doc"): "the module assigns __doc__ (from a C twin, or built as it runs)"
        for name in (
            "ast_serialize",  # __doc__ = ast_serialize.__doc__ (its extension module)
            "csv",  # from _csv import __doc__
            "datetime",  # from _datetime import __doc__
            "decimal",  # from _decimal import __doc__
            "hashlib",  # __doc__ = """...""" after a comment-only header... as a statement
            "operator",  # from _operator import __doc__
            "pdb",  # __doc__ += the help of every command
            "pip._vendor.pyparsing",  # __doc__ = """...""" as a later statement
            "pip._vendor.requests.status_codes",  # __doc__ += the table of codes
            "pkg_resources._vendor.pyparsing",
            "setuptools._vendor.pyparsing",
            "pyximport",  # from .pyximport import __doc__
            "struct",  # from _struct import __doc__
            # sympy (the [bench] extra): each builds its docstring of formulas as it runs.
            "sympy.integrals.meijerint_doc",
            "sympy.simplify.hyperexpand_doc",
        )
    },
    # six makes itself a package as it runs: __path__ = [], __package__ = __name__, and
    # __spec__.submodule_search_locations = [].
    **{
        (name, field): "six sets __path__, __package__ and its spec's search locations"
        for name in ("pip._vendor.six", "pip._vendor.urllib3.packages.six")
        for field in ("package", "path", "spec")
    },
    # pkg_resources and setuptools put a VendorImporter in sys.meta_path as they load, and it
    # loads their _vendor packages with its own loader: a spec modspec does not model.
    **{
        (f"{package}._vendor.{name}", "spec"): "loaded by the package's own VendorImporter"
        for package in ("pkg_resources", "setuptools")
        for name in ("appdirs", "jaraco", "more_itertools", "ordered_set", "packaging", "pyparsing")
    },
}


def environment_path(scratch: Path) -> list[str]:
    """The sys.path of an isolated interpreter: stdlib, site-packages, .pth entries; not the
    current directory, which would offer this checkout's setup.py and tests."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=scratch,
    )
    path: list[str] = json.loads(done.stdout)
    return path


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, Fields]]:
    """(the path, ModuleInfo.of every importable module under it), imported once for both
    backends: every name discover() lists, and the builtins."""
    scratch = tmp_path_factory.mktemp("environment")
    path = environment_path(scratch)
    names = [*modspec.discover(path), *sys.builtin_module_names]
    names = sorted(name for name in set(names) if importable(name))
    imported, _ = import_in_subprocess(names, path, scratch / "scratch")
    return path, imported


@pytest.mark.slow
def test_environment_predict_agrees_with_import(
    backend: str, environment: tuple[list[str], dict[str, Fields]]
) -> None:
    path, imported = environment
    names = list(imported)
    resolver = Resolver(path, backend=backend)
    found = modspec.discover(path, resolver=resolver)
    found.update(
        (name, spec)
        for name, spec in resolver.resolve_many(sys.builtin_module_names).items()
        if spec is not None
    )
    compared = 0
    mismatches: dict[str, tuple[Fields, Fields]] = {}
    for name in names:
        theirs = imported[name]
        if "error" in theirs:
            continue  # not importable here: a missing dependency, another platform's module
        compared += 1
        mine = without_names(info_fields(ModuleInfo.predict(found[name])))
        theirs = without_names(theirs)
        if found[name].kind in (Kind.BUILTIN, Kind.EXTENSION, Kind.BYTECODE, Kind.ZIP):
            # Documented as unpredictable: C sets the first two's __doc__; the others' would
            # need unmarshalling or unzipping code.
            assert mine["doc"] is None, name
            theirs["doc"] = None
        for key in list(mine):
            if (name, key) in ALLOWED:
                mine[key] = theirs[key]
        if mine != theirs:
            mismatches[name] = (mine, theirs)
    assert compared > 1_000
    kinds = {found[name].kind for name in names if "error" not in imported[name]}
    assert {Kind.SOURCE, Kind.EXTENSION, Kind.BUILTIN, Kind.FROZEN, Kind.NAMESPACE} <= kinds
    assert not mismatches, describe(mismatches)
