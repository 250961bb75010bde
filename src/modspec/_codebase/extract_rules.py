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
    "lazy_modules_assigned",
    "lazy_modules_of_text",
    "parse_source",
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
        return ast.unparse(tree.body)
    except PARSE_ERRORS:
        return None


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
        isinstance(node, ast.Attribute) and _dotted(node) in _PLATFORM_NAMES
        for node in ast.walk(tree)
    )


def _dotted(node: ast.expr) -> str | None:
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
