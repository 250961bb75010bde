# Included by extract_c.pyx: next_token, the lexer of a logical line, and its keyword tests.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

# -- tokens -----------------------------------------------------------------------------------

cdef void next_token(Scanner *S) noexcept nogil:
    """The next token of the logical line into S.kind..; T_NEWLINE at its end. Sets
    S.failed on what the scanner does not read."""
    cdef unsigned char c
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
        if python2_number(S.s + S.start, S.i - S.start) or too_many_digits(S, S.start, S.i):
            S.failed = True
    elif c == b'"' or c == b"'":
        if not scan_string(S, False, False, 0):
            S.failed = True
        S.kind = T_STRING
    elif c == b'(' or c == b'[' or c == b'{':
        if not open_bracket(S, c):
            S.failed = True
        S.i += 1
        S.kind = T_OPEN
    elif c == b')' or c == b']' or c == b'}':
        if not close_bracket(S, c):
            S.failed = True
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


cdef inline bint too_many_digits(Scanner *S, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """Whether the number s[start:end] starts with more digits than int_max_str_digits
    allows a decimal int. Its leading run of digits and '_' is counted: a bound above the
    tokenizer's int, so that compile's refusal is never missed (a long float declines)."""
    cdef Py_ssize_t k = start
    if S.max_digits == 0 or end - start <= S.max_digits:
        return False  # the common case, at no cost
    while k < end and (is_digit(S.s[k]) or S.s[k] == b'_'):
        k += 1
    return k - start > S.max_digits


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
