"""The reference import extraction, by ast; and the types of its answer (Guard, ImportRef).

The compiled twin (extract_c.pyx) gives the same answers as plain records, read from the bytes
without a tree; the front (extract.py) picks one and falls back to this one. Guard and
ImportRef live here, below both, so that the front imports this module and not the reverse;
so do the rules both paths share (extract_rules.py): the guards a branch's test gives, a test's
spelling, what a ``__lazy_modules__`` statement names.
"""

from __future__ import annotations

import ast
import enum
import sys
from collections.abc import Iterator

from .._records import NamedTuple
from .extract_rules import (
    LAZY_MARKER,
    Condition,
    clause_guard_bits,
    lazy_modules_assigned,
    parse_source,
    without_lazy,
)
from .extract_rules import spelled as spell

__all__ = ["Guard", "ImportRef", "imports_ast"]


class Guard(enum.IntFlag):
    """Why an import might not run when its module is imported; flags accumulate by nesting."""

    NONE = 0
    TYPE_CHECKING = 1  # in the body of `if TYPE_CHECKING:` / `if <expr>.TYPE_CHECKING:`
    OPTIONAL = 2  # in the body of a try whose handler catches ImportError (or wider)
    DEFERRED = 4  # in a def / async def body: runs only when called
    FALLBACK = 8  # in such a handler: runs only when the try's imports failed
    LAZY = 16  # PEP 810: `lazy import` / `lazy from`, or named by a literal __lazy_modules__
    MAIN = 32  # under `if __name__ == "__main__":`: never runs on import
    CONDITIONAL = 64  # under a test of the platform or the version (ImportRef.condition)


# The guards' names, as the JSON documents and the reports spell them.
_GUARD_NAMES = (
    (Guard.OPTIONAL, "optional"),
    (Guard.FALLBACK, "fallback"),
    (Guard.TYPE_CHECKING, "type-checking"),
    (Guard.DEFERRED, "deferred"),
    (Guard.CONDITIONAL, "conditional"),
    (Guard.MAIN, "main"),
    (Guard.LAZY, "lazy"),
)


def guard_names(guard: Guard) -> tuple[str, ...]:
    """The names of the flags ``guard`` holds, in a fixed order."""
    return tuple(name for flag, name in _GUARD_NAMES if guard & flag) if guard else ()


class ImportRef(NamedTuple):
    """One imported name of one import statement."""

    line: int  # of the statement, as ast's lineno
    level: int  # 0: absolute; else the leading dots of a relative import
    module: str  # `import a.b as c` -> "a.b"; `from .x import y` -> "x"; `from . import y` -> ""
    name: str | None  # a from-import's name ("*" for a star); None for `import a.b`
    guard: Guard
    # The tests of the enclosing if/elif/else branches, outermost first: (the test as
    # ast.unparse spells it, whether the branch needs it true). `elif u:` after `if t:` gives
    # ("t", False), ("u", True); its `else:` ("t", False), ("u", False).
    condition: tuple[tuple[str, bool], ...] = ()
    # The enclosing try statements that have a handler catching ImportError, outermost first:
    # (the `try` line, 0 in its body or else clause, k in its k-th handler, from 1).
    choice: tuple[tuple[int, int], ...] = ()


def condition_guard(condition: Condition) -> Guard:
    """Guard.MAIN and Guard.CONDITIONAL as ``condition``'s clauses give them: the one rule of
    both extractors (clause_guard_bits, extract_rules.py)."""
    bits = 0
    for test, must_be_true in condition:
        bits |= clause_guard_bits(test, must_be_true)
    return Guard(bits)


_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
_CATCHES_IMPORT_ERROR = frozenset(
    ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
)
# PEP 810 (3.15): an interpreter whose ast marks lazy imports itself (Import.is_lazy, as
# CPython 3.15's Parser/Python.asdl names it) parses them; before, the soft keyword is read
# by tokenize and taken out of the source (extract_rules.without_lazy). The native branch
# cannot run on 3.10-3.13: it is untested here.
_NATIVE_LAZY = "is_lazy" in ast.Import._fields

