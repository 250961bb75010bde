"""PEP 810's lazy imports (Python 3.15), read on every version by both extractors.

The PEP's final rules, case by case: the forms of the soft keyword, each SyntaxError, the
names that stay names, and a literal ``__lazy_modules__``. No interpreter here parses
`lazy`: the ast path reads it by tokenize (extract_rules.without_lazy), the scanner by its
own lexer; on the rest of a file both must give what ast gives for its eager twin.
"""

from __future__ import annotations

import re
import sys

import pytest

from modspec._codebase.extract import Guard, ImportRef, extract_source, imports_ast

N, TC, OPT, DEF = Guard.NONE, Guard.TYPE_CHECKING, Guard.OPTIONAL, Guard.DEFERRED
LAZY, COND = Guard.LAZY, Guard.CONDITIONAL

Row = tuple[object, ...]


def _check(backend: str, source: bytes, expected: tuple[Row, ...], fast: bool) -> None:
    reference = imports_ast(source)
    assert reference == tuple(ImportRef(*row) for row in expected)  # type: ignore[arg-type]
    assert extract_source(source, backend=backend) == (reference, fast and backend == "cython")


# -- the soft keyword: valid forms --------------------------------------------------------------

# (id, source, expected rows, the scanner answers?)
FORMS: list[tuple[str, bytes, tuple[Row, ...], bool]] = [
    ("import", b"lazy import a\n", ((1, 0, "a", None, LAZY),), True),
    (
        "import-dotted-as-several",
        b"lazy import a.b as c, d\n",
        ((1, 0, "a.b", None, LAZY), (1, 0, "d", None, LAZY)),
        True,
    ),
    (
        "from-forms",
        b"lazy from x import y\nlazy from x.y import (z as w,\n    v,)\n"
        b"lazy from . import s\nlazy from ..p.q import r\n",
        (
            (1, 0, "x", "y", LAZY),
            (2, 0, "x.y", "z", LAZY),
            (2, 0, "x.y", "v", LAZY),
            (4, 1, "", "s", LAZY),
            (5, 2, "p.q", "r", LAZY),
        ),
        True,
    ),
    (
        "module-level-blocks",  # module scope: an if, a with, a loop (and their else) allow it
        b"if TYPE_CHECKING:\n    lazy import a\nelse:\n    lazy import b\n"
        b"with x:\n    lazy import c\nfor i in y:\n    lazy import d\nelse:\n    lazy import e\n"
        b"while z: lazy import f\n",
        (
            (2, 0, "a", None, TC | LAZY, (("TYPE_CHECKING", True),)),
            (4, 0, "b", None, LAZY, (("TYPE_CHECKING", False),)),
            (6, 0, "c", None, LAZY),
            (8, 0, "d", None, LAZY),
            (10, 0, "e", None, LAZY),
            (11, 0, "f", None, LAZY),
        ),
        True,
    ),
    (
        "after-semicolons-and-headers",
        b"x = 1; lazy import a; lazy from b import c\nif sys.platform == 'win32': lazy import d\n",
        (
            (1, 0, "a", None, LAZY),
            (1, 0, "b", "c", LAZY),
            (2, 0, "d", None, LAZY | COND, (("sys.platform == 'win32'", True),)),
        ),
        True,
    ),
    (
        "continued-lines",  # a lazy import's line is its `lazy`'s, where 3.15's ast starts it
        b"lazy \\\n    import a\nlazy from b \\\n    import c  # a comment\n",
        ((1, 0, "a", None, LAZY), (3, 0, "b", "c", LAZY)),
        True,
    ),
    (
        "crlf-tabs-bom",
        b"\xef\xbb\xbfif x:\r\n\tlazy import a\r\nlazy import b",
        ((2, 0, "a", None, LAZY, (("x", True),)), (3, 0, "b", None, LAZY)),
        True,
    ),
    (
        "non-ascii-before-it",
        "é = 1; lazy import a\ns = 'ü'; lazy import b\n".encode(),
        ((1, 0, "a", None, LAZY), (2, 0, "b", None, LAZY)),
        True,
    ),
    (
        "latin-1-cookie",  # the scanner declines the cookie: ast reads the lazy imports
        "# coding: latin-1\ns = 'é'; lazy import a\n".encode("latin-1"),
        ((2, 0, "a", None, LAZY),),
        False,
    ),
    (
        "in-a-match-case",  # valid; the scanner cannot tell the colon of `case` from a lambda's
        b"match x:\n    case 1: lazy import a\n",
        ((2, 0, "a", None, LAZY),),
        False,
    ),
]


