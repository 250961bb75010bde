"""The public contract: resolve, resolve_many, Resolver, Spec and Kind as users see them."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from oracle import both_in_subprocess, fields, oracle

import modspec
from modspec import FileStat, InvalidName, Kind, Resolver

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]

# --- the public names ---------------------------------------------------------------------------

# The names the contract promises; others may join them, none may leave.
CONTRACT_NAMES = [
    "BACKEND",
    "BytecodeStatus",
    "EditableFinder",
    "EnvironmentPath",
    "EnvironmentPathError",
    "Explanation",
    "FileStat",
    "InvalidName",
    "Kind",
    "ModuleInfo",
    "Reason",
    "Resolver",
    "Spec",
    "UnsupportedSpec",
    "__version__",
    "bytecode_status",
    "discover",
    "environment_path",
    "explain",
    "resolve",
    "resolve_many",
]


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_contract_name_is_exported(name: str) -> None:
    assert name in modspec.__all__
    assert hasattr(modspec, name)


def test_all_names_exist_once() -> None:
    assert len(set(modspec.__all__)) == len(modspec.__all__)
    missing = [name for name in modspec.__all__ if not hasattr(modspec, name)]
    assert not missing


def test_version_matches_pyproject() -> None:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    declared = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
    assert declared is not None
    assert modspec.__version__ == declared.group(1)


def test_invalid_name_is_a_value_error() -> None:
    assert issubclass(InvalidName, ValueError)
    assert issubclass(modspec.UnsupportedSpec, ValueError)


# --- resolve_many: order and de-duplication -----------------------------------------------------

MANY_CASES = [
    # (names, the keys resolve_many must return, in order)
    ([], []),
    (["json"], ["json"]),
    (
        ["json", "sys", "json", "no_such_module_x", "sys", "os"],
        ["json", "sys", "no_such_module_x", "os"],
    ),
    (["json.decoder", "json", "json.decoder"], ["json.decoder", "json"]),
    (["zz_missing", "aa_missing", "zz_missing"], ["zz_missing", "aa_missing"]),
    (["", "", "a..b"], ["", "a..b"]),
]


@pytest.mark.parametrize(("names", "keys"), MANY_CASES)
def test_resolve_many_keeps_input_order_once(
    make_resolver: MakeResolver, names: list[str], keys: list[str]
) -> None:
    found = make_resolver().resolve_many(names)
    assert list(found) == keys
    fresh = make_resolver()
    assert found == {name: fresh.resolve(name) for name in keys}


@pytest.mark.parametrize(("names", "keys"), MANY_CASES)
def test_module_resolve_many_keeps_input_order_once(names: list[str], keys: list[str]) -> None:
    assert list(modspec.resolve_many(names)) == keys


def test_resolve_many_rejects_a_bare_string(make_resolver: MakeResolver) -> None:
    with pytest.raises(TypeError, match="not a str"):
        make_resolver().resolve_many("json")
    with pytest.raises(TypeError, match="not a str"):
        modspec.resolve_many("json")


def test_resolve_many_takes_any_iterable(make_resolver: MakeResolver) -> None:
    names = ["json", "sys", "json"]
    found = make_resolver().resolve_many(name for name in names)
    assert list(found) == ["json", "sys"]
    assert found["json"] is not None
    assert found["json"].kind is Kind.SOURCE


# --- relative names -----------------------------------------------------------------------------

RELATIVE_TREE: dict[str, object] = {
    "rel/pkg/__init__.py": "",
    "rel/pkg/sibling.py": "",
    "rel/pkg/x.py": "",
    "rel/pkg/sub/__init__.py": "",
    "rel/pkg/sub/x.py": "",
}

RELATIVE_CASES = [
    # (name, package, the absolute name it stands for, whether that module exists in the tree)
    (".sibling", "pkg", "pkg.sibling", True),
    (".x", "pkg.sub", "pkg.sub.x", True),
    ("..x", "pkg.sub", "pkg.x", True),
    ("..sibling", "pkg.sub", "pkg.sibling", True),
    (".", "pkg", "pkg", True),
    ("..", "pkg.sub", "pkg", True),
    (".sub.x", "pkg", "pkg.sub.x", True),
    (".missing", "pkg", "pkg.missing", False),
    # a module's name as the package: its "submodules" do not exist
    (".y", "pkg.sub.x", "pkg.sub.x.y", False),
    # an absolute name ignores the package
    ("pkg.x", "unrelated", "pkg.x", True),
    ("pkg.x", None, "pkg.x", True),
]


@pytest.mark.parametrize(("name", "package", "absolute", "exists"), RELATIVE_CASES)
def test_relative_name(
    tree: Tree,
    make_resolver: MakeResolver,
    name: str,
    package: str | None,
    absolute: str,
    exists: bool,
) -> None:
    # The table agrees with CPython's own rule.
    assert importlib.util.resolve_name(name, package) == absolute
    path = [str(tree(RELATIVE_TREE) / "rel")]
    resolver = make_resolver(path)
    spec = resolver.resolve(name, package=package)
    assert spec == resolver.resolve(absolute)
    assert (spec is not None) == exists
    if spec is not None:
        assert spec.name == absolute
    assert modspec.resolve(name, path=path, package=package) == spec
    assert resolver.resolve_many([name], package=package) == {name: spec}


INVALID_RELATIVE_CASES = [
    # (name, package)
    (".x", None),
    (".x", ""),
    (".", None),
    ("..x", "pkg"),
    ("..", "pkg"),
    ("...x", "pkg.sub"),
    ("....", "a.b.c"),
]


@pytest.mark.parametrize(("name", "package"), INVALID_RELATIVE_CASES)
def test_invalid_relative_name(make_resolver: MakeResolver, name: str, package: str | None) -> None:
    # CPython refuses these too (with ImportError).
    with pytest.raises(ImportError):
        importlib.util.resolve_name(name, package)
    resolver = make_resolver()
    calls: list[Callable[[], object]] = [
        lambda: resolver.resolve(name, package=package),
        lambda: resolver.resolve_many(["json", name], package=package),
        lambda: modspec.resolve(name, package=package),
        lambda: modspec.resolve_many([name], package=package),
    ]
    for call in calls:
        with pytest.raises(InvalidName) as caught:
            call()
        assert caught.value.name == name
        assert repr(name) in str(caught.value)


# --- wrong types --------------------------------------------------------------------------------

NOT_STR = [b"os", bytearray(b"os"), 1, 1.5, None, ["os"], ("os",), Path("os")]


@pytest.mark.parametrize("name", NOT_STR, ids=repr)
def test_name_must_be_str(make_resolver: MakeResolver, name: object) -> None:
    resolver = make_resolver()
    calls: list[Callable[[], object]] = [
        lambda: resolver.resolve(name),  # type: ignore[arg-type]
        lambda: resolver.resolve_many(["os", name]),  # type: ignore[list-item]
        lambda: modspec.resolve(name),  # type: ignore[arg-type]
        lambda: modspec.resolve_many([name]),  # type: ignore[list-item]
    ]
    for call in calls:
        with pytest.raises(TypeError, match="str"):
            call()


@pytest.mark.parametrize("package", [b"pkg", 1, ["pkg"]], ids=repr)
def test_package_must_be_str_for_relative_names(
    make_resolver: MakeResolver, package: object
) -> None:
    with pytest.raises(TypeError, match="str"):
        make_resolver().resolve(".x", package=package)  # type: ignore[arg-type]


# --- names no module has ------------------------------------------------------------------------

# Near misses of real modules (os, json, sys exist on every path), and names that cannot be
# file names at all; CPython answers None to each, and so must modspec, without raising.
NO_SUCH_NAMES = [
    "",
    "a..b",
    "a.",
    "os.",
    "json.",
    "json..decoder",
    "json.decoder.",
    "\x00",
    "o\x00s",
    "json\x00",
    "json.\x00",
    "json.decoder\x00",
    "\ud800",
    "\udfff",
    "os\ud800",
    "json.\ud800",
    " ",
    "os ",
    " os",
    "\tos",
    "os\n",
    "o s",
    "json. decoder",
    "x" * 100_000,
    "json." + "x" * 100_000,
    "os/path",
    "sys.x",
    "json.decoder.x",
    "no_such_module_x",
]


@pytest.mark.parametrize("name", NO_SUCH_NAMES, ids=lambda name: repr(name[:24]))
def test_no_module_is_none(make_resolver: MakeResolver, name: str) -> None:
    assert make_resolver().resolve(name) is None
    assert modspec.resolve(name) is None
    assert modspec.resolve_many([name, name]) == {name: None}


def test_no_module_names_agree_with_cpython() -> None:
    expected = oracle(NO_SUCH_NAMES, sys.path)
    assert expected == dict.fromkeys(NO_SUCH_NAMES)


# CPython finds its parents first, recursively: beyond a few hundred parts `import` raises
# RecursionError before it learns that 'a' does not exist. modspec answers instead.
DEEP_NAMES = ["a." * 2_000 + "b", "json." * 2_000 + "decoder", "json" + ".decoder" * 2_000]


@pytest.mark.parametrize("name", DEEP_NAMES, ids=lambda name: repr(name[:24]))
def test_deep_name_is_an_answer(make_resolver: MakeResolver, name: str) -> None:
    assert make_resolver().resolve(name) is None
    assert modspec.resolve_many([name, "json"])[name] is None


def test_deep_package_chain_is_found(tree: Tree, make_resolver: MakeResolver) -> None:
    depth = 1_200  # beyond Python's recursion limit, within PATH_MAX
    root = tree({"deep": None})
    directories = [str(root / "deep")]
    try:
        # pathlib, os.makedirs and shutil.rmtree would recurse themselves: loops build and
        # remove the chain.
        for _ in range(depth):
            directories.append(directories[-1] + "/p")
            os.mkdir(directories[-1])
            Path(directories[-1], "__init__.py").touch()
        Path(directories[-1], "leaf.py").touch()
        name = ".".join(["p"] * depth) + ".leaf"
        found = make_resolver([directories[0]]).resolve(name)
        assert found is not None
        assert found.origin == directories[-1] + "/leaf.py"
    finally:
        for directory in reversed(directories[1:]):
            for entry in os.listdir(directory):
                if entry != "p":
                    os.unlink(os.path.join(directory, entry))
            os.rmdir(directory)


# Since 3.11, FrozenImporter compares names as C strings, so a NUL ends the name: CPython imports
# the frozen __hello__ for '__hello__\x00x'. modspec gives CPython's answer, not None.
NUL_CASES = [
    # (name, kind on 3.11+; None on 3.10)
    ("__hello__\x00", Kind.FROZEN),
    ("__hello__\x00x", Kind.FROZEN),
    ("__phello__\x00.spam", Kind.FROZEN),
    ("sys\x00", None),  # BuiltinImporter compares whole names
    ("json\x00", None),  # the file system never lists a name with a NUL
]


@pytest.mark.parametrize(("name", "kind"), NUL_CASES, ids=repr)
def test_nul_ends_frozen_names(make_resolver: MakeResolver, name: str, kind: Kind | None) -> None:
    expected_kind = kind if sys.version_info >= (3, 11) else None
    found = make_resolver().resolve(name)
    assert (None if found is None else found.kind) is expected_kind
    assert {name: fields(found)} == oracle([name], sys.path)


# The frozen modules of 3.11+, the aliases among them, names the tables do not hold, and a NUL.
FROZEN_NAMES = [
    "__hello__", "__hello_alias__", "__hello_only__", "__phello__", "__phello__.spam",
    "__phello__.ham", "__phello__.ham.eggs", "__phello_alias__", "__phello_alias__.spam",
    "_frozen_importlib", "_frozen_importlib_external", "zipimport", "os", "os.path", "abc",
    "codecs", "io", "site", "stat", "importlib.util", "importlib.machinery", "runpy", "json",
    "__hello__\x00x", "__phello__.nope",
]  # fmt: skip


@pytest.mark.parametrize("setting", ["on", "off"])
def test_frozen_modules_setting(backend: str, setting: str) -> None:
    # Both cores ask FrozenImporter only about the names its tables hold, as the interpreter
    # lists them when the Resolver is made; -X frozen_modules=off leaves out the stdlib's
    # (3.10 ignores the option).
    theirs, mine = both_in_subprocess(
        FROZEN_NAMES, sys.path, backend, flags=["-X", f"frozen_modules={setting}"]
    )
    assert mine == theirs
    frozen = {name for name, found in theirs.items() if found and found["origin"] == "frozen"}
    if sys.version_info >= (3, 11):
        assert "_frozen_importlib" in frozen  # the bootstrap is frozen either way
        if setting == "on":
            assert {"os", "__hello__", "__hello__\x00x"} <= frozen
        else:
            assert not {"os", "__hello__", "__hello__\x00x"} & frozen


# Odd names are still names: where a file of that name exists, CPython imports it, and so the
# answer is a spec, not None.
ODD_FILES_TREE: dict[str, object] = {
    "odd/a b.py": "",
    "odd/tab\t.py": "",
    "odd/sp ace/__init__.py": "",
    "odd/sp ace/in side.py": "",
    "odd/\udcff.py": "",  # the bytes b"\xff.py": not UTF-8, seen through surrogateescape
    "odd/\u00e9.py": "",  # NFC; its NFD spelling is another name
    "odd/ab.cd/__init__.py": "",  # a directory with a dot: no module name reaches it
    "odd/-dash.py": "",
}
ODD_NAMES = [
    "a b",
    "tab\t",
    "sp ace",
    "sp ace.in side",
    "\udcff",
    "\u00e9",
    "e\u0301",
    "ab.cd",
    "ab",
    "-dash",
    "a",
]


def test_odd_names_agree_with_cpython(tree: Tree, make_resolver: MakeResolver) -> None:
    path = [str(tree(ODD_FILES_TREE) / "odd")]
    expected = oracle(ODD_NAMES, path)
    got = {name: fields(spec) for name, spec in make_resolver(path).resolve_many(ODD_NAMES).items()}
    assert got == expected
    # The table is not vacuous: most of these names are found.
    assert [name for name in ODD_NAMES if got[name] is None] == ["e\u0301", "ab.cd", "ab", "a"]


# --- the path -----------------------------------------------------------------------------------


def test_path_none_follows_live_sys_path(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"live/modspec_live_probe.py": ""})
    resolver = make_resolver()  # made before sys.path changes: it reads sys.path at each call
    assert resolver.resolve("modspec_live_probe") is None
    assert modspec.resolve("modspec_live_probe") is None
    monkeypatch.setattr(sys, "path", [str(root / "live"), *sys.path])
    origin = str(root / "live" / "modspec_live_probe.py")
    found = resolver.resolve("modspec_live_probe")
    assert found is not None
    assert found.origin == origin
    module_level = modspec.resolve("modspec_live_probe")
    assert module_level is not None
    assert module_level.origin == origin
    assert modspec.resolve_many(["modspec_live_probe"])["modspec_live_probe"] == module_level


PATH_REPLACES_CASES = [
    # (name, the kind found with path=[], or None): builtin and frozen modules need no path
    ("sys", Kind.BUILTIN),
    ("builtins", Kind.BUILTIN),
    ("__hello__", Kind.FROZEN),
    ("json", None),
    ("json.decoder", None),
    ("modspec", None),
]


@pytest.mark.parametrize(("name", "kind"), PATH_REPLACES_CASES)
def test_given_path_replaces_sys_path(
    make_resolver: MakeResolver, name: str, kind: Kind | None
) -> None:
    for found in (make_resolver([]).resolve(name), modspec.resolve(name, path=[])):
        assert (None if found is None else found.kind) is kind
    # ... while the live sys.path has them all.
    assert modspec.resolve(name) is not None


def test_builtin_and_frozen_win_over_path(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({"shadow/sys.py": "", "shadow/__hello__.py": "", "shadow/json.py": ""})
    resolver = make_resolver([str(root / "shadow")])
    found = resolver.resolve_many(["sys", "__hello__", "json"])
    assert [None if spec is None else spec.kind for spec in found.values()] == [
        Kind.BUILTIN,
        Kind.FROZEN,
        Kind.SOURCE,
    ]


# --- caching ------------------------------------------------------------------------------------


def test_resolver_keeps_listings_until_invalidated(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({"cache/early.py": "", "cache/pkg/__init__.py": ""})
    path = [str(root / "cache")]
    resolver = make_resolver(path)
    names = ["early", "late", "pkg.late", "latepkg"]
    before = resolver.resolve_many(names)
    assert [name for name, spec in before.items() if spec is None] == names[1:]
    (root / "cache" / "late.py").write_text("", "utf-8")
    (root / "cache" / "pkg" / "late.py").write_text("", "utf-8")
    (root / "cache" / "latepkg").mkdir()
    (root / "cache" / "latepkg" / "__init__.py").write_text("", "utf-8")
    # The resolver answers from the listings it took ...
    assert resolver.resolve_many(names) == before
    assert resolver.resolve("late") is None
    # ... the module-level functions take a fresh look ...
    fresh = modspec.resolve_many(names, path=path)
    assert all(spec is not None for spec in fresh.values())
    assert modspec.resolve("late", path=path) == fresh["late"]
    # ... and so does the resolver, once told.
    resolver.invalidate_caches()
    assert resolver.resolve_many(names) == fresh


def test_resolver_sees_a_new_path_entry_only_after_invalidation(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    root = tree({})
    path = [str(root / "later")]
    resolver = make_resolver(path)
    assert resolver.resolve("mod") is None
    (root / "later").mkdir()
    (root / "later" / "mod.py").write_text("", "utf-8")
    assert resolver.resolve("mod") is None
    assert modspec.resolve("mod", path=path) is not None
    resolver.invalidate_caches()
    assert resolver.resolve("mod") is not None


def test_resolver_stats_what_it_finds(tree: Tree, make_resolver: MakeResolver) -> None:
    # Like FileFinder, a listed file is stat'ed at each lookup: a deleted file is gone at once.
    root = tree({"gone/mod.py": "x = 1\n"})
    resolver = make_resolver([str(root / "gone")])
    found = resolver.resolve("mod")
    assert found is not None
    assert found.origin_stat == FileStat.of(str(root / "gone" / "mod.py"))
    (root / "gone" / "mod.py").unlink()
    assert resolver.resolve("mod") is None


def test_resolver_lists_pycache_from_its_second_call(
    tree: Tree, make_resolver: MakeResolver
) -> None:
    # A first call stats each .pyc; later calls list __pycache__ once, and keep that listing
    # as they keep the others: a .pyc is stat'ed afresh while listed, and seen once listed.
    root = tree({"pyc/a.py": "", "pyc/b.py": "", "pyc/c.py": "", "pyc/__pycache__/keep": ""})
    cached = {
        name: Path(importlib.util.cache_from_source(str(root / "pyc" / f"{name}.py")))
        for name in "abc"
    }
    cached["a"].write_bytes(b"a")
    resolver = make_resolver([str(root / "pyc")])

    def cached_stats() -> dict[str, FileStat | None]:
        return {
            name: spec.cached_stat
            for name, spec in resolver.resolve_many(["a", "b", "c"]).items()
            if spec
        }

    assert cached_stats() == {"a": FileStat.of(str(cached["a"])), "b": None, "c": None}
    cached["b"].write_bytes(b"bb")  # before the listing: seen
    assert cached_stats() == {
        "a": FileStat.of(str(cached["a"])),
        "b": FileStat.of(str(cached["b"])),
        "c": None,
    }
    cached["c"].write_bytes(b"ccc")  # after it: not seen ...
    cached["a"].unlink()  # ... and a listed .pyc is stat'ed afresh
    assert cached_stats() == {"a": None, "b": FileStat.of(str(cached["b"])), "c": None}
    resolver.invalidate_caches()
    assert cached_stats() == {
        "a": None,
        "b": FileStat.of(str(cached["b"])),
        "c": FileStat.of(str(cached["c"])),
    }


# --- module-level functions and Resolver agree --------------------------------------------------

AGREEING_NAMES = ["os", "json", "json.decoder", "sys", "email.mime.text", "no_such_module_x", ""]


@pytest.mark.parametrize("name", AGREEING_NAMES)
def test_module_level_resolve_is_a_fresh_resolver(make_resolver: MakeResolver, name: str) -> None:
    assert modspec.resolve(name) == make_resolver().resolve(name)
    assert modspec.resolve(name, path=sys.path) == make_resolver(sys.path).resolve(name)


def test_resolver_backend_attribute(backend: str) -> None:
    assert Resolver(backend=backend).backend == backend
    assert Resolver().backend == modspec.BACKEND


def test_resolver_options_are_keyword_only_with_documented_defaults() -> None:
    parameters = inspect.signature(Resolver).parameters
    for name, default in (("backend", None), ("editables", None), ("legacy_namespaces", False)):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[name].default is default
    assert Resolver([]).editables == ()  # an explicit path: no hooks unless given
    assert Resolver([]).legacy_namespaces is False


def test_read_paths_name_what_the_answers_were_read_from(
    make_resolver: MakeResolver, tmp_path: Path
) -> None:
    """Every listed directory, path entry looked at and archive read; the same on both
    cores; nothing after invalidate_caches()."""
    import zipfile

    listed = tmp_path / "listed"
    (listed / "pkg" / "sub").mkdir(parents=True)
    (listed / "pkg" / "__init__.py").write_text("")
    (listed / "pkg" / "sub" / "__init__.py").write_text("")
    (listed / "mod.py").write_text("")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("zipped.py", "X = 1\n")
    missing = tmp_path / "missing"
    resolver = make_resolver([str(listed), str(archive), str(missing)])
    found = resolver.resolve_many(["pkg.sub.leaf", "mod", "zipped", "nowhere"])
    assert found["mod"] is not None
    assert found["zipped"] is not None
    assert found["pkg.sub.leaf"] is None
    assert found["nowhere"] is None
    read = set(resolver.read_paths())
    for directory in (listed, listed / "pkg", listed / "pkg" / "sub", archive, missing):
        assert str(directory) in read
    assert not any(path.endswith(("mod.py", "__init__.py")) for path in read)
    for backend in ("cython", "python"):
        twin = Resolver([str(listed), str(archive), str(missing)], backend=backend)
        assert twin.resolve_many(list(found)) == found
        assert set(twin.read_paths()) == read
    resolver.invalidate_caches()
    assert resolver.read_paths() == []
