"""A batch of 1,000,000 names (100,000 in quick mode) on the monorepo: time and peak memory.

The batch is the monorepo's own names, then absent children of its packages (``pkg.gone_17``),
shuffled: each absent name still costs a look in its package's listings.
"""

from __future__ import annotations

import json
from pathlib import Path

import corpus as corpora
from conftest import Settings, peak_memory
from pytest_benchmark.fixture import BenchmarkFixture

import modspec


def test_batch(
    benchmark: BenchmarkFixture,
    monorepo: corpora.Corpus,
    backend: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    names = corpora.batch(monorepo, settings.batch_size)
    path = list(monorepo.path)

    def cold() -> dict[str, modspec.Spec | None]:
        return modspec.Resolver(path, backend=backend).resolve_many(names)

    benchmark.group = "batch"
    # The warm-up round puts the monorepo's inodes in the OS's caches, as the other contenders'
    # warm-up rounds do: run first in a session, the timed round would read them from disk.
    found = benchmark.pedantic(cold, rounds=1, warmup_rounds=1)
    assert len(found) == settings.batch_size
    # The monorepo's absent names end in "_missing"; every other name of it exists.
    present = sum(1 for name in monorepo.names if not name.endswith("_missing"))
    hits = sum(spec is not None for spec in found.values())
    assert hits == present
    corpus_file = tmp_path / "monorepo.json"
    corpus_file.write_text(json.dumps({"names": monorepo.names, "path": monorepo.path}))
    memory = peak_memory(corpus_file, tmp_path, backend, size=settings.batch_size)
    assert memory.pop("memory_run_found") == hits
    benchmark.extra_info.update(
        corpus="batch", contender=f"{backend}-cold", names=len(found), found=hits, **memory
    )
