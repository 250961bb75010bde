"""The pages' layouts: treemap areas in proportion to sizes, the matrix's order leaving only
cycles' marks above the diagonal, the icicle nested as the chains of imports say."""

from __future__ import annotations

import math

import pytest

from modspec._codebase.html_icicle import Node, icicle_layout, subtree_totals
from modspec._codebase.html_matrix import (
    Dependency,
    Matrix,
    cut,
    dependency_matrix,
    package_of,
    unit_level,
)
from modspec._codebase.html_treemap import HEADER, Block, layout
from modspec._codebase.surface import Category

FIRST, STDLIB, THIRD = Category.FIRST_PARTY, Category.STDLIB, Category.THIRD_PARTY

# --- the treemap -------------------------------------------------------------------------

BLOCKS = [
    Block("app", "app", 4_000, FIRST),
    Block("app.core", "app", 12_000, FIRST),
    Block("app.api", "app", 8_000, FIRST),
    Block("json", "json", 10_000, STDLIB),
    Block("json.decoder", "json", 6_000, STDLIB),
    Block("vendor", "vendor", 20_000, THIRD),
    Block("empty", "empty", 0, FIRST),  # no source: not drawn
]


def test_boxes_have_their_groups_share_of_the_area() -> None:
    boxes = layout(BLOCKS, 800, 500)
    total = sum(b.size for b in BLOCKS)
    assert {box.name: box.size for box in boxes} == {
        "app": 24_000,
        "json": 16_000,
        "vendor": 20_000,
    }
    for box in boxes:
        assert box.width * box.height == pytest.approx(800 * 500 * box.size / total)
    assert sum(box.width * box.height for box in boxes) == pytest.approx(800 * 500)


def test_tiles_have_their_blocks_share_of_their_box() -> None:
    for box in layout(BLOCKS, 800, 500):
        assert box.header  # tall enough for its name
        inner = (box.width - 2) * (box.height - HEADER - 1)
        for tile in box.tiles:
            assert tile.width * tile.height == pytest.approx(inner * tile.size / box.size)
            # Inside the box, below its header.
            assert box.x <= tile.x
            assert tile.x + tile.width <= box.x + box.width + 1e-6
            assert box.y + HEADER <= tile.y + 1e-6
            assert tile.y + tile.height <= box.y + box.height + 1e-6


def test_tiles_do_not_overlap() -> None:
    tiles = [tile for box in layout(BLOCKS, 800, 500) for tile in box.tiles]
    for index, one in enumerate(tiles):
        for other in tiles[index + 1 :]:
            overlap_x = min(one.x + one.width, other.x + other.width) - max(one.x, other.x)
            overlap_y = min(one.y + one.height, other.y + other.height) - max(one.y, other.y)
            assert min(overlap_x, overlap_y) <= 1e-6, (one.name, other.name)


def test_small_modules_are_gathered_into_one_tile() -> None:
    blocks = [Block("big", "pkg", 100_000, FIRST)]
    blocks += [Block(f"pkg.m{i}", "pkg", 10, FIRST) for i in range(50)]
    (box,) = layout(blocks, 400, 300)
    names = [tile.name for tile in box.tiles]
    assert names == ["big", "50 more modules"]
    gathered = box.tiles[1]
    assert (gathered.size, gathered.modules) == (500, 50)


def test_small_modules_are_folded_by_subpackage() -> None:
    # A thousand modules too small alone: a tile per subpackage, sizes added up.
    blocks = [
        Block(f"top.sub{s}.m{m}", "top", 100 + s, FIRST) for s in range(4) for m in range(250)
    ]
    blocks.append(Block("top.lone", "top", 50, FIRST))
    blocks.append(Block("top.also", "top", 50, FIRST))
    (box,) = layout(blocks, 400, 300)
    tiles = {tile.name: tile for tile in box.tiles}
    assert set(tiles) == {"top.sub0.*", "top.sub1.*", "top.sub2.*", "top.sub3.*", "2 more modules"}
    assert (tiles["top.sub3.*"].modules, tiles["top.sub3.*"].size) == (250, 250 * 103)
    assert sum(tile.modules for tile in box.tiles) == 1002


