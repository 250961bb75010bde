"""What the benchmarks run in a fresh interpreter: the find_spec loop, memory peaks, and the
contenders pinned to one core.

    python -B child.py find_spec CORPUS.json OUT.json [CPU]
    python child.py memory CORPUS.json OUT.json BACKEND (rss|tracemalloc) [BATCH_SIZE]
    python child.py one_core CORPUS.json OUT.json CPU ROUNDS FLOOR_WORK.json [FLOOR_C.so]

CORPUS.json holds {"names": [...], "path": [...]}; OUT.json gets the measurements. Both are
files, not pipes: a package that the find_spec loop imports may print to stdout. CPU pins the
interpreter to that one processor before it does anything else (os.sched_setaffinity), so
every thread it starts (the Cython core's stat thread) shares that core.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from typing import Any


def pin(cpu: str | None) -> None:
    """Pin this process (and every thread it starts from now on) to the one processor ``cpu``."""
    if cpu is not None:
        os.sched_setaffinity(0, {int(cpu)})


def find_spec_loop(corpus_file: str, out_file: str, cpu: str | None = None) -> None:
    """importlib.util.find_spec for every name, as a tool that asks CPython would: it imports
    each name's parents (that is how find_spec works), so it needs an interpreter of its own."""
    pin(cpu)
    with open(corpus_file, encoding="utf-8") as file:
        data = json.load(file)
    import importlib.util

    find_spec = importlib.util.find_spec
    names = data["names"]
    sys.path[:] = data["path"]
    found = errors = 0
    start = time.perf_counter()
    for name in names:
        try:
            spec = find_spec(name)
        except Exception:  # a parent that fails to import: ModuleNotFoundError, or anything
            errors += 1
            continue
        if spec is not None:
            found += 1
    seconds = time.perf_counter() - start
    with open(out_file, "w", encoding="utf-8") as file:
        json.dump({"seconds": seconds, "found": found, "errors": errors}, file)


def _measure(names: list[str], path: list[str], backend: str, how: str) -> dict[str, Any]:
    import resource
    import tracemalloc

    import modspec

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if how == "tracemalloc":
        tracemalloc.start()
    start = time.perf_counter()
    found = modspec.Resolver(path, backend=backend).resolve_many(names)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if how == "tracemalloc" else None
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "names": len(found),
        "found": sum(spec is not None for spec in found.values()),
        "seconds": seconds,
        # Linux gives ru_maxrss in KiB.
        "maxrss_before": before * 1024,
        "maxrss_after": after * 1024,
        "tracemalloc_peak": peak,
    }


def memory(corpus_file: str, out_file: str, backend: str, how: str, size: int | None) -> None:
    """One cold ``resolve_many`` over the corpus (or a batch of ``size`` names made from it),
    with its peak memory: the ru_maxrss delta, or tracemalloc's peak (each in its own run,
    since tracemalloc's own tables would count in the RSS)."""
    import corpus as corpora

    import modspec

    with open(corpus_file, encoding="utf-8") as file:
        data = json.load(file)
    base = corpora.Corpus("corpus", tuple(data["names"]), tuple(data["path"]))
    names = list(base.names) if size is None else corpora.batch(base, size)
    path = list(base.path)
    modspec.Resolver(path, backend=backend)  # imports the core before measuring
    # ru_maxrss survives exec: started from the benchmark session, this process reports the
    # session's high-water mark until it forks. A forked child starts from its own size.
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the measuring child
        try:
            os.close(read)
            os.write(write, json.dumps(_measure(names, path, backend, how)).encode())
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not chunks:
        sys.exit(f"the measuring child failed (status {status})")
    with open(out_file, "w", encoding="utf-8") as file:
        file.write(b"".join(chunks).decode())


def one_core(
    corpus_file: str,
    out_file: str,
    cpu: str,
    rounds: str,
    floor_file: str,
    floor_c_file: str | None = None,
) -> None:
    """The in-process contenders on one core, round after round, each round taking them all in
    an order turned by one each round (so that none always follows the same one): modspec cold
    and warm on both cores, mypy's FindModuleCache, and the floors' listings and stats (in C
    too, given the module floor.build_c_floor built). Seconds and CPU seconds per round."""
    pin(cpu)
    from pathlib import Path

    import floor

    import modspec

    with open(corpus_file, encoding="utf-8") as file:
        data = json.load(file)
    names, path = data["names"], data["path"]
    with open(floor_file, encoding="utf-8") as file:
        work = floor.Work(**json.load(file))
    directories_b, files_b = work.encoded()
    contenders: dict[str, Any] = {}
    for backend in ("cython", "python"):
        warm = modspec.Resolver(path, backend=backend)
        warm.resolve_many(names)

        def cold(backend: str = backend) -> object:
            return modspec.Resolver(path, backend=backend).resolve_many(names)

        contenders[f"{backend}-cold"] = cold
        contenders[f"{backend}-warm"] = lambda warm=warm: warm.resolve_many(names)
    try:
        from mypy.modulefinder import FindModuleCache, SearchPaths
        from mypy.options import Options
    except ImportError:
        pass
    else:
        search = SearchPaths(
            python_path=tuple(path), mypy_path=(), package_path=(), typeshed_path=()
        )
        options = Options()

        def mypy() -> object:
            find_module = FindModuleCache(search, None, options).find_module
            return [find_module(name) for name in names]

        contenders["mypy"] = mypy
    contenders["floor-python"] = lambda: floor.list_and_stat(work.directories, work.files)
    if floor_c_file:
        c_floor = floor.load_c_floor(Path(floor_c_file))
        contenders["floor-c"] = lambda: c_floor(directories_b, files_b)
    order = list(contenders)
    report: dict[str, Any] = {label: {"seconds": [], "cpu_seconds": []} for label in order}
    for index in range(int(rounds) + 1):  # round 0 is the warm-up
        turn = index % len(order)
        for label in order[turn:] + order[:turn]:
            cpu_start, start = time.process_time(), time.perf_counter()
            result = contenders[label]()
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            del result  # freed outside the timed region, as pytest-benchmark's rounds are
            if index:
                report[label]["seconds"].append(seconds)
                report[label]["cpu_seconds"].append(cpu_seconds)
    report["affinity"] = sorted(os.sched_getaffinity(0))
    with open(out_file, "w", encoding="utf-8") as file:
        json.dump(report, file)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "find_spec":
        find_spec_loop(*args)
    elif command == "one_core":
        one_core(*args)
    elif command == "memory":
        corpus_file, out_file, backend, how, *size = args
        memory(corpus_file, out_file, backend, how, int(size[0]) if size else None)
    else:
        sys.exit(f"unknown command {command!r}")
