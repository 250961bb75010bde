"""Start-up of the command line: fresh processes, each against `python -c pass` timed in turn.

The console script's cost before any work is what a CI step or an editor integration pays
on every call. Each timed round of a command follows one round of the baseline, by the same
clock, so that a busy spell of this shared machine falls on both alike; the ratio of medians
is what benchmarks/README.md reports (the issue's target: within 2x of `python -c pass`).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Settings
from pytest_benchmark.fixture import BenchmarkFixture

_BASELINE = [sys.executable, "-c", "pass"]
# Bytecode is written as it would be on a user's machine (the dev shell may forbid it).
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _script() -> str | None:
    beside = Path(sys.executable).parent / "modspec"
    return str(beside) if beside.exists() else shutil.which("modspec")


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENV)


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    _run(command)
    return time.perf_counter() - start


@pytest.mark.parametrize("contender", ["--version", "resolve json", "import modspec.cli"])
def test_startup(benchmark: BenchmarkFixture, contender: str, settings: Settings) -> None:
    script = _script()
    if script is None:
        pytest.skip("modspec's console script is not installed")
    if contender == "import modspec.cli":
        command = [sys.executable, "-c", "import modspec.cli"]
    else:
        command = [script, *contender.split()]
    _run(command)  # it works, and its bytecode is written
    baseline: list[float] = []
    benchmark.group = "startup"
    rounds = 5 if settings.quick else 21
    benchmark.pedantic(
        _run, args=(command,), setup=lambda: baseline.append(_time(_BASELINE)), rounds=rounds
    )
    ours = statistics.median(benchmark.stats.stats.data)
    benchmark.extra_info.update(
        corpus="startup",
        contender=f"modspec {contender}" if contender != "import modspec.cli" else contender,
        baseline={"median": statistics.median(baseline), "min": min(baseline)},
        ratio_to_baseline=ours / statistics.median(baseline),
    )
