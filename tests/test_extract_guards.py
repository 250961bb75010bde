"""Each import's if-branches (condition), try choices (choice, FALLBACK), MAIN and CONDITIONAL:
the ast reference pinned by hand, on both backends, odd layouts included."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modspec._codebase import extract_rules
from modspec._codebase.extract import Guard, ImportRef, extract_source, imports_ast
from modspec._codebase.extract_py import condition_guard

N, TC, OPT, DEF = Guard.NONE, Guard.TYPE_CHECKING, Guard.OPTIONAL, Guard.DEFERRED
FB, MAIN, COND = Guard.FALLBACK, Guard.MAIN, Guard.CONDITIONAL

Row = tuple[object, ...]
# As ast.unparse spells it: "lambda : x" before 3.11.
_LAMBDA = ast.unparse(ast.parse("lambda: x", mode="eval").body)

# (id, source, expected rows as ImportRef's fields, the scanner answers?)
CASES: list[tuple[str, bytes, tuple[Row, ...], bool]] = [
    (
        "if-elif-else",
        b"if t:\n    import a\nelif u:\n    import b\nelse:\n    import c\nimport d\n",
        (
            (2, 0, "a", None, N, (("t", True),)),
            (4, 0, "b", None, N, (("t", False), ("u", True))),
            (6, 0, "c", None, N, (("t", False), ("u", False))),
            (7, 0, "d", None, N),
        ),
        True,
    ),
    (
        "else-then-if-is-elif",  # ast cannot tell them apart: the same answer
        b"if t:\n    pass\nelse:\n    if u:\n        import b\n    else:\n        import c\n",
        (
            (5, 0, "b", None, N, (("t", False), ("u", True))),
            (7, 0, "c", None, N, (("t", False), ("u", False))),
        ),
        True,
    ),
    (
        "nested-ifs-outermost-first",
        b"if a:\n    if b:\n        if c:\n            import x\n        import y\n    import z\n",
        (
            (4, 0, "x", None, N, (("a", True), ("b", True), ("c", True))),
            (5, 0, "y", None, N, (("a", True), ("b", True))),
            (6, 0, "z", None, N, (("a", True),)),
        ),
        True,
    ),
    (
        "one-line-branches",
        b"if t: import a; import b\nelif u: import c\nelse: import d\nif v: import e\n",
        (
            (1, 0, "a", None, N, (("t", True),)),
            (1, 0, "b", None, N, (("t", True),)),
            (2, 0, "c", None, N, (("t", False), ("u", True))),
            (3, 0, "d", None, N, (("t", False), ("u", False))),
            (4, 0, "e", None, N, (("v", True),)),
        ),
        True,
    ),
    (
        "semicolons-before-and-after",
        b"x = 1; import a\nif t:\n    y = 2; import b; z = 3\n",
        ((1, 0, "a", None, N), (3, 0, "b", None, N, (("t", True),))),
        True,
    ),
    (
        "tests-spelled-as-unparse",
        b"if (a  # a comment\n        and b):\n    import x\n"
        b'if c == "s" \\\n        or (d):\n    import y\n'
        b"if (n := f()):\n    import z\nif e[1:2] and {k: v}:\n    import w\n",
        (
            (3, 0, "x", None, N, (("a and b", True),)),
            (6, 0, "y", None, N, (("c == 's' or d", True),)),
            (8, 0, "z", None, N, (("(n := f())", True),)),
            (10, 0, "w", None, N, (("e[1:2] and {k: v}", True),)),
        ),
        True,
    ),
    (
        "else-of-loops-is-no-branch",
        b"if t:\n    for i in x:\n        pass\n    else:\n        import a\n"
        b"    while y:\n        pass\n    else: import b\n"
        b"else:\n    import c\n",
        (
            (5, 0, "a", None, N, (("t", True),)),
            (8, 0, "b", None, N, (("t", True),)),
            (10, 0, "c", None, N, (("t", False),)),
        ),
        True,
    ),
    (
        "loop-after-if-then-else",
        b"if t:\n    import a\nfor i in x:\n    import b\nelse:\n    import c\n",
        ((2, 0, "a", None, N, (("t", True),)), (4, 0, "b", None, N), (6, 0, "c", None, N)),
        True,
    ),
    (
        "not-if-statements",
        b"while t:\n    import a\nx = b if c else d; import e\n"
        b"match v:\n    case 1 if w:\n        import f\n",
        ((2, 0, "a", None, N), (3, 0, "e", None, N), (6, 0, "f", None, N)),
        True,
    ),
    (
        "conditions-cross-functions-and-classes",
        b"if t:\n    def f():\n        import a\n    class C:\n        import b\n",
        ((3, 0, "a", None, DEF, (("t", True),)), (5, 0, "b", None, N, (("t", True),))),
        True,
    ),
    (
        "type-checking-in-condition",
        b"if TYPE_CHECKING:\n    import a\nelse:\n    import b\n",
        (
            (2, 0, "a", None, TC, (("TYPE_CHECKING", True),)),
            (4, 0, "b", None, N, (("TYPE_CHECKING", False),)),
        ),
        True,
    ),
    (
        "main",
        b'if __name__ == "__main__":\n    import a\nelse:\n    import b\n'
        b"if '__main__' == __name__: import c\n"
        b"if __name__ != '__main__':\n    import d\nelse:\n    import e\n"
        b"if __name__ == '__main__' and x:\n    import f\n"
        b"if t:\n    if __name__ == '__main__':\n        import g\n",
        (
            (2, 0, "a", None, MAIN, (("__name__ == '__main__'", True),)),
            (4, 0, "b", None, N, (("__name__ == '__main__'", False),)),
            (5, 0, "c", None, MAIN, (("'__main__' == __name__", True),)),
            (7, 0, "d", None, N, (("__name__ != '__main__'", True),)),
            (9, 0, "e", None, MAIN, (("__name__ != '__main__'", False),)),
            (11, 0, "f", None, N, (("__name__ == '__main__' and x", True),)),
            (14, 0, "g", None, MAIN, (("t", True), ("__name__ == '__main__'", True))),
        ),
        True,
    ),
    (
        "conditional",
        b"if sys.platform == 'win32':\n    import a\nelse:\n    import b\n"
        b"if sys.version_info >= (3, 11): import c\n"
        b"if os.name == 'nt': import d\n"
        b"if sys.implementation.name == 'pypy': import e\n"
        b"if platform.system() == 'Darwin': import f\n"
        b"if platform.python_implementation() != 'CPython': import g\n"
        b"if sys.maxsize > 2**32: import h\n"
        b"if x and not sys.platform.startswith('linux'): import i\n"
        b"if mysys.platform == 'x' or sys.platforms or os.name_: import j\n"
        b"if sys.platform == 'win32':\n    if t:\n        import k\n",
        (
            (2, 0, "a", None, COND, (("sys.platform == 'win32'", True),)),
            (4, 0, "b", None, COND, (("sys.platform == 'win32'", False),)),
            (5, 0, "c", None, COND, (("sys.version_info >= (3, 11)", True),)),
            (6, 0, "d", None, COND, (("os.name == 'nt'", True),)),
            (7, 0, "e", None, COND, (("sys.implementation.name == 'pypy'", True),)),
            (8, 0, "f", None, COND, (("platform.system() == 'Darwin'", True),)),
            (9, 0, "g", None, COND, (("platform.python_implementation() != 'CPython'", True),)),
            (10, 0, "h", None, COND, (("sys.maxsize > 2 ** 32", True),)),
            (11, 0, "i", None, COND, (("x and (not sys.platform.startswith('linux'))", True),)),
            (12, 0, "j", None, N, (("mysys.platform == 'x' or sys.platforms or os.name_", True),)),
            (15, 0, "k", None, COND, (("sys.platform == 'win32'", True), ("t", True))),
        ),
        True,
    ),
    (
        "try-clauses-choose",
        b"try:\n    import a\nexcept KeyError:\n    import b\nexcept ImportError:\n    import c\n"
        b"except:\n    import d\nelse:\n    import e\nfinally:\n    import f\n",
        (
            (2, 0, "a", None, OPT, (), ((1, 0),)),
            (4, 0, "b", None, N, (), ((1, 1),)),
            (6, 0, "c", None, FB, (), ((1, 2),)),
            (8, 0, "d", None, FB, (), ((1, 3),)),
            (10, 0, "e", None, N, (), ((1, 0),)),
            (12, 0, "f", None, N),
        ),
        True,
    ),
    (
        "try-that-catches-no-import-error",
        b"try:\n    import a\nexcept KeyError:\n    import b\nelse:\n    import c\n"
        b"try:\n    import d\nfinally:\n    import e\n",
        (
            (2, 0, "a", None, N),
            (4, 0, "b", None, N),
            (6, 0, "c", None, N),
            (8, 0, "d", None, N),
            (10, 0, "e", None, N),
        ),
        True,
    ),
    (
        "one-line-try",
        b"try: import a\nexcept (OSError, ImportError): import b\nelse: import c\n",
        (
            (1, 0, "a", None, OPT, (), ((1, 0),)),
            (2, 0, "b", None, FB, (), ((1, 1),)),
            (3, 0, "c", None, N, (), ((1, 0),)),
        ),
        True,
    ),
    (
        "nested-tries-outermost-first",
        b"try:\n    import a\nexcept ImportError:\n    try:\n        import b\n"
        b"    except ModuleNotFoundError:\n        import c\n",
        (
            (2, 0, "a", None, OPT, (), ((1, 0),)),
            (5, 0, "b", None, OPT | FB, (), ((1, 1), (4, 0))),
            (7, 0, "c", None, FB, (), ((1, 1), (4, 1))),
        ),
        True,
    ),
    (
        "choice-inside-a-non-choosing-try",
        b"try:\n    try:\n        import a\n    except ImportError:\n        import b\n"
        b"except KeyError:\n    pass\n",
        ((3, 0, "a", None, OPT, (), ((2, 0),)), (5, 0, "b", None, FB, (), ((2, 1),))),
        True,
    ),
    (
        "condition-and-choice",
        b"if sys.version_info < (3, 11):\n    try:\n        import tomli as toml\n"
        b"    except ImportError:\n        toml = None\nelse:\n    import tomllib as toml\n",
        (
            (3, 0, "tomli", None, OPT | COND, (("sys.version_info < (3, 11)", True),), ((2, 0),)),
            (7, 0, "tomllib", None, COND, (("sys.version_info < (3, 11)", False),)),
        ),
        True,
    ),
    (
        "fallback-in-a-function",
        b"def f():\n    try:\n        import a\n    except Exception:\n        import b\n",
        ((3, 0, "a", None, OPT | DEF, (), ((2, 0),)), (5, 0, "b", None, FB | DEF, (), ((2, 1),))),
        True,
    ),
    (
        "tabs-and-crlf",
        b"if t:\r\n\timport a\r\nelif u:\r\n\ttry:\r\n\t\timport b\r\n\texcept:\r\n\t\tpass\r\n",
        (
            (2, 0, "a", None, N, (("t", True),)),
            (5, 0, "b", None, OPT, (("t", False), ("u", True)), ((4, 0),)),
        ),
        True,
    ),
    (
        "decorated-and-async",
        b"if t:\n    @dec\n    async def f():\n        import a\nelse:\n    async for i in x:\n"
        b"        pass\n    else:\n        import b\n",
        ((4, 0, "a", None, DEF, (("t", True),)), (9, 0, "b", None, N, (("t", False),))),
        True,
    ),
    # The scanner reads `lambda` as the test (its first colon ends the header): the text does
    # not parse alone, and the file goes to ast.
    (
        "lambda-in-a-test",
        b"if lambda: x:\n    import a\n",
        ((2, 0, "a", None, N, ((_LAMBDA, True),)),),
        False,
    ),
]


@pytest.mark.parametrize(
    ("source", "expected", "fast"),
    [pytest.param(source, expected, fast, id=ident) for ident, source, expected, fast in CASES],
)
def test_case(backend: str, source: bytes, expected: tuple[Row, ...], fast: bool) -> None:
    reference = imports_ast(source)
    assert reference == tuple(ImportRef(*row) for row in expected)  # type: ignore[arg-type]
    assert extract_source(source, backend=backend) == (reference, fast and backend == "cython")


# Sources that do not parse, for an if, elif, else, try or except out of place: the scanner
# declines them (it answered some before), and ast raises.
BROKEN = [
    ("else-after-with", b"with a:\n    pass\nelse:\n    import b\n"),
    ("elif-after-else", b"if a:\n    pass\nelse:\n    pass\nelif b:\n    import c\n"),
    ("try-without-clause", b"try:\n    import a\nimport b\n"),
    ("try-without-clause-at-the-end", b"try:\n    import a\n"),
    ("else-without-handler", b"try:\n    import a\nelse:\n    import b\n"),
    ("except-after-finally", b"try:\n    pass\nfinally:\n    pass\nexcept:\n    import a\n"),
    ("else-of-def", b"def f():\n    pass\nelse:\n    import a\n"),
    ("header-without-colon", b"else\nimport a\n"),
]


@pytest.mark.parametrize("source", [pytest.param(source, id=ident) for ident, source in BROKEN])
def test_broken_source_raises(backend: str, source: bytes) -> None:
    with pytest.raises(SyntaxError):
        imports_ast(source)
    with pytest.raises(SyntaxError):
        extract_source(source, backend=backend)


def test_guard_values_are_the_rules() -> None:
    # extract_rules cannot import Guard (extract_py imports it): its bits must be Guard's.
    assert (extract_rules.MAIN, extract_rules.CONDITIONAL) == (Guard.MAIN, Guard.CONDITIONAL)
    assert [int(g) for g in (FB, Guard.LAZY, MAIN, COND)] == [8, 16, 32, 64]


@pytest.mark.parametrize(
    ("condition", "guard"),
    [
        ((), N),
        ((("__name__ == '__main__'", True),), MAIN),
        ((("__name__ == '__main__'", False),), N),
        ((("x", True), ("sys.platform == 'win32'", False)), COND),
        ((("__name__ == '__main__'", True), ("os.name == 'nt'", True)), MAIN | COND),
        ((("__name__ == __main__", True),), N),  # a name, not the string
        ((("__name__ is '__main__'", True),), N),
        ((("not a test(", True),), N),
    ],
)
def test_condition_guard(condition: tuple[tuple[str, bool], ...], guard: Guard) -> None:
    assert condition_guard(condition) == guard


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("TYPE_CHECKING", "TYPE_CHECKING"),
        ("typing . TYPE_CHECKING", "typing.TYPE_CHECKING"),
        ('(a == "b")', "a == 'b'"),
        ("a  # comment", "a"),
        ("x if y else z", "x if y else z"),
        ("lambda", None),  # a keyword: not the dotted name it looks like
        ("a.if", None),
        ("x = 1", None),
        ("f(", None),
        ("\uff34YPE_CHECKING", "TYPE_CHECKING"),  # NFKC, as ast normalises names
    ],
)
def test_spelled_test(text: str, spelled: str | None) -> None:
    assert extract_rules.spelled_test(text) == spelled


# -- spelled: ast.unparse, sooner ---------------------------------------------------------------

_NAMES = st.sampled_from(["a", "sys", "platform", "x1"])
_LEAVES = st.one_of(
    _NAMES.map(lambda name: ast.Name(name, ast.Load())),
    st.sampled_from([0, 1, -1, 2**40, True, None, "s", "it's", 'q"', b"b", 1.5, ...]).map(
        ast.Constant
    ),
)


def _extend(inner: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    ops = st.sampled_from
    return st.one_of(
        st.builds(ast.Attribute, inner, _NAMES, st.just(ast.Load())),
        st.builds(ast.Call, inner, st.lists(inner, max_size=2), st.just([])),
        st.builds(
            lambda f, v: ast.Call(f, [], [ast.keyword("k", v), ast.keyword(None, v)]), inner, inner
        ),
        st.builds(
            lambda left, pairs: ast.Compare(left, [p[0] for p in pairs], [p[1] for p in pairs]),
            inner,
            st.lists(
                st.tuples(ops([ast.Eq(), ast.NotIn(), ast.IsNot(), ast.Lt()]), inner),
                min_size=1,
                max_size=2,
            ),
        ),
        st.builds(ast.BoolOp, ops([ast.And(), ast.Or()]), st.lists(inner, min_size=2, max_size=3)),
        st.builds(ast.UnaryOp, ops([ast.Not(), ast.USub(), ast.Invert()]), inner),
        st.builds(ast.BinOp, inner, ops([ast.Add(), ast.Pow(), ast.BitOr(), ast.Mod()]), inner),
        st.builds(ast.Subscript, inner, inner, st.just(ast.Load())),
        st.builds(ast.Tuple, st.lists(inner, max_size=3), st.just(ast.Load())),
        st.builds(ast.List, st.lists(inner, max_size=2), st.just(ast.Load())),
        st.builds(ast.Starred, inner, st.just(ast.Load())),
    )


@settings(max_examples=500, deadline=None)
@given(test=st.recursive(_LEAVES, _extend, max_leaves=12))
def test_spelled_as_unparse(test: ast.expr) -> None:
    try:
        expected = ast.unparse(test)
    except (AttributeError, TypeError, ValueError):
        return  # a tree ast.unparse itself cannot write (a Starred alone)
    assert extract_rules.spelled(test) == expected
