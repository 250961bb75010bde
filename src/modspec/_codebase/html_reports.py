"""The pages of ``surface``, ``graph`` and ``closure`` (``--html FILE``): each result's data
turned into the pictures and tables of html_page, html_treemap, html_matrix and html_icicle."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from .._bytecode import BytecodeStatus
from .._spec import Kind, Spec
from .closure import Closure, LoadedModule
from .closure_output import shown_entries
from .extract_py import guard_names
from .graph import Edge, Graph
from .html_icicle import Node, render_icicle, subtree_totals
from .html_matrix import (
    MAX_ROWS,
    Dependency,
    cut,
    dependency_matrix,
    package_of,
    render_matrix,
    unit_level,
)
from .html_page import ROWS, Column, Page, kib, table, where
from .html_treemap import Block, render_treemap
from .sources import shown_path
from .surface import Category, Surface, UnresolvedImport

__all__ = ["closure_page", "graph_page", "surface_page"]

Shown = Callable[[str], str]  # a path as the page shows it (relative to its root)


def _shower(roots: Sequence[str]) -> Shown:
    cache: dict[str, str] = {}  # edges repeat their files

    def shown(path: str) -> str:
        found = cache.get(path)
        if found is None:
            found = cache[path] = shown_path(path, roots)
        return found

    return shown


def _target(target: dict[str, str]) -> str:
    return f"Python {target['python_version']} on {target['platform']}"


# --- the surface ------------------------------------------------------------------------


def _block(name: str, spec: Spec, category: Category, shown: Shown) -> Block:
    """A module of the surface as the treemap draws it: sized by the bytes of Python source
    its import reads, its origin's, or for a frozen module the file it was frozen from (the
    source its tracebacks show)."""
    size, detail = 0, spec.kind.value
    if spec.origin is not None and spec.has_location:
        detail = shown(spec.origin)
    if spec.kind is Kind.SOURCE and spec.origin_stat is not None:
        size = spec.origin_stat.size
    elif spec.kind is Kind.FROZEN:
        source = spec.module_info().file
        if source:
            detail = f"frozen from {shown(source)}"
            with contextlib.suppress(OSError):
                size = os.stat(source).st_size
    return Block(name, name.partition(".")[0], size, category, detail)


def surface_page(report: Surface, graph: Graph) -> Page:
    """The page of ``modspec surface``: the treemap of what is imported, the dependency
    matrix of the code base's packages, then the findings as tables."""
    roots = [root.path for root in report.roots]
    shown = _shower(roots)
    findings = ", ".join(f"{f.value} {n:,}" for f, n in report.findings().items() if n)
    page = Page(
        f"modspec surface of {', '.join(roots)}",
        [
            ("files", f"{report.files:,}"),
            ("import statements", f"{report.statements:,}"),
            ("modules imported", f"{len(report.modules):,}"),
            ("target", _target(report.target.describe())),
            ("findings", findings or "none"),
        ],
    )
    blocks = [
        _block(name, spec, report.categories[name], shown)
        for name, spec in report.modules.items()
        if spec is not None
    ]
    total = sum(b.size for b in blocks)
    page.add(
        "What the code base imports, by source bytes",
        render_treemap(blocks, label="treemap of the imported modules"),
        summary=f"{len(blocks):,} modules, {kib(total)} of Python source, grouped by "
        "top-level package; hover for a module's name, size and file.",
    )
    _matrix_sections(page, graph, _eager(graph.edges), shown)
    page.add(
        "Top-level packages",
        table(
            [
                Column("package"),
                Column("category"),
                Column("distributions"),
                Column("importing files", True),
                Column("modules", True),
                Column("source bytes", True),
                Column("extension bytes", True),
            ],
            [
                (
                    t.name,
                    t.category.value,
                    ", ".join(report.distributions.get(t.name, ())),
                    t.importing_files,
                    t.modules,
                    t.source_bytes,
                    t.extension_bytes,
                )
                for t in report.top_levels
            ],
        ),
    )
    _unresolved_section(page, report, shown)
    _shadowing_section(page, report, shown)
    _bytecode_section(page, report, shown)
    return page


