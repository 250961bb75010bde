"""The child of test_extract_fuzz: hostile sources through one backend's extraction.

Run as ``python fuzz_extract.py BACKEND EXAMPLES LAST``. Each source is written to LAST
before it is read, so that when the process dies (a crash in the scanner) the parent can
show the input that killed it. Properties: the process survives; where ast parses a source,
the answer is ast's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modspec._codebase.extract import extract_source, imports_ast

# What nests: each repeated up to far past every limit of the tokenizer and of the C stack
# (90,000 nested format specs crashed the scanner), or to just short of, at and past a limit.
DEEP = (b"(", b"([{", b"f'{", b'f"{', b"f'''{", b"{:", b"{a:", b"{a:{", b"{(", b"\\\n")
OPENERS = (b"x = ", b"x = f'", b'x = f"', b"x = rf'", b"import a; x = f'")
COUNTS = (99, 100, 149, 150, 199, 200, 201, 4_301, 100_000)
# Whatever else a line may hold, in short runs.
UNITS = (
    *(b"(", b"[", b"{", b")", b"]", b"}", b"}'", b"'", b'"', b"'''", b'"""', b"rf'{", b"\\"),
    *(b" ", b"\t", b"\x0c", b"\n", b"\r\n", b"\n ", b"#", b"1", b"1_", b"0x", b".5", b"e", b":"),
    *(b"if x:\n", b"try:\n", b"import a\n", b"from . import (", b"\xc3\xa9", b"\xff", b"\r"),
)

# One in three is the deepest: the C stack gives out only there.
_count = st.one_of(st.just(COUNTS[-1]), st.sampled_from(COUNTS), st.integers(0, 300))
_deep = st.builds(
    lambda opener, unit, count: opener + unit * count,
    st.sampled_from(OPENERS),
    st.sampled_from(DEEP),
    _count,
)
_run = st.builds(lambda unit, count: unit * count, st.sampled_from(UNITS), st.integers(0, 8))
_indents = _count.map(lambda n: b"".join(b" " * i + b"if x:\n" for i in range(min(n, 300))))
_piece = st.one_of(_deep, _run, _indents, st.binary(max_size=64))
# A nesting first, where no earlier byte can make the scanner decline before it.
sources = st.builds(
    lambda first, rest: first + b"".join(rest),
    st.one_of(_deep, _indents),
    st.lists(_piece, max_size=5),
)


def _ast(source: bytes) -> object:
    try:
        return imports_ast(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def main(backend: str, examples: int, last: Path) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(source=sources)
    def run(source: bytes) -> None:
        last.write_bytes(source)
        try:
            found: object = extract_source(source, backend=backend)[0]
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            found = None
        reference = _ast(source)
        if reference is not None:
            assert found == reference

    run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
