# Included by extract_c.pyx: the compound statements open around a line, which scope the guards,
# the if-branches' conditions and the try statements' choices; and the nodes that hold those.
# It uses that module's cimports and declarations (Scanner, Block, Context, the enums).

# -- nodes ------------------------------------------------------------------------------------

cdef bint grow(void **items, int *capacity, int count, size_t size) noexcept nogil:
    """Room for one more item in a realloc'ed array; False when memory runs out."""
    cdef void *grown
    cdef int wanted
    if count < capacity[0]:
        return True
    wanted = capacity[0] * 2 if capacity[0] else 16
    grown = realloc(items[0], wanted * size)
    if grown == NULL:
        return False
    items[0] = grown
    capacity[0] = wanted
    return True


cdef int new_condition(Scanner *S, int parent, Py_ssize_t start, Py_ssize_t end,
                       bint truth) noexcept nogil:
    """A condition: ``parent``'s clauses and the test s[start:end], needed ``truth``."""
    if not grow(<void **> &S.conditions, &S.condition_capacity, S.nconditions,
                sizeof(ConditionNode)):
        S.failed = True
        return -1
    S.conditions[S.nconditions].parent = parent
    S.conditions[S.nconditions].start = start
    S.conditions[S.nconditions].end = end
    S.conditions[S.nconditions].truth = truth
    S.nconditions += 1
    return S.nconditions - 1


cdef int negated(Scanner *S, int test) noexcept nogil:
    """The condition of the branch after the one ``test`` opens (an elif's or an else's)."""
    cdef int parent = S.conditions[test].parent
    cdef Py_ssize_t start = S.conditions[test].start, end = S.conditions[test].end
    return new_condition(S, parent, start, end, False)


cdef int new_choice(Scanner *S, int parent, Py_ssize_t line, int k, int owner) noexcept nogil:
    """A choice: ``parent``'s and (line, k) of a try statement; ``owner``: the node of that
    try's body, whose ``valid`` says whether it catches ImportError (-1: this is that node)."""
    if not grow(<void **> &S.choices, &S.choice_capacity, S.nchoices, sizeof(ChoiceNode)):
        S.failed = True
        return -1
    S.choices[S.nchoices].parent = parent
    S.choices[S.nchoices].line = line
    S.choices[S.nchoices].k = k
    S.choices[S.nchoices].owner = S.nchoices if owner < 0 else owner
    S.choices[S.nchoices].valid = False
    S.nchoices += 1
    return S.nchoices - 1


