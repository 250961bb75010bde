"""Editable installs' import hooks, read from their generated modules and answered statically.

An editable install (PEP 660) puts an import hook in site-packages and a ``.pth`` line that
installs it at start-up. modspec never imports such a module: it reads its file, parses it with
``ast`` and takes its tables with ``ast.literal_eval``, then answers names as the hook would.

- setuptools ≥ 64 (``__editable___<dist>_finder.py``): a finder appended to ``sys.meta_path``
  (after PathFinder) answers the top-level names of ``MAPPING`` and their children, and, when
  ``NAMESPACES`` is not empty, a path hook answers namespace packages for a placeholder entry
  appended to ``sys.path``. Its three finder templates are mirrored (``EditableFinder.template``).
- editables (``_editable_impl_<project>.py``, written for hatchling's ``dev-mode-exact`` and
  pdm-backend's ``editable-backend = "editables"``): its ``RedirectingFinder``, appended to
  ``sys.meta_path`` once, maps top-level names to files (``map_module`` calls, one table shared
  by every such module); their submodules are PathFinder's, in the mapped package's directory.
- scikit-build-core (``_editable_skbc_<dist>.py``) and meson-python
  (``_<dist>_editable_loader.py``): detected and reported, not answered. Their finders go first
  in ``sys.meta_path``, hand out their own loader classes (which a ``Spec`` does not model) and
  may rebuild the project when a name is imported (meson-python always does; its answers come
  from the build directory's install plan, which only the build brings up to date).
"""

from __future__ import annotations

import os
import sys
import types

from ._cachefile import get_cached
from ._parse import PARSE_ERRORS
from ._paths import path_stat, read_regular, regular_stat
from ._rawspec import file_spec, unlocated_spec
from ._records import frozen_record
from ._spec import Kind
from ._static import static_attribute

# ast and contextlib (which ast imports too) are bound by read_editable_finder when a file
# has a tool's marker: a process whose finders are no editable install's (setuptools'
# distutils shim, say) never pays for them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    import contextlib
    import pathlib
    from collections.abc import Callable, Iterable
    from typing import Any

    from ._config import CoreConfig, FindSpec, LateFinder, PathHook
    from ._rawspec import RawSpec

__all__ = ["EditableFinder", "finder_module", "hooks", "live_editables", "read_editable_finder"]

SETUPTOOLS = "setuptools"
SCIKIT_BUILD_CORE = "scikit-build-core"
MESON_PYTHON = "meson-python"
EDITABLES = "editables"

# A generated finder module is a few kB (meson-python's and scikit-build-core's, with their
# tables, some tens of kB); anything much larger is not one.
_MAX_READ = 4 * 1024 * 1024
# Cheap checks before parsing: a module that lacks these bytes is not of that tool.
_MARKERS = (
    (b"_EditableFinder", SETUPTOOLS),
    (b"ScikitBuildRedirectingFinder", SCIKIT_BUILD_CORE),
    (b"MesonpyMetaFinder", MESON_PYTHON),
    (b"editables.redirector", EDITABLES),
)
# editables' finder: the class its generated modules import, and the module that defines it.
_REDIRECTOR_MODULE = "editables.redirector"
_REDIRECTOR = "RedirectingFinder"
_PLACEHOLDER_SUFFIX = ".__path_hook__"


@frozen_record
class EditableFinder:
    """An editable install's import hook, as read from its generated module (never run).

    ``tool`` is ``"setuptools"``, ``"scikit-build-core"``, ``"meson-python"`` or
    ``"editables"``; ``module`` and ``file`` name the generated module (for editables' live
    finder, ``editables.redirector``). ``mapping`` pairs each name the hook answers with the
    file or directory it maps it to (an unsupported editables module: the source of an
    expression where that is no literal); ``namespaces`` pairs each namespace package it
    answers with its directories (setuptools only). ``path_entry`` is the ``sys.path``
    placeholder its path hook answers, when it installs one. ``unsupported`` says why modspec
    cannot answer as the hook would (None when it can); such a hook's names are reported by
    ``explain``, not resolved.

    ``template`` tells setuptools' finder templates apart: ``"64"`` (setuptools 64–67: a name
    at any depth below a mapped package is mapped), ``"68"`` (68–69: mapped names and their
    direct children only) and ``"70"`` (70 and later: a namespace's portions also end with the
    placeholder entry); None for the other tools.
    """

    tool: str
    module: str
    file: str
    mapping: tuple[tuple[str, str], ...]
    namespaces: tuple[tuple[str, tuple[str, ...]], ...] = ()
    path_entry: str | None = None
    unsupported: str | None = None
    template: str | None = None

    def claims(self, fullname: str) -> str | None:
        """The key of ``mapping`` or ``namespaces`` that covers ``fullname`` (the name, or a
        package holding it), or None."""
        for key, _ in (*self.mapping, *self.namespaces):
            if fullname == key or fullname.startswith(key + "."):
                return key
        return None


