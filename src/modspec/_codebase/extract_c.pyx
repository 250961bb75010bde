# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, embedsignature=True
"""Fast import scanner: reads import statements from source bytes without a syntax tree.

The compiled twin of extract_py.imports_ast, giving plain records that extract.py wraps.

It lexes just enough of Python (strings, f-strings, comments, brackets, continuations,
indentation) to see logical lines, and reads the guard of a block from its header. It answers
only when sure: on anything it does not know it declines (returns None) and ast answers.
The lexing runs without the GIL, into a C array of records; Python objects are built after.
"""

from cpython.unicode cimport PyUnicode_DecodeASCII
from libc.stdlib cimport free, malloc, realloc
from libc.stdint cimport uint64_t
from libc.string cimport memchr, memcmp, memcpy

import sys

__all__ = ["extract"]

# PEP 701 (3.12): an f-string's fields are lexed as code, so they may hold its own quote.
# Lexing them so is right for every version where the file parses; before 3.12 the scanner
# also declines those quotes, so that the files 3.11 rejects keep their SyntaxError.
cdef bint PEP701 = sys.version_info >= (3, 12)
# except* (3.11): before, a SyntaxError that the scanner would not see.
cdef bint EXCEPT_STAR = sys.version_info >= (3, 11)

# Guard flags: the values of modspec._codebase.extract_py.Guard.
cdef enum:
    G_TYPE_CHECKING = 1
    G_OPTIONAL = 2
    G_DEFERRED = 4

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

# Kinds of logical line, by their first token.
cdef enum:
    K_OTHER = 0
    K_IF        # if / elif: the body may be TYPE_CHECKING
    K_DEF       # def / async def: the body is DEFERRED
    K_TRY
    K_EXCEPT
    K_CLAUSE    # else / finally: ends a try's handlers

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

cdef struct Token:
    int kind
    Py_ssize_t start
    Py_ssize_t end
    int depth       # bracket depth the token sits at (a bracket: the depth outside it)
    bint nonascii

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
    # indentation, as the tokenizer keeps it
    int indents[MAX_INDENT]
    int altindents[MAX_INDENT]
    int altcolumn
    int nindents
    # open blocks that add a guard: header indentation and the flags of the body
    int guard_indent[MAX_INDENT]
    int guard_flags[MAX_INDENT]
    int nguards
    # open try statements: indentation, first and end record of the body
    int try_indent[MAX_INDENT]
    Py_ssize_t try_start[MAX_INDENT]
    Py_ssize_t try_end[MAX_INDENT]
    int ntries
    # the tokens of an if test or an except clause
    Token header[MAX_HEADER]
    int nheader


include "extract_c_bytes.pxi"
include "extract_c_strings.pxi"
include "extract_c_tokens.pxi"
include "extract_c_statements.pxi"
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
            return not block  # a header with no body
        if column == -2 or not indentation(S, column, block):
            return False
        next_token(S)
        if S.failed or not logical_line(S, column, &block):
            return False


def _max_digits():
    # CVE-2020-10735 (3.10.7+, 3.11+): compile refuses a decimal int of more digits.
    get = getattr(sys, "get_int_max_str_digits", None)
    return 0 if get is None else get()


def extract(bytes source):
    """Imports of ``source`` as (line, level, module, name, guard flags) tuples, in source
    order; None when the scanner declines and ast must answer."""
    cdef Scanner *S = <Scanner *> malloc(sizeof(Scanner))
    cdef bint ok
    cdef Py_ssize_t k
    cdef Record *r
    if S == NULL:
        raise MemoryError
    S.s = <const unsigned char *> source
    S.n = len(source)
    S.i = 0
    S.line = 1
    S.failed = False
    S.bom = False
    S.depth = 0
    S.fstrings = 0
    # Read per call, as compile reads it: the limit may change at run time.
    S.max_digits = _max_digits()
    S.records = NULL
    S.count = S.capacity = 0
    S.nguards = S.ntries = S.nheader = 0
    try:
        with nogil:
            ok = scan_buffer(S)
        if not ok:
            return None
        found = []
        for k in range(S.count):
            r = &S.records[k]
            found.append((
                r.line,
                r.level,
                PyUnicode_DecodeASCII(<const char *> S.s + r.module_start, r.module_len, NULL),
                None if r.name_start < 0 else PyUnicode_DecodeASCII(
                    <const char *> S.s + r.name_start, r.name_len, NULL),
                r.flags,
            ))
        return found
    finally:
        free(S.records)
        free(S)
