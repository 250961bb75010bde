"""The contenders, side by side on the same names and path, on each corpus.

- modspec, cold: a new Resolver per round (no listing kept), both cores; plus peak memory.
- modspec, warm: the same Resolver again, its listings kept, both cores.
- importlib.util.find_spec in a loop, in a fresh interpreter per round (it imports parents).
- mypy's FindModuleCache, a new cache per round (finds .py/.pyi files and packages only).
- The system-call floor: the listings and stats the answers need, in Python and in C.
- One core: all of them again in fresh interpreters pinned to one processor, where the
  Cython core's stat thread has no core of its own (as on a CI machine whose other core is
  busy), the in-process ones taking turns round by round.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import corpus as corpora
import floor
import pytest
from conftest import Settings, cpu_timed, peak_memory, run_child
from mypy.modulefinder import FindModuleCache, SearchPaths
from mypy.options import Options
from pytest_benchmark.fixture import BenchmarkFixture

import modspec

Answers = dict[str, modspec.Spec | None]


def _check(found: Answers, reference: Answers, corpus: corpora.Corpus) -> None:
    """The timed run gave every answer, and on the generated corpus the very same answers.

    (The environment is live: a .pyc written meanwhile changes a stat, so only the names are
    compared there; tests/test_environment.py holds it against CPython.)"""
    assert list(found) == list(dict.fromkeys(corpus.names))
    if corpus.label == "monorepo":
        assert found == reference


def _found(answers: Answers) -> int:
    return sum(spec is not None for spec in answers.values())


def test_modspec_cold(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    backend: str,
    settings: Settings,
    reference: Answers,
    corpus_file: Path,
    tmp_path: Path,
) -> None:
    names, path = corpus.names, list(corpus.path)

    def cold() -> Answers:
        return modspec.Resolver(path, backend=backend).resolve_many(names)

    cpu: list[float] = []
    benchmark.group = corpus.label
    found = benchmark.pedantic(
        cpu_timed(cold, cpu), rounds=settings.rounds(corpus), warmup_rounds=1
    )
    _check(found, reference, corpus)
    benchmark.extra_info.update(
        corpus=corpus.label,
        contender=f"{backend}-cold",
        names=len(found),
        found=_found(found),
        cpu_seconds=cpu[1:],
    )
    # Untimed: the same call's peak memory, each measure in a fresh interpreter of its own.
    memory = peak_memory(corpus_file, tmp_path, backend)
    assert memory.pop("memory_run_found") == _found(found)
    benchmark.extra_info.update(memory)


def test_modspec_warm(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    backend: str,
    settings: Settings,
    reference: Answers,
) -> None:
    resolver = modspec.Resolver(list(corpus.path), backend=backend)
    resolver.resolve_many(corpus.names)  # the first call takes the listings

    benchmark.group = corpus.label
    found = benchmark.pedantic(
        resolver.resolve_many, args=(corpus.names,), rounds=settings.rounds(corpus), warmup_rounds=1
    )
    _check(found, reference, corpus)
    benchmark.extra_info.update(
        corpus=corpus.label, contender=f"{backend}-warm", names=len(found), found=_found(found)
    )


def test_find_spec_loop(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    settings: Settings,
    reference: Answers,
    corpus_file: Path,
    tmp_path: Path,
) -> None:
    """pytest-benchmark times the whole subprocess (interpreter start-up included); the loop's
    own time, measured inside it, is kept in extra_info["inner_seconds"] and is what the table
    compares. -B: the parents it imports must not write .pyc files into the corpus."""
    out = tmp_path / "find_spec.json"
    reports: list[dict[str, float]] = []

    def loop() -> None:
        run_child("find_spec", str(corpus_file), str(out), python_flags=("-B",))
        reports.append(json.loads(out.read_text()))

    benchmark.group = corpus.label
    # The warm-up round reads the packages' __init__ files into the page cache, as the other
    # contenders' warm-up rounds fill it with what they read.
    warmup = settings.subprocess_warmup
    benchmark.pedantic(loop, rounds=settings.subprocess_rounds, warmup_rounds=warmup)
    timed = reports[warmup:]
    benchmark.extra_info.update(
        corpus=corpus.label,
        contender="find_spec",
        names=len(corpus.names),
        inner_seconds=[report["seconds"] for report in timed],
        found=timed[-1]["found"],
        errors=timed[-1]["errors"],
    )
    if corpus.label == "monorepo":
        assert timed[-1]["found"] == _found(reference)
        assert timed[-1]["errors"] == 0


def test_mypy_find_module_cache(
    benchmark: BenchmarkFixture, corpus: corpora.Corpus, settings: Settings, reference: Answers
) -> None:
    """The path goes in python_path: mypy then takes every directory as source, as import does
    (package_path would ask for py.typed). mypy finds no extension modules or lone .pyc files."""
    names = corpus.names
    search = SearchPaths(
        python_path=tuple(corpus.path), mypy_path=(), package_path=(), typeshed_path=()
    )
    options = Options()

    def find_all() -> list[object]:
        cache = FindModuleCache(search, None, options)
        find_module = cache.find_module
        return [find_module(name) for name in names]

    benchmark.group = corpus.label
    results = benchmark.pedantic(find_all, rounds=settings.rounds(corpus), warmup_rounds=1)
    found = sum(isinstance(result, str) for result in results)
    benchmark.extra_info.update(
        corpus=corpus.label, contender="mypy", names=len(names), found=found
    )
    if corpus.label == "monorepo":  # only .py files and packages there: mypy finds them all
        assert found == _found(reference)


@pytest.fixture(scope="session")
def floor_work(corpus: corpora.Corpus) -> floor.Work:
    return floor.work(corpus)


def test_floor_python(
    benchmark: BenchmarkFixture, corpus: corpora.Corpus, floor_work: floor.Work, settings: Settings
) -> None:
    cpu: list[float] = []
    benchmark.group = corpus.label
    entries, present = benchmark.pedantic(
        cpu_timed(floor.list_and_stat, cpu),
        args=(floor_work.directories, floor_work.files),
        rounds=settings.floor_rounds,
        warmup_rounds=1,
    )
    benchmark.extra_info.update(
        corpus=corpus.label,
        contender="floor-python",
        cpu_seconds=cpu[1:],
        directories=len(floor_work.directories),
        files=len(floor_work.files),
        entries=entries,
        present=present,
    )
    assert entries > 0
    assert present > 0


@pytest.fixture(scope="session")
def c_floor_module(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """floor_c.pyx built (None where Cython or setuptools is missing)."""
    try:
        return floor.build_c_floor_module(tmp_path_factory.mktemp("floor_c"))
    except ModuleNotFoundError:
        return None


@pytest.fixture(scope="session")
def c_floor(c_floor_module: Path | None) -> floor.CFloor:
    if c_floor_module is None:
        pytest.skip("no C floor: Cython or setuptools is missing (pip install Cython setuptools)")
    return floor.load_c_floor(c_floor_module)


def test_floor_c(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    floor_work: floor.Work,
    c_floor: floor.CFloor,
    settings: Settings,
) -> None:
    directories, files = floor_work.encoded()
    cpu: list[float] = []
    benchmark.group = corpus.label
    _, present = benchmark.pedantic(
        cpu_timed(c_floor, cpu),
        args=(directories, files),
        rounds=settings.floor_rounds,
        warmup_rounds=1,
    )
    benchmark.extra_info.update(
        corpus=corpus.label,
        contender="floor-c",
        cpu_seconds=cpu[1:],
        directories=len(directories),
        files=len(files),
        present=present,
    )
    # The same files, the same answers as the Python floor's.
    assert present == floor.list_and_stat(floor_work.directories, floor_work.files)[1]


def _one_cpu() -> str:
    """The processor the one-core children are pinned to: the first this process may use."""
    return str(min(os.sched_getaffinity(0)))


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no sched_setaffinity here")
def test_one_core(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    settings: Settings,
    floor_work: floor.Work,
    c_floor_module: Path | None,
    corpus_file: Path,
    tmp_path: Path,
) -> None:
    """Every in-process contender again, each child interpreter pinned to one processor and
    taking them in turn, round by round (child.py one_core): so the one-core ratios compare
    figures taken under the same load, a round apart at most. pytest-benchmark times each
    whole child; the table reads the rounds inside."""
    work_file = tmp_path / "floor-work.json"
    work_file.write_text(json.dumps(dataclasses.asdict(floor_work)))
    out = tmp_path / "one-core.json"
    reports: list[dict[str, object]] = []
    extra = () if c_floor_module is None else (str(c_floor_module),)

    def child() -> None:
        rounds = str(settings.one_core_rounds(corpus))
        run_child(
            "one_core", str(corpus_file), str(out), _one_cpu(), rounds, str(work_file), *extra
        )
        reports.append(json.loads(out.read_text()))

    benchmark.group = f"{corpus.label}, one core"
    benchmark.pedantic(child, rounds=settings.one_core_children(corpus), warmup_rounds=0)
    merged: dict[str, dict[str, list[float]]] = {}
    for report in reports:
        assert report.pop("affinity") == [int(_one_cpu())]
        for label, figures in report.items():
            into = merged.setdefault(label, {"seconds": [], "cpu_seconds": []})
            for key in into:
                into[key] += figures[key]  # type: ignore[index]
    benchmark.extra_info.update(corpus=corpus.label, contender="one-core", one_core=merged)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no sched_setaffinity here")
def test_find_spec_loop_one_core(
    benchmark: BenchmarkFixture,
    corpus: corpora.Corpus,
    settings: Settings,
    corpus_file: Path,
    tmp_path: Path,
) -> None:
    """The find_spec loop pinned to the same one processor (it is single-threaded: the figure
    says what the pinning costs an interpreter that never had a second thread)."""
    out = tmp_path / "find_spec.json"
    reports: list[dict[str, float]] = []

    def loop() -> None:
        run_child("find_spec", str(corpus_file), str(out), _one_cpu(), python_flags=("-B",))
        reports.append(json.loads(out.read_text()))

    benchmark.group = f"{corpus.label}, one core"
    warmup = settings.subprocess_warmup
    benchmark.pedantic(loop, rounds=settings.subprocess_rounds, warmup_rounds=warmup)
    benchmark.extra_info.update(
        corpus=corpus.label,
        contender="find_spec-one-core",
        names=len(corpus.names),
        inner_seconds=[report["seconds"] for report in reports[warmup:]],
    )