@pytest.mark.parametrize(
    ("source", "expected", "fast"),
    [pytest.param(source, expected, fast, id=ident) for ident, source, expected, fast in FORMS],
)
def test_form(backend: str, source: bytes, expected: tuple[Row, ...], fast: bool) -> None:
    _check(backend, source, expected, fast)


# -- the soft keyword where PEP 810 refuses it ---------------------------------------------------

# (id, source, the message of CPython 3.15 the ast path gives, its line)
REFUSED: list[tuple[str, bytes, str, int]] = [
    ("function", b"def f():\n    lazy import a\n", "lazy import not allowed inside functions", 2),
    (
        "async-function",
        b"async def f():\n    lazy from a import b\n",
        "lazy from ... import not allowed inside functions",
        2,
    ),
    ("class", b"class C:\n    lazy import a\n", "lazy import not allowed inside classes", 2),
    ("class-one-line", b"class C: lazy import a\n", "lazy import not allowed inside classes", 1),
    (
        "function-in-a-module-level-if",
        b"if x:\n    def f(): lazy import a\n",
        "lazy import not allowed inside functions",
        2,
    ),
    (
        "try-body",
        b"try:\n    lazy import a\nexcept ImportError:\n    pass\n",
        "lazy import not allowed inside try/except blocks",
        2,
    ),
    (
        "try-handler",
        b"try:\n    pass\nexcept ImportError:\n    lazy import a\n",
        "lazy import not allowed inside try/except blocks",
        4,
    ),
    (
        "try-else",
        b"try:\n    pass\nexcept KeyError:\n    pass\nelse:\n    lazy from a import b\n",
        "lazy from ... import not allowed inside try/except blocks",
        6,
    ),
    (
        "try-finally",
        b"try:\n    pass\nfinally: lazy import a\n",
        "lazy import not allowed inside try/except blocks",
        3,
    ),
    (
        "with-in-a-try",
        b"try:\n    with x:\n        lazy import a\nfinally:\n    pass\n",
        "lazy import not allowed inside try/except blocks",
        3,
    ),
    (
        "try-in-a-function",  # CPython checks the try first
        b"def f():\n    try:\n        lazy import a\n    except:\n        pass\n",
        "lazy import not allowed inside try/except blocks",
        3,
    ),
    ("star", b"lazy from a import *\n", "lazy from ... import * is not allowed", 1),
    (
        "future",
        b"lazy from __future__ import annotations\n",
        "lazy from __future__ import is not allowed",
        1,
    ),
    ("annotation-colon", b"x: lazy import a\n", "invalid syntax", 1),
]


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [pytest.param(source, message, line, id=ident) for ident, source, message, line in REFUSED],
)
def test_refused(backend: str, source: bytes, message: str, line: int) -> None:
    with pytest.raises(SyntaxError) as raised:
        imports_ast(source)
    assert (raised.value.msg, raised.value.lineno) == (message, line)
    # The scanner declines each: the error is ast's, on either backend.
    with pytest.raises(SyntaxError, match=re.escape(message)):
        extract_source(source, backend=backend)


