"""Zip archives on the path: modspec's zipimporter mirror against CPython's own."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import sys
import tempfile
import zipfile
import zipimport
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import both_in_subprocess, compare, fields, oracle
from zips import (
    BAD_MAGIC,
    CACHE_TAG,
    MAGIC,
    OTHER_SRC,
    SOURCE_MTIME,
    SRC,
    hash_pyc,
    make_zip,
    timestamp_pyc,
    with_stdlib,
    zlib_entries,
)

import modspec

MakeResolver = Callable[..., modspec.Resolver]
Tree = Callable[[dict[str, object]], Path]


def origins(resolver: modspec.Resolver, names: list[str], archive: Path) -> dict[str, object]:
    """Each name's origin, relative to the archive where it lies inside it."""
    found: dict[str, object] = {}
    for name, spec in resolver.resolve_many(names).items():
        if spec is None or spec.origin is None:
            found[name] = None if spec is None else spec.kind
        else:
            found[name] = spec.origin.removeprefix(f"{archive}/")
    return found


# --- top-level modules: which of .pyc and .py zipimport takes ---------------------------------

TOP_LEVEL = {
    "only_py.py": SRC,
    "only_pyc.pyc": timestamp_pyc(SRC),
    "fresh.py": SRC,
    "fresh.pyc": timestamp_pyc(SRC),
    "lenient_after.py": SRC,
    "lenient_after.pyc": timestamp_pyc(SRC, mtime=SOURCE_MTIME + 1),
    "lenient_before.py": SRC,
    "lenient_before.pyc": timestamp_pyc(SRC, mtime=SOURCE_MTIME - 1),
    "stale.py": SRC,
    "stale.pyc": timestamp_pyc(SRC, mtime=SOURCE_MTIME + 2),
    "resized.py": SRC,
    "resized.pyc": timestamp_pyc(SRC, size=len(SRC) + 1),
    "bad_magic.py": SRC,
    "bad_magic.pyc": timestamp_pyc(SRC, magic=BAD_MAGIC),
    "bad_magic_alone.pyc": timestamp_pyc(SRC, magic=BAD_MAGIC),
    "bad_flags.py": SRC,
    "bad_flags.pyc": timestamp_pyc(SRC, flags=0b100),
    "hash_fresh.py": SRC,
    "hash_fresh.pyc": hash_pyc(SRC, checked=True),
    "hash_stale.py": SRC,
    "hash_stale.pyc": hash_pyc(SRC, checked=True, hashed=OTHER_SRC),
    "hash_unchecked.py": SRC,
    "hash_unchecked.pyc": hash_pyc(SRC, checked=False, hashed=OTHER_SRC),
    "hash_alone.pyc": hash_pyc(SRC, checked=True, hashed=OTHER_SRC),
}
# What zipimport takes for each name (relative to the archive), under the default
# --check-hash-based-pycs=default.
TOP_LEVEL_ORIGINS: dict[str, object] = {
    "only_py": "only_py.py",
    "only_pyc": "only_pyc.pyc",
    "fresh": "fresh.pyc",
    "lenient_after": "lenient_after.pyc",
    "lenient_before": "lenient_before.pyc",
    "stale": "stale.py",
    "resized": "resized.py",
    "bad_magic": "bad_magic.py",
    "bad_magic_alone": "<unknown>",  # get_filename fails: spec_from_file_location's placeholder
    "bad_flags": "bad_flags.py",
    "hash_fresh": "hash_fresh.pyc",
    "hash_stale": "hash_stale.py",
    "hash_unchecked": "hash_unchecked.pyc",
    "hash_alone": "hash_alone.pyc",  # no source to check against
    "missing": None,
}


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"]
)
def test_top_level_modules(tree: Tree, make_resolver: MakeResolver, compression: int) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", TOP_LEVEL, compression)
    path = [str(archive), *zlib_entries()]
    names = list(TOP_LEVEL_ORIGINS)
    compare(make_resolver(path), names, path)
    assert origins(make_resolver(path), names, archive) == TOP_LEVEL_ORIGINS


