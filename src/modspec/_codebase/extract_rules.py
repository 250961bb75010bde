"""The rules both import extractors keep, each written once: how a branch's test is spelled,
which guards it gives, what a ``__lazy_modules__`` statement names, and PEP 810's ``lazy``
soft keyword read on interpreters whose parser does not know it.

extract_py.py (the ast reference) and extract.py (the front, which reads the compiled
scanner's records) both call these; this module imports neither.
"""

from __future__ import annotations

import ast
import codecs
import functools
import io
import keyword
import re
import threading
import token
import warnings

from .._parse import PARSE_ERRORS

__all__ = [
    "CONDITIONAL",
    "LAZY_MARKER",
    "MAIN",
    "Condition",
    "clause_guard_bits",
    "dotted_name",
    "lazy_modules_assigned",
    "lazy_modules_of_text",
    "parse_source",
    "spelled",
    "spelled_test",
    "without_lazy",
]

# ImportRef.condition: (a test as ast.unparse spells it, whether the branch needs it true).
Condition = tuple[tuple[str, bool], ...]

# Guard.MAIN and Guard.CONDITIONAL (extract_py.py defines Guard and imports this module).
MAIN = 32
CONDITIONAL = 64

# warnings.catch_warnings changes process-wide state: parses that silence warnings take turns.
_AST_LOCK = threading.Lock()


def parse_source(source: bytes | str, mode: str = "exec") -> ast.AST:
    """ast.parse with every warning silenced, whatever the caller's filters."""
    with _AST_LOCK, warnings.catch_warnings():
        # An invalid escape warns (SyntaxWarning on 3.12+): under an "error" filter the
        # parse would fail, so the answer would depend on the caller's filters.
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)


# -- a branch's test ---------------------------------------------------------------------------

# A dotted name of ASCII identifiers is spelled by ast.unparse as written: no parse needed.
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@functools.lru_cache(maxsize=8192)
def spelled_test(text: str) -> str | None:
    """The test that the source text of an if statement's header spells, as ast.unparse
    spells it (what the ast path gives); None where the text does not parse alone."""
    if _DOTTED.fullmatch(text) and not any(keyword.iskeyword(p) for p in text.split(".")):
        return text
    try:
        # The newline ends a comment the text may end with, before the closing parenthesis.
        tree = parse_source("(" + text + "\n)", "eval")
        assert isinstance(tree, ast.Expression)
        return spelled(tree.body)
    except PARSE_ERRORS:
        return None


def spelled(test: ast.expr) -> str:
    """ast.unparse(test), sooner: the common tests (names, attributes, calls, comparisons,
    boolean and arithmetic operators, literals) by the rules of ast's _Unparser, 3.10-3.13,
    and ast.unparse itself for the rest. (ast.unparse costs some 3 times more, and the front
    spells each distinct test of a code base. Held to ast.unparse by test: generated trees,
    and every test around an import of the standard library and site-packages.)"""
    text = _spelled(test, _TEST)
    return ast.unparse(test) if text is None else text


# ast._Precedence, in its order (3.10-3.13): only comparisons between them matter.
_TEST, _OR, _AND, _NOT, _CMP, _BOR, _BXOR, _BAND = 3, 4, 5, 6, 7, 8, 9, 10
_SHIFT, _ARITH, _TERM, _FACTOR, _POWER, _ATOM = 11, 12, 13, 14, 15, 17
_BINARY = {
    ast.Add: (" + ", _ARITH),
    ast.Sub: (" - ", _ARITH),
    ast.Mult: (" * ", _TERM),
    ast.MatMult: (" @ ", _TERM),
    ast.Div: (" / ", _TERM),
    ast.Mod: (" % ", _TERM),
    ast.FloorDiv: (" // ", _TERM),
    ast.LShift: (" << ", _SHIFT),
    ast.RShift: (" >> ", _SHIFT),
    ast.BitOr: (" | ", _BOR),
    ast.BitXor: (" ^ ", _BXOR),
    ast.BitAnd: (" & ", _BAND),
    ast.Pow: (" ** ", _POWER),
}
_UNARY = {ast.Not: ("not ", _NOT), ast.Invert: ("~", _FACTOR), ast.UAdd: ("+", _FACTOR)}
_UNARY[ast.USub] = ("-", _FACTOR)
_COMPARE = {
    ast.Eq: " == ",
    ast.NotEq: " != ",
    ast.Lt: " < ",
    ast.LtE: " <= ",
    ast.Gt: " > ",
    ast.GtE: " >= ",
    ast.Is: " is ",
    ast.IsNot: " is not ",
    ast.In: " in ",
    ast.NotIn: " not in ",
}
_CONSTANTS = (str, bytes, int, bool, type(None))


