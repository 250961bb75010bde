"""The closure held to real imports over real packages: recall and precision per package.

For each package, a fresh ``python -I`` imports it (tests/real_imports.py) and the modules
new in sys.modules are the truth; ``modspec closure`` of the same name, on the same path, is
the answer under test. Recall: the share of the truth the closure names; precision: the
share of the closure that is true. Summed over the packages, each counts by its size.

    python benchmarks/closure_oracle.py            # the table, as Markdown
    python benchmarks/closure_oracle.py --details  # and each package's misses and extras
    python -m pytest benchmarks/bench_closure.py   # the sums, held to the targets
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from real_imports import real_closure

from modspec._codebase.closure import closure

STDLIB = [
    "json",
    "email.parser",
    "http.client",
    "asyncio",
    "logging.handlers",
    "unittest",
    "argparse",
    "xml.etree.ElementTree",
    "sqlite3",
    "concurrent.futures",
    "decimal",
    "subprocess",
    "pathlib",
    "urllib.request",
    "tarfile",
    "multiprocessing",
    "dataclasses",
    "inspect",
    "csv",
    "uuid",
]
# What the [test] and [bench] extras install (and pip and setuptools, which every venv has).
THIRD_PARTY = [
    "pytest",
    "hypothesis",
    "mypy",
    "pip",
    "setuptools",
    "pkg_resources",
    "Cython",
    "pygments",
    "grimp",
    "sympy",
    "packaging",
    "pluggy",
    "pytest_benchmark",
]
# Targets of the issue: summed over the packages.
RECALL_TARGET = 0.95
PRECISION_TARGET = 0.98


@dataclass(frozen=True)
class Row:
    package: str
    real: tuple[str, ...]
    static: tuple[str, ...]
    seconds: float  # the static closure's

    @property
    def hits(self) -> int:
        return len(set(self.real) & set(self.static))

    @property
    def recall(self) -> float:
        return self.hits / len(self.real) if self.real else 1.0

    @property
    def precision(self) -> float:
        return self.hits / len(self.static) if self.static else 1.0

    @property
    def missed(self) -> list[str]:
        static = set(self.static)
        return [name for name in self.real if name not in static]

    @property
    def extra(self) -> list[str]:
        real = set(self.real)
        return [name for name in self.static if name not in real]


def available(packages: Iterable[str]) -> list[str]:
    """The packages this interpreter can import (by spec: nothing is imported)."""
    return [name for name in packages if importlib.util.find_spec(name.partition(".")[0])]


def measure(package: str, backend: str | None = None) -> Row:
    real = real_closure([package])
    if real.errors:
        raise RuntimeError(f"{package} does not import: {real.errors}")
    found = closure([package], path=real.path, backend=backend)
    return Row(package, tuple(real.new), tuple(found.completed), found.seconds)


def sums(rows: Sequence[Row]) -> tuple[float, float]:
    hits = sum(row.hits for row in rows)
    real = sum(len(row.real) for row in rows)
    static = sum(len(row.static) for row in rows)
    return hits / real, hits / static


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| package | real | static | missed | extra | recall | precision | static time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| `{row.package}` | {len(row.real)} | {len(row.static)} | {len(row.missed)} "
            f"| {len(row.extra)} | {row.recall:.1%} | {row.precision:.1%} "
            f"| {row.seconds * 1000:.0f} ms |"
        )
    recall, precision = sums(rows)
    real = sum(len(row.real) for row in rows)
    static = sum(len(row.static) for row in rows)
    missed = sum(len(row.missed) for row in rows)
    extra = sum(len(row.extra) for row in rows)
    lines.append(
        f"| **sum** | {real} | {static} | {missed} | {extra} | **{recall:.1%}** "
        f"| **{precision:.1%}** | |"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="default: the list above, those installed")
    parser.add_argument("--details", action="store_true", help="each package's misses, extras")
    parser.add_argument("--backend", choices=("cython", "python"))
    args = parser.parse_args(argv)
    packages = args.packages or available([*STDLIB, *THIRD_PARTY])
    rows = [measure(package, args.backend) for package in packages]
    print(f"Python {sys.version.split()[0]}, {len(rows)} packages\n")
    print(table(rows))
    if args.details:
        for row in rows:
            if row.missed or row.extra:
                print(f"\n{row.package}:\n  missed: {row.missed}\n  extra: {row.extra}")
    recall, precision = sums(rows)
    return 0 if recall >= RECALL_TARGET and precision >= PRECISION_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
