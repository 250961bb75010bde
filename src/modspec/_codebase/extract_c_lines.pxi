# Included by extract_c.pyx: logical lines: indentation, the kind of each line, the headers
# read, and the block structure that scopes the guards.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

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
    for headers whose test is read (if, elif, except, except*), and after `async`."""
    cdef Py_ssize_t length = S.end - S.start
    cdef unsigned char first
    # Most lines start with some other name: its length or first letter tells at once.
    if S.kind != T_NAME or length < 2 or length > 7:
        return K_OTHER
    first = S.s[S.start]
    if first == b'i':
        if name_is(S, b"if", 2):
            next_token(S)
            return K_IF
    elif first == b'e':
        if name_is(S, b"elif", 4):
            next_token(S)
            return K_ELIF
        if name_is(S, b"else", 4):
            return K_ELSE
        if name_is(S, b"except", 6):
            next_token(S)
            if S.kind == T_STAR:
                if not EXCEPT_STAR:
                    S.failed = True
                next_token(S)
            return K_EXCEPT
    elif first == b'd':
        if name_is(S, b"def", 3):
            return K_DEF
    elif first == b'c':
        if name_is(S, b"class", 5):
            return K_CLASS
    elif first == b'f':
        if name_is(S, b"for", 3):
            return K_LOOP
        if name_is(S, b"finally", 7):
            return K_FINALLY
    elif first == b'w':
        if name_is(S, b"while", 5):
            return K_LOOP
        if name_is(S, b"with", 4):
            return K_WITH
    elif first == b't':
        if name_is(S, b"try", 3):
            return K_TRY
    elif first == b'a':
        if name_is(S, b"async", 5):
            next_token(S)
            if name_is(S, b"def", 3):
                return K_DEF
            if name_is(S, b"for", 3):
                return K_LOOP
            return K_WITH if name_is(S, b"with", 4) else K_OTHER
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
    cdef int kind
    cdef Context outer, body
    cdef Context *context = &outer  # of the statements read: outer, then body after a header
    cdef Py_ssize_t line, lazy_start = -1
    cdef bint statement_start, certain, header_open, colon_last, printed, raising = False
    kind = line_kind(S)
    if S.failed or not open_line(S, column, kind, &outer, &body):
        return False
    # The statements of the line: an import starts a simple statement, which starts the line,
    # or follows a ';' or the colon of a compound statement's header. ``certain``: it does
    # (a colon of a line that is no compound header may be an annotation's or a lambda's:
    # where only the soft keyword would tell, `x: lazy import a`, the scanner declines).
    statement_start = certain = kind == K_OTHER
    header_open = kind != K_OTHER
    colon_last = False
    while S.kind != T_NEWLINE:
        if S.failed:
            return False
        colon_last = False
        if S.depth == 0 and S.kind == T_COLON:
            certain = header_open
            if header_open:
                header_open = False
                context = &body
            statement_start = True
            colon_last = True
            next_token(S)
        elif S.depth == 0 and S.kind == T_SEMI:
            if lazy_start >= 0:
                if not add_lazy_statement(S, lazy_start, S.start):
                    return False
                lazy_start = -1
            statement_start = certain = True
            raising = False
            next_token(S)
        elif statement_start and S.kind == T_NAME:
            statement_start = False
            if name_is(S, b"import", 6) or name_is(S, b"from", 4):
                if not import_or_from(S, S.tline, context, False):
                    return False
            elif name_is(S, b"lazy", 4):
                # PEP 810 (3.15): `lazy` before `import` or `from` that start a simple
                # statement is a soft keyword; anywhere else, a name.
                line = S.tline
                next_token(S)
                if name_is(S, b"import", 6) or name_is(S, b"from", 4):
                    # A SyntaxError in a function, a class body or a try statement (and,
                    # for the scanner, where a statement may not start): ast says so.
                    if not certain or context.flags & (G_DEFERRED | C_CLASS | C_TRY):
                        return False
                    if not import_or_from(S, line, context, True):
                        return False
            elif (certain and column == 0 and kind == K_OTHER
                    and (name_is(S, b"__lazy_modules__", 16) or S.nonascii)):
                # A statement of the module's body that may bind __lazy_modules__ (a
                # non-ASCII name may normalise to it): the front reads it.
                lazy_start = S.start
                next_token(S)
            else:
                printed = name_is(S, b"print", 5) or name_is(S, b"exec", 4)
                raising = name_is(S, b"raise", 5)
                next_token(S)
                if printed and S.kind in (T_NAME, T_STRING, T_NUMBER):
                    return False  # a Python 2 print or exec statement: let ast say so
        else:
            if raising:
                if S.depth == 0 and S.kind == T_COMMA:
                    return False  # `raise E, "message"` (Python 2)
                next_token(S)
            else:
                # Nothing up to the next ':' or ';' at depth 0 (or the line's end) can start
                # an import: past it at a fraction of next_token's cost.
                skip_to_boundary(S)
            statement_start = False
    if S.failed or header_open:
        return False  # a compound statement's header with no colon
    if lazy_start >= 0 and not add_lazy_statement(S, lazy_start, S.start):
        return False
    block[0] = colon_last
    return True
