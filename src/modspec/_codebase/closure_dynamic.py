"""What the import statements do not say: literal importlib.import_module / __import__ calls
that run on import, the ones that cannot be followed, a package's literal ``__all__``, and
the import hooks a module installs (setuptools' VendorImporter).

Only files whose bytes hold ``import_module``, ``__import__`` or ``__getattr__`` (or, for
``__all__``, that name) get a look, and only at the top-level statements that hold them: a
``def`` is skipped unread (its body runs only when called), any other statement is parsed
alone by ``ast``; a statement that does not parse alone (a line at column 0 inside a string,
say) has the whole file parsed instead. The same code serves both backends.
"""

from __future__ import annotations

import ast
import bisect
import re
import threading
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from .._parse import PARSE_ERRORS
from .._resolver import InvalidName, absolute_name
from .extract_py import Guard, ImportRef

__all__ = [
    "Dynamic",
    "DynamicSite",
    "VendorHook",
    "dynamic_imports",
    "literal_all",
    "replaces_itself",
    "vendor_hooks",
]

_MARKERS = (b"import_module", b"__import__", b"__getattr__")
_CATCHES_IMPORT_ERROR = frozenset(
    ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
)
# A line that starts a top-level statement: anything at column 0 but blanks, comments,
# closing brackets (the end of an expression that began above), and the clauses that
# continue the statement above them at column 0.
_STATEMENT_START = re.compile(rb"^(?!(?:except|else|elif|finally)\b)[^\s#)\]}]", re.MULTILINE)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_DEFS = (b"def ", b"async def ")
_BLANK = (b"", b"\n", b"\r", b"#")
# A top-level statement spans at most this many lines at column 0 (the items of a long list).
_MAX_PIECES = 512
_TEXT_LIMIT = 200  # a reported call is cut to this many characters

# What never runs on import: the module's code skips these branches.
_SKIPPED = Guard.TYPE_CHECKING | Guard.MAIN
_TRY_NODES: tuple[type[ast.Try], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))

# warnings.catch_warnings changes process-wide state: this module's parses take turns.
_AST_LOCK = threading.Lock()


class DynamicSite(NamedTuple):
    """A module-level dynamic import that is not followed: the name is not a literal, or a
    module ``__getattr__`` imports when an attribute is asked for."""

    line: int
    kind: str  # "import_module", "__import__" or "__getattr__"
    text: str  # the call as ast.unparse spells it ("def __getattr__" for the hook)


class Dynamic(NamedTuple):
    """A file's literal dynamic imports, as ImportRefs (absolute: level 0), and the sites
    that cannot be followed, both in line order."""

    refs: tuple[ImportRef, ...]
    sites: tuple[DynamicSite, ...]


_NONE = Dynamic((), ())


def dynamic_imports(source: bytes, module: str, package: str | None) -> Dynamic:
    """The dynamic imports of the module ``module`` (whose package is ``package``) that run
    when it is imported: at module level or in a class body, not in a function."""
    # Three scans of the bytes: far faster than one of a regular expression's alternation.
    if not any(marker in source for marker in _MARKERS):
        return _NONE
    visitor = _Visitor(module, package)
    for body in _statements(source, _MARKERS):
        visitor.visit(body, Guard.NONE, (), ())
    refs = sorted(visitor.refs, key=lambda ref: ref.line)
    return Dynamic(tuple(refs), tuple(sorted(visitor.sites)))


def literal_all(source: bytes) -> tuple[str, ...] | None:
    """A module's ``__all__`` where its module-level statements spell it out (assigned a
    list or tuple of strings, extended or appended to by such), () where they never set it,
    None where one of them sets it to something that is not literal."""
    if b"__all__" not in source:
        return ()
    names: list[str] | None = None
    for body in _statements(source, (b"__all__",)):
        for node in _walk_statements(body):
            found = _all_change(node, names)
            if found is _UNKNOWN:
                return None
            if found is not None:
                names = found
    return () if names is None else tuple(names)


# -- top-level statements, each parsed alone --------------------------------------------------


