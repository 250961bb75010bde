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

# Guard flags: the values of modspec._codebase.extract.Guard.
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

# The tokenizer's own limits are 100 indentation levels and 200 open brackets; past ours,
# decline rather than grow.
cdef enum:
    MAX_INDENT = 128
    MAX_BRACKETS = 256
    MAX_HEADER = 256
    MAX_FSTRINGS = 32

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


# -- bytes ------------------------------------------------------------------------------------

# Identifier bytes: ASCII letters, '_', digits (not first), and any byte of a UTF-8 sequence
# (the tokenizer decides which of those are letters; ast normalises them).
cdef unsigned char NAME_START[256]
cdef unsigned char NAME_CHAR[256]
for _byte in range(256):
    NAME_START[_byte] = chr(_byte).isascii() and (chr(_byte).isalpha() or _byte == 95) or _byte >= 0x80
    NAME_CHAR[_byte] = NAME_START[_byte] or 48 <= _byte <= 57


cdef inline bint is_name_start(unsigned char c) noexcept nogil:
    return NAME_START[c]


cdef inline bint is_name_char(unsigned char c) noexcept nogil:
    return NAME_CHAR[c]


cdef inline Py_ssize_t name_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n,
                                bint *nonascii) noexcept nogil:
    """The end of the identifier at s[i]; whether it has a non-ASCII byte. (Locals, not the
    Scanner's fields: a store through it could alias the bytes, so the loop would reload.)"""
    cdef unsigned char bits = 0
    while i < n and NAME_CHAR[s[i]]:
        bits |= s[i]
        i += 1
    nonascii[0] = bits >= 0x80
    return i


cdef inline Py_ssize_t text_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n,
                                const unsigned char *stop) noexcept nogil:
    """The first byte at or after s[i] that ``stop`` marks, or n."""
    while i < n and not stop[s[i]]:
        i += 1
    return i


cdef inline bint is_digit(unsigned char c) noexcept nogil:
    return c >= b'0' and c <= b'9'


