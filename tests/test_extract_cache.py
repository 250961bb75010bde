"""The cache of extracted imports: hits, misses, edits, deletions, invalidation, corruption of
every kind, concurrent writers, an unwritable directory, and the command line's --no-cache."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modspec._codebase import cache_files, extract_cache
from modspec._codebase.config import load_root
from modspec._codebase.extract import FileImports, extract_files
from modspec._codebase.sources import SourceFile, source_files

TREE = {
    "pkg/__init__.py": "from . import core\nfrom .core import *\n",
    "pkg/core.py": (
        "import os, sys\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import collections.abc\n"
        "if sys.platform == 'win32':\n    import winreg\n"
        "elif sys.version_info >= (3, 12):\n    import tomllib\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
        "def later():\n    from . import helpers\n"
        "if __name__ == '__main__':\n    import argparse\n"
    ),
    "pkg/helpers.py": "from ..outside import thing\nimport émoji_名前\n",
    "pkg/broken.py": "import os\nx = = 1\ndef (:\n",
    "pkg/empty.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "from pkg.core import later\nimport pkg.sub\n",
}
_PAST = 60 * 10**9  # mtimes this far back: not racy


def _age(*paths: Path) -> None:
    then = time.time_ns() - _PAST
    for path in paths:
        os.utime(path, ns=(then, then))


@pytest.fixture
def code_base(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for relative, text in TREE.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _age(*root.rglob("*.py"))
    return root


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


class Spy:
    """The paths each extract_files call behind the cache was asked to read."""

    def __init__(self) -> None:
        self.read: list[str] = []


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy()

    def reading(paths: list[str], **options: object) -> Iterator[FileImports]:
        found.read.extend(paths)
        return extract_files(paths, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(extract_cache, "extract_files", reading)
    return found


def _sources(root: Path) -> list[SourceFile]:
    return list(source_files(load_root(str(root))))


def _scan(root: Path, cache: Path | None, backend: str) -> list[FileImports]:
    directory = None if cache is None else str(cache)
    return list(
        extract_cache.extract_with_cache(_sources(root), directory=directory, backend=backend)
    )


def _reference(root: Path, backend: str) -> list[FileImports]:
    """The answers without the cache (and unseen by the spy)."""
    return list(extract_files([source.path for source in _sources(root)], backend=backend))


def _stores(cache: Path) -> list[Path]:
    return sorted((cache / "extract").glob("*.store"))


def test_a_second_scan_reads_no_file_and_answers_the_same(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    uncached = _reference(code_base, backend)
    first = _scan(code_base, cache_dir, backend)
    readable = [f.path for f in uncached]
    assert spy.read == readable  # the first scan read every file
    assert first == uncached
    spy.read.clear()
    second = _scan(code_base, cache_dir, backend)
    # Only the file that does not parse is read again: failures are never stored.
    assert spy.read == [str(code_base / "pkg" / "broken.py")]
    assert second == uncached
    assert [f.fast for f in second] == [f.fast for f in uncached]
    assert len(_stores(cache_dir)) == 1


def test_an_unchanged_scan_leaves_the_store_as_it_was(
    code_base: Path, cache_dir: Path, backend: str
) -> None:
    # broken.py is read again on every scan (failures are never stored); that alone must not
    # rewrite the store, which would cost an encode and a write per run of an unchanged tree.
    _scan(code_base, cache_dir, backend)
    (store,) = _stores(cache_dir)
    before = store.stat()
    second = _scan(code_base, cache_dir, backend)
    after = store.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert second == _reference(code_base, backend)


def test_the_mark_of_silencing_comments_is_kept(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    marked = code_base / "pkg" / "marked.py"
    marked.write_text("import gone  # modspec: ignore\n", encoding="utf-8")
    _age(marked)
    uncached = _reference(code_base, backend)
    assert [f.path for f in uncached if f.marked] == [str(marked)]
    _scan(code_base, cache_dir, backend)
    spy.read.clear()
    second = _scan(code_base, cache_dir, backend)
    assert str(marked) not in spy.read  # the mark came from the store
    assert second == uncached


def test_each_backend_keeps_its_own_store(code_base: Path, cache_dir: Path) -> None:
    for backend in ("cython", "python"):
        assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
        assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
    names = [store.name.split("-")[0] for store in _stores(cache_dir)]
    assert names == ["cython", "python"]


def test_an_edited_file_alone_is_read_again(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    _scan(code_base, cache_dir, backend)
    edited = code_base / "pkg" / "sub" / "deep.py"
    # The same size and the same mtime as before: the ctime (and the inode) still tell.
    before = edited.stat()
    edited.write_text("from pkg.core import LATER\nimport pkg.sub\n", encoding="utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert edited.stat().st_size == before.st_size
    spy.read.clear()
    answers = _scan(code_base, cache_dir, backend)
    assert sorted(spy.read) == sorted([str(edited), str(code_base / "pkg" / "broken.py")])
    assert answers == _reference(code_base, backend)
    assert any(ref.name == "LATER" for f in answers for ref in f.imports or ())


def test_added_and_deleted_files_are_kept_track_of(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    _scan(code_base, cache_dir, backend)
    (code_base / "pkg" / "helpers.py").unlink()
    added = code_base / "pkg" / "added.py"
    added.write_text("import added_dependency\n", encoding="utf-8")
    _age(added)
    spy.read.clear()
    answers = _scan(code_base, cache_dir, backend)
    assert sorted(spy.read) == sorted([str(added), str(code_base / "pkg" / "broken.py")])
    assert answers == _reference(code_base, backend)
    (store,) = _stores(cache_dir)
    stored = _stored_paths(store, backend, code_base)
    assert str(added) in stored
    assert str(code_base / "pkg" / "helpers.py") not in stored


def _stored_paths(store: Path, backend: str, root: Path) -> list[str]:
    _, meta = extract_cache._identity(backend)
    loaded = extract_cache._load(str(store), {**meta, "root": str(root)})
    assert loaded is not None
    return loaded.paths


def test_a_file_modified_just_now_is_not_stored(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    fresh = code_base / "pkg" / "core.py"
    os.utime(fresh)  # now: another write may come within the same tick of the clock
    _scan(code_base, cache_dir, backend)
    spy.read.clear()
    _scan(code_base, cache_dir, backend)
    assert str(fresh) in spy.read


def test_another_modspec_version_invalidates(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scan(code_base, cache_dir, backend)
    monkeypatch.setattr(extract_cache, "__version__", "999.0")
    spy.read.clear()
    assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
    assert len(spy.read) == len(TREE)
    spy.read.clear()
    _scan(code_base, cache_dir, backend)  # the store was rewritten for this version
    assert spy.read == [str(code_base / "pkg" / "broken.py")]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _random(data: bytes) -> bytes:
    return random.Random(14).randbytes(len(data))


def _one_bit(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[len(data) * 2 // 3] ^= 0x10
    return bytes(flipped)


def _header_only(data: bytes) -> bytes:
    return data[: len(extract_cache._MAGIC) + 3]


def _reshaped(change: Callable[[list[bytes]], None]) -> Callable[[bytes], bytes]:
    """A store of the wrong shape under a digest that matches: its blobs changed, repacked."""

    def rewrite(data: bytes) -> bytes:
        blobs = extract_cache._unpack(data)
        change(blobs)
        return extract_cache._pack(blobs)

    return rewrite


def _set(index: int, value: bytes) -> Callable[[list[bytes]], None]:
    def change(blobs: list[bytes]) -> None:
        blobs[index] = value

    return change


def _meta(**changes: object) -> Callable[[list[bytes]], None]:
    def change(blobs: list[bytes]) -> None:
        meta = json.loads(blobs[0])
        meta.update(changes)
        blobs[0] = json.dumps(meta).encode()

    return change


def _blob_max(index: int) -> Callable[[list[bytes]], None]:
    """Every index of a column set past its table."""

    def change(blobs: list[bytes]) -> None:
        blobs[index] = b"\xff" * len(blobs[index])

    return change


CORRUPTIONS = {
    "empty": lambda data: b"",
    "truncated": _truncated,
    "header only": _header_only,
    "random bytes": _random,
    "one bit flipped": _one_bit,
    "another format": lambda data: data.replace(b"\x01\x00\x00\x00", b"\x07\x00\x00\x00", 1),
    "foreign version": _reshaped(_meta(modspec="0.0.1")),
    "another root": _reshaped(_meta(root="/elsewhere")),
    "another Python": _reshaped(_meta(python=["cpython", 3, 99])),
    "another scanner build": _reshaped(_meta(scanner=[["extract_c.so", 1, 2]])),
    "meta not a dict": _reshaped(_set(0, b"[1, 2]")),
    "meta not json": _reshaped(_set(0, b"\xff{")),
    "files miscounted": _reshaped(_meta(files=3)),
    "imports miscounted": _reshaped(_meta(imports=1)),
    "negative count": _reshaped(_meta(strings=-1)),
    "column cut short": _reshaped(lambda blobs: blobs.__setitem__(7, blobs[7][:-1])),
    "module out of range": _reshaped(_blob_max(9)),
    "name out of range": _reshaped(_blob_max(10)),
    "flags out of range": _reshaped(_blob_max(11)),
    "condition out of range": _reshaped(_blob_max(12)),
    "choice out of range": _reshaped(_blob_max(13)),
    "fast flag not 0 or 1": _reshaped(_blob_max(5)),
    "condition of the wrong type": _reshaped(_set(14, b'[[["sys.platform", 1]]]')),
    "choices not a list": _reshaped(_set(15, b'{"a": 1}')),
    "choice of the wrong type": _reshaped(_set(15, b'[[[1, "2"]]]')),
    "undecodable strings": _reshaped(_set(6, b"\xff\xfe")),
    "a path twice": _reshaped(
        lambda blobs: blobs.__setitem__(1, b"\0".join([blobs[1].split(b"\0")[0]] * 7))
    ),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_store_is_discarded_and_rewritten(
    code_base: Path,
    cache_dir: Path,
    spy: Spy,
    backend: str,
    corrupt: Callable[[bytes], bytes],
) -> None:
    _scan(code_base, cache_dir, backend)
    (store,) = _stores(cache_dir)
    store.write_bytes(corrupt(store.read_bytes()))
    spy.read.clear()
    assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
    assert len(spy.read) == len(TREE)  # nothing taken from it
    spy.read.clear()
    _scan(code_base, cache_dir, backend)
    assert spy.read == [str(code_base / "pkg" / "broken.py")]  # written anew, and good


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_the_store_is_not_waited_on(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str
) -> None:
    _scan(code_base, cache_dir, backend)
    (store,) = _stores(cache_dir)
    store.unlink()
    os.mkfifo(store)
    assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
    assert len(spy.read) == 2 * len(TREE)


def test_an_unwritable_cache_directory_is_no_cache_and_no_error(
    code_base: Path, tmp_path: Path, spy: Spy, backend: str
) -> None:
    # A directory under a regular file cannot be made, even by root.
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    cache = blocker / "cache"
    for _ in range(2):
        assert _scan(code_base, cache, backend) == _reference(code_base, backend)
    assert len(spy.read) == 2 * len(TREE)
    assert not any(tmp_path.glob("**/*.tmp"))


def test_a_scanner_that_cannot_be_stat_ed_is_no_cache_and_no_error(
    code_base: Path, cache_dir: Path, spy: Spy, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: a process whose user may not look into the installation (CI's 0700 venv,
    # a forked child turned nobody) failed its scan with PermissionError on the scanner's
    # own file, which names the store: now no store is told current, and none is used.
    from modspec._codebase import extract_py

    monkeypatch.setattr(extract_py, "__file__", str(cache_dir.parent / "gone" / "x.py"))
    for _ in range(2):
        assert _scan(code_base, cache_dir, backend) == _reference(code_base, backend)
    assert len(spy.read) == 2 * len(TREE)
    assert not cache_dir.exists()


def test_the_cache_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MODSPEC_CACHE_DIR", str(tmp_path / "given"))
    assert cache_files.cache_directory() == str(tmp_path / "given")
    monkeypatch.delenv("MODSPEC_CACHE_DIR")
    if sys.platform in ("win32", "darwin"):
        assert cache_files.cache_directory() is not None
        return
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_files.cache_directory() == str(tmp_path / "xdg" / "modspec")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache_files.cache_directory() == str(tmp_path / "home" / ".cache" / "modspec")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_files.cache_directory() == str(tmp_path / "home" / ".cache" / "modspec")


# -- through the command line --------------------------------------------------------------------


def _modspec(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MODSPEC_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "modspec", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def _surface_json(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    report.pop("timings")
    return report


def test_no_cache_neither_reads_nor_writes_the_cache(code_base: Path, cache_dir: Path) -> None:
    for command in ("surface", "graph"):
        uncached = _modspec(command, str(code_base), "--json", "--no-cache", cache=cache_dir)
        assert uncached.returncode == 0, uncached.stderr
        assert not cache_dir.exists()
    cached = _modspec("surface", str(code_base), "--json", cache=cache_dir)
    assert len(_stores(cache_dir)) == 1
    again = _modspec("surface", str(code_base), "--json", "--no-cache", cache=cache_dir)
    assert _surface_json(cached) == _surface_json(again)


def test_concurrent_runs_agree_with_no_cache(tmp_path: Path, cache_dir: Path) -> None:
    # Enough files that the runs overlap in their writes.
    root = tmp_path / "many"
    for package in range(20):
        for module in range(25):
            path = root / f"p{package}" / f"m{module}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f"import os\nfrom p{(package + 1) % 20} import m{module}\n"
                f"try:\n    import fast{module}\nexcept ImportError:\n    pass\n",
                encoding="utf-8",
            )
    _age(*root.rglob("*.py"))
    expected = _surface_json(
        _modspec("surface", str(root), "--json", "--no-cache", cache=cache_dir)
    )
    env = {**os.environ, "MODSPEC_CACHE_DIR": str(cache_dir)}
    for _ in range(2):  # the first round writes at once, the second reads what they wrote
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "modspec", "surface", str(root), "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(4)
        ]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
            assert _surface_json(subprocess.CompletedProcess([], 0, out, err)) == expected
    assert len(_stores(cache_dir)) == 1
    assert not list((cache_dir / "extract").glob("*.tmp"))
