"""Benchmark settings, the two corpora, and the end-of-session table of the issue's targets.

Timings are printed, never asserted: this machine is noisy, and a slow figure is a finding,
not a failure. What is asserted is that each contender did the work (the answers).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import corpus as corpora
import pytest

import modspec

HERE = Path(__file__).parent
CORPUS_DIR = HERE / ".corpus"


@dataclass(frozen=True)
class Settings:
    """How much to run: the full suite, or the quick one (QUICK monorepo, fewer rounds)."""

    quick: bool
    corpus_dir: Path
    large_env: str | None = None

    @property
    def shape(self) -> dict[str, int]:
        return corpora.QUICK if self.quick else corpora.FULL

    @property
    def batch_size(self) -> int:
        return 100_000 if self.quick else 1_000_000

    def rounds(self, corpus: corpora.Corpus) -> int:
        """Rounds of an in-process contender (a few seconds each on the full monorepo)."""
        if self.quick:
            return 3
        return 5 if corpus.label == "monorepo" else 10

    @property
    def floor_rounds(self) -> int:
        return 5 if self.quick else 20

    @property
    def subprocess_rounds(self) -> int:
        """Rounds of the find_spec loop: each is a fresh interpreter."""
        return 1 if self.quick else 3

    @property
    def subprocess_warmup(self) -> int:
        return 0 if self.quick else 1

    def one_core_children(self, corpus: corpora.Corpus) -> int:
        """Fresh interpreters pinned to one core, each taking one_core_rounds rounds (one on
        the full monorepo, whose round of every contender takes tens of seconds)."""
        return 1 if self.quick or corpus.label == "monorepo" else 3

    def one_core_rounds(self, corpus: corpora.Corpus) -> int:
        if self.quick:
            return 3
        return 2 if corpus.label == "monorepo" else 5


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("modspec benchmarks")
    group.addoption(
        "--quick",
        action="store_true",
        default=os.environ.get("MODSPEC_BENCH_QUICK", "") not in ("", "0"),
        help="the QUICK monorepo, fewer rounds, a 100k batch (also: MODSPEC_BENCH_QUICK=1)",
    )
    group.addoption(
        "--large-env",
        default=os.environ.get(corpora.LARGE_ENV_VARIABLE) or None,
        metavar="DIR",
        help="the site-packages of the large-environment corpus (default: the largest global "
        "site-packages of this Python version; the full suite builds a venv where none is "
        f"large; also: {corpora.LARGE_ENV_VARIABLE}=DIR)",
    )
    group.addoption(
        "--corpus-dir",
        default=None,
        help=f"where the generated monorepo is kept (default: {CORPUS_DIR})",
    )


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    where = pytestconfig.getoption("corpus_dir")
    return Settings(
        quick=bool(pytestconfig.getoption("quick")),
        corpus_dir=Path(where) if where else CORPUS_DIR,
        large_env=pytestconfig.getoption("large_env"),
    )


def _default_path() -> list[str]:
    """sys.path as a script run by this interpreter sees it, without the script's directory:
    the benchmark session's own sys.path also holds the checkout and pytest's insertions."""
    script = "import json, sys; print(json.dumps(sys.path[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    path: list[str] = json.loads(done.stdout)
    return path


@pytest.fixture(scope="session")
def monorepo(settings: Settings) -> corpora.Corpus:
    """The generated monorepo, made once per shape and interpreter and kept in corpus_dir."""
    kind = "quick" if settings.quick else "full"
    where = settings.corpus_dir / f"monorepo-{kind}-{sys.implementation.cache_tag}"
    where.mkdir(parents=True, exist_ok=True)
    return corpora.monorepo(where, settings.shape)


@pytest.fixture(scope="session")
def environment() -> corpora.Corpus:
    return corpora.environment(_default_path())


@pytest.fixture(scope="session")
def large_environment(settings: Settings) -> corpora.Corpus:
    """The standard library and the largest site-packages here (corpus.large_environment):
    found, or built by the full suite (never by --quick, where building would be most of the
    run); skipped, saying why, where neither is possible."""
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    try:
        return corpora.large_environment(
            settings.corpus_dir, explicit=settings.large_env, build=not settings.quick
        )
    except corpora.Unavailable as why:
        pytest.skip(f"no large environment: {why}")


@pytest.fixture(scope="session", params=["environment", "large_environment", "monorepo"])
def corpus(request: pytest.FixtureRequest) -> corpora.Corpus:
    """Each corpus in turn: every benchmark that takes it runs on each."""
    found: corpora.Corpus = request.getfixturevalue(request.param)
    return found


@pytest.fixture(scope="session", params=["cython", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both cores; a missing compiled core is an error here, never a skip."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def corpus_file(corpus: corpora.Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's names and path as JSON, for the contenders that run in a subprocess."""
    file = tmp_path_factory.mktemp("corpus") / f"{corpus.label}.json"
    file.write_text(json.dumps({"names": corpus.names, "path": corpus.path}))
    return file


