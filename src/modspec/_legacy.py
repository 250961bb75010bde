"""Legacy namespace packages: the ``__path__`` their ``__init__`` would compute, statically.

A package whose ``__init__.py`` runs ``__path__ = pkgutil.extend_path(__path__, __name__)`` or
``pkg_resources.declare_namespace(__name__)`` gets a longer ``__path__`` once that code has run
(either function as imported by ``import M``, ``import M as X``, ``from M import F``, ``from M
import F as G`` or reached as ``__import__('M').F``), so its submodules are searched in more
places than its spec says. With ``Resolver(..., legacy_namespaces=True)`` modspec detects the
idiom (a bounded read of the source, a byte check, then ``ast``; nothing runs) and computes that
path.

What is not modelled: a source over 64 kB, a package found only as bytecode or inside a zip
archive (its ``__init__`` is not read); the namespace packages that importing ``pkg_resources``
itself declares for installed distributions (``namespace_packages.txt``); and a
``declare_namespace`` in a package whose parent does not declare one too (pkg_resources then
declares the parent as well, changing the parent's ``__path__`` after the fact).
"""

from __future__ import annotations

import ast
import io
import math
import os

from ._parse import PARSE_ERRORS
from ._paths import read_regular
from ._rawspec import KIND, ORIGIN, SEARCH, with_search
from ._spec import Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._config import FindSpec, PackageHook
    from ._rawspec import RawSpec

__all__ = ["DECLARE_NAMESPACE", "EXTEND_PATH", "idiom", "package_hook"]

EXTEND_PATH = "extend_path"
DECLARE_NAMESPACE = "declare_namespace"

# Such an __init__ is a line or three (a licence header at most): a larger one is not read;
# nor is a larger .pkg file, a list of directories.
_MAX_READ = 64 * 1024
_MARKERS = (EXTEND_PATH.encode(), DECLARE_NAMESPACE.encode())


def idiom(init_file: str, pkg_resources_found: Callable[[], bool]) -> str | None:
    """``EXTEND_PATH`` or ``DECLARE_NAMESPACE`` where the source at ``init_file`` runs that idiom
    on its own ``__path__``, else None. ``pkg_resources_found`` decides the common ``try:
    declare_namespace ... except ImportError: extend_path`` (asked only there)."""
    try:
        source = read_regular(init_file, _MAX_READ)
    except (OSError, ValueError):
        return None  # unreadable, or not read: a FIFO, a device, past the bound
    if not any(marker in source for marker in _MARKERS):
        return None
    try:
        tree = ast.parse(source, filename=init_file)
    except PARSE_ERRORS:
        return None
    return _first(tree.body, _bindings(tree), pkg_resources_found)


# The idioms' functions, each by its module and name.
_FUNCTIONS = {EXTEND_PATH: "pkgutil", DECLARE_NAMESPACE: "pkg_resources"}


def _bindings(tree: ast.Module) -> dict[str, str]:
    """What the module's imports bind, anywhere in it (a try statement's body, a handler):
    a name to ``"pkgutil"`` or ``"pkg_resources"``, or to ``EXTEND_PATH`` or
    ``DECLARE_NAMESPACE`` (a function imported from its module). An idiom that uses a name
    no import binds raises NameError: the package does not import at all."""
    bound: dict[str, str] = {}
    modules = set(_FUNCTIONS.values())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
            for alias in node.names:
                if _FUNCTIONS.get(alias.name) == node.module:
                    bound[alias.asname or alias.name] = alias.name
    return bound


def _first(
    body: list[ast.stmt], bound: dict[str, str], pkg_resources_found: Callable[[], bool]
) -> str | None:
    # The first idiom that module-level code reaches, in order; in a try statement, the body's
    # unless it needs pkg_resources and that is missing (ImportError: the handlers run).
    for node in body:
        found = _statement(node, bound)
        if found is not None:
            return found
        if isinstance(node, ast.Try):
            tried = _first(node.body, bound, pkg_resources_found)
            if tried == DECLARE_NAMESPACE and not pkg_resources_found():
                tried = None
            if tried is not None:
                return tried
            for handler in node.handlers:
                handled = _first(handler.body, bound, pkg_resources_found)
                if handled is not None:
                    return handled
        elif isinstance(node, ast.If):
            return None  # which branch runs depends on running it: not the idiom
    return None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _statement(node: ast.stmt, bound: dict[str, str]) -> str | None:
    # __path__ = extend_path(__path__, __name__), however extend_path is reached
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and _is_name(node.targets[0], "__path__")
        and isinstance(node.value, ast.Call)
        and _function(node.value.func, bound) == EXTEND_PATH
        and len(node.value.args) == 2
        and _is_name(node.value.args[0], "__path__")
        and _is_name(node.value.args[1], "__name__")
    ):
        return EXTEND_PATH
    # declare_namespace(__name__), however declare_namespace is reached
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and _function(node.value.func, bound) == DECLARE_NAMESPACE
        and len(node.value.args) == 1
        and _is_name(node.value.args[0], "__name__")
    ):
        return DECLARE_NAMESPACE
    return None


