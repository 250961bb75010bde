"""Legacy namespace packages (pkgutil.extend_path, pkg_resources.declare_namespace) with
``legacy_namespaces=True``, against CPython importing the parents in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from oracle import _FIELDS_SOURCE, fields

import modspec
from modspec._legacy import DECLARE_NAMESPACE, EXTEND_PATH, idiom

EXTEND = "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"
EXTEND_DOTTED = "import pkgutil\n__path__ = pkgutil.extend_path(__path__, __name__)\n"
DECLARE = "__import__('pkg_resources').declare_namespace(__name__)\n"
DECLARE_IMPORTED = "import pkg_resources\npkg_resources.declare_namespace(__name__)\n"
# The spellings real distributions ship: backports.*, PyQt5 and keyrings.alt use the first.
EXTEND_IMPORTED = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
EXTEND_ALIASED = "import pkgutil as _p\n__path__ = _p.extend_path(__path__, __name__)\n"
DECLARE_FROM = "from pkg_resources import declare_namespace\ndeclare_namespace(__name__)\n"
EITHER = (
    "try:\n    __import__('pkg_resources').declare_namespace(__name__)\n"
    "except ImportError:\n    from pkgutil import extend_path\n"
    "    __path__ = extend_path(__path__, __name__)\n"
)


@pytest.mark.parametrize(
    ("source", "with_pkg_resources", "expected"),
    [
        (EXTEND, True, EXTEND_PATH),
        (EXTEND_DOTTED, True, EXTEND_PATH),
        ('"""Doc."""\n' + EXTEND, True, EXTEND_PATH),
        (DECLARE, True, DECLARE_NAMESPACE),
        (DECLARE_IMPORTED, True, DECLARE_NAMESPACE),
        (EITHER, True, DECLARE_NAMESPACE),
        (EITHER, False, EXTEND_PATH),
        (EXTEND_IMPORTED, True, EXTEND_PATH),
        (EXTEND_ALIASED, True, EXTEND_PATH),
        (DECLARE_FROM, True, DECLARE_NAMESPACE),
        (
            "from pkgutil import extend_path as ep\n__path__ = ep(__path__, __name__)\n",
            True,
            EXTEND_PATH,
        ),
        (
            "from pkg_resources import declare_namespace as dn\ndn(__name__)\n",
            True,
            DECLARE_NAMESPACE,
        ),
        (
            "try:\n    "
            + DECLARE_FROM.replace("\n", "\n    ")
            + "pass\nexcept ImportError:\n    "
            + EXTEND_ALIASED.replace("\n", "\n    ")
            + "pass\n",
            False,
            EXTEND_PATH,
        ),
        # Names no import binds (NameError: the package does not import), or other modules'.
        ("__path__ = extend_path(__path__, __name__)\n", True, None),
        ("import pkgutil as _p\n__path__ = pkgutil.extend_path(__path__, __name__)\n", True, None),
        ("declare_namespace(__name__)\n", True, None),
        ("__path__ = __import__('os').extend_path(__path__, __name__)\n", True, None),
        ("from pkgutil import declare_namespace\ndeclare_namespace(__name__)\n", True, None),
        (
            "import os as pkgutil\n__path__ = __import__('pkgutil').walk(__path__, __name__)\n",
            True,
            None,
        ),
        ("__path__ = extend_path(__path__, 'other')\n", True, None),
        ("x = extend_path(__path__, __name__)\n", True, None),
        ("# extend_path, declare_namespace: only words here\n", True, None),
        ("if X:\n" + "    " + EXTEND.replace("\n", "\n    "), True, None),
        ("declare_namespace(\n", True, None),  # does not parse
        ("", True, None),
    ],
)
def test_idiom(tmp_path: Path, source: str, with_pkg_resources: bool, expected: str | None) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(source, encoding="utf-8")
    assert idiom(str(init), lambda: with_pkg_resources) == expected


def test_a_large_init_is_not_read(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(EXTEND + "#" * 70_000 + "\n", encoding="utf-8")
    assert idiom(str(init), lambda: True) is None


# --- against CPython ----------------------------------------------------------------------------

_ORACLE = (
    _FIELDS_SOURCE
    + r"""
import importlib, importlib.util, json, sys, warnings
warnings.simplefilter("ignore")
request = json.load(sys.stdin)
# The fixture's entries first, the standard library after them (pkgutil, pkg_resources need it).
sys.path[:] = request["path"] + sys.path
searched = list(sys.path)
answers, paths = {}, {}
for name in request["names"]:
    parent = name.rpartition(".")[0]
    if parent:
        importlib.import_module(parent)  # runs its __init__: the point of the oracle
    spec = importlib.util.find_spec(name)
    answers[name] = None if spec is None else _importlib_fields(spec)
for name in request["packages"]:
    paths[name] = list(importlib.import_module(name).__path__)