# --- reading a generated module -----------------------------------------------------------------


def read_editable_finder(file: str, module: str | None = None) -> EditableFinder | None:
    """The editable hook that the module at ``file`` defines, or None where it is not one
    modspec knows. Reads and parses the file; runs nothing of it."""
    try:
        source = read_regular(file, _MAX_READ)
    except (OSError, ValueError):
        return None  # unreadable, or not read: a FIFO, a device, past the bound
    tool = next((tool for marker, tool in _MARKERS if marker in source), None)
    if tool is None:
        return None
    global ast, contextlib  # for this section's readers of the tree, called from here only
    import ast
    import contextlib

    try:
        tree = ast.parse(source, filename=file)
    except PARSE_ERRORS:
        return None
    if module is None:
        module = os.path.basename(file).rpartition(".")[0]
    if tool == SETUPTOOLS:
        return _setuptools(tree, module, file)
    if tool == SCIKIT_BUILD_CORE:
        return _scikit_build_core(tree, module, file)
    if tool == EDITABLES:
        return _editables(tree, module, file)
    return _meson_python(tree, module, file)


# What ast.literal_eval raises for a node of a parsed tree that is no literal (3.10–3.13):
# ValueError for any other node, TypeError for an unhashable set member or dict key ({[]}).
# Nothing else: it parses nothing (no SyntaxError), and the parser allows 200 nested brackets,
# so it never recurses deep. TypeError also covers sorting a set of mixed types (meson-python).
_LITERAL_ERRORS = (ValueError, TypeError)


def _constant(node: ast.expr | None) -> Any:
    """A literal's value; str + str too (setuptools' PATH_PLACEHOLDER). ValueError otherwise."""
    if node is None:
        raise ValueError("no value")
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.right, ast.Constant)
        and type(node.left.value) is str
        and type(node.right.value) is str
    ):
        return node.left.value + node.right.value
    return ast.literal_eval(node)


def _assignments(tree: ast.Module) -> dict[str, Any]:
    """The module's top-level ``NAME = literal`` (or annotated) assignments."""
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value  # type: ignore[assignment]
        else:
            continue
        if isinstance(target, ast.Name):
            with contextlib.suppress(*_LITERAL_ERRORS):
                found[target.id] = _constant(value)
    return found


def _str_map(value: object) -> tuple[tuple[str, str], ...] | None:
    if type(value) is not dict or not all(
        type(key) is str and type(item) is str for key, item in value.items()
    ):
        return None
    return tuple(value.items())


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _setuptools(tree: ast.Module, module: str, file: str) -> EditableFinder | None:
    values = _assignments(tree)
    classes = _classes(tree)
    finder = classes.get("_EditableFinder")
    mapping = _str_map(values.get("MAPPING"))
    namespaces_value = values.get("NAMESPACES")
    placeholder = values.get("PATH_PLACEHOLDER")
    if finder is None or mapping is None or type(placeholder) is not str:
        return None
    if not placeholder.endswith(_PLACEHOLDER_SUFFIX):
        return None
    if type(namespaces_value) is not dict or not all(
        type(key) is str and type(paths) is list and all(type(path) is str for path in paths)
        for key, paths in namespaces_value.items()
    ):
        return None
    namespaces = tuple((key, tuple(paths)) for key, paths in namespaces_value.items())
    template = _setuptools_template(finder, classes.get("_EditableNamespaceFinder"))
    if template is None:
        return EditableFinder(
            SETUPTOOLS,
            module,
            file,
            mapping,
            namespaces,
            unsupported="a setuptools finder template modspec does not know",
        )
    return EditableFinder(
        SETUPTOOLS,
        module,
        file,
        mapping,
        namespaces,
        path_entry=placeholder if namespaces else None,
        template=template,
    )


def _setuptools_template(finder: ast.ClassDef, namespace_finder: ast.ClassDef | None) -> str | None:
    """Which of setuptools' finder templates the classes are, told by their shapes: "64"
    loops over reversed(MAPPING); "68" and "70" ask whether the name's parent is mapped, and
    "70" returns a namespace's paths as [*paths, PATH_PLACEHOLDER] (a starred list) where the
    others return 'NAMESPACES[...] or MAPPING.get(...) or [...]'."""
    if namespace_finder is None:
        return None
    calls = {
        node.func.id
        for node in ast.walk(finder)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    asks_parent = any(
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Name)
        and node.left.id == "parent"
        for node in ast.walk(finder)
    )
    starred = any(isinstance(node, ast.Starred) for node in ast.walk(namespace_finder))
    chained = any(
        isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
        for node in ast.walk(namespace_finder)
    )
    if "reversed" in calls and chained:
        return "64"
    if asks_parent and chained:
        return "68"
    if asks_parent and starred:
        return "70"
    return None


