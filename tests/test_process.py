"""Process-level safety: fork() amid a call, gc as the caller had it, signals, long names."""

from __future__ import annotations

import gc
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree
from guards import when_asked
from oracle import oracle

import modspec
from modspec import Reason

_SRC = str(Path(modspec.__file__).parent.parent)


def _run(script: str, backend: str, timeout: float, *args: str) -> dict[str, object]:
    """Runs ``script`` in a fresh interpreter (this modspec importable, BACKEND set); its last
    line of output is JSON."""
    prelude = f"import sys\nsys.path.insert(0, {_SRC!r})\nBACKEND = {backend!r}\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.fixture
def restore_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


_FORK = """
import gc, json, os, signal, threading
import modspec

root = sys.argv[1]
resolver = modspec.Resolver([root], backend=BACKEND)
# More files than a stat chunk holds, so that the Cython core's stat thread runs.
names = [f"m{i}" for i in range(400)]
stop = threading.Event()

def churn():
    while not stop.is_set():
        resolver.resolve_many(names)

thread = threading.Thread(target=churn)
thread.start()
statuses = []
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        signal.alarm(10)  # a child deadlocked on the resolver's lock ends here
        found = resolver.resolve_many(["m7", "m399"])
        ok = all(found.values()) and gc.isenabled()
        os._exit(0 if ok else 1)
    statuses.append(os.waitpid(pid, 0)[1])
stop.set()
thread.join()
print(json.dumps({"statuses": statuses, "gc": gc.isenabled()}))
"""


def test_fork_amid_a_call_leaves_a_usable_resolver_and_gc(backend: str, tmp_path: Path) -> None:
    # Regression: a child forked while another thread was inside resolve_many deadlocked on
    # the resolver's lock, and kept gc disabled for good.
    write_tree(tmp_path, {f"m{i}.py": "" for i in range(400)})
    result = _run(_FORK, backend, 180, str(tmp_path))
    assert result == {"statuses": [0] * 20, "gc": True}


def test_resolve_many_keeps_a_callers_gc_disable(
    make_resolver: Callable[..., modspec.Resolver], tmp_path: Path, restore_gc: None
) -> None:
    write_tree(tmp_path, {"mod.py": ""})
    gc.disable()
    assert make_resolver([str(tmp_path)]).resolve_many(["mod"])["mod"] is not None
    assert not gc.isenabled()


def test_gc_stays_paused_until_the_last_concurrent_call_ends(
    make_resolver: Callable[..., modspec.Resolver],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    restore_gc: None,
) -> None:
    # Regression: each call saved and restored gc for itself, so the first call to end turned
    # gc back on under a call still in flight.
    write_tree(tmp_path, {"first.py": "", "second.py": ""})
    gc.enable()
    inside = {name: threading.Event() for name in ("first", "second")}
    go_on = {name: threading.Event() for name in ("first", "second")}

    def blocker(name: str) -> Callable[[], None]:
        def block() -> None:
            inside[name].set()
            assert go_on[name].wait(30)

        return block

    when_asked(monkeypatch, "first", blocker("first"))
    first = make_resolver([str(tmp_path)])
    when_asked(monkeypatch, "second", blocker("second"))
    second = make_resolver([str(tmp_path)])
    threads = {
        "first": threading.Thread(target=first.resolve_many, args=(["first"],)),
        "second": threading.Thread(target=second.resolve_many, args=(["second"],)),
    }
    try:
        for name in ("first", "second"):
            threads[name].start()
            assert inside[name].wait(30)
        assert not gc.isenabled()
        go_on["first"].set()
        threads["first"].join(30)
        assert not gc.isenabled(), "gc back on while a call is still in flight"
    finally:
        for event in go_on.values():
            event.set()
        for thread in threads.values():
            thread.join(30)
    assert gc.isenabled()


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_code_base_scans_pause_gc_and_leave_it_as_found(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    restore_gc: None,
    enabled: bool,
) -> None:
    # surface, the graph and the closure make tuples by the million and free none: gc is off
    # while they run (seen from inside their extraction), and as the caller had it after.
    write_tree(tmp_path, {"pkg/__init__.py": "from . import mod\n", "pkg/mod.py": "import os\n"})
    from modspec._codebase import extract

    seen: list[bool] = []
    chunk = extract._extract_chunk

    def spying(*args: Any) -> list[extract.FileImports]:
        seen.append(gc.isenabled())
        return chunk(*args)

    monkeypatch.setattr(extract, "_extract_chunk", spying)
    (gc.enable if enabled else gc.disable)()
    root, path = str(tmp_path), [str(tmp_path)]
    modspec.surface([root], path=path, backend=backend, workers=1)
    modspec.import_graph([root], path=path, backend=backend, workers=1)
    modspec.closure(["pkg"], path=path, backend=backend, workers=1)
    assert seen
    assert not any(seen)
    assert gc.isenabled() is enabled