def _statements(source: bytes, markers: tuple[bytes, ...]) -> Iterator[list[ast.stmt]]:
    """The parsed top-level statements of ``source`` where one of ``markers`` stands outside
    any function (each with its real line numbers); the whole module instead where one of
    them does not parse alone, or may lie inside a string."""
    starts = [match.start() for match in _STATEMENT_START.finditer(source)]
    if not starts or not _utf8(source):
        yield from _whole(source)
        return
    live: set[int] = set()  # indexes into starts of the statements to parse
    for marker in markers:
        at = source.find(marker)
        while at != -1:
            index = max(0, bisect.bisect_right(starts, at) - 1)
            # Decorators open the statement they decorate.
            while index > 0 and source.startswith(b"@", starts[index - 1]):
                index -= 1
            if not _in_function(source, at, starts[index]):
                live.add(index)
            at = source.find(marker, at + len(marker))
    parsed: list[list[ast.stmt]] = []
    done = -1  # the last index of starts already parsed as part of a statement
    for index in sorted(live):
        if index <= done:
            continue
        begin = starts[index]
        # A line at column 0 inside a triple-quoted string looks like a statement.
        if source.count(b'"""', 0, begin) % 2 or source.count(b"'''", 0, begin) % 2:
            yield from _whole(source)
            return
        tree, done = _parse_from(source, starts, index)
        if tree is None:
            yield from _whole(source)
            return
        ast.increment_lineno(tree, source.count(b"\n", 0, begin))
        parsed.append(tree.body)
    yield from parsed


def _parse_from(source: bytes, starts: list[int], index: int) -> tuple[ast.Module | None, int]:
    """The statement at ``starts[index]``, parsed, and the index of the last start it spans.
    Lines at column 0 within a statement (a list's items, say) look like starts of their own:
    a piece that does not parse takes in the next ones, twice as many each time, up to
    _MAX_PIECES (the statements it then takes in are parsed too, and looked at alike)."""
    first = index
    while source.startswith(b"@", starts[first]) and first + 1 < len(starts):
        first += 1  # a decorator parses with what it decorates
    pieces = 1
    while pieces <= _MAX_PIECES:
        last = min(len(starts) - 1, first + pieces - 1)
        end = starts[last + 1] if last + 1 < len(starts) else len(source)
        tree = _parse(source[starts[index] : end])
        if tree is not None or last == len(starts) - 1:
            return tree, last
        pieces *= 2
    return None, first


def _in_function(source: bytes, at: int, begin: int) -> bool:
    """Whether offset ``at`` lies in a def (or on a nested def's line) of the statement that
    starts at ``begin``, by the indentation of the lines above it."""
    start = source.rfind(b"\n", 0, at) + 1
    indent = _indent(source, start)
    if indent and source.startswith(_DEFS, start + indent):
        return True
    while indent and start > begin:
        start = source.rfind(b"\n", 0, start - 1) + 1
        depth = _indent(source, start)
        if depth < indent and source[start + depth : start + depth + 1] not in _BLANK:
            if source.startswith(_DEFS, start + depth):
                return True
            indent = depth
    return False


def _indent(source: bytes, start: int) -> int:
    end = start
    while end < len(source) and source[end] in b" \t\f":
        end += 1
    return end - start


def _utf8(source: bytes) -> bool:
    # PEP 263: a cookie naming another encoding decodes the file as a whole: parse it so.
    for line in source.split(b"\n", 2)[:2]:
        cookie = _COOKIE.match(line)
        if cookie is not None:
            return cookie.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")
    return True


def _whole(source: bytes) -> Iterator[list[ast.stmt]]:
    tree = _parse(source)
    if tree is not None:
        yield tree.body


def _parse(source: bytes) -> ast.Module | None:
    try:
        with _AST_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an invalid escape: the import would only warn
            return ast.parse(source)
    except PARSE_ERRORS:
        return None


def _walk_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement that runs at module level (not inside a def), in source order."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for block in _blocks(node):
            yield from _walk_statements(block)


def _blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    for _field, value in ast.iter_fields(node):
        if isinstance(value, list) and value:
            if isinstance(value[0], ast.stmt):
                yield value
            elif isinstance(value[0], (ast.excepthandler, ast.match_case)):
                for item in value:
                    yield item.body


# -- __all__ ---------------------------------------------------------------------------------

_UNKNOWN: list[str] = []


