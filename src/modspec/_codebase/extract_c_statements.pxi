# Included by extract_c.pyx: the guard a block header gives (if TYPE_CHECKING, except
# ImportError) and the records an import statement gives.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

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
                     int flags, Context *context) noexcept nogil:
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
    S.records[S.count].condition = context.condition
    S.records[S.count].choice = context.choice
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


cdef bint import_or_from(Scanner *S, Py_ssize_t line, Context *context, bint lazy) noexcept nogil:
    """An import statement from its `import` or `from`, on ``line`` (a lazy one's is that of
    its `lazy`), through the end of its simple statement."""
    cdef int flags = context.flags & G_MASK
    # PEP 810: where `lazy` may stand, __lazy_modules__ may make an import lazy.
    cdef bint eligible = not (context.flags & (G_DEFERRED | C_CLASS | C_TRY))
    if lazy:
        flags |= G_LAZY
    if name_is(S, b"import", 6):
        if not import_statement(S, line, flags | (R_ELIGIBLE if eligible else 0), context):
            return False
    elif not from_statement(S, line, flags, eligible, lazy, context):
        return False
    return S.kind == T_SEMI or S.kind == T_NEWLINE


cdef bint import_statement(Scanner *S, Py_ssize_t line, int flags, Context *context) noexcept nogil:
    """`import a.b as c, d` from its first token; leaves the token after it."""
    cdef Py_ssize_t start, length
    next_token(S)
    while True:
        if not dotted_name(S, &start, &length) or not skip_alias(S):
            return False
        if not add_record(S, line, 0, start, length, -1, 0, flags, context):
            return False
        if S.kind != T_COMMA:
            return True
        next_token(S)


cdef bint from_statement(Scanner *S, Py_ssize_t line, int flags, bint eligible, bint lazy,
                         Context *context) noexcept nogil:
    """`from ..a import (b as c, d)` from its first token; leaves the token after it. Past
    ``eligible``, __lazy_modules__ may make it lazy if absolute and no future statement."""
    cdef Py_ssize_t module_start = 0, module_len = 0
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
    if level == 0 and is_word(S, module_start, module_start + module_len, b"__future__", 10):
        if lazy:
            return False  # PEP 810: a SyntaxError
        eligible = False
    if eligible and level == 0:
        flags |= R_ELIGIBLE
    next_token(S)
    if S.kind == T_STAR:
        if lazy:
            return False  # PEP 810: a SyntaxError
        if not add_record(S, line, level, module_start, module_len, S.start, 1,
                          flags & ~R_ELIGIBLE, context):
            return False
        next_token(S)
        return True
    parenthesized = S.kind == T_OPEN and S.s[S.start] == b'('
    if parenthesized:
        next_token(S)
    while True:
        if S.kind != T_NAME or S.nonascii:
            return False
        if not add_record(S, line, level, module_start, module_len, S.start, S.end - S.start,
                          flags, context):
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