def _install_call(tree: ast.Module, function: str) -> ast.Call | None:
    """The first call of ``function``, breadth first: a call at the module's top level comes
    before any inside a function (scikit-build-core's ``install(...)`` line, or the same call
    in the ``entrypoint()`` it writes for .start files)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == function
        ):
            return node
    return None


def _scikit_build_core(tree: ast.Module, module: str, file: str) -> EditableFinder | None:
    if "ScikitBuildRedirectingFinder" not in _classes(tree):
        return None
    call = _install_call(tree, "install")
    names: dict[str, str] = {}
    rebuild = False
    if call is not None:
        # install(known_source_files, known_wheel_files, known_directories, known_packages,
        # path, rebuild, ...): the tables, and whether importing rebuilds.
        with contextlib.suppress(*_LITERAL_ERRORS):
            arguments = [_constant(argument) for argument in call.args]
            for table in arguments[:2]:
                if type(table) is dict:
                    names.update((key, value) for key, value in table.items() if type(key) is str)
            rebuild = len(arguments) > 5 and arguments[5] is True
    why = (
        "scikit-build-core's finder goes first in sys.meta_path and gives its own loader "
        "classes, which modspec does not model"
    )
    if rebuild:
        why += "; importing rebuilds the project (rebuild_on_import)"
    return EditableFinder(
        SCIKIT_BUILD_CORE,
        module,
        file,
        tuple((key, str(value)) for key, value in names.items()),
        unsupported=why,
    )


def _meson_python(tree: ast.Module, module: str, file: str) -> EditableFinder | None:
    if "MesonpyMetaFinder" not in _classes(tree):
        return None
    call = _install_call(tree, "MesonpyMetaFinder")
    mapping: tuple[tuple[str, str], ...] = ()
    if call is not None and len(call.args) >= 3:
        # MesonpyMetaFinder(project, {top-level names}, build directory, build command, ...)
        with contextlib.suppress(*_LITERAL_ERRORS):
            names, build = _constant(call.args[1]), _constant(call.args[2])
            if isinstance(names, set | frozenset | list | tuple) and type(build) is str:
                mapping = tuple((name, build) for name in sorted(names) if type(name) is str)
    return EditableFinder(
        MESON_PYTHON,
        module,
        file,
        mapping,
        unsupported=(
            "meson-python rebuilds the project when one of its names is imported and answers "
            "from the build directory's install plan, which only that build brings up to date"
        ),
    )


def _editables(tree: ast.Module, module: str, file: str) -> EditableFinder | None:
    """The module editables' ``EditableProject.bootstrap_file`` writes (0.3-0.6): ``from
    editables.redirector import RedirectingFinder as F``, ``F.install()``, then one
    ``F.map_module(name, file)`` per mapped name, all at the top level."""
    aliases = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == _REDIRECTOR_MODULE
        for alias in node.names
        if alias.name == _REDIRECTOR
    }
    calls = [
        (node.value.func.attr, node.value)
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and isinstance(node.value.func.value, ast.Name)
        and node.value.func.value.id in aliases
    ]
    if not any(method == "install" for method, _ in calls):
        return None  # no finder in sys.meta_path: nothing to answer or report
    mapping: dict[str, str] = {}
    unsupported = None
    for method, call in calls:
        if method != "map_module":
            continue
        values: list[object] = []
        if len(call.args) == 2 and not call.keywords:
            for argument in call.args:
                try:
                    values.append(_constant(argument))
                except _LITERAL_ERRORS:
                    values.append(None)
        if len(values) != 2 or not all(type(value) is str for value in values):
            unsupported = "a map_module call whose arguments are not two string literals"
            if values and type(values[0]) is str:
                # The name is known, its file is not: the expression, for explain to show.
                mapping[values[0]] = ast.unparse(call.args[1])
            continue
        name, target = values
        mapping[str(name)] = str(target)  # map_module sets a dict item: a later call wins
    return EditableFinder(EDITABLES, module, file, tuple(mapping.items()), unsupported=unsupported)


# --- the running interpreter's editable hooks ---------------------------------------------------


def live_editables() -> tuple[EditableFinder, ...]:
    """The editable hooks installed in this process's ``sys.meta_path`` and ``sys.path_hooks``,
    identified by the file of the module that defines each finder. Finders are only looked at
    (``static_attribute``, as ``inspect.getattr_static``), never called."""
    found: dict[str, EditableFinder] = {}
    for finder in [*sys.meta_path, *sys.path_hooks]:
        module_name = finder_module(finder)
        if module_name is None or module_name in found:
            continue
        if module_name.partition(".")[0] in sys.stdlib_module_names:
            continue  # zipimport, importlib's finders: no editable hook's module
        module = sys.modules.get(module_name)
        if type(module) is not types.ModuleType:
            continue
        file = static_attribute(module, "__file__", None)
        if type(file) is not str:
            continue
        if module_name == _REDIRECTOR_MODULE:
            editable = _live_redirecting_finder(finder, file)
        else:
            editable = read_editable_finder(file, module_name)
        if editable is not None:
            found[module_name] = editable
    return tuple(found.values())


def _live_redirecting_finder(finder: object, file: str) -> EditableFinder | None:
    """editables' RedirectingFinder as installed: the table every ``map_module`` call filled,
    a class attribute read with ``getattr_static`` (only a plain dict of str is taken)."""
    if not issubclass(type(finder), type):
        return None  # editables installs the class itself
    # The class's name from type's own slot: getattr_static would give the descriptor.
    name = type.__dict__["__name__"].__get__(finder)
    table = static_attribute(finder, "_redirections", None)
    if name != _REDIRECTOR or type(table) is not dict:
        return None
    mapping = tuple(table.items())
    if not all(type(name) is str and type(target) is str for name, target in mapping):
        return None
    return EditableFinder(EDITABLES, _REDIRECTOR_MODULE, file, mapping)


def finder_module(finder: object) -> str | None:
    """The name of the module that defines ``finder`` (a finder or a path hook), read
    statically."""
    if type(finder) is types.MethodType:
        # A bound method (setuptools' _EditableNamespaceFinder._path_hook): its function's
        # module. Both attributes are the method object's own; no code of the finder runs.
        finder = finder.__func__
    name = static_attribute(finder, "__module__", None)
    return name if type(name) is str else None


# --- answering as the hooks would ---------------------------------------------------------------


def hooks(
    editables: Iterable[EditableFinder], config: CoreConfig
) -> tuple[tuple[LateFinder, ...], tuple[PathHook, ...]]:
    """The finders (for ``CoreConfig.late_finders``) and path hooks (``path_hooks``) of the
    supported editable hooks, in their order in ``sys.meta_path``."""
    late: list[LateFinder] = []
    path_hooks: list[PathHook] = []
    redirections: dict[str, str] | None = None
    for editable in editables:
        if editable.unsupported is not None:
            continue
        if editable.tool == EDITABLES:
            # One RedirectingFinder class serves every editables install: the first
            # install() appends it, each module's map_module calls add to its one table.
            if redirections is None:
                redirections = {}
                late.append(_RedirectingFinder(redirections, config).find_spec)
            redirections.update(editable.mapping)
            continue
        if editable.tool != SETUPTOOLS:
            continue
        finder = _SetuptoolsFinder(editable, config)
        late.append(finder.find_spec)
        if editable.path_entry is not None:
            path_hooks.append(finder.path_hook)
    return tuple(late), tuple(path_hooks)


def file_location_spec(fullname: str, location: str, config: CoreConfig) -> RawSpec | None:
    """The raw spec ``importlib.util.spec_from_file_location(fullname, location)`` gives."""
    # Mirrors importlib._bootstrap_external.spec_from_file_location (3.10–3.13): the first
    # loader (extension, source, bytecode) whose suffix ends the location; is_package as that
    # loader's; the package's search location is the file's directory.
    kind = next((kind for suffix, kind in config.loaders if location.endswith(suffix)), None)
    if kind is None:
        return None
    head, _, filename = location.rpartition("/")
    extensions = [suffix for suffix, found in config.loaders if found is kind]
    if location.endswith(config.source_suffixes) or location.endswith(config.bytecode_suffixes):
        # Mirrors importlib._bootstrap_external._LoaderBasics.is_package.
        is_package = filename.rsplit(".", 1)[0] == "__init__"
        is_package = is_package and fullname.rpartition(".")[2] != "__init__"
    else:
        # Mirrors importlib._bootstrap_external.ExtensionFileLoader.is_package.
        is_package = any(filename == "__init__" + suffix for suffix in extensions)
    search = (head,) if is_package else None
    cached = get_cached(location, config)
    cached_st = None if cached is None else regular_stat(cached)
    return file_spec(kind, location, search, cached, regular_stat(location), cached_st)


class _RedirectingFinder:
    """editables' RedirectingFinder over the table its ``map_module`` calls fill."""

    def __init__(self, redirections: dict[str, str], config: CoreConfig) -> None:
        self.redirections = redirections
        self.config = config

    def find_spec(self, fullname: str, path_find_spec: FindSpec) -> RawSpec | None:
        # Mirrors editables.redirector.RedirectingFinder.find_spec (0.3-0.6): top-level names
        # only (a submodule is PathFinder's, in its package's directory), the mapped file as
        # spec_from_file_location makes it, whether or not that file exists.
        if "." in fullname or fullname not in self.redirections:
            return None
        return file_location_spec(fullname, self.redirections[fullname], self.config)


