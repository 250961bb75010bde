"""extract_files over several threads: input order kept, a worker's error raised, never a hang."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from modspec._codebase import extract
from modspec._codebase.extract import extract_files


def _files(tmp_path: Path, count: int) -> list[str]:
    paths = []
    for index in range(count):
        path = tmp_path / f"m{index}.py"
        path.write_text(f"import mod_{index}\nfrom pkg import name_{index}\n")
        paths.append(str(path))
    return paths


def test_threads_keep_the_input_order(tmp_path: Path, backend: str) -> None:
    paths = _files(tmp_path, 300)
    alone = list(extract_files(paths, workers=1, backend=backend))
    threaded = list(extract_files(paths, workers=4, backend=backend))
    assert threaded == alone
    assert [f.path for f in threaded] == paths


def test_a_worker_error_reaches_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _files(tmp_path, 300)

    def broken(chunk: list[str], scan: object, read: object) -> list[extract.FileImports]:
        raise MemoryError("out of memory in a worker")

    monkeypatch.setattr(extract, "_extract_chunk", broken)
    raised: list[BaseException] = []

    def read_all() -> None:
        try:
            list(extract_files(paths, workers=3))
        except MemoryError as exc:
            raised.append(exc)

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    reader.join(30)  # a reader left waiting on a dead worker would hang here
    assert not reader.is_alive()
    assert [str(exc) for exc in raised] == ["out of memory in a worker"]


def test_a_reader_that_stops_early_leaves_no_work_waiting(tmp_path: Path) -> None:
    paths = _files(tmp_path, 2000)
    files = extract_files(paths, workers=2)
    first = next(iter(files))
    assert first.path == paths[0]
    files.close()  # the generator's finally stops the workers: nothing to join, no hang
