"""The rules both import extractors keep, each written once: how a branch's test is spelled,
and which guards it gives.

extract_py.py (the ast reference) and extract.py (the front, which reads the compiled
scanner's records) both call these; this module imports neither.
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
import threading
import warnings

from .._parse import PARSE_ERRORS

__all__ = [
    "CONDITIONAL",
    "MAIN",
    "Condition",
    "clause_guard_bits",
    "parse_source",
    "spelled_test",
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
