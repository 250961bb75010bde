"""``modspec graph``'s outputs: the versioned JSON, DOT and Mermaid pictures, and text."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring_ascii as _quoted

from .._version import __version__
from .graph import Cycle, Edge, Graph, Node
from .printable import say
from .sources import shown_path
from .surface import Category

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = [
    "SCHEMA",
    "render_dot",
    "render_importers",
    "render_json",
    "render_mermaid",
    "render_text",
    "write_graph_json",
    "write_json",
]

SCHEMA = "modspec.graph/1"

# Fill colours by category, the same in both pictures.
_COLOURS = {
    Category.FIRST_PARTY: "#9ecae1",
    Category.STDLIB: "#d9d9d9",
    Category.THIRD_PARTY: "#fdae6b",
    Category.BUILTIN: "#bdbdbd",
    Category.NAMESPACE: "#c7e9c0",
    Category.UNRESOLVED: "#fc9272",
}


_EDGE_KEYS = Edge._fields


def _edge_json(edge: Edge) -> dict[str, object]:
    # By position: Edge's fields are the JSON's keys, in the documented order.
    fields: dict[str, object] = dict(zip(_EDGE_KEYS, edge, strict=True))
    fields["category"] = edge.category.value
    fields["condition"] = [{"test": test, "holds": holds} for test, holds in edge.condition]
    return fields


def _cycle_json(cycle: Cycle) -> dict[str, object]:
    return {"modules": list(cycle.modules), "loop": [_edge_json(edge) for edge in cycle.loop]}


class _Encoded(list[str]):
    """Array elements already spelled in JSON, as json.dumps would spell them."""


def _encoded_edges(edges: Iterable[Edge]) -> _Encoded:
    # A large code base has millions of edges over a few thousand distinct values: an edge is
    # spelled as its (importer, file) head, its line and the rest (its tail), a head per run
    # of edges of one file, a tail once for each distinct rest, made of three parts (target,
    # name, flags) each spelled once: some ten times faster than a dict and json.dumps per
    # edge. The output is json.dumps(_edge_json(edge)), tested.
    spelled = _Spelled()
    tails: dict[tuple[object, ...], str] = {}
    encoded = _Encoded()
    add = encoded.append
    last_file: object = None
    last_importer: object = None
    head = ""
    for edge in edges:
        # Edges come by file, one path object per file: identity tells a new run (an equal
        # path in another object only spells its head again).
        if edge[1] is not last_file or edge[0] is not last_importer:
            last_importer, last_file = edge[0], edge[1]
            head = f'{{"importer": {spelled(edge[0])}, "file": {spelled(edge[1])}, "line": '
        key = edge[3:]
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = spelled.tail(key)
        add(f"{head}{edge[2]}{tail}")
    return encoded


class _Spelled(dict[object, str]):
    """Values spelled in JSON, each once: called with a value, gives its spelling."""

    def __init__(self) -> None:
        super().__init__()
        # An edge's tail in three parts, each spelled once for its values.
        self._targets: dict[tuple[object, ...], str] = {}
        self._names: dict[tuple[object, ...], str] = {}
        self._flags: dict[tuple[object, ...], str] = {}

    def __call__(self, value: object) -> str:
        found = self.get(value)
        if found is None:
            # A str as json.dumps spells it (with its own function), at a tenth of the cost.
            found = _quoted(value) if type(value) is str else json.dumps(_jsonable(value))
            self[value] = found
        return found

    def tail(self, key: tuple[object, ...]) -> str:
        """The JSON of an edge from its target on: ``key`` is the edge from its target on."""
        target, name, flags = key[:3], key[3:5], key[5:]
        spelled_target = self._targets.get(target)
        if spelled_target is None:
            to, resolved, category = target
            assert isinstance(category, Category)
            spelled_target = self._targets[target] = (
                f', "target": {self(to)}, "resolved": {self(resolved)}, '
                f'"category": {self(category.value)}'
            )
        spelled_name = self._names.get(name)
        if spelled_name is None:
            spelled_name = self._names[name] = (
                f', "statement": {self(name[0])}, "name": {self(name[1])}'
            )
        spelled_flags = self._flags.get(flags)
        if spelled_flags is None:
            guards, condition, active = flags
            spelled_flags = self._flags[flags] = (
                f', "guards": {self(guards)}, "condition": {self(condition)}, '
                f'"active": {self(active)}}}'
            )
        return spelled_target + spelled_name + spelled_flags


def _jsonable(value: object) -> object:
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):  # a condition: (test, holds) pairs
            return [{"test": test, "holds": holds} for test, holds in value]
        return list(value)
    return value


def render_json(graph: Graph, level: str, backend: str) -> dict[str, object]:
    """The document ``modspec graph --json`` prints (docs/graph-json.md)."""
    nodes = [_node_json(node) for node in graph.nodes]
    return _document(graph, level, backend, nodes, [_edge_json(edge) for edge in graph.edges])


def write_graph_json(graph: Graph, level: str, backend: str, out: TextIO) -> None:
    """``render_json``'s document, written as ``write_json`` writes it, faster."""
    spelled = _Spelled()
    nodes = _Encoded(
        f'{{"name": {_quoted(node.name)}, "category": {spelled(node.category.value)}, '
        f'"kind": {spelled(None if node.kind is None else node.kind.value)}, '
        f'"origin": {spelled(node.origin)}, "source_bytes": {int(node.source_bytes)}}}'
        for node in graph.nodes
    )
    write_json(_document(graph, level, backend, nodes, _encoded_edges(graph.edges)), out)


