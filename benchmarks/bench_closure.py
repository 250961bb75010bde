"""``closure`` of the largest package installed (sympy with the [bench] extra), in process, on
a fresh Resolver each round; and the oracle's sums (closure_oracle.py) held to the targets.

Each timed round is the whole job: the start-up's plan and run, then the package's import,
every spec resolved and every file read and scanned anew (nothing is kept between rounds).
"""

from __future__ import annotations

import importlib.util

import closure_oracle
import pytest
from conftest import Settings
from pytest_benchmark.fixture import BenchmarkFixture
from real_imports import extractor_records

from modspec._codebase.closure import Closure, closure

# The largest first: the first one installed is timed.
_LARGEST = ("sympy", "scipy", "pandas", "hypothesis", "pip")


def _package() -> str:
    for name in _LARGEST:
        if importlib.util.find_spec(name) is not None:
            return name
    raise AssertionError("not even pip is installed")


def test_closure(benchmark: BenchmarkFixture, backend: str, settings: Settings) -> None:
    package = _package()
    found: list[Closure] = []

    def job() -> Closure:
        result = closure([package], backend=backend)
        found.append(result)
        return result

    benchmark.group = f"closure-{package}"
    # The pure backend reads every file with ast: one round says enough.
    once = settings.quick or backend == "python"
    result = benchmark.pedantic(job, rounds=1 if once else 7, warmup_rounds=0 if once else 1)
    # The work was done: the package's modules, with the files they were read from.
    assert result.totals().modules > 100
    assert result.by_top_level()[package].source_bytes > 0
    benchmark.extra_info.update(
        corpus=f"closure {package}",
        contender=f"closure-{backend}",
        modules=result.totals().modules,
        source_bytes=result.totals().source_bytes,
    )


# Until the extractors record try/except choices, platform tests and __main__ blocks (extract_py's
# ImportRef contract), every handler and every branch is followed: precision is lower.
_FLOORS = (closure_oracle.RECALL_TARGET, 0.85)


def test_oracle_sums() -> None:
    """Summed over the packages the oracle knows, recall and precision meet the targets (the
    floors, while the extractors do not record what the closure needs)."""
    packages = closure_oracle.available([*closure_oracle.STDLIB, *closure_oracle.THIRD_PARTY])
    assert len(packages) >= 20
    rows = [closure_oracle.measure(package) for package in packages]
    recall, precision = closure_oracle.sums(rows)
    report = closure_oracle.table(rows)
    recorded = all(extractor_records(None, need) for need in ("choice", "condition", "main"))
    targets = (closure_oracle.RECALL_TARGET, closure_oracle.PRECISION_TARGET)
    least_recall, least_precision = targets if recorded else _FLOORS
    print(f"\n{report}")
    if recall < least_recall or precision < least_precision:
        pytest.fail(f"recall {recall:.1%}, precision {precision:.1%}:\n{report}")
