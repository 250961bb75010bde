"""Bytecode freshness: bytecode_status against CPython's loaders, in-process and in subprocesses.

Two oracles, both in a subprocess run with the flags under test (-O, --check-hash-based-pycs):
(1) CPython's own ``SourceLoader.get_code`` and ``SourcelessFileLoader.get_code`` on the same
files, with ``_classify_pyc``, ``_validate_timestamp_pyc``, ``_validate_hash_pyc`` and
``_compile_bytecode`` wrapped to record what they said (nothing is written: bytecode writing is
off for that part); (2) real imports, with bytecode writing on, watching which files change.
"""

from __future__ import annotations

import _imp
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import modspec
from modspec import BytecodeStatus, FileStat, Kind, Resolver, Spec, _backend, _bytecode, _pep552

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]

FRESH = BytecodeStatus.FRESH
STALE = BytecodeStatus.STALE
MISSING = BytecodeStatus.MISSING
UNCHECKED = BytecodeStatus.UNCHECKED
INVALID = BytecodeStatus.INVALID
NOT_APPLICABLE = BytecodeStatus.NOT_APPLICABLE

CHECKED = py_compile.PycInvalidationMode.CHECKED_HASH
UNCHECKED_HASH = py_compile.PycInvalidationMode.UNCHECKED_HASH
TIMESTAMP = py_compile.PycInvalidationMode.TIMESTAMP

COMPILED = "VALUE = 'compiled'\n"
EDITED = "VALUE = 'edited'\n"  # another size, too
SECOND = 1_000_000_000
BASE_MTIME_NS = 1_600_000_000 * SECOND

# --- the fixture tree ---------------------------------------------------------------------------
#
# Source modules, each compiled for optimization levels 0 and 1 (so -O finds the same cases),
# then changed: name -> (invalidation mode or None for no pyc, source mtime_ns, what to do after).
SOURCES: dict[str, tuple[Any, int, str]] = {
    "fresh": (TIMESTAMP, BASE_MTIME_NS, ""),
    "stale_mtime": (TIMESTAMP, BASE_MTIME_NS, "touch"),  # same bytes, another mtime
    "stale_size": (TIMESTAMP, BASE_MTIME_NS, "edit_keep_mtime"),  # same mtime, another size
    "bad_magic": (TIMESTAMP, BASE_MTIME_NS, "bad_magic"),
    "bad_flags": (TIMESTAMP, BASE_MTIME_NS, "flags=4"),
    "short": (TIMESTAMP, BASE_MTIME_NS, "truncate=12"),  # right magic: EOFError
    "tiny": (TIMESTAMP, BASE_MTIME_NS, "truncate=2"),  # not even the magic
    "empty": (TIMESTAMP, BASE_MTIME_NS, "truncate=0"),
    "pycdir": (None, BASE_MTIME_NS, "pyc_is_dir"),  # cannot be read, nor written
    "nopyc": (None, BASE_MTIME_NS, ""),
    # Flag 0b10 without 0b01 is still a timestamp pyc: only the hash-based bit picks hashing.
    "flag2": (TIMESTAMP, BASE_MTIME_NS, "flags=2"),
    # st_mtime is a double: x.999999999 s reads as x+1, which is what the pyc holds.
    "rounding": (TIMESTAMP, BASE_MTIME_NS + SECOND - 1, ""),
    "negative_mtime": (TIMESTAMP, -1_500_000_000, ""),  # int(-1.5) == -1, then & 0xFFFFFFFF
    "far_future": (TIMESTAMP, (2**32 + 5) * SECOND, ""),  # wraps at 32 bits
    "checked": (CHECKED, BASE_MTIME_NS, "touch"),  # the hash ignores the mtime
    "checked_stale": (CHECKED, BASE_MTIME_NS, "edit"),
    "unchecked": (UNCHECKED_HASH, BASE_MTIME_NS, ""),
    "unchecked_changed": (UNCHECKED_HASH, BASE_MTIME_NS, "edit"),
    "pkg": (TIMESTAMP, BASE_MTIME_NS, ""),
    "pkg.sub": (None, BASE_MTIME_NS, ""),
}
# Sourceless modules: a .pyc in place of the source (what was done to it after compiling).
SOURCELESS: dict[str, tuple[Any, str]] = {
    "sourceless": (TIMESTAMP, ""),
    "sourceless_hash": (CHECKED, ""),  # SourcelessFileLoader checks no hash
    "sourceless_bad": (TIMESTAMP, "bad_magic"),
    "sourceless_short": (TIMESTAMP, "truncate=10"),
    "sourceless_flags": (TIMESTAMP, "flags=8"),
}
NOT_APPLICABLE_NAMES = ["ns", "ext", "zmod", "sys", "_frozen_importlib"]
NAMES = [*SOURCES, *SOURCELESS, *NOT_APPLICABLE_NAMES]
EDITED_NAMES = {name for name, (_, _, change) in SOURCES.items() if change.startswith("edit")}

