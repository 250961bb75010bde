"""An icicle: a tree of modules as rows of bars, each under the module that loaded it, as wide
as its size with what it loaded; the layout is sums and offsets, the picture SVG."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .html_page import Html, count, escape, join, kib
from .html_palette import colours, legend
from .surface import Category

__all__ = ["Bar", "Node", "icicle_layout", "render_icicle", "subtree_totals"]


class Node(NamedTuple):
    """A module of the tree: the module it hangs under (None, or one not given: the top
    row), its own size, its category; ``detail`` goes into its tooltip."""

    name: str
    parent: str | None
    size: int
    category: Category
    detail: str = ""


class Bar(NamedTuple):
    name: str
    x: float
    width: float
    depth: int
    size: int  # its own
    total: int  # with everything under it
    category: Category
    detail: str


def _children(nodes: Sequence[Node]) -> tuple[list[str], dict[str, list[str]]]:
    """The top row and each node's children, in the order given; a node whose parent is not
    given, or that lies on a loop of parents, is on the top row."""
    given = {node.name: node for node in nodes}
    # Each chain of parents walked once (0: not yet, 1: on the walk, 2: done): a walk that
    # comes back to itself has found a loop.
    state: dict[str, int] = {}
    on_loop: set[str] = set()
    for start in given:
        walk: list[str] = []
        current: str | None = start
        while current in given and current not in state:
            state[current] = 1
            walk.append(current)
            current = given[current].parent
        if current is not None and state.get(current) == 1:
            on_loop.update(walk[walk.index(current) :])
        state.update(dict.fromkeys(walk, 2))
    tops: list[str] = []
    children: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        if node.parent is None or node.parent not in given or node.name in on_loop:
            tops.append(node.name)
        else:
            children[node.parent].append(node.name)
    return tops, children


def subtree_totals(nodes: Sequence[Node]) -> dict[str, int]:
    """Each node's size with the sizes of everything under it."""
    sizes = {node.name: max(node.size, 0) for node in nodes}
    tops, children = _children(nodes)
    totals: dict[str, int] = {}
    # Depth first without recursion: a chain of imports may be deeper than the stack.
    for top in tops:
        stack = [(top, False)]
        while stack:
            name, done = stack.pop()
            if done:
                totals[name] = sizes[name] + sum(totals[c] for c in children.get(name, ()))
            else:
                stack.append((name, True))
                stack.extend((c, False) for c in children.get(name, ()))
    return totals


def icicle_layout(nodes: Sequence[Node], width: float) -> list[Bar]:
    """The bars, top row first: the top row spans ``width`` in proportion to its nodes'
    totals; each node's children start under its left end, in the order given, each as
    wide as its total (its own size is what stays uncovered at its right end)."""
    given = {node.name: node for node in nodes}
    totals = subtree_totals(nodes)
    tops, children = _children(nodes)
    whole = sum(totals[t] for t in tops)
    if not whole:
        return []
    scale = width / whole
    bars = []
    row: list[tuple[str, float]] = []
    x = 0.0
    for top in tops:
        row.append((top, x))
        x += totals[top] * scale
    depth = 0
    while row:
        below: list[tuple[str, float]] = []
        for name, left in row:
            node = given[name]
            span = totals[name] * scale
            bars.append(
                Bar(name, left, span, depth, node.size, totals[name], node.category, node.detail)
            )
            for child in children.get(name, ()):
                below.append((child, left))
                left += totals[child] * scale
        row, depth = below, depth + 1
    return bars


ROW = 20  # px per row of bars
_CHAR = 6.4


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _bar(bar: Bar, unit: Callable[[int], str]) -> Html:
    palette = colours(bar.category)
    y = bar.depth * ROW
    tooltip = f"{bar.name} ({bar.category.value}): {unit(bar.size)}"
    if bar.total != bar.size:
        tooltip += f", {unit(bar.total)} with what it loads"
    if bar.detail:
        tooltip += f"\n{bar.detail}"
    room = int((bar.width - 6) / _CHAR)
    label = bar.name if room >= len(bar.name) else bar.name.rpartition(".")[2]
    text = ""
    if room >= len(label) and room >= 3:
        text = (
            f'<text x="{_n(bar.x + 3)}" y="{y + 14}" font-size="11" fill="#18202c">'
            f"{escape(label)}</text>"
        )
    return Html(
        f'<rect class="bar" data-name="{escape(bar.name)}" data-depth="{bar.depth}" '
        f'x="{_n(bar.x)}" y="{y}" width="{_n(bar.width)}" height="{ROW - 1}" '
        f'fill="{palette.fill}">'
        f"<title>{escape(tooltip)}</title></rect>{text}"
    )


def render_icicle(
    nodes: Sequence[Node],
    *,
    width: int = 1200,
    unit: Callable[[int], str] = kib,
    label: str = "icicle",
) -> Html:
    """The icicle as inline SVG, bars narrower than a pixel left out (said under it), each
    bar's tooltip naming it, its sizes and its ``detail``; a legend of the categories."""
    bars = icicle_layout(nodes, width)
    if not bars:
        return Html('<p class="empty">nothing to draw: no module with a size</p>')
    drawn = [bar for bar in bars if bar.width >= 1]
    height = (max(bar.depth for bar in drawn) + 1) * ROW
    body = join(_bar(bar, unit) for bar in drawn)
    counts: dict[Category, int] = defaultdict(int)
    for bar in bars:
        counts[bar.category] += 1
    note = ""
    if len(drawn) < len(bars):
        note = (
            f'<p class="note">{len(bars) - len(drawn):,} modules narrower than a pixel are '
            "not drawn; the table below lists every module.</p>"
        )
    return Html(
        f'<div class="wide"><svg class="icicle" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"{body}</svg></div>" + legend((c, count(n, "module")) for c, n in counts.items()) + note
    )
