"""The import graph of a code base: every edge with its file, line and guards; its nodes, its
package levels, who imports a module, and the cycles of eager first-party imports."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter

from .._environment import EnvironmentPath
from .._gcpause import gc_paused
from .._records import NamedTuple, frozen_record
from .._spec import Kind, Spec
from .conditions import Target
from .extract_py import Guard, guard_names
from .surface import Category, Collected, category_of, collect

__all__ = ["Cycle", "Edge", "Graph", "Node", "build_graph", "components", "import_graph"]

# Each combination of guard flags named once, by the flags' value: an edge is made per
# imported name (a tuple, which a Guard indexes as its int).
_GUARD_NAMES = tuple(guard_names(Guard(flags)) for flags in range(Guard.CONDITIONAL * 2))


@frozen_record
class Node:
    """A module that is a source (a file of the code base) or a target of the graph."""

    name: str
    category: Category
    kind: Kind | None  # None: unresolved, or a file of the code base that no import reaches
    origin: str | None
    source_bytes: int  # the size of its origin, when that is Python source; else 0


class Edge(NamedTuple):
    """One imported name of one import statement (a tuple: a large code base makes millions,
    and a frozen dataclass costs several times as much to make)."""

    importer: str | None  # the importing file's module (None: a script, not a module)
    file: str
    line: int
    # The absolute module imported: for `from a import b`, a.b where that is a submodule,
    # else a; for an import that does not resolve, the most specific name it could get.
    target: str
    resolved: bool
    category: Category  # the target's
    statement: str  # "import" or "from"
    name: str | None  # what a from-import names ("*" for a star); None for `import a.b`
    guards: tuple[str, ...]  # extract_py.guard_names: "deferred", "type-checking", ...
    condition: tuple[tuple[str, bool], ...]  # ImportRef.condition
    # Whether the statement runs for the graph's target when its branch is reached: False
    # under a test false there, or in a handler whose try takes another alternative.
    active: bool

    @property
    def eager(self) -> bool:
        """Whether it runs when the importer is imported: active, and neither in a function,
        for type checkers only, under ``__main__`` nor lazy."""
        return self.active and not _LATE.intersection(self.guards)


_LATE = frozenset(("deferred", "type-checking", "main", "lazy"))


@frozen_record
class Cycle:
    """Modules that import one another, eagerly, each reaching every other."""

    modules: tuple[str, ...]  # sorted
    # One shortest loop through them, from the first module back to it: the edges that close
    # the cycle, each with its file and line.
    loop: tuple[Edge, ...]


@frozen_record
class Graph:
    """Nodes by name and edges in file and line order."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    target: Target  # the interpreter its platform and version tests were decided for

    def importers(self, name: str) -> tuple[Edge, ...]:
        """The edges into ``name`` or into any module under it."""
        prefix = name + "."
        return tuple(e for e in self.edges if e.target == name or e.target.startswith(prefix))

    def at_level(self, level: int | None) -> Graph:
        """The graph with each name cut to its first ``level`` parts (None: as it is); edges
        within one of the merged nodes go, and a merged node adds up its source bytes."""
        if level is None:
            return self
        merged: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes:
            merged[_cut(node.name, level)].append(node)
        nodes = tuple(_merge(name, group) for name, group in sorted(merged.items()))
        edges = []
        for edge in self.edges:
            importer = None if edge.importer is None else _cut(edge.importer, level)
            target = _cut(edge.target, level)
            if importer != target:
                edges.append(edge._replace(importer=importer, target=target))
        return Graph(nodes, tuple(edges), self.target)

    def among(self, categories: Iterable[Category]) -> Graph:
        """The graph of the nodes of these categories and the edges between them."""
        wanted = set(categories)
        kept = {node.name for node in self.nodes if node.category in wanted}
        nodes = tuple(node for node in self.nodes if node.name in kept)
        edges = tuple(e for e in self.edges if e.importer in kept and e.target in kept)
        return Graph(nodes, edges, self.target)

    def cycles(self) -> tuple[Cycle, ...]:
        """Strongly connected components of the eager edges between first-party modules,
        smallest first, each with one shortest loop through it."""
        first_party = {n.name for n in self.nodes if n.category is Category.FIRST_PARTY}
        out: dict[str, dict[str, Edge]] = defaultdict(dict)
        # Edge.eager per distinct guards, not per edge: a large code base has millions.
        late = {guards: bool(_LATE.intersection(guards)) for guards in _GUARD_NAMES}
        for edge in self.edges:
            # Unpacked (attribute access costs more), the cheapest tests first: a large code
            # base has millions of edges.
            importer, _, _, target, _, _, _, _, guards, _, active = edge
            if importer == target or target not in first_party or importer not in first_party:
                continue
            if guards not in late:  # an Edge made by hand, its guards in another order
                late[guards] = bool(_LATE.intersection(guards))
            if active and not late[guards]:
                # The first edge between two modules (file, line order) stands for them all.
                out[importer].setdefault(target, edge)
        found = []
        for members in components(sorted(first_party), out):
            if len(members) > 1:
                found.append(Cycle(tuple(sorted(members)), _loop(sorted(members), out)))
        return tuple(sorted(found, key=lambda c: (len(c.modules), c.modules)))


