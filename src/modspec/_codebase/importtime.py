"""``modspec importtime``: measured import times joined with the static closure, and the
imports that could be deferred, ranked by what deferring each would take off start-up.

``importtime(["app"])`` finds the static closure of ``import app`` (closure.py), imports
``app`` in child interpreters under ``-X importtime`` on the same path (importtime_child.py)
and joins each measured module with the statement the closure says first loads it. Each
eager module-level import statement of the measured modules is read (lazy_usage.py); those
whose names only functions use are candidates, and each one's saving is the measured time of
the modules that would no longer load (lazy_saving.py).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .._paths import read_regular
from .closure import Closure, LoadedModule, Via, closure
from .importtime_child import ChildError, run_child
from .importtime_report import Measured, minimum
from .lazy_saving import Statement, dominated_modules, unreachable_without
from .lazy_usage import ModuleReading, read_module
from .reading import SOURCE_LIMIT

__all__ = [
    "ChildError",
    "ImportTime",
    "ImportTimeTotals",
    "LazyImport",
    "MeasuredModule",
    "importtime",
]


@dataclass(frozen=True, slots=True)
class MeasuredModule:
    """A module a child imported, with its measured times and the static closure's answer."""

    name: str
    self_us: int  # the least over the runs
    cumulative_us: int  # the least over the runs, taken apart from self_us's
    depth: int  # in the measured nesting: 0 for what the roots' import loaded directly
    parent: str | None  # the module whose import was running when it was imported
    runs: int  # how many runs imported it
    loaded: bool  # in sys.modules afterwards (False: an import that raised and was caught)
    predicted: bool  # the static closure has it (at start-up, for the start-up's modules)
    via: Via | None  # the closure's statement that first loads it; None: a root, or not predicted
    category: str | None  # the closure's category; None where not predicted
    source: str | None  # the file its code was read from, by the closure


@dataclass(frozen=True, slots=True)
class LazyImport:
    """An eager module-level import statement that ran, and whether it could be deferred."""

    module: str  # the importing module
    category: str
    file: str
    line: int
    statement: str
    names: tuple[str, ...]  # what it binds
    candidate: bool
    reason: str
    use_line: int  # the use that keeps it eager (0: none)
    saving_us: int  # the measured self time of the modules only it loads
    deferred: tuple[str, ...]  # those modules, in load order


@dataclass(frozen=True, slots=True)
class ImportTimeTotals:
    modules: int  # measured and loaded
    predicted: int
    unpredicted_self_us: int
    cumulative_us: int  # the roots' imports, as measured
    self_us: int  # summed over the modules
    raised: int  # imports that raised and were caught
    candidates: int
    candidates_saving_us: int  # every candidate deferred at once

    @property
    def predicted_share(self) -> float:
        return self.predicted / self.modules if self.modules else 1.0


@dataclass(frozen=True, slots=True)
class ImportTime:
    """What importing the roots took, module by module, and what could wait."""

    roots: tuple[str, ...]
    python: str
    python_version: str
    isolated: bool
    repeat: int
    timeout: float
    path: tuple[str, ...]
    modules: tuple[MeasuredModule, ...]  # the roots' imports, in the order they started
    startup: tuple[MeasuredModule, ...]  # the start-up's, measured before the roots'
    not_imported: tuple[str, ...]  # predicted by the closure, not imported by the child
    lazy: tuple[LazyImport, ...]  # candidates first, each group by saving
    candidates_deferred: tuple[str, ...]  # what every candidate deferred at once leaves out
    closure: Closure
    seconds: float

    @property
    def candidates(self) -> tuple[LazyImport, ...]:
        return tuple(entry for entry in self.lazy if entry.candidate)

    def deferring(self, statements: Iterable[Statement]) -> tuple[tuple[str, ...], int]:
        """The modules that deferring all of ``statements`` (importing module, line) would
        leave unloaded, in load order, and their measured self time."""
        edges, roots = _import_graph(self.closure, self.modules)
        gone = unreachable_without(edges, roots, set(statements))
        self_us = {m.name: m.self_us for m in self.modules if m.loaded}
        return tuple(gone), sum(self_us.get(name, 0) for name in gone)

    def totals(self) -> ImportTimeTotals:
        loaded = [m for m in self.modules if m.loaded]
        by_name = {m.name: m for m in loaded}
        return ImportTimeTotals(
            modules=len(loaded),
            predicted=sum(m.predicted for m in loaded),
            unpredicted_self_us=sum(m.self_us for m in loaded if not m.predicted),
            cumulative_us=sum(m.cumulative_us for m in self.modules if m.depth == 0),
            self_us=sum(m.self_us for m in loaded),
            raised=sum(not m.loaded for m in self.modules),
            candidates=len(self.candidates),
            candidates_saving_us=sum(
                by_name[name].self_us for name in self.candidates_deferred if name in by_name
            ),
        )


