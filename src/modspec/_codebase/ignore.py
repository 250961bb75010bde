"""Patterns in git's ignore syntax, for .gitignore files and ``--exclude``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["IgnoreRules", "Pattern", "parse_patterns"]


class Pattern(NamedTuple):
    """One pattern line, as a regular expression over paths relative to its base directory."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _translate(glob: str) -> str:
    # gitignore(5): "*" and "?" stop at "/", "**" spans directories, "[...]" is a class.
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")  # "**/" matches zero or more directories
            i += 3
        elif glob.startswith("/**", i) and i + 3 == n:
            out.append("/.*")  # a trailing "/**" matches everything inside
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            # "!" right after "[" negates; a "]" right after that is a member, not the end.
            start = i + 2 if glob.startswith("[!", i) else i + 1
            end = glob.find("]", start + 1 if glob.startswith("]", start) else start)
            if end < 0:
                out.append(re.escape(char))
                i += 1
                continue
            body = glob[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _pattern(line: str) -> Pattern | None:
    line = line.rstrip("\n").rstrip("\r")
    # Trailing spaces are ignored unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    # "\#" and "\!" are literal: _translate reads any backslash-escaped character so.
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
    body = _translate(line.lstrip("/"))
    regex = re.compile(body if anchored else f"(?:.*/)?{body}", re.DOTALL)
    return Pattern(regex, negated, dir_only)


def parse_patterns(lines: Iterable[str]) -> tuple[Pattern, ...]:
    """The patterns of a .gitignore file's lines (blank lines and comments dropped)."""
    return tuple(p for p in map(_pattern, lines) if p is not None)


class IgnoreRules:
    """Pattern sets, each relative to its own base directory; the last match wins, as in git."""

    def __init__(self) -> None:
        self._sets: list[tuple[str, tuple[Pattern, ...]]] = []

    def add(self, base: str, patterns: tuple[Pattern, ...]) -> None:
        """Adds patterns read in ``base`` (an absolute directory, "/"-separated)."""
        if patterns:
            self._sets.append((base.rstrip("/"), patterns))

    def scoped(self, base: str, patterns: tuple[Pattern, ...]) -> IgnoreRules:
        """A copy with ``patterns`` added: a subdirectory's .gitignore applies below it only."""
        rules = IgnoreRules()
        rules._sets = list(self._sets)
        rules.add(base, patterns)
        return rules

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether the last pattern matching ``path`` (absolute) excludes it."""
        verdict = False
        for base, patterns in self._sets:
            if not path.startswith(base + "/"):
                continue
            relative = path[len(base) + 1 :]
            for pattern in patterns:
                if pattern.dir_only and not is_dir:
                    continue
                if pattern.regex.fullmatch(relative):
                    verdict = not pattern.negated
        return verdict
