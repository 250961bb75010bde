"""Static import extraction: the import statements of Python source, without running it.

imports_ast is the reference: ast.parse and a walk of the statements. The compiled scanner
(extract_c.pyx) reads the same answers from the bytes without building a tree, some 60 times
faster; where it is unsure (a coding cookie other than UTF-8, a lone CR, a non-ASCII name
that ast would normalise, a comment or backslash in an f-string's field, anything it does not
know) it declines and ast answers. scan_files gives its results in input order; its threads
run the scanner without the GIL.

Syntax errors: the scanner checks what it lexes (strings, brackets, indentation, encoding)
but not the grammar, and a full parse is the very cost it avoids. So a file that does not
parse gets its error (FileImports.error, or scan_source raising) whenever the scanner declines
it, which it does for most broken files; a file with a grammar error the scanner cannot see
(say, `x = = 1`) gets the imports a reader of its import statements would find, with
fast=True. Where ast parses a file, the scanner's answer is ast's, by test over the standard
library and site-packages.
"""

from __future__ import annotations

import ast
import enum
import functools
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from .._backend import BACKEND, BACKENDS

__all__ = ["FileImports", "Guard", "ImportRef", "imports_ast", "scan_files", "scan_source"]


class Guard(enum.IntFlag):
    """Why an import might not run when its module is imported; flags accumulate by nesting."""

    NONE = 0
    TYPE_CHECKING = 1  # in the body of `if TYPE_CHECKING:` / `if <expr>.TYPE_CHECKING:`
    OPTIONAL = 2  # in the body of a try whose handler catches ImportError (or wider)
    DEFERRED = 4  # in a def / async def body: runs only when called


class ImportRef(NamedTuple):
    """One imported name of one import statement."""

    line: int  # of the statement, as ast's lineno
    level: int  # 0: absolute; else the leading dots of a relative import
    module: str  # `import a.b as c` -> "a.b"; `from .x import y` -> "x"; `from . import y` -> ""
    name: str | None  # a from-import's name ("*" for a star); None for `import a.b`
    guard: Guard


class FileImports(NamedTuple):
    """The imports of one file, or why there are none."""

    path: str
    size: int  # bytes read
    imports: tuple[ImportRef, ...] | None  # None: the file could not be read or parsed
    error: str | None  # "SyntaxError: invalid syntax (line 3)", "FileNotFoundError: ..."
    fast: bool  # the scanner answered (else ast did)


# -- the reference: ast -----------------------------------------------------------------------

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
    _walk(tree.body, Guard.NONE, found)
    return tuple(found)


def _walk(body: list[ast.stmt], guard: Guard, found: list[ImportRef]) -> None:
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
            _walk(
                node.body,
                guard | Guard.TYPE_CHECKING if _is_type_checking(node.test) else guard,
                found,
            )
            _walk(node.orelse, guard, found)
        elif isinstance(node, ast.Try) or (
            sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)
        ):
            optional = any(_catches_import_error(handler.type) for handler in node.handlers)
            _walk(node.body, guard | Guard.OPTIONAL if optional else guard, found)
            for handler in node.handlers:
                _walk(handler.body, guard, found)
            _walk(node.orelse, guard, found)
            _walk(node.finalbody, guard, found)
        elif isinstance(node, _FUNCTION_NODES):
            _walk(node.body, guard | Guard.DEFERRED, found)
        else:
            for block in _blocks(node):
                _walk(block, guard, found)


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


# -- the entry points -------------------------------------------------------------------------

# What the compiled scanner gives: (line, level, module, name, guard flags) per imported name.
Records = list[tuple[int, int, str, str | None, int]]
Scanner = Callable[[bytes], Records | None]
_GUARDS = tuple(Guard(flags) for flags in range(8))


def scan_source(source: bytes, *, backend: str | None = None) -> tuple[tuple[ImportRef, ...], bool]:
    """(imports, fast) of ``source``: the scanner's answer, else ast's (which may raise)."""
    return _scan_source(source, _scanner(backend))


def _scan_source(source: bytes, scan: Scanner | None) -> tuple[tuple[ImportRef, ...], bool]:
    if scan is not None:
        records = scan(source)
        if records is not None:
            guards = _GUARDS
            imports = tuple([ImportRef(r[0], r[1], r[2], r[3], guards[r[4]]) for r in records])
            return imports, True
    return imports_ast(source), False


def scan_files(
    paths: Sequence[str], *, workers: int | None = None, backend: str | None = None
) -> Iterator[FileImports]:
    """The imports of each file, in input order; a bad file is reported, never raised."""
    # Checked now, not at the first next(): a bad argument is the caller's error.
    scan = _scanner(backend)
    count = _workers(workers)
    return _scan_all(_chunks(list(paths), count), count, scan)


def _scan_all(chunks: list[list[str]], workers: int, scan: Scanner | None) -> Iterator[FileImports]:
    if workers == 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield from _scan_chunk(chunk, scan)
        return
    # Threads suffice: the scanner lexes without the GIL, and reads release it too.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(lambda chunk: _scan_chunk(chunk, scan), chunks):
            yield from done


def _scanner(backend: str | None) -> Scanner | None:
    """The compiled scanner of ``backend``, or None for ast (the pure twin of this job)."""
    if backend is None:
        return _default_scanner()
    if backend == "python":
        return None
    if backend == "cython":
        from . import extract_c  # an ImportError here says the extension is not built

        return extract_c.scan
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


@functools.cache
def _default_scanner() -> Scanner | None:
    if BACKEND == "python":
        return None
    try:
        return _scanner("cython")
    except ImportError as exc:
        # As _backend does for the core: a missing build must not break imports; say so once.
        warnings.warn(
            f"modspec: compiled import scanner unavailable ({exc}); using ast",
            RuntimeWarning,
            stacklevel=4,
        )
        return None


def _workers(workers: int | None) -> int:
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        return workers
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _chunks(paths: list[str], workers: int) -> list[list[str]]:
    # A few chunks per worker balance uneven files; more would only add hand-off overhead.
    size = max(1, min(256, len(paths) // (workers * 4) or 1))
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def _scan_chunk(paths: list[str], scan: Scanner | None) -> list[FileImports]:
    return [_scan_file(path, scan) for path in paths]


def _scan_file(path: str, scan: Scanner | None) -> FileImports:
    try:
        with open(path, "rb", buffering=0) as file:  # one read: no buffer needed
            source = file.readall()
    except OSError as exc:
        return FileImports(path, 0, None, f"{type(exc).__name__}: {exc}", False)
    try:
        imports, fast = _scan_source(source, scan)
    except SyntaxError as exc:
        return FileImports(path, len(source), None, _syntax_error(exc), False)
    except (ValueError, RecursionError, MemoryError) as exc:
        return FileImports(path, len(source), None, f"{type(exc).__name__}: {exc}", False)
    return FileImports(path, len(source), imports, None, fast)


def _syntax_error(exc: SyntaxError) -> str:
    return f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})"
