"""``modspec surface`` end to end: the standard library and the generated monorepo.

Each round is a whole job (walk, scan, one resolve_many batch, classify, bytecode) on a fresh
Resolver; the phase split of the median round goes to the table with files per second.
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import corpus as corpora
import pytest
from conftest import Settings
from pytest_benchmark.fixture import BenchmarkFixture

from modspec._codebase.surface import Surface, surface


@pytest.fixture(scope="session", params=["stdlib", "monorepo"])
def code_base(request: pytest.FixtureRequest) -> tuple[str, list[str]]:
    """A corpus label and its roots."""
    if request.param == "stdlib":
        return "stdlib", [sysconfig.get_paths()["stdlib"]]
    mono: corpora.Corpus = request.getfixturevalue("monorepo")
    return "monorepo", list(mono.path)


def test_surface(
    benchmark: BenchmarkFixture,
    code_base: tuple[str, list[str]],
    backend: str,
    settings: Settings,
) -> None:
    label, roots = code_base
    reports: list[Surface] = []

    def job() -> Surface:
        report = surface(roots, backend=backend)
        reports.append(report)
        return report

    benchmark.group = f"surface-{label}"
    # The pure backend reads every file with ast (~250 files/s): one round says enough, and
    # on the full monorepo that round alone takes minutes.
    once = settings.quick or backend == "python"
    report = benchmark.pedantic(job, rounds=1 if once else 3, warmup_rounds=0 if once else 1)
    # The work was done: every file walked and scanned, imports resolved.
    expected_files = sum(
        1
        for root in roots
        for directory, dirs, files in os.walk(root)
        for name in files
        if name.endswith(".py")
    )
    assert 0 < report.files <= expected_files
    assert report.imports > report.files
    assert report.modules
    median = sorted(reports, key=lambda r: r.timings["total"])[len(reports) // 2]
    benchmark.extra_info.update(
        corpus=f"surface {label}",
        contender=f"surface-{backend}",
        files=median.files,
        fast_files=median.fast_files,
        imports=median.imports,
        phases={phase: seconds for phase, seconds in median.timings.items()},
        root=str(Path(roots[0])),
    )
