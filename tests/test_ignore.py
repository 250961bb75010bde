"""gitignore patterns, with git itself as the oracle: `git check-ignore` over the same files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modspec._codebase.ignore import IgnoreRules, parse_patterns
from modspec._codebase.wildmatch import compile_glob

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is the oracle")

# Every file and directory the cases are judged on ("/" at the end: a directory).
PATHS = [
    "build/",
    "build/lib.py",
    "src/build/",
    "src/build/x.py",
    "src/pkg/",
    "src/pkg/mod.py",
    "src/pkg/gen_mod.py",
    "src/pkg/data/",
    "src/pkg/data/x.py",
    "docs/",
    "docs/conf.py",
    "docs/deep/",
    "docs/deep/conf.py",
    "a.py",
    "b.py",
    "ab.py",
    "[x].py",
    "#note.py",
    "!bang.py",
    "trailing .py",
    "logs/",
    "logs/keep.py",
    "x*y.py",
    "aaab.py",
    "src/mod.py",
]

CASES = {
    "name anywhere": ["build"],
    "directory only": ["build/"],
    "anchored": ["/build"],
    "middle slash anchors": ["src/build"],
    "star": ["gen_*.py"],
    "question mark": ["?.py"],
    "double star prefix": ["**/conf.py"],
    "double star middle": ["docs/**/conf.py"],
    "double star suffix": ["docs/**"],
    "class": ["[ab].py"],
    "negated class": ["[!a].py"],
    "negation": ["*.py", "!a.py"],
    "negation then again": ["*.py", "!a.py", "a.py"],
    "comment and blank": ["# build", "", "   ", "b.py"],
    "escaped hash and bang": ["\\#note.py", "\\!bang.py"],
    "trailing spaces": ["b.py   "],
    "escaped trailing space": ["trailing\\ .py"],
    "literal bracket": ["\\[x].py"],
    "dir contents, not dir": ["logs/*", "!logs/keep.py"],
    "nested path": ["pkg/data"],
    "leading double star dir": ["**/data/"],
    "double star inside a name is a star": ["src/**mod.py"],
    "double star ahead of a name is a star": ["**mod.py"],
    "double star alone": ["**"],
    "anchored double star": ["/**"],
    "double star middle, dir only": ["src/**/"],
    "double star middle, deep": ["src/**/x.py"],
    "star in a directory": ["src/*/mod.py"],
    "anchored star": ["/*.py"],
    "star matches nothing": ["a*.py"],
    "stars in a row": ["a**b.py"],
    "several stars": ["*_*.py", "a*a*b.py"],
    "question mark in a directory": ["src/p?g/"],
    "caret class": ["[^a].py"],
    "range": ["[a-b].py"],
    "negated range": ["[!a-b].py"],
    "bracket first in a class": ["[]x[].py", "[[]x].py"],
    "class with an escape": ["[\\]a].py"],
    "unclosed bracket": ["[x.py"],
    "escaped star": ["x\\*y.py", "a\\*.py"],
    "escaped question mark": ["\\?.py"],
    "trailing slash on a file name": ["a.py/"],
    "negated directory": ["src/", "!src/"],
    "negated double star": ["**/*.py", "!src/**"],
    "anchored in a subdirectory": ["/pkg/mod.py", "/src/pkg/mod.py"],
}


def _git_ignored(root: Path, paths: list[str]) -> set[str]:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=root,
        input="\n".join(p.rstrip("/") for p in paths),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: nothing ignored
    return set(result.stdout.splitlines())


@pytest.mark.parametrize("lines", list(CASES.values()), ids=list(CASES))
def test_matches_git(tmp_path: Path, lines: list[str]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for rel in PATHS:
        target = tmp_path / rel
        if rel.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    rules = IgnoreRules()
    rules.add(str(tmp_path), parse_patterns((tmp_path / ".gitignore").read_text().splitlines()))

    def ours(rel: str) -> bool:
        return rules.ignored(f"{tmp_path}/{rel.rstrip('/')}", rel.endswith("/"))

    # A walker never looks inside an ignored directory, so only paths whose directories are
    # all kept are judged (git, too, cannot re-include a file of an excluded directory).
    judged = [
        rel for rel in PATHS if not any(ours(parent + "/") for parent in _parents(rel.rstrip("/")))
    ]
    expected = _git_ignored(tmp_path, judged)
    assert {rel.rstrip("/") for rel in judged if ours(rel)} == expected


def test_a_pattern_of_many_stars_takes_linear_time(tmp_path: Path) -> None:
    # A backtracking matcher takes minutes here (git check-ignore: 4.5); a linear one, nothing.
    (tmp_path / ".gitignore").write_text("a*a*a*a*a*a*a*a*b\n")
    (tmp_path / ("a" * 97 + ".py")).write_text("import json\n")
    result = subprocess.run(
        [sys.executable, "-m", "modspec", "surface", str(tmp_path), "--path", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 files" in result.stdout


def test_a_long_name_against_many_patterns_is_quick() -> None:
    rules = IgnoreRules()
    rules.add("/r", parse_patterns(["a*" * 50 + "b", "**/" * 20 + "a?" * 30 + "/**"]))
    deadline = time.perf_counter() + 5
    assert not rules.ignored("/r/" + "/".join(["a" * 1000] * 50), False)
    assert time.perf_counter() < deadline


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def test_scoped_rules_apply_below_their_directory_only(tmp_path: Path) -> None:
    rules = IgnoreRules()
    rules.add(str(tmp_path), parse_patterns(["*.tmp"]))
    below = rules.scoped(str(tmp_path / "sub"), parse_patterns(["x.py"]))
    assert below.ignored(str(tmp_path / "sub" / "x.py"), False)
    assert not below.ignored(str(tmp_path / "x.py"), False)
    assert not rules.ignored(str(tmp_path / "sub" / "x.py"), False)
    assert below.ignored(str(tmp_path / "sub" / "a.tmp"), False)


_ALPHABET = ["a", "b", "ab", ".py", "x.py", "a.b"]
_PATTERN_PARTS = ["a", "b", "*", "?", "a*", "*.py", "[ab]", "**", "x?py", "*b*"]


@given(
    st.lists(st.sampled_from(_PATTERN_PARTS), min_size=1, max_size=4),
    st.booleans(),
    st.lists(st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=5), max_size=20),
)
def test_the_fixed_length_shortcut_answers_as_the_state_set(
    pattern: list[str], anchored: bool, paths: list[list[str]]
) -> None:
    # Patterns without an inner "**" skip the state set: both ways must agree on every path.
    glob = compile_glob("/".join(pattern), anchored)
    general = compile_glob("/".join(pattern), anchored)
    general._fixed = None  # the state-set simulation, for every pattern
    for parts in paths:
        assert glob.match(parts) == general.match(parts), (pattern, anchored, parts)
    # A length the shortcut rules out is one the pattern never matches (the walk skips the
    # pattern for such paths: IgnoreRules' per-length lists).
    for parts in paths:
        if general.match(parts):
            assert glob.matches_length(len(parts)), (pattern, anchored, parts)


@pytest.mark.parametrize(
    ("pattern", "anchored", "lengths"),
    [
        ("versions", True, {1}),  # "/versions": the one component under its base
        ("src/*.o", True, {2}),
        (".idea", False, {1, 2, 7}),  # unanchored: its name at any depth
        ("a/**/b", True, {1, 2, 3, 9}),  # "**" inside: not ruled out by length
    ],
)
def test_lengths_a_pattern_may_match(pattern: str, anchored: bool, lengths: set[int]) -> None:
    glob = compile_glob(pattern, anchored)
    assert {n for n in range(1, 10) if glob.matches_length(n)} >= lengths
    if "**" not in pattern and anchored:
        assert {n for n in range(1, 10) if glob.matches_length(n)} == lengths
