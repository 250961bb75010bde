"""A treemap of modules by size, grouped by top-level package and coloured by category: the
squarified layout (the squarify package), the small ones gathered, and the SVG."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import squarify  # type: ignore[import-untyped]  # no type hints of its own

from .html_page import Html, count, escape, join, kib
from .html_palette import colours, legend
from .surface import Category

__all__ = ["Block", "Box", "Tile", "layout", "render_treemap"]


class Block(NamedTuple):
    """A module to draw: its name, the group it is drawn in (its top-level package), its
    size (0 and below: not drawn) and its category; ``detail`` goes into its tooltip."""

    name: str
    group: str
    size: int
    category: Category
    detail: str = ""


class Tile(NamedTuple):
    """A rectangle for one block, or for several too small to draw one by one."""

    name: str  # the module, or what the gathered ones are ("14 more modules")
    x: float
    y: float
    width: float
    height: float
    size: int
    category: Category
    modules: int  # how many blocks it stands for
    detail: str


class Box(NamedTuple):
    """A group's rectangle (a header band, then its tiles), or one gathering the groups of
    a category too small for a box each."""

    name: str
    x: float
    y: float
    width: float
    height: float
    size: int
    category: Category
    modules: int
    header: bool  # whether the box is tall and wide enough for its name above its tiles
    tiles: tuple[Tile, ...]


class _Item(NamedTuple):
    name: str
    size: int
    category: Category
    modules: int
    detail: str


HEADER = 16  # a box's header band, in pixels
MIN_TILE_AREA = 360.0  # px²: smaller tiles are gathered into one (about 19 x 19)
MIN_BOX_AREA = 2500.0  # px²: smaller groups are gathered by category (about 50 x 50)
MAX_BOXES = 120


def _squarify(
    sizes: Sequence[float], x: float, y: float, width: float, height: float
) -> list[tuple[float, float, float, float]]:
    """Rectangles of areas proportional to ``sizes`` (descending, positive) filling the
    rectangle, as (x, y, width, height): the squarify package's layout."""
    if not sizes:
        return []
    rects = squarify.squarify(squarify.normalize_sizes(sizes, width, height), x, y, width, height)
    return [(r["x"], r["y"], r["dx"], r["dy"]) for r in rects]


def _gathered(items: list[_Item], scale: float, least: float) -> list[_Item]:
    """``items`` largest first; those under ``least`` px² at ``scale`` folded into one per
    subpackage (``pkg.sub.*``, its modules' sizes added up), and what is still too small
    gathered into one."""
    kept = [i for i in items if i.size * scale >= least]
    subpackages: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        if item.size * scale < least:
            parts = item.name.split(".")
            subpackages[".".join(parts[:2]) if len(parts) > 2 else item.name].append(item)
    rest: list[_Item] = []
    for name, members in subpackages.items():
        if len(members) > 1:
            members.sort(key=lambda i: -i.size)
            folded = _Item(
                f"{name}.*",
                sum(i.size for i in members),
                members[0].category,
                sum(i.modules for i in members),
                _listed(members),
            )
            (kept if folded.size * scale >= least else rest).append(folded)
        else:
            rest.extend(members)
    if len(rest) > 1:
        rest.sort(key=lambda i: (-i.size, i.name))
        modules = sum(i.modules for i in rest)
        kept.append(
            _Item(
                f"{modules:,} more modules",
                sum(i.size for i in rest),
                rest[0].category,
                modules,
                _listed(rest),
            )
        )
    else:
        kept.extend(rest)
    return sorted(kept, key=lambda i: (-i.size, i.name))


def _listed(items: Sequence[_Item]) -> str:
    return ", ".join(i.name for i in items[:5]) + (", ..." if len(items) > 5 else "")


def _category(blocks: Iterable[Block]) -> Category:
    weight: dict[Category, int] = defaultdict(int)
    for block in blocks:
        weight[block.category] += block.size
    return max(weight, key=lambda c: (weight[c], -list(Category).index(c)))


def layout(
    blocks: Iterable[Block],
    width: float,
    height: float,
    *,
    min_tile_area: float = MIN_TILE_AREA,
    min_box_area: float = MIN_BOX_AREA,
    max_boxes: int = MAX_BOXES,
) -> list[Box]:
    """The boxes and tiles of a treemap ``width`` x ``height``: each box's area is its
    group's share of the total, and each tile's its block's share of the box's inner area
    (the box less its header and a pixel of border). Groups smaller than ``min_box_area``,
    or past the ``max_boxes`` largest, are gathered by category into one box whose tiles
    are the groups; blocks smaller than ``min_tile_area`` into one tile per box."""
    groups: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        if block.size > 0:
            groups[block.group].append(block)
    total = sum(b.size for members in groups.values() for b in members)
    if not total:
        return []
    scale = width * height / total
    by_size = sorted(groups, key=lambda g: (-sum(b.size for b in groups[g]), g))
    boxed: list[tuple[str, Category, list[_Item]]] = []
    small: dict[Category, list[_Item]] = defaultdict(list)
    for rank, group in enumerate(by_size):
        members = groups[group]
        size = sum(b.size for b in members)
        category = _category(members)
        if rank < max_boxes and size * scale >= min_box_area:
            items = [_Item(b.name, b.size, b.category, 1, b.detail) for b in members]
            boxed.append((group, category, items))
        else:
            small[category].append(_Item(group, size, category, len(members), ""))
    for category, items in small.items():
        # One box per category for its small packages, each package a tile.
        packages = "package" if len(items) == 1 else "packages"
        boxed.append((f"{len(items):,} more {packages}", category, items))
    boxed.sort(key=lambda b: (-sum(i.size for i in b[2]), b[0]))
    sizes = [float(sum(i.size for i in items)) for _, _, items in boxed]
    boxes = []
    for (name, category, items), (x, y, w, h) in zip(
        boxed, _squarify(sizes, 0, 0, width, height), strict=True
    ):
        header = h >= 2.5 * HEADER and w >= 40
        top = HEADER if header else 1.0
        inner = (x + 1, y + top, w - 2, h - top - 1)
        size = sum(i.size for i in items)
        shown: list[_Item] = []
        rects: list[tuple[float, float, float, float]] = []
        if inner[2] > 0 and inner[3] > 0:  # else a sliver: its box alone is drawn
            shown = _gathered(items, inner[2] * inner[3] / size, min_tile_area)
            rects = _squarify([float(i.size) for i in shown], *inner)
        tiles = tuple(
            Tile(i.name, tx, ty, tw, th, i.size, i.category, i.modules, i.detail)
            for i, (tx, ty, tw, th) in zip(shown, rects, strict=True)
        )
        modules = sum(i.modules for i in items)
        boxes.append(Box(name, x, y, w, h, size, category, modules, header, tiles))
    return boxes


