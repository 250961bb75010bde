"""Static import extraction: the import statements of Python source, without running it.

imports_ast (extract_py.py) is the reference: ast.parse and a visit of the statements. The
compiled scanner (extract_c.pyx) reads the same answers from the bytes without building a tree,
some 60 times faster; where it is unsure (a coding cookie other than UTF-8, a lone CR, a
non-ASCII name that ast would normalise, a comment or backslash in an f-string's field,
anything it does not know) it declines and ast answers. extract_files gives its results in
input order; its threads read and scan a chunk of files at a time without the GIL
(extract_c.extract_paths), and read again the Python way what that leaves: the files whose
read fails (for read_regular's error) and those the scanner declines (for ast).

Conditions, choices and PEP 810: the scanner gives each import the if-branches and try
statements around it as trees of nodes, an if's test as its source text, and the statements
of the module's body that may set __lazy_modules__; this front spells the tests as ast does
(extract_rules.spelled_test), adds the guards they give (MAIN, CONDITIONAL) and reads the
__lazy_modules__ statements, by the rules the ast path keeps. A test or a statement that does
not parse alone declines the file to ast.

Syntax errors: the scanner checks what it lexes (strings, brackets, indentation, encoding)
and the limits past which CPython does not compile a file (100 indentation levels, 200 open
brackets, 150 nested f-strings, fields nested in format specs, a decimal int longer than
sys.get_int_max_str_digits()), declining there; but not the grammar, and a full parse is the
very cost it avoids. So a file that does not parse gets its error (FileImports.error, or
extract_source raising) whenever the scanner declines it, which it does for most broken
files; a file with a grammar error the scanner cannot see (say, `x = = 1`) gets the imports a
reader of its import statements would find, with fast=True. Where ast parses a file, the
scanner's answer is ast's, by test over the standard library and site-packages.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence

from .._backend import compiled_or_none
from .._parse import PARSE_ERRORS
from .._paths import read_regular
from .._records import NamedTuple
from .extract_py import Guard, ImportRef, imports_ast
from .extract_rules import Condition, clause_guard_bits, lazy_modules_of_text, spelled_test
from .reading import SOURCE_LIMIT, reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "MARK",
    "FileImports",
    "Guard",
    "ImportRef",
    "extract_files",
    "extract_source",
    "imports_ast",
]


# What every `# modspec: ignore` comment holds (silence.py spells them with it).
MARK = b"modspec:"


class FileImports(NamedTuple):
    """The imports of one file, or why there are none."""

    path: str
    size: int  # bytes read
    imports: tuple[ImportRef, ...] | None  # None: the file could not be read or parsed
    error: str | None  # "SyntaxError: invalid syntax (line 3)", "FileNotFoundError: ..."
    fast: bool  # the scanner answered (else ast did)
    # The source holds "modspec:", which a `# modspec: ignore` comment needs: only such files
    # are read again for the comments that silence findings.
    marked: bool = False


# What the compiled scanner gives (extract_c.pyi): records (line, level, module, name, guard
# flags, condition node, choice node), condition nodes (parent, test text, needed true),
# choice nodes (parent, try line, clause), lazy statements (records before it, its text).
Record = tuple[int, int, str, str | None, int, int, int]
Scanned = tuple[
    list[Record], list[tuple[int, str, bool]], list[tuple[int, int, int]], list[tuple[int, str]]
]
Scanner = Callable[[bytes], Scanned | None]
# extract_paths: a chunk of files read and scanned at once (None for a file left to Python).
Reader = Callable[[list[str], int, bytes], list[tuple[int, bool, Scanned] | None]]
# A record's flags: Guard's bits, and 128 where __lazy_modules__ may make the import lazy.
_ELIGIBLE = 128
_LAZY = int(Guard.LAZY)
_GUARDS = tuple(Guard(flags & (_ELIGIBLE - 1)) for flags in range(_ELIGIBLE * 2))
# ImportRef(...) and FileImports(...) run their __new__, Python code; tuple.__new__ does not.
_new_ref = _new_file = tuple.__new__


def _scanner(backend: str | None) -> Scanner | None:
    """The compiled scanner ``backend`` selects (None: the default selection), or None for
    ast, the pure twin of this job; the one selector (_backend) decides, as for the core."""
    module = _compiled(backend)
    scan: Scanner | None = None if module is None else module.extract
    return scan


def _compiled(backend: str | None) -> ModuleType | None:
    return compiled_or_none(
        backend, "_codebase.extract_c", ("extract", "extract_paths", "FIELDS"), "import scanner"
    )


def extract_source(
    source: bytes, *, backend: str | None = None
) -> tuple[tuple[ImportRef, ...], bool]:
    """(imports, fast) of ``source``: the scanner's answer, else ast's (which may raise)."""
    return _extract_source(source, _scanner(backend))


def _extract_source(source: bytes, scan: Scanner | None) -> tuple[tuple[ImportRef, ...], bool]:
    if scan is not None:
        imports = _scanned(source, scan)
        if imports is not None:
            return imports, True
    return imports_ast(source), False


def _scanned(source: bytes, scan: Scanner) -> tuple[ImportRef, ...] | None:
    """The scanner's answer, read; None where it declines (or this front does)."""
    return _answer(scan(source))


