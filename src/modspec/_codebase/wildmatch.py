"""Git's wildmatch for ignore patterns, in time linear in the path: no backtracking, ever."""

from __future__ import annotations

from collections.abc import Sequence

from .._records import NamedTuple

__all__ = ["Glob", "compile_glob"]


class CharClass(NamedTuple):
    """``[...]``: one character in (or, negated, not in) any of the ranges."""

    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def matches(self, char: str) -> bool:
        return any(low <= char <= high for low, high in self.ranges) != self.negated


# One character's matcher: a literal, "?" (None: any), or a class.
Char = str | CharClass | None
# The characters between two "*" of one path component; a str when all are literal.
Segment = str | tuple[Char, ...]
# A path component's pattern: its segments, split on "*" ("a*b" is ("a", "b"), "*" is ("", "")).
Component = tuple[Segment, ...]
# "**" as a whole component: any number of components (one or more when it ends the pattern).
ANY_DIRS: Component = ()
_STAR = object()  # a "*" token, apart from a literal "*" ("\*")
_SLASH = object()


def _class_char(glob: str, i: int) -> tuple[str, int]:
    """The class member at ``i`` (a backslash escapes the next) and the index after it."""
    if glob[i] == "\\" and i + 1 < len(glob):
        return glob[i + 1], i + 2
    return glob[i], i + 1


def _class(glob: str, start: int) -> tuple[CharClass, int] | None:
    """The class opened by the "[" at ``start`` and the index after its "]"; None: no "]",
    so the "[" is literal."""
    i = start + 1
    negated = i < len(glob) and glob[i] in "!^"
    i += negated
    ranges: list[tuple[str, str]] = []
    while i < len(glob):
        # A "]" first in the class is a member, not its end.
        if glob[i] == "]" and ranges:
            return CharClass(tuple(ranges), negated), i + 1
        low, i = _class_char(glob, i)
        high = low
        if glob.startswith("-", i) and i + 1 < len(glob) and glob[i + 1] != "]":
            high, i = _class_char(glob, i + 1)
        ranges.append((low, high))
    return None


def _tokens(glob: str) -> list[object]:
    """Characters, "*" and "/" tokens; backslash escapes resolved."""
    tokens: list[object] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            tokens.append(_STAR)
        elif char == "/":
            tokens.append(_SLASH)
        elif char == "?":
            tokens.append(None)
        elif char == "[" and (found := _class(glob, i)) is not None:
            tokens.append(found[0])
            i = found[1]
            continue
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            tokens.append(glob[i])
        else:
            tokens.append(char)
        i += 1
    return tokens


def _segment(chars: list[Char]) -> Segment:
    if all(isinstance(char, str) for char in chars):
        return "".join(chars)  # type: ignore[arg-type]
    return tuple(chars)


def _component(tokens: list[object]) -> Component:
    if len(tokens) == 2 and tokens[0] is _STAR and tokens[1] is _STAR:
        return ANY_DIRS
    # Elsewhere "**" is two "*": git's wildmatch spans "/" only with "**" as a whole component.
    segments: list[Segment] = []
    chars: list[Char] = []
    for token in tokens:
        if token is _STAR:
            segments.append(_segment(chars))
            chars = []
        else:
            chars.append(token)  # type: ignore[arg-type]
    segments.append(_segment(chars))
    return tuple(segments)


def _at(segment: Segment, name: str, start: int) -> bool:
    """Whether ``segment`` matches ``name`` at ``start`` (which leaves room for it)."""
    if isinstance(segment, str):
        return name.startswith(segment, start)
    for offset, char in enumerate(segment):
        got = name[start + offset]
        if char is None:
            continue
        if isinstance(char, str) and char != got:
            return False
        if isinstance(char, CharClass) and not char.matches(got):
            return False
    return True


def _find(segment: Segment, name: str, start: int, end: int) -> int:
    """The leftmost index from ``start`` where ``segment`` matches within ``name[:end]``."""
    if isinstance(segment, str):
        return name.find(segment, start, end)
    for index in range(start, end - len(segment) + 1):
        if _at(segment, name, index):
            return index
    return -1


def _matches(component: Component, name: str) -> bool:
    # Each segment has a fixed length, so the leftmost place for each (after the one before)
    # is as good as any: a greedy scan, never a backtrack.
    first, last = component[0], component[-1]
    if len(component) == 1:
        return len(name) == len(first) and _at(first, name, 0)
    end = len(name) - len(last)
    if len(first) > end or not _at(first, name, 0) or not _at(last, name, end):
        return False
    position = len(first)
    for segment in component[1:-1]:
        position = _find(segment, name, position, end)
        if position < 0:
            return False
        position += len(segment)
    return True


class Glob:
    """A pattern over "/"-separated paths: "*", "?" and "[...]" within a component, "**"
    components across them. Matching simulates every position in the pattern at once."""

    __slots__ = ("_components", "_fixed", "_floating")

    def __init__(self, components: tuple[Component, ...]) -> None:
        self._components = components
        # Nearly every pattern has no "**" but maybe a leading one (an unanchored pattern):
        # then it matches exactly its last len(fixed) parts, and needs no state set.
        self._floating = components[:1] == (ANY_DIRS,)
        fixed = components[1:] if self._floating else components
        self._fixed = fixed if fixed and ANY_DIRS not in fixed else None

    def matches_length(self, count: int) -> bool:
        """Whether a path of ``count`` components may match (False: none of them can)."""
        fixed = self._fixed
        if fixed is None:
            return True  # "**" inside: any length, as far as this says
        return count == len(fixed) or (self._floating and count > len(fixed))

    def _closure(self, states: set[int]) -> set[int]:
        # A "**" before the last component may match no component at all.
        last = len(self._components) - 1
        for state in range(min(states, default=last), last):
            if state in states and self._components[state] == ANY_DIRS:
                states.add(state + 1)
        return states

    def match(self, parts: Sequence[str]) -> bool:
        """Whether the path of components ``parts`` matches the whole pattern."""
        fixed = self._fixed
        if fixed is not None:
            count = len(fixed)
            if len(parts) < count or (len(parts) > count and not self._floating):
                return False
            tail = parts[len(parts) - count :]
            return all(map(_matches, fixed, tail))
        components = self._components
        states = self._closure({0})
        for part in parts:
            following: set[int] = set()
            for state in states:
                if state == len(components):
                    continue
                component = components[state]
                if component == ANY_DIRS:
                    following.update((state, state + 1))
                elif _matches(component, part):
                    following.add(state + 1)
            if not following:
                return False
            states = self._closure(following)
        return len(components) in states


def compile_glob(glob: str, anchored: bool) -> Glob:
    """``glob`` as a Glob; unanchored, it matches its last component at any depth."""
    components: list[Component] = [] if anchored else [ANY_DIRS]
    tokens: list[object] = []
    for token in _tokens(glob):
        if token is _SLASH:
            components.append(_component(tokens))
            tokens = []
        else:
            tokens.append(token)
    components.append(_component(tokens))
    return Glob(tuple(components))
