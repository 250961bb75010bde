# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, embedsignature=True
"""Fast import scanner: reads import statements from source bytes without a syntax tree.

The compiled twin of extract_py.imports_ast, giving plain records that extract.py wraps.

It lexes just enough of Python (strings, f-strings, comments, brackets, continuations,
indentation) to see logical lines, and reads the guard of a block from its header. It answers
only when sure: on anything it does not know it declines (returns None) and ast answers.
The lexing runs without the GIL, into a C array of records; Python objects are built after.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from libc.errno cimport EINTR, errno
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.stdint cimport uint64_t
from libc.string cimport memchr, memcmp, memcpy
from posix.fcntl cimport O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDONLY, open as c_open
from posix.stat cimport S_ISREG, fstat, struct_stat
from posix.unistd cimport close as c_close, read as c_read

import os
import sys

__all__ = ["FIELDS", "extract", "extract_paths"]

# PEP 701 (3.12): an f-string's fields are lexed as code, so they may hold its own quote.
# Lexing them so is right for every version where the file parses; before 3.12 the scanner
# also declines those quotes, so that the files 3.11 rejects keep their SyntaxError.
cdef bint PEP701 = sys.version_info >= (3, 12)
# except* (3.11): before, a SyntaxError that the scanner would not see.
cdef bint EXCEPT_STAR = sys.version_info >= (3, 11)

# Guard flags: the values of modspec._codebase.extract_py.Guard (MAIN and CONDITIONAL, which
# a branch's test gives, are the front's to add: it reads the tests).
cdef enum:
    G_TYPE_CHECKING = 1
    G_OPTIONAL = 2
    G_DEFERRED = 4
    G_FALLBACK = 8
    G_LAZY = 16
    G_MASK = 127        # Guard's bits
    # C only, past Guard's: a record's bit that extract.py reads (and its table of guards
    # drops), and two bits of a block's context that no record keeps.
    R_ELIGIBLE = 128    # record: __lazy_modules__ may make it lazy (PEP 810)
    C_CLASS = 256       # context: in a class body
    C_TRY = 512         # context: in some clause of a try statement

# Token kinds.
cdef enum:
    T_NAME = 1
    T_NUMBER
    T_STRING
    T_OPEN      # ( [ {
    T_CLOSE     # ) ] }
    T_DOT
    T_COMMA
    T_COLON
    T_SEMI
    T_STAR
    T_WALRUS
    T_OP        # any other operator
    T_NEWLINE
    T_EOF

# Kinds of logical line, by their first keyword.
cdef enum:
    K_OTHER = 0
    K_IF
    K_ELIF
    K_ELSE
    K_LOOP      # for / while / async for: a loop, whose else is no if-branch
    K_TRY
    K_EXCEPT
    K_FINALLY
    K_DEF       # def / async def: the body is DEFERRED
    K_CLASS
    K_WITH      # with / async with: a header, but no block to keep

# Kinds of compound statement on the block stack: what an elif, else, except or finally at
# its column continues.
cdef enum:
    B_IF
    B_LOOP
    B_TRY
    B_SCOPE     # def, class: nothing continues them

# The tokenizer's own limits (Parser/tokenizer.c, 3.10-3.13): a file past one does not
# compile, so the scanner declines there and ast reports the error. MAXINDENT: 100 levels
# with the first; MAXLEVEL: 200 open brackets, which from 3.12 (PEP 701) count the braces of
# f-string fields; MAXFSTRINGLEVEL (3.12+): 150 f-strings with the first. They also bound
# the scanner's recursion (f-strings and fields), so that no input can exhaust the C stack.
cdef enum:
    MAX_INDENT = 100
    MAX_BRACKETS = 200
    MAX_HEADER = 256
    MAX_FSTRINGS = 150
# Fields nested in format specs, per f-string: 2 before 3.12 (fstring_find_expr), then 3
# (MAX_EXPR_NESTING); past it, "f-string: expressions nested too deeply".
cdef int MAX_SPEC_FIELDS = 3 if PEP701 else 2

cdef struct Record:
    Py_ssize_t line
    int level
    Py_ssize_t module_start
    Py_ssize_t module_len
    Py_ssize_t name_start   # -1: no name (`import a.b`)
    Py_ssize_t name_len
    int flags
    int condition           # ConditionNode index, -1: none
    int choice              # ChoiceNode index, -1: none

cdef struct Token:
    int kind
    Py_ssize_t start
    Py_ssize_t end
    int depth       # bracket depth the token sits at (a bracket: the depth outside it)
    bint nonascii

# What the statements of a block are under: guard flags (and the C_ bits), the condition of
# the if-branches around them, the choice of the try statements around them.
cdef struct Context:
    int flags
    int condition
    int choice

# A compound statement whose header stands at ``column``, and the clause it is in.
cdef struct Block:
    int column
    int kind
    int state           # B_IF: 0 if/elif, 1 else; B_LOOP: 0, 1 else; B_TRY: 0 body,
                        # 1 handlers, 2 else, 3 finally
    Context outer       # around the statement
    Context body        # in its current clause
    int test            # B_IF: the condition of its last test, needed true
    int body_choice     # B_TRY: the choice of its body and else clause
    int handlers
    Py_ssize_t try_line
    Py_ssize_t try_start    # B_TRY: the records of its body, which OPTIONAL may mark
    Py_ssize_t try_end

# Conditions and choices are trees, each node one clause added to its parent's.
cdef struct ConditionNode:
    int parent
    Py_ssize_t start    # the test's source text
    Py_ssize_t end
    bint truth

cdef struct ChoiceNode:
    int parent
    int owner           # the node of its try's body, whose valid is the try's
    Py_ssize_t line
    int k
    bint valid          # at an owner: the try has a handler that catches ImportError

cdef struct LazyStatement:
    Py_ssize_t record   # the records before it
    Py_ssize_t start
    Py_ssize_t end

cdef struct Scanner:
    const unsigned char *s
    Py_ssize_t n
    Py_ssize_t i
    Py_ssize_t line
    bint failed
    bint bom
    int fstrings    # f-strings open around the lexer (nested in fields)
    Py_ssize_t max_digits   # sys.get_int_max_str_digits(): 0 for no limit
    # the current token
    int kind
    Py_ssize_t start
    Py_ssize_t end
    Py_ssize_t tline
    bint nonascii
    int depth
    unsigned char brackets[MAX_BRACKETS]
    # the output
    Record *records
    Py_ssize_t count
    Py_ssize_t capacity
    ConditionNode *conditions
    int nconditions
    int condition_capacity
    ChoiceNode *choices
    int nchoices
    int choice_capacity
    LazyStatement *lazies
    int nlazies
    int lazy_capacity
    # indentation, as the tokenizer keeps it
    int indents[MAX_INDENT]
    int altindents[MAX_INDENT]
    int altcolumn
    int nindents
    # the compound statements open at the current line, outermost first, by column
    Block blocks[MAX_INDENT]
    int nblocks
    # the tokens of an if test or an except clause
    Token header[MAX_HEADER]
    int nheader


include "extract_c_bytes.pxi"
include "extract_c_strings.pxi"
include "extract_c_tokens.pxi"
include "extract_c_statements.pxi"
include "extract_c_blocks.pxi"
include "extract_c_lines.pxi"


cdef bint scan_buffer(Scanner *S) noexcept nogil:
    cdef int column
    cdef bint block = False
    if memchr(S.s, 0, S.n) != NULL:
        return False  # ast refuses null bytes (ValueError or SyntaxError by version)
    cdef const unsigned char *cr = <const unsigned char *> memchr(S.s, b'\r', S.n)
    while cr != NULL:
        if cr + 1 >= S.s + S.n or cr[1] != b'\n':
            return False  # a lone CR ends a line too; not mirrored
        cr = <const unsigned char *> memchr(cr + 1, b'\r', S.s + S.n - cr - 1)
    if S.n >= 3 and memcmp(S.s, b"\xef\xbb\xbf", 3) == 0:
        S.bom = True
        S.i = 3
    if not valid_utf8(S.s + S.i, S.n - S.i) or not utf8_cookie(S.s + S.i, S.n - S.i, S.bom):
        return False
    S.indents[0] = S.altindents[0] = 0
    S.nindents = 1
    while True:
        column = line_indent(S)
        if column == -1:
            return not block and close_all(S)  # not a header with no body
        if column == -2 or not indentation(S, column, block):
            return False
        next_token(S)
        if S.failed or not logical_line(S, column, &block):
            return False


def _max_digits():
    # CVE-2020-10735 (3.10.7+, 3.11+): compile refuses a decimal int of more digits.
    get = getattr(sys, "get_int_max_str_digits", None)
    return 0 if get is None else get()


# The fields of a record of extract(): the front checks that a build has it (a stale one,
# with the records of before, lacks it).
FIELDS = ("line", "level", "module", "name", "flags", "condition", "choice")


cdef Scanner *new_scanner(const unsigned char *s, Py_ssize_t n, Py_ssize_t max_digits) noexcept nogil:
    """A scanner over s[:n], its output empty; NULL where memory runs out."""
    cdef Scanner *S = <Scanner *> malloc(sizeof(Scanner))
    if S == NULL:
        return NULL
    S.s = s
    S.n = n
    S.i = 0
    S.line = 1
    S.failed = False
    S.bom = False
    S.depth = 0
    S.fstrings = 0
    S.max_digits = max_digits
    S.records = NULL
    S.count = S.capacity = 0
    S.conditions = NULL
    S.nconditions = S.condition_capacity = 0
    S.choices = NULL
    S.nchoices = S.choice_capacity = 0
    S.lazies = NULL
    S.nlazies = S.lazy_capacity = 0
    S.nblocks = S.nheader = 0
    return S


cdef void free_scanner(Scanner *S) noexcept nogil:
    if S != NULL:
        free(S.records)
        free(S.conditions)
        free(S.choices)
        free(S.lazies)
        free(S)


def extract(bytes source):
    """The imports of ``source`` as (records, conditions, choices, lazy statements), or None
    when the scanner declines and ast must answer.

    A record: (line, level, module, name, guard flags, condition, choice), in source order;
    the flags as Guard's but MAIN and CONDITIONAL, with bit 128 where __lazy_modules__ may
    make the import lazy. condition and choice index the lists of nodes (-1: none): a
    condition node (parent, test source text, needed true), a choice node (parent, try line,
    clause), each a clause added to its parent's, parents first; only nodes that a record
    uses. A lazy statement: (the records before it, its source text), for each statement of
    the module's body that may set __lazy_modules__."""
    # Read per call, as compile reads it: the limit may change at run time.
    cdef Scanner *S = new_scanner(<const unsigned char *> source, len(source), _max_digits())
    cdef bint ok
    if S == NULL:
        raise MemoryError
    try:
        with nogil:
            ok = scan_buffer(S)
        if not ok:
            return None
        return answer(S)
    finally:
        free_scanner(S)


