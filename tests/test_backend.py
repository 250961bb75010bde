"""The core selector: the compiled core really loads, MODSPEC_PURE, fallback, and twin cores."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import modspec
from modspec import Kind, Resolver, _backend, _config, _core_py, _pep552, _rawspec, _zipfinder

Tree = Callable[[dict[str, object]], Path]

MODSPEC_DIR = Path(modspec.__file__).parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _extension_built() -> bool:
    try:
        importlib.import_module("modspec._core_c")
    except ImportError:
        return False
    return True


def require_extension() -> None:
    """Skip where a pure install is intended; elsewhere a missing extension fails the test."""
    if (_flag("MODSPEC_PURE") or _flag("MODSPEC_EXPECT_PURE")) and not _extension_built():
        pytest.skip("the extension is not built, as intended")


# --- the compiled core is what runs -------------------------------------------------------------


def test_compiled_core_loaded() -> None:
    # CI builds the extension: a silent fallback to the pure core must fail there, not skip.
    if _flag("MODSPEC_PURE") or _flag("MODSPEC_EXPECT_PURE"):
        pytest.skip("MODSPEC_PURE or MODSPEC_EXPECT_PURE is set: the pure core is intended")
    assert modspec.BACKEND == "cython", (
        "the compiled core did not load; build it (setup.py build_ext --inplace) or set "
        "MODSPEC_EXPECT_PURE=1 where a pure install is intended"
    )
    fast = importlib.import_module("modspec._core_c")
    assert fast.__file__ is not None
    assert fast.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert isinstance(fast.__loader__, importlib.machinery.ExtensionFileLoader)
    core = _backend.core_class("cython")
    assert core is fast.PathCore
    assert core is not _core_py.PathCore
    assert type(Resolver()._core) is fast.PathCore


def test_pure_when_asked() -> None:
    if not _flag("MODSPEC_PURE"):
        pytest.skip("MODSPEC_PURE is not set in this run (the subprocess tests cover it)")
    assert modspec.BACKEND == "python"
    assert type(Resolver()._core) is _core_py.PathCore


BACKEND_CASES = [
    # (backend, the core class it must pick)
    ("python", _core_py.PathCore),
    ("cython", None),  # modspec._core_c.PathCore
    (None, None),  # modspec.BACKEND's core
]


@pytest.mark.parametrize(("backend", "core"), BACKEND_CASES)
def test_resolver_backend(backend: str | None, core: type | None) -> None:
    if backend == "cython":
        require_extension()
    resolver = Resolver(backend=backend)
    expected = core or _backend.core_class(backend or modspec.BACKEND)
    assert type(resolver._core) is expected
    assert resolver.backend == (backend or modspec.BACKEND)


@pytest.mark.parametrize("backend", ["nope", "", "Cython", "PYTHON", "pure", "c"])
def test_unknown_backend(backend: str) -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        Resolver(backend=backend)
    with pytest.raises(ValueError, match=repr(backend)):
        _backend.core_class(backend)


def test_backends_constant() -> None:
    assert _backend.BACKENDS == ("cython", "python")
    assert modspec.BACKEND in _backend.BACKENDS


# --- choosing in a fresh interpreter ------------------------------------------------------------

_PROBE = r"""
import json, sys, warnings
sys.path.insert(0, sys.argv[1])
exec(sys.argv[2])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import modspec
    found = modspec.resolve("json")
print(json.dumps({
    "backend": modspec.BACKEND,
    "from": modspec.__file__,
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    "json": None if found is None else found.kind.value,
}))
"""

_BLOCK_WITH_NONE = "sys.modules['modspec._core_c'] = None"
_BLOCK_WITH_FINDER = """
class Broken:
    def find_spec(self, name, path=None, target=None):
        if name == "modspec._core_c":
            raise ImportError("simulated: undefined symbol PyInit__core_c")