def _answer(scanned: Scanned | None) -> tuple[ImportRef, ...] | None:
    """The imports of a scanner's answer; None where it declined (or this front does)."""
    if scanned is None:
        return None
    records, conditions, choices, lazies = scanned
    if not (conditions or choices or lazies):  # most files: no node to read
        guards, new, empty = _GUARDS, _new_ref, ()
        return tuple(
            [new(ImportRef, (r[0], r[1], r[2], r[3], guards[r[4]], empty, empty)) for r in records]
        )
    return _imports(records, conditions, choices, lazies)


def _imports(
    records: list[Record],
    conditions: list[tuple[int, str, bool]],
    choices: list[tuple[int, int, int]],
    lazies: list[tuple[int, str]],
) -> tuple[ImportRef, ...] | None:
    """The scanner's records with their conditions, choices and __lazy_modules__ read; None
    where a test or a statement does not parse alone (ast answers the file then)."""
    spelled: list[tuple[Condition, int]] = []
    for parent, text, truth in conditions:
        test = spelled_test(text)
        if test is None:
            return None
        outer, bits = spelled[parent] if parent >= 0 else ((), 0)
        spelled.append(((*outer, (test, truth)), bits | clause_guard_bits(test, truth)))
    taken: list[tuple[tuple[int, int], ...]] = []
    for parent, line, clause in choices:
        taken.append((*(taken[parent] if parent >= 0 else ()), (line, clause)))
    marks: list[tuple[int, frozenset[str]]] = []
    for before, text in lazies:
        try:
            names = lazy_modules_of_text(text)
        except PARSE_ERRORS:
            return None
        if names is not None:
            marks.append((before, names))
    guards, new = _GUARDS, _new_ref
    lazy_modules: frozenset[str] = frozenset()
    mark = 0
    found = []
    for index, (line, level, module, name, flags, condition, choice) in enumerate(records):
        while mark < len(marks) and marks[mark][0] <= index:
            lazy_modules = marks[mark][1]
            mark += 1
        clauses: Condition = ()
        if condition >= 0:
            clauses, bits = spelled[condition]
            flags |= bits
        if flags & _ELIGIBLE and module in lazy_modules:
            flags |= _LAZY
        chosen = taken[choice] if choice >= 0 else ()
        found.append(new(ImportRef, (line, level, module, name, guards[flags], clauses, chosen)))
    return tuple(found)


def extract_files(
    paths: Sequence[str], *, workers: int | None = None, backend: str | None = None
) -> Iterator[FileImports]:
    """The imports of each file, in input order; a bad file is reported, never raised."""
    # Checked now, not at the first next(): a bad argument is the caller's error.
    module = _compiled(backend)
    scan: Scanner | None = None if module is None else module.extract
    read: Reader | None = None if module is None else module.extract_paths
    count = _workers(workers)
    return _extract_all(_chunks(list(paths), count), count, scan, read)


def _extract_all(
    chunks: list[list[str]], workers: int, scan: Scanner | None, read: Reader | None
) -> Iterator[FileImports]:
    if workers == 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield from _extract_chunk(chunk, scan, read)
        return
    # Threads suffice: the scanner lexes without the GIL, and reads release it too. Plain
    # threads, not concurrent.futures (which brings logging: a tenth of the start-up).
    results: list[list[FileImports] | BaseException | None] = [None] * len(chunks)
    ready = [threading.Event() for _ in chunks]
    order = iter(range(len(chunks)))
    taking = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with taking:
                index = next(order, None)
            if index is None:
                return
            try:
                results[index] = _extract_chunk(chunks[index], scan, read)
            except BaseException as exc:  # handed to the reader, which raises it
                results[index] = exc
            ready[index].set()

    # Daemons: a reader that stops (an error, Ctrl-C) leaves them nothing to finish.
    for _ in range(min(workers, len(chunks))):
        threading.Thread(target=work, daemon=True).start()
    try:
        for index, event in enumerate(ready):
            event.wait()
            done, results[index] = results[index], None
            if isinstance(done, BaseException):
                raise done
            yield from done or ()
    finally:
        stop.set()


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


def _extract_chunk(
    paths: list[str], scan: Scanner | None, read: Reader | None
) -> list[FileImports]:
    if read is None:
        return [_extract_file(path, scan) for path in paths]
    # The compiled reader takes the whole chunk without the GIL: a file at a time handed the
    # GIL over several times per file, which on two cores cost more than the second thread
    # gained. What it leaves (an error to report, a file for ast) is read again here.
    found = []
    for path, got in zip(paths, read(paths, SOURCE_LIMIT, MARK), strict=True):
        imports = None if got is None else _answer(got[2])
        if got is None or imports is None:
            found.append(_extract_file(path, scan))
        else:
            found.append(_new_file(FileImports, (path, got[0], imports, None, True, got[1])))
    return found


def _extract_file(path: str, scan: Scanner | None) -> FileImports:
    try:
        source = read_regular(path, SOURCE_LIMIT)
    except OSError as exc:
        return FileImports(path, 0, None, reason(exc, path), False)
    try:
        imports, fast = _extract_source(source, scan)
    except SyntaxError as exc:
        return FileImports(path, len(source), None, _syntax_error(exc), False)
    except (ValueError, RecursionError, MemoryError) as exc:
        return FileImports(path, len(source), None, f"{type(exc).__name__}: {exc}", False)
    return FileImports(path, len(source), imports, None, fast, MARK in source)


def _syntax_error(exc: SyntaxError) -> str:
    return f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})"