class _SetuptoolsFinder:
    """setuptools' _EditableFinder and _EditableNamespaceFinder over one module's tables."""

    def __init__(self, editable: EditableFinder, config: CoreConfig) -> None:
        self.config = config
        self.mapping = dict(editable.mapping)
        self.items = list(editable.mapping)
        self.namespaces = dict(editable.namespaces)
        self.placeholder = editable.path_entry
        self.maps_any_depth = editable.template == "64"
        self.chained_paths = editable.template in ("64", "68")
        # Mirrors importlib.machinery.all_suffixes: source, bytecode, then extension suffixes.
        extensions = tuple(
            suffix
            for suffix, _ in config.loaders
            if suffix not in config.source_suffixes and suffix not in config.bytecode_suffixes
        )
        self.suffixes = (*config.source_suffixes, *config.bytecode_suffixes, *extensions)

    def find_spec(self, fullname: str, path_find_spec: FindSpec) -> RawSpec | None:
        # Imported here: only setuptools' finder spells paths with pathlib, and pathlib
        # costs more than the rest of `import modspec`.
        import pathlib

        if self.maps_any_depth:
            # Mirrors setuptools' _EditableFinder.find_spec (template "64", setuptools 64–67):
            # the last mapped package holding the name answers, whatever it finds.
            for package, package_path in reversed(self.items):
                if fullname == package or fullname.startswith(f"{package}."):
                    rest = fullname.replace(package, "", 1).strip(".").split(".")
                    return self._find_spec(fullname, pathlib.PurePath(package_path, *rest))
            return None
        # Mirrors setuptools' _EditableFinder.find_spec (templates "68" and "70").
        if fullname in self.mapping:
            return self._find_spec(fullname, pathlib.PurePath(self.mapping[fullname]))
        parent, _, _ = fullname.rpartition(".")
        if parent and parent in self.mapping:
            return path_find_spec(fullname, [self.mapping[parent]])
        return None

    def _find_spec(self, fullname: str, candidate_path: pathlib.PurePath) -> RawSpec | None:
        # Mirrors setuptools' _EditableFinder._find_spec: __init__.py, then the path with each
        # module suffix in place of its own; the first that exists.
        candidates = [candidate_path / "__init__.py"]
        # A path with no name (the root) has no suffix to replace: CPython raises there.
        try:  # noqa: SIM105 - contextlib is bound only where a generated module was read
            candidates += [candidate_path.with_suffix(suffix) for suffix in self.suffixes]
        except ValueError:
            pass
        for candidate in candidates:
            location = os.fspath(candidate)
            # pathlib.Path.exists: stat follows symlinks; any type of file counts.
            if path_stat(location) is not None:
                return file_location_spec(fullname, location, self.config)
        return None

    def path_hook(self, entry: str) -> Callable[[str], RawSpec | None] | None:
        # Mirrors setuptools' _EditableNamespaceFinder._path_hook.
        return self._namespace_spec if entry == self.placeholder else None

    def _namespace_spec(self, fullname: str) -> RawSpec | None:
        # Mirrors setuptools' _EditableNamespaceFinder.find_spec and _paths: a spec without a
        # loader, which PathFinder takes as a namespace portion.
        if fullname not in self.namespaces:
            return None
        paths: Any = self.namespaces[fullname]
        if self.chained_paths:
            # Templates "64" and "68": their 'or MAPPING.get(...)' gives a str, which
            # PathFinder's list.extend takes letter by letter.
            paths = paths or self.mapping.get(fullname) or [self.placeholder]
            portions = tuple(paths)
        else:
            if not paths and fullname in self.mapping:
                paths = [self.mapping[fullname]]
            portions = (*paths, self.placeholder)
        return unlocated_spec(Kind.NAMESPACE, None, portions)
