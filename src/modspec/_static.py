"""Attributes read as ``inspect.getattr_static`` reads them, without importing inspect.

modspec looks at the finders of ``sys.meta_path`` and ``sys.path_hooks`` without running any
code of theirs. ``inspect`` (with the ``dis``, ``tokenize`` and ``linecache`` it imports) costs
a sixth of a resolve's start-up, and every process that has setuptools' distutils shim or an
editable install has such a finder to look at.
"""

from __future__ import annotations

import types

__all__ = ["static_attribute"]

# type's own descriptors, which no metaclass can override: a class's MRO and namespace.
_MRO = type.__dict__["__mro__"].__get__
_NAMESPACE = type.__dict__["__dict__"].__get__
_MISSING = object()


def _in_namespaces(classes: tuple[type, ...], name: str) -> object:
    for entry in classes:
        namespace = _NAMESPACE(entry)
        if name in namespace:
            return namespace[name]
    return _MISSING


def _dict_descriptor(classes: tuple[type, ...]) -> object:
    # Mirrors inspect._shadowed_dict: the first __dict__ in the MRO that is not the standard
    # descriptor of instance dicts (_MISSING where there is none).
    for entry in classes:
        found = _NAMESPACE(entry).get("__dict__", _MISSING)
        if found is _MISSING:
            continue
        standard = (
            type(found) is types.GetSetDescriptorType
            and found.__name__ == "__dict__"
            and found.__objclass__ is entry
        )
        if not standard:
            return found
    return _MISSING


def _is_data_descriptor(value: object) -> bool:
    classes = _MRO(type(value))
    getter, setter, deleter = (
        _in_namespaces(classes, method) is not _MISSING
        for method in ("__get__", "__set__", "__delete__")
    )
    return getter and (setter or deleter)


def static_attribute(obj: object, name: str, default: object = None) -> object:
    """``inspect.getattr_static(obj, name, default)``: the entry for ``name`` in ``obj``'s own
    ``__dict__`` or in its class's MRO, no descriptor, ``__getattr__`` or ``__getattribute__``
    of theirs run.

    Mirrors getattr_static (3.10–3.13) where every metaclass involved is ``type`` (the finders
    modspec meets: classes, their instances, functions, modules); any other object goes to
    getattr_static itself.
    """
    cls = type(obj)
    if cls is type:
        # A class: its MRO's namespaces, then its metaclass's (type, object).
        found = _in_namespaces(_MRO(obj), name)
        if found is _MISSING:
            found = _in_namespaces(_MRO(type), name)
        return default if found is _MISSING else found
    classes = _MRO(cls)
    if type(cls) is not type or type in classes:
        return _inspect(obj, name, default)  # another metaclass, or a class of one
    instance = _MISSING
    descriptor = _dict_descriptor(classes)
    if descriptor is _MISSING or type(descriptor) is types.MemberDescriptorType:
        try:
            own = object.__getattribute__(obj, "__dict__")
        except AttributeError:
            own = {}
        instance = dict.get(own, name, _MISSING)
    found = _in_namespaces(classes, name)
    if instance is not _MISSING and found is not _MISSING:
        if type(type(found)) is not type:
            return _inspect(obj, name, default)  # a descriptor of another metaclass
        if _is_data_descriptor(found):
            return found
    if instance is not _MISSING:
        return instance
    return default if found is _MISSING else found


def _inspect(obj: object, name: str, default: object) -> object:
    from inspect import getattr_static

    return getattr_static(obj, name, default)
