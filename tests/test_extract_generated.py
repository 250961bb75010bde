"""Generated sources: the scanner, as the front reads it, gives ast's answer, field for field.

Hypothesis builds blocks of statements: simple ones, and compound ones around smaller blocks.
Wherever ast parses a source, the scanner must answer, with ast's imports.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modspec._codebase.extract import extract_source, imports_ast

SIMPLE = [
    "import a",
    "import a.b as c, d",
    "from . import x",
    "from ..m import (y,\n    z as w,)",
    "from m import *",
    "x = 1",
    "s = 'import q'  # import r",
    "t = f\"{a['b']!r:>{n}}\"",
    "u = '''\nimport v\n'''",
    "print(x); import e",
    "v = (1,\n  2)",
    "import f, \\\n    g",
    "pass",
    "w = (f'{x:{y}.{z}}', rb'\\'', '#' \"'\")  # it's",
    "d = {'a': 1, 'b': lambda: 0}[k]; import h",
    "y = 'a\\\nimport i'",
    "z = 1E-05 + 0x1E - 0o7",
]
HEADERS = [
    "if TYPE_CHECKING:",
    "if typing.TYPE_CHECKING:",
    "if (TYPE_CHECKING):",
    "if not TYPE_CHECKING:",
    "if x:",
    "def f():",
    "async def g(a=(1, 2)):",
    "class C(B):",
    "for i in x:",
    "while x:",
    "with a as b:",
    "@dec\ndef h():",
]
HANDLERS = [
    "except ImportError:",
    "except (OSError, ModuleNotFoundError) as e:",
    "except ValueError:",
    "except:",
    "except Exception:",
    "except errors.LookupError:",
]


def _indent(lines: list[str], by: str) -> list[str]:
    # Continuation lines of a fragment are indented too: harmless inside brackets and strings.
    return [by + line for line in lines]


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A block of statements: simple ones, and compound ones around smaller blocks."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 4 if depth < 3 else 0))
        if choice == 0:
            lines.extend(draw(st.sampled_from(SIMPLE)).split("\n"))
        elif choice == 1:
            lines.extend(draw(st.sampled_from(HEADERS)).split("\n"))
            lines.extend(_indent(draw(blocks(depth + 1)), "    "))
        elif choice == 2:
            # A one-line compound statement: a header and simple statements after its colon.
            header = draw(st.sampled_from([h for h in HEADERS if "\n" not in h]))
            lines.append(f"{header} import k; from . import l")
        elif choice == 3:
            lines.append("try:")
            lines.extend(_indent(draw(blocks(depth + 1)), "    "))
            for handler in draw(st.lists(st.sampled_from(HANDLERS), min_size=1, max_size=2)):
                lines.append(handler)
                lines.extend(_indent(draw(blocks(depth + 1)), "\t"))
            if draw(st.booleans()):
                lines.append("finally:")
                lines.extend(_indent(draw(blocks(depth + 1)), "  "))
        else:
            lines.append("if x:")
            lines.extend(_indent(draw(blocks(depth + 1)), "    "))
            lines.append("elif TYPE_CHECKING:")
            lines.extend(_indent(draw(blocks(depth + 1)), "    "))
            lines.append("else:")
            lines.extend(_indent(draw(blocks(depth + 1)), "    "))
    return lines


def _compiled_expected() -> bool:
    return not any(
        os.environ.get(name, "") not in ("", "0")
        for name in ("MODSPEC_PURE", "MODSPEC_EXPECT_PURE")
    )


@settings(max_examples=300, deadline=None)
@given(lines=blocks(), newline=st.sampled_from(["\n", "\r\n"]))
def test_generated_sources_read_as_ast_reads_them(lines: list[str], newline: str) -> None:
    if not _compiled_expected():
        pytest.skip("the compiled scanner is not built, as MODSPEC_(EXPECT_)PURE says")
    source = (newline.join(lines) + newline).encode()
    assert extract_source(source, backend="cython") == (imports_ast(source), True)