@pytest.mark.parametrize(
    ("mode", "changed"),
    [
        ("always", {"hash_unchecked": "hash_unchecked.py"}),
        ("never", {"hash_stale": "hash_stale.pyc"}),
    ],
)
def test_check_hash_based_pycs(
    tree: Tree, backend: str, mode: str, changed: dict[str, str]
) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", TOP_LEVEL)
    names = list(TOP_LEVEL_ORIGINS)
    theirs, mine = both_in_subprocess(
        names, with_stdlib([str(archive)]), backend, flags=["--check-hash-based-pycs", mode]
    )
    assert mine == theirs
    expected = {**TOP_LEVEL_ORIGINS, **changed}
    got = {
        n: None if f is None else f["origin"].removeprefix(f"{archive}/") for n, f in mine.items()
    }
    assert got == expected


# --- packages --------------------------------------------------------------------------------

PACKAGES: dict[str, str | bytes | None] = {
    "pkg/__init__.py": "",
    "pkg/mod.py": SRC,
    "pkg/sub/__init__.pyc": timestamp_pyc(""),  # sourceless package
    "pkg/sub/mod.py": SRC,
    "pkg/sub/deep.pyc": timestamp_pyc(SRC),
    "pkg/sub/deeper/__init__.py": "",
    "pkg/sub/deeper/__init__.pyc": timestamp_pyc(""),  # fresh: taken over the source
    "pkg/sub/deeper/leaf.py": SRC,
    "both/__init__.py": "",  # a package beats a module of the same name
    "both.py": SRC,
    # The __init__.pyc decides "package", but get_filename passes over it to shadowed.py:
    # a package whose origin is a module file, searched in the archive's root.
    "shadowed/__init__.pyc": timestamp_pyc("", magic=BAD_MAGIC),
    "shadowed.py": SRC,
    "x.py": SRC,
    # No good code at all: origin "<unknown>", __path__ [""] (the current directory).
    "hollow/__init__.pyc": timestamp_pyc("", magic=BAD_MAGIC),
    # No "implicit/" entry: zipimport sees neither a package nor a namespace portion.
    "implicit/mod.py": SRC,
}
PACKAGE_NAMES = [
    "pkg", "pkg.mod", "pkg.sub", "pkg.sub.mod", "pkg.sub.deep", "pkg.sub.deeper",
    "pkg.sub.deeper.leaf", "pkg.nope", "pkg.mod.x", "both", "shadowed", "shadowed.x",
    "hollow", "hollow.x", "implicit", "implicit.mod",
]  # fmt: skip


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"]
)
def test_packages(tree: Tree, make_resolver: MakeResolver, compression: int) -> None:
    root = tree({"x.py": ""})  # what hollow.x finds in the current directory
    archive = make_zip(root / "lib.zip", PACKAGES, compression)
    path = [str(archive), *zlib_entries()]
    compare(make_resolver(path), PACKAGE_NAMES, path)
    resolver = make_resolver(path)
    assert origins(resolver, PACKAGE_NAMES, archive) == {
        "pkg": "pkg/__init__.py",
        "pkg.mod": "pkg/mod.py",
        "pkg.sub": "pkg/sub/__init__.pyc",
        "pkg.sub.mod": "pkg/sub/mod.py",
        "pkg.sub.deep": "pkg/sub/deep.pyc",
        "pkg.sub.deeper": "pkg/sub/deeper/__init__.pyc",
        "pkg.sub.deeper.leaf": "pkg/sub/deeper/leaf.py",
        "pkg.nope": None,
        "pkg.mod.x": None,
        "both": "both/__init__.py",
        "shadowed": "shadowed.py",
        "shadowed.x": "x.py",
        "hollow": "<unknown>",
        "hollow.x": str(root / "x.py"),
        "implicit": None,
        "implicit.mod": None,
    }
    shadowed, hollow = resolver.resolve("shadowed"), resolver.resolve("hollow")
    assert shadowed is not None
    assert shadowed.submodule_search_locations == (str(archive),)
    assert hollow is not None
    assert hollow.submodule_search_locations == ("",)