def test_refused_in_except_star(backend: str) -> None:
    if sys.version_info < (3, 11):
        pytest.skip("except* is 3.11+")
    source = b"try:\n    pass\nexcept* ImportError:\n    lazy import a\n"
    with pytest.raises(SyntaxError, match="inside try/except blocks"):
        extract_source(source, backend=backend)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"from x lazy import y\n", id="keyword-after-from"),
        pytest.param(b"lazy import\n", id="nothing-imported"),
        pytest.param(b"lazy from x import\n", id="nothing-imported-from"),
    ],
)
def test_not_a_statement(backend: str, source: bytes) -> None:
    with pytest.raises(SyntaxError):
        imports_ast(source)
    with pytest.raises(SyntaxError):
        extract_source(source, backend=backend)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"(lazy import a)\n", id="in-brackets"),
        pytest.param(b"x = lazy import a\n", id="in-an-expression"),
    ],
)
def test_not_a_statement_for_ast(source: bytes) -> None:
    # No statement starts there, so the scanner reads no import there, as it reads none in
    # `(import a)`: it does not check the grammar (extract.py says so). ast refuses them.
    with pytest.raises(SyntaxError):
        imports_ast(source)


# -- `lazy` that is a name ---------------------------------------------------------------------

NAMES = (
    b"lazy = 1\nlazy.x = 2\nlazy(1)\nprint(lazy)\nlazy[0] = 1\nlazy: int = 1\ndel lazy\n"
    b"def lazy(): pass\nclass lazy: pass\nraise lazy from None\nlazy\nimport a\n"
    b"import lazy\nfrom lazy import b\nfrom . lazy import c\nfrom .lazy import d\n"
    b"s = 'lazy import e'  # lazy import f\nf(lazy, import_)\nlazy ; import g\n"
)


def test_names_stay_names(backend: str) -> None:
    _check(
        backend,
        NAMES,
        (
            (12, 0, "a", None, N),
            (13, 0, "lazy", None, N),
            (14, 0, "lazy", "b", N),
            (15, 1, "lazy", "c", N),
            (16, 1, "lazy", "d", N),
            (19, 0, "g", None, N),
        ),
        True,
    )


# -- __lazy_modules__ --------------------------------------------------------------------------