# Scopes, for PEP 810's rule of where `lazy` may stand.
_MODULE, _FUNCTION, _CLASS = 0, 1, 2


def imports_ast(source: bytes) -> tuple[ImportRef, ...]:
    """The imports of ``source`` by ast; raises SyntaxError/ValueError as compile would
    (PEP 810's lazy imports included: read on every version, refused where 3.15 refuses)."""
    rewritten = None if _NATIVE_LAZY else without_lazy(source)
    tree = parse_source(source if rewritten is None else rewritten[0])
    assert isinstance(tree, ast.Module)
    visitor = _Visitor(0 if rewritten is None else rewritten[1])
    visitor.module(tree)
    return tuple(visitor.found)


class _Branch:
    """An if-branch around the statements visited: its test, whether the branch needs it true,
    the branch around it. The test is spelled (as ast.unparse) only if an import needs it."""

    __slots__ = ("_resolved", "parent", "test", "truth")

    def __init__(self, parent: _Branch | None, test: ast.expr, truth: bool) -> None:
        self.parent = parent
        self.test = test
        self.truth = truth
        self._resolved: tuple[Condition, Guard] | None = None

    def resolved(self, spelled: dict[int, str]) -> tuple[Condition, Guard]:
        if self._resolved is None:
            outer, guard = (
                ((), Guard.NONE) if self.parent is None else self.parent.resolved(spelled)
            )
            text = spelled.get(id(self.test))
            if text is None:
                text = spelled[id(self.test)] = spell(self.test)
            bits = clause_guard_bits(text, self.truth)
            self._resolved = ((*outer, (text, self.truth)), guard | bits)
        return self._resolved