# --- namespace packages ----------------------------------------------------------------------

NAMESPACE_ZIP: dict[str, str | bytes | None] = {
    "ns/": None,
    "ns/a.py": SRC,
    "ns/inner/": None,
    "ns/inner/m.py": SRC,
    "onlyzip/": None,
    "onlyzip/q.py": SRC,
}
NAMESPACE_NAMES = [
    "ns", "ns.a", "ns.b", "ns.c", "ns.inner", "ns.inner.m", "ns.inner.n", "onlyzip", "onlyzip.q",
]  # fmt: skip


@pytest.mark.parametrize("zip_first", [True, False], ids=["zip-first", "dir-first"])
def test_namespace_across_zip_and_directory(
    tree: Tree, make_resolver: MakeResolver, zip_first: bool
) -> None:
    root = tree({"dir/ns/b.py": "", "dir/ns/inner/n.py": ""})
    archive = make_zip(root / "lib.zip", NAMESPACE_ZIP)
    path = [str(archive), str(root / "dir")]
    if not zip_first:
        path.reverse()
    compare(make_resolver(path), NAMESPACE_NAMES, path)
    ns = make_resolver(path).resolve("ns.inner")
    assert ns is not None
    assert ns.kind is modspec.Kind.NAMESPACE
    portions = (f"{archive}/ns/inner", str(root / "dir" / "ns" / "inner"))
    assert ns.submodule_search_locations == (portions if zip_first else portions[::-1])


# --- an entry inside the archive: zipimporter's prefix --------------------------------------

PREFIXED: dict[str, str | bytes | None] = {
    "mod.py": SRC,  # at the archive's root: not under any prefix below
    "sub/": None,
    "sub/mod.py": SRC,
    "sub/pkg/__init__.py": "",
    "sub/pkg/m.py": SRC,
    "sub/ns/": None,
    "sub/ns/x.py": SRC,
    "sub/deeper/": None,
    "sub/deeper/d.py": SRC,
}
PREFIX_NAMES = ["mod", "pkg", "pkg.m", "ns", "ns.x", "d", "deeper", "sub"]


@pytest.mark.parametrize(
    "entry",
    ["lib.zip/sub", "lib.zip/sub/", "lib.zip//sub", "lib.zip/sub/deeper", "lib.zip/missing",
     "lib.zip/sub/mod.py", "lib.zip"],
)  # fmt: skip
def test_prefix_entries(tree: Tree, make_resolver: MakeResolver, entry: str) -> None:
    root = tree({})
    make_zip(root / "lib.zip", PREFIXED)
    path = [f"{root}/{entry}"]  # as written: pathlib would fold the doubled and trailing "/"
    compare(make_resolver(path), PREFIX_NAMES, path)


@pytest.mark.parametrize("entry", ["lib.zip", "./lib.zip", "lib.zip/sub", "lib.zip//sub/", ""])
def test_relative_entries(tree: Tree, make_resolver: MakeResolver, entry: str) -> None:
    # zipimport keeps the entry as given: origins and portions are relative too.
    root = tree({})
    make_zip(root / "lib.zip", PREFIXED)
    compare(make_resolver([entry]), PREFIX_NAMES, [entry])


# --- what zipimport does not find ------------------------------------------------------------

UNFOUND: dict[str, str | bytes | None] = {
    f"ext{importlib.machinery.EXTENSION_SUFFIXES[0]}": b"\x7fELF",
    "gui.pyw": SRC,
    "opt.pyo": timestamp_pyc(SRC),
    "__pycache__/": None,
    f"__pycache__/cached.{CACHE_TAG}.pyc": timestamp_pyc(SRC),
    "pkg/__init__.py": "",
    f"pkg/__pycache__/m.{CACHE_TAG}.pyc": timestamp_pyc(SRC),
    "pkg/data.txt": "",
}
UNFOUND_NAMES = ["ext", "gui", "opt", "cached", "__pycache__", "pkg", "pkg.m", "pkg.data"]


