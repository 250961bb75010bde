"""What the benchmarks run in a fresh interpreter: the find_spec loop, and memory peaks.

    python -B child.py find_spec CORPUS.json OUT.json
    python child.py memory CORPUS.json OUT.json BACKEND (rss|tracemalloc) [BATCH_SIZE]

CORPUS.json holds {"names": [...], "path": [...]}; OUT.json gets the measurements. Both are
files, not pipes: a package that the find_spec loop imports may print to stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from typing import Any


def find_spec_loop(corpus_file: str, out_file: str) -> None:
    """importlib.util.find_spec for every name, as a tool that asks CPython would: it imports
    each name's parents (that is how find_spec works), so it needs an interpreter of its own."""
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


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "find_spec":
        find_spec_loop(*args)
    elif command == "memory":
        corpus_file, out_file, backend, how, *size = args
        memory(corpus_file, out_file, backend, how, int(size[0]) if size else None)
    else:
        sys.exit(f"unknown command {command!r}")