def _spelled(node: ast.expr, precedence: int) -> str | None:
    """``node`` as _Unparser writes it where its parent gave it ``precedence``; None for a
    node this does not write (ast.unparse writes the whole test then)."""
    kind = type(node)
    if kind is ast.Name:
        return node.id  # type: ignore[attr-defined, no-any-return]
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        if type(value) not in _CONSTANTS:
            return None  # floats (inf), tuples, Ellipsis: ast.unparse
        return ("u" if node.kind == "u" else "") + repr(value)  # type: ignore[attr-defined]
    if kind is ast.Attribute:
        assert isinstance(node, ast.Attribute)
        value = _spelled(node.value, _ATOM)
        if value is None:
            return None
        # `3 .real`: an int literal's dot would be its fraction's.
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, int):
            value += " "
        return f"{value}.{node.attr}"
    if kind is ast.Call:
        assert isinstance(node, ast.Call)
        func = _spelled(node.func, _ATOM)
        parts = [_spelled(arg, _TEST) for arg in node.args if type(arg) is not ast.Starred]
        if func is None or len(parts) != len(node.args) or None in parts:
            return None
        for item in node.keywords:
            value = _spelled(item.value, _TEST)
            if value is None:
                return None
            parts.append(f"**{value}" if item.arg is None else f"{item.arg}={value}")
        return f"{func}({', '.join(parts)})"  # type: ignore[arg-type]
    if kind is ast.Compare:
        assert isinstance(node, ast.Compare)
        left = _spelled(node.left, _CMP + 1)
        if left is None:
            return None
        pieces = [left]
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _spelled(comparator, _CMP + 1)
            if right is None:
                return None
            pieces.extend((_COMPARE[type(op)], right))
        return _parenthesised("".join(pieces), precedence > _CMP)
    if kind is ast.BoolOp:
        assert isinstance(node, ast.BoolOp)
        joined, own = (" and ", _AND) if type(node.op) is ast.And else (" or ", _OR)
        parts = []
        level = own
        for value in node.values:
            # Each operand a level higher than the one before: _Unparser's reading.
            level = min(level + 1, _ATOM)
            part = _spelled(value, level)
            if part is None:
                return None
            parts.append(part)
        return _parenthesised(joined.join(parts), precedence > own)  # type: ignore[arg-type]
    if kind is ast.UnaryOp:
        assert isinstance(node, ast.UnaryOp)
        written, own = _UNARY[type(node.op)]
        operand = _spelled(node.operand, own)
        if operand is None:
            return None
        return _parenthesised(written + operand, precedence > own)
    if kind is ast.BinOp:
        assert isinstance(node, ast.BinOp)
        written, own = _BINARY[type(node.op)]
        # `**` binds to the right, the others to the left.
        left_level, right_level = (own + 1, own) if own == _POWER else (own, own + 1)
        left = _spelled(node.left, left_level)
        right = _spelled(node.right, right_level)
        if left is None or right is None:
            return None
        return _parenthesised(left + written + right, precedence > own)
    if kind is ast.Subscript:
        assert isinstance(node, ast.Subscript)
        if type(node.slice) in (ast.Tuple, ast.Slice):
            return None
        value = _spelled(node.value, _ATOM)
        index = _spelled(node.slice, _TEST)
        return None if value is None or index is None else f"{value}[{index}]"
    if kind is ast.Tuple or kind is ast.List:
        assert isinstance(node, (ast.Tuple, ast.List))
        items = [_spelled(item, _TEST) for item in node.elts]
        if None in items or any(type(item) is ast.Starred for item in node.elts):
            return None
        if kind is ast.List:
            return f"[{', '.join(items)}]"  # type: ignore[arg-type]
        # In parentheses: a test's tuple stands where no precedence lets it go bare (3.11+).
        text = items[0] + "," if len(items) == 1 else ", ".join(items)  # type: ignore[arg-type, operator]
        return f"({text})"
    return None


