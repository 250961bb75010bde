"""Shared fixtures: both backends, and a tree builder for oracle fixtures."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import modspec


@pytest.fixture(scope="session", autouse=True)
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The commands the tests run keep their cache in a directory of the session's, never in
    the user's (a test that wants its own sets MODSPEC_CACHE_DIR again)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODSPEC_CACHE_DIR", str(tmp_path_factory.mktemp("modspec-cache")))
        yield


@pytest.fixture(scope="session", params=["cython", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every test that takes it runs once per core; a missing extension fails, never skips,
    unless MODSPEC_PURE or MODSPEC_EXPECT_PURE says a pure install is intended."""
    name: str = request.param
    if name == "cython" and _pure_intended():
        try:
            importlib.import_module("modspec._core_c")
        except ImportError:
            pytest.skip("the compiled core is not built, as MODSPEC_(EXPECT_)PURE says")
    return name


def _pure_intended() -> bool:
    variables = ("MODSPEC_PURE", "MODSPEC_EXPECT_PURE")
    return any(os.environ.get(variable, "") not in ("", "0") for variable in variables)


@pytest.fixture
def make_resolver(backend: str) -> Callable[..., modspec.Resolver]:
    def make(path: list[str] | None = None) -> modspec.Resolver:
        return modspec.Resolver(path, backend=backend)

    return make


def write_tree(root: Path, tree: dict[str, object]) -> None:
    """Create files from {relative path: content}; a None content makes a directory, bytes
    are written raw, and ("symlink", target) makes a symlink."""
    for rel, content in tree.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.mkdir(parents=True, exist_ok=True)
        elif isinstance(content, tuple) and content[0] == "symlink":
            os.symlink(content[1], target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(str(content), encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, object]], Path]:
    """Build a file tree under tmp_path (and chdir there, so '' and relative entries work)."""
    monkeypatch.chdir(tmp_path)

    def build(files: dict[str, object]) -> Path:
        write_tree(tmp_path, files)
        return tmp_path

    return build


def setuptools_finder_source(
    mapping: dict[str, str], namespaces: dict[str, list[str]], dist: str = "demo-1.0"
) -> str:
    """A finder module in the shape of setuptools 70+'s editable template: MAPPING and
    NAMESPACES, the parent asked for, a namespace's paths ending with the placeholder."""
    return (
        f"MAPPING = {mapping!r}\nNAMESPACES = {namespaces!r}\n"
        f"PATH_PLACEHOLDER = '__editable__.{dist}.finder' + '.__path_hook__'\n\n"
        "class _EditableFinder:\n"
        "    @classmethod\n"
        "    def find_spec(cls, fullname, path=None, target=None):\n"
        "        parent, _, child = fullname.rpartition('.')\n"
        "        if parent and parent in MAPPING:\n"
        "            return None\n\n"
        "class _EditableNamespaceFinder:\n"
        "    @classmethod\n"
        "    def _paths(cls, fullname):\n"
        "        return [*NAMESPACES[fullname], PATH_PLACEHOLDER]\n\n"
        "def install():\n    pass\n"
    )
