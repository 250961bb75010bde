# Included by extract_c.pyx: next_token, the lexer of a logical line, and its keyword tests.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

# -- tokens -----------------------------------------------------------------------------------

cdef void next_token(Scanner *S) noexcept nogil:
    """The next token of the logical line into S.kind..; T_NEWLINE at its end. Sets
    S.failed on what the scanner does not read."""
    cdef unsigned char c
    cdef bint raw, fmt
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
        scan_number(S)
        S.kind = T_NUMBER
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


cdef inline void scan_number(Scanner *S) noexcept nogil:
    """The number at S.i (a digit, or a '.' before one) to its end: opaque but for its extent,
    and the Python 2 forms and the digits compile refuses (S.failed)."""
    cdef Py_ssize_t start = S.i
    cdef bint hexadecimal = S.s[S.i] == b'0' and S.i + 1 < S.n and (S.s[S.i + 1] | 0x20) == b'x'
    while S.i < S.n and (is_name_char(S.s[S.i]) or S.s[S.i] == b'.'):
        S.i += 1
        # An exponent's sign is the number's (in hex, 'e' is a digit and '-' subtracts).
        if (not hexadecimal and (S.s[S.i - 1] | 0x20) == b'e' and S.i < S.n
                and (S.s[S.i] == b'+' or S.s[S.i] == b'-')):
            S.i += 1
    if python2_number(S.s + start, S.i - start) or too_many_digits(S, start, S.i):
        S.failed = True


# What skip_to_boundary does with a byte: step over it (SK_PLAIN: spaces and the operators
# no statement boundary is made of), or read the token it starts as next_token would.
cdef enum:
    SK_PLAIN = 0
    SK_NAME
    SK_DIGIT
    SK_DOT
    SK_QUOTE
    SK_OPEN
    SK_CLOSE
    SK_COLON
    SK_SEMI
    SK_BANG
    SK_NEWLINE
    SK_COMMENT
    SK_BACKSLASH
    SK_BAD      # not Python 3: '$', '?', '`', control characters (next_token's last case)

cdef unsigned char SKIP_CLASS[256]
for _byte in range(256):
    _char = chr(_byte)
    SKIP_CLASS[_byte] = (
        SK_NAME if NAME_START[_byte] else SK_DIGIT if _char.isdigit() and _byte < 0x80
        else SK_DOT if _char == "." else SK_QUOTE if _char in "'\"" else SK_OPEN if _char in "([{"
        else SK_CLOSE if _char in ")]}" else SK_COLON if _char == ":" else SK_SEMI if _char == ";"
        else SK_BANG if _char == "!" else SK_NEWLINE if _char in "\n\r"
        else SK_COMMENT if _char == "#" else SK_BACKSLASH if _char == "\\"
        else SK_PLAIN if _char in " \t\x0c,*+-/%@&|^~<>=" else SK_BAD
    )


cdef void skip_to_boundary(Scanner *S) noexcept nogil:
    """next_token, until the token it gives is one the statement loop reads: a ':' (not
    ':=') or ';' at depth 0, or the line's end. Most of a module is such runs (an assignment,
    a call, a def's parameters); their bytes are checked as next_token checks them (strings
    and f-strings, numbers, brackets, continuations, stray characters), but no token made."""
    cdef unsigned char c, k
    cdef bint raw, fmt, nonascii
    cdef Py_ssize_t start
    while S.i < S.n:
        c = S.s[S.i]
        k = SKIP_CLASS[c]
        if k == SK_PLAIN:
            S.i += 1
        elif k == SK_NAME:
            start = S.i
            S.i = name_end(S.s, S.i, S.n, &nonascii)
            # A prefix and its string are one token, as in next_token.
            if (S.i < S.n and (S.s[S.i] == b'"' or S.s[S.i] == b"'") and not nonascii
                    and string_prefix(S, start, S.i, &raw, &fmt)):
                if not scan_string(S, raw, fmt, 0):
                    S.failed = True
                    return
        elif k == SK_DIGIT or (k == SK_DOT and S.i + 1 < S.n and is_digit(S.s[S.i + 1])):
            scan_number(S)
            if S.failed:
                return
        elif k == SK_DOT:
            S.i += 1
        elif k == SK_QUOTE:
            if not scan_string(S, False, False, 0):
                S.failed = True
                return
        elif k == SK_OPEN:
            if not open_bracket(S, c):
                S.failed = True
                return
            S.i += 1
        elif k == SK_CLOSE:
            if not close_bracket(S, c):
                S.failed = True
                return
            S.i += 1
        elif k == SK_COLON:
            if S.i + 1 < S.n and S.s[S.i + 1] == b'=':
                S.i += 2  # a walrus
            elif S.depth == 0:
                break
            else:
                S.i += 1
        elif k == SK_SEMI:
            if S.depth == 0:
                break
            S.i += 1
        elif k == SK_BANG:
            if S.i + 1 >= S.n or S.s[S.i + 1] != b'=':
                break  # next_token refuses it
            S.i += 2
        elif k == SK_NEWLINE:
            if S.depth == 0:
                break  # the line's end
            take_newline(S)
        elif k == SK_COMMENT:
            skip_comment(S)
        elif k == SK_BACKSLASH:
            break  # a continuation: next_token checks what follows it
        else:
            break  # next_token refuses it
    next_token(S)


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