_SIGINT = """
import _imp, json, time
import modspec
from modspec import _config

# As on 3.10, where no frozen_names table exists: the walk then calls no Python code per
# name, which would check for signals in passing.
current = _config.current
_config.current = lambda **kwargs: current(**kwargs)._replace(
    frozen_names=None, is_frozen=_imp.is_frozen
)
# Entries that are no directory: each is searched for each name, from a finder cache that
# the first call fills (warm), so the walk stays in the core's loops.
resolver = modspec.Resolver([f"/nonexistent/entry{i}" for i in range(100_000)], backend=BACKEND)
resolver.resolve_many(["warm"])
print("ready", flush=True)
try:
    resolver.resolve_many([f"name{i}" for i in range(5_000)])  # a minute and more
except KeyboardInterrupt:
    print(json.dumps({"interrupted": time.time()}))
"""


def test_ctrl_c_interrupts_a_long_resolve_many(backend: str) -> None:
    # Regression: the Cython core's loops never checked for signals: Ctrl-C during a warm
    # resolve_many over 100,000 path entries took 26.9 s to raise.
    prelude = f"import sys\nsys.path.insert(0, {_SRC!r})\nBACKEND = {backend!r}\n"
    script = prelude + textwrap.dedent(_SIGINT)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
            time.sleep(0.5)
            sent = time.time()
            child.send_signal(signal.SIGINT)
            out, _ = child.communicate(timeout=30)
        finally:
            child.kill()
    latency = json.loads(out)["interrupted"] - sent
    print(f"{backend}: KeyboardInterrupt {latency * 1000:.1f} ms after SIGINT")
    assert latency < 1.0


_LONG_NAME = """
import json, resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
import modspec

root = sys.argv[1]
name = ".".join(["a"] * 80_000)
resolver = modspec.Resolver([root], backend=BACKEND)
spec = resolver.resolve(name)
explained = resolver.explain(name)
print(json.dumps({
    "spec": None if spec is None else spec.name,
    "reason": explained.reason.name,
    "missing": explained.missing_part,
}))
"""


def test_a_name_of_80000_parts_takes_linear_memory(backend: str, tmp_path: Path) -> None:
    # Regression: every prefix of a name was kept as its own str (80,000 parts: 3-4 GB).
    write_tree(tmp_path, {"a/__init__.py": "", "a/a/__init__.py": ""})
    found = oracle(["a", "a.a", "a.a.a"], [str(tmp_path)])
    assert found["a"] is not None
    assert found["a.a"] is not None
    assert found["a.a.a"] is None
    result = _run(_LONG_NAME, backend, 60, str(tmp_path))
    assert result == {"spec": None, "reason": Reason.PARENT_MISSING.name, "missing": "a.a.a"}


_ONE_CORE = """
import json, os
import modspec

root, pin = sys.argv[1], sys.argv[2] == "pin"
if pin:
    # One core, as taskset -c 0 gives: the Cython core stats its batch with no second thread.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
names = [f"m{i}" for i in range(400)] + ["pkg", "pkg.sub", "pkg.gone", "ns", "ns.x"]
resolver = modspec.Resolver([root], backend=BACKEND)
calls = []
for call in range(4):
    if call == 3:
        os.remove(os.path.join(root, "m5.py"))  # still listed: its .pyc beside it answers
    found = resolver.resolve_many(names)
    calls.append({
        # Sizes, not mtimes: each run has a tree of its own.
        name: None if spec is None else [
            spec.kind.value, spec.origin, spec.cached,
            spec.origin_stat and spec.origin_stat.size, spec.cached_stat and spec.cached_stat.size,
        ]
        for name, spec in found.items()
    })
print(json.dumps({"calls": calls, "affinity": len(os.sched_getaffinity(0))}))
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_setaffinity"), reason="Linux only")
@pytest.mark.parametrize("pin", ["pin", "free"])
def test_one_core_answers_as_two(backend: str, pin: str, tmp_path: Path) -> None:
    # More files than a stat chunk holds; cached files for some; a sourceless .pyc behind a
    # source removed between calls (a kept plan whose file is gone); a package, a namespace.
    tag = sys.implementation.cache_tag
    answers = []
    for run, (how, which) in enumerate(((pin, backend), ("free", "python"))):
        root = tmp_path / f"run{run}"
        (root / "__pycache__").mkdir(parents=True)
        for i in range(400):
            (root / f"m{i}.py").write_text("")
            if i % 3 == 0:
                (root / "__pycache__" / f"m{i}.{tag}.pyc").write_bytes(b"\0" * 16)
        (root / "m5.pyc").write_bytes(b"\0" * 16)
        (root / "pkg").mkdir()
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "sub.py").write_text("")
        (root / "ns").mkdir()
        (root / "ns" / "x.py").write_text("")
        result = _run(_ONE_CORE, which, 60, str(root), how)
        assert result["affinity"] == 1 or how == "free"
        calls = json.loads(json.dumps(result["calls"]).replace(str(root), "ROOT"))
        answers.append(calls)
    assert answers[0] == answers[1]
    assert answers[0][3]["m5"][:2] == ["bytecode", "ROOT/m5.pyc"]
    assert answers[0][2]["m3"][4] == 16  # a warm call stats the cached file it lists
