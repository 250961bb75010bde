"""Start-up of the library and the command line: fresh processes, against `python -c pass`.

The console script's cost before any work is what a CI step or an editor integration pays
on every call, and ``import modspec`` what every user of the library pays. Five contenders,
each a fresh process: ``python -c pass`` (the floor), ``python -c "import modspec"``,
``python -c "import modspec.cli"``, ``modspec --version`` and ``modspec resolve json``. They
take turns, one round each in an order that rotates from round to round, so that a busy spell
of this shared machine falls on all alike; each row gives the median, the spread of the rounds
and the ratio of medians to the floor (the target: the two commands within 2x of it), with
the median CPU time (user + system, from the children's rusage), which a busy machine
inflates less than the wall time.

Run by pytest (``test_startup``: unpinned and pinned to one core with ``taskset -c 0``, the
figures in ``extra_info``), or as ``python benchmarks/bench_startup.py [--rounds N] [--pin]``,
which prints the table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import Settings
    from pytest_benchmark.fixture import BenchmarkFixture

FLOOR = "python -c pass"
# Bytecode is written as it would be on a user's machine (the dev shell may forbid it).
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _script() -> str | None:
    beside = Path(sys.executable).parent / "modspec"
    return str(beside) if beside.exists() else shutil.which("modspec")


def contenders(script: str) -> dict[str, list[str]]:
    """Each contender's command line, the floor first."""
    python = sys.executable
    return {
        FLOOR: [python, "-c", "pass"],
        'python -c "import modspec"': [python, "-c", "import modspec"],
        'python -c "import modspec.cli"': [python, "-c", "import modspec.cli"],
        "modspec --version": [script, "--version"],
        "modspec resolve json": [script, "resolve", "json"],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one run of ``command``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENV)
    return time.perf_counter() - start, _children_cpu() - cpu


# Per contender: the wall times and the CPU times of its rounds.
Times = dict[str, tuple[list[float], list[float]]]


def one_round(commands: dict[str, list[str]], turn: int, times: Times) -> None:
    """Every contender once, starting with the ``turn``-th (mod their number)."""
    labels = list(commands)
    shift = turn % len(labels)
    for label in labels[shift:] + labels[:shift]:
        wall, cpu = _run(commands[label])
        times[label][0].append(wall)
        times[label][1].append(cpu)


def pinned(commands: dict[str, list[str]], cpu: int = 0) -> dict[str, list[str]]:
    """The same commands, run under ``taskset -c CPU``."""
    taskset = shutil.which("taskset")
    if taskset is None:
        raise FileNotFoundError("taskset is not installed (util-linux)")
    return {label: [taskset, "-c", str(cpu), *argv] for label, argv in commands.items()}


def summary(times: Times) -> dict[str, dict[str, float]]:
    """Per contender (seconds): the wall time's median, first and third quartiles, min and
    max, and the ratio of medians to the floor's; the CPU time's median and its ratio."""
    floor, floor_cpu = (statistics.median(seconds) for seconds in times[FLOOR])
    rows = {}
    for label, (seconds, cpu) in times.items():
        quartiles = statistics.quantiles(seconds, n=4) if len(seconds) > 1 else seconds * 3
        median = statistics.median(seconds)
        rows[label] = {
            "median": median,
            "q1": quartiles[0],
            "q3": quartiles[2],
            "min": min(seconds),
            "max": max(seconds),
            "ratio": median / floor,
            "cpu": statistics.median(cpu),
            "cpu_ratio": statistics.median(cpu) / floor_cpu,
        }
    return rows


def table(rows: dict[str, dict[str, float]], rounds: int, note: str) -> str:
    """The rows as a Markdown table, in milliseconds."""
    lines = [
        f"| contender ({note}, {rounds} rounds) | median | quartiles | min–max | / floor "
        "| CPU median | CPU / floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in rows.items():
        ms = {key: value * 1000 for key, value in row.items()}
        lines.append(
            f"| `{label}` | {ms['median']:.1f} ms | {ms['q1']:.1f}–{ms['q3']:.1f} "
            f"| {ms['min']:.1f}–{ms['max']:.1f} | {row['ratio']:.2f}x "
            f"| {ms['cpu']:.1f} ms | {row['cpu_ratio']:.2f}x |"
        )
    return "\n".join(lines)


def measure(rounds: int, pin: bool) -> Times:
    script = _script()
    if script is None:
        raise FileNotFoundError("modspec's console script is not installed beside this Python")
    commands = contenders(script)
    if pin:
        commands = pinned(commands)
    for argv in commands.values():
        _run(argv)  # each works, and its bytecode is written
    times: Times = {label: ([], []) for label in commands}
    for turn in range(rounds):
        one_round(commands, turn, times)
    return times


@pytest.mark.parametrize("pin", [False, True], ids=["unpinned", "one-core"])
def test_startup(benchmark: BenchmarkFixture, settings: Settings, pin: bool) -> None:
    script = _script()
    if script is None:
        pytest.skip("modspec's console script is not installed")
    commands = contenders(script)
    if pin:
        if shutil.which("taskset") is None:
            pytest.skip("taskset is not installed")
        commands = pinned(commands)
    for argv in commands.values():
        _run(argv)
    times: Times = {label: ([], []) for label in commands}
    turns = iter(range(1_000_000))
    benchmark.group = "startup"
    benchmark.pedantic(
        lambda: one_round(commands, next(turns), times), rounds=5 if settings.quick else 21
    )
    rows = summary(times)
    benchmark.extra_info.update(corpus="startup", contender="all five, one round", rows=rows)
    print()
    print(table(rows, len(times[FLOOR][0]), "one core" if pin else "unpinned"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--pin", action="store_true", help="run each under taskset -c 0")
    args = parser.parse_args()
    load = os.getloadavg()
    times = measure(args.rounds, args.pin)
    after = os.getloadavg()
    note = "one core (taskset -c 0)" if args.pin else "unpinned"
    print(table(summary(times), args.rounds, note))
    print(f"\nload average (1, 5, 15 min): before {load}, after {after}")


if __name__ == "__main__":
    main()