def test_what_zipimport_does_not_find(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", UNFOUND)
    path = [str(archive)]
    compare(make_resolver(path), UNFOUND_NAMES, path)
    assert origins(make_resolver(path), UNFOUND_NAMES, archive) == {
        "ext": None,
        "gui": None,
        "opt": None,
        "cached": None,
        "__pycache__": modspec.Kind.NAMESPACE,  # an explicit directory entry is a portion
        "pkg": "pkg/__init__.py",
        "pkg.m": None,
        "pkg.data": None,
    }


# --- entries that are not (readable) zip archives -------------------------------------------


def _zip_bytes(tmp: Path) -> bytes:
    return make_zip(tmp / "source.zip", {"zmod.py": SRC, "mod.py": SRC}).read_bytes()


BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "truncated-half": lambda data: data[: len(data) // 2],
    "truncated-end-record": lambda data: data[:-5],
    "not-a-zip": lambda data: b"print('hello')\n" * 100,
    "empty": lambda data: b"",
    "bad-central-offset": lambda data: (
        data[:-6] + (len(data) * 2).to_bytes(4, "little") + data[-2:]
    ),
}


@pytest.mark.parametrize("damage", list(BROKEN))
@pytest.mark.parametrize("entry", ["lib.zip", "lib.zip/sub"])
def test_broken_archives(
    tree: Tree, make_resolver: MakeResolver, tmp_path: Path, damage: str, entry: str
) -> None:
    # zipimporter rejects the entry; FileFinder does not take a file either: the next entry wins.
    root = tree({"fallback/mod.py": ""})
    (root / "lib.zip").write_bytes(BROKEN[damage](_zip_bytes(tmp_path)))
    path = [str(root / entry), str(root / "fallback")]
    names = ["zmod", "mod"]
    compare(make_resolver(path), names, path)
    assert origins(make_resolver(path), names, root) == {"zmod": None, "mod": "fallback/mod.py"}


def _corrupt_local_header(archive: Path, *members: str) -> None:
    # The central directory still lists the member; its local header no longer starts with
    # "PK\x03\x04", so zipimport._get_data raises ZipImportError when it reads the data.
    with zipfile.ZipFile(archive) as listing:
        offsets = [listing.getinfo(member).header_offset for member in members]
    data = bytearray(archive.read_bytes())
    for offset in offsets:
        data[offset : offset + 2] = b"XX"
    archive.write_bytes(bytes(data))


def test_unreadable_members(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(
        root / "lib.zip",
        {
            "pyc_first.py": SRC,
            "pyc_first.pyc": timestamp_pyc(SRC),  # unreadable: the search stops there
            "py_only.py": SRC,  # unreadable: CPython reads a source to compile it
            "hashed.py": SRC,  # unreadable when the checked pyc's hash is checked
            "hashed.pyc": hash_pyc(SRC, checked=True),
            "pkg/__init__.py": "",  # unreadable
            "pkg/m.py": SRC,
            "good.py": SRC,
        },
    )
    _corrupt_local_header(archive, "pyc_first.pyc", "py_only.py", "hashed.py", "pkg/__init__.py")
    path = [str(archive)]
    names = ["pyc_first", "py_only", "hashed", "pkg", "pkg.m", "good"]
    compare(make_resolver(path), names, path)
    assert origins(make_resolver(path), names, archive) == {
        "pyc_first": "<unknown>",
        "py_only": "<unknown>",
        "hashed": "<unknown>",
        "pkg": "<unknown>",
        "pkg.m": None,  # searched for in "" (the current directory)
        "good": "good.py",
    }


@pytest.mark.parametrize("limit", ["entries", "sizes"])
def test_zip64(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch, limit: str
) -> None:
    # zipfile writes Zip64 end records past its limits; lowered, a small archive gets them.
    # Before 3.13 zipimport reads only the classic end record: with the Zip64 ones in between,
    # it looks for the central directory in the wrong place and lists nothing ("entries"), or
    # finds 0xFFFFFFFF offsets and declines the archive ("sizes"). 3.13 reads both (gh-94146).
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    if limit == "sizes":
        monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 8)
    root = tree({"fallback/zmod.py": ""})
    archive = make_zip(root / "lib.zip", {"zmod.py": SRC, "zmod.pyc": timestamp_pyc(SRC)})
    # The standard library comes first: 3.13's zipimport imports struct while it reads Zip64
    # extra fields, and finding struct through the very archive being read recurses forever.
    path = [*with_stdlib([]), str(archive), str(root / "fallback")]
    compare(make_resolver(path), ["zmod"], path)
    expected = "lib.zip/zmod.pyc" if sys.version_info >= (3, 13) else "fallback/zmod.py"
    assert origins(make_resolver(path), ["zmod"], root) == {"zmod": expected}


def test_directory_named_like_an_archive(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({"lib.zip/mod.py": "", "lib.zip/sub/m.py": ""})
    path = [str(root / "lib.zip"), str(root / "lib.zip" / "sub")]
    compare(make_resolver(path), ["mod", "m", "sub"], path)


def test_egg_is_a_zip(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    egg = make_zip(
        root / "thing-1.0-py3.egg",
        {"eggmod.py": SRC, "eggpkg/__init__.py": "", "eggpkg/m.pyc": timestamp_pyc(SRC),
         "EGG-INFO/": None, "EGG-INFO/PKG-INFO": ""},
    )  # fmt: skip
    path = [str(egg)]
    names = ["eggmod", "eggpkg", "eggpkg.m", "EGG-INFO"]
    compare(make_resolver(path), names, path)
    found = make_resolver(path).resolve("eggpkg.m")
    assert found is not None
    assert found.origin == f"{egg}/eggpkg/m.pyc"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["-O"], f"lib.zip/pkg/__pycache__/__init__.{CACHE_TAG}.opt-1.pyc"),
        (["-OO"], f"lib.zip/pkg/__pycache__/__init__.{CACHE_TAG}.opt-2.pyc"),
        (["-X", "pycache_prefix=PREFIX"], f"PREFIX/ROOT/lib.zip/pkg/__init__.{CACHE_TAG}.pyc"),
    ],
    ids=["O", "OO", "pycache_prefix"],
)
def test_cached_under_interpreter_flags(
    tree: Tree, backend: str, flags: list[str], expected: str
) -> None:
    # A .py origin's cached path is computed as for a file on disk, even inside an archive.
    root = tree({})
    archive = make_zip(root / "lib.zip", PACKAGES)
    prefix = root / "pycache"
    flags = [flag.replace("PREFIX", str(prefix)) for flag in flags]
    expected = expected.replace("PREFIX/ROOT", f"{prefix}{root}")
    if "pycache_prefix" in flags[-1]:
        # Out of the archive, the cached file may exist; the spec's cached_stat then says so.
        Path(expected).parent.mkdir(parents=True)
        Path(expected).write_bytes(b"never read")
    for path in ([str(archive)], ["lib.zip"]):
        theirs, mine = both_in_subprocess(PACKAGE_NAMES, with_stdlib(path), backend, flags=flags)
        assert mine == theirs
        pkg = mine["pkg"]
        assert pkg is not None
        assert pkg["cached"].endswith(expected)
        assert (pkg["cached_stat"] is not None) == ("pycache_prefix" in flags[-1])


