"""Large calls: the Cython core stats the files a call finds from a second thread while it
goes on walking (in chunks of 127 files, from the first full one). Its answers must stay
CPython's and the pure core's, when files vanish during the call, and when the call fails
half-way."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from guards import when_asked
from oracle import compare, fields

import modspec

TAG = sys.implementation.cache_tag
Tree = Callable[[dict[str, object]], Path]


def _large_tree(tree: Tree) -> tuple[Path, list[str], list[str]]:
    """Three roots of packages, about 1,800 names: modules with and without bytecode,
    subpackages, a sourceless module, symlinks (stat'ed during the walk, not deferred), a
    namespace package across roots, and names that are not there. Made by ``tree``; returns
    its root, the path of the three roots, and the names."""
    files: dict[str, object] = {}
    names: list[str] = []
    for top in "abc":
        for p in range(12):
            package = f"{top}pkg{p}"
            files[f"{top}/{package}/__init__.py"] = ""
            names.append(package)
            for m in range(40):
                files[f"{top}/{package}/m{m}.py"] = ""
                if m % 2:
                    files[f"{top}/{package}/__pycache__/m{m}.{TAG}.pyc"] = b"x" * m
                names += [f"{package}.m{m}", f"{package}.gone{m}"]
            files[f"{top}/{package}/sub/__init__.py"] = ""
            files[f"{top}/{package}/sub/leaf.py"] = ""
            files[f"{top}/{package}/old.pyc"] = b"sourceless"
            files[f"{top}/{package}/link.py"] = ("symlink", "m0.py")
            names += [f"{package}.sub", f"{package}.sub.leaf", f"{package}.old", f"{package}.link"]
        files[f"{top}/shared/part_{top}.py"] = ""
        names.append(f"shared.part_{top}")
    names += ["shared", "sys", "json", "nowhere", "nowhere.deeper"]
    root = tree(files)
    return root, [str(root / entry) for entry in "abc"], names


def test_large_call_agrees_with_cpython(tree: Tree, backend: str) -> None:
    _, path, names = _large_tree(tree)
    assert len(names) > 1_500
    compare(modspec.Resolver(path, backend=backend), names, path)


def test_large_call_agrees_with_the_pure_core_cold_and_warm(tree: Tree, backend: str) -> None:
    root, path, names = _large_tree(tree)
    resolvers = [modspec.Resolver(path, backend=core) for core in (backend, "python")]
    mine, pure = (resolver.resolve_many(names) for resolver in resolvers)
    assert mine == pure
    assert sum(spec is not None for spec in mine.values()) > 1_000
    (root / "a" / "apkg3" / "m7.py").write_text("grown = True\n")
    warm, pure_warm = (resolver.resolve_many(names) for resolver in resolvers)
    assert warm == pure_warm
    assert warm["apkg3.m7"] != mine["apkg3.m7"]  # stat'ed afresh


def test_files_deleted_during_a_large_call(
    tree: Tree, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Late in the walk, with chunks of files out to the second thread, files already listed
    # but not yet asked for are deleted: each is gone when its turn comes, as for FileFinder,
    # whose listing is as old (the Cython core finds the call's answers anew). The rest is
    # what a resolver made afterwards answers.
    root, path, names = _large_tree(tree)
    package = root / "c" / "cpkg9"

    def delete() -> None:  # asked again when the call finds its answers anew
        for m in (6, 7, 9):
            (package / f"m{m}.py").unlink(missing_ok=True)
        shutil.rmtree(package / "sub", ignore_errors=True)

    when_asked(monkeypatch, "cpkg9.m5", delete)
    answers = modspec.Resolver(path, backend=backend).resolve_many(names)
    monkeypatch.undo()
    gone = ["cpkg9.m6", "cpkg9.m7", "cpkg9.m9", "cpkg9.sub", "cpkg9.sub.leaf"]
    assert [answers[name] for name in gone] == [None] * len(gone)
    assert answers["cpkg9.m8"] is not None
    afterwards = modspec.Resolver(path, backend="python").resolve_many(names)
    assert {n: fields(s) for n, s in answers.items()} == {
        n: fields(s) for n, s in afterwards.items()
    }


def test_a_large_call_that_fails_half_way(
    tree: Tree, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An error from a finder mid-walk (here FrozenImporter's question) ends the call with it,
    # once the second thread is done with the files; the resolver answers the next call.
    _, path, names = _large_tree(tree)

    failures: list[bool] = []

    def fail() -> None:
        if not failures:
            failures.append(True)
            raise RuntimeError("a finder failed")

    when_asked(monkeypatch, "cpkg9.m5", fail)
    resolver = modspec.Resolver(path, backend=backend)
    with pytest.raises(RuntimeError, match="a finder failed"):
        resolver.resolve_many(names)
    assert resolver.resolve_many(names) == modspec.Resolver(path, backend="python").resolve_many(
        names
    )


@pytest.mark.parametrize("count", [1, 126, 127, 128, 254, 255, 300])
def test_calls_around_a_chunk(tree: Tree, backend: str, count: int) -> None:
    # One found file per name: the chunks' edges (127 files), the first full chunk starting
    # the second thread, a last chunk full or not.
    root = tree({f"a/m{i:03}.py": "" for i in range(300)})
    names = [f"m{i:03}" for i in range(count)]
    path = [str(root / "a")]
    mine = modspec.Resolver(path, backend=backend).resolve_many(names)
    assert mine == modspec.Resolver(path, backend="python").resolve_many(names)
    assert all(spec is not None and spec.origin_stat is not None for spec in mine.values())


def test_one_resolver_shared_by_threads(tree: Tree, backend: str) -> None:
    # The Cython core releases the GIL while it waits for its stats, so another Python thread
    # may call the same Resolver meanwhile: the calls must not mix their state.
    _, path, names = _large_tree(tree)
    expected = modspec.Resolver(path, backend="python").resolve_many(names)
    shared = modspec.Resolver(path, backend=backend)

    def resolve_then_invalidate(turn: int) -> bool:
        ok = True
        for _ in range(3):
            ok = ok and shared.resolve_many(names) == expected
            if turn % 2:
                shared.invalidate_caches()
        return ok

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(resolve_then_invalidate, range(8)))
