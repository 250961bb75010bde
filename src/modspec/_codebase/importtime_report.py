"""The report ``python -X importtime`` writes on stderr, parsed: one timing per import, nested.

CPython (Python/import.c, 3.10–3.13) writes a header, then one line per module it imports,
when that import ends, so a module's line comes after the lines of what it imported:

    import time: self [us] | cumulative | imported package
    import time:       255 |        255 |     _json
    import time:       512 |        767 |   json.scanner

``%9ld | %10ld | %*s%s``: the depth is the name's indentation, two spaces a level. An import
that fails gets its line too. The lines share stderr with whatever the imported code writes,
so a line is found by its shape anywhere it starts, and anything else is passed over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

__all__ = ["ImportTiming", "Measured", "minimum", "parse_report"]

# Numbers wider than the format's padding (an import of more than 1,000 s) push the columns
# right: no fixed position is trusted.
_LINE = re.compile(r"import time:\s*(\d+) \|\s*(\d+) \| ( *)(\S+)\s*$")


class ImportTiming(NamedTuple):
    """One import in a report: its own time and its time with what it imported."""

    name: str
    self_us: int
    cumulative_us: int
    depth: int  # 0: imported by the code that ran the imports; else by ``parent``'s code
    parent: str | None  # the module whose import was running when this one was imported


class _Entry:
    """A finished import whose importer's line has not come yet."""

    __slots__ = ("children", "timing")

    def __init__(self, timing: ImportTiming, children: list[_Entry]) -> None:
        self.timing = timing
        self.children = children


def parse_report(lines: Iterable[str]) -> list[ImportTiming]:
    """The imports of a report's ``lines`` in the order they started (a module before what
    it imported), with their parents; the header and every other line are passed over."""
    # Lines come when an import ends: children first. Each depth keeps the finished imports
    # waiting for the line of the import that was running them.
    waiting: dict[int, list[_Entry]] = {}
    for line in lines:
        found = _LINE.search(line)
        if found is None:
            continue
        self_us, cumulative_us, indent, name = found.groups()
        # The format's own separator is one space: the indentation is what follows it.
        depth = len(indent) // 2
        timing = ImportTiming(name, int(self_us), int(cumulative_us), depth, None)
        waiting.setdefault(depth, []).append(_Entry(timing, waiting.pop(depth + 1, [])))
    # Deeper imports still waiting had no line for their importer (the report was cut short):
    # they are taken as imports of the top level.
    work: list[tuple[_Entry, str | None]] = [
        (entry, None) for depth in sorted(waiting) for entry in waiting[depth]
    ]
    work.reverse()  # a stack: the first import on top
    timings: list[ImportTiming] = []
    while work:
        entry, parent = work.pop()
        timings.append(entry.timing._replace(parent=parent))
        work.extend((child, entry.timing.name) for child in reversed(entry.children))
    return timings


class Measured(NamedTuple):
    """A module's timing over several runs."""

    timing: ImportTiming  # its least self and cumulative times, each taken alone
    runs: int  # how many of the runs imported it


def minimum(runs: Sequence[Sequence[ImportTiming]]) -> list[Measured]:
    """Each module's timing over ``runs``: its least self and least cumulative time (each
    taken alone: one run's noise is not another's), in the order of the first run that has
    it, with the number of runs that imported it. A module imported twice in one run (a
    failed import tried again) counts its attempts' times together."""
    merged: dict[str, Measured] = {}
    for run in runs:
        summed: dict[str, ImportTiming] = {}
        for timing in run:
            before = summed.get(timing.name)
            if before is not None:
                timing = before._replace(
                    self_us=before.self_us + timing.self_us,
                    cumulative_us=before.cumulative_us + timing.cumulative_us,
                )
            summed[timing.name] = timing
        for name, timing in summed.items():
            kept = merged.get(name)
            if kept is None:
                merged[name] = Measured(timing, 1)
                continue
            least = kept.timing._replace(
                self_us=min(kept.timing.self_us, timing.self_us),
                cumulative_us=min(kept.timing.cumulative_us, timing.cumulative_us),
            )
            merged[name] = Measured(least, kept.runs + 1)
    return list(merged.values())