def _strings(node: ast.expr | None) -> list[str] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    found = [_string(e) for e in node.elts]
    return None if None in found else [f for f in found if f is not None]


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _all_change(node: ast.stmt, names: list[str] | None) -> list[str] | None:
    """``__all__`` after ``node``; None where ``node`` leaves it alone, _UNKNOWN where it sets
    it to something that is not a literal."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(_names_all(t) for t in targets):
            value = _strings(node.value)
            return _UNKNOWN if value is None else value
        return None
    if isinstance(node, ast.AugAssign) and _names_all(node.target):
        value = _strings(node.value)
        return _UNKNOWN if value is None or names is None else [*names, *value]
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and _names_all(func.value):
            args = node.value.args
            if names is None or len(args) != 1:
                return _UNKNOWN
            if func.attr == "append":
                item = _string(args[0])
                return _UNKNOWN if item is None else [*names, item]
            extra = _strings(args[0]) if func.attr == "extend" else None
            return _UNKNOWN if extra is None else [*names, *extra]
    return None


def _names_all(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


# -- the calls --------------------------------------------------------------------------------


class _Visitor:
    """Collects the calls of module-level code with the guards, conditions and choices the
    extractors give import statements (ImportRef's contract)."""

    def __init__(self, module: str, package: str | None) -> None:
        self.module = module
        self.package = package
        self.refs: list[ImportRef] = []
        self.sites: list[DynamicSite] = []

    def visit(
        self,
        body: list[ast.stmt],
        guard: Guard,
        condition: tuple[tuple[str, bool], ...],
        choice: tuple[tuple[int, int], ...],
        *,
        in_class: bool = False,
    ) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                hook = node.name == "__getattr__" and not in_class and not condition
                if hook and not guard & _SKIPPED and _imports_inside(node):
                    self.sites.append(DynamicSite(node.lineno, "__getattr__", "def __getattr__"))
            elif isinstance(node, ast.If):
                self._calls(node.test, guard, condition, choice)
                test = ast.unparse(node.test)
                if _is_type_checking(node.test):
                    self.visit(node.body, guard | Guard.TYPE_CHECKING, condition, choice)
                elif _is_main(node.test):
                    self.visit(node.body, guard | Guard.MAIN, condition, choice)
                else:
                    self.visit(node.body, guard, (*condition, (test, True)), choice)
                self.visit(node.orelse, guard, (*condition, (test, False)), choice)
            elif isinstance(node, _TRY_NODES):
                if any(_catches_import_error(handler.type) for handler in node.handlers):
                    inside = (*choice, (node.lineno, 0))
                    self.visit(node.body, guard | Guard.OPTIONAL, condition, inside)
                    for index, handler in enumerate(node.handlers, 1):
                        caught = (*choice, (node.lineno, index))
                        self.visit(handler.body, guard | Guard.FALLBACK, condition, caught)
                    self.visit(node.orelse, guard, condition, inside)
                else:
                    self.visit(node.body, guard, condition, choice)
                    for handler in node.handlers:
                        self.visit(handler.body, guard, condition, choice)
                    self.visit(node.orelse, guard, condition, choice)
                self.visit(node.finalbody, guard, condition, choice)
            else:
                for _field, value in ast.iter_fields(node):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, ast.expr):
                            self._calls(item, guard, condition, choice)
                        elif isinstance(item, ast.withitem):
                            self._calls(item.context_expr, guard, condition, choice)
                classy = isinstance(node, ast.ClassDef)
                for block in _blocks(node):
                    self.visit(block, guard, condition, choice, in_class=classy)

    def _calls(
        self,
        expr: ast.expr,
        guard: Guard,
        condition: tuple[tuple[str, bool], ...],
        choice: tuple[tuple[int, int], ...],
    ) -> None:
        todo: list[ast.AST] = [expr]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Lambda):
                continue  # runs when called
            if isinstance(node, ast.Call):
                kind = _call_kind(node.func)
                if kind is not None:
                    self._call(node, kind, guard, condition, choice)
            todo.extend(ast.iter_child_nodes(node))

    def _call(
        self,
        call: ast.Call,
        kind: str,
        guard: Guard,
        condition: tuple[tuple[str, bool], ...],
        choice: tuple[tuple[int, int], ...],
    ) -> None:
        if guard & _SKIPPED:
            return
        targets = self._targets(call, kind)
        if targets is None:
            text = ast.unparse(call)
            if len(text) > _TEXT_LIMIT:
                text = text[: _TEXT_LIMIT - 3] + "..."
            self.sites.append(DynamicSite(call.lineno, kind, text))
            return
        base, names = targets
        for name in names:
            self.refs.append(ImportRef(call.lineno, 0, base, name, guard, condition, choice))

    def _targets(self, call: ast.Call, kind: str) -> tuple[str, tuple[str | None, ...]] | None:
        """(the absolute module, the fromlist's names or (None,)); None where not literal."""
        args = call.args
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        first = args[0] if args else keywords.get("name")
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            return None
        name = first.value
        if kind == "import_module":
            if not name.startswith("."):
                return (name, (None,)) if name else None
            anchor = args[1] if len(args) > 1 else keywords.get("package")
            package = self._anchor(anchor)
            if package is None:
                return None
            try:
                return absolute_name(name, package), (None,)
            except InvalidName:
                return None
        # __import__(name, globals=None, locals=None, fromlist=(), level=0)
        level_node = args[4] if len(args) > 4 else keywords.get("level")
        level = 0
        if level_node is not None:
            if not (isinstance(level_node, ast.Constant) and type(level_node.value) is int):
                return None
            level = level_node.value
        if level:
            if not self.package:
                return None
            try:
                name = absolute_name("." * level + name, self.package)
            except InvalidName:
                return None
        if not name:
            return None
        fromlist = args[3] if len(args) > 3 else keywords.get("fromlist")
        if fromlist is None or (isinstance(fromlist, ast.Constant) and fromlist.value is None):
            return name, (None,)
        listed = _strings(fromlist)
        if listed is None:
            return None
        names = tuple(n for n in listed if n)
        return name, names or (None,)

    def _anchor(self, node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id == "__name__":
            return self.module
        if isinstance(node, ast.Name) and node.id == "__package__":
            return self.package
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "parent"
            and isinstance(node.value, ast.Name)
            and node.value.id == "__spec__"
        ):
            return self.package
        return None