cdef bint add_lazy_statement(Scanner *S, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """A statement of the module's body that may set __lazy_modules__, s[start:end]."""
    if not grow(<void **> &S.lazies, &S.lazy_capacity, S.nlazies, sizeof(LazyStatement)):
        return False
    S.lazies[S.nlazies].record = S.count
    S.lazies[S.nlazies].start = start
    S.lazies[S.nlazies].end = end
    S.nlazies += 1
    return True


# -- blocks -----------------------------------------------------------------------------------

cdef inline bint is_clause(int kind) noexcept nogil:
    return kind == K_ELIF or kind == K_ELSE or kind == K_EXCEPT or kind == K_FINALLY


cdef bint continues(Block *B, int kind) noexcept nogil:
    """Whether a clause of ``kind`` may follow the compound statement B, as it stands."""
    if kind == K_ELIF:
        return B.kind == B_IF and B.state == 0
    if kind == K_ELSE:
        # An if's else, a loop's, or a try's after its handlers: not an if-branch but for the
        # first.
        return ((B.kind == B_IF or B.kind == B_LOOP) and B.state == 0
                or B.kind == B_TRY and B.state == 1)
    if kind == K_EXCEPT:
        return B.kind == B_TRY and B.state <= 1
    return B.kind == B_TRY and B.state <= 2  # finally


cdef bint close_block(Scanner *S) noexcept nogil:
    """Pop the innermost compound statement; False for a try that had no clause after its
    body (a SyntaxError)."""
    S.nblocks -= 1
    return not (S.blocks[S.nblocks].kind == B_TRY and S.blocks[S.nblocks].state == 0)


cdef Block *push_block(Scanner *S, int column, int kind, Context *outer) noexcept nogil:
    cdef Block *B
    if S.nblocks >= MAX_INDENT:
        S.failed = True
        return NULL
    B = &S.blocks[S.nblocks]
    S.nblocks += 1
    B.column = column
    B.kind = kind
    B.state = 0
    B.outer = outer[0]
    return B


cdef bint open_line(Scanner *S, int column, int kind, Context *outer, Context *body) noexcept nogil:
    """Close the compound statements a line of ``kind`` at ``column`` ends; the context of its
    statements (``outer``) and, for a compound statement's header, of its body (``body``).
    Reads the header of an if, elif or except. False to decline."""
    cdef Block *B = NULL
    cdef int answer, parent
    cdef Py_ssize_t k
    if kind == K_OTHER and (S.nblocks == 0 or S.blocks[S.nblocks - 1].column < column):
        # Most lines: a simple statement in the innermost block, or at the top.
        if S.nblocks:
            outer[0] = S.blocks[S.nblocks - 1].body
        else:
            outer.flags = 0
            outer.condition = -1
            outer.choice = -1
        return True
    # Those indented deeper end here; the one at this column too, unless the line continues
    # it (an elif, else, except or finally, which must follow a statement they continue).
    while S.nblocks and S.blocks[S.nblocks - 1].column > column:
        if not close_block(S):
            return False
    if S.nblocks and S.blocks[S.nblocks - 1].column == column:
        if is_clause(kind):
            B = &S.blocks[S.nblocks - 1]
            if not continues(B, kind):
                return False
        elif not close_block(S):
            return False
    elif is_clause(kind):
        return False
    if B != NULL:
        outer[0] = B.outer
    elif S.nblocks:
        outer[0] = S.blocks[S.nblocks - 1].body
    else:
        outer.flags = 0
        outer.condition = -1
        outer.choice = -1
    body[0] = outer[0]
    if kind == K_OTHER or kind == K_WITH:
        return True
    if kind == K_IF or kind == K_ELIF:
        if not read_header(S, False) or S.nheader == 0:
            return False
        answer = type_checking_test(S)
        if answer == UNSURE:
            return False
        if answer == YES:
            body.flags |= G_TYPE_CHECKING
        if kind == K_IF:
            B = push_block(S, column, B_IF, outer)
            if B == NULL:
                return False
            parent = outer.condition
        else:
            parent = negated(S, B.test)
        B.test = new_condition(S, parent, S.header[0].start, S.header[S.nheader - 1].end, True)
        body.condition = B.test
    elif kind == K_ELSE:
        if B.kind == B_IF:
            body.condition = negated(S, B.test)
        elif B.kind == B_TRY:
            body.flags |= C_TRY
            body.choice = B.body_choice
        B.state += 1
    elif kind == K_LOOP:
        B = push_block(S, column, B_LOOP, outer)
    elif kind == K_TRY:
        B = push_block(S, column, B_TRY, outer)
        if B == NULL:
            return False
        B.try_line = S.tline
        B.try_start = S.count
        B.try_end = -1
        B.handlers = 0
        B.body_choice = new_choice(S, outer.choice, S.tline, 0, -1)
        body.flags |= C_TRY
        body.choice = B.body_choice
    elif kind == K_EXCEPT:
        B.state = 1
        B.handlers += 1
        if B.try_end < 0:
            B.try_end = S.count
        if not read_header(S, True):
            return False
        answer = catches_import_error(S)
        if answer == UNSURE:
            return False
        body.flags |= C_TRY
        body.choice = new_choice(S, outer.choice, B.try_line, B.handlers, B.body_choice)
        if answer == YES:
            S.choices[B.body_choice].valid = True
            for k in range(B.try_start, B.try_end):
                S.records[k].flags |= G_OPTIONAL
            body.flags |= G_FALLBACK
    elif kind == K_FINALLY:
        B.state = 3
        body.flags |= C_TRY
    elif kind == K_DEF:
        B = push_block(S, column, B_SCOPE, outer)
        body.flags |= G_DEFERRED
    elif kind == K_CLASS:
        B = push_block(S, column, B_SCOPE, outer)
        body.flags |= C_CLASS
    if S.failed or B == NULL:
        return False
    B.body = body[0]
    return True


cdef bint close_all(Scanner *S) noexcept nogil:
    """At the end of the source: False if a try is left with no clause after its body."""
    while S.nblocks:
        if not close_block(S):
            return False
    return True
