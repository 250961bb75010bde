"""A dependency structure matrix (DSM): rows import columns, in an order that leaves every
mark below the diagonal except those of cycles, which are drawn as highlighted blocks on it;
then a block of columns for the external packages each row imports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .graph import components
from .html_page import Html, count, escape, join
from .html_palette import colours
from .surface import Category

__all__ = [
    "Cycle",
    "Dependency",
    "Mark",
    "Matrix",
    "dependency_matrix",
    "render_matrix",
    "unit_level",
]


MAX_ROWS = 100


class Dependency(NamedTuple):
    """Import statements from one unit (a package of the code base) into another, or into
    an external package (``external``); ``eager`` where they run when the importer is
    imported; ``file`` and ``line`` of the first of the ``statements``."""

    importer: str
    target: str
    external: bool
    eager: bool
    file: str
    line: int
    statements: int = 1


class Mark(NamedTuple):
    """A cell's imports: how many statements, how many eager, and the first one."""

    statements: int
    eager: int
    file: str
    line: int


class Cycle(NamedTuple):
    """Rows ``first`` to ``end`` (exclusive) import one another: eagerly (each reaches every
    other by imports that run at import time), or by any imports (deferred ones too)."""

    first: int
    end: int
    eager: bool


@dataclass(frozen=True, slots=True)
class Matrix:
    names: tuple[str, ...]  # the rows, and the first columns, in order
    external: tuple[str, ...]  # the further columns
    marks: dict[tuple[int, int], Mark]  # (row, column); external columns follow the names
    cycles: tuple[Cycle, ...]  # eager ones within or equal to any-import ones
    left_out: int  # units past ``max_rows``, with the fewest imports in and out
    external_left_out: int


def package_of(name: str, is_package: bool) -> str:
    """The package a module belongs to: itself for a package or a top-level module, else
    its parent."""
    return name if is_package or "." not in name else name.rpartition(".")[0]


def cut(name: str, level: int) -> str:
    """``name``'s first ``level`` parts."""
    return ".".join(name.split(".")[:level])


def unit_level(packages: Iterable[str], max_rows: int) -> int:
    """The most leading name parts at which ``packages`` make at most ``max_rows`` units
    (at least 1): the finest matrix that fits."""
    packages = set(packages)
    deepest = max((p.count(".") + 1 for p in packages), default=1)
    for level in range(deepest, 1, -1):
        if len({cut(p, level) for p in packages}) <= max_rows:
            return level
    return 1


def dependency_matrix(
    units: Iterable[str],
    dependencies: Iterable[Dependency],
    *,
    max_rows: int = MAX_ROWS,
    max_external: int = 40,
) -> Matrix:
    """The matrix of ``units`` (the rows) and ``dependencies`` between them and into external
    packages. Rows come in a reverse topological order of the condensation of the imports'
    graph (what a unit imports comes before it), each cycle's members together, and within
    one the same order for its eager imports: a mark above the diagonal is an import within
    a cycle, an eager one within an eager cycle. Past ``max_rows`` units the ones with the
    fewest statements in and out (external ones counted) are left out, past
    ``max_external`` external packages the least imported."""
    known = sorted(set(units))
    inside: dict[tuple[str, str], list[Dependency]] = defaultdict(list)
    outside: dict[tuple[str, str], list[Dependency]] = defaultdict(list)
    for dep in dependencies:
        if dep.external:
            outside[dep.importer, dep.target].append(dep)
        elif dep.importer != dep.target:
            inside[dep.importer, dep.target].append(dep)
    every: dict[str, set[str]] = defaultdict(set)
    eager: dict[str, set[str]] = defaultdict(set)
    for (importer, target), deps in inside.items():
        every[importer].add(target)
        if any(d.eager for d in deps):
            eager[importer].add(target)
    weight: dict[str, int] = defaultdict(int)
    for (importer, target), deps in inside.items():
        weight[importer] += sum(d.statements for d in deps)
        weight[target] += sum(d.statements for d in deps)
    for (importer, _), deps in outside.items():
        weight[importer] += sum(d.statements for d in deps)
    kept = set(sorted(known, key=lambda u: (-weight[u], u))[:max_rows])
    names: list[str] = []
    cycles: list[Cycle] = []
    for component in components(known, every):
        # Within a cycle of any imports, its eager cycles in their own order: an eager
        # import that closes no eager cycle stays below the diagonal too.
        members = set(component)
        within = {u: eager[u] & members for u in component}
        start = len(names)
        for part in components(sorted(component), within):
            shown = sorted(u for u in part if u in kept)
            if len(part) > 1 and len(shown) > 1:
                cycles.append(Cycle(len(names), len(names) + len(shown), True))
            names.extend(shown)
        if len(names) - start > 1 and (start, len(names), True) not in cycles:
            cycles.append(Cycle(start, len(names), False))
    used: dict[str, int] = defaultdict(int)
    for (importer, target), deps in outside.items():
        if importer in kept:
            used[target] += sum(d.statements for d in deps)
    external = sorted(used, key=lambda t: (-used[t], t))[:max_external]
    rows = {name: i for i, name in enumerate(names)}
    # An external package may bear a unit's name (one shadows the other): its own index.
    columns = {name: len(names) + i for i, name in enumerate(external)}
    marks = {}
    for pairs, index in ((inside, rows), (outside, columns)):
        for (importer, target), deps in pairs.items():
            if importer in rows and target in index:
                first = min(deps, key=lambda d: (d.file, d.line))
                statements = sum(d.statements for d in deps)
                runs = sum(d.statements for d in deps if d.eager)
                marks[rows[importer], index[target]] = Mark(
                    statements, runs, first.file, first.line
                )
    return Matrix(
        tuple(names),
        tuple(external),
        marks,
        tuple(cycles),
        len(known) - len(names),
        len(used) - len(external),
    )