class _Visitor:
    """Statements in source order, children after their parent: ast.NodeVisitor's order."""

    def __init__(self, markers: int) -> None:
        self.found: list[ImportRef] = []
        self.markers = markers  # lazy soft keywords taken out of the source
        self.markers_seen = 0
        self.spelled: dict[int, str] = {}  # id(test) -> ast.unparse(test); the tree outlives it
        # A literal __lazy_modules__ of the module body, as it stands at the statement visited.
        self.lazy_modules: frozenset[str] = frozenset()

    def module(self, tree: ast.Module) -> None:
        self.visit(tree.body, Guard.NONE, None, (), _MODULE, False, True)
        if self.markers_seen != self.markers:
            # A soft keyword's marker landed where no statement starts (`x: lazy import a`).
            found = (n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == LAZY_MARKER)
            raise _syntax_error("invalid syntax", next(found).lineno)

    def visit(
        self,
        body: list[ast.stmt],
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
        scope: int,
        in_try: bool,
        module_body: bool = False,
    ) -> None:
        # The line of the lazy soft keyword's marker just before (a lazy import's line is its
        # `lazy`'s, as 3.15's ast starts the statement there), or 0.
        lazy_line = 0
        for node in body:
            if lazy_line and not isinstance(node, (ast.Import, ast.ImportFrom)):
                raise _syntax_error("invalid syntax", node.lineno)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = lazy_line or node.lineno
                lazy = bool(lazy_line) or (_NATIVE_LAZY and bool(getattr(node, "is_lazy", 0)))
                lazy_line = 0
                self.statement(node, line, guard, branch, choice, scope, in_try, lazy)
            elif self.markers and _is_marker(node):
                self.markers_seen += 1
                lazy_line = node.lineno
            elif isinstance(node, ast.If):
                inner = guard | Guard.TYPE_CHECKING if _is_type_checking(node.test) else guard
                self.visit(
                    node.body, inner, _Branch(branch, node.test, True), choice, scope, in_try
                )
                self.visit(
                    node.orelse, guard, _Branch(branch, node.test, False), choice, scope, in_try
                )
            elif isinstance(node, ast.Try) or (
                sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)
            ):
                self.try_statement(node, guard, branch, choice, scope)
            elif isinstance(node, _FUNCTION_NODES):
                self.visit(node.body, guard | Guard.DEFERRED, branch, choice, _FUNCTION, False)
            elif isinstance(node, ast.ClassDef):
                self.visit(node.body, guard, branch, choice, _CLASS, False)
            elif module_body and isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                assigned = lazy_modules_assigned(node)
                if assigned is not None:
                    self.lazy_modules = assigned
            else:
                for block in _blocks(node):
                    self.visit(block, guard, branch, choice, scope, in_try)
        if lazy_line:
            raise _syntax_error("invalid syntax", lazy_line)

    def try_statement(
        self,
        node: ast.Try | ast.TryStar,
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
        scope: int,
    ) -> None:
        # PEP 810: `lazy` stands in no part of a try statement (in_try), whatever it catches.
        catches = [_catches_import_error(handler.type) for handler in node.handlers]
        if not any(catches):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                self.visit(block, guard, branch, choice, scope, True)
            self.visit(node.finalbody, guard, branch, choice, scope, True)
            return
        # A choice between the body (and else clause), which OPTIONAL marks, and each handler,
        # whose imports run only if the body's failed where it catches ImportError (FALLBACK).
        line = node.lineno
        taken = (*choice, (line, 0))
        self.visit(node.body, guard | Guard.OPTIONAL, branch, taken, scope, True)
        for k, (handler, fallback) in enumerate(zip(node.handlers, catches, strict=True), 1):
            inner = guard | Guard.FALLBACK if fallback else guard
            self.visit(handler.body, inner, branch, (*choice, (line, k)), scope, True)
        self.visit(node.orelse, guard, branch, taken, scope, True)
        self.visit(node.finalbody, guard, branch, choice, scope, True)

    def statement(
        self,
        node: ast.Import | ast.ImportFrom,
        line: int,
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
        scope: int,
        in_try: bool,
        lazy: bool,
    ) -> None:
        names: list[tuple[str, str | None]]
        if isinstance(node, ast.Import):
            level, future = 0, False
            names = [(a.name, None) for a in node.names]
        else:
            module = node.module or ""
            level, future = node.level, node.level == 0 and module == "__future__"
            names = [(module, a.name) for a in node.names]
        if lazy:
            _check_lazy(node, line, scope, in_try)
            guard |= Guard.LAZY
        condition: Condition = ()
        if branch is not None:
            condition, extra = branch.resolved(self.spelled)
            guard |= extra
        # __lazy_modules__ (PEP 810): only where `lazy` could stand, absolute, not a star
        # and not a future statement; `import a.b` looks up "a.b", `from a import b` "a".
        eligible = (
            self.lazy_modules and scope == _MODULE and not in_try and level == 0 and not future
        )
        for imported, name in names:
            flags = guard
            if eligible and name != "*" and imported in self.lazy_modules:
                flags |= Guard.LAZY
            self.found.append(ImportRef(line, level, imported, name, flags, condition, choice))


def _check_lazy(node: ast.Import | ast.ImportFrom, line: int, scope: int, in_try: bool) -> None:
    """PEP 810's refusals, with CPython 3.15's messages (its parser refuses a lazy future
    import; its symbol table the rest, checking try, then function, then class)."""
    what = "import" if isinstance(node, ast.Import) else "from ... import"
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "__future__":
        raise _syntax_error("lazy from __future__ import is not allowed", line)
    if in_try:
        raise _syntax_error(f"lazy {what} not allowed inside try/except blocks", line)
    if scope == _FUNCTION:
        raise _syntax_error(f"lazy {what} not allowed inside functions", line)
    if scope == _CLASS:
        raise _syntax_error(f"lazy {what} not allowed inside classes", line)
    if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
        raise _syntax_error("lazy from ... import * is not allowed", line)


def _syntax_error(message: str, line: int) -> SyntaxError:
    return SyntaxError(message, ("<unknown>", line, 1, None))


def _is_marker(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == LAZY_MARKER
    )


def _blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists of a compound statement that adds no guard (for, with, while,
    match), in field order."""
    for _field, value in ast.iter_fields(node):
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, ast.match_case):
                yield item.body
        if value and isinstance(value[0], ast.stmt):
            yield value


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(caught: ast.expr | None) -> bool:
    if caught is None:
        return True  # a bare except
    members = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(_last_identifier(member) in _CATCHES_IMPORT_ERROR for member in members)


def _last_identifier(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
