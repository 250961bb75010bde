"""Incremental scans: ``modspec surface`` and ``modspec graph`` of the generated monorepo, a
fresh process each round, with the cache of extracted imports empty (the first run), full and
unchanged (the second run), and full but for one edited file; and with ``--no-cache``.

Each round's cache directory is set up untimed (pytest-benchmark's ``setup``): emptied for the
first run; filled by an untimed run for the others, one file of the tree edited before each
edited round (and restored at the end). The table prints each median and the ratios to the
unchanged run. ``closure sympy --json`` runs first, unchanged and with ``--no-cache`` too (a
closure reads the modules it loads, not a tree: only whole answers are kept for it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import corpus as corpora
import pytest
from conftest import Settings
from pytest_benchmark.fixture import BenchmarkFixture

SCENARIOS = ("first", "unchanged", "one-file-edited", "no-cache")


@pytest.fixture(scope="module")
def edited_file(monorepo: corpora.Corpus) -> Iterator[Path]:
    """A module of the monorepo that the edited rounds change, put back afterwards."""
    path = next(Path(monorepo.path[0]).glob("*/*/*/mod0.py"))
    original = path.read_bytes()
    yield path
    path.write_bytes(original)


def _run(command: list[str], cache: Path) -> None:
    env = {**os.environ, "MODSPEC_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # modspec's own bytecode, as an installed one has
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("command", ["surface", "graph"])
def test_cache(
    benchmark: BenchmarkFixture,
    monorepo: corpora.Corpus,
    edited_file: Path,
    settings: Settings,
    tmp_path: Path,
    command: str,
    scenario: str,
) -> None:
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "modspec", command, *monorepo.path]
    if scenario == "no-cache":
        argv.append("--no-cache")
    edits = iter(range(1_000_000))

    def setup() -> None:
        if scenario == "first":
            shutil.rmtree(cache, ignore_errors=True)
            return
        if scenario != "no-cache" and not cache.exists():
            _run(argv, cache)
        if scenario == "one-file-edited":
            with edited_file.open("a", encoding="utf-8") as file:
                file.write(f"import edited_{next(edits)}\n")

    benchmark.group = f"cache-{command}"
    rounds = 3 if settings.quick else 2
    benchmark.pedantic(_run, args=(argv, cache), setup=setup, rounds=rounds, warmup_rounds=0)
    if scenario != "no-cache":
        # The work was done: the cache holds one store per root, as the command left them.
        stores = list((cache / "extract").glob("*.store"))
        assert len(stores) == len(monorepo.path)
    benchmark.extra_info.update(
        corpus=f"cache {command}", contender=f"cache-{scenario}", files=_files(monorepo)
    )


def _files(monorepo: corpora.Corpus) -> int:
    return sum(1 for root in monorepo.path for _ in Path(root).rglob("*.py"))


CLOSURE_ROOT = "sympy"  # a large closure (the bench extra installs it): 550 modules, 12 MB


@pytest.mark.parametrize("scenario", ["first", "unchanged", "no-cache"])
def test_cache_closure(
    benchmark: BenchmarkFixture, settings: Settings, tmp_path: Path, scenario: str
) -> None:
    """``modspec closure sympy --json``: its answer replayed from the cache of whole answers
    (a closure reads no tree, so it has no per-file store: first and no-cache do the same
    work, the first also writes the entry)."""
    pytest.importorskip(CLOSURE_ROOT)
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "modspec", "closure", CLOSURE_ROOT, "--json"]
    if scenario == "no-cache":
        argv.append("--no-cache")

    def setup() -> None:
        if scenario == "first":
            shutil.rmtree(cache, ignore_errors=True)
        elif scenario == "unchanged" and not cache.exists():
            _run(argv, cache)

    benchmark.group = "cache-closure"
    rounds = 5 if settings.quick else 15
    benchmark.pedantic(_run, args=(argv, cache), setup=setup, rounds=rounds, warmup_rounds=0)
    if scenario == "unchanged":
        assert len(list((cache / "results").glob("*.result"))) == 1
    env = {**os.environ, "MODSPEC_CACHE_DIR": str(cache)}
    done = subprocess.run(argv, check=True, env=env, capture_output=True, text=True)
    modules = len(json.loads(done.stdout)["modules"])
    assert modules > 100
    benchmark.extra_info.update(
        corpus="cache closure", contender=f"cache-{scenario}", files=modules
    )