def test_small_packages_are_gathered_by_category() -> None:
    blocks = [Block("big", "big", 1_000_000, FIRST)]
    blocks += [Block(f"s{i}", f"s{i}", 100, STDLIB) for i in range(30)]
    blocks += [Block(f"t{i}", f"t{i}", 100, THIRD) for i in range(3)]
    boxes = {box.name: box for box in layout(blocks, 600, 400)}
    assert set(boxes) == {"big", "30 more packages", "3 more packages"}
    assert boxes["30 more packages"].category is STDLIB
    assert boxes["30 more packages"].modules == 30
    assert boxes["3 more packages"].category is THIRD


def test_nothing_to_draw() -> None:
    assert layout([Block("a", "a", 0, FIRST)], 100, 100) == []


# --- the dependency matrix ----------------------------------------------------------------


def _dep(importer: str, target: str, *, eager: bool = True, external: bool = False) -> Dependency:
    return Dependency(importer, target, external, eager, f"{importer}.py", 1)


# core <-> api eagerly; util -> api only in a function, api -> util eagerly: a cycle of any
# imports, not an eager one; base below everything; cli on top.
DEPS = [
    _dep("core", "api"),
    _dep("api", "core"),
    _dep("core", "base"),
    _dep("api", "base"),
    _dep("api", "util"),
    _dep("util", "api", eager=False),
    _dep("cli", "core"),
    _dep("cli", "vendor", external=True),
    _dep("core", "vendor", external=True),
    _dep("core", "other", external=True, eager=False),
    _dep("base", "base"),  # within one unit: no mark
]
UNITS = {"api", "base", "cli", "core", "util", "lonely"}


def _above(matrix: Matrix) -> list[tuple[int, int]]:
    n = len(matrix.names)
    return [(r, c) for (r, c) in matrix.marks if c < n and c > r]


def _within(matrix: Matrix, row: int, column: int, *, eager: bool) -> bool:
    return any(
        c.first <= row < c.end and c.first <= column < c.end
        for c in matrix.cycles
        if c.eager or not eager
    )


def test_matrix_marks_above_the_diagonal_close_cycles() -> None:
    matrix = dependency_matrix(UNITS, DEPS)
    names = matrix.names
    assert set(names) == UNITS
    position = {name: i for i, name in enumerate(names)}
    # What a unit imports outside its cycles comes before it.
    assert position["base"] < position["core"] < position["cli"]
    assert position["base"] < position["api"]
    above = _above(matrix)
    assert above  # the cycles show
    for row, column in above:
        assert _within(matrix, row, column, eager=False)
        if matrix.marks[row, column].eager:
            assert _within(matrix, row, column, eager=True)
    # The eager cycle is core and api together; the deferred one takes util in too.
    eager = [names[c.first : c.end] for c in matrix.cycles if c.eager]
    assert [sorted(cycle) for cycle in eager] == [["api", "core"]]
    (wider,) = [names[c.first : c.end] for c in matrix.cycles if not c.eager]
    assert sorted(wider) == ["api", "core", "util"]


def test_matrix_without_cycles_is_lower_triangular() -> None:
    chain = [_dep("a", "b"), _dep("b", "c"), _dep("a", "c"), _dep("c", "d", eager=False)]
    matrix = dependency_matrix({"a", "b", "c", "d"}, chain)
    assert matrix.names == ("d", "c", "b", "a")
    assert _above(matrix) == []
    assert matrix.cycles == ()


def test_matrix_marks_count_statements_and_external_columns_follow() -> None:
    deps = [*DEPS, _dep("core", "api", eager=False), _dep("cli", "vendor", external=True)]
    matrix = dependency_matrix(UNITS, deps)
    rows = {name: i for i, name in enumerate(matrix.names)}
    n = len(matrix.names)
    assert matrix.external == ("vendor", "other")  # the most imported first
    mark = matrix.marks[rows["core"], rows["api"]]
    assert (mark.statements, mark.eager) == (2, 1)
    assert matrix.marks[rows["cli"], n].statements == 2  # cli -> vendor
    assert (rows["core"], n + 1) in matrix.marks  # core -> other
    assert not any(r == c for r, c in matrix.marks)  # nothing on the diagonal