@pytest.fixture(scope="session")
def reference(corpus: corpora.Corpus) -> dict[str, modspec.Spec | None]:
    """The pure core's answers, taken once: what every timed run must give again."""
    return modspec.Resolver(list(corpus.path), backend="python").resolve_many(corpus.names)


Result = TypeVar("Result")


def cpu_timed(function: Callable[..., Result], seconds: list[float]) -> Callable[..., Result]:
    """``function``, appending to ``seconds`` the CPU time of each call: user and system time
    of every thread of the process (time.process_time), which wall time alone hides once a
    contender works on more than one core."""

    def timed(*args: Any) -> Result:
        start = time.process_time()
        result = function(*args)
        seconds.append(time.process_time() - start)
        return result

    return timed


def run_child(*args: str, python_flags: tuple[str, ...] = (), timeout: float = 1800) -> None:
    """Run child.py in a fresh interpreter; its stdout is discarded, its stderr kept for errors."""
    done = subprocess.run(
        [sys.executable, *python_flags, str(HERE / "child.py"), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")


def peak_memory(
    corpus_file: Path, out_dir: Path, backend: str, size: int | None = None
) -> dict[str, int]:
    """Peak memory of one cold resolve_many in a fresh interpreter: ru_maxrss delta and
    tracemalloc's peak, each from a run of its own."""
    figures: dict[str, int] = {}
    for how in ("rss", "tracemalloc"):
        out = out_dir / f"memory-{backend}-{how}.json"
        extra = () if size is None else (str(size),)
        run_child("memory", str(corpus_file), str(out), backend, how, *extra)
        report = json.loads(out.read_text())
        if how == "rss":
            figures["maxrss_delta_bytes"] = report["maxrss_after"] - report["maxrss_before"]
            figures["maxrss_bytes"] = report["maxrss_after"]
        else:
            figures["tracemalloc_peak_bytes"] = report["tracemalloc_peak"]
        figures["memory_run_found"] = report["found"]
    return figures


# -- the end-of-session table ---------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    corpus: str
    measure: str
    value: str
    target: str = ""
    verdict: str = ""
    detail: str = ""


def _results(config: pytest.Config) -> dict[tuple[str, str], Any]:
    """pytest-benchmark's results, keyed by (corpus, contender)."""
    session = getattr(config, "_benchmarksession", None)
    found: dict[tuple[str, str], Any] = {}
    for bench in getattr(session, "benchmarks", None) or ():
        info = bench.extra_info
        if bench.has_error or not bench.stats or "contender" not in info:
            continue
        found[(info["corpus"], info["contender"])] = bench
    return found


def _median(bench: Any) -> float:
    # A subprocess contender's own figure (the loop, timed inside the interpreter) when it has
    # one; else pytest-benchmark's median of the rounds.
    inner = bench.extra_info.get("inner_seconds")
    return float(statistics.median(inner)) if inner else float(bench.stats.median)


def _cpu_median(bench: Any) -> float | None:
    cpu = bench.extra_info.get("cpu_seconds")
    return float(statistics.median(cpu)) if cpu else None


def _cores() -> int:
    """The cores this process may run on (its affinity), which os.cpu_count() may exceed."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _bytes(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


def _ratio_row(
    results: dict[tuple[str, str], Any],
    corpus: str,
    measure: str,
    numerator: str,
    denominator: str,
    target: float,
    at_least: bool,
) -> _Row | None:
    top, bottom = results.get((corpus, numerator)), results.get((corpus, denominator))
    if top is None or bottom is None:
        return None
    ratio = _median(top) / _median(bottom)
    detail = f"{_seconds(_median(top))} / {_seconds(_median(bottom))}"
    if corpus not in TARGET_CORPORA:
        # The issue sets its targets on the real environments; elsewhere a ratio is a figure.
        return _Row(corpus, measure, f"{ratio:.2f}x", detail=detail)
    met = ratio >= target if at_least else ratio <= target
    return _Row(
        corpus,
        measure,
        f"{ratio:.2f}x",
        f"{'≥' if at_least else '≤'} {target:g}x",
        "met" if met else "not met",
        detail,
    )


# The corpora the issue's targets are set on (the others' ratios are figures).
TARGET_CORPORA = ("environment", "large-env")
# The find_spec target: the ratio row's, and the wall-time budget row's (_cpu_rows).
FIND_SPEC_TARGET = 60


def summary_rows(config: pytest.Config) -> list[_Row]:
    results = _results(config)
    rows: list[_Row] = []
    labels = {corpus for corpus, _ in results} - {"batch"}
    corpora_seen = sorted(labels, key=lambda corpus: (corpus != "monorepo", corpus))
    ratios = [
        ("find_spec loop / Cython cold", "find_spec", "cython-cold", FIND_SPEC_TARGET, True),
        ("mypy FindModuleCache / Cython cold", "mypy", "cython-cold", 3, True),
        ("Cython cold / floor (os.listdir+os.stat)", "cython-cold", "floor-python", 1.3, False),
        ("Cython cold / floor (C readdir+stat)", "cython-cold", "floor-c", 1.3, False),
        ("pure warm / Cython warm", "python-warm", "cython-warm", 3, True),
    ]
    for corpus in corpora_seen:
        for measure, top, bottom, target, at_least in ratios:
            row = _ratio_row(results, corpus, measure, top, bottom, target, at_least)
            if row is not None:
                rows.append(row)
        floor = results.get((corpus, "floor-python"))
        if floor is not None:
            info = floor.extra_info
            rows.append(
                _Row(
                    corpus,
                    "floor's work",
                    f"{info['directories']:,} dirs",
                    detail=f"listed once each; {info['files']:,} files stat'ed once each",
                )
            )
        rows.extend(_cpu_rows(results, corpus))
        rows.extend(_spread_rows(results, corpus))
        rows.extend(_one_core_rows(results, corpus))
        loop = results.get((corpus, "find_spec"))
        cold = results.get((corpus, "cython-cold"))
        if loop is not None and cold is not None:
            wall = float(loop.stats.median)
            rows.append(
                _Row(
                    corpus,
                    "find_spec loop incl. interpreter start / Cython cold",
                    f"{wall / _median(cold):.2f}x",
                    detail=f"start-up and reading names: {_seconds(wall - _median(loop))}",
                )
            )
        for backend in ("cython", "python"):
            bench = results.get((corpus, f"{backend}-cold"))
            if bench is None:
                continue
            info = bench.extra_info
            rows.append(
                _Row(
                    corpus,
                    f"{backend} cold: names/s",
                    f"{info['names'] / _median(bench):,.0f}",
                    detail=f"{info['names']:,} names in {_seconds(_median(bench))}",
                )
            )
            rows.extend(_memory_rows(corpus, backend, info))
    rows.extend(_surface_rows(results))
    rows.extend(_graph_rows(results))
    rows.extend(_cache_rows(results))
    for backend in ("cython", "python"):
        bench = results.get(("batch", f"{backend}-cold"))
        if bench is None:
            continue
        info = bench.extra_info
        label = f"batch of {info['names']:,}"
        rows.append(
            _Row(
                label,
                f"{backend} cold: names/s",
                f"{info['names'] / _median(bench):,.0f}",
                detail=f"one round: {_seconds(_median(bench))}, {info['found']:,} found",
            )
        )
        rows.extend(_memory_rows(label, backend, info))
    return rows


# What the one-core rows compare: (measure, numerator, denominator, target, at least).
ONE_CORE_RATIOS = (
    (
        "one core: Cython cold / floor (os.listdir+os.stat)",
        "cython-cold",
        "floor-python",
        1.3,
        False,
    ),
    ("one core: Cython cold / floor (C readdir+stat)", "cython-cold", "floor-c", 1.3, False),
    ("one core: mypy FindModuleCache / Cython cold", "mypy", "cython-cold", 3, True),
    ("one core: find_spec loop / Cython cold", "find_spec", "cython-cold", FIND_SPEC_TARGET, True),
    ("one core: pure warm / Cython warm", "python-warm", "cython-warm", 3, True),
)


def one_core_figures(results: dict[tuple[str, str], Any], corpus: str) -> dict[str, list[float]]:
    """Each contender's seconds per round on one core (test_one_core's rounds, and the pinned
    find_spec loop's, timed inside its interpreter)."""
    figures: dict[str, list[float]] = {}
    bench = results.get((corpus, "one-core"))
    if bench is not None:
        for label, measured in bench.extra_info["one_core"].items():
            figures[label] = list(measured["seconds"])
    loop = results.get((corpus, "find_spec-one-core"))
    if loop is not None:
        figures["find_spec"] = list(loop.extra_info["inner_seconds"])
    return figures


def _spread(seconds: list[float]) -> str:
    return f"{_seconds(min(seconds))}–{_seconds(max(seconds))}"


def _one_core_rows(results: dict[tuple[str, str], Any], corpus: str) -> list[_Row]:
    """The one-core medians with their spread, and the ratios: of medians, and (where both
    contenders took turns in the same child) the median of the round-by-round ratios too."""
    figures = one_core_figures(results, corpus)
    if not figures:
        return []
    rows = [
        _Row(
            corpus,
            f"one core: {label}",
            _seconds(statistics.median(seconds)),
            detail=f"{len(seconds)} rounds, {_spread(seconds)}",
        )
        for label, seconds in figures.items()
    ]
    paired = results.get((corpus, "one-core"))
    for measure, top, bottom, target, at_least in ONE_CORE_RATIOS:
        if top not in figures or bottom not in figures:
            continue
        ratio = statistics.median(figures[top]) / statistics.median(figures[bottom])
        detail = f"{_seconds(statistics.median(figures[top]))} / "
        detail += _seconds(statistics.median(figures[bottom]))
        if paired is not None and top != "find_spec":
            one_core = paired.extra_info["one_core"]
            pairs = [
                a / b
                for a, b in zip(one_core[top]["seconds"], one_core[bottom]["seconds"], strict=True)
            ]
            detail += f"; round by round {statistics.median(pairs):.2f}x"
            detail += f" ({min(pairs):.2f}–{max(pairs):.2f})"
        if corpus in TARGET_CORPORA:
            met = ratio >= target if at_least else ratio <= target
            verdict = "met" if met else "not met"
            rows.append(
                _Row(
                    corpus,
                    measure,
                    f"{ratio:.2f}x",
                    f"{'≥' if at_least else '≤'} {target:g}x",
                    verdict,
                    detail,
                )
            )
        else:
            rows.append(_Row(corpus, measure, f"{ratio:.2f}x", detail=detail))
    return rows


def _spread_rows(results: dict[tuple[str, str], Any], corpus: str) -> list[_Row]:
    """Each unpinned contender's median with its rounds' spread."""
    rows = []
    for contender in (
        "cython-cold", "python-cold", "cython-warm", "python-warm", "mypy", "find_spec",
        "floor-python", "floor-c",
    ):  # fmt: skip
        bench = results.get((corpus, contender))
        if bench is None:
            continue
        inner = bench.extra_info.get("inner_seconds")
        seconds = inner or [float(bench.stats.min), float(bench.stats.max)]
        rounds = len(inner) if inner else int(bench.stats.rounds)
        rows.append(
            _Row(
                corpus,
                contender,
                _seconds(_median(bench)),
                detail=f"{rounds} rounds, {_spread(seconds)}",
            )
        )
    return rows


def _cpu_rows(results: dict[tuple[str, str], Any], corpus: str) -> list[_Row]:
    """CPU time (every thread) beside wall time; and the find_spec target's wall budget beside
    the least a static resolver's system calls cost spread over every core, which no overlap
    of threads can go below."""
    rows = []
    for contender, label in (
        ("cython-cold", "Cython cold"),
        ("python-cold", "pure cold"),
        ("floor-c", "floor (C readdir+stat)"),
    ):
        bench = results.get((corpus, contender))
        cpu = None if bench is None else _cpu_median(bench)
        if cpu is not None:
            wall = _median(bench)
            rows.append(
                _Row(
                    corpus,
                    f"{label}: CPU time, all threads",
                    _seconds(cpu),
                    detail=f"wall {_seconds(wall)}: {cpu / wall:.2f} cores busy",
                )
            )
    loop, floor = results.get((corpus, "find_spec")), results.get((corpus, "floor-c"))
    floor_cpu = None if floor is None else _cpu_median(floor)
    if loop is not None and floor_cpu is not None:
        cores = _cores()
        rows.append(
            _Row(
                corpus,
                f"find_spec loop / {FIND_SPEC_TARGET}: the wall time {FIND_SPEC_TARGET}x allows",
                _seconds(_median(loop) / FIND_SPEC_TARGET),
                detail=f"C floor's CPU time over {cores} cores: {_seconds(floor_cpu / cores)}",
            )
        )
    return rows


def _surface_rows(results: dict[tuple[str, str], Any]) -> list[_Row]:
    rows = []
    for (corpus, contender), bench in sorted(results.items()):
        if not contender.startswith("surface-"):
            continue
        info = bench.extra_info
        phases = info["phases"]
        split = ", ".join(
            f"{phase} {_seconds(seconds)}" for phase, seconds in phases.items() if phase != "total"
        )
        rows.append(
            _Row(
                corpus,
                f"{contender.removeprefix('surface-')}: files/s",
                f"{info['files'] / phases['total']:,.0f}",
                detail=f"{info['files']:,} files, {info['imports']:,} imports; {split}",
            )
        )
    return rows


# modspec graph against its peers (bench_graph.py): each peer's median over modspec's.
GRAPH_TARGETS = {"ruff analyze graph": 1.5, "grimp build_graph": 1.0}
# modspec's second contender there: the command as a user runs it again, its cache (in a
# directory of the test's) filled by the warm-up round.
WARM = "modspec graph, cache warm"


def _graph_rows(results: dict[tuple[str, str], Any]) -> list[_Row]:
    rows = []
    for (corpus, contender), bench in sorted(results.items()):
        if contender != "modspec-graph":
            continue
        ours = float(bench.stats.median)
        spread = f"{_seconds(float(bench.stats.min))}–{_seconds(float(bench.stats.max))}"
        rows.append(
            _Row(
                f"graph {corpus}",
                "modspec graph --json (console script)",
                _seconds(ours),
                detail=f"rounds {spread}; {bench.extra_info['root']}",
            )
        )
        peers = dict(bench.extra_info["peers"])
        warm = peers.pop(WARM, None)
        modspecs = [("modspec graph", ours)]
        if warm is not None:
            modspecs.append((WARM, warm["median"]))
            rows.append(
                _Row(
                    f"graph {corpus}",
                    f"{WARM} (console script)",
                    _seconds(warm["median"]),
                    detail=f"rounds {_seconds(warm['min'])}–{_seconds(warm['max'])}",
                )
            )
        for peer, figures in peers.items():
            target = GRAPH_TARGETS[peer]
            for name, seconds in modspecs:
                ratio = figures["median"] / seconds
                met = ratio >= target if target > 1 else ratio > target
                rows.append(
                    _Row(
                        f"graph {corpus}",
                        f"{peer} / {name}",
                        f"{ratio:.2f}x",
                        f"> {target}x" if target == 1.0 else f"≥ {target}x",
                        "met" if met else "not met",
                        f"{_seconds(figures['median'])} ({_seconds(figures['min'])}–"
                        f"{_seconds(figures['max'])}) / {_seconds(seconds)}",
                    )
                )
    return rows


def _cache_rows(results: dict[tuple[str, str], Any]) -> list[_Row]:
    """bench_cache.py: each scenario's median, and the first and edited runs over the
    unchanged one (the issue's target: a second run of an unchanged tree >= 5x faster)."""
    rows = []
    for command in ("surface", "graph", "closure"):
        corpus = f"cache {command}"
        unchanged = results.get((corpus, "cache-unchanged"))
        unit = "modules" if command == "closure" else "files"
        for scenario in ("first", "unchanged", "one-file-edited", "no-cache"):
            bench = results.get((corpus, f"cache-{scenario}"))
            if bench is None:
                continue
            spread = f"{_seconds(float(bench.stats.min))}–{_seconds(float(bench.stats.max))}"
            rows.append(
                _Row(
                    corpus,
                    f"{scenario} run",
                    _seconds(_median(bench)),
                    detail=f"{bench.extra_info['files']:,} {unit}; rounds {spread}",
                )
            )
        first = results.get((corpus, "cache-first"))
        if first is not None and unchanged is not None:
            ratio = _median(first) / _median(unchanged)
            rows.append(
                _Row(
                    corpus,
                    "first run / unchanged run",
                    f"{ratio:.2f}x",
                    "≥ 5x",
                    "met" if ratio >= 5 else "not met",
                    f"{_seconds(_median(first))} / {_seconds(_median(unchanged))}",
                )
            )
    return rows


def _memory_rows(corpus: str, backend: str, info: dict[str, Any]) -> list[_Row]:
    if "tracemalloc_peak_bytes" not in info:
        return []
    return [
        _Row(
            corpus, f"{backend} peak memory (tracemalloc)", _bytes(info["tracemalloc_peak_bytes"])
        ),
        _Row(
            corpus,
            f"{backend} peak memory (ru_maxrss delta)",
            _bytes(info["maxrss_delta_bytes"]),
            detail=f"peak RSS of the child {_bytes(info['maxrss_bytes'])}",
        ),
    ]


def format_table(rows: list[_Row]) -> list[str]:
    header = _Row("corpus", "measure", "value", "target", "verdict", "from (medians)")
    table = [header, *rows]
    names = [field.name for field in fields(_Row)]
    widths = [max(len(getattr(row, name)) for row in table) for name in names]
    lines = []
    for row in table:
        cells = [getattr(row, name).ljust(width) for name, width in zip(names, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rows = summary_rows(config)
    if not rows:
        return
    quick = bool(config.getoption("quick"))
    terminalreporter.write_sep("=", "modspec: the issue's targets (figures, never assertions)")
    terminalreporter.write_line(
        f"{'quick' if quick else 'full'} run; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, modspec {modspec.__version__}; "
        "medians of the rounds; the find_spec loop timed inside its interpreter"
    )
    for line in format_table(rows):
        terminalreporter.write_line(line)
