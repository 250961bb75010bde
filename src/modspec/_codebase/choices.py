"""try/except ImportError as one choice: which alternative of each such try would run.

`try: import tomllib / except ImportError: import tomli as tomllib` imports one of the two:
the body when its imports resolve, else the handler. So a handler's import that does not
resolve is no failure while the body's resolve, and the closure of a module follows one
alternative, not both. ImportRef.choice names the alternative an import sits in, outermost
try first: (the try's line, 0 for its body and else clause, k for its k-th handler).

The rule, as the import system plays it out: an alternative succeeds when each import
directly in it resolves and each try directly in it succeeds; a try succeeds when its body
does, else when the first handler that catches ImportError does (a handler with no import in
it always does); an import runs when every alternative around it is the one taken, or is a
body that is at least tried (its imports run up to the first that fails).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

__all__ = ["Chain", "Choices"]

Chain = tuple[tuple[int, int], ...]


class Choices:
    """The alternatives taken in one file, from each of its imports inside such a try: its
    chain and whether it resolves."""

    __slots__ = ("_direct", "_handlers", "_taken", "_tries")

    def __init__(self, imports: Iterable[tuple[Chain, bool]]) -> None:
        self._direct: dict[Chain, bool] = {}  # alternative -> its own imports all resolve
        self._tries: dict[Chain, set[int]] = defaultdict(set)  # alternative -> try lines in it
        self._handlers: dict[tuple[Chain, int], set[int]] = defaultdict(set)
        self._taken: dict[tuple[Chain, int], int | None] = {}
        for chain, resolves in imports:
            if chain:
                self._direct[chain] = self._direct.get(chain, True) and resolves
            for depth, (line, alternative) in enumerate(chain):
                self._tries[chain[:depth]].add(line)
                if alternative:
                    self._handlers[(chain[:depth], line)].add(alternative)

    def runs(self, chain: Chain) -> bool:
        """Whether an import with this chain runs: every handler around it is the one taken
        (a body around it is always tried)."""
        return all(
            not alternative or self.taken(chain[:depth], line) == alternative
            for depth, (line, alternative) in enumerate(chain)
        )

    def taken(self, outer: Chain, line: int) -> int | None:
        """The alternative of the try at ``line`` (inside ``outer``) that runs to its end or
        fails: 0 for the body, k for a handler; None for a handler that imports nothing."""
        key = (outer, line)
        if key not in self._taken:
            if self._succeeds((*outer, (line, 0))):
                self._taken[key] = 0
            else:
                # Handlers are tried in order; the first one holding an import stands for the
                # one that catches ImportError (one that catches it and imports nothing
                # leaves no trace, and the try then completes).
                self._taken[key] = min(self._handlers.get(key, ()), default=None)
        return self._taken[key]

    def _completes(self, outer: Chain, line: int) -> bool:
        taken = self.taken(outer, line)
        return taken is None or taken == 0 or self._succeeds((*outer, (line, taken)))

    def _succeeds(self, alternative: Chain) -> bool:
        return self._direct.get(alternative, True) and all(
            self._completes(alternative, line) for line in self._tries.get(alternative, ())
        )
