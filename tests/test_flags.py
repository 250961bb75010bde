"""Interpreter flags that move the cached file: -O, -OO and -X pycache_prefix, in a subprocess."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from oracle import both_in_subprocess

Tree = Callable[[dict[str, object]], Path]

TAG = sys.implementation.cache_tag

# Each run: (id, flags with {prefix} for the absolute pycache prefix, sys.flags.optimize,
# the pycache prefix as the interpreter holds it: None, "{prefix}", or relative to the cwd).
RUNS = [
    ("default", [], 0, None),
    ("O", ["-O"], 1, None),
    ("OO", ["-OO"], 2, None),
    ("OOO", ["-OOO"], 3, None),
    ("prefix", ["-X", "pycache_prefix={prefix}"], 0, "{prefix}"),
    ("O-prefix", ["-O", "-X", "pycache_prefix={prefix}"], 1, "{prefix}"),
    ("OO-prefix", ["-X", "pycache_prefix={prefix}", "-OO"], 2, "{prefix}"),
    ("relative-prefix", ["-X", "pycache_prefix=relprefix"], 0, "relprefix"),
]

SOURCES = {
    # module name: (file under the path entry, optimization levels with a pyc in __pycache__)
    "plain": ("plain.py", (0, 1, 2)),
    "only_opt1": ("only_opt1.py", (1,)),
    "only_opt2": ("only_opt2.py", (2,)),
    "nopyc": ("nopyc.py", ()),
    "pkg": ("pkg/__init__.py", (0, 1)),
    "pkg.sub": ("pkg/sub.py", (2,)),
    "ns.portion": ("ns/portion.py", (1,)),
    # No __pycache__ beside it: only a prefix can hold its bytecode.
    "bare.mod": ("bare/mod.py", ()),
    # A namespace package named __pycache__: a prefix mirrors its directory like any other.
    "__pycache__.inside": ("__pycache__/inside.py", ()),
}
# Optimization levels with a pyc under the pycache prefix (absolute / relative).
PREFIX_PYCS: dict[str, tuple[int, ...]] = {
    "plain": (0, 1),
    "pkg": (0,),
    "pkg.sub": (2,),
    "bare.mod": (0, 1),
    "__pycache__.inside": (0,),
}
RELATIVE_PREFIX_PYCS: dict[str, tuple[int, ...]] = {"plain": (0,)}
OTHER_NAMES = ["pkg.legacy", "ns", "bare", "__pycache__", "missing", "pkg.missing"]
NAMES = [*SOURCES, *OTHER_NAMES]


def cached_name(file_name: str, optimize: int) -> str:
    stem = file_name.rpartition(".")[0]
    return f"{stem}.{TAG}{f'.opt-{optimize}' if optimize else ''}.pyc"


def expected_cached(origin: str, optimize: int, prefix: str | None) -> str:
    """PEP 3147 and PEP 488; with a prefix, the source's absolute directory re-rooted under it."""
    directory, file_name = os.path.split(origin)
    if prefix is None:
        return os.path.join(directory, "__pycache__", cached_name(file_name, optimize))
    return os.path.join(prefix, directory.lstrip("/"), cached_name(file_name, optimize))


def compile_to(source: Path, cached: str, optimize: int) -> None:
    os.makedirs(os.path.dirname(cached), exist_ok=True)
    py_compile.compile(str(source), cfile=cached, optimize=optimize, doraise=True)


def build(tree: Tree) -> tuple[Path, str, str]:
    """The fixture tree: (root, its path entry, the absolute pycache prefix)."""
    root = tree(
        {
            **{
                f"flags/{file_name}": f"NAME = {name!r}\n"
                for name, (file_name, _) in SOURCES.items()
            },
            "flags/pkg/legacy_source.py": "",
            "prefix": None,
        }
    )
    entry = root / "flags"
    prefix = str(root / "prefix")
    for name, (file_name, levels) in SOURCES.items():
        source = entry / file_name
        for optimize in levels:
            compile_to(source, expected_cached(str(source), optimize, None), optimize)
        for optimize in PREFIX_PYCS.get(name, ()):
            compile_to(source, expected_cached(str(source), optimize, prefix), optimize)
        for optimize in RELATIVE_PREFIX_PYCS.get(name, ()):
            relative = expected_cached(str(source), optimize, "relprefix")
            compile_to(source, str(root / relative), optimize)
    # A sourceless module: its own cached file, whatever the flags.
    legacy = entry / "pkg" / "legacy_source.py"
    py_compile.compile(str(legacy), cfile=str(entry / "pkg" / "legacy.pyc"), doraise=True)
    legacy.unlink()
    return root, str(entry), prefix


