"""Generated sources: the scanner, as the front reads it, gives ast's answer, field for field.

Hypothesis builds blocks of statements: simple ones, compound ones around smaller blocks (if
with elif and else, loops with else, try with handlers, else and finally, functions,
classes), and PEP 810's lazy forms where they may stand (module scope, outside any try) or
where they may not. Wherever ast parses a source, the scanner must answer, with ast's
imports; where ast refuses it, so must the scanner's path.
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
    "lazy = 1; lazy.x = lazy(2); print(lazy)",
]
# PEP 810's forms: valid only where `lazy` may stand (a SyntaxError elsewhere, both ways).
LAZY = [
    "lazy import q",
    "lazy from . import r",
    "lazy import s.t as u, v",
    "lazy \\\n  from m import (n,\n    o)",
    "x = 1; lazy from f import g",
]
# Read only in the module's body, ignored elsewhere.
LAZY_MODULES = [
    "__lazy_modules__ = ['a', 'f', 'm', 'a.b']",
    "__lazy_modules__: list[str] = ['d', 'e']",
    "__lazy_modules__ = compute()",
]
# (header, whether `lazy` may stand in its body)
HEADERS = [
    ("if TYPE_CHECKING:", True),
    ("if typing.TYPE_CHECKING:", True),
    ("if not TYPE_CHECKING:", True),
    ("if x:", True),
    ('if __name__ == "__main__":', True),
    ("if sys.platform == 'win32':", True),
    ("if (sys.version_info >= (3, 8)  # a comment\n    and x):", True),
    ("if a \\\n    or b:", True),
    ("def f():", False),
    ("async def g(a=(1, 2)):", False),
    ("class C(B):", False),
    ("for i in x:", True),
    ("while x:", True),
    ("with a as b:", True),
    ("@dec\ndef h():", False),
]
TESTS = ["x", "TYPE_CHECKING", "os.name == 'nt'", "'__main__' == __name__", "(y or\n    z)"]
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
def blocks(draw: st.DrawFn, depth: int = 0, lazy: bool = True) -> list[str]:
    """A block of statements; ``lazy``: PEP 810 lets `lazy` stand here (mostly drawn so)."""
    lines: list[str] = []
    deeper = depth + 1
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 8 if depth < 3 else 1))
        if choice == 0:
            lines.extend(draw(st.sampled_from(SIMPLE)).split("\n"))
        elif choice == 1:
            # Now and then where `lazy` may not stand: a SyntaxError, both ways.
            if lazy or draw(st.integers(0, 39)) == 0:
                lines.extend(draw(st.sampled_from(LAZY)).split("\n"))
            else:
                lines.append("lazy(import_)")
            if depth == 0 and draw(st.booleans()):
                lines.extend(draw(st.sampled_from(LAZY_MODULES)).split("\n"))
        elif choice == 2:
            header, keeps = draw(st.sampled_from(HEADERS))
            lines.extend(header.split("\n"))
            lines.extend(_indent(draw(blocks(deeper, lazy and keeps)), "    "))
        elif choice == 3:
            # One-line compound statements, continued on the next line or not.
            header, _ = draw(st.sampled_from([h for h in HEADERS if "\n" not in h[0]]))
            lines.append(f"{header} import k; from . import l")
            if header.startswith("if "):
                lines.append(draw(st.sampled_from(["elif y: import m", "else: import n", "x = 2"])))
        elif choice == 4:
            lines.append("try:")
            lines.extend(_indent(draw(blocks(deeper, False)), "    "))
            handlers = draw(st.lists(st.sampled_from(HANDLERS), min_size=0, max_size=2))
            for handler in handlers:
                lines.append(handler)
                lines.extend(_indent(draw(blocks(deeper, False)), "\t"))
            if handlers and draw(st.booleans()):
                lines.append("else:")
                lines.extend(_indent(draw(blocks(deeper, False)), "  "))
            if not handlers or draw(st.booleans()):
                lines.append("finally:")
                lines.extend(_indent(draw(blocks(deeper, False)), "  "))
        elif choice == 5:
            lines.append(f"if {draw(st.sampled_from(TESTS))}:")
            lines.extend(_indent(draw(blocks(deeper, lazy)), "    "))
            for _ in range(draw(st.integers(0, 2))):
                lines.append(f"elif {draw(st.sampled_from(TESTS))}:")
                lines.extend(_indent(draw(blocks(deeper, lazy)), "    "))
            if draw(st.booleans()):
                lines.append("else:  # an else")
                if draw(st.booleans()):
                    # `else:` + `if`: an elif, as ast reads it
                    lines.append(f"    if {draw(st.sampled_from(TESTS))}:")
                    lines.extend(_indent(draw(blocks(deeper + 1, lazy)), "        "))
                else:
                    lines.extend(_indent(draw(blocks(deeper, lazy)), "    "))
        elif choice == 6:
            # A loop's else: no if-branch.
            lines.append(draw(st.sampled_from(["for i in x:", "while y:", "async for i in x:"])))
            lines.extend(_indent(draw(blocks(deeper, lazy)), "    "))
            if draw(st.booleans()):
                lines.append("else:")
                lines.extend(_indent(draw(blocks(deeper, lazy)), "    "))
        elif choice == 7:
            lines.append("match x:")
            lines.append("    case 1:")
            lines.extend(_indent(draw(blocks(deeper + 1, lazy)), "        "))
        else:
            lines.append("if x: import o")
            lines.append("elif y: import p")
            lines.append("else: import q; import r")
    return lines


def _outcome(run: object, source: bytes) -> object:
    try:
        return run(source)  # type: ignore[operator]
    except (SyntaxError, ValueError) as exc:
        return type(exc)


def _compiled_expected() -> bool:
    return not any(
        os.environ.get(name, "") not in ("", "0")
        for name in ("MODSPEC_PURE", "MODSPEC_EXPECT_PURE")
    )


@settings(max_examples=400, deadline=None)
@given(lines=blocks(), newline=st.sampled_from(["\n", "\r\n"]))
def test_generated_sources_read_as_ast_reads_them(lines: list[str], newline: str) -> None:
    if not _compiled_expected():
        pytest.skip("the compiled scanner is not built, as MODSPEC_(EXPECT_)PURE says")
    source = (newline.join(lines) + newline).encode()
    reference = _outcome(imports_ast, source)
    found = _outcome(lambda s: extract_source(s, backend="cython"), source)
    if isinstance(reference, type):
        assert found == reference
    else:
        assert found == (reference, True)