def _function(func: ast.expr, bound: dict[str, str]) -> str | None:
    """``EXTEND_PATH`` or ``DECLARE_NAMESPACE`` where ``func`` is that function: a name an
    import bound to it, or the attribute of its module (a bound name, or ``__import__('M')``)."""
    if isinstance(func, ast.Name):
        found = bound.get(func.id)
        return found if found in _FUNCTIONS else None
    if not isinstance(func, ast.Attribute) or func.attr not in _FUNCTIONS:
        return None
    module = func.value
    name: object = None
    if isinstance(module, ast.Name):
        name = bound.get(module.id)
    elif (
        isinstance(module, ast.Call)
        and _is_name(module.func, "__import__")
        and len(module.args) == 1
        and not module.keywords
        and isinstance(module.args[0], ast.Constant)
    ):
        name = module.args[0].value
    return func.attr if _FUNCTIONS[func.attr] == name else None


# --- the paths the idioms compute ---------------------------------------------------------------


def extend_path(
    own: Sequence[str], fullname: str, search_path: Sequence[object], find_spec: FindSpec
) -> tuple[str, ...]:
    """The ``__path__`` that ``pkgutil.extend_path(own, fullname)`` returns."""
    # Mirrors pkgutil.extend_path (3.10–3.13): each search path entry's finder is asked for the
    # package; its portions are added once each, then the lines of <entry>/<fullname>.pkg.
    path = list(own)
    for entry in search_path:
        if not isinstance(entry, str):
            continue
        # That entry's finder asked alone: PathFinder over the one entry gives its answer.
        found = find_spec(fullname, [entry])
        for portion in (found[SEARCH] or ()) if found is not None else ():
            if portion not in path:
                path.append(portion)
        pkgfile = os.path.join(entry, fullname + ".pkg")
        if os.path.isfile(pkgfile):
            try:
                content = read_regular(pkgfile, _MAX_READ)
            except OSError:
                # extend_path writes a message to stderr and goes on; one modspec will not read
                # (a /proc file that stat calls regular, past the bound) is skipped alike.
                continue
            # The locale's encoding in CPython, taken as UTF-8; universal newlines, as open().
            for line in io.TextIOWrapper(io.BytesIO(content), "utf-8", "surrogateescape"):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                path.append(line)  # as extend_path: never checked for existence
    return tuple(path)


def _normalize(path: str) -> str:
    # Mirrors pkg_resources.normalize_path (POSIX).
    return os.path.normcase(os.path.realpath(os.path.normpath(path)))


def declare_namespace(
    own: Sequence[str],
    fullname: str,
    search_path: Sequence[object],
    top_path: Sequence[object],
    find_spec: FindSpec,
) -> tuple[str, ...]:
    """The ``__path__`` that ``pkg_resources.declare_namespace(fullname)`` leaves, run by the
    package's own ``__init__`` (the parent, if any, already declared)."""
    # Mirrors pkg_resources.declare_namespace, _handle_ns, file_ns_handler and
    # _rebuild_mod_path (setuptools < 81, which still ships pkg_resources): an entry whose
    # finder finds the package with a loader (not a namespace portion) adds <entry>/<tail>,
    # unless already there; each addition sorts the path by sys.path position, normalized.
    tail = fullname.rpartition(".")[2]
    depth = fullname.count(".") + 1
    path = list(own)
    sys_path = [_normalize(entry) for entry in top_path if isinstance(entry, str)]

    def position(portion: str) -> float:
        parts = portion.split(os.sep)[:-depth]
        try:
            return sys_path.index(_normalize(os.sep.join(parts)))
        except ValueError:
            return math.inf

    for item in search_path:
        if not isinstance(item, str):
            continue
        found = find_spec(fullname, [item])
        if found is None or found[KIND] is Kind.NAMESPACE:
            continue
        subpath = os.path.join(item, tail)
        normalized = _normalize(subpath)
        if any(_normalize(portion) == normalized for portion in path):
            continue
        path.append(subpath)
        path = [_normalize(portion) for portion in sorted(path, key=position)]
    return tuple(path)


def package_hook(
    top_path: Callable[[], Sequence[object]],
) -> PackageHook:
    """A ``CoreConfig.package_hook`` that gives legacy namespace packages the ``__path__``
    their ``__init__`` computes; ``top_path`` gives the top-level search path (sys.path)."""

    def hook(fullname: str, raw: RawSpec, search: Sequence[object], find_spec: FindSpec) -> RawSpec:
        origin, own = raw[ORIGIN], raw[SEARCH]
        if raw[KIND] is not Kind.SOURCE or origin is None or own is None:
            return raw
        top = top_path()

        def pkg_resources_found() -> bool:
            return find_spec("pkg_resources", top) is not None

        found = idiom(origin, pkg_resources_found)
        if found == EXTEND_PATH:
            path = extend_path(own, fullname, search, find_spec)
        elif found == DECLARE_NAMESPACE:
            path = declare_namespace(own, fullname, search, top, find_spec)
        else:
            return raw
        return with_search(raw, path)

    return hook