def _call_kind(func: ast.expr) -> str | None:
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name if name in ("import_module", "__import__") else None


def _imports_inside(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Import, ast.ImportFrom)):
            return True
        if isinstance(inner, ast.Call) and _call_kind(inner.func) is not None:
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _is_main(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    named = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return named and main


def _catches_import_error(caught: ast.expr | None) -> bool:
    if caught is None:
        return True
    members = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    for member in members:
        last = member.id if isinstance(member, ast.Name) else getattr(member, "attr", None)
        if last in _CATCHES_IMPORT_ERROR:
            return True
    return False


# -- import hooks a module installs -----------------------------------------------------------


class VendorHook(NamedTuple):
    """setuptools' (and pkg_resources') ``VendorImporter(root, names, vendor).install()``: a
    meta-path finder, after the standard ones, that answers ``root.name...`` for each vendored
    name by importing ``vendor.name...`` (else the top-level ``name...``) and handing that
    module over under the asked name."""

    root: str
    names: tuple[str, ...]
    vendor: str


def vendor_hooks(source: bytes, module: str) -> tuple[VendorHook, ...]:
    """The VendorImporters the module ``module``'s top-level code installs, where its
    arguments are literals (or ``__name__``, or a module-level literal tuple)."""
    if b"VendorImporter(" not in source or b".install()" not in source:
        return ()
    tree = _parse(source)
    if tree is None:
        return ()
    literals: dict[str, list[str]] = {}
    found: list[VendorHook] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], _strings(node.value)
            if isinstance(target, ast.Name) and value is not None:
                literals[target.id] = value
        call = node.value if isinstance(node, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "install"
            and isinstance(call.func.value, ast.Call)
            and _call_name(call.func.value.func) == "VendorImporter"
        ):
            continue
        hook = _vendor_hook(call.func.value, module, literals)
        if hook is not None:
            found.append(hook)
    return tuple(found)


def _call_name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _vendor_hook(call: ast.Call, module: str, literals: dict[str, list[str]]) -> VendorHook | None:
    # VendorImporter(root_name, vendored_names=(), vendor_pkg=None)
    arguments: list[ast.expr | None] = [*call.args, None, None, None][:3]
    for keyword in call.keywords:
        if keyword.arg in ("root_name", "vendored_names", "vendor_pkg"):
            index = ("root_name", "vendored_names", "vendor_pkg").index(keyword.arg)
            arguments[index] = keyword.value
    root_node, names_node, vendor_node = arguments
    if isinstance(root_node, ast.Name) and root_node.id == "__name__":
        root = module
    elif root_node is not None and _string(root_node) is not None:
        root = str(_string(root_node))
    else:
        return None
    names: list[str] | None = []
    if isinstance(names_node, ast.Name):
        names = literals.get(names_node.id)
    elif names_node is not None:
        names = _strings(names_node)
    if names is None:
        return None
    vendor = root.replace("extern", "_vendor")
    if vendor_node is not None:
        given = _string(vendor_node)
        if given is None:
            return None
        vendor = given
    return VendorHook(root, tuple(names), vendor)


def replaces_itself(source: bytes) -> bool:
    """Whether the module's top-level code puts a module it imported in its place in
    sys.modules (``import _collections_abc`` ... ``sys.modules[__name__] = _collections_abc``,
    as 3.13's collections/abc.py does): its name then holds another module's ``__spec__``.
    (An object made on the spot, that takes the module's ``__dict__`` and so its spec, as
    pygments' lazy modules do, is still the module as far as sys.modules tells.)"""
    if b"sys.modules[__name__]" not in source:
        return False
    imported: set[str] = set()
    for body in _whole(source):
        for node in _walk_statements(body):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    imported.add(alias.asname or alias.name.partition(".")[0])
            elif (
                isinstance(node, ast.Assign)
                and any(_names_own_entry(t) for t in node.targets)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
            ):
                return True
    return False


def _names_own_entry(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "modules"
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id == "sys"
        and isinstance(target.slice, ast.Name)
        and target.slice.id == "__name__"
    )