def _unresolved_section(page: Page, report: Surface, shown: Shown) -> None:
    def status(u: UnresolvedImport) -> str:
        if u.inactive is not None:
            return f"does not run: {u.inactive}"
        return f"silenced: {u.silenced}" if u.silenced is not None else "finding"

    rows = sorted(
        report.unresolved,
        key=lambda u: (u.inactive is not None or u.silenced is not None, u.site.path, u.site.line),
    )
    page.add(
        "Unresolved imports",
        table(
            [
                Column("module"),
                Column("file:line"),
                Column("rule"),
                Column("why"),
                Column("guards"),
                Column("status"),
            ],
            [
                (
                    u.name,
                    where(u.site.path, u.site.line, shown(u.site.path)),
                    u.rule.value,
                    u.detail or u.reason,
                    ", ".join(guard_names(u.site.guard)),
                    status(u),
                )
                for u in rows[:ROWS]
            ],
            total=len(rows),
            empty="every import resolves",
        ),
        summary="Imports that would raise ImportError: findings first, then those that do "
        "not run for the target or that the configuration silences.",
    )


def _shadowing_section(page: Page, report: Surface, shown: Shown) -> None:
    page.add(
        "Shadowing",
        table(
            [
                Column("name"),
                Column("finding"),
                Column("imported from"),
                Column("hides"),
                Column("silenced"),
            ],
            [
                (
                    s.name,
                    "shadowed" if s.first_party else "duplicate",
                    shown(s.winner),
                    "; ".join(shown(h) for h in s.hidden),
                    s.silenced or "",
                )
                for s in report.shadowing
            ],
            empty="no top-level name is provided twice",
        ),
        summary="Top-level names that more than one place provides: the import gets the "
        "first, never the others.",
    )


def _bytecode_section(page: Page, report: Surface, shown: Shown) -> None:
    late = (BytecodeStatus.STALE, BytecodeStatus.MISSING)
    rows = [
        (name, status.value, shown(spec.origin or ""), report.silenced_bytecode.get(name, ""))
        for name, status in report.bytecode.items()
        if status in late
        and report.categories.get(name) is Category.FIRST_PARTY
        and (spec := report.modules.get(name)) is not None
    ]
    rows.sort(key=lambda row: (row[1] != BytecodeStatus.STALE.value, row[0]))
    page.add(
        "Stale and missing bytecode",
        table(
            [Column("module"), Column("bytecode"), Column("source file"), Column("silenced")],
            rows,
            empty="every imported first-party module has fresh bytecode",
        ),
        summary="First-party modules whose import would compile their source: their .pyc "
        "is out of date (stale) or absent (missing).",
    )


# --- the graph --------------------------------------------------------------------------


def _eager(edges: Sequence[Edge]) -> list[bool]:
    """``Edge.eager`` of each edge, worked out once per distinct (active, guards): a large
    code base has millions of edges and a few dozen such pairs."""
    known: dict[tuple[bool, tuple[str, ...]], bool] = {}
    found = []
    for edge in edges:
        key = (edge.active, edge.guards)
        eager = known.get(key)
        if eager is None:
            eager = known[key] = edge.eager
        found.append(eager)
    return found


def _dependencies(graph: Graph, eager: Sequence[bool]) -> tuple[set[str], list[Dependency], int]:
    """The code base's packages (cut to the most name parts that fit the matrix), the
    statements between them and into third-party packages as the matrix takes them (one
    Dependency per pair and eagerness, from its first statement), and the level they were
    cut at."""
    packages = {
        n.name: package_of(n.name, n.kind is Kind.NAMESPACE or _is_init(n.origin))
        for n in graph.nodes
        if n.category is Category.FIRST_PARTY
    }
    for e in graph.edges:
        if e.importer is not None and e.importer not in packages:
            packages[e.importer] = package_of(e.importer, False)  # a file no import names
    level = unit_level(packages.values(), MAX_ROWS)
    units = {name: cut(package, level) for name, package in packages.items()}
    # (importer, target, external, eager) -> [statements, file, line]; edges come in file
    # and line order, so the first one seen is a pair's first statement.
    pairs: dict[tuple[str, str, bool, bool], list[Any]] = {}
    for e, runs in zip(graph.edges, eager, strict=True):
        if e.importer is None or not e.active or not e.resolved:
            continue
        if e.category is Category.FIRST_PARTY and e.target in units:
            key = (units[e.importer], units[e.target], False, runs)
        elif e.category is Category.THIRD_PARTY:
            key = (units[e.importer], e.target.partition(".")[0], True, runs)
        else:
            continue
        entry = pairs.get(key)
        if entry is None:
            pairs[key] = [1, e.file, e.line]
        else:
            entry[0] += 1
    deps = [
        Dependency(importer, target, external, runs, file, line, statements)
        for (importer, target, external, runs), (statements, file, line) in pairs.items()
    ]
    return set(units.values()), deps, level


