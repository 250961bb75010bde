"""The reference import extraction, by ast; and the types of its answer (Guard, ImportRef).

The compiled twin (extract_c.pyx) gives the same answers as plain records, read from the bytes
without a tree; the front (extract.py) picks one and falls back to this one. Guard and
ImportRef live here, below both, so that the front imports this module and not the reverse;
so do the rules both paths share (extract_rules.py): the guards a branch's test gives, a test's
spelling.
"""

from __future__ import annotations

import ast
import enum
import sys
from collections.abc import Iterator
from typing import NamedTuple

from .extract_rules import Condition, clause_guard_bits, parse_source

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


def imports_ast(source: bytes) -> tuple[ImportRef, ...]:
    """The imports of ``source`` by ast; raises SyntaxError/ValueError as compile would."""
    tree = parse_source(source)
    assert isinstance(tree, ast.Module)
    visitor = _Visitor()
    visitor.visit(tree.body, Guard.NONE, None, ())
    return tuple(visitor.found)


class _Branch:
    """An if-branch around the statements visited: its test, whether the branch needs it true,
    the branch around it. The test is spelled (ast.unparse) only if an import needs it."""

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
                text = spelled[id(self.test)] = ast.unparse(self.test)
            bits = clause_guard_bits(text, self.truth)
            self._resolved = ((*outer, (text, self.truth)), guard | bits)
        return self._resolved


class _Visitor:
    """Statements in source order, children after their parent: ast.NodeVisitor's order."""

    def __init__(self) -> None:
        self.found: list[ImportRef] = []
        self.spelled: dict[int, str] = {}  # id(test) -> ast.unparse(test); the tree outlives it

    def visit(
        self,
        body: list[ast.stmt],
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
    ) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.statement(node, guard, branch, choice)
            elif isinstance(node, ast.If):
                inner = guard | Guard.TYPE_CHECKING if _is_type_checking(node.test) else guard
                self.visit(node.body, inner, _Branch(branch, node.test, True), choice)
                self.visit(node.orelse, guard, _Branch(branch, node.test, False), choice)
            elif isinstance(node, ast.Try) or (
                sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)
            ):
                self.try_statement(node, guard, branch, choice)
            elif isinstance(node, _FUNCTION_NODES):
                self.visit(node.body, guard | Guard.DEFERRED, branch, choice)
            else:
                for block in _blocks(node):
                    self.visit(block, guard, branch, choice)

    def try_statement(
        self,
        node: ast.Try | ast.TryStar,
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
    ) -> None:
        catches = [_catches_import_error(handler.type) for handler in node.handlers]
        if not any(catches):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                self.visit(block, guard, branch, choice)
            self.visit(node.finalbody, guard, branch, choice)
            return
        # A choice between the body (and else clause), which OPTIONAL marks, and each handler,
        # whose imports run only if the body's failed where it catches ImportError (FALLBACK).
        line = node.lineno
        taken = (*choice, (line, 0))
        self.visit(node.body, guard | Guard.OPTIONAL, branch, taken)
        for k, (handler, fallback) in enumerate(zip(node.handlers, catches, strict=True), 1):
            inner = guard | Guard.FALLBACK if fallback else guard
            self.visit(handler.body, inner, branch, (*choice, (line, k)))
        self.visit(node.orelse, guard, branch, taken)
        self.visit(node.finalbody, guard, branch, choice)

    def statement(
        self,
        node: ast.Import | ast.ImportFrom,
        guard: Guard,
        branch: _Branch | None,
        choice: tuple[tuple[int, int], ...],
    ) -> None:
        condition: Condition = ()
        if branch is not None:
            condition, extra = branch.resolved(self.spelled)
            guard |= extra
        line = node.lineno
        if isinstance(node, ast.Import):
            self.found.extend(
                ImportRef(line, 0, a.name, None, guard, condition, choice) for a in node.names
            )
        else:
            module = node.module or ""
            self.found.extend(
                ImportRef(line, node.level, module, a.name, guard, condition, choice)
                for a in node.names
            )


def _blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists of a compound statement that adds no guard (class, for, with,
    while, match), in field order."""
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