def _parenthesised(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


# The guards a test gives: MAIN where the branch needs `__name__ == "__main__"` (either
# operand order; or needs `__name__ != "__main__"` false), CONDITIONAL where it reads one of
# _PLATFORM_NAMES. Tests come as ast.unparse spells them: these strings are exact.
_MAIN_WHEN_TRUE = frozenset(("__name__ == '__main__'", "'__main__' == __name__"))
_MAIN_WHEN_FALSE = frozenset(("__name__ != '__main__'", "'__main__' != __name__"))
_PLATFORM_NAMES = frozenset(
    (
        "sys.platform",
        "sys.version_info",
        "sys.maxsize",
        "sys.implementation.name",
        "os.name",
        "platform.system",
        "platform.python_implementation",
    )
)
# Where one of them may stand in a spelled test (a string may hold the words: ast decides).
_PLATFORM_HINT = re.compile(
    r"(?<![\w.])(?:sys\.(?:platform|version_info|maxsize|implementation\.name)|os\.name"
    r"|platform\.(?:system|python_implementation))(?!\w)"
)


def clause_guard_bits(test: str, must_be_true: bool) -> int:
    """The guard bits (MAIN, CONDITIONAL) one clause of a condition gives: ``test`` as
    ast.unparse spells it, whether the branch needs it true. The one rule of both paths
    (extract_py.condition_guard folds it over a condition)."""
    bits = CONDITIONAL if _PLATFORM_HINT.search(test) and _reads_platform(test) else 0
    if test in (_MAIN_WHEN_TRUE if must_be_true else _MAIN_WHEN_FALSE):
        bits |= MAIN
    return bits


@functools.lru_cache(maxsize=8192)
def _reads_platform(test: str) -> bool:
    try:
        tree = parse_source(test, "eval")
    except PARSE_ERRORS:
        return False
    return any(
        isinstance(node, ast.Attribute) and dotted_name(node) in _PLATFORM_NAMES
        for node in ast.walk(tree)
    )


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


# -- __lazy_modules__ --------------------------------------------------------------------------


def lazy_modules_assigned(node: ast.stmt) -> frozenset[str] | None:
    """What a statement of the module's body sets ``__lazy_modules__`` to (PEP 810): the names
    of a list, tuple or set of string literals; for any other value (computed, augmented)
    nothing, since a static reading cannot know it; None for a statement that does not set it.

    Only a statement that starts with the target counts: ``__lazy_modules__ = [...]`` or
    ``__lazy_modules__: T = [...]``, or ``__lazy_modules__ += ...``. Chained and unpacking
    assignments, a parenthesised target, a binding in a block (an if, a with), ``global`` in a
    function, ``globals()[...]``, ``.append`` are not followed: both extractors ignore them.
    """
    value: ast.expr | None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    elif isinstance(node, ast.AugAssign):
        target, value = node.target, None
    else:
        return None
    if not (
        isinstance(target, ast.Name)
        and target.id == "__lazy_modules__"
        and (target.lineno, target.col_offset) == (node.lineno, node.col_offset)
    ):
        return None
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)) and all(
        isinstance(item, ast.Constant) and type(item.value) is str for item in value.elts
    ):
        return frozenset(item.value for item in value.elts)  # type: ignore[attr-defined]
    return frozenset()


def lazy_modules_of_text(text: str) -> frozenset[str] | None:
    """lazy_modules_assigned of the one simple statement ``text`` holds (the compiled
    scanner's span of such a statement); raises as ast.parse does where it does not parse."""
    tree = parse_source(text)
    assert isinstance(tree, ast.Module)
    if len(tree.body) != 1:
        raise SyntaxError("not one statement")
    return lazy_modules_assigned(tree.body[0])


# -- PEP 810's soft keyword, before 3.15 --------------------------------------------------------

# A statement no source has: what each `lazy` soft keyword becomes, so that the parse of
# an older interpreter takes `lazy import a` as `<marker> = 0; import a`, on the same line.
LAZY_MARKER = "__modspec_pep810_lazy__"
# A cheap test first: `lazy`, blanks or backslash continuations, `import` or `from`.
_LAZY_HINT = re.compile(
    rb"(?<![\w\x80-\xff])lazy(?:[ \t\f]|\\(?:\r\n|\r|\n))+(?:import|from)(?![\w\x80-\xff])"
)
# The tokens after which a statement starts (a ':' only closing a compound statement's
# header; a ':' that does not, as in `x: lazy import a`, leaves the marker where no
# statement stands, and the visitor refuses it).
_STATEMENT_ENDS = frozenset((token.NEWLINE, token.INDENT, token.DEDENT))
_SKIPPED = frozenset((token.NL, token.COMMENT))


def without_lazy(source: bytes) -> tuple[str, int] | None:
    """PEP 810 before 3.15: ``source`` decoded, with each ``lazy`` soft keyword (a NAME
    ``lazy`` that starts a simple statement, followed by ``import`` or ``from``) replaced by
    a marker statement, line numbers kept; and the number replaced. None where there is
    none, or where the source cannot be read so (the parse of the bytes then raises)."""
    if b"lazy" not in source or _LAZY_HINT.search(source) is None:
        return None
    import tokenize  # here: its import (its regular expressions) is for the rare source only

    try:
        encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
        text = codecs.decode(source, encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
    if "\0" in text:
        return None  # the parse of the bytes refuses it, as each version does
    # Universal newlines, as the tokenizer reads a file: every line keeps its number.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in _SKIPPED
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    offsets: list[int] = []
    depth = 0
    start = True  # a statement starts at the next token
    for index, current in enumerate(tokens):
        if current.type == token.OP and current.string in ("(", "[", "{"):
            depth += 1
        elif current.type == token.OP and current.string in (")", "]", "}"):
            depth = max(depth - 1, 0)
        if (
            start
            and current.type == token.NAME
            and current.string == "lazy"
            and index + 1 < len(tokens)
            and tokens[index + 1].type == token.NAME
            and tokens[index + 1].string in ("import", "from")
        ):
            row, column = current.start
            offset = starts[row - 1] + column
            if text[offset : offset + 4] != "lazy":
                return None  # tokenize counted otherwise: refuse rather than guess
            offsets.append(offset)
        start = current.type in _STATEMENT_ENDS or (
            current.type == token.OP and current.string in (";", ":") and depth == 0
        )
    if not offsets:
        return None
    pieces: list[str] = []
    last = 0
    for offset in offsets:
        pieces.append(text[last:offset])
        pieces.append(LAZY_MARKER + "=0;")
        last = offset + 4
    pieces.append(text[last:])
    return "".join(pieces), len(offsets)