# Text in the pictures is 11 px sans-serif: about 6.4 px a character, a line 13 px.
_CHAR = 6.4


def _fitted(text: str, width: float) -> str:
    """``text`` cut (with an ellipsis) to what fits ``width`` px; "" if too little does."""
    room = int((width - 6) / _CHAR)
    if room >= len(text):
        return text
    return text[: room - 1] + "\u2026" if room >= 4 else ""


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(tile: Tile, group: str) -> str:
    # Inside its package's box a module is named by what follows the package's name.
    prefix = group + "."
    return tile.name[len(prefix) :] if tile.name.startswith(prefix) else tile.name


def _tile(tile: Tile, box: Box, shade: int, unit: Callable[[int], str]) -> Html:
    palette = colours(tile.category)
    fill = palette.fill if shade % 2 == 0 else palette.alternate
    modules = f"{count(tile.modules, 'module')}, " if tile.modules > 1 else ""
    tooltip = f"{tile.name} ({tile.category.value})\n{modules}{unit(tile.size)}"
    if tile.detail:
        tooltip += f"\n{tile.detail}"
    parts = [
        f'<rect class="tile" data-name="{escape(tile.name)}" x="{_n(tile.x)}" y="{_n(tile.y)}" '
        f'width="{_n(tile.width)}" height="{_n(tile.height)}" fill="{fill}">'
        f"<title>{escape(tooltip)}</title></rect>"
    ]
    label = _fitted(_label(tile, box.name), tile.width) if tile.height >= 14 else ""
    if label:
        parts.append(
            f'<text x="{_n(tile.x + 3)}" y="{_n(tile.y + 12)}" font-size="11" '
            f'fill="#18202c">{escape(label)}</text>'
        )
        size = unit(tile.size)
        if tile.height >= 28 and _fitted(size, tile.width) == size:
            parts.append(
                f'<text x="{_n(tile.x + 3)}" y="{_n(tile.y + 24)}" font-size="10" '
                f'fill="#3b4656">{escape(size)}</text>'
            )
    return Html("".join(parts))


def _box(box: Box, shade: int, unit: Callable[[int], str]) -> Html:
    palette = colours(box.category)
    tooltip = f"{box.name} ({box.category.value}): {count(box.modules, 'module')}, {unit(box.size)}"
    parts = [
        f'<g class="box" data-name="{escape(box.name)}">'
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" fill="{palette.strong}" stroke="#fff">'
        f"<title>{escape(tooltip)}</title></rect>"
    ]
    if box.header:
        text = f"{box.name}  {unit(box.size)}"
        text = text if _fitted(text, box.width) == text else _fitted(box.name, box.width)
        parts.append(
            f'<text x="{_n(box.x + 4)}" y="{_n(box.y + 12)}" font-size="11" font-weight="600" '
            f'fill="#fff">{escape(text)}</text>'
        )
    parts.extend(_tile(tile, box, shade + index, unit) for index, tile in enumerate(box.tiles))
    parts.append("</g>")
    return Html("".join(parts))


def render_treemap(
    blocks: Sequence[Block],
    *,
    width: int = 1200,
    height: int = 620,
    unit: Callable[[int], str] = kib,
    label: str = "treemap",
) -> Html:
    """The treemap of ``blocks`` as inline SVG (each rectangle's tooltip names it), with a
    legend of the categories drawn; ``unit`` spells a size."""
    boxes = layout(blocks, width, height)
    if not boxes:
        return Html('<p class="empty">nothing to draw: no module with a size</p>')
    drawn = join(_box(box, index, unit) for index, box in enumerate(boxes))
    totals: dict[Category, list[int]] = defaultdict(lambda: [0, 0])
    for block in blocks:
        if block.size > 0:
            totals[block.category][0] += 1
            totals[block.category][1] += block.size
    entries = [(c, f"{count(n, 'module')}, {unit(size)}") for c, (n, size) in totals.items()]
    return Html(
        f'<svg class="treemap" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">{drawn}</svg>' + legend(entries)
    )