def import_graph(
    roots: Sequence[str],
    *,
    path: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    gitignore: bool | None = None,
    workers: int | None = None,
    backend: str | None = None,
    environment: EnvironmentPath | None = None,
    legacy_namespaces: bool = False,
    target: Target | None = None,
    config: str | None = None,
) -> Graph:
    """The import graph of the code base under ``roots``: every import of every file as an
    edge, with the nodes it joins. The options are ``modspec.surface``'s; nothing under the
    roots is imported or run."""
    with gc_paused():
        collected = collect(
            roots,
            {},
            path=path,
            exclude=exclude,
            gitignore=gitignore,
            workers=workers,
            backend=backend,
            environment=environment,
            legacy_namespaces=legacy_namespaces,
            target=target,
            config=config,
        )
        return build_graph(collected)


def build_graph(collected: Collected) -> Graph:
    """The graph of what ``surface.collect`` read: one edge per imported name per statement."""
    files = collected.files
    sources = {f.module: f.path for f in files.values() if f.module is not None}
    # The code base's own modules that no import names were left out of the batch: their
    # nodes need answers too (listings are kept, so this batch lists nothing again).
    unasked = [name for name in sources if name not in collected.specs]
    specs = {**collected.specs, **collected.resolver.resolve_many(unasked)}
    roots = [root.path for root in collected.report.roots]
    categories: dict[str, Category] = {}

    def category(name: str) -> Category:
        if name not in categories:
            categories[name] = category_of(specs.get(name), roots)
        return categories[name]

    module_of = {path: source.module for path, source in files.items()}
    off = collected.inactive
    guards = _GUARD_NAMES
    targets: set[str] = set()
    new = tuple.__new__  # Edge(...) runs Python code per edge; tuple.__new__ does not
    edges: list[Edge] = []
    add = edges.append
    for key, sites in collected.sites.items():
        if isinstance(key, str):
            continue  # a relative import beyond any package: no module to point to
        # `from a import b` is keyed (a.b, a); `import a` and `from a import *` are (a,).
        # The target is the first of them that resolves, else the last.
        target = key[0]
        resolved = specs.get(target) is not None
        if not resolved and len(key) == 2:
            target = key[1]
            resolved = specs.get(target) is not None
        kind = categories.get(target) or category(target)
        name = key[0][len(key[1]) + 1 :] if len(key) == 2 else None
        from_name = "*" if name is None else name
        targets.add(target)
        for site in sites:
            path, line, guard, statement, condition, choice = site
            # Only a site under a condition or in a try's handler may not run.
            active = not (condition or choice) or site not in off
            named = name if statement == "import" else from_name
            # fmt: off
            add(new(Edge, (
                module_of[path], path, line, target, resolved, kind, statement, named,
                guards[guard], condition, active,
            )))
            # fmt: on
    # Stable: edges of one statement keep the order of its names.
    edges.sort(key=itemgetter(1, 2, 3))
    names = {*sources, *targets}
    nodes = tuple(
        _node(name, specs.get(name), sources.get(name), category(name)) for name in sorted(names)
    )
    return Graph(nodes, tuple(edges), collected.report.target)


def _node(name: str, spec: Spec | None, source: str | None, category: Category) -> Node:
    if spec is None:
        # A file of the code base no import reaches by this name (or one that does not
        # resolve): its own file is its origin.
        return Node(name, category, None, source, 0)
    size = 0
    if spec.kind is Kind.SOURCE and spec.origin_stat is not None:
        size = spec.origin_stat.size
    return Node(name, category, spec.kind, spec.origin, size)


def _cut(name: str, level: int) -> str:
    return ".".join(name.split(".")[:level])


def _merge(name: str, group: Sequence[Node]) -> Node:
    exact = next((node for node in group if node.name == name), None)
    size = sum(node.source_bytes for node in group)
    if exact is not None:
        return Node(name, exact.category, exact.kind, exact.origin, size)
    # A package no edge names itself (every edge went to its modules): the first of them.
    first = group[0]
    return Node(name, first.category, None, None, size)


def components(nodes: Iterable[str], out: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of the graph whose edges go from each node to
    the names ``out`` holds for it, iteratively: a deep chain of imports must not exhaust the
    interpreter's stack. A component comes after every component it reaches (a reverse
    topological order of the condensation)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(out.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(out.get(successor, {})))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def _loop(members: Sequence[str], out: dict[str, dict[str, Edge]]) -> tuple[Edge, ...]:
    """A shortest loop from ``members[0]`` back to it, within the component (breadth first)."""
    start, inside = members[0], set(members)
    came_by: dict[str, Edge] = {}
    queue = deque([start])
    while queue and start not in came_by:
        node = queue.popleft()
        for successor, edge in sorted(out.get(node, {}).items()):
            if successor in inside and successor not in came_by:
                came_by[successor] = edge
                queue.append(successor)
    # Back from the edge that returns to start, along the tree the search grew from it.
    loop = [came_by[start]]
    while loop[-1].importer != start:
        importer = loop[-1].importer
        assert importer is not None  # edges between first-party modules have module ends
        loop.append(came_by[importer])
    return tuple(reversed(loop))
