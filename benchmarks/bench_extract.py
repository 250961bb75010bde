"""Import extraction over the standard library: ast, the scanner on one core, on every core.

Each contender is ``extract_files`` over the same files (read from a warm page cache in every
round), so the figures are files per second of the whole job. The scanner's answers must be
ast's. The last benchmark prints the ratios (figures, never assertions).
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest
from conftest import Settings
from pytest_benchmark.fixture import BenchmarkFixture

from modspec._codebase.extract import FileImports, extract_files

CORPUS = "stdlib-imports"

# (contender, backend, workers): None is every core.
CONTENDERS = [("ast", "python", 1), ("scanner-1", "cython", 1), ("scanner-all", "cython", None)]


def _stdlib_files() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(
        str(path)
        for path in stdlib.rglob("*.py")
        if not {"site-packages", "dist-packages"} & set(path.relative_to(stdlib).parts)
    )


@pytest.fixture(scope="module")
def files(settings: Settings) -> list[str]:
    found = _stdlib_files()
    # Quick: every fourth file, so that a round of ast takes about a second.
    return found[::4] if settings.quick else found


@pytest.fixture(scope="module")
def reference(files: list[str]) -> list[FileImports]:
    return list(extract_files(files, workers=1, backend="python"))


@pytest.fixture(scope="module")
def medians() -> dict[str, float]:
    """Each contender's median, for the ratios printed at the end."""
    return {}


def _check(found: list[FileImports], reference: list[FileImports]) -> None:
    """Same files, same order; where ast parses a file, the very same imports."""
    assert [f.path for f in found] == [r.path for r in reference]
    for got, expected in zip(found, reference, strict=True):
        if expected.error is None:
            assert got.imports == expected.imports, got.path


@pytest.mark.parametrize(
    ("contender", "backend", "workers"),
    [pytest.param(*row, id=row[0]) for row in CONTENDERS],
)
def test_extract_files(
    benchmark: BenchmarkFixture,
    settings: Settings,
    files: list[str],
    reference: list[FileImports],
    medians: dict[str, float],
    capsys: pytest.CaptureFixture[str],
    contender: str,
    backend: str,
    workers: int | None,
) -> None:
    def run() -> list[FileImports]:
        return list(extract_files(files, workers=workers, backend=backend))

    benchmark.group = CORPUS
    rounds = 3 if settings.quick else (5 if backend == "python" else 20)
    found = benchmark.pedantic(run, rounds=rounds, warmup_rounds=1)
    _check(found, reference)
    median = float(benchmark.stats.stats.median)
    medians[contender] = median
    fast = sum(f.fast for f in found)
    benchmark.extra_info.update(
        corpus=CORPUS,
        contender=contender,
        files=len(files),
        files_per_second=len(files) / median,
        answered_by_scanner=fast,
    )
    if contender == CONTENDERS[-1][0]:
        with capsys.disabled():
            _print_ratios(medians, len(files), fast)


def _print_ratios(medians: dict[str, float], files: int, fast: int) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n\nimport extraction, {files:,} stdlib files ({fast:,} answered by the scanner), ")
    print(f"{cores} cores; medians of the rounds")
    for contender, median in medians.items():
        line = f"  {contender:<12} {files / median:>9,.0f} files/s  {median * 1000:8.1f} ms"
        if contender != "ast" and "ast" in medians:
            line += f"  {medians['ast'] / median:6.1f}x ast"
        print(line)