def _differences(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    lines = ["modspec and CPython differ under these flags:"]
    for name in theirs:
        if mine.get(name) != theirs[name]:
            lines += [
                f"  {name!r}:",
                f"    modspec: {mine.get(name)}",
                f"    CPython: {theirs[name]}",
            ]
    return "\n".join(lines)


def _run(
    names: list[str], path: list[str], backend: str, flags: list[str], cwd: Path
) -> dict[str, Any]:
    theirs, mine = both_in_subprocess(names, path, backend, flags=flags, cwd=cwd)
    assert mine == theirs, _differences(mine, theirs)
    return theirs


@pytest.mark.parametrize(("flags", "optimize", "prefix"), [run[1:] for run in RUNS],
                         ids=[run[0] for run in RUNS])  # fmt: skip
def test_fixture_tree_under_flags(
    tree: Tree, backend: str, flags: list[str], optimize: int, prefix: str | None
) -> None:
    root, entry, absolute_prefix = build(tree)
    flags = [flag.format(prefix=absolute_prefix) for flag in flags]
    prefix = None if prefix is None else prefix.format(prefix=absolute_prefix)
    answers = _run(NAMES, [entry], backend, flags, root)
    default = _run(NAMES, [entry], backend, [], root) if flags else answers
    if prefix is None:
        pycs = {name: levels for name, (_, levels) in SOURCES.items()}
    elif prefix == "relprefix":
        pycs = RELATIVE_PREFIX_PYCS
    else:
        pycs = PREFIX_PYCS
    for name, (file_name, _) in SOURCES.items():
        found = answers[name]
        assert found["origin"] == os.path.join(entry, file_name)
        assert found["cached"] == expected_cached(found["origin"], optimize, prefix)
        assert (found["cached_stat"] is not None) is (optimize in pycs.get(name, ())), name
        if flags:
            assert found["cached"] != default[name]["cached"]
    legacy = answers["pkg.legacy"]
    assert legacy["loader"] == "importlib.SourcelessFileLoader"
    assert legacy["cached"] == legacy["origin"] == os.path.join(entry, "pkg", "legacy.pyc")
    assert legacy == default["pkg.legacy"]
    assert answers["ns"]["cached"] is None
    assert answers["missing"] is None
    assert answers["pkg.missing"] is None


def test_expected_cached_is_cpythons() -> None:
    origin = "/some/dir/mod.py"
    assert expected_cached(origin, 0, None) == importlib.util.cache_from_source(origin)
    assert expected_cached(origin, 1, None) == importlib.util.cache_from_source(
        origin, optimization=1
    )


# --- the standard library -----------------------------------------------------------------------

STDLIB_SUBMODULES = [
    "json.decoder", "email.mime.text", "xml.etree.ElementTree", "concurrent.futures.thread",
    "importlib.util", "importlib.resources", "logging.handlers", "unittest.mock",
    "encodings.utf_8", "asyncio.events", "http.client", "urllib.parse", "collections.abc",
    "sqlite3.dbapi2", "ctypes.util", "multiprocessing.pool", "os.path",
]  # fmt: skip
STDLIB_NAMES = sorted(sys.stdlib_module_names) + STDLIB_SUBMODULES


@pytest.mark.parametrize(("flags", "optimize", "prefix"), [run[1:] for run in RUNS],
                         ids=[run[0] for run in RUNS])  # fmt: skip
def test_stdlib_under_flags(
    tmp_path: Path, backend: str, flags: list[str], optimize: int, prefix: str | None
) -> None:
    absolute_prefix = str(tmp_path / "prefix")
    flags = [flag.format(prefix=absolute_prefix) for flag in flags]
    prefix = None if prefix is None else prefix.format(prefix=absolute_prefix)
    answers = _run(STDLIB_NAMES, list(sys.path), backend, flags, tmp_path)
    sources = {
        name: found
        for name, found in answers.items()
        if found is not None and found["loader"] == "importlib.SourceFileLoader"
    }
    assert len(sources) > 100
    for found in sources.values():
        assert found["cached"] == expected_cached(found["origin"], optimize, prefix)
    if prefix is not None:
        # The prefix holds only what the subprocess compiled for its own imports.
        assert [found for found in sources.values() if found["cached_stat"] is None]


def test_stdlib_names_are_many() -> None:
    assert len(set(STDLIB_NAMES)) > 200
