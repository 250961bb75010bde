"""``modspec graph ROOT --json`` against ``ruff analyze graph`` and grimp's ``build_graph``.

Every contender is a whole process, started fresh each round, as a user or a CI job runs it:
modspec's console script, ruff's binary, and a Python that imports grimp and builds the graph
(its cache off). Rounds alternate: before each timed modspec round, each peer runs once, timed
by the same clock, so that a busy spell of this shared machine falls on all of them alike.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from conftest import WARM, Settings
from pytest_benchmark.fixture import BenchmarkFixture

# A package grimp can build (it takes importable, top-level packages only): pip, which every
# venv holds (about 490 modules, its vendored libraries included).
_PACKAGE = "pip"


def _corpus(label: str) -> tuple[str, str | None]:
    """(the root to walk, the package grimp builds, if it can build this corpus)."""
    if label == "stdlib":
        return sysconfig.get_paths()["stdlib"], None
    if label == "site-packages":
        return sysconfig.get_paths()["purelib"], None
    spec = importlib.util.find_spec(_PACKAGE)
    assert spec is not None
    assert spec.submodule_search_locations
    return spec.submodule_search_locations[0], _PACKAGE


def _script(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _time(command: list[str], env: dict[str, str] | None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


@pytest.mark.parametrize("label", ["stdlib", "site-packages", "package"])
def test_graph(benchmark: BenchmarkFixture, label: str, settings: Settings, tmp_path: Path) -> None:
    root, package = _corpus(label)
    modspec_script = _script("modspec")
    if modspec_script is None:
        pytest.skip("modspec's console script is not installed")
    # --no-cache: every round reads and scans every file, as the peers here do.
    ours = [modspec_script, "graph", root, "--json", "--no-cache"]
    warm_env = {**os.environ, "MODSPEC_CACHE_DIR": str(tmp_path / "cache")}
    peers: dict[str, tuple[list[str], dict[str, str] | None]] = {
        WARM: ([modspec_script, "graph", root, "--json"], warm_env)
    }
    ruff = _script("ruff")
    if ruff is not None:
        peers["ruff analyze graph"] = ([ruff, "analyze", "graph", root], None)
    if package is not None and importlib.util.find_spec("grimp") is not None:
        build = f"import grimp; grimp.build_graph({package!r}, cache_dir=None)"
        peers["grimp build_graph"] = ([sys.executable, "-c", build], None)
    peer_seconds: dict[str, list[float]] = {name: [] for name in peers}

    def peers_once() -> None:
        for name, (command, env) in peers.items():
            peer_seconds[name].append(_time(command, env))

    # The work was done: the graph has the corpus's modules and their edges.
    done = subprocess.run(ours, check=True, capture_output=True, text=True)
    assert '"schema": "modspec.graph/1"' in done.stdout
    assert done.stdout.count('"importer"') > 100

    benchmark.group = f"graph-{label}"
    rounds, warmups = (3, 1) if settings.quick else (7, 1)
    benchmark.pedantic(
        subprocess.run,
        args=(ours,),
        kwargs={"check": True, "stdout": subprocess.DEVNULL},
        setup=peers_once,
        rounds=rounds,
        warmup_rounds=warmups,
    )
    # setup runs before the warm-up rounds too: the peers' first runs are their warm-ups.
    timed = {name: seconds[warmups:] for name, seconds in peer_seconds.items()}
    benchmark.extra_info.update(
        corpus=label,
        contender="modspec-graph",
        root=root,
        peers={
            name: {
                "median": statistics.median(seconds),
                "min": min(seconds),
                "max": max(seconds),
            }
            for name, seconds in timed.items()
        },
    )