# --- where CPython raises and modspec answers (see _zipfinder's docstring) --------------------


def _undecodable_names(tmp: Path) -> bytes:
    # A UTF-8 flagged name that is not UTF-8: zipimport's directory reader raises
    # UnicodeDecodeError, which is not the ZipImportError a path hook may decline with.
    data = make_zip(tmp / "names.zip", {"\u00e9.py": SRC, "zmod.py": SRC}).read_bytes()
    return data.replace("\u00e9.py".encode(), b"\xff\xfe.py")


def test_divergences(tree: Tree, make_resolver: MakeResolver, tmp_path: Path) -> None:
    root = tree({"fallback/broken_archive.py": ""})
    archive = make_zip(
        root / "lib.zip",
        {
            "syntax.py": "def (:\n",  # CPython compiles it to name its origin
            "short.py": SRC,
            "short.pyc": MAGIC + b"\0\0",  # the header ends early: EOFError
            "not_code.pyc": timestamp_pyc(SRC)[:16] + marshal.dumps(42),  # TypeError
        },
    )
    (root / "bad.zip").write_bytes(_undecodable_names(tmp_path))
    path = [str(archive), str(root / "bad.zip"), str(root / "fallback")]
    names = ["syntax", "short", "not_code", "broken_archive"]
    expected = oracle(names, path)
    assert {n: (f or {}).get("error", "").partition(":")[0] for n, f in expected.items()} == {
        "syntax": "SyntaxError",
        "short": "EOFError",
        "not_code": "TypeError",
        "broken_archive": "UnicodeDecodeError",
    }
    assert origins(make_resolver(path), names, archive) == {
        "syntax": "syntax.py",
        "short": "short.py",
        "not_code": "not_code.pyc",
        "broken_archive": str(root / "fallback" / "broken_archive.py"),
    }