# -- many files at once -----------------------------------------------------------------------

# What extract_paths did with a file: read and scanned; or left to the caller, who reads it
# again the Python way (for its exact error, or for ast where the scanner declined).
cdef enum:
    J_SCANNED = 0
    J_LEFT = 1

# read_regular's piece (modspec._paths._CHUNK): whole pieces, as some files refuse odd reads.
cdef Py_ssize_t _PIECE = 1 << 16
# The most a call holds in memory at once; the files past it are left to the caller.
cdef Py_ssize_t _CALL_BYTES = 64 << 20


cdef struct Job:
    const char *path        # the file system's bytes of the path (a bytes object owns them)
    unsigned char *data
    Py_ssize_t size
    int status
    bint marked
    Scanner *S


cdef bint read_file(Job *job, Py_ssize_t limit) noexcept nogil:
    """job.data and job.size: the file's bytes, read as modspec._paths.read_regular reads
    them (non-blocking, a regular file only, at most ``limit`` bytes); False for anything
    else, which the caller's read_regular then reports."""
    cdef struct_stat st
    cdef Py_ssize_t capacity, got
    cdef unsigned char *grown
    cdef int fd = c_open(job.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0:
        return False
    if fstat(fd, &st) != 0 or not S_ISREG(st.st_mode) or st.st_size > limit:
        c_close(fd)
        return False
    capacity = (st.st_size // _PIECE + 1) * _PIECE
    job.data = <unsigned char *> malloc(capacity)
    job.size = 0
    if job.data == NULL:
        c_close(fd)
        return False
    while True:
        if capacity - job.size < _PIECE:  # a file that grew: room for one more piece
            grown = <unsigned char *> realloc(job.data, capacity + _PIECE)
            if grown == NULL:
                c_close(fd)
                return False
            job.data = grown
            capacity += _PIECE
        got = c_read(fd, job.data + job.size, capacity - job.size)
        if got < 0 and errno == EINTR:
            continue
        if got < 0:
            c_close(fd)
            return False
        if got == 0:
            break
        job.size += got
        if job.size > limit:
            c_close(fd)
            return False
    c_close(fd)
    return True


cdef bint holds_mark(const unsigned char *s, Py_ssize_t n, const char *mark, Py_ssize_t m) noexcept nogil:
    """Whether ``mark`` (m bytes) occurs in s[:n]: FileImports.marked, as ``mark in source``."""
    cdef const unsigned char *at = s
    cdef const unsigned char *end = s + n
    while end - at >= m:
        at = <const unsigned char *> memchr(at, mark[0], end - at - m + 1)
        if at == NULL:
            return False
        if memcmp(at, mark, m) == 0:
            return True
        at += 1
    return False


def extract_paths(list paths, Py_ssize_t limit, bytes mark):
    """For each path, (bytes read, whether ``mark`` occurs in them, extract()'s answer) where
    the file was read as read_regular reads it and the scanner answered, else None: the
    caller reads that file again its own way (for the error read_regular raises, or for ast).
    The files are read and scanned without the GIL, all in one stretch: one hand-over of the
    GIL per call, where a file at a time took several."""
    cdef Py_ssize_t n = len(paths), k, held = 0, max_digits = _max_digits()
    cdef const char *mark_bytes = PyBytes_AS_STRING(mark)
    cdef Py_ssize_t mark_size = PyBytes_GET_SIZE(mark)
    cdef Job *jobs
    cdef Job *job
    if mark_size == 0:
        raise ValueError("an empty mark")
    jobs = <Job *> calloc(n if n > 0 else 1, sizeof(Job))
    if jobs == NULL:
        raise MemoryError
    # The bytes objects own the paths' bytes while the jobs point into them; a path with a
    # NUL, which open() would cut short, is left to the caller (read_regular's ValueError).
    encoded = [os.fsencode(path) for path in paths]
    for k in range(n):
        jobs[k].status = J_LEFT
        if b"\0" not in encoded[k]:
            jobs[k].path = PyBytes_AS_STRING(encoded[k])
    try:
        with nogil:
            for k in range(n):
                job = &jobs[k]
                if job.path == NULL or held > _CALL_BYTES or not read_file(job, limit):
                    continue
                held += job.size
                job.S = new_scanner(job.data, job.size, max_digits)
                if job.S != NULL and scan_buffer(job.S):
                    job.status = J_SCANNED
                    job.marked = holds_mark(job.data, job.size, mark_bytes, mark_size)
        found = []
        for k in range(n):
            job = &jobs[k]
            found.append(
                (job.size, job.marked, answer(job.S)) if job.status == J_SCANNED else None
            )
        return found
    finally:
        for k in range(n):
            free_scanner(jobs[k].S)
            free(jobs[k].data)
        free(jobs)


cdef str text(Scanner *S, Py_ssize_t start, Py_ssize_t end):
    return PyUnicode_DecodeUTF8(<const char *> S.s + start, end - start, NULL)


cdef tuple answer(Scanner *S):
    """extract()'s answer from the scanner's arrays. C only: the nodes that no record uses,
    and the choices of a try that catches no ImportError, are left out."""
    cdef int *kept = NULL
    cdef int *effective = NULL
    cdef int node, parent, count
    cdef Py_ssize_t k
    cdef Record *r
    conditions = []
    choices = []
    try:
        kept = <int *> malloc((S.nconditions + 2 * S.nchoices + 1) * sizeof(int))
        if kept == NULL:
            raise MemoryError
        effective = kept + S.nconditions
        # Conditions: the nodes the records use, and their parents, numbered anew.
        for node in range(S.nconditions):
            kept[node] = -2
        for k in range(S.count):
            node = S.records[k].condition
            while node >= 0 and kept[node] == -2:
                kept[node] = -1
                node = S.conditions[node].parent
        count = 0
        for node in range(S.nconditions):
            if kept[node] == -1:
                kept[node] = count
                count += 1
                parent = S.conditions[node].parent
                conditions.append((
                    -1 if parent < 0 else kept[parent],
                    text(S, S.conditions[node].start, S.conditions[node].end),
                    S.conditions[node].truth,
                ))
        # Choices: a node of a try that catches no ImportError stands for its parent.
        for node in range(S.nchoices):
            parent = S.choices[node].parent
            if S.choices[S.choices[node].owner].valid:
                effective[node] = node
            else:
                effective[node] = -1 if parent < 0 else effective[parent]
            effective[S.nchoices + node] = -2
        for k in range(S.count):
            node = -1 if S.records[k].choice < 0 else effective[S.records[k].choice]
            while node >= 0 and effective[S.nchoices + node] == -2:
                effective[S.nchoices + node] = -1
                parent = S.choices[node].parent
                node = -1 if parent < 0 else effective[parent]
        count = 0
        for node in range(S.nchoices):
            if effective[S.nchoices + node] == -1:
                effective[S.nchoices + node] = count
                count += 1
                parent = S.choices[node].parent
                parent = -1 if parent < 0 else effective[parent]
                choices.append((
                    -1 if parent < 0 else effective[S.nchoices + parent],
                    S.choices[node].line,
                    S.choices[node].k,
                ))
        found = []
        for k in range(S.count):
            r = &S.records[k]
            node = -1 if r.choice < 0 else effective[r.choice]
            found.append((
                r.line,
                r.level,
                PyUnicode_DecodeASCII(<const char *> S.s + r.module_start, r.module_len, NULL),
                None if r.name_start < 0 else PyUnicode_DecodeASCII(
                    <const char *> S.s + r.name_start, r.name_len, NULL),
                r.flags,
                -1 if r.condition < 0 else kept[r.condition],
                -1 if node < 0 else effective[S.nchoices + node],
            ))
        lazies = [
            (S.lazies[k].record, text(S, S.lazies[k].start, S.lazies[k].end))
            for k in range(S.nlazies)
        ]
        return found, conditions, choices, lazies
    finally:
        free(kept)
