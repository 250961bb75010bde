"""static_attribute against inspect.getattr_static, its oracle, on the shapes finders take and
on objects built to run code when looked at."""

from __future__ import annotations

import abc
import importlib.machinery
import inspect
import sys
import types
import zipimport
from collections.abc import Callable

import pytest

from modspec._static import static_attribute

RAN: list[str] = []


class Loud:
    """Runs code (and says so) wherever a dynamic lookup would."""

    __module__ = "loud.finders"
    table = ("a", "/a")

    def __getattr__(self, name: str) -> object:
        RAN.append(f"__getattr__ {name}")
        return "dynamic"

    def __getattribute__(self, name: str) -> object:
        RAN.append(f"__getattribute__ {name}")
        return object.__getattribute__(self, name)

    @property
    def prop(self) -> str:
        RAN.append("prop")
        return "computed"


class Slotted:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 1


class WithDict:
    def __init__(self) -> None:
        self.own = "instance"
        self.__dict__["prop"] = "shadowed by the property"

    @property
    def prop(self) -> str:
        return "computed"

    plain = "class"


class ShadowsDict:
    @property  # type: ignore[misc]
    def __dict__(self) -> dict[str, object]:  # type: ignore[override]
        RAN.append("__dict__")
        return {"x": 1}


class Meta(type):
    def __getattr__(cls, name: str) -> object:
        RAN.append(f"Meta.__getattr__ {name}")
        return "dynamic"


class WithMeta(metaclass=Meta):
    x = 1


class Abstract(abc.ABC):  # noqa: B024 - a class of another metaclass is the point
    y = 2


def _function() -> None:
    pass


def _module() -> types.ModuleType:
    module = types.ModuleType("m")
    module.__file__ = "/m.py"
    return module


OBJECTS: list[tuple[str, Callable[[], object]]] = [
    ("instance running code", Loud),
    ("its class", lambda: Loud),
    ("slotted instance", Slotted),
    ("instance with a dict", WithDict),
    ("class shadowing __dict__", ShadowsDict),
    ("class of a metaclass", lambda: WithMeta),
    ("its instance", WithMeta),
    ("the metaclass", lambda: Meta),
    ("abc class", lambda: Abstract),
    ("abc instance", Abstract),
    ("function", lambda: _function),
    ("bound method", lambda: Loud().__getattr__),
    ("module", _module),
    ("BuiltinImporter", lambda: importlib.machinery.BuiltinImporter),
    ("PathFinder", lambda: importlib.machinery.PathFinder),
    ("zipimporter", lambda: zipimport.zipimporter),
    ("a path hook", lambda: sys.path_hooks[-1]),
    ("type", lambda: type),
    ("object", object),
    ("int", lambda: 3),
]
NAMES = [
    "__module__", "__file__", "__name__", "__dict__", "__class__", "__doc__", "table", "prop",
    "own", "plain", "value", "x", "y", "mro", "__get__", "nothing_here",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("label", "make"), OBJECTS, ids=[label for label, _ in OBJECTS])
def test_same_as_getattr_static(label: str, make: Callable[[], object], name: str) -> None:
    obj = make()
    missing = object()
    RAN.clear()
    expected = inspect.getattr_static(obj, name, missing)
    assert RAN == []
    found = static_attribute(obj, name, missing)
    assert RAN == [], label
    assert found is expected or found == expected, label


def test_runs_nothing_and_reads_the_finders_own_entries() -> None:
    RAN.clear()
    loud = Loud()
    assert static_attribute(loud, "__module__") == "loud.finders"
    assert static_attribute(loud, "table") == ("a", "/a")
    assert isinstance(static_attribute(loud, "prop"), property)
    assert static_attribute(loud, "missing") is None
    assert RAN == []
    assert static_attribute(_module(), "__file__") == "/m.py"
    assert static_attribute(importlib.machinery.PathFinder, "__module__") == (
        importlib.machinery.PathFinder.__module__
    )
