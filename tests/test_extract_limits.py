"""The tokenizer's and compiler's limits: past each, a file does not compile, on both cores.

Each limit is held against ast.parse of the running interpreter: the last size that parses
gives ast's imports (from the scanner, on the compiled core), the next one is unparsable
whatever the backend. The figures are CPython's (3.10-3.13), which some versions change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modspec._codebase.extract import extract_source, imports_ast

PEP701 = sys.version_info >= (3, 12)
IMPORT = b"import os\n"


def _indented(levels: int) -> bytes:
    # Each header opens a level; the import sits at the deepest.
    headers = b"".join(b" " * i + b"if x:\n" for i in range(levels))
    return headers + b" " * levels + IMPORT


def _parenthesized(levels: int) -> bytes:
    return (
        IMPORT
        + b"x = "
        + b"([{" * (levels // 3)
        + b"(" * (levels % 3)
        + b"1"
        + (b")" * (levels % 3) + b"}])" * (levels // 3))
        + b"\n"
    )


def _digits(count: int) -> bytes:
    return IMPORT + b"x = " + b"1" * count + b"\n"


def _field_digits(count: int) -> bytes:
    return IMPORT + b"x = f'{" + b"1" * count + b"}'\n"


def _spec_fields(levels: int) -> bytes:
    # f'{a:{a:{a}}}': each field but the first sits in the format spec of the one before.
    return IMPORT + b"x = f'" + b"{a:" * levels + b"}" * levels + b"'\n"


QUOTES = (b'"""', b"'''", b'"', b"'")


def _fstrings(levels: int) -> bytes:
    # Before 3.12 a nested f-string needs a quote none around it has: four at most.
    quotes = [QUOTES[i] if i < len(QUOTES) else b"'" for i in range(levels)]
    opened = b"".join(b"f" + q + b"{" for q in quotes)
    return IMPORT + b"x = " + opened + b"1" + b"".join(b"}" + q for q in reversed(quotes)) + b"\n"


def _field_brackets(levels: int) -> bytes:
    # Two brackets around the f-string, its field's '{', ``levels`` brackets in the field.
    return IMPORT + b"x = ((f'{" + b"(" * levels + b"1" + b")" * levels + b"}'))\n"


def _max_digits() -> int:
    return sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0


# (id, source of size n, the largest n that compiles, the scanner answers at that n?)
LIMITS: list[tuple[str, Callable[[int], bytes], int, bool]] = [
    # MAXINDENT: "too many levels of indentation"
    ("indentation", _indented, 99, True),
    # MAXLEVEL: "too many nested parentheses"
    ("brackets", _parenthesized, 200, True),
    # int_max_str_digits (CVE-2020-10735; 3.10.7+): "Exceeds the limit (4300 digits) ..."
    ("int-digits", _digits, _max_digits(), True),
    ("int-digits-in-field", _field_digits, _max_digits(), True),
    # "f-string: expressions nested too deeply": 2 fields deep, 3 from 3.12 on
    ("format-spec-fields", _spec_fields, 3 if PEP701 else 2, True),
    # 3.12+ MAXFSTRINGLEVEL: "too many nested f-strings"; before, the quotes run out
    ("nested-fstrings", _fstrings, 149 if PEP701 else 4, True),
    # From 3.12 a field's braces and brackets count with the line's; before, the field's
    # own count alone, which the scanner bounds as 3.12 does: short of it, it declines.
    ("brackets-in-field", _field_brackets, 197 if PEP701 else 199, PEP701),
]


def _outcome(source: bytes, backend: str) -> object:
    try:
        return extract_source(source, backend=backend)
    except SyntaxError as exc:  # IndentationError included
        return SyntaxError, exc.msg


def _ast_outcome(source: bytes) -> object:
    try:
        return imports_ast(source), False
    except SyntaxError as exc:
        return SyntaxError, exc.msg


@pytest.mark.parametrize(
    ("make", "last", "fast"),
    [pytest.param(make, last, fast, id=ident) for ident, make, last, fast in LIMITS],
)
def test_last_size_that_compiles_reads_as_ast(
    backend: str, make: Callable[[int], bytes], last: int, fast: bool
) -> None:
    if last == 0:
        pytest.skip("no such limit on this interpreter")
    source = make(last)
    compile(source, "<limit>", "exec", dont_inherit=True)  # the oracle: it compiles
    found, answered_fast = extract_source(source, backend=backend)
    assert found == imports_ast(source)
    assert answered_fast == (fast and backend == "cython")


@pytest.mark.parametrize(
    ("make", "last"),
    [pytest.param(make, last, id=ident) for ident, make, last, _ in LIMITS],
)
def test_first_size_past_the_limit_is_unparsable(
    backend: str, make: Callable[[int], bytes], last: int
) -> None:
    if last == 0:
        pytest.skip("no such limit on this interpreter")
    source = make(last + 1)
    with pytest.raises(SyntaxError):
        compile(source, "<limit>", "exec", dont_inherit=True)  # the oracle: it does not
    assert _outcome(source, backend) == _ast_outcome(source)


@pytest.fixture
def digits_limit() -> Iterator[int]:
    """The interpreter's int_max_str_digits lowered to its minimum, restored after."""
    if not hasattr(sys, "set_int_max_str_digits"):
        pytest.skip("no int_max_str_digits on this interpreter")
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        yield 640
    finally:
        sys.set_int_max_str_digits(before)


def test_digits_limit_is_read_at_each_call(backend: str, digits_limit: int) -> None:
    # compile follows the limit set at run time; so must the scanner, or it answers for
    # a file that compile now refuses.
    assert extract_source(_digits(digits_limit), backend=backend)[0] == imports_ast(IMPORT)
    source = _digits(digits_limit + 1)
    assert _outcome(source, backend) == _ast_outcome(source)
    assert isinstance(_ast_outcome(source)[0], type)


def test_digits_of_floats_and_hex_are_unlimited(backend: str) -> None:
    # Only a decimal int is converted through the limit; the scanner may decline the
    # others (a long float), but must give ast's answer.
    count = _max_digits() + 1
    for number in (b"1" * count + b".5", b"1" * count + b"j", b"0x" + b"f" * count):
        source = IMPORT + b"x = " + number + b"\n"
        assert extract_source(source, backend=backend)[0] == imports_ast(source)


# The adversarial run's files, one per limit: each read its imports on the compiled core
# while ast reported it unparsable (110 levels, 230 parentheses, a 5,000-digit literal),
# or crashed the process (90,000 nested format specs).
ADVERSARIAL = {
    "indent110.py": _indented(110),
    "parens230.py": _parenthesized(230),
    "digits5000.py": _digits(5000),
    "specs.py": b'x = f"' + b"{:" * 90_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_surface_fails_on_unparsable_with_either_core(
    backend: str, tmp_path: Path, name: str
) -> None:
    (tmp_path / name).write_bytes(ADVERSARIAL[name])
    env = {**os.environ, "MODSPEC_PURE": "1" if backend == "python" else "0"}
    run = subprocess.run(
        [sys.executable, "-m", "modspec", "surface", str(tmp_path), "--fail-on", "unparsable"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1, (run.returncode, run.stderr[-500:])
    assert "Traceback" not in run.stderr