def importtime(
    modules: Sequence[str],
    *,
    path: Sequence[str] | None = None,
    repeat: int = 1,
    timeout: float = 60.0,
    isolated: bool = True,
    backend: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportTime:
    """Imports ``modules`` (in turn) in ``repeat`` child interpreters under ``-X importtime``
    and joins the least time of each module with the static closure on the same path
    (``path``, or this interpreter's as a program sees it). RUNS the modules' code. Raises
    ChildError (one line) where a child times out, an import raises or a child dies.
    ``progress(phase, done, total)`` is told as each child starts (done: those ended)."""
    started = time.perf_counter()
    found = closure(modules, path=path, include_startup=True, backend=backend)
    runs = []
    for done in range(max(repeat, 1)):
        if progress is not None:
            progress(f"importing {', '.join(found.roots)}", done, max(repeat, 1))
        runs.append(run_child(found.roots, found.path, timeout=timeout, isolated=isolated))
    loaded = {name for run in runs for name in run.loaded}
    static = {m.name: m for m in found.modules}
    measured = tuple(
        _joined(entry, static, name_loaded=entry.timing.name in loaded, at_startup=False)
        for entry in minimum([run.imports for run in runs])
    )
    startup = tuple(
        _joined(entry, static, name_loaded=True, at_startup=True)
        for entry in minimum([run.startup for run in runs])
    )
    imported = {m.name for m in measured}
    not_imported = tuple(m.name for m in found.modules if not m.startup and m.name not in imported)
    lazy, deferred = _lazy_imports(found, measured)
    return ImportTime(
        roots=found.roots,
        python=sys.executable,
        python_version=".".join(map(str, sys.version_info[:3])),
        isolated=isolated,
        repeat=len(runs),
        timeout=timeout,
        path=found.path,
        modules=measured,
        startup=startup,
        not_imported=not_imported,
        lazy=lazy,
        candidates_deferred=deferred,
        closure=found,
        seconds=time.perf_counter() - started,
    )


def _joined(
    entry: Measured, static: dict[str, LoadedModule], *, name_loaded: bool, at_startup: bool
) -> MeasuredModule:
    timing = entry.timing
    module = static.get(timing.name)
    predicted = module is not None and module.startup == at_startup
    return MeasuredModule(
        name=timing.name,
        self_us=timing.self_us,
        cumulative_us=timing.cumulative_us,
        depth=timing.depth,
        parent=timing.parent,
        runs=entry.runs,
        loaded=name_loaded,
        predicted=predicted,
        via=module.via if predicted and module is not None else None,
        category=module.category.value if predicted and module is not None else None,
        source=module.source if predicted and module is not None else None,
    )


def _readings(
    measured: Sequence[MeasuredModule],
) -> dict[MeasuredModule, tuple[ModuleReading, bool]]:
    """The code of each measured module the closure read, read again for its imports' uses
    (and whether it is a package's ``__init__``)."""
    readings = {}
    for module in measured:
        if not (module.loaded and module.predicted and module.source):
            continue
        try:
            reading = read_module(read_regular(module.source, SOURCE_LIMIT))
        except (OSError, ValueError):
            continue  # the closure read it; gone since: nothing to say of its imports
        if reading is not None:
            package = os.path.basename(module.source).startswith("__init__.")
            readings[module] = (reading, package)
    return readings


def _called_at_import(
    readings: dict[MeasuredModule, tuple[ModuleReading, bool]],
) -> dict[str, set[str]]:
    """For each module, its functions and classes that other modules' code calls while they
    are imported (`from m import run; run()`), until no call is new: what those run, runs too."""
    called: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        for module, (reading, package) in readings.items():
            calls = reading.calls_out(
                module.name, is_package=package, called=called.get(module.name, ())
            )
            for target, function in calls:
                if function not in called.setdefault(target, set()):
                    called[target].add(function)
                    changed = True
    return called


def _import_graph(
    found: Closure, measured: Sequence[MeasuredModule]
) -> tuple[list[tuple[str | None, str, int]], list[str]]:
    """The statements that ran beyond the start-up, as (importer, imported, line), and the
    modules they start from (the roots and their parents)."""
    inside = {m.name for m in found.modules if not m.startup}
    edges = [
        (edge.importer, edge.target, edge.line)
        for edge in found.edges
        if edge.target in inside and (edge.importer is None or edge.importer in inside)
    ]
    # What the closure did not predict follows the measured nesting: its first importer.
    edges.extend(
        (m.parent, m.name, 0)
        for m in measured
        if m.loaded and not m.predicted and (m.parent is None or m.parent in inside)
    )
    return edges, [m.name for m in found.modules if not m.startup and m.via is None]


def _lazy_imports(
    found: Closure, measured: Sequence[MeasuredModule]
) -> tuple[tuple[LazyImport, ...], tuple[str, ...]]:
    """Every eager module-level import statement of the measured modules that ran in the
    closure, with its verdict and saving; and what deferring all candidates at once saves."""
    edges, roots = _import_graph(found, measured)
    dominated = dominated_modules(edges, roots)
    self_us = {m.name: m.self_us for m in measured if m.loaded}
    ran = {(importer, line) for importer, _target, line in edges}
    readings = _readings(measured)
    called = _called_at_import(readings)
    found_lazy: list[LazyImport] = []
    for module, (reading, package) in readings.items():
        assert module.source is not None
        uses = reading.verdicts(is_package=package, called=called.get(module.name, ()))
        for use in uses:
            statement: Statement = (module.name, use.line)
            if statement not in ran:
                continue  # not run at import: under a test that is false, a handler, ...
            deferred = dominated.get(statement, [])
            if not (use.candidate or deferred):
                continue  # kept eager, and what it imports loads anyway: nothing to say
            found_lazy.append(
                LazyImport(
                    module=module.name,
                    category=module.category or "",
                    file=module.source,
                    line=use.line,
                    statement=use.statement,
                    names=use.names,
                    candidate=use.candidate,
                    reason=use.reason,
                    use_line=use.use_line,
                    saving_us=sum(self_us.get(name, 0) for name in deferred),
                    deferred=tuple(deferred),
                )
            )
    found_lazy.sort(key=lambda e: (not e.candidate, -e.saving_us, e.file, e.line))
    skip: set[Statement] = {(e.module, e.line) for e in found_lazy if e.candidate}
    together = unreachable_without(edges, roots, skip)
    return tuple(found_lazy), tuple(together)
