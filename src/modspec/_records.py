"""Frozen value classes as dataclasses and typing.NamedTuple make them, without importing either.

``import dataclasses`` imports ``inspect`` (and through it ``ast``, ``dis``, ``tokenize``), and
``typing`` is large: together some 15 ms, most of what a resolve cost at start-up. The type
checker sees the real thing (``dataclass_transform``, ``typing.NamedTuple``); at run time:

- ``frozen_record`` makes what ``@dataclass(frozen=True, slots=True)`` makes: ``__slots__`` in
  field order, ``__init__`` with the same signature and defaults, ``__repr__``, ``__eq__`` (same
  class only) and ``__hash__`` over the fields in order, ``__match_args__``, assignment and
  deletion refused with ``dataclasses.FrozenInstanceError``, pickling and copying, and a
  ``__dataclass_fields__`` made when first read, so that ``dataclasses.fields``, ``replace``,
  ``asdict`` and ``is_dataclass`` take a record as they took the dataclass it replaces;
- ``record`` makes what ``@dataclass(slots=True)`` makes, defaults from ``field(default_factory=
  ...)`` included: the same, but assignable and unhashable;
- ``replace`` is ``dataclasses.replace`` for either;
- ``NamedTuple`` is typing.NamedTuple's class syntax over ``collections.namedtuple``.
"""

from __future__ import annotations

import collections
import operator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from dataclasses import field, replace
    from typing import Any, NamedTuple, TypeVar, dataclass_transform

    T = TypeVar("T")
else:

    def dataclass_transform(**_: object) -> Callable[[T], T]:
        return lambda made: made

    def field(*, default_factory: Callable[[], T]) -> T:
        return _Factory(default_factory)

    def replace(record: T, /, **changes: Any) -> T:
        """A copy of ``record`` with the fields ``changes`` names set anew."""
        values = {name: getattr(record, name) for name in record.__match_args__}
        unknown = changes.keys() - values.keys()
        if unknown:
            raise TypeError(f"{type(record).__qualname__} has no field {min(unknown)!r}")
        return type(record)(**{**values, **changes})


__all__ = ["NamedTuple", "field", "frozen_record", "record", "replace"]


class _Factory:
    """A default made anew for each record: ``field(default_factory=list)``."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


# What a class body holds besides its fields that the made class must not be given again.
_CLASS_MACHINERY = frozenset({"__dict__", "__weakref__", "__annotations__", "__qualname__"})


def _frozen_error(message: str) -> AttributeError:
    # dataclasses' own exception (an AttributeError), imported only when someone assigns.
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


class _Values:
    """The methods every record shares; ``__slots__`` of the subclass are its fields."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    @staticmethod
    def _values(record: _Values) -> tuple[object, ...]:
        # The fields' values in order; replaced by an operator.attrgetter where there are two
        # or more (it builds the tuple in C), as hashing and comparing specs is frequent.
        return tuple(getattr(record, name) for name in record.__match_args__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == self._values(other)
        return NotImplemented

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), self._values(self)


class _Record(_Values):
    """A frozen record: hashable, its fields set once, by __init__."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen_error(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen_error(f"cannot delete field {name!r}")


class _MutableRecord(_Values):
    """An assignable record: fields set and deleted as on any object (in C, a slot's own
    descriptor); unhashable, as ``@dataclass`` makes a class that compares by value and is
    not frozen."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]


class _DataclassFields:
    """A record's ``__dataclass_fields__``: dataclasses' Field objects, made (and dataclasses
    imported) when a caller of dataclasses first asks for them, never at start-up."""

    def __init__(self, names: tuple[str, ...], defaults: dict[str, object], types: Any) -> None:
        self._names = names
        self._defaults = defaults
        self._types = types
        self._made: dict[str, Any] | None = None

    def __get__(self, record: object, owner: type) -> dict[str, Any]:
        if self._made is None:
            import dataclasses

            made = {}
            for name in self._names:
                default = self._defaults.get(name, dataclasses.MISSING)
                made_field: Any = (
                    dataclasses.field(default_factory=default.make)
                    if isinstance(default, _Factory)
                    else dataclasses.field(default=default)
                )
                made_field.name, made_field.type = name, self._types[name]
                # What dataclass() marks a field with: fields(), replace() and asdict() read it.
                made_field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
                made[name] = made_field
            self._made = made
        return self._made


@dataclass_transform(frozen_default=True)
def frozen_record(cls: type[T]) -> type[T]:
    """``cls`` (a class body of annotated fields, defaults and methods) as a frozen record."""
    return _made(cls, _Record)


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """``cls`` as an assignable record; ``field(default_factory=...)`` gives a new default per
    record."""
    return _made(cls, _MutableRecord)


def _made(cls: type[T], base: type) -> type[T]:
    # The class's own annotations (strings: every module of modspec has PEP 563's import),
    # read without inspect.get_annotations, whose module is what this one spares.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    fields = tuple(annotations)
    defaults = {name: cls.__dict__[name] for name in fields if name in cls.__dict__}
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in _CLASS_MACHINERY and key not in defaults
    }
    namespace.update(
        __slots__=fields,
        __match_args__=fields,
        __dataclass_fields__=_DataclassFields(fields, defaults, annotations),
    )
    made: Any = type(cls.__name__, (base,), namespace)
    made.__qualname__ = cls.__qualname__
    if len(fields) > 1:
        made._values = staticmethod(operator.attrgetter(*fields))
    # A real __init__, as dataclasses write one: the same signature, errors and speed.
    setters = {name: getattr(made, name).__set__ for name in fields}
    # A factory's default is a sentinel in the signature, made anew in the body.
    parameters = ", ".join(f"{name}=_d_{name}" if name in defaults else name for name in fields)
    body = "".join(
        f"\n    _s_{name}(self, _f_{name}() if {name} is _d_{name} else {name})"
        if isinstance(defaults.get(name), _Factory)
        else f"\n    _s_{name}(self, {name})"
        for name in fields
    )
    scope: dict[str, Any] = {f"_s_{name}": setter for name, setter in setters.items()}
    scope.update({f"_d_{name}": value for name, value in defaults.items()})
    scope.update(
        {
            f"_f_{name}": value.make
            for name, value in defaults.items()
            if isinstance(value, _Factory)
        }
    )
    body = body or "\n    pass"
    exec(f"def __init__(self, {parameters}):{body}", scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__init__ = init
    return made  # type: ignore[no-any-return]


if not TYPE_CHECKING:

    class _NamedTupleMeta(type):
        def __new__(mcls, typename: str, bases: tuple[type, ...], namespace: dict[str, Any]):
            if not bases:
                return super().__new__(mcls, typename, bases, namespace)
            fields = tuple(namespace.get("__annotations__", ()))
            defaults = [namespace[name] for name in fields if name in namespace]
            made = collections.namedtuple(
                typename, fields, defaults=defaults, module=namespace["__module__"]
            )
            for key, value in namespace.items():
                if key not in fields and key not in _CLASS_MACHINERY and key != "__module__":
                    setattr(made, key, value)
            made.__qualname__ = namespace["__qualname__"]
            return made

    class NamedTuple(metaclass=_NamedTupleMeta):
        """typing.NamedTuple's class syntax: ``class P(NamedTuple): x: int`` is a namedtuple."""
