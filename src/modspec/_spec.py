"""Frozen, typed views of what the import system would find: Kind, FileStat, Spec, ModuleInfo."""

from __future__ import annotations

import enum
import importlib.machinery
import zipimport
from importlib._bootstrap_external import _NamespaceLoader  # public from 3.11 only

from ._paths import regular_stat
from ._records import NamedTuple, frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import types
    from typing import Any

# importlib.util (spec_from_file_location, spec_from_loader: contextlib, threading, ...) is
# imported by to_importlib, the one method that needs it.

# _predict (what ModuleInfo.predict reads of sources and frozen modules) is imported by
# predict, where it is first needed: resolving needs none of it.

__all__ = ["FileStat", "Kind", "ModuleInfo", "Spec", "UnsupportedSpec"]


class Kind(enum.Enum):
    """How a module would be loaded: which of CPython's standard loaders it gets."""

    SOURCE = "source"  # a .py file: SourceFileLoader
    BYTECODE = "bytecode"  # a .pyc without source: SourcelessFileLoader
    EXTENSION = "extension"  # a compiled extension: ExtensionFileLoader
    BUILTIN = "builtin"  # compiled into the interpreter: BuiltinImporter
    FROZEN = "frozen"  # frozen into the interpreter: FrozenImporter
    NAMESPACE = "namespace"  # PEP 420 namespace package: no loader in the spec
    ZIP = "zip"  # a member of a zip archive on the path: zipimporter

    @property
    def loader(self) -> type | None:
        """The loader class CPython's finders put in the spec (None for namespace packages)."""
        return _LOADERS[self]

    @property
    def has_location(self) -> bool:
        """Whether the spec's origin is a loadable location (``ModuleSpec.has_location``)."""
        return self in _LOCATED


_LOADERS: dict[Kind, type | None] = {
    Kind.SOURCE: importlib.machinery.SourceFileLoader,
    Kind.BYTECODE: importlib.machinery.SourcelessFileLoader,
    Kind.EXTENSION: importlib.machinery.ExtensionFileLoader,
    Kind.BUILTIN: importlib.machinery.BuiltinImporter,
    Kind.FROZEN: importlib.machinery.FrozenImporter,
    Kind.NAMESPACE: None,
    Kind.ZIP: zipimport.zipimporter,
}
_LOCATED = frozenset({Kind.SOURCE, Kind.BYTECODE, Kind.EXTENSION, Kind.ZIP})


class UnsupportedSpec(ValueError):
    """A ModuleSpec whose loader is not one of CPython's standard finders' loaders."""