def test_compressed_members_without_zlib(tree: Tree, make_resolver: MakeResolver) -> None:
    # CPython imports zlib on first need, through sys.path: where it cannot be found, every
    # compressed member gives get_filename a ZipImportError. modspec inflates with its own
    # process's zlib, which it has: it answers as for an interpreter that can import zlib.
    root = tree({})
    archive = make_zip(
        root / "lib.zip", {"fresh.py": SRC, "fresh.pyc": timestamp_pyc(SRC)}, zipfile.ZIP_DEFLATED
    )
    path = [str(archive)]
    expected = oracle(["fresh"], path)["fresh"]
    assert expected is not None
    assert expected["origin"] == "<unknown>"
    assert origins(make_resolver(path), ["fresh"], archive) == {"fresh": "fresh.pyc"}


# --- caching ---------------------------------------------------------------------------------


def test_listing_kept_until_invalidated(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", {"first.py": SRC})
    resolver = make_resolver([str(archive)])
    assert resolver.resolve("first") is not None
    make_zip(archive, {"second.py": SRC})
    assert resolver.resolve("second") is None  # as zipimport's directory cache would say
    resolver.invalidate_caches()
    assert resolver.resolve("second") is not None
    assert resolver.resolve("first") is None


def test_leaves_zipimport_cache_alone(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", PACKAGES)
    make_resolver([str(archive)]).resolve_many(PACKAGE_NAMES)
    assert str(archive) not in zipimport._zip_directory_cache


# --- to_importlib: the spec loads the module -------------------------------------------------

ROUND_TRIP: dict[str, str | bytes | None] = {
    "zpkg/__init__.py": "from . import helper\nVALUE = helper.X + 1\n",
    "zpkg/helper.py": "X = 41\n",
    "zpkg/sub/__init__.pyc": timestamp_pyc("NAME = __name__\n"),
    "zpkg/sub/leaf.py": "from .. import VALUE\nDOUBLE = VALUE * 2\n",
    "zmod.pyc": timestamp_pyc("Y = 'compiled'\n", size=len("Y = 'source'\n")),  # fresh
    "zmod.py": "Y = 'source'\n",
    "inner/": None,
    "inner/pmod.py": "Z = __file__\n",
    "hollow.pyc": timestamp_pyc("", magic=BAD_MAGIC),
}


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Real imports from temporary archives, undone afterwards."""
    monkeypatch.setattr(zipimport, "_zip_directory_cache", {})
    monkeypatch.setattr(sys, "path_importer_cache", {})
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def load(spec: modspec.Spec) -> ModuleType:
    real = spec.to_importlib()
    assert real.loader is not None
    module = importlib.util.module_from_spec(real)
    sys.modules[spec.name] = module
    real.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("isolated_imports")
def test_to_importlib_loads_from_zip(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", ROUND_TRIP, zipfile.ZIP_DEFLATED)
    resolver = make_resolver([str(archive), f"{archive}/inner"])
    # Each name with the path entry whose zipimporter CPython would have found it with.
    entries = {
        "zpkg": str(archive),
        "zpkg.sub": f"{archive}/zpkg",
        "zpkg.sub.leaf": f"{archive}/zpkg/sub",
        "zmod": str(archive),
        "pmod": f"{archive}/inner",
    }
    modules = {}
    for name, entry in entries.items():
        spec = resolver.resolve(name)
        assert spec is not None
        modules[name] = module = load(spec)
        assert module.__file__ == spec.origin
        assert module.__cached__ == spec.cached
        search = spec.submodule_search_locations
        assert getattr(module, "__path__", None) == (None if search is None else list(search))
        real = zipimport.zipimporter(entry)
        assert isinstance(module.__loader__, zipimport.zipimporter)
        assert (module.__loader__.archive, module.__loader__.prefix) == (real.archive, real.prefix)
        real_spec = real.find_spec(name)
        assert real_spec is not None
        assert fields(spec) == fields(modspec.Spec.from_importlib(real_spec))
    assert modules["zpkg"].VALUE == 42
    assert modules["zpkg.sub"].NAME == "zpkg.sub"
    assert modules["zpkg.sub.leaf"].DOUBLE == 84
    assert modules["zmod"].Y == "compiled"
    pmod_file = modules["pmod"].Z
    assert pmod_file == f"{archive}/inner/pmod.py"


def test_to_importlib_without_code(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({})
    archive = make_zip(root / "lib.zip", ROUND_TRIP)
    spec = make_resolver([str(archive)]).resolve("hollow")
    assert spec is not None
    assert spec.origin == "<unknown>"
    with pytest.raises(LookupError, match="no loadable code"):
        spec.to_importlib()


# --- random archives -------------------------------------------------------------------------

# What one name may have in an archive: package and module files with good or bad code.
_MEMBER_KINDS = {
    "py": lambda: SRC,
    "pyc": lambda: timestamp_pyc(SRC),
    "stale_pyc": lambda: timestamp_pyc(SRC, mtime=SOURCE_MTIME + 7),
    "bad_pyc": lambda: timestamp_pyc(SRC, magic=BAD_MAGIC),
}
_SUFFIX = {"py": ".py", "pyc": ".pyc", "stale_pyc": ".pyc", "bad_pyc": ".pyc"}


@st.composite
def archives(draw: st.DrawFn) -> dict[str, str | bytes | None]:
    members: dict[str, str | bytes | None] = {}
    for directory in draw(st.lists(st.sampled_from(["", "a/", "b/", "a/b/"]), unique=True)):
        for name in draw(st.lists(st.sampled_from(["a", "b"]), unique=True)):
            as_package = draw(st.booleans())
            for kind in draw(st.lists(st.sampled_from(list(_MEMBER_KINDS)), max_size=3)):
                stem = f"{directory}{name}/__init__" if as_package else f"{directory}{name}"
                members[stem + _SUFFIX[kind]] = _MEMBER_KINDS[kind]()
            if draw(st.booleans()):
                members[f"{directory}{name}/"] = None
    return members


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(members=archives(), prefix=st.sampled_from(["", "/a", "/a/b"]))
def test_random_archives(
    make_resolver: MakeResolver, members: dict[str, str | bytes | None], prefix: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_zip(Path(tmp) / "r.zip", members)
        path = [f"{archive}{prefix}"]
        names = ["a", "b", "a.a", "a.b", "b.a", "b.b", "a.b.a", "a.b.b"]
        compare(make_resolver(path), names, path)