def test_matrix_caps_rows_and_external_columns() -> None:
    deps = [_dep(f"u{i}", f"u{i + 1}") for i in range(9)]
    deps += [_dep("u0", f"x{i}", external=True) for i in range(5)]
    matrix = dependency_matrix(
        {f"u{i}" for i in range(10)} | {"idle"}, deps, max_rows=5, max_external=2
    )
    assert len(matrix.names) == 5
    assert matrix.left_out == 6
    assert "idle" not in matrix.names
    assert len(matrix.external) == 2
    assert matrix.external_left_out == 3


@pytest.mark.parametrize(
    ("name", "is_package", "package"),
    [("app.core.models", False, "app.core"), ("app.core", True, "app.core"), ("os", False, "os")],
)
def test_package_of(name: str, is_package: bool, package: str) -> None:
    assert package_of(name, is_package) == package


def test_unit_level_is_the_finest_that_fits() -> None:
    packages = ["app", "app.core", "app.api", "app.api.v1", "app.api.v2", "tools"]
    assert unit_level(packages, 100) == 3
    assert unit_level(packages, 4) == 2  # app, app.core, app.api, tools
    assert unit_level(packages, 1) == 1  # never coarser than the top level
    assert cut("app.api.v1", 2) == "app.api"


# --- the icicle ---------------------------------------------------------------------------

# json loads json.decoder, which loads re; json.scanner comes from json.decoder too.
NODES = [
    Node("json", None, 1_000, STDLIB),
    Node("json.decoder", "json", 400, STDLIB),
    Node("re", "json.decoder", 2_000, STDLIB),
    Node("json.scanner", "json.decoder", 600, STDLIB),
    Node("json.encoder", "json", 1_000, STDLIB),
    Node("other", None, 5_000, THIRD),
    Node("orphan", "not given", 0, THIRD),  # its importer is not in the tree: the top row
]


def test_icicle_nesting_follows_the_parents() -> None:
    bars = {bar.name: bar for bar in icicle_layout(NODES, 1000)}
    assert {name: bar.depth for name, bar in bars.items()} == {
        "json": 0,
        "other": 0,
        "orphan": 0,
        "json.decoder": 1,
        "json.encoder": 1,
        "re": 2,
        "json.scanner": 2,
    }
    for node in NODES:
        if node.parent in bars:
            parent, child = bars[node.parent], bars[node.name]
            # Under its parent: within its span, one row down.
            assert parent.x - 1e-9 <= child.x
            assert child.x + child.width <= parent.x + parent.width + 1e-9
            assert child.depth == parent.depth + 1


def test_icicle_widths_are_totals() -> None:
    totals = subtree_totals(NODES)
    assert totals["json.decoder"] == 3_000
    assert totals["json"] == 5_000
    bars = {bar.name: bar for bar in icicle_layout(NODES, 1000)}
    whole = totals["json"] + totals["other"] + totals["orphan"]
    for name, bar in bars.items():
        assert bar.width == pytest.approx(1000 * totals[name] / whole)
        assert bar.total == totals[name]
    # Children in the order given, from their parent's left end; its own bytes stay at
    # the right.
    assert bars["json.decoder"].x == bars["json"].x
    assert bars["json.encoder"].x == pytest.approx(bars["json.decoder"].x + 300)
    assert bars["json"].x + bars["json"].width - (
        bars["json.encoder"].x + bars["json.encoder"].width
    ) == pytest.approx(100)  # json's own 1,000 bytes, at 0.1 px a byte


def test_icicle_survives_a_loop_and_a_deep_chain() -> None:
    looped = [Node("a", "b", 1, STDLIB), Node("b", "a", 1, STDLIB), Node("c", "a", 1, STDLIB)]
    bars = {bar.name: bar.depth for bar in icicle_layout(looped, 10)}
    assert bars == {"a": 0, "b": 0, "c": 1}
    deep = [Node(f"m{i}", f"m{i - 1}" if i else None, 1, STDLIB) for i in range(5_000)]
    totals = subtree_totals(deep)
    assert totals["m0"] == 5_000
    assert math.isclose(icicle_layout(deep, 100)[-1].width, 100 / 5_000)
