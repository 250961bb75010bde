"""Hostile sources must never crash the import scanner: a fuzz run in a child process.

The child (tests/fuzz_extract.py) feeds hypothesis's hostile sources (deep brackets,
f-strings, format specs, strings, indentation, continuations, random bytes) to one backend;
a crash kills the child, not pytest, and fails the test with the input that caused it.
``MODSPEC_FUZZ_SCANNER_EXAMPLES`` sets the number of examples (default 300, a few seconds).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = int(os.environ.get("MODSPEC_FUZZ_SCANNER_EXAMPLES", "300"))
CHILD = Path(__file__).with_name("fuzz_extract.py")


def test_hostile_sources_never_crash(backend: str, tmp_path: Path) -> None:
    last = tmp_path / "last.py"
    run = subprocess.run(
        [sys.executable, str(CHILD), backend, str(EXAMPLES), str(last)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60 + EXAMPLES,
    )
    if run.returncode < 0:
        source = last.read_bytes()
        raise AssertionError(
            f"signal {-run.returncode} on a {len(source)}-byte source, kept in {last}: "
            f"{source[:120]!r}"
        )
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.parametrize("unit", [b"{:", b"{a:", b"{(", b"{f'", b'{f"{'])
def test_deep_fields_decline_without_a_crash(backend: str, tmp_path: Path, unit: bytes) -> None:
    # The field and format-spec scanners called each other with no bound: SIGSEGV. In a
    # child, so that a crash fails this test instead of killing pytest; on two worker
    # threads, whose stacks may be smaller than the main thread's.
    paths = [tmp_path / f"deep{k}.py" for k in range(2)]
    for path in paths:
        path.write_bytes(b'x = f"' + unit * 90_000 + b'"\n')
    code = (
        "import sys\n"
        "from modspec._codebase.extract import extract_files\n"
        "for r in extract_files(sys.argv[2:], workers=2, backend=sys.argv[1]):\n"
        "    print(r.imports, r.error is not None)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, backend, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-500:])
    assert run.stdout.split() == ["None", "True"] * 2
