"""Patterns in git's ignore syntax, for .gitignore files and ``--exclude``."""

from __future__ import annotations

from collections.abc import Iterable

from .._records import NamedTuple
from .wildmatch import Glob, compile_glob

__all__ = ["IgnoreRules", "Pattern", "parse_patterns"]


class Pattern(NamedTuple):
    """One pattern line, as a glob over paths relative to its base directory."""

    glob: Glob
    negated: bool
    dir_only: bool


def _pattern(line: str) -> Pattern | None:
    line = line.rstrip("\n").rstrip("\r")
    # Trailing spaces are ignored unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    # "\#" and "\!" are literal: compile_glob reads any backslash-escaped character so.
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    # A slash at the start or in the middle anchors the pattern to its base directory;
    # otherwise it matches a name at any depth.
    anchored = "/" in line
    return Pattern(compile_glob(line.lstrip("/"), anchored), negated, dir_only)


def parse_patterns(lines: Iterable[str]) -> tuple[Pattern, ...]:
    """The patterns of a .gitignore file's lines (blank lines and comments dropped)."""
    return tuple(p for p in map(_pattern, lines) if p is not None)


class IgnoreRules:
    """Pattern sets, each relative to its own base directory; the last match wins, as in git."""

    def __init__(self) -> None:
        self._sets: list[_PatternSet] = []

    def add(self, base: str, patterns: tuple[Pattern, ...]) -> None:
        """Adds patterns read in ``base`` (an absolute directory, "/"-separated)."""
        if patterns:
            self._sets.append(_PatternSet(base.rstrip("/") + "/", patterns))

    def scoped(self, base: str, patterns: tuple[Pattern, ...]) -> IgnoreRules:
        """A copy with ``patterns`` added: a subdirectory's .gitignore applies below it only."""
        rules = IgnoreRules()
        rules._sets = list(self._sets)
        rules.add(base, patterns)
        return rules

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether the last pattern matching ``path`` (absolute) excludes it."""
        verdict = False
        for patterns in self._sets:
            if not path.startswith(patterns.base):
                continue
            parts = path[len(patterns.base) :].split("/")
            for pattern in patterns.of_length(len(parts)):
                if pattern.dir_only and not is_dir:
                    continue
                if pattern.glob.match(parts):
                    verdict = not pattern.negated
        return verdict


class _PatternSet:
    """The patterns of one base directory, and by path length those that may match: a walk
    asks about every entry, most of them deep below a .gitignore of anchored patterns."""

    __slots__ = ("_by_length", "base", "patterns")

    def __init__(self, base: str, patterns: tuple[Pattern, ...]) -> None:
        self.base = base  # with its "/" at the end
        self.patterns = patterns
        self._by_length: dict[int, tuple[Pattern, ...]] = {}

    def of_length(self, count: int) -> tuple[Pattern, ...]:
        """The patterns, in order, that a path of ``count`` components may match."""
        found = self._by_length.get(count)
        if found is None:
            found = self._by_length[count] = tuple(
                p for p in self.patterns if p.glob.matches_length(count)
            )
        return found
