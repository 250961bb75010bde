"""The cache-file rules both cores share: PEP 3147 paths held against importlib, and which
cached files a core stats."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from modspec import _config, _zipfinder
from modspec._cachefile import CachedCheck, cache_from_source, cached_check, get_cached

# Paths whose file names importlib splits in every way: no dot, a leading dot, several dots,
# a trailing dot or slash, doubled slashes, a file of the root, relative paths.
PATHS = [
    "/a/b.py",
    "/a/b",
    "/a/.py",
    "/a/..py",
    "/a/b.c.py",
    "/a/b.",
    "/a/b/",
    "/a//b.py",
    "/x.py",
    "//x.py",
    "rel/x.py",
    ".py",
    "x",
    "/a/\udcff.py",
]


def config(**changes: object) -> _config.CoreConfig:
    return _config.current(zip_finder=_zipfinder.zip_finder)._replace(**changes)


@pytest.mark.parametrize("path", PATHS)
def test_cache_from_source_is_importlibs(path: str) -> None:
    assert cache_from_source(path, config()) == importlib.util.cache_from_source(path)


@pytest.mark.parametrize("path", PATHS)
def test_cache_from_source_with_optimization(path: str) -> None:
    expected = importlib.util.cache_from_source(path, optimization=2)
    assert cache_from_source(path, config(optimization="2")) == expected


# Absolute paths only (a relative one is joined to the working directory); not "//x.py", for
# which CPython's own cache_from_source raises IndexError under a prefix.
@pytest.mark.parametrize("path", [p for p in PATHS if p.startswith("/") and p != "//x.py"])
def test_cache_from_source_under_a_prefix(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", "/cache/root")
    expected = importlib.util.cache_from_source(path)
    assert cache_from_source(path, config(pycache_prefix="/cache/root")) == expected


def test_no_cache_tag_means_no_cache() -> None:
    assert cache_from_source("/a/b.py", config(cache_tag=None)) is None
    assert get_cached("/a/b.py", config(cache_tag=None)) is None


def test_get_cached_by_suffix() -> None:
    assert get_cached("/a/b.pyc", config()) == "/a/b.pyc"  # bytecode is its own cache
    assert get_cached("/a/b.so", config()) is None
    assert get_cached("/a/b.py", config()) == importlib.util.cache_from_source("/a/b.py")


# (prefix, home, home_exact, home_has_pycache, reused) -> what the cores stat.
CHECKS = [
    ((None, "/a", True, False, False), CachedCheck.NONE),
    ((None, "/a", True, False, True), CachedCheck.NONE),
    ((None, "/a", True, True, False), CachedCheck.STAT),
    ((None, "/a", True, True, True), CachedCheck.LISTED),
    # An inexact listing cannot rule __pycache__ out.
    ((None, "/a", False, False, False), CachedCheck.STAT),
    ((None, "/a", False, False, True), CachedCheck.LISTED),
    # The root's sources are cached in a relative __pycache__, not the root's own.
    ((None, "/", True, False, False), CachedCheck.STAT),
    ((None, "//", True, False, True), CachedCheck.LISTED),
    # Under a prefix the cache is elsewhere: home's listing says nothing about it.
    (("/cache", "/a", True, False, False), CachedCheck.STAT),
    (("/cache", "/a", True, False, True), CachedCheck.LISTED),
]


@pytest.mark.parametrize(("case", "expected"), CHECKS)
def test_cached_check(
    case: tuple[str | None, str, bool, bool, bool], expected: CachedCheck
) -> None:
    prefix, home, exact, has_pycache, reused = case
    assert cached_check(config(pycache_prefix=prefix), home, exact, has_pycache, reused) is expected
