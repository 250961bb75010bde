"""The public value types as users see them: Spec, Kind, FileStat and EditableFinder are
frozen, hashable values with the fields and properties the contract promises."""

from __future__ import annotations

import dataclasses
import importlib.machinery
import importlib.util
import zipimport
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import modspec
from modspec import FileStat, Kind, Resolver, Spec

MakeResolver = Callable[..., Resolver]
Tree = Callable[[dict[str, object]], Path]


# --- Spec as a value ----------------------------------------------------------------------------


def _spec(**changes: Any) -> Spec:
    fields: dict[str, Any] = {
        "name": "pkg.mod",
        "kind": Kind.SOURCE,
        "origin": "/p/pkg/mod.py",
        "submodule_search_locations": None,
        "cached": "/p/pkg/__pycache__/mod.cpython-311.pyc",
        "origin_stat": FileStat(10, 1_000),
        "cached_stat": None,
    }
    return Spec(**{**fields, **changes})


SPEC_FIELDS = [
    "name",
    "kind",
    "origin",
    "submodule_search_locations",
    "cached",
    "origin_stat",
    "cached_stat",
]


def test_spec_fields() -> None:
    # The fields in order, as a dataclass's __match_args__ gives them (Spec is built without
    # the dataclasses module, whose import costs more than the rest of a resolve's start-up).
    assert list(Spec.__match_args__) == SPEC_FIELDS


def test_dataclasses_functions_take_the_records_as_before() -> None:
    # Spec, ModuleInfo, EditableFinder and Explanation were dataclasses: tools that called
    # dataclasses.fields, replace, asdict or is_dataclass on them keep working.
    spec = _spec()
    assert dataclasses.is_dataclass(spec)
    assert dataclasses.is_dataclass(Spec)
    assert [f.name for f in dataclasses.fields(spec)] == SPEC_FIELDS
    assert [f.name for f in dataclasses.fields(Spec)] == SPEC_FIELDS
    assert dataclasses.fields(Spec)[0].default is dataclasses.MISSING
    moved = dataclasses.replace(spec, origin="/q/pkg/mod.py")
    assert moved == _spec(origin="/q/pkg/mod.py")
    assert type(moved) is Spec
    assert dataclasses.asdict(spec)["origin_stat"] == FileStat(10, 1_000)
    assert dataclasses.astuple(spec)[:3] == ("pkg.mod", Kind.SOURCE, "/p/pkg/mod.py")
    finder = modspec.EditableFinder("setuptools", "m", "/m.py", (("a", "/a"),), template="70")
    assert dataclasses.replace(finder, template="80").template == "80"
    names = [f.name for f in dataclasses.fields(finder)]
    assert names == list(modspec.EditableFinder.__match_args__)
    assert names[:3] == ["tool", "module", "file"]


@pytest.mark.parametrize("field", SPEC_FIELDS)
def test_spec_is_frozen(field: str) -> None:
    spec = _spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(spec, field, None)
    assert spec == _spec()


@pytest.mark.parametrize("attribute", ["loader", "parent", "is_package", "has_location", "extra"])
def test_spec_takes_no_other_attributes(attribute: str) -> None:
    spec = _spec()
    # For a name that is not a field, the frozen __setattr__ of a slots dataclass raises TypeError
    # on 3.10-3.13 (its super() names the class slots=True replaced); either way, nothing changes.
    with pytest.raises((AttributeError, TypeError)):
        setattr(spec, attribute, None)
    assert spec == _spec()


def test_spec_has_slots_not_dict() -> None:
    spec = _spec()
    assert not hasattr(spec, "__dict__")
    assert set(Spec.__slots__) == set(SPEC_FIELDS)
    with pytest.raises(TypeError):
        vars(spec)


DIFFERENT_SPECS = [
    ("name", "pkg.other"),
    ("kind", Kind.BYTECODE),
    ("origin", "/q/pkg/mod.py"),
    ("submodule_search_locations", ("/p/pkg/mod",)),
    ("cached", None),
    ("origin_stat", FileStat(10, 1_001)),
    ("cached_stat", FileStat(10, 1_000)),
]


@pytest.mark.parametrize(("field", "value"), DIFFERENT_SPECS)
def test_spec_equality_and_hash(field: str, value: object) -> None:
    assert _spec() == _spec()
    assert hash(_spec()) == hash(_spec())
    other = _spec(**{field: value})
    assert other != _spec()
    assert len({_spec(), _spec(), other}) == 2
    assert {other: 1}[_spec(**{field: value})] == 1


def test_resolved_specs_are_values(make_resolver: MakeResolver) -> None:
    first = make_resolver().resolve_many(["json", "json.decoder", "sys"])
    second = make_resolver().resolve_many(["json", "json.decoder", "sys"])
    assert first == second
    assert {hash(spec) for spec in first.values()} == {hash(spec) for spec in second.values()}
    assert first["json"] != first["json.decoder"]