cdef bint valid_utf8(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """Strict UTF-8, as the tokenizer decodes it: no overlongs, no surrogates."""
    cdef Py_ssize_t i = 0
    cdef unsigned char c, c1
    cdef int more
    cdef uint64_t word
    while i < n:
        # Eight ASCII bytes at a time: most of any source file.
        while i + 8 <= n:
            memcpy(&word, s + i, 8)
            if word & 0x8080808080808080ULL:
                break
            i += 8
        if i >= n:
            break
        c = s[i]
        if c < 0x80:
            i += 1
            continue
        if c >= 0xC2 and c <= 0xDF:
            more = 1
        elif c >= 0xE0 and c <= 0xEF:
            more = 2
        elif c >= 0xF0 and c <= 0xF4:
            more = 3
        else:
            return False
        if i + more >= n:
            return False
        c1 = s[i + 1]
        if c1 < 0x80 or c1 > 0xBF:
            return False
        if (c == 0xE0 and c1 < 0xA0) or (c == 0xED and c1 > 0x9F):
            return False
        if (c == 0xF0 and c1 < 0x90) or (c == 0xF4 and c1 > 0x8F):
            return False
        if more >= 2 and (s[i + 2] < 0x80 or s[i + 2] > 0xBF):
            return False
        if more == 3 and (s[i + 3] < 0x80 or s[i + 3] > 0xBF):
            return False
        i += more + 1
    return True


cdef bint utf8_cookie(const unsigned char *s, Py_ssize_t n, bint bom) noexcept nogil:
    """False when one of the first two lines declares an encoding other than UTF-8.

    Conservative: any `coding[:=]name` on those lines counts, comment line or not."""
    cdef Py_ssize_t i = 0, line_end, k, begin
    cdef int line
    cdef char name[13]
    cdef int length, j
    cdef unsigned char c
    for line in range(2):
        if i >= n:
            return True
        line_end = i
        while line_end < n and s[line_end] != b'\n':
            line_end += 1
        k = i
        while k + 6 < line_end:
            if memcmp(s + k, b"coding", 6) == 0 and (s[k + 6] == b':' or s[k + 6] == b'='):
                begin = k + 7
                while begin < line_end and (s[begin] == b' ' or s[begin] == b'\t'):
                    begin += 1
                length = 0
                while begin + length < line_end:
                    c = s[begin + length]
                    if not (is_name_char(c) and c < 0x80) and c != b'-' and c != b'.':
                        break
                    length += 1
                if length == 0:
                    k += 1
                    continue
                # The tokenizer's get_normal_name: lower case, '_' as '-', the first 12 chars.
                for j in range(12 if length > 12 else length):
                    c = s[begin + j]
                    name[j] = b'-' if c == b'_' else (c + 32 if c >= b'A' and c <= b'Z' else c)
                name[12 if length > 12 else length] = 0
                if length == 5 and memcmp(name, b"utf-8", 5) == 0:
                    return True
                if length > 6 and memcmp(name, b"utf-8-", 6) == 0:
                    return True
                # "utf8" reaches the codec registry: the same decoder, refused with a BOM.
                return length == 4 and memcmp(name, b"utf8", 4) == 0 and not bom
            k += 1
        i = line_end + 1
    return True


# -- strings ----------------------------------------------------------------------------------

# The bytes that end a run of plain text inside a string, and inside an f-string's text.
cdef unsigned char STRING_STOP[256]
cdef unsigned char FSTRING_STOP[256]
for _byte in range(256):
    STRING_STOP[_byte] = _byte in b"'\"\\\n\r"
    FSTRING_STOP[_byte] = _byte in b"'\"\\\n\r{}"


cdef inline bint newline_at(Scanner *S) noexcept nogil:
    return S.s[S.i] == b'\n' or S.s[S.i] == b'\r'


cdef inline void skip_comment(Scanner *S) noexcept nogil:
    """To the end of the line, before its newline."""
    cdef const unsigned char *end = <const unsigned char *> memchr(S.s + S.i, b'\n', S.n - S.i)
    S.i = S.n if end == NULL else end - S.s
    if S.i > 0 and S.s[S.i - 1] == b'\r':
        S.i -= 1  # the newline is '\r\n'


cdef inline void take_newline(Scanner *S) noexcept nogil:
    # A lone CR was refused up front: '\r' is always the first half of '\r\n'.
    S.i += 2 if S.s[S.i] == b'\r' else 1
    S.line += 1


cdef bint string_prefix(Scanner *S, Py_ssize_t start, Py_ssize_t end, bint *raw, bint *fmt) noexcept nogil:
    """Whether s[start:end] is a string prefix (r, b, u, f and their pairs), and which."""
    cdef Py_ssize_t k
    cdef unsigned char c
    cdef int r = 0, b = 0, u = 0, f = 0
    if end - start > 2:
        return False
    for k in range(start, end):
        c = S.s[k] | 0x20
        if c == b'r':
            r += 1
        elif c == b'b':
            b += 1
        elif c == b'u':
            u += 1
        elif c == b'f':
            f += 1
        else:
            return False
    if r > 1 or b > 1 or u > 1 or f > 1 or b + f > 1 or (u and end - start > 1):
        return False
    raw[0] = r == 1
    fmt[0] = f == 1
    return True


cdef bint scan_string(Scanner *S, bint raw, bint fmt, int outer) noexcept nogil:
    """Skip a string literal whose opening quote is at S.i. ``outer``: a bit per quote of
    the f-strings around it (' 1, " 2, \'\'\' 4, \"\"\" 8)."""
    cdef unsigned char q = S.s[S.i]
    cdef bint triple = S.i + 2 < S.n and S.s[S.i + 1] == q and S.s[S.i + 2] == q
    cdef int bit = (1 if q == b"'" else 2) << (2 if triple else 0)
    if not PEP701 and (outer & (1 if q == b"'" else 2) or outer & bit & 12):
        # The quote of an f-string around it: before 3.12 that quote ends the f-string, so
        # only a file that 3.11 rejects can hold it. Let ast say so.
        return False
    S.i += 3 if triple else 1
    if fmt:
        if S.fstrings == MAX_FSTRINGS:
            return False
        S.fstrings += 1
        if not scan_fstring_body(S, q, triple, raw, outer | bit):
            return False
        S.fstrings -= 1
        return True
    while True:
        S.i = text_end(S.s, S.i, S.n, STRING_STOP)
        if S.i >= S.n:
            return False
        if S.s[S.i] == q:
            if not triple:
                S.i += 1
                return True
            if S.i + 2 < S.n and S.s[S.i + 1] == q and S.s[S.i + 2] == q:
                S.i += 3
                return True
            S.i += 1
        elif S.s[S.i] == b'\\':
            S.i += 1
            if S.i >= S.n:
                return False
            if newline_at(S):
                take_newline(S)
            else:
                S.i += 1
        elif newline_at(S):
            if not triple:
                return False
            take_newline(S)
        else:
            S.i += 1


cdef bint at_close(Scanner *S, unsigned char q, bint triple) noexcept nogil:
    if S.s[S.i] != q:
        return False
    return not triple or (S.i + 2 < S.n and S.s[S.i + 1] == q and S.s[S.i + 2] == q)


cdef bint scan_fstring_body(Scanner *S, unsigned char q, bint triple, bint raw, int outer) noexcept nogil:
    """The literal part of an f-string, after its opening quote, through its closing quote."""
    cdef unsigned char c
    while True:
        S.i = text_end(S.s, S.i, S.n, FSTRING_STOP)
        if S.i >= S.n:
            return False
        c = S.s[S.i]
        if at_close(S, q, triple):
            S.i += 3 if triple else 1
            return True
        if c == b'\\':
            if S.i + 1 >= S.n:
                return False
            c = S.s[S.i + 1]
            if c == b'{' or c == b'}':
                if not raw:
                    return False  # an invalid escape before a brace: rare, left to ast
                S.i += 1  # raw: the backslash is text, the brace is read as such
            elif c == b'N' and not raw:
                # \N{NAME}: its braces are no field.
                S.i += 2
                if S.i >= S.n or S.s[S.i] != b'{':
                    return False
                while S.i < S.n and S.s[S.i] != b'}':
                    if S.s[S.i] == q or newline_at(S) or S.s[S.i] == b'\\':
                        return False
                    S.i += 1
                S.i += 1
            else:
                S.i += 1
                if newline_at(S):
                    take_newline(S)
                else:
                    S.i += 1
        elif c == b'{':
            if S.i + 1 < S.n and S.s[S.i + 1] == b'{':
                S.i += 2
            else:
                S.i += 1
                if not scan_field(S, q, triple, outer):
                    return False
        elif c == b'}':
            if S.i + 1 < S.n and S.s[S.i + 1] == b'}':
                S.i += 2
            else:
                return False
        elif newline_at(S):
            if not triple:
                return False
            take_newline(S)
        else:
            S.i += 1


cdef bint scan_field(Scanner *S, unsigned char q, bint triple, int outer) noexcept nogil:
    """An f-string replacement field, after its '{', through its '}'. Refuses what 3.11 and
    3.12 read differently: backslashes, comments, the enclosing quote."""
    cdef int depth = 0
    cdef unsigned char c
    cdef Py_ssize_t start
    cdef bint raw, fmt
    while S.i < S.n:
        c = S.s[S.i]
        if c == b'\\' or c == b'#':
            return False
        if newline_at(S):
            if not triple:
                return False
            take_newline(S)
        elif c == b'(' or c == b'[' or c == b'{':
            depth += 1
            S.i += 1
        elif c == b')' or c == b']':
            depth -= 1
            if depth < 0:
                return False
            S.i += 1
        elif c == b'}':
            S.i += 1
            if depth == 0:
                return True
            depth -= 1
        elif c == b':' and depth == 0:
            S.i += 1
            return scan_format_spec(S, q, triple, outer)
        elif c == b'"' or c == b"'":
            if not scan_string(S, False, False, outer):
                return False
        elif is_name_start(c):
            start = S.i
            while S.i < S.n and is_name_char(S.s[S.i]):
                S.i += 1
            if (S.i < S.n and (S.s[S.i] == b'"' or S.s[S.i] == b"'")
                    and string_prefix(S, start, S.i, &raw, &fmt)):
                if not scan_string(S, raw, fmt, outer):
                    return False
        elif is_digit(c):
            while S.i < S.n and (is_name_char(S.s[S.i]) or S.s[S.i] == b'.'):
                S.i += 1
        else:
            S.i += 1
    return False


cdef bint scan_format_spec(Scanner *S, unsigned char q, bint triple, int outer) noexcept nogil:
    """A format spec, after its ':', through the '}' that closes its field."""
    cdef unsigned char c
    while S.i < S.n:
        c = S.s[S.i]
        if c == b'\\' or c == b'"' or c == b"'":
            return False
        if c == b'{':
            if S.i + 1 < S.n and S.s[S.i + 1] == b'{':
                return False
            S.i += 1
            if not scan_field(S, q, triple, outer):
                return False
        elif c == b'}':
            S.i += 1
            return True
        elif newline_at(S):
            if not triple:
                return False
            take_newline(S)
        else:
            S.i += 1
    return False


# -- tokens -----------------------------------------------------------------------------------

cdef void next_token(Scanner *S) noexcept nogil:
    """The next token of the logical line into S.kind..; T_NEWLINE at its end. Sets
    S.failed on what the scanner does not read."""
    cdef unsigned char c, opener
    cdef bint raw, fmt, hexadecimal
    while True:
        if S.i >= S.n:
            if S.depth > 0:
                S.failed = True
            S.kind = T_NEWLINE
            S.start = S.end = S.i
            return
        c = S.s[S.i]
        if c == b' ' or c == b'\t' or c == b'\x0c':
            S.i += 1
        elif c == b'#':
            skip_comment(S)
        elif c == b'\\':
            S.i += 1
            if S.i >= S.n or not newline_at(S):
                S.failed = True
                S.kind = T_EOF
                return
            take_newline(S)
        elif c == b'\n' or c == b'\r':
            S.tline = S.line
            take_newline(S)
            if S.depth == 0:
                S.kind = T_NEWLINE
                S.start = S.end = S.i
                return
        else:
            break
    S.start = S.i
    S.tline = S.line
    S.nonascii = False
    if is_name_start(c):
        S.i = name_end(S.s, S.i, S.n, &S.nonascii)
        # A prefix and its string are one token; any other name before a quote is a name
        # (`else"x"`), and the string its own token.
        if (S.i < S.n and (S.s[S.i] == b'"' or S.s[S.i] == b"'") and not S.nonascii
                and string_prefix(S, S.start, S.i, &raw, &fmt)):
            if not scan_string(S, raw, fmt, 0):
                S.failed = True
            S.kind = T_STRING
        else:
            S.kind = T_NAME
    elif is_digit(c) or (c == b'.' and S.i + 1 < S.n and is_digit(S.s[S.i + 1])):
        # Opaque but for its extent, and the Python 2 forms below.
        hexadecimal = c == b'0' and S.i + 1 < S.n and (S.s[S.i + 1] | 0x20) == b'x'
        while S.i < S.n and (is_name_char(S.s[S.i]) or S.s[S.i] == b'.'):
            S.i += 1
            # An exponent's sign is the number's (in hex, 'e' is a digit and '-' subtracts).
            if (not hexadecimal and (S.s[S.i - 1] | 0x20) == b'e' and S.i < S.n
                    and (S.s[S.i] == b'+' or S.s[S.i] == b'-')):
                S.i += 1
        S.kind = T_NUMBER
        if python2_number(S.s + S.start, S.i - S.start):
            S.failed = True
    elif c == b'"' or c == b"'":
        if not scan_string(S, False, False, 0):
            S.failed = True
        S.kind = T_STRING
    elif c == b'(' or c == b'[' or c == b'{':
        if S.depth >= MAX_BRACKETS:
            S.failed = True
        else:
            S.brackets[S.depth] = c
            S.depth += 1
        S.i += 1
        S.kind = T_OPEN
    elif c == b')' or c == b']' or c == b'}':
        opener = b'(' if c == b')' else (b'[' if c == b']' else b'{')
        if S.depth == 0 or S.brackets[S.depth - 1] != opener:
            S.failed = True
        else:
            S.depth -= 1
        S.i += 1
        S.kind = T_CLOSE
    elif c == b'.':
        S.i += 1
        S.kind = T_DOT
    elif c == b',':
        S.i += 1
        S.kind = T_COMMA
    elif c == b';':
        S.i += 1
        S.kind = T_SEMI
    elif c == b':':
        S.i += 1
        if S.i < S.n and S.s[S.i] == b'=':
            S.i += 1
            S.kind = T_WALRUS
        else:
            S.kind = T_COLON
    elif c == b'*':
        S.i += 1
        S.kind = T_STAR
        if S.i < S.n and S.s[S.i] == b'*':
            S.i += 1
            S.kind = T_OP
    elif c == b'!':
        # '!' alone is no operator outside an f-string's field.
        S.i += 1
        if S.i >= S.n or S.s[S.i] != b'=':
            S.failed = True
        S.kind = T_OP
    elif (c == b'+' or c == b'-' or c == b'/' or c == b'%' or c == b'@' or c == b'&'
            or c == b'|' or c == b'^' or c == b'~' or c == b'<' or c == b'>' or c == b'='):
        S.i += 1
        S.kind = T_OP
    else:
        S.failed = True  # '$', '?', '`', control characters: not Python 3
        S.i += 1
        S.kind = T_EOF
    S.end = S.i


cdef bint python2_number(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """A long (`10L`) or an old octal (`0777`): Python 2 files, which ast rejects."""
    cdef Py_ssize_t k
    cdef bint nonzero = False
    if s[n - 1] == b'l' or s[n - 1] == b'L':
        return True  # no Python 3 literal (nor a keyword run into one) ends so
    if s[0] != b'0':
        return False
    for k in range(n):
        if not (is_digit(s[k]) or s[k] == b'_'):
            return False  # 0x.., 0.5, 0e1, 09.5j: not an integer of digits
        nonzero = nonzero or (s[k] != b'0' and s[k] != b'_')
    return nonzero


cdef inline bint is_word(Scanner *S, Py_ssize_t start, Py_ssize_t end, const char *word, Py_ssize_t length) noexcept nogil:
    return end - start == length and memcmp(S.s + start, word, length) == 0


cdef inline bint name_is(Scanner *S, const char *word, Py_ssize_t length) noexcept nogil:
    return S.kind == T_NAME and is_word(S, S.start, S.end, word, length)


cdef bint is_operator_keyword(Scanner *S, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """A keyword that makes an expression something else than a name or attribute."""
    return (is_word(S, start, end, b"not", 3) or is_word(S, start, end, b"and", 3)
            or is_word(S, start, end, b"or", 2) or is_word(S, start, end, b"if", 2)
            or is_word(S, start, end, b"else", 4) or is_word(S, start, end, b"in", 2)
            or is_word(S, start, end, b"is", 2) or is_word(S, start, end, b"lambda", 6)
            or is_word(S, start, end, b"await", 5) or is_word(S, start, end, b"yield", 5)
            or is_word(S, start, end, b"for", 3) or is_word(S, start, end, b"async", 5))


# -- guards from headers ----------------------------------------------------------------------

cdef enum:
    NO = 0
    YES = 1
    UNSURE = 2


cdef int matching(Scanner *S, int k, int hi) noexcept nogil:
    """The index of the bracket that closes header[k], or hi."""
    cdef int m
    for m in range(k + 1, hi):
        if S.header[m].kind == T_CLOSE and S.header[m].depth == S.header[k].depth:
            return m
    return hi


cdef void strip_parentheses(Scanner *S, int *lo, int *hi) noexcept nogil:
    while (hi[0] - lo[0] >= 2 and S.header[lo[0]].kind == T_OPEN
           and S.s[S.header[lo[0]].start] == b'(' and matching(S, lo[0], hi[0]) == hi[0] - 1):
        lo[0] += 1
        hi[0] -= 1


cdef bint is_target(Scanner *S, Token *token, bint except_names) noexcept nogil:
    if token.kind != T_NAME:
        return False
    if not except_names:
        return is_word(S, token.start, token.end, b"TYPE_CHECKING", 13)
    return (is_word(S, token.start, token.end, b"ImportError", 11)
            or is_word(S, token.start, token.end, b"ModuleNotFoundError", 19)
            or is_word(S, token.start, token.end, b"Exception", 9)
            or is_word(S, token.start, token.end, b"BaseException", 13))


cdef int name_or_attribute(Scanner *S, int lo, int hi, bint except_names) noexcept nogil:
    """Whether header[lo:hi] is a Name, or an Attribute, whose last identifier is a target."""
    cdef int k, depth
    cdef bint chain
    if hi <= lo:
        return NO
    for k in range(lo, hi):
        if S.header[k].nonascii:
            return UNSURE  # ast normalises identifiers (NFKC)
    if not is_target(S, &S.header[hi - 1], except_names):
        return NO
    depth = S.header[lo].depth
    # NAME ('.' NAME | (...) | [...])*, ending in the target: a primary that is a Name or
    # an Attribute.
    k = lo
    chain = S.header[k].kind == T_NAME and not is_operator_keyword(
        S, S.header[k].start, S.header[k].end)
    if chain:
        k += 1
        while k < hi:
            if S.header[k].kind == T_DOT and k + 1 < hi and S.header[k + 1].kind == T_NAME:
                k += 2
            elif S.header[k].kind == T_OPEN and S.s[S.header[k].start] != b'{':
                k = matching(S, k, hi) + 1
            else:
                chain = False
                break
        if chain and k == hi:
            return YES
    # Not such a chain: an operator at the top level makes it something else for sure.
    for k in range(lo, hi):
        if S.header[k].depth != depth:
            continue
        if S.header[k].kind in (T_OP, T_STAR, T_COMMA, T_WALRUS, T_COLON):
            return NO
        if S.header[k].kind == T_NAME and is_operator_keyword(
                S, S.header[k].start, S.header[k].end):
            return NO
    return UNSURE


cdef int type_checking_test(Scanner *S) noexcept nogil:
    cdef int lo = 0, hi = S.nheader
    strip_parentheses(S, &lo, &hi)
    return name_or_attribute(S, lo, hi, False)


cdef int catches_import_error(Scanner *S) noexcept nogil:
    """The handler's type (header[:nheader]) is bare, or is (or is a tuple holding) a
    Name/Attribute named ImportError, ModuleNotFoundError, Exception or BaseException."""
    cdef int lo = 0, hi = S.nheader, k, start, depth, answer, part_lo, part_hi, m
    cdef bint unsure = False, tuple_ = False
    if hi == 0:
        return YES
    for k in range(hi):
        if S.header[k].kind == T_COMMA and S.header[k].depth == 0:
            # `except A, e:` (Python 2); unparenthesized types are valid only from 3.14 on.
            return UNSURE
    strip_parentheses(S, &lo, &hi)
    if hi <= lo:
        return NO  # `except ():` catches nothing
    depth = S.header[lo].depth
    for k in range(lo, hi):
        if S.header[k].kind == T_COMMA and S.header[k].depth == depth:
            tuple_ = True
    if not tuple_:
        return name_or_attribute(S, lo, hi, True)
    start = lo
    for k in range(lo, hi + 1):
        if k < hi and not (S.header[k].kind == T_COMMA and S.header[k].depth == depth):
            continue
        part_lo = start
        part_hi = k
        start = k + 1
        strip_parentheses(S, &part_lo, &part_hi)
        if part_hi <= part_lo:
            continue
        # A tuple inside the tuple: no Name or Attribute itself.
        for m in range(part_lo, part_hi):
            if S.header[m].kind == T_COMMA and S.header[m].depth == S.header[part_lo].depth:
                break
        else:
            answer = name_or_attribute(S, part_lo, part_hi, True)
            if answer == YES:
                return YES
            if answer == UNSURE:
                unsure = True
    return UNSURE if unsure else NO


# -- import statements ------------------------------------------------------------------------

cdef bint add_record(Scanner *S, Py_ssize_t line, int level, Py_ssize_t module_start,
                     Py_ssize_t module_len, Py_ssize_t name_start, Py_ssize_t name_len,
                     int flags) noexcept nogil:
    cdef Record *grown
    if S.count == S.capacity:
        S.capacity = S.capacity * 2 if S.capacity else 64
        grown = <Record *> realloc(S.records, S.capacity * sizeof(Record))
        if grown == NULL:
            return False
        S.records = grown
    S.records[S.count].line = line
    S.records[S.count].level = level
    S.records[S.count].module_start = module_start
    S.records[S.count].module_len = module_len
    S.records[S.count].name_start = name_start
    S.records[S.count].name_len = name_len
    S.records[S.count].flags = flags
    S.count += 1
    return True


cdef bint dotted_name(Scanner *S, Py_ssize_t *start, Py_ssize_t *length) noexcept nogil:
    """NAME ('.' NAME)*, written without spaces (else decline), from the current token;
    leaves the token after it."""
    cdef Py_ssize_t end
    if S.kind != T_NAME or S.nonascii:
        return False
    start[0] = S.start
    end = S.end
    next_token(S)
    while S.kind == T_DOT and S.start == end:
        next_token(S)
        if S.kind != T_NAME or S.nonascii or S.start != end + 1:
            return False
        end = S.end
        next_token(S)
    if S.kind == T_DOT:
        return False
    length[0] = end - start[0]
    return True


cdef bint skip_alias(Scanner *S) noexcept nogil:
    """An optional `as NAME`."""
    if name_is(S, b"as", 2):
        next_token(S)
        if S.kind != T_NAME:
            return False
        next_token(S)
    return True


cdef bint import_statement(Scanner *S, int flags) noexcept nogil:
    """`import a.b as c, d` from its first token; leaves the token after it."""
    cdef Py_ssize_t line = S.tline, start, length
    next_token(S)
    while True:
        if not dotted_name(S, &start, &length) or not skip_alias(S):
            return False
        if not add_record(S, line, 0, start, length, -1, 0, flags):
            return False
        if S.kind != T_COMMA:
            return True
        next_token(S)


cdef bint from_statement(Scanner *S, int flags) noexcept nogil:
    """`from ..a import (b as c, d)` from its first token; leaves the token after it."""
    cdef Py_ssize_t line = S.tline, module_start = 0, module_len = 0
    cdef int level = 0
    cdef bint parenthesized
    next_token(S)
    while S.kind == T_DOT:
        level += 1
        next_token(S)
    if not name_is(S, b"import", 6):
        if not dotted_name(S, &module_start, &module_len):
            return False
    elif level == 0:
        return False
    if not name_is(S, b"import", 6):
        return False
    next_token(S)
    if S.kind == T_STAR:
        if not add_record(S, line, level, module_start, module_len, S.start, 1, flags):
            return False
        next_token(S)
        return True
    parenthesized = S.kind == T_OPEN and S.s[S.start] == b'('
    if parenthesized:
        next_token(S)
    while True:
        if S.kind != T_NAME or S.nonascii:
            return False
        if not add_record(S, line, level, module_start, module_len, S.start, S.end - S.start, flags):
            return False
        next_token(S)
        if not skip_alias(S):
            return False
        if S.kind != T_COMMA:
            break
        next_token(S)
        if parenthesized and S.kind == T_CLOSE:
            break  # a trailing comma
    if parenthesized:
        if S.kind != T_CLOSE:
            return False
        next_token(S)
    return True


# -- logical lines ----------------------------------------------------------------------------

cdef int line_indent(Scanner *S) noexcept nogil:
    """Skip blank and comment lines; the indentation of the next logical line (and in
    S.altcolumn, with tabs as one column), -1 at the end, -2 to decline."""
    cdef int column, altcolumn
    cdef unsigned char c
    while True:
        # Mirrors the tokenizer's tok_get: tabs to multiples of 8, a form feed resets.
        column = altcolumn = 0
        while S.i < S.n:
            c = S.s[S.i]
            if c == b' ':
                column += 1
                altcolumn += 1
            elif c == b'\t':
                column = (column // 8 + 1) * 8
                altcolumn += 1
            elif c == b'\x0c':
                column = altcolumn = 0
            else:
                break
            S.i += 1
        if S.i >= S.n:
            return -1
        c = S.s[S.i]
        if c == b'#':
            skip_comment(S)
            if S.i >= S.n:
                return -1
            take_newline(S)
        elif c == b'\n' or c == b'\r':
            take_newline(S)
        elif c == b'\\':
            return -2  # a continuation at the start of a line: versions differ
        else:
            S.altcolumn = altcolumn
            return column


cdef bint indentation(Scanner *S, int column, bint expect_indent) noexcept nogil:
    """Follow the tokenizer's INDENT/DEDENT; False where it would raise (IndentationError,
    TabError: the column with tabs as 8 and as 1 must agree on the order)."""
    cdef int top = S.nindents - 1
    if column > S.indents[top]:
        if not expect_indent or S.nindents >= MAX_INDENT or S.altcolumn <= S.altindents[top]:
            return False
        S.indents[S.nindents] = column
        S.altindents[S.nindents] = S.altcolumn
        S.nindents += 1
        return True
    if expect_indent:
        return False
    while column < S.indents[S.nindents - 1]:
        S.nindents -= 1
    top = S.nindents - 1
    return column == S.indents[top] and S.altcolumn == S.altindents[top]


cdef int line_kind(Scanner *S) noexcept nogil:
    """The kind of the logical line at its first token; leaves the token after the keyword
    (after `async def`, `except*`) for headers whose test is read."""
    if S.kind != T_NAME:
        return K_OTHER
    if name_is(S, b"if", 2) or name_is(S, b"elif", 4):
        next_token(S)
        return K_IF
    if name_is(S, b"def", 3):
        return K_DEF
    if name_is(S, b"async", 5):
        next_token(S)
        return K_DEF if name_is(S, b"def", 3) else K_OTHER
    if name_is(S, b"try", 3):
        return K_TRY
    if name_is(S, b"except", 6):
        next_token(S)
        if S.kind == T_STAR:
            if not EXCEPT_STAR:
                S.failed = True
            next_token(S)
        return K_EXCEPT
    if name_is(S, b"else", 4) or name_is(S, b"finally", 7):
        return K_CLAUSE
    return K_OTHER


cdef bint read_header(Scanner *S, bint stop_at_as) noexcept nogil:
    """The tokens up to the header's colon (or `as`) into S.header."""
    S.nheader = 0
    while not S.failed:
        if S.kind == T_NEWLINE:
            return False
        if S.depth == 0 and S.kind == T_COLON:
            return True
        if S.depth == 0 and stop_at_as and name_is(S, b"as", 2):
            return True
        if S.nheader == MAX_HEADER:
            return False
        S.header[S.nheader].kind = S.kind
        S.header[S.nheader].start = S.start
        S.header[S.nheader].end = S.end
        S.header[S.nheader].nonascii = S.nonascii
        # A bracket sits at the depth outside it; S.depth is already past an opener.
        S.header[S.nheader].depth = S.depth - 1 if S.kind == T_OPEN else S.depth
        S.nheader += 1
        next_token(S)
    return False


cdef bint logical_line(Scanner *S, int column, bint *block) noexcept nogil:
    """One logical line from its first token: its imports, and the blocks it opens or closes.
    ``block``: set when the line ends with a colon (a block follows)."""
    cdef int kind, flags, body_flags, answer
    cdef Py_ssize_t k
    cdef bint statement_start, header_open, colon_last, printed, raising = False
    while S.nguards and S.guard_indent[S.nguards - 1] >= column:
        S.nguards -= 1
    flags = S.guard_flags[S.nguards - 1] if S.nguards else 0
    body_flags = flags
    kind = line_kind(S)
    if kind == K_EXCEPT:
        while S.ntries and S.try_indent[S.ntries - 1] > column:
            S.ntries -= 1
        if not S.ntries or S.try_indent[S.ntries - 1] != column:
            return False
        if S.try_end[S.ntries - 1] < 0:
            S.try_end[S.ntries - 1] = S.count
        if not read_header(S, True):
            return False
        answer = catches_import_error(S)
        if answer == UNSURE:
            return False
        if answer == YES:
            for k in range(S.try_start[S.ntries - 1], S.try_end[S.ntries - 1]):
                S.records[k].flags |= G_OPTIONAL
    else:
        while S.ntries and S.try_indent[S.ntries - 1] >= column:
            S.ntries -= 1
    if kind == K_TRY:
        if S.ntries >= MAX_INDENT:
            return False
        S.try_indent[S.ntries] = column
        S.try_start[S.ntries] = S.count
        S.try_end[S.ntries] = -1
        S.ntries += 1
    elif kind == K_IF:
        if not read_header(S, False):
            return False
        answer = type_checking_test(S)
        if answer == UNSURE:
            return False
        if answer == YES:
            body_flags = flags | G_TYPE_CHECKING
    elif kind == K_DEF:
        body_flags = flags | G_DEFERRED
    # The statements of the line: an import starts a simple statement, which starts the line,
    # or follows a ';' or the colon of a compound statement's header.
    statement_start = kind == K_OTHER
    header_open = kind != K_OTHER
    colon_last = False
    while S.kind != T_NEWLINE:
        if S.failed:
            return False
        colon_last = False
        if S.depth == 0 and S.kind == T_COLON:
            if header_open:
                header_open = False
                flags = body_flags
            statement_start = True
            colon_last = True
            next_token(S)
        elif S.depth == 0 and S.kind == T_SEMI:
            statement_start = True
            raising = False
            next_token(S)
        elif statement_start and S.kind == T_NAME:
            statement_start = False
            if name_is(S, b"import", 6) or name_is(S, b"from", 4):
                if name_is(S, b"import", 6):
                    if not import_statement(S, flags):
                        return False
                elif not from_statement(S, flags):
                    return False
                if S.kind != T_SEMI and S.kind != T_NEWLINE:
                    return False
            else:
                printed = name_is(S, b"print", 5) or name_is(S, b"exec", 4)
                raising = name_is(S, b"raise", 5)
                next_token(S)
                if printed and S.kind in (T_NAME, T_STRING, T_NUMBER):
                    return False  # a Python 2 print or exec statement: let ast say so
        else:
            if raising and S.depth == 0 and S.kind == T_COMMA:
                return False  # `raise E, "message"` (Python 2)
            statement_start = False
            next_token(S)
    if S.failed:
        return False
    block[0] = colon_last
    if colon_last and body_flags != (S.guard_flags[S.nguards - 1] if S.nguards else 0):
        if S.nguards >= MAX_INDENT:
            return False
        S.guard_indent[S.nguards] = column
        S.guard_flags[S.nguards] = body_flags
        S.nguards += 1
    return True


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