# The answers under the default --check-hash-based-pycs, with or without -O.
EXPECTED: dict[str, BytecodeStatus] = {
    "fresh": FRESH,
    "stale_mtime": STALE,
    "stale_size": STALE,
    "bad_magic": STALE,
    "bad_flags": STALE,
    "short": STALE,
    "tiny": STALE,
    "empty": STALE,
    "pycdir": MISSING,
    "nopyc": MISSING,
    "flag2": FRESH,
    "rounding": FRESH,
    "negative_mtime": FRESH,
    "far_future": FRESH,
    "checked": FRESH,
    "checked_stale": STALE,
    "unchecked": UNCHECKED,
    "unchecked_changed": UNCHECKED,
    "pkg": FRESH,
    "pkg.sub": MISSING,
    "sourceless": FRESH,
    "sourceless_hash": FRESH,
    "sourceless_bad": INVALID,
    "sourceless_short": INVALID,
    "sourceless_flags": INVALID,
    **dict.fromkeys(NOT_APPLICABLE_NAMES, NOT_APPLICABLE),
}
# What --check-hash-based-pycs always / never changes.
HASH_MODES: dict[str, dict[str, BytecodeStatus]] = {
    "default": {},
    "always": {"unchecked": FRESH, "unchecked_changed": STALE},
    "never": {"checked": UNCHECKED, "checked_stale": UNCHECKED},
}
# A pyc that is there as a directory: CPython cannot write it either.
NOT_REWRITABLE = {"pycdir"}


def expected(mode: str) -> dict[str, BytecodeStatus]:
    return {**EXPECTED, **HASH_MODES[mode]}


def module_file(entry: Path, name: str) -> Path:
    if name == "pkg":
        return entry / "pkg" / "__init__.py"
    return entry.joinpath(*name.split(".")).with_suffix(".py")


def cached_files(source: Path) -> list[Path]:
    """The source's cache files at optimization levels 0 and 1 (PEP 3147, PEP 488)."""
    return [
        Path(importlib.util.cache_from_source(str(source), optimization=level)) for level in ("", 1)
    ]


def change_pyc(pyc: Path, change: str) -> None:
    data = pyc.read_bytes()
    if change == "bad_magic":
        data = bytes([data[0] ^ 0xFF]) + data[1:]
    elif change.startswith("flags="):
        data = data[:4] + int(change.partition("=")[2]).to_bytes(4, "little") + data[8:]
    elif change.startswith("truncate="):
        data = data[: int(change.partition("=")[2])]
    pyc.write_bytes(data)