def _is_init(origin: str | None) -> bool:
    return origin is not None and os.path.basename(origin).startswith("__init__.")


def _matrix_sections(page: Page, graph: Graph, eager: Sequence[bool], shown: Shown) -> None:
    units, deps, level = _dependencies(graph, eager)
    matrix = dependency_matrix(units, deps)
    notes = []
    if matrix.left_out:
        notes.append(f"{matrix.left_out:,} packages with the fewest imports left out")
    if matrix.external_left_out:
        notes.append(f"{matrix.external_left_out:,} less used third-party packages left out")
    eager_cycles = sum(1 for c in matrix.cycles if c.eager)
    page.add(
        "Package dependencies",
        render_matrix(matrix, shown=shown),
        summary=f"{len(matrix.names):,} packages of the code base (names cut to {level} "
        f"part{'s' if level > 1 else ''}): a row imports the columns "
        "it has marks in (dark: eagerly, light: only deferred, under TYPE_CHECKING or "
        "__main__), then the third-party packages it imports. Ordered so that a mark above "
        f"the diagonal closes a cycle: {eager_cycles:,} eager cycles (red blocks), "
        f"{len(matrix.cycles) - eager_cycles:,} through deferred imports (dashed)."
        + (f" {'; '.join(notes)}." if notes else ""),
    )
    cycles = graph.cycles()
    page.add(
        "Cycles of eager imports between modules",
        table(
            [Column("modules", True), Column("members"), Column("one loop through them")],
            [
                (
                    len(c.modules),
                    ", ".join(c.modules),
                    " \u2192 ".join(f"{e.importer} ({shown(e.file)}:{e.line})" for e in c.loop)
                    + f" \u2192 {c.modules[0]}",
                )
                for c in cycles
            ],
            empty="no cycle of eager imports",
        ),
        summary="Modules that import one another as they are imported: each loop's "
        "statements with file:line.",
    )


_MOST_IMPORTED = 300


def graph_page(graph: Graph, roots: Sequence[str]) -> Page:
    """The page of ``modspec graph``: the treemap of its nodes, the dependency matrix, the
    most imported modules, and the imports that do not resolve."""
    shown = _shower(roots)
    unresolved = [e for e in graph.edges if not e.resolved]
    eager = _eager(graph.edges)
    page = Page(
        f"modspec graph of {', '.join(roots)}",
        [
            ("nodes", f"{len(graph.nodes):,}"),
            ("edges", f"{len(graph.edges):,}"),
            ("eager edges", f"{sum(eager):,}"),
            ("unresolved", f"{len(unresolved):,}"),
            ("target", _target(graph.target.describe())),
        ],
    )
    blocks = [
        Block(n.name, n.name.partition(".")[0], n.source_bytes, n.category, shown(n.origin or ""))
        for n in graph.nodes
    ]
    page.add(
        "The graph's modules, by source bytes",
        render_treemap(blocks, label="treemap of the graph's modules"),
        summary="Every module of the graph (the code base's and what it imports) grouped by "
        "top-level package; built-in, frozen and extension modules have no source to count.",
    )
    _matrix_sections(page, graph, eager, shown)
    # (target, importer) -> statements: imports and importing modules per target in one pass.
    pairs = Counter((e.target, e.importer) for e in graph.edges if e.importer is not None)
    imports: Counter[str] = Counter()
    importers: Counter[str] = Counter()
    for (target, _), statements in pairs.items():
        imports[target] += statements
        importers[target] += 1
    category = {n.name: n.category.value for n in graph.nodes}
    page.add(
        "Most imported modules",
        table(
            [
                Column("module"),
                Column("category"),
                Column("imports", True),
                Column("importing modules", True),
            ],
            [
                (name, category.get(name, ""), count, importers[name])
                for name, count in imports.most_common(_MOST_IMPORTED)
            ],
            limit=_MOST_IMPORTED,
            total=len(imports),
        ),
    )
    page.add(
        "Unresolved imports",
        table(
            [
                Column("module"),
                Column("file:line"),
                Column("imported by"),
                Column("guards"),
                Column("runs for the target"),
            ],
            [
                (
                    e.target,
                    where(e.file, e.line, shown(e.file)),
                    e.importer or "(a script)",
                    ", ".join(e.guards),
                    "yes" if e.active else "no",
                )
                for e in unresolved[:ROWS]
            ],
            total=len(unresolved),
            empty="every import resolves",
        ),
    )
    return page


# --- the closure ------------------------------------------------------------------------