sys.meta_path.insert(0, Broken())
"""
_STALE_BUILD = """
import types
sys.modules['modspec._core_c'] = types.ModuleType('modspec._core_c')  # an old build: no PathCore
"""


def probe(env: dict[str, str], setup: str = "", package_parent: Path | None = None) -> Any:
    """Import modspec in a fresh interpreter; report its backend and the warnings on the way."""
    environment = {k: v for k, v in os.environ.items() if k != "MODSPEC_PURE"}
    environment.update(env)
    parent = MODSPEC_DIR.parent if package_parent is None else package_parent
    done = subprocess.run(
        # -I -S: no site-packages, so modspec comes from `parent` alone.
        [sys.executable, "-I", "-S", "-c", _PROBE, str(parent), setup],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["from"] == str(parent / "modspec" / "__init__.py")
    assert report["json"] == "source"
    return report


ENV_CASES = [
    # (MODSPEC_PURE value or None for unset, picks the pure core)
    (None, False),
    ("", False),
    ("0", False),
    ("1", True),
    ("yes", True),
    ("true", True),
]


@pytest.mark.parametrize(("value", "pure"), ENV_CASES)
def test_modspec_pure_env(value: str | None, pure: bool) -> None:
    report = probe({} if value is None else {"MODSPEC_PURE": value})
    if pure:
        assert report == {**report, "backend": "python", "warnings": []}
    elif _extension_built():
        assert report == {**report, "backend": "cython", "warnings": []}
    else:
        assert report["backend"] == "python"
        assert [category for category, _ in report["warnings"]] == ["RuntimeWarning"]


BROKEN_CASES = [
    ("blocked", _BLOCK_WITH_NONE),
    ("finder-raises", _BLOCK_WITH_FINDER),
    ("stale-build", _STALE_BUILD),
]


def _assert_fell_back(report: dict[str, Any]) -> None:
    assert report["backend"] == "python"
    assert len(report["warnings"]) == 1, report["warnings"]
    category, message = report["warnings"][0]
    assert category == "RuntimeWarning"
    assert "compiled core unavailable" in message
    assert "pure-Python" in message


@pytest.mark.parametrize("setup", [case[1] for case in BROKEN_CASES],
                         ids=[case[0] for case in BROKEN_CASES])  # fmt: skip
def test_broken_extension_falls_back(setup: str) -> None:
    _assert_fell_back(probe({}, setup))


@pytest.mark.parametrize("setup", [case[1] for case in BROKEN_CASES],
                         ids=[case[0] for case in BROKEN_CASES])  # fmt: skip
def test_pure_env_never_tries_the_extension(setup: str) -> None:
    report = probe({"MODSPEC_PURE": "1"}, setup)
    assert report["backend"] == "python"
    assert report["warnings"] == []


def _copy_package(destination: Path) -> Path:
    shutil.copytree(
        MODSPEC_DIR,
        destination / "modspec",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "*.c", "*.html"),
    )
    return destination


def test_missing_extension_falls_back(tmp_path: Path) -> None:
    parent = _copy_package(tmp_path)
    _assert_fell_back(probe({}, package_parent=parent))


def test_corrupt_extension_falls_back(tmp_path: Path) -> None:
    parent = _copy_package(tmp_path)
    corrupt = parent / "modspec" / f"_core_c{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    corrupt.write_bytes(b"\x7fELF but not really a shared object" * 8)
    report = probe({}, package_parent=parent)
    _assert_fell_back(report)


# --- the twin cores -----------------------------------------------------------------------------

EXT = importlib.machinery.EXTENSION_SUFFIXES[0]
TAG = sys.implementation.cache_tag

TWIN_TREE: dict[str, object] = {
    "a/mod.py": "",
    "a/__pycache__/mod." + TAG + ".pyc": b"not checked",
    "a/pkg/__init__.py": "",
    "a/pkg/sub.py": "",
    "a/pkg/__pycache__/sub." + TAG + ".pyc": b"x",
    "a/pkg/__pycache__/__init__." + TAG + ".pyc": b"xy",
    "a/pkg/inner/__init__.pyc": b"sourceless package",
    "a/legacy.pyc": b"sourceless",
    "a/ext" + EXT: b"not loaded",
    "a/abi3.abi3.so": b"",
    "a/both.py": "",
    "a/both/x.py": "",  # a directory without __init__ loses to the module beside it
    "a/pkgwins/__init__.py": "",
    "a/pkgwins.py": "",
    "a/dir.py/x": "",  # a directory named like a module: not a module
    "a/link.py": ("symlink", "mod.py"),
    "a/dangling.py": ("symlink", "nowhere.py"),
    "a/linkdir": ("symlink", "pkg"),
    "a/\udcff.py": "",
    "a/Upper.py": "",
    "a/ns/part.py": "",
    "a/emptyinit/__init__.py": "",
    "b/ns/other.py": "",
    "b/mod.py": "",
    "b/later.py": "",
    "c/ns/__init__.py": "",  # a regular package after namespace portions: it wins
    "file_entry": "not a directory",
}
TWIN_NAMES = [
    "mod", "pkg", "sub", "inner", "legacy", "ext", "abi3", "both", "pkgwins", "dir", "link",
    "dangling", "linkdir", "\udcff", "Upper", "upper", "ns", "emptyinit", "later", "missing",
    "", "a\x00b", "\ud800", "mod.py", "__init__", "__pycache__",
]  # fmt: skip
TWIN_PATHS = [
    ["a"],
    ["a", "b"],
    ["b", "a"],
    ["a", "b", "c"],
    ["", "a"],
    [".", "./a", "a/", "a//"],
    ["a/pkg"],
    ["linkdir_parent"],
    ["missing_dir", "file_entry", "a/mod.py", "b"],
    ["{root}/a", "{root}/b/"],
]


def make_config() -> _config.CoreConfig:
    return _config.current(zip_finder=_zipfinder.zip_finder)


@pytest.mark.parametrize("path", TWIN_PATHS, ids="|".join)
def test_cores_are_twins(tree: Tree, path: list[str]) -> None:
    require_extension()
    root = tree(TWIN_TREE)
    (root / "linkdir_parent").symlink_to("a")
    os.mkfifo(root / "a" / "fifo.py")
    entries = [entry.format(root=root) for entry in path]
    cores = {name: _backend.core_class(name)(make_config()) for name in ("cython", "python")}
    answers: dict[str, list[Any]] = {}
    for name, core in cores.items():
        answers[name] = [core.find_spec(tail, entries) for tail in [*TWIN_NAMES, "fifo"]]
        answers[name] += core.find_many([*TWIN_NAMES, "sys", "os", "fifo", "a..b", ""], entries)
        # Answers from the kept listings are the same ...
        assert [core.find_spec(tail, entries) for tail in [*TWIN_NAMES, "fifo"]] == answers[name][
            : len(TWIN_NAMES) + 1
        ]
        core.invalidate_caches()
        # ... and so are fresh ones.
        assert [core.find_spec(tail, entries) for tail in [*TWIN_NAMES, "fifo"]] == answers[name][
            : len(TWIN_NAMES) + 1
        ]
    assert answers["cython"] == answers["python"]
    # Not vacuous: most names are found on some path.
    assert any(answer is not None for answer in answers["python"])


def test_cython_core_spells_the_kernels_layouts() -> None:
    # The Cython core fills raw specs and reads .pyc headers from C, with the layout of
    # _rawspec and the header size of _pep552 spelled as C constants: they must not drift.
    require_extension()
    fast = importlib.import_module("modspec._core_c")
    expected = {name: index for index, name in enumerate(_rawspec.LAYOUT)}
    assert {**expected, "no_file": _rawspec.NO_FILE} == fast.LAYOUT
    assert fast.PYC_HEADER_SIZE == _pep552.HEADER_SIZE


def test_twin_tree_is_rich(tree: Tree) -> None:
    root = tree(TWIN_TREE)
    entries = [str(root / "a"), str(root / "b"), str(root / "c")]
    core = _core_py.PathCore(make_config())
    kinds = {answer[0] for answer in (core.find_spec(t, entries) for t in TWIN_NAMES) if answer}
    assert kinds == {Kind.SOURCE, Kind.BYTECODE, Kind.EXTENSION, Kind.NAMESPACE}


def test_resolvers_of_both_cores_agree(tree: Tree) -> None:
    require_extension()
    root = tree(TWIN_TREE)
    path = [str(root / "a"), str(root / "b"), str(root / "c")]
    names = [*TWIN_NAMES, "pkg.sub", "pkg.inner", "ns.part", "ns.other", "linkdir.sub", "sys"]
    cython = Resolver(path, backend="cython").resolve_many(names)
    python = Resolver(path, backend="python").resolve_many(names)
    assert cython == python