class FileStat(NamedTuple):
    """The two facts of a file's ``stat`` that tools need: its size and modification time."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str) -> FileStat | None:
        """Stat ``path`` (following symlinks); None where it is missing or not a regular file."""
        st = regular_stat(path)
        return None if st is None else cls(st.st_size, st.st_mtime_ns)


@frozen_record
class Spec:
    """What ``importlib.util.find_spec`` would return, as a frozen, hashable value.

    ``name``, ``loader``, ``origin``, ``submodule_search_locations``, ``cached``, ``parent`` and
    ``has_location`` mean what they mean on ``importlib.machinery.ModuleSpec``; ``loader`` is the
    loader *class*. ``origin_stat`` and ``cached_stat`` are the size and mtime of the origin and
    cached files, or None where that file does not exist or the spec has no location.
    """

    name: str
    kind: Kind
    origin: str | None
    submodule_search_locations: tuple[str, ...] | None
    cached: str | None
    origin_stat: FileStat | None
    cached_stat: FileStat | None

    @property
    def loader(self) -> type | None:
        return self.kind.loader

    @property
    def has_location(self) -> bool:
        return self.kind.has_location

    @property
    def is_package(self) -> bool:
        return self.submodule_search_locations is not None

    @property
    def parent(self) -> str:
        # Mirrors importlib._bootstrap.ModuleSpec.parent: a package is its own parent.
        if self.submodule_search_locations is None:
            return self.name.rpartition(".")[0]
        return self.name

    def module_info(self) -> ModuleInfo:
        """The attributes the module will have once imported: ``ModuleInfo.predict(self)``."""
        return ModuleInfo.predict(self)

    @classmethod
    def from_importlib(cls, spec: importlib.machinery.ModuleSpec) -> Spec:
        """A Spec for a real ModuleSpec, with its origin and cached files stat'ed now.

        Raises UnsupportedSpec for loaders other than those of CPython's standard finders.
        """
        kind = _kind_of(spec)
        search = spec.submodule_search_locations
        # A namespace package's _NamespacePath recomputes itself from its parent when iterated;
        # its private _path is the list the finder produced, which is what we mirror.
        if search is not None and not isinstance(search, list):
            search = getattr(search, "_path", search)
        origin = spec.origin
        located = kind.has_location and kind is not Kind.ZIP
        return cls(
            name=spec.name,
            kind=kind,
            origin=origin,
            submodule_search_locations=None if search is None else tuple(search),
            cached=spec.cached,
            origin_stat=FileStat.of(origin) if located and origin is not None else None,
            cached_stat=FileStat.of(spec.cached) if spec.cached is not None else None,
        )

    def to_importlib(self) -> importlib.machinery.ModuleSpec:
        """A real ModuleSpec with a real loader instance, ready for ``module_from_spec``."""
        from importlib.util import spec_from_file_location, spec_from_loader

        search = (
            None
            if self.submodule_search_locations is None
            else list(self.submodule_search_locations)
        )
        kind = self.kind
        if kind is Kind.NAMESPACE:
            spec = importlib.machinery.ModuleSpec(self.name, None, is_package=True)
            spec.submodule_search_locations = search
            return spec
        if kind is Kind.BUILTIN:
            return spec_from_loader(
                self.name, importlib.machinery.BuiltinImporter, origin=self.origin
            )  # type: ignore[return-value]
        if kind is Kind.FROZEN:
            # FrozenImporter records where the frozen code came from in loader_state (3.11+).
            frozen = importlib.machinery.FrozenImporter.find_spec(self.name)
            if frozen is None:
                raise LookupError(f"{self.name!r} is no longer frozen in this interpreter")
            return frozen
        assert self.origin is not None
        if kind is Kind.ZIP:
            return self._zip_spec(search)
        loader_class = kind.loader
        assert loader_class is not None
        loader = loader_class(self.name, self.origin)
        located = spec_from_file_location(
            self.name, self.origin, loader=loader, submodule_search_locations=search
        )
        assert located is not None
        return located

    def _zip_spec(self, search: list[str] | None) -> importlib.machinery.ModuleSpec:
        # The loader is the zipimporter of the path entry that found us: its prefix plus the
        # name's last part must lead to the member, so strip "/<tail>.py[c]" from the origin,
        # or "/<tail>/__init__.py[c]" from a package's (whose __init__ may have been passed
        # over for a "<tail>.py[c]" beside the directory: zipimport allows that).
        origin = self.origin
        assert origin is not None
        if origin == "<unknown>":
            raise LookupError(f"{self.name!r}: its archive holds no loadable code")
        tail = self.name.rpartition(".")[2]
        finder_path = origin.rpartition("/")[0]
        in_package_dir = (f"/{tail}/__init__.py", f"/{tail}/__init__.pyc")
        if search is not None and origin.endswith(in_package_dir):
            finder_path = finder_path.rpartition("/")[0]
        # typeshed derives zipimporter from _LoaderBasics, not importlib.abc.Loader.
        loader: Any = zipimport.zipimporter(finder_path)
        spec = importlib.machinery.ModuleSpec(
            self.name, loader, origin=origin, is_package=search is not None
        )
        spec.has_location = True
        spec.cached = self.cached
        if search is not None:
            spec.submodule_search_locations = search
        return spec


@frozen_record
class ModuleInfo:
    """A module's import-related attributes, as a frozen, hashable value.

    ``name``, ``file``, ``doc``, ``package`` and ``cached`` are ``__name__``, ``__file__``,
    ``__doc__``, ``__package__`` and ``__cached__`` (None where absent); ``names`` the keys of
    ``__dict__`` (None when unknown); ``spec`` the ``__spec__`` as a Spec; ``loader`` the class of
    ``__loader__``; ``path`` the entries of ``__path__``, or None for a module that is not a
    package.
    """

    name: str
    file: str | None
    doc: str | None
    names: frozenset[str] | None
    spec: Spec | None
    loader: type | None
    package: str | None
    path: tuple[str, ...] | None
    cached: str | None

    @classmethod
    def of(cls, module: types.ModuleType) -> ModuleInfo:
        """A snapshot of a live module's attributes (its ``__spec__``'s files stat'ed now)."""
        namespace: dict[str, Any] = vars(module)
        module_spec = namespace.get("__spec__")
        try:
            spec = None if module_spec is None else Spec.from_importlib(module_spec)
        except UnsupportedSpec:
            spec = None
        path = namespace.get("__path__")
        return cls(
            name=namespace.get("__name__"),  # type: ignore[arg-type]
            file=namespace.get("__file__"),
            doc=namespace.get("__doc__"),
            names=frozenset(namespace),
            spec=spec,
            loader=_class_of(namespace.get("__loader__")),
            package=namespace.get("__package__"),
            # Iterating a _NamespacePath recomputes it from the parent's __path__: its entries now.
            path=None if path is None else tuple(path),
            cached=namespace.get("__cached__"),
        )

    @classmethod
    def predict(cls, spec: Spec) -> ModuleInfo:
        """The attributes the module will have once imported, before its own code runs."""
        from . import _predict

        kind = spec.kind
        # Mirrors importlib._bootstrap._init_module_attrs (3.10–3.13), after create_module.
        file = spec.origin if spec.has_location else None
        cached = spec.cached if spec.has_location else None
        doc = None
        if kind is Kind.SOURCE and spec.origin is not None:
            doc = _predict.source_docstring(spec.origin)
        elif kind is Kind.FROZEN:
            file = _predict.frozen_file(spec.name)
            doc = _predict.frozen_docstring(spec.name)
        return cls(
            name=spec.name,
            file=file,
            doc=doc,
            names=None,
            spec=spec,
            loader=_predict.NAMESPACE_LOADER if kind is Kind.NAMESPACE else spec.loader,
            package=spec.parent,
            path=spec.submodule_search_locations,
            cached=cached,
        )


def _class_of(loader: object) -> type | None:
    # BuiltinImporter and FrozenImporter are their own loaders: the class, not an instance.
    if loader is None:
        return None
    return loader if isinstance(loader, type) else type(loader)


def _kind_of(spec: importlib.machinery.ModuleSpec) -> Kind:
    loader = spec.loader
    loader_class = loader if isinstance(loader, type) else type(loader)
    # PathFinder leaves a namespace package's loader None; module_from_spec then puts a
    # NamespaceLoader there, so an imported namespace package's spec (what find_spec returns
    # for it from sys.modules) has one.
    if loader is None or loader_class is _NamespaceLoader:
        if spec.submodule_search_locations is None:
            raise UnsupportedSpec(f"spec for {spec.name!r} has neither a loader nor a __path__")
        return Kind.NAMESPACE
    # The standard finders' very classes: a subclass loads otherwise (pyximport's
    # ExtensionFileLoader builds .pyx files), and to_importlib() could not give it back.
    for kind, standard in _LOADERS.items():
        if loader_class is standard:
            return kind
    raise UnsupportedSpec(f"spec for {spec.name!r} has a non-standard loader {loader_class!r}")