SPEC_PROPERTY_CASES = [
    # (spec, loader, parent, has_location, is_package)
    (_spec(), importlib.machinery.SourceFileLoader, "pkg", True, False),
    (_spec(name="mod"), importlib.machinery.SourceFileLoader, "", True, False),
    (
        _spec(submodule_search_locations=("/p/pkg/mod",)),
        importlib.machinery.SourceFileLoader,
        "pkg.mod",
        True,
        True,
    ),
    (
        _spec(
            kind=Kind.NAMESPACE,
            origin=None,
            cached=None,
            origin_stat=None,
            submodule_search_locations=("/p/pkg/mod", "/q/pkg/mod"),
        ),
        None,
        "pkg.mod",
        False,
        True,
    ),
    (
        _spec(name="sys", kind=Kind.BUILTIN, origin="built-in", cached=None, origin_stat=None),
        importlib.machinery.BuiltinImporter,
        "",
        False,
        False,
    ),
    (
        _spec(name="a.b.c", kind=Kind.FROZEN, origin="frozen", cached=None, origin_stat=None),
        importlib.machinery.FrozenImporter,
        "a.b",
        False,
        False,
    ),
    (
        _spec(kind=Kind.BYTECODE, origin="/p/pkg/mod.pyc", cached="/p/pkg/mod.pyc"),
        importlib.machinery.SourcelessFileLoader,
        "pkg",
        True,
        False,
    ),
    (
        _spec(kind=Kind.EXTENSION, origin="/p/pkg/mod.so", cached=None),
        importlib.machinery.ExtensionFileLoader,
        "pkg",
        True,
        False,
    ),
]


@pytest.mark.parametrize(
    ("spec", "loader", "parent", "has_location", "is_package"), SPEC_PROPERTY_CASES
)
def test_spec_properties(
    spec: Spec, loader: type | None, parent: str, has_location: bool, is_package: bool
) -> None:
    assert spec.loader is loader
    assert spec.parent == parent
    assert spec.has_location is has_location
    assert spec.is_package is is_package


# --- Kind ---------------------------------------------------------------------------------------

KIND_CASES = [
    # (member, value, loader class, has_location)
    (Kind.SOURCE, "source", importlib.machinery.SourceFileLoader, True),
    (Kind.BYTECODE, "bytecode", importlib.machinery.SourcelessFileLoader, True),
    (Kind.EXTENSION, "extension", importlib.machinery.ExtensionFileLoader, True),
    (Kind.BUILTIN, "builtin", importlib.machinery.BuiltinImporter, False),
    (Kind.FROZEN, "frozen", importlib.machinery.FrozenImporter, False),
    (Kind.NAMESPACE, "namespace", None, False),
    (Kind.ZIP, "zip", zipimport.zipimporter, True),
]


def test_kind_members() -> None:
    assert list(Kind) == [case[0] for case in KIND_CASES]


@pytest.mark.parametrize(("kind", "value", "loader", "has_location"), KIND_CASES)
def test_kind(kind: Kind, value: str, loader: type | None, has_location: bool) -> None:
    assert kind.value == value
    assert Kind(value) is kind
    assert kind.loader is loader
    assert kind.has_location is has_location


# --- FileStat -----------------------------------------------------------------------------------


def test_filestat_of(tree: Tree) -> None:
    root = tree(
        {
            "st/file.py": "12345",
            "st/dir": None,
            "st/link.py": ("symlink", "file.py"),
            "st/dangling.py": ("symlink", "missing.py"),
        }
    )
    stat = (root / "st" / "file.py").stat()
    assert FileStat.of(str(root / "st" / "file.py")) == FileStat(5, stat.st_mtime_ns)
    # Symlinks are followed, as the import system's stat does.
    assert FileStat.of(str(root / "st" / "link.py")) == FileStat(5, stat.st_mtime_ns)
    for missing in ("dir", "dangling.py", "missing.py", "file.py\x00"):
        assert FileStat.of(str(root / "st" / missing)) is None


def test_editable_finder_is_a_frozen_value() -> None:
    finder = modspec.EditableFinder("setuptools", "m", "/m.py", (("a", "/a"),), template="70")
    assert finder == modspec.EditableFinder(
        "setuptools", "m", "/m.py", (("a", "/a"),), template="70"
    )
    assert len({finder, finder}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        finder.tool = "other"  # type: ignore[misc]
    assert (finder.claims("a"), finder.claims("a.b"), finder.claims("ab")) == ("a", "a", None)


def test_an_assignable_record_is_what_a_slots_dataclass_was() -> None:
    # Surface was @dataclass(slots=True) with list and dict defaults: each report gets its
    # own, its fields can be set, it compares by value and is unhashable, and dataclasses'
    # functions take it; its class is made without importing dataclasses.
    from modspec._codebase.conditions import Target
    from modspec._codebase.surface import Surface
    from modspec._records import replace

    target = Target.current()
    one = Surface(roots=(), path=(), backend="python", target=target)
    two = Surface(roots=(), path=(), backend="python", target=target)
    assert one == two
    assert one.unparsable is not two.unparsable
    one.unparsable.append(("a.py", "SyntaxError"))
    one.files = 3
    assert (one.files, two.unparsable) == (3, [])
    assert one != two
    with pytest.raises(TypeError):
        hash(one)
    with pytest.raises(AttributeError):
        one.no_such_field = 1  # type: ignore[attr-defined]
    moved = replace(one, backend="cython")
    assert (moved.backend, moved.files, moved.unparsable) == ("cython", 3, one.unparsable)
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(one, nope=1)
    fields = {f.name: f for f in dataclasses.fields(Surface)}
    assert fields["unparsable"].default_factory is list
    assert fields["files"].default == 0
    assert dataclasses.asdict(two)["timings"] == {}
    assert dataclasses.replace(one, files=4).unparsable == one.unparsable
    assert repr(two).startswith("Surface(roots=(), path=(), backend='python'")
