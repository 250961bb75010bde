"""Which import sites run for a target: conditions decided, try/except choices played out.

An import under `if sys.platform == "win32":` does not run on Linux, and the handler of a try
whose body imports fine does not run at all: neither is a failure when it does not resolve,
and neither is an eager edge. One rule for surface's findings, the graph's edges and the
closure (conditions.py decides the tests, choices.py the alternatives).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .choices import Chain, Choices
from .conditions import Target, holds

__all__ = ["inactive"]


TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is for the type checker: its import is a tenth of a small graph
    from typing import Protocol, TypeVar

    class Branched(Protocol):
        """What an import site tells about the branch it is in."""

        @property
        def path(self) -> str: ...
        @property
        def condition(self) -> tuple[tuple[str, bool], ...]: ...
        @property
        def choice(self) -> Chain: ...

    S = TypeVar("S", bound=Branched)


def inactive(sites: Iterable[tuple[Sequence[S], bool]], target: Target) -> Mapping[S, str]:
    """The sites that do not run for ``target``, with why, from every site of a code base
    grouped with whether its target resolves."""
    reasons: dict[S, str] = {}
    by_file: dict[str, list[tuple[Chain, bool]]] = defaultdict(list)
    chained: list[S] = []
    # A code base repeats its few conditions at thousands of sites: each decided once.
    decided: dict[tuple[tuple[str, bool], ...], bool | None] = {}
    for where, resolves in sites:
        for site in where:
            condition = site.condition
            if condition and condition not in decided:
                decided[condition] = holds(condition, target)
            if condition and decided[condition] is False:
                reasons[site] = f"not run on {_shown(target)}: {_spelled(condition)}"
            elif site.choice:
                by_file[site.path].append((site.choice, resolves))
                chained.append(site)
    choices = {path: Choices(imports) for path, imports in by_file.items()}
    for site in chained:
        if not choices[site.path].runs(site.choice):
            line = site.choice[-1][0]
            reasons[site] = f"not run: the try at line {line} takes another alternative"
    return reasons


def _shown(target: Target) -> str:
    described = target.describe()
    return f"Python {described['python_version']} on {described['platform']}"


def _spelled(condition: tuple[tuple[str, bool], ...]) -> str:
    return " and ".join(test if must_be else f"not ({test})" for test, must_be in condition)