def _chain(module: LoadedModule, by_name: dict[str, LoadedModule], shown: Shown) -> list[str]:
    """The statements that led to ``module``, its own first: ``importer file:line``."""
    steps, seen = [], {module.name}
    current: LoadedModule | None = module
    while current is not None and current.via is not None:
        via = current.via
        place = f"{shown(via.file)}:{via.line}" if via.file else "(the root's import)"
        steps.append(f"{via.importer or 'import'} at {place}")
        current = by_name.get(via.importer) if via.importer else None
        if current is not None and current.name in seen:
            break
        if current is not None:
            seen.add(current.name)
    return steps


def _chain_text(steps: list[str]) -> str:
    if not steps:
        return "a root (or a parent package of one)"
    # A tooltip of a deep chain: its first and last steps.
    if len(steps) > 10:
        steps = [*steps[:6], f"... {len(steps) - 9} more ...", *steps[-3:]]
    return "loaded by " + "\n  \u2190 ".join(steps)


def closure_page(found: Closure) -> Page:
    """The page of ``modspec closure``: the icicle of what the imports load (each module
    under the one whose statement loaded it first), the treemap, the modules with their
    chains, the failed and the dynamic imports."""
    entries = shown_entries(found)
    shown = _shower(entries)
    total = found.totals()
    roots = ", ".join(found.roots)
    page = Page(
        f"modspec closure of {roots}",
        [
            ("modules", f"{total.modules:,}"),
            ("source", kib(total.source_bytes)),
            (
                "start-up",
                "included"
                if found.include_startup
                else f"{len(found.startup):,} modules not counted",
            ),
            ("failed imports", f"{len(found.failures):,}"),
            ("target", _target(found.target.describe())),
        ],
    )
    by_name = {m.name: m for m in found.modules}
    chains = {m.name: _chain(m, by_name, shown) for m in found.modules}
    nodes = [
        Node(
            m.name,
            m.via.importer if m.via is not None else None,
            m.source_bytes,
            m.category,
            _chain_text(chains[m.name]),
        )
        for m in found.modules
    ]
    page.add(
        f"What import {roots} loads",
        render_icicle(nodes, label=f"icicle of what import {roots} loads"),
        summary="Each module under the module whose import statement loaded it first, as "
        "wide as its source with what it loads; hover for the chain of statements "
        "(file:line) that loads it.",
    )
    page.add(
        "Loaded modules by top-level package",
        render_treemap(
            [
                Block(
                    m.name,
                    m.name.partition(".")[0],
                    m.source_bytes,
                    m.category,
                    shown(m.source or m.origin or ""),
                )
                for m in found.modules
            ],
            label="treemap of the loaded modules",
        ),
    )
    totals = subtree_totals(nodes)
    page.add(
        "Modules in load order",
        table(
            [
                Column("#", True),
                Column("module"),
                Column("category"),
                Column("kind"),
                Column("source bytes", True),
                Column("with what it loads", True),
                Column("depth", True),
                Column("loaded by"),
                Column("at file:line"),
                Column("chain"),
            ],
            [
                (
                    index,
                    m.name,
                    m.category.value,
                    m.kind.value,
                    m.source_bytes,
                    totals[m.name],
                    m.depth,
                    (m.via.importer or "(the root's import)") if m.via else "(a root)",
                    where(m.via.file, m.via.line, shown(m.via.file))
                    if m.via is not None and m.via.file is not None
                    else "",
                    " \u2190 ".join(step.partition(" at ")[0] for step in chains[m.name]),
                )
                for index, m in enumerate(found.modules, 1)
            ],
            limit=3000,
        ),
    )
    page.add(
        "Imports that fail",
        table(
            [
                Column("module"),
                Column("reason"),
                Column("handled"),
                Column("imported by"),
                Column("file:line"),
            ],
            [
                (
                    f.name,
                    f.reason,
                    "yes" if f.handled else "no",
                    f.site.importer or "",
                    where(f.site.file, f.site.line, shown(f.site.file))
                    if f.site.file is not None
                    else "",
                )
                for f in found.failures
            ],
            empty="every import that runs resolves",
        ),
        summary="Imports that would raise ImportError as they run; a handled one is caught "
        "by a try/except ImportError, which takes its fallback.",
    )
    page.add(
        "Dynamic imports not followed",
        table(
            [Column("module"), Column("kind"), Column("file:line"), Column("code")],
            [
                (
                    d.module,
                    d.kind,
                    where(d.file, d.line, shown(d.file)) if d.file is not None else "",
                    d.text,
                )
                for d in found.dynamic
            ],
            empty="none",
        ),
    )
    return page