def set_mtime(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def extension_module() -> tuple[str, Path] | None:
    """A real extension module of this interpreter that a fresh one has not imported."""
    for name in ("_csv", "array", "_bisect", "cmath", "_heapq", "_statistics", "_json"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and spec.origin.endswith(".so"):
            return name, Path(spec.origin)
    return None


def build(root: Path) -> tuple[Path, list[str], dict[str, str]]:
    """The fixture tree under root: (its directory entry, the path, the modules' real names)."""
    entry = root / "bc"
    (entry / "ns").mkdir(parents=True)
    (entry / "ns" / "part.py").write_text(COMPILED, "utf-8")
    for name, (mode, mtime_ns, change) in SOURCES.items():
        source = module_file(entry, name)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(COMPILED, "utf-8")
        set_mtime(source, mtime_ns)
        pycs = cached_files(source)
        if mode is not None:
            for level, pyc in zip((0, 1), pycs, strict=True):
                py_compile.compile(
                    str(source), str(pyc), doraise=True, optimize=level, invalidation_mode=mode
                )
        if change == "touch":
            set_mtime(source, mtime_ns + 10 * SECOND)
        elif change.startswith("edit"):
            source.write_text(EDITED, "utf-8")
            set_mtime(source, mtime_ns if change == "edit_keep_mtime" else mtime_ns + SECOND)
        elif change == "pyc_is_dir":
            for pyc in pycs:
                pyc.mkdir(parents=True)
        elif change:
            for pyc in pycs:
                change_pyc(pyc, change)
    for name, (mode, change) in SOURCELESS.items():
        source = entry / f"{name}_src.py"
        source.write_text(COMPILED, "utf-8")
        pyc = entry / f"{name}.pyc"
        py_compile.compile(str(source), str(pyc), doraise=True, invalidation_mode=mode)
        source.unlink()
        if change:
            change_pyc(pyc, change)
    # Extension modules load under their own name: "ext" stands for a real one, copied.
    names = {name: name for name in NAMES}
    found = extension_module()
    if found is not None:
        names["ext"] = found[0]
        shutil.copy(found[1], entry / found[1].name)
    else:
        (entry / f"ext{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"\x7fELF")
    with zipfile.ZipFile(root / "zipped.zip", "w") as archive:
        archive.writestr("zmod.py", COMPILED)
    return entry, [str(entry), str(root / "zipped.zip")], names


# --- in-process ---------------------------------------------------------------------------------


def statuses(resolver: Resolver, names: dict[str, str]) -> dict[str, BytecodeStatus]:
    specs = resolver.resolve_many(names.values())
    assert None not in specs.values(), specs
    found = resolver.bytecode_status(specs.values())
    return {name: found[real] for name, real in names.items()}


def test_fixture_tree(tree: Tree, make_resolver: MakeResolver) -> None:
    if _hash_mode() != "default":
        pytest.skip("this interpreter runs with --check-hash-based-pycs")
    _, path, names = build(tree({}))
    resolver = make_resolver(path)
    assert statuses(resolver, names) == expected("default")
    # The kinds the table speaks of.
    specs = resolver.resolve_many(names.values())
    kinds = {name: specs[real].kind for name, real in names.items()}  # type: ignore[union-attr]
    assert {kinds[name] for name in SOURCES} == {Kind.SOURCE}
    assert {kinds[name] for name in SOURCELESS} == {Kind.BYTECODE}
    assert [kinds[name] for name in NOT_APPLICABLE_NAMES] == [
        Kind.NAMESPACE,
        Kind.EXTENSION,
        Kind.ZIP,
        Kind.BUILTIN,
        Kind.FROZEN,
    ]


def _hash_mode() -> str:
    mode: str = _imp.check_hash_based_pycs
    return mode


def test_module_level_function_agrees(tree: Tree) -> None:
    _, path, names = build(tree({}))
    resolver = Resolver(path)
    specs = list(resolver.resolve_many(names.values()).values())
    assert modspec.bytecode_status(specs) == resolver.bytecode_status(specs)


def test_keyed_by_name_in_input_order_first_spec_wins(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    _, path, _ = build(tree({}))
    resolver = make_resolver(path)
    fresh, stale, nopyc = (resolver.resolve(name) for name in ("fresh", "stale_mtime", "nopyc"))
    assert fresh is not None
    assert stale is not None
    impostor = Spec("fresh", Kind.SOURCE, stale.origin, None, stale.cached, stale.origin_stat, None)
    found = resolver.bytecode_status([nopyc, None, fresh, impostor, stale, nopyc])
    assert list(found) == ["nopyc", "fresh", "stale_mtime"]
    assert found == {"nopyc": MISSING, "fresh": FRESH, "stale_mtime": STALE}
    assert resolver.bytecode_status(iter([])) == {}
    assert resolver.bytecode_status(spec for spec in [fresh]) == {"fresh": FRESH}


@pytest.mark.parametrize("specs", ["fresh", b"fresh", [object()], ["fresh"], [("fresh",)]])
def test_rejects_what_is_not_specs(make_resolver: MakeResolver, specs: Any) -> None:
    with pytest.raises(TypeError):
        make_resolver([]).bytecode_status(specs)


def test_rejects_a_bare_spec(make_resolver: MakeResolver) -> None:
    spec = make_resolver().resolve("sys")
    with pytest.raises(TypeError, match=r"pass \[spec\]"):
        make_resolver().bytecode_status(spec)


def _source_spec(name: str, origin: Path, cached: str | None, stat: FileStat | None) -> Spec:
    return Spec(name, Kind.SOURCE, str(origin), None, cached, stat, None)


def test_source_without_cache_tag_or_stat_is_missing(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    # SourceLoader.get_code reads no pyc when cache_from_source raises NotImplementedError
    # (cached None) or path_stats fails (the source was missing when the spec was taken).
    _, path, _ = build(tree({}))
    spec = make_resolver(path).resolve("fresh")
    assert spec is not None
    assert spec.origin is not None
    assert spec.cached is not None
    no_tag = _source_spec("a", Path(spec.origin), None, spec.origin_stat)
    no_source = _source_spec("b", Path(spec.origin), spec.cached, None)
    found = make_resolver().bytecode_status([spec, no_tag, no_source])
    assert found == {"fresh": FRESH, "a": MISSING, "b": MISSING}


def test_reads_the_pyc_now_and_trusts_the_specs_source_stat(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    _, path, _ = build(tree({}))
    resolver = make_resolver(path)
    nopyc, fresh = resolver.resolve("nopyc"), resolver.resolve("fresh")
    assert nopyc is not None
    assert fresh is not None
    assert nopyc.cached_stat is None
    # A pyc written after the spec was taken is read, and judged against the spec's stat.
    assert nopyc.origin is not None
    assert nopyc.cached is not None
    py_compile.compile(nopyc.origin, nopyc.cached, doraise=True)
    assert resolver.bytecode_status([nopyc]) == {"nopyc": FRESH}
    # The source's stat is the spec's: a later edit shows once the module is resolved again.
    assert fresh.origin is not None
    Path(fresh.origin).write_text(EDITED, "utf-8")
    assert resolver.bytecode_status([fresh]) == {"fresh": FRESH}
    assert resolver.bytecode_status([resolver.resolve("fresh")]) == {"fresh": STALE}
    # A pyc removed since the spec was taken is missing now.
    assert fresh.cached is not None
    Path(fresh.cached).unlink()
    assert resolver.bytecode_status([fresh]) == {"fresh": MISSING}


def test_checked_hash_reads_the_source_now(tree: Tree, make_resolver: MakeResolver) -> None:
    if _hash_mode() == "never":
        pytest.skip("this interpreter checks no hash")
    _, path, _ = build(tree({}))
    spec = make_resolver(path).resolve("checked")
    assert spec is not None
    assert spec.origin is not None
    assert make_resolver().bytecode_status([spec]) == {"checked": FRESH}
    Path(spec.origin).write_text(EDITED, "utf-8")
    assert make_resolver().bytecode_status([spec]) == {"checked": STALE}
    # A source that cannot be read: get_code raises, the pyc is not used.
    Path(spec.origin).unlink()
    assert make_resolver().bytecode_status([spec]) == {"checked": STALE}


def test_sourceless_pyc_gone_is_missing(tree: Tree, make_resolver: MakeResolver) -> None:
    entry, path, _ = build(tree({}))
    spec = make_resolver(path).resolve("sourceless")
    assert spec is not None
    assert spec.kind is Kind.BYTECODE
    (entry / "sourceless.pyc").unlink()
    assert make_resolver().bytecode_status([spec]) == {"sourceless": MISSING}


def test_a_fifo_at_the_cache_path_is_missing_and_does_not_hang(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    root = tree({"fifo.py": COMPILED})
    spec = make_resolver([str(root)]).resolve("fifo")
    assert spec is not None
    assert spec.cached is not None
    os.makedirs(os.path.dirname(spec.cached))
    os.mkfifo(spec.cached)
    assert make_resolver().bytecode_status([spec]) == {"fifo": MISSING}


def test_stdlib_specs(make_resolver: MakeResolver) -> None:
    # Whatever the installation's pycs, every answer is one of the members, and a kind that
    # reads no pyc says so.
    resolver = make_resolver()
    names = ["json", "json.decoder", "os", "sys", "_csv", "importlib.util", "xml", "email.mime"]
    specs = resolver.resolve_many(names)
    found = resolver.bytecode_status(specs.values())
    assert list(found) == names
    assert found["sys"] is NOT_APPLICABLE
    assert found["_csv"] is NOT_APPLICABLE


# --- the decision pieces against CPython's --------------------------------------------------------

MTIMES_NS = [
    0,
    1,
    SECOND - 1,
    BASE_MTIME_NS + SECOND - 1,
    BASE_MTIME_NS + SECOND - 100,
    BASE_MTIME_NS + SECOND - 200,
    BASE_MTIME_NS + 500_000_000,
    1_234_567_890 * SECOND + 999_999_900,
    -1,
    -1_500_000_000,
    -SECOND,
    (2**32 + 5) * SECOND,
    (2**32 - 1) * SECOND + SECOND - 1,
]


@pytest.mark.parametrize("mtime_ns", MTIMES_NS)
def test_source_mtime_is_int_of_st_mtime(tmp_path: Path, mtime_ns: int) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"")
    set_mtime(path, mtime_ns)
    st = os.stat(path)
    # What SourceLoader.path_stats gives get_code, and py_compile puts in the header.
    assert _bytecode._source_mtime(st.st_mtime_ns) == int(st.st_mtime)


def test_source_mtime_rounds_as_the_double_does() -> None:
    # One second off from mtime_ns // 10**9: the case a plain division gets wrong.
    assert _bytecode._source_mtime(BASE_MTIME_NS + SECOND - 1) == BASE_MTIME_NS // SECOND + 1


HEADERS = [
    b"",
    b"\x00",
    importlib.util.MAGIC_NUMBER,
    importlib.util.MAGIC_NUMBER + b"\x00" * 11,
    importlib.util.MAGIC_NUMBER + b"\x00" * 12,
    *(
        importlib.util.MAGIC_NUMBER + flags.to_bytes(4, "little") + b"\x00" * 8
        for flags in range(9)
    ),
    importlib.util.MAGIC_NUMBER + (2**31).to_bytes(4, "little") + b"\x00" * 8,
    b"\x00\x00\r\n" + b"\x00" * 12,
]


def test_classify_pyc_is_cpythons() -> None:
    from importlib._bootstrap_external import _classify_pyc  # type: ignore[attr-defined]

    for header in HEADERS:
        try:
            theirs = _classify_pyc(header, "m", {})
        except (ImportError, EOFError):
            theirs = None
        assert _pep552.classify_pyc(header) == theirs, header


# --- the twin readers ---------------------------------------------------------------------------


def test_readers_are_twins(tmp_path: Path, backend: str) -> None:
    files = {"long": bytes(range(40)), "exact": bytes(range(16)), "short": b"abc", "empty": b""}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    os.symlink(tmp_path / "long", tmp_path / "link")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    paths = [
        *(str(tmp_path / name) for name in [*files, "dir", "fifo", "link", "dangling", "none"]),
        str(tmp_path / "long") + "\0",  # no such path for the OS
        str(tmp_path / "\udcff"),  # undecodable byte: may be a file name
        str(tmp_path / "\ud800"),  # a lone surrogate the file system encoding refuses
        "",
    ]
    want = [bytes(range(16)), bytes(range(16)), b"abc", b"", None, None, bytes(range(16))]
    want += [None] * 6
    reader = _backend.pyc_reader(backend)
    assert reader(paths) == want
    assert reader(paths) == _pep552.read_pyc_headers(paths)
    assert reader([]) == []
    many = [str(tmp_path / "long"), str(tmp_path / "none")] * 3000
    assert reader(many) == [bytes(range(16)), None] * 3000


@pytest.mark.parametrize("paths", [[None], [b"x"], [Path("x")], ["x", 1]])
def test_readers_take_only_str(backend: str, paths: list[Any]) -> None:
    with pytest.raises(TypeError):
        _backend.pyc_reader(backend)(paths)


def test_compiled_reader_is_the_cython_one(backend: str) -> None:
    reader = _backend.pyc_reader(backend)
    if backend == "python":
        assert reader is _pep552.read_pyc_headers
    else:
        fast = importlib.import_module("modspec._core_c")
        assert reader is fast.read_pyc_headers
        assert reader is not _pep552.read_pyc_headers
    with pytest.raises(ValueError, match="unknown backend"):
        _backend.pyc_reader("rust")


# --- the oracles, in subprocesses ---------------------------------------------------------------

_SCRIPT = r"""
import hashlib
import importlib
import importlib._bootstrap_external as bootstrap
import json
import os
import sys
from importlib.machinery import (
    BuiltinImporter, FrozenImporter, PathFinder, SourceFileLoader, SourcelessFileLoader,
)

request = json.load(sys.stdin)
sys.path[:0] = [request["modspec_dir"]]
from modspec import Resolver

path, real_names, root = request["path"], request["names"], request["root"]

# modspec, first: nothing has been imported from the tree yet.
resolver = Resolver(path, backend=request["backend"])
specs = resolver.resolve_many(real_names)
mine = {name: status.value for name, status in resolver.bytecode_status(specs.values()).items()}
cached = {name: spec.cached for name, spec in specs.items()}

# (1) CPython's loaders on the same files, recording what the pyc checks said.
events = []
WRAPPED = ("_classify_pyc", "_validate_timestamp_pyc", "_validate_hash_pyc", "_compile_bytecode")
originals = {name: getattr(bootstrap, name) for name in WRAPPED}

def recording(name):
    function = originals[name]
    def wrapper(*args, **kwargs):
        try:
            result = function(*args, **kwargs)
        except BaseException as exc:
            events.append((name, "raised " + type(exc).__name__))
            raise
        events.append((name, result if name == "_classify_pyc" else "ok"))
        return result
    return wrapper

def find(fullname):
    parent, _, _ = fullname.rpartition(".")
    search = path if not parent else list(find(parent).submodule_search_locations)
    for finder in (BuiltinImporter, FrozenImporter, PathFinder):
        # Top-level names: BuiltinImporter and FrozenImporter are asked without a path.
        spec = finder.find_spec(fullname, search if parent or finder is PathFinder else None)
        if spec is not None:
            return spec

def cpython_status(fullname):
    loader = find(fullname).loader
    if not isinstance(loader, (SourceFileLoader, SourcelessFileLoader)):
        return "not_applicable"  # the other loaders have no bytecode cache
    del events[:]
    try:
        loader.get_code(fullname)
    except OSError:
        assert isinstance(loader, SourcelessFileLoader)
        return "missing"
    except (ImportError, EOFError):
        assert isinstance(loader, SourcelessFileLoader)
        assert events[-1][0] == "_classify_pyc" and events[-1][1].startswith("raised"), events
        return "invalid"
    said = dict(events)
    if isinstance(loader, SourcelessFileLoader):
        return "fresh"
    if "_compile_bytecode" in said:  # the pyc was used
        hash_based = said["_classify_pyc"] & 0b1
        return "unchecked" if hash_based and "_validate_hash_pyc" not in said else "fresh"
    return "stale" if "_classify_pyc" in said else "missing"

sys.path_hooks[:] = [
    importlib.import_module("zipimport").zipimporter,
    bootstrap.FileFinder.path_hook(*bootstrap._get_supported_file_loaders()),
]
sys.path_importer_cache.clear()
sys.dont_write_bytecode = True
for name in WRAPPED:
    setattr(bootstrap, name, recording(name))
try:
    theirs = {name: cpython_status(name) for name in real_names}
finally:
    for name in WRAPPED:
        setattr(bootstrap, name, originals[name])

# (2) Real imports, writing bytecode, watching every file under the root.
def snapshot():
    files = {}
    for directory, _, names in os.walk(root):
        for name in names:
            full = os.path.join(directory, name)
            with open(full, "rb") as file:
                content = hashlib.sha256(file.read()).hexdigest()
            st = os.stat(full)
            files[os.path.relpath(full, root)] = [st.st_ino, st.st_mtime_ns, content]
    return files

sys.dont_write_bytecode = False
sys.path[:0] = path
sys.path_importer_cache.clear()
importlib.invalidate_caches()
imports = {}
for name in real_names:
    before = snapshot()
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        outcome = {"error": type(exc).__name__}
    else:
        outcome = {"error": None, "value": getattr(module, "VALUE", None),
                   "file": getattr(module, "__file__", None)}
    after = snapshot()
    outcome["changed"] = sorted(p for p in {*before, *after} if before.get(p) != after.get(p))
    imports[name] = outcome

json.dump({"modspec": mine, "cpython": theirs, "imports": imports, "cached": cached,
           "hash_mode": importlib.import_module("_imp").check_hash_based_pycs,
           "optimize": sys.flags.optimize}, sys.stdout)
"""

RUNS = [
    # (id, interpreter flags, --check-hash-based-pycs mode, sys.flags.optimize)
    ("default", [], "default", 0),
    ("O", ["-O"], "default", 1),
    ("always", ["--check-hash-based-pycs", "always"], "always", 0),
    ("never", ["--check-hash-based-pycs", "never"], "never", 0),
    ("O-always", ["-O", "--check-hash-based-pycs", "always"], "always", 1),
]


def run_script(
    root: Path, path: list[str], names: list[str], backend: str, flags: list[str]
) -> Any:
    request = {
        "modspec_dir": str(Path(modspec.__file__).parent.parent),
        "backend": backend,
        "path": path,
        "names": names,
        "root": str(root),
    }
    # -I -S: no environment (PYTHONDONTWRITEBYTECODE among it), no site: only the tree imports.
    done = subprocess.run(
        [sys.executable, "-I", "-S", *flags, "-c", _SCRIPT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("flags", "mode", "optimize"), [run[1:] for run in RUNS],
                         ids=[run[0] for run in RUNS])  # fmt: skip
def test_oracles(tree: Tree, backend: str, flags: list[str], mode: str, optimize: int) -> None:
    root = tree({})
    entry, path, names = build(root)
    real = {names[name]: name for name in NAMES}
    answers = run_script(root, path, list(real), backend, flags)
    assert (answers["hash_mode"], answers["optimize"]) == (mode, optimize)
    mine = {real[name]: BytecodeStatus(status) for name, status in answers["modspec"].items()}
    theirs = {real[name]: BytecodeStatus(status) for name, status in answers["cpython"].items()}
    # (1) CPython's loaders agree, and so does the table.
    differ = {name: (mine[name], theirs[name]) for name in NAMES if mine[name] != theirs[name]}
    assert not differ, f"modspec, then CPython: {differ}"
    assert mine == expected(mode)
    # (2) What importing did to the files.
    for name in NAMES:
        status, outcome = mine[name], answers["imports"][names[name]]
        cached = answers["cached"][names[name]]
        if name == "ext" and extension_module() is None:
            continue  # a stand-in file, not loadable
        if status is INVALID:
            assert outcome["error"] in ("ImportError", "EOFError"), (name, outcome)
            assert outcome["changed"] == [], (name, outcome)
            continue
        assert outcome["error"] is None, (name, outcome)
        if status in (STALE, MISSING) and name not in NOT_REWRITABLE:
            # Rewritten: the pyc at spec.cached, and nothing else.
            assert outcome["changed"] == [os.path.relpath(cached, root)], (name, outcome)
            assert (f".opt-{optimize}." in cached) is bool(optimize)
        else:
            assert outcome["changed"] == [], (name, outcome)
        if name in EDITED_NAMES:
            used_pyc = status in (FRESH, UNCHECKED)
            assert outcome["value"] == ("compiled" if used_pyc else "edited"), (name, outcome)
    assert answers["imports"][names["ext"]]["file"] is None or (
        answers["imports"][names["ext"]]["file"].startswith(str(entry))
    )


def test_a_stale_build_without_the_reader_is_an_import_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "modspec._core_c", types.ModuleType("modspec._core_c"))
    with pytest.raises(ImportError, match="stale build"):
        _backend.pyc_reader("cython")
