# Included by extract_c.pyx: strings and f-strings to their end, fields and format specs too,
# and the comment and newline steps the lexer shares with them.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

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
        # The tokenizer's check: the f-string's mode is pushed above the regular one.
        if S.fstrings + 1 >= MAX_FSTRINGS:
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
                if not scan_field(S, q, triple, outer, 0):
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


cdef inline bint open_bracket(Scanner *S, unsigned char c) noexcept nogil:
    """Push an opening bracket, as the tokenizer does; False past MAXLEVEL."""
    if S.depth >= MAX_BRACKETS:
        return False
    S.brackets[S.depth] = c
    S.depth += 1
    return True


cdef inline bint close_bracket(Scanner *S, unsigned char c) noexcept nogil:
    """Pop the bracket that ``c`` closes; False if it closes none, or another kind."""
    cdef unsigned char opener = b'(' if c == b')' else (b'[' if c == b']' else b'{')
    if S.depth == 0 or S.brackets[S.depth - 1] != opener:
        return False
    S.depth -= 1
    return True


cdef bint scan_field(Scanner *S, unsigned char q, bint triple, int outer, int level) noexcept nogil:
    """An f-string replacement field, after its '{', through its '}'; ``level``: the fields
    around it in this f-string's format specs. Refuses what 3.11 and 3.12 read differently:
    backslashes, comments, the enclosing quote. Its brackets go on the line's stack, its
    '{' too, as 3.12's tokenizer counts them (a bound for 3.10 and 3.11 as well, where the
    field's own brackets are counted alone: a stricter count only declines more)."""
    cdef unsigned char c
    cdef Py_ssize_t start
    cdef int base
    cdef bint raw, fmt
    if not open_bracket(S, b'{'):
        return False
    base = S.depth
    while S.i < S.n:
        c = S.s[S.i]
        if c == b'\\' or c == b'#':
            return False
        if newline_at(S):
            if not triple:
                return False
            take_newline(S)
        elif c == b'(' or c == b'[' or c == b'{':
            if not open_bracket(S, c):
                return False
            S.i += 1
        elif c == b')' or c == b']' or c == b'}':
            S.i += 1
            if not close_bracket(S, c):
                return False
            if S.depth < base:
                return True  # the field's own '}'
        elif c == b':' and S.depth == base:
            S.i += 1
            if not scan_format_spec(S, q, triple, outer, level):
                return False
            S.depth -= 1
            return True
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
            start = S.i
            while S.i < S.n and (is_name_char(S.s[S.i]) or S.s[S.i] == b'.'):
                S.i += 1
            if too_many_digits(S, start, S.i):
                return False
        else:
            S.i += 1
    return False


cdef bint scan_format_spec(Scanner *S, unsigned char q, bint triple, int outer, int level) noexcept nogil:
    """A format spec, after its ':', through the '}' that closes its field (at ``level``)."""
    cdef unsigned char c
    while S.i < S.n:
        c = S.s[S.i]
        if c == b'\\' or c == b'"' or c == b"'":
            return False
        if c == b'{':
            if S.i + 1 < S.n and S.s[S.i + 1] == b'{':
                return False
            if level + 1 >= MAX_SPEC_FIELDS:
                return False
            S.i += 1
            if not scan_field(S, q, triple, outer, level + 1):
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