def _cell_size(rows: int) -> int:
    for limit, size in ((12, 22), (24, 18), (48, 13), (80, 10)):
        if rows <= limit:
            return size
    return 8


def _clip(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "\u2026"


def render_matrix(
    matrix: Matrix,
    *,
    internal: Category = Category.FIRST_PARTY,
    external: Category = Category.THIRD_PARTY,
    shown: Callable[[str], str] = str,
) -> Html:
    """The matrix as inline SVG: row names on the left, column names above, a mark per cell
    with imports (its tooltip: how many, the first file:line, the file as ``shown`` gives
    it), cycles as red blocks on the diagonal."""
    n, m = len(matrix.names), len(matrix.external)
    if not n:
        return Html('<p class="empty">no package of the code base to draw</p>')
    cell = _cell_size(n)
    font = min(12, cell - 2)
    char = font * 0.58
    room = 42
    longest = max(len(_clip(name, room)) for name in (*matrix.names, *matrix.external))
    left = int(longest * char) + 34
    top = int(longest * char) + 12  # column names upright, reading upwards
    gap = cell * 2 if m else 0
    width = left + n * cell + gap + m * cell + 24
    height = top + n * cell + 8
    x0, y0 = left, top
    x1 = x0 + n * cell + gap  # the external block
    inner, outer = colours(internal), colours(external)
    parts: list[str] = [
        f'<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="dependency matrix">',
        f'<rect x="{x0}" y="{y0}" width="{n * cell}" height="{n * cell}" fill="#fbfcfd" '
        'stroke="#c9ced6"/>',
    ]
    if m:
        parts.append(
            f'<rect x="{x1}" y="{y0}" width="{m * cell}" height="{n * cell}" fill="#fdfaf6" '
            'stroke="#c9ced6"/>'
        )
    for i in range(1, n):  # grid lines
        parts.append(
            f'<path d="M{x0} {y0 + i * cell}h{n * cell}M{x0 + i * cell} {y0}v{n * cell}" '
            'stroke="#edf0f3"/>'
        )
    for i in range(n):
        parts.append(
            f'<rect x="{x0 + i * cell}" y="{y0 + i * cell}" width="{cell}" height="{cell}" '
            'fill="#dfe3e8"/>'
        )
    for first, end, eager in sorted(matrix.cycles, key=lambda c: c.eager):
        size = (end - first) * cell
        what = "an eager cycle" if eager else "a cycle through deferred or guarded imports"
        style = 'stroke-width="2"' if eager else 'stroke-width="1.5" stroke-dasharray="4 3"'
        parts.append(
            f'<rect class="cycle" x="{x0 + first * cell}" y="{y0 + first * cell}" '
            f'width="{size}" height="{size}" fill="{_CYCLE}" fill-opacity="0.08" '
            f'stroke="{_CYCLE}" {style}><title>{what} of {end - first} packages: '
            f"{escape(', '.join(matrix.names[first:end]))}</title></rect>"
        )
    for i, name in enumerate(matrix.names):
        y = y0 + i * cell + cell / 2 + font * 0.36
        parts.append(
            f'<text x="{x0 - 6}" y="{y:.1f}" font-size="{font}" text-anchor="end" '
            f'fill="#1d2330">{escape(_clip(name, room))} <tspan fill="#8a93a3">{i + 1}</tspan>'
            f"<title>{escape(name)}</title></text>"
        )
    columns = [(x0 + i * cell, name) for i, name in enumerate(matrix.names)]
    columns += [(x1 + j * cell, name) for j, name in enumerate(matrix.external)]
    for x, name in columns:
        cx = x + cell / 2 + font * 0.36
        parts.append(
            f'<text transform="translate({cx:.1f} {y0 - 5}) rotate(-90)" font-size="{font}" '
            f'fill="#1d2330">{escape(_clip(name, room))}<title>{escape(name)}</title></text>'
        )
    for (row, column), mark in sorted(matrix.marks.items()):
        external_column = column >= n
        x = (x1 + (column - n) * cell) if external_column else (x0 + column * cell)
        target = matrix.external[column - n] if external_column else matrix.names[column]
        if external_column:
            fill = outer.strong if mark.eager else outer.fill
        elif _same_cycle(matrix, row, column):
            fill = _CYCLE if mark.eager else "#e8a39b"
        else:
            fill = inner.strong if mark.eager else inner.fill
        late = mark.statements - mark.eager
        how = (
            "eager"
            if not late
            else "deferred or guarded"
            if not mark.eager
            else (f"{mark.eager:,} eager")
        )
        tooltip = (
            f"{matrix.names[row]} imports {target}: {count(mark.statements, 'statement')}"
            f" ({how}), first at {shown(mark.file)}:{mark.line}"
        )
        parts.append(
            f'<rect class="mark" data-row="{escape(matrix.names[row])}" '
            f'data-column="{escape(target)}" x="{x + 1}" y="{y0 + row * cell + 1}" '
            f'width="{cell - 2}" height="{cell - 2}" rx="1.5" fill="{fill}">'
            f"<title>{escape(tooltip)}</title></rect>"
        )
    parts.append("</svg>")
    return Html(f'<div class="wide">{join(Html(p) for p in parts)}</div>')


_CYCLE = "#c0392b"


def _same_cycle(matrix: Matrix, row: int, column: int) -> bool:
    """Whether the mark closes an eager cycle: both ends in one."""
    return any(
        c.eager and c.first <= row < c.end and c.first <= column < c.end for c in matrix.cycles
    )
