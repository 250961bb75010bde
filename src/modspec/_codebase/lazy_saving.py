"""What deferring an import statement would take off start-up: the modules only it loads.

The start-up's import graph has a node per module and one per import statement that ran
(importer -> statement -> each module it asked for). A module stops loading when a statement
is deferred exactly when every path to it from the roots passes through that statement: when
the statement dominates it. One dominator tree (Cooper, Harvey and Kennedy's iterative
algorithm) answers for every statement at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["Statement", "dominated_modules", "unreachable_without"]

Statement = tuple[str | None, int]  # (importing module, line); None: the roots' own import
_Node = str | Statement
_ENTRY: Statement = (None, -1)


def _graph(
    edges: Iterable[tuple[str | None, str, int]], roots: Sequence[str], skip: set[Statement]
) -> dict[_Node, list[_Node]]:
    successors: dict[_Node, list[_Node]] = {_ENTRY: list(roots)}
    for importer, target, line in edges:
        statement: Statement = (importer, line)
        if statement in skip:
            continue
        successors.setdefault(importer if importer is not None else _ENTRY, []).append(statement)
        successors.setdefault(statement, []).append(target)
    return successors


def _reachable(successors: Mapping[_Node, list[_Node]]) -> tuple[list[_Node], list[_Node]]:
    """The nodes reachable from the entry, in reverse postorder and in preorder (the order
    the imports start), depth first without recursion."""
    seen: set[_Node] = {_ENTRY}
    first: list[_Node] = [_ENTRY]
    order: list[_Node] = []
    work: list[tuple[_Node, int]] = [(_ENTRY, 0)]
    while work:
        node, index = work.pop()
        following = successors.get(node, [])
        if index < len(following):
            work.append((node, index + 1))
            child = following[index]
            if child not in seen:
                seen.add(child)
                first.append(child)
                work.append((child, 0))
        else:
            order.append(node)
    order.reverse()
    return order, first


def dominated_modules(
    edges: Iterable[tuple[str | None, str, int]], roots: Sequence[str]
) -> dict[Statement, list[str]]:
    """For each statement of ``edges`` (importer, imported, line), the modules that no path
    from ``roots`` reaches without it."""
    successors = _graph(edges, roots, set())
    order, first = _reachable(successors)
    rank = {node: index for index, node in enumerate(order)}
    predecessors: dict[_Node, list[_Node]] = {}
    for node in order:
        for child in successors.get(node, []):
            predecessors.setdefault(child, []).append(node)
    idom: dict[_Node, _Node] = {_ENTRY: _ENTRY}
    changed = True
    while changed:
        changed = False
        for node in order[1:]:
            known = [p for p in predecessors.get(node, []) if p in idom]
            new = known[0]
            for other in known[1:]:
                new = _intersect(new, other, idom, rank)
            if idom.get(node) != new:
                idom[node] = new
                changed = True
    found: dict[Statement, list[str]] = {}
    for node in first:
        if not isinstance(node, str):
            continue
        # Up the tree: each statement above the module dominates it.
        above = idom[node]
        while above != _ENTRY:
            if not isinstance(above, str):
                found.setdefault(above, []).append(node)
            above = idom[above]
    return found


def _intersect(a: _Node, b: _Node, idom: Mapping[_Node, _Node], rank: Mapping[_Node, int]) -> _Node:
    while a != b:
        while rank[a] > rank[b]:
            a = idom[a]
        while rank[b] > rank[a]:
            b = idom[b]
    return a


def unreachable_without(
    edges: Iterable[tuple[str | None, str, int]], roots: Sequence[str], skip: set[Statement]
) -> list[str]:
    """The modules reached from ``roots`` that no path reaches without the statements
    ``skip`` (what deferring all of them at once would leave unloaded)."""
    listed = list(edges)
    every = [n for n in _reachable(_graph(listed, roots, set()))[1] if isinstance(n, str)]
    still = set(_reachable(_graph(listed, roots, skip))[1])
    return [name for name in every if name not in still]
