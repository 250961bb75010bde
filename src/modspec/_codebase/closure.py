"""The eager start-up closure: every module ``import MODULE`` would load, transitively, in
the order the import system would load them, found statically (nothing is imported or run).

``closure(["json"])`` models a fresh ``python -I`` that runs ``import json``: the start-up
(startup.py) first, then the root's import, each module's code run as its import statements
and literal dynamic imports say (closure_program.py), by a machine that keeps sys.modules
(closure_run.py), over specs and code fetched in batches (closure_load.py). What it follows,
what it cannot, and why, is in docs/closure-json.md.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from .._editable import EditableFinder
from .._environment import EnvironmentPath
from .._gcpause import gc_paused
from .._spec import Kind
from .closure_load import Loader, ModuleCode
from .closure_program import STAR, Step, compile_steps, step_names
from .closure_question import Prepared
from .closure_run import FailedImport, Machine, Via
from .conditions import Target
from .extract_py import Guard, ImportRef
from .startup_steps import site_steps
from .surface import Category, category_of

__all__ = [
    "Closure",
    "ClosureEdge",
    "DynamicImport",
    "FailedImport",
    "LoadedModule",
    "Prepared",
    "Total",
    "Via",
    "closure",
    "run_prepared",
]

_K = TypeVar("_K")

# Kinds whose code modspec does not read: their imports (done in C, or in bytecode) are not
# followed.
UNREAD_KINDS = frozenset({Kind.EXTENSION, Kind.BUILTIN, Kind.BYTECODE, Kind.ZIP})


@dataclass(frozen=True, slots=True)
class LoadedModule:
    """A module the import loads."""

    name: str
    category: Category
    kind: Kind
    origin: str | None
    source: str | None  # the source read for its code: the origin, a frozen module's file
    source_bytes: int  # its size; 0 where no source was read
    via: Via | None  # the statement that first loads it; None for a root (and its parents)
    depth: int  # how many modules' code was running when it started (a root: 0)
    startup: bool  # loaded by the interpreter's start-up, before the roots' imports


class ClosureEdge(NamedTuple):
    """An import statement that ran, and the module it asked for (already loaded or not)."""

    importer: str | None  # None: code of no module (a root's import)
    target: str
    file: str | None
    line: int


class DynamicImport(NamedTuple):
    """A module-level dynamic import the closure does not follow."""

    module: str
    file: str | None
    line: int
    kind: str  # "import_module", "__import__", "__getattr__", "__all__" (a star import's)
    text: str


class Total(NamedTuple):
    modules: int
    source_bytes: int


@dataclass(frozen=True, slots=True)
class Closure:
    """What importing the roots loads, with how and from where."""

    roots: tuple[str, ...]
    target: Target
    backend: str
    path: tuple[str, ...]
    modules: tuple[LoadedModule, ...]  # in the order they start loading (start-up first)
    completed: tuple[str, ...]  # the same modules, in the order their code finishes
    startup: tuple[str, ...]  # the start-up's modules (included in modules or not)
    include_startup: bool
    edges: tuple[ClosureEdge, ...]  # the statements that ran, in the order they ran
    dynamic: tuple[DynamicImport, ...]
    failures: tuple[FailedImport, ...]  # imports that raised (or would have) as they ran
    failed: tuple[str, ...]  # modules whose import raised, left out of the closure
    seconds: float

    def module(self, name: str) -> LoadedModule | None:
        return next((m for m in self.modules if m.name == name), None)

    def totals(self) -> Total:
        return Total(len(self.modules), sum(m.source_bytes for m in self.modules))

    def by_category(self) -> dict[Category, Total]:
        """Module count and source bytes per category, in Category's order."""
        return _totals(self.modules, lambda m: m.category, order=list(Category))

    def by_top_level(self) -> dict[str, Total]:
        """Module count and source bytes per top-level package, most bytes first."""
        found = _totals(self.modules, lambda m: m.name.partition(".")[0])
        return dict(sorted(found.items(), key=lambda item: (-item[1].source_bytes, item[0])))

    def unread(self) -> tuple[LoadedModule, ...]:
        """Modules loaded without their code read: what they import is not followed."""
        return tuple(m for m in self.modules if m.source is None and m.kind in UNREAD_KINDS)

    def why(self, name: str, limit: int = 10) -> tuple[tuple[ClosureEdge, ...], ...]:
        """The shortest chains of import statements that ran from a root to ``name`` (each
        edge a statement, file and line), at most ``limit`` of them; () where ``name`` is
        not in the closure, ((),) where it is a root."""
        return _shortest_chains(self, name, limit)