MODULES: list[tuple[str, bytes, tuple[Row, ...]]] = [
    (
        "full-names",  # `import a.b` looks up "a.b", `from a import b` "a"
        b"__lazy_modules__ = ['json', 'a.b']\nimport json\nimport a.b\nimport a\n"
        b"from json import loads\nfrom a.b import c\nfrom a import b\nimport json.tool\n",
        (
            (2, 0, "json", None, LAZY),
            (3, 0, "a.b", None, LAZY),
            (4, 0, "a", None, N),
            (5, 0, "json", "loads", LAZY),
            (6, 0, "a.b", "c", LAZY),
            (7, 0, "a", "b", N),
            (8, 0, "json.tool", None, N),
        ),
    ),
    (
        "only-after-it",
        b"import json\n__lazy_modules__ = ('json',)\nimport json; __lazy_modules__ = []\n"
        b"import json\n",
        ((1, 0, "json", None, N), (3, 0, "json", None, LAZY), (4, 0, "json", None, N)),
    ),
    (
        "set-annotated-reassigned",
        b"__lazy_modules__: set[str] = {'a'}\nimport a\n__lazy_modules__ = ['b']\nimport a, b\n",
        ((2, 0, "a", None, LAZY), (4, 0, "a", None, N), (4, 0, "b", None, LAZY)),
    ),
    (
        "where-lazy-may-stand",  # module scope outside try, absolute, no star nor future
        b"__lazy_modules__ = ['a', '__future__']\nif x:\n    import a\nwith y:\n    import a\n"
        b"def f():\n    import a\nclass C:\n    import a\ntry:\n    import a\nexcept ImportError:\n"
        b"    pass\nfrom a import *\nfrom . import a\nfrom .a import b\nimport __future__\n",
        (
            (3, 0, "a", None, LAZY, (("x", True),)),
            (5, 0, "a", None, LAZY),
            (7, 0, "a", None, DEF),
            (9, 0, "a", None, N),
            (11, 0, "a", None, OPT, (), ((10, 0),)),
            (14, 0, "a", "*", N),
            (15, 1, "", "a", N),
            (16, 1, "a", "b", N),
            (17, 0, "__future__", None, LAZY),
        ),
    ),
    (
        "values-not-read",  # no literal of strings: nothing a static reading can name
        b"__lazy_modules__ = compute()\nimport a\n__lazy_modules__ = ['a', name]\nimport a\n"
        b"__lazy_modules__ = [f'a']\nimport a\n__lazy_modules__ = [b'a']\nimport a\n"
        b"__lazy_modules__ = ['a']\n__lazy_modules__ += ['b']\nimport a, b\n",
        (
            (2, 0, "a", None, N),
            (4, 0, "a", None, N),
            (6, 0, "a", None, N),
            (8, 0, "a", None, N),
            (11, 0, "a", None, N),
            (11, 0, "b", None, N),
        ),
    ),
    (
        "bindings-not-followed",  # in a block, chained, parenthesised, mutated: ignored
        b"if x:\n    __lazy_modules__ = ['a']\nimport a\n__lazy_modules__ = y = ['a']\nimport a\n"
        b"(__lazy_modules__) = ['a']\nimport a\n__lazy_modules__ = ['b']\n"
        b"__lazy_modules__.append('a')\nimport a, b\nx = 1; __lazy_modules__ = ['a']; import a\n",
        (
            (3, 0, "a", None, N, (), ()),
            (5, 0, "a", None, N),
            (7, 0, "a", None, N),
            (10, 0, "a", None, N),
            (10, 0, "b", None, LAZY),
            (11, 0, "a", None, LAZY),
        ),
    ),
    (
        "lazy-and-listed",
        b"__lazy_modules__ = ['a']\nlazy import a\nlazy import b\n",
        ((2, 0, "a", None, LAZY), (3, 0, "b", None, LAZY)),
    ),
    (
        "name-normalised",  # NFKC, as ast reads identifiers
        "__\uff4cazy_modules__ = ['a']\nimport a\n".encode(),
        ((2, 0, "a", None, LAZY),),
    ),
]


@pytest.mark.parametrize(
    ("source", "expected"),
    [pytest.param(source, expected, id=ident) for ident, source, expected in MODULES],
)
def test_lazy_modules(backend: str, source: bytes, expected: tuple[Row, ...]) -> None:
    _check(backend, source, expected, True)


# -- the rest of a file: what ast gives for its eager twin -------------------------------------

MODULE = b'''"""A module with lazy imports among the rest."""
from __future__ import annotations
import os
lazy import json
lazy from collections import OrderedDict as OD, defaultdict
if TYPE_CHECKING:
    lazy from typing import Any
    import typing
elif sys.version_info >= (3, 11):
    lazy import tomllib
else:
    lazy import tomli
try:
    import yaml
except ImportError:
    from . import yaml_fallback as yaml
for x in y: lazy import a.b
with open(x) as f: lazy from . import sibling
def f():
    import inner
    if x:
        from .. import outer
class C:
    import attr
if sys.platform == "win32": lazy import winreg; import nt
lazy = 1; print(lazy)
if __name__ == "__main__":
    lazy import cli
'''


def test_rest_of_a_file_reads_as_its_eager_twin(backend: str) -> None:
    eager = MODULE.replace(b"lazy import", b"import").replace(b"lazy from", b"from")
    found, fast = extract_source(MODULE, backend=backend)
    assert fast == (backend == "cython")
    assert tuple(r._replace(guard=r.guard & ~LAZY) for r in found) == imports_ast(eager)
    assert [(r.line, r.module, r.name) for r in found if r.guard & LAZY] == [
        (4, "json", None),
        (5, "collections", "OrderedDict"),
        (5, "collections", "defaultdict"),
        (7, "typing", "Any"),
        (10, "tomllib", None),
        (12, "tomli", None),
        (17, "a.b", None),
        (18, "", "sibling"),
        (25, "winreg", None),
        (28, "cli", None),
    ]