def _node_json(node: Node) -> dict[str, object]:
    return {
        "name": node.name,
        "category": node.category.value,
        "kind": None if node.kind is None else node.kind.value,
        "origin": node.origin,
        "source_bytes": node.source_bytes,
    }


def _document(
    graph: Graph, level: str, backend: str, nodes: list[Any], edges: list[Any]
) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "modspec": __version__,
        "backend": backend,
        "target": graph.target.describe(),
        "level": level,
        "nodes": nodes,
        "edges": edges,
        "cycles": [_cycle_json(cycle) for cycle in graph.cycles()],
    }


def write_json(document: dict[str, object], out: TextIO) -> None:
    """``document`` as JSON, each element of its arrays on a line of its own: readable, and
    fast (json's C encoder takes each element whole; ``indent`` would take the pure one)."""
    out.write("{")
    for index, (key, value) in enumerate(document.items()):
        out.write(",\n" if index else "\n")
        out.write(f"  {json.dumps(key)}: ")
        if isinstance(value, list) and value:
            out.write("[\n    ")
            out.write(
                ",\n    ".join(value if isinstance(value, _Encoded) else map(json.dumps, value))
            )
            out.write("\n  ]")
        else:
            out.write(json.dumps(value))
    out.write("\n}\n")


def _pairs(graph: Graph) -> Counter[tuple[str, str]]:
    # A picture draws modules, not statements: one arrow per pair, weighted by its imports.
    # Scripts (no module name) have no node to start from.
    return Counter((e.importer, e.target) for e in graph.edges if e.importer is not None)


def _drawn(graph: Graph, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, Category]]:
    named = {name for pair in pairs for name in pair}
    return [(node.name, node.category) for node in graph.nodes if node.name in named]


def render_dot(graph: Graph) -> str:
    """Graphviz DOT: one node per module, one arrow per importing pair, labelled with the
    number of imported names when more than one."""
    pairs = _pairs(graph)
    lines = [
        "digraph imports {",
        "  rankdir=LR;",
        '  node [shape=box, style=filled, fontname="Helvetica"];',
    ]
    for name, category in _drawn(graph, pairs):
        lines.append(f'  {json.dumps(name)} [fillcolor="{_COLOURS[category]}"];')
    for (importer, target), count in sorted(pairs.items()):
        label = f" [label={count}]" if count > 1 else ""
        lines.append(f"  {json.dumps(importer)} -> {json.dumps(target)}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart, for pasting into Markdown: nodes by index, labels quoted."""
    pairs = _pairs(graph)
    drawn = _drawn(graph, pairs)
    ids = {name: f"n{index}" for index, (name, _) in enumerate(drawn)}
    lines = ["flowchart LR"]
    for name, category in drawn:
        # Mermaid's quoted labels take any text but a double quote, which it spells #quot;.
        label = name.replace('"', "#quot;")
        lines.append(f'  {ids[name]}["{label}"]:::{category.name.lower()}')
    for (importer, target), count in sorted(pairs.items()):
        arrow = f"-->|{count}|" if count > 1 else "-->"
        lines.append(f"  {ids[importer]} {arrow} {ids[target]}")
    for category, colour in _COLOURS.items():
        lines.append(f"  classDef {category.name.lower()} fill:{colour},stroke:#555")
    return "\n".join(lines) + "\n"


def render_text(graph: Graph, out: TextIO, *, roots: Sequence[str], limit: int) -> None:
    """A summary: the counts, the most imported modules, the cycles with their loops (files
    shown relative to their root)."""
    eager = sum(1 for edge in graph.edges if edge.eager)
    unresolved = sum(1 for edge in graph.edges if not edge.resolved)
    say(
        f"{len(graph.nodes):,} nodes, {len(graph.edges):,} edges "
        f"({eager:,} eager, {unresolved:,} unresolved)",
        out,
    )
    by_category = Counter(node.category.value for node in graph.nodes)
    say(
        "nodes by category: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_category.items())),
        out,
    )
    importers = Counter(edge.target for edge in graph.edges if edge.importer is not None)
    say("\nmost imported:", out)
    shown = importers.most_common(limit or None)
    for name, count in shown:
        say(f"  {name:<40} {count:>6,} imports", out)
    cycles = graph.cycles()
    say(f"\ncycles of eager first-party imports: {len(cycles)}", out)
    for cycle in cycles[: limit or None]:
        say(f"  {len(cycle.modules)} modules: {', '.join(cycle.modules)}", out)
        for edge in cycle.loop:
            where = f"{shown_path(edge.file, roots)}:{edge.line}"
            say(f"      {edge.importer} -> {edge.target}  {where}", out)
    if limit and len(cycles) > limit:
        say(f"    ... and {len(cycles) - limit} more (--limit 0 shows all)", out)


def render_importers(
    edges: Iterable[Edge], name: str, out: TextIO, *, roots: Sequence[str]
) -> None:
    """Who imports ``name`` (or a module under it): one line per edge, file:line first."""
    found = list(edges)
    say(f"{len(found):,} imports of {name}", out)
    for edge in found:
        guards = f"  [{', '.join(edge.guards)}]" if edge.guards else ""
        imported = "" if edge.name is None else f" ({edge.name})"
        importer = edge.importer or "(a script)"
        where = f"{shown_path(edge.file, roots)}:{edge.line}"
        say(f"  {where}  {importer} -> {edge.target}{imported}{guards}", out)