def _totals(
    modules: Iterable[LoadedModule],
    key: Callable[[LoadedModule], _K],
    order: Sequence[_K] | None = None,
) -> dict[_K, Total]:
    counts: dict[_K, list[int]] = defaultdict(lambda: [0, 0])
    for module in modules:
        entry = counts[key(module)]
        entry[0] += 1
        entry[1] += module.source_bytes
    keys = [k for k in order if k in counts] if order is not None else list(counts)
    return {k: Total(*counts[k]) for k in keys}


def closure(
    modules: Sequence[str],
    *,
    path: Sequence[str] | None = None,
    environment: EnvironmentPath | None = None,
    editables: Iterable[EditableFinder] | None = None,
    legacy_namespaces: bool = False,
    backend: str | None = None,
    target: Target | None = None,
    include_startup: bool = False,
    site: bool = True,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Closure:
    """What ``import MODULE`` for each of ``modules`` (absolute names, in turn) would load in
    a fresh interpreter, in load order, with the statement that loads each. The search path
    is ``sys.path`` as a program run by this interpreter sees it (``program_path``) with its
    editable hooks, or ``environment``'s entries and hooks; ``path`` replaces either (with no
    hooks unless ``editables`` are given).
    ``target`` decides the platform and version tests (default: this interpreter).
    ``include_startup`` reports the start-up's modules too (``site`` False models ``-S``).
    ``progress(phase, done, total)`` is called as modules are read and as they load."""
    prepared = Prepared(
        modules,
        path=path,
        environment=environment,
        editables=editables,
        legacy_namespaces=legacy_namespaces,
        backend=backend,
        target=target,
        include_startup=include_startup,
        site=site,
        workers=workers,
        progress=progress,
    )
    return run_prepared(prepared)


def run_prepared(prepared: Prepared) -> Closure:
    """The closure of a question made ready (once: it keeps the run's loader)."""
    plan, target, site = prepared.plan, prepared.target, prepared.site
    loader = prepared.loader = Loader(
        prepared.resolver, prepared.backend, prepared.workers, prepared.progress
    )
    tail = site_steps(plan, target) if site else []
    machine = Machine(loader, target, extra=lambda name: tail if name == "site" else ())
    with gc_paused():
        try:
            _prefetch(loader, machine, [*plan.initialised, *plan.imported, "site", *prepared.roots])
            machine.preload(plan.initialised)
            imported = [*plan.imported, *(("site",) if site else ()), *plan.after_site]
            for name in imported:
                machine.run(_import_steps(name, target))
            startup = tuple(machine.completed)
            startup_set = set(machine.loaded)
            before = len(machine.failures), len(machine.edges), len(machine.sites)
            for root in prepared.roots:
                machine.run(_import_steps(root, target))
        finally:
            loader.close()
    return _result(
        machine,
        prepared.roots,
        target,
        prepared.resolver.backend,
        prepared.path,
        startup,
        startup_set,
        before,
        prepared.include_startup,
        time.perf_counter() - prepared.started,
    )


def _import_steps(name: str, target: Target) -> list[Step]:
    return compile_steps([ImportRef(0, 0, name, None, Guard.NONE)], (), None, target)


def _prefetch(loader: Loader, machine: Machine, names: Sequence[str]) -> None:
    """Resolves and reads, in waves, every module the steps may ask for from ``names`` on."""

    def expand(code: ModuleCode) -> Iterable[str]:
        steps = machine.steps(code.name)
        yield from step_names(steps)
        for step in steps:
            if step[0] == STAR and step[1] in loader.codes:
                for name in loader.all_names(step[1]) or ():
                    yield f"{step[1]}.{name}"

    wanted: list[str] = []
    for name in names:
        parts = name.split(".")
        wanted.extend(".".join(parts[: index + 1]) for index in range(len(parts)))
    if machine.extra is not None:
        wanted.extend(step_names(machine.extra("site")))
    loader.prefetch(wanted, expand)


def _result(
    machine: Machine,
    roots: tuple[str, ...],
    target: Target,
    backend: str,
    path: tuple[str, ...],
    startup: tuple[str, ...],
    startup_set: set[str],
    before: tuple[int, int, int],
    include_startup: bool,
    seconds: float,
) -> Closure:
    loaded = machine.loaded
    # A module handed over under another name is known by that one (its __spec__ is its).
    kept = [
        name
        for name in loaded
        if (include_startup or name not in startup_set) and name not in machine.handed_over
    ]
    codes = machine.loader.codes
    modules = []
    for name in kept:
        spec = loaded[name]
        code = codes.get(spec.name)
        modules.append(
            LoadedModule(
                name,
                category_of(spec, ()),
                spec.kind,
                spec.origin,
                None if code is None else code.file,
                0 if code is None else code.size,
                machine.via.get(name),
                machine.depth.get(name, 0),
                name in startup_set,
            )
        )
    inside = set(kept)
    failures, edges, sites = before
    if include_startup:
        failures = edges = sites = 0
    return Closure(
        roots=roots,
        target=target,
        backend=backend,
        path=path,
        modules=tuple(modules),
        completed=tuple(name for name in machine.completed if name in inside and name in loaded),
        startup=startup,
        include_startup=include_startup,
        edges=tuple(
            map(
                ClosureEdge._make,
                (
                    edge
                    for edge in machine.edges[edges:]
                    if edge[1] in loaded and (edge[0] is None or edge[0] in loaded)
                ),
            )
        ),
        dynamic=tuple(
            DynamicImport(module, file, site.line, site.kind, site.text)
            for module, file, site in machine.sites[sites:]
            if module in inside
        ),
        failures=tuple(machine.failures[failures:]),
        failed=tuple(name for name in dict.fromkeys(machine.failed) if name not in loaded),
        seconds=seconds,
    )


def _shortest_chains(found: Closure, name: str, limit: int) -> tuple[tuple[ClosureEdge, ...], ...]:
    members = {m.name: m for m in found.modules}
    if name not in members:
        return ()
    sources = [m.name for m in found.modules if m.via is None]
    if name in sources:
        return ((),)
    # The first statement between two modules stands for the pair.
    out: dict[str, dict[str, ClosureEdge]] = defaultdict(dict)
    for edge in found.edges:
        if edge.importer in members and edge.target in members and edge.importer != edge.target:
            out[edge.importer].setdefault(edge.target, edge)
    distance = dict.fromkeys(sources, 0)
    before: dict[str, list[ClosureEdge]] = defaultdict(list)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        if name in distance and distance[node] >= distance[name]:
            break
        for successor, edge in out.get(node, {}).items():
            if successor not in distance:
                distance[successor] = distance[node] + 1
                queue.append(successor)
            if distance[successor] == distance[node] + 1:
                before[successor].append(edge)
    if name not in distance:
        return ()
    chains: list[tuple[ClosureEdge, ...]] = []
    # Back from the target along the predecessors, depth first, in edge order.
    work: list[tuple[str, tuple[ClosureEdge, ...]]] = [(name, ())]
    while work and len(chains) < limit:
        node, tail = work.pop()
        if distance[node] == 0:
            chains.append(tail)
            continue
        for edge in reversed(before[node]):
            assert edge.importer is not None
            work.append((edge.importer, (edge, *tail)))
    return tuple(chains)