json.dump({"answers": answers, "paths": paths, "path": searched}, sys.stdout)
"""
)


def _oracle(path: list[str], names: list[str], packages: list[str]) -> dict[str, Any]:
    request = {"path": path, "names": names, "packages": packages}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _ORACLE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="session")
def pkg_resources_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A directory holding a real pkg_resources: setuptools < 81 (the last to ship it),
    unpacked from its wheel."""
    where = tmp_path_factory.mktemp("pkg_resources")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "setuptools<81",
            "-d",
            str(where / "wheel"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (where / "wheel").glob("setuptools-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(where / "unpacked")
    return str(where / "unpacked")


Tree = Callable[[dict[str, object]], Path]


def _compare(
    root: Path, path: list[str], names: list[str], packages: list[str], backend: str
) -> None:
    """Children field by field as find_spec gives them once their parents ran; each legacy
    namespace package as its spec, with the __path__ its __init__ left."""
    names = names + [name for name in packages if name not in names]
    theirs = _oracle(path, names, packages)
    expected = theirs["answers"]
    for name in packages:
        # find_spec gives the package's spec before its __init__ ran; modspec, asked to, the
        # __path__ after it.
        expected[name]["submodule_search_locations"] = theirs["paths"][name]
    resolver = modspec.Resolver(theirs["path"], legacy_namespaces=True, backend=backend)
    found = resolver.resolve_many(names)
    assert {name: fields(found[name]) for name in names} == expected


def test_extend_path(tree: Tree, backend: str) -> None:
    root = tree(
        {
            "a/ns/__init__.py": EXTEND,
            "a/ns/one.py": "",
            "a/ns/inner/__init__.py": EXTEND_DOTTED,
            "a/ns.pkg": "# a comment\n\n{root}/d/extra\n",
            "b/ns/__init__.py": EXTEND,
            "b/ns/two.py": "",
            "b/ns/inner/deep.py": "",
            "c/ns/three.py": "",  # a namespace portion: extend_path takes it too
            "d/extra/four.py": "",
        }
    )
    pkg = root / "a/ns.pkg"
    pkg.write_text(pkg.read_text().replace("{root}", str(root)))
    path = [str(root / entry) for entry in "abc"]
    names = ["ns.one", "ns.two", "ns.three", "ns.four", "ns.inner", "ns.inner.deep", "ns.nope"]
    _compare(root, path, names, ["ns", "ns.inner"], backend)
    # The default is the answer before any package code runs: ns is a's directory alone.
    plain = modspec.Resolver(path, backend=backend).resolve_many(["ns", "ns.two", "ns.one"])
    assert plain["ns"] is not None
    assert plain["ns"].submodule_search_locations == (str(root / "a/ns"),)
    assert plain["ns.two"] is None
    assert plain["ns.one"] is not None


def test_declare_namespace(tree: Tree, backend: str, pkg_resources_dir: str) -> None:
    root = tree(
        {
            "x/dn/__init__.py": DECLARE,
            "x/dn/one.py": "",
            "y/dn/__init__.py": DECLARE_IMPORTED,
            "y/dn/two.py": "",
            "z/dn/three.py": "",  # no __init__: pkg_resources leaves a namespace portion out
        }
    )
    path = [str(root / "x"), str(root / "z"), str(root / "y"), pkg_resources_dir]
    names = ["dn.one", "dn.two", "dn.three", "dn.nope"]
    _compare(root, path, names, ["dn"], backend)


def test_try_declare_namespace_else_extend_path(tree: Tree, backend: str) -> None:
    # Without pkg_resources on the path the ImportError handler's extend_path runs.
    root = tree(
        {
            "p/tns/__init__.py": EITHER,
            "p/tns/one.py": "",
            "q/tns/__init__.py": EITHER,
            "q/tns/two.py": "",
        }
    )
    path = [str(root / "p"), str(root / "q")]
    _compare(root, path, ["tns.one", "tns.two"], ["tns"], backend)


# Every spelling recognised, each as a package in two path entries: what CPython's import leaves.
SPELLINGS = {
    "sp_from": EXTEND,
    "sp_dotted": EXTEND_DOTTED,
    "sp_dunder": EXTEND_IMPORTED,
    "sp_alias": EXTEND_ALIASED,
    "sp_declare": DECLARE,
    "sp_declare_imported": DECLARE_IMPORTED,
    "sp_declare_from": DECLARE_FROM,
}


def test_every_spelling_against_cpython(tree: Tree, backend: str, pkg_resources_dir: str) -> None:
    files: dict[str, object] = {}
    for package, source in SPELLINGS.items():
        files |= {
            f"first/{package}/__init__.py": source,
            f"first/{package}/one.py": "",
            f"second/{package}/__init__.py": source,
            f"second/{package}/two.py": "",
        }
    root = tree(files)
    path = [str(root / "first"), str(root / "second"), pkg_resources_dir]
    names = [f"{package}.{child}" for package in SPELLINGS for child in ("one", "two", "nope")]
    _compare(root, path, names, list(SPELLINGS), backend)
    # Each answer came through the idiom: without it, the second entry's child is not found.
    plain = modspec.Resolver(path, backend=backend)
    assert all(plain.resolve(f"{package}.two") is None for package in SPELLINGS)
