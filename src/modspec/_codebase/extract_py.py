"""The reference import extraction, by ast; and the types of its answer (Guard, ImportRef).

The compiled twin (extract_c.pyx) gives the same answers as plain records, read from the bytes
without a tree; the front (extract.py) picks one and falls back to this one. Guard and
ImportRef live here, below both, so that the front imports this module and not the reverse.
"""

from __future__ import annotations

import ast
import enum
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import NamedTuple

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


_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
_CATCHES_IMPORT_ERROR = frozenset(
    ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
)

# warnings.catch_warnings changes process-wide state: parses that silence warnings take turns.
_AST_LOCK = threading.Lock()


def imports_ast(source: bytes) -> tuple[ImportRef, ...]:
    """The imports of ``source`` by ast; raises SyntaxError/ValueError as compile would."""
    with _AST_LOCK, warnings.catch_warnings():
        # An invalid escape warns (SyntaxWarning on 3.12+): under an "error" filter the
        # parse would fail, so the answer would depend on the caller's filters.
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    found: list[ImportRef] = []
    _visit(tree.body, Guard.NONE, found)
    return tuple(found)


def _visit(body: list[ast.stmt], guard: Guard, found: list[ImportRef]) -> None:
    # Statements in source order, children after their parent: ast.NodeVisitor's order.
    for node in body:
        if isinstance(node, ast.Import):
            found.extend(ImportRef(node.lineno, 0, a.name, None, guard) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.extend(
                ImportRef(node.lineno, node.level, module, a.name, guard) for a in node.names
            )
        elif isinstance(node, ast.If):
            _visit(
                node.body,
                guard | Guard.TYPE_CHECKING if _is_type_checking(node.test) else guard,
                found,
            )
            _visit(node.orelse, guard, found)
        elif isinstance(node, ast.Try) or (
            sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)
        ):
            optional = any(_catches_import_error(handler.type) for handler in node.handlers)
            _visit(node.body, guard | Guard.OPTIONAL if optional else guard, found)
            for handler in node.handlers:
                _visit(handler.body, guard, found)
            _visit(node.orelse, guard, found)
            _visit(node.finalbody, guard, found)
        elif isinstance(node, _FUNCTION_NODES):
            _visit(node.body, guard | Guard.DEFERRED, found)
        else:
            for block in _blocks(node):
                _visit(block, guard, found)


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
