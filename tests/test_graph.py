"""modspec graph: every edge of a fixture code base, held against what a real import loads;
levels, importers, cycles, and the JSON, DOT and Mermaid outputs."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from modspec._codebase.conditions import Target
from modspec._codebase.graph import Edge, Graph, Node, build_graph
from modspec._codebase.graph_output import (
    render_dot,
    render_json,
    render_mermaid,
    write_graph_json,
    write_json,
)
from modspec._codebase.surface import Category, collect
from modspec._spec import Kind

Tree = Callable[[dict[str, object]], Path]

PROJECT = {
    "app/__init__.py": "from . import util\nfrom .util import helper, other\nimport json\n",
    "app/util.py": (
        "import os.path\n"
        "from collections import OrderedDict\n"
        "try:\n"
        "    import missing_optional\n"
        "except ImportError:\n"
        "    pass\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import app.sub.deep\n"
        "def later():\n"
        "    from app.sub import deep\n"
        "helper = other = 1\n"
    ),
    "app/sub/__init__.py": "from .deep import *\n",
    "app/sub/deep.py": "import app.ring_a\n",
    # An eager cycle of three, and one of two that a deferred import would close (not eager).
    "app/ring_a.py": "from app import ring_b\n",
    "app/ring_b.py": "import app.ring_c\n",
    "app/ring_c.py": "from . import ring_a\n",
    "app/lazy_a.py": "import app.lazy_b\n",
    "app/lazy_b.py": "def f():\n    import app.lazy_a\n",
    "app/pair_a.py": "import app.pair_b\n",
    "app/pair_b.py": "import app.pair_a\n",
    "scripts/run-it/go.py": "import app\n",
}


@pytest.fixture
def project(tree: Tree) -> Path:
    return tree({"proj/" + rel: text for rel, text in PROJECT.items()}) / "proj"


def graph_of(root: Path, backend: str) -> Graph:
    # The code base first, then the standard library (and whatever else this process sees).
    path = [str(root), *(entry for entry in sys.path if entry)]
    return build_graph(collect([str(root)], {}, path=path, backend=backend, workers=1))


def edges_from(graph: Graph, importer: str | None) -> list[tuple[object, ...]]:
    return [
        (e.line, e.target, e.resolved, e.statement, e.name, e.guards)
        for e in graph.edges
        if e.importer == importer
    ]


def test_edges_of_each_statement(project: Path, backend: str) -> None:
    graph = graph_of(project, backend)
    assert edges_from(graph, "app") == [
        # `from . import util`: a submodule, so the edge goes to it.
        (1, "app.util", True, "from", "util", ()),
        # `from .util import helper, other`: attributes, so each goes to the module.
        (2, "app.util", True, "from", "helper", ()),
        (2, "app.util", True, "from", "other", ()),
        (3, "json", True, "import", None, ()),
    ]
    assert edges_from(graph, "app.util") == [
        (1, "os.path", True, "import", None, ()),
        (2, "collections", True, "from", "OrderedDict", ()),
        (4, "missing_optional", False, "import", None, ("optional",)),
        (7, "typing", True, "from", "TYPE_CHECKING", ()),
        (9, "app.sub.deep", True, "import", None, ("type-checking",)),
        (11, "app.sub.deep", True, "from", "deep", ("deferred",)),
    ]
    assert edges_from(graph, "app.sub") == [(1, "app.sub.deep", True, "from", "*", ())]
    # A script is no module: its edges have no importer, and its file says where.
    script = [e for e in graph.edges if e.importer is None]
    assert [(Path(e.file).name, e.target) for e in script] == [("go.py", "app")]


def test_nodes(project: Path, backend: str) -> None:
    nodes = {node.name: node for node in graph_of(project, backend).nodes}
    app = nodes["app"]
    assert app.category is Category.FIRST_PARTY
    assert app.origin == str(project / "app" / "__init__.py")
    assert app.source_bytes == (project / "app" / "__init__.py").stat().st_size
    assert nodes["json"].category is Category.STDLIB
    assert nodes["missing_optional"].category is Category.UNRESOLVED
    assert nodes["missing_optional"].kind is None
    # Files no import names are nodes too (sources), answered like the rest.
    assert nodes["app.pair_a"].category is Category.FIRST_PARTY


def test_both_cores_give_the_same_graph(project: Path) -> None:
    assert graph_of(project, "cython") == graph_of(project, "python")


def test_eager_edges_are_what_an_import_loads(project: Path, backend: str) -> None:
    # The oracle: a fresh `python -I` importing each first-party module has every target of
    # its eager, resolved edges in sys.modules, and none of its deferred or type-checking ones
    # (unless another eager edge brings that module in too).
    graph = graph_of(project, backend)
    for importer in sorted({e.importer for e in graph.edges if e.importer}):
        code = (
            "import json, sys\n"
            f"sys.path.insert(0, {str(project)!r})\n"
            f"import {importer}\n"
            "print(json.dumps(sorted(sys.modules)))\n"
        )
        done = subprocess.run(
            [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
        )
        loaded = set(json.loads(done.stdout))
        mine = [e for e in graph.edges if e.importer == importer and e.resolved]
        for edge in mine:
            if edge.eager:
                assert edge.target in loaded, (importer, edge)
        eager_targets = {e.target for e in mine if e.eager}
        for edge in mine:
            if not edge.eager and edge.target not in eager_targets:
                # Brought in by some other module's eager edge, or not at all.
                reached = _eager_reach(graph, importer)
                assert (edge.target in loaded) == (edge.target in reached), (importer, edge)


def _eager_reach(graph: Graph, start: str) -> set[str]:
    # Modules reached by eager edges, parents included (importing a.b runs a first).
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            module = ".".join(parts[:end])
            if module in seen:
                continue
            seen.add(module)
            todo += [e.target for e in graph.edges if e.importer == module and e.eager]
    return seen


def test_cycles_of_eager_first_party_imports(project: Path, backend: str) -> None:
    cycles = graph_of(project, backend).cycles()
    assert [cycle.modules for cycle in cycles] == [
        ("app.pair_a", "app.pair_b"),
        ("app.ring_a", "app.ring_b", "app.ring_c"),
    ]
    ring = cycles[1]
    assert [(e.importer, e.target, Path(e.file).name, e.line) for e in ring.loop] == [
        ("app.ring_a", "app.ring_b", "ring_a.py", 1),
        ("app.ring_b", "app.ring_c", "ring_b.py", 1),
        ("app.ring_c", "app.ring_a", "ring_c.py", 1),
    ]


def test_cycles_in_a_long_chain_need_no_recursion() -> None:
    # 5,000 modules in one ring: the components are found without recursion.
    names = [f"m{index:05}" for index in range(5000)]
    edges = tuple(
        Edge(
            name,
            f"/{name}.py",
            1,
            names[(i + 1) % 5000],
            True,
            Category.FIRST_PARTY,
            "import",
            None,
            (),
            (),
            True,
        )
        for i, name in enumerate(names)
    )
    nodes = tuple(Node(name, Category.FIRST_PARTY, None, None, 0) for name in names)
    (cycle,) = Graph(nodes, edges, Target.current()).cycles()
    assert len(cycle.modules) == 5000
    assert len(cycle.loop) == 5000


def test_package_level(project: Path, backend: str) -> None:
    graph = graph_of(project, backend)
    top = graph.at_level(1)
    assert {node.name for node in top.nodes} >= {"app", "json", "os", "collections"}
    # Edges within app are gone; what app imports from elsewhere stays, file and line kept.
    assert all(e.importer != e.target for e in top.edges)
    assert {(e.importer, e.target) for e in top.edges if e.importer == "app"} == {
        ("app", "json"),
        ("app", "os"),
        ("app", "collections"),
        ("app", "missing_optional"),
        ("app", "typing"),
    }
    app_bytes = sum(n.source_bytes for n in graph.nodes if n.name.split(".")[0] == "app")
    assert next(n for n in top.nodes if n.name == "app").source_bytes == app_bytes
    assert graph.at_level(None) is graph


def test_importers(project: Path, backend: str) -> None:
    graph = graph_of(project, backend)
    found = {(e.importer, e.target) for e in graph.importers("app.sub")}
    assert found == {
        ("app.util", "app.sub.deep"),
        ("app.sub", "app.sub.deep"),
    }
    assert graph.importers("app.sub.deep.nothing") == ()


def test_among_categories(project: Path, backend: str) -> None:
    graph = graph_of(project, backend)
    mine = graph.among([Category.FIRST_PARTY])
    assert {n.category for n in mine.nodes} == {Category.FIRST_PARTY}
    first_party = {n.name for n in graph.nodes if n.category is Category.FIRST_PARTY}
    assert mine.edges == tuple(
        e for e in graph.edges if e.importer in first_party and e.target in first_party
    )
    assert ("app.ring_a", "app.ring_b") in {(e.importer, e.target) for e in mine.edges}
    assert ("app", "json") not in {(e.importer, e.target) for e in mine.edges}
    with_stdlib = graph.among([Category.FIRST_PARTY, Category.STDLIB])
    assert ("app", "json") in {(e.importer, e.target) for e in with_stdlib.edges}
    assert graph.among([]).nodes == ()


def test_json_document(project: Path, backend: str) -> None:
    document = render_json(graph_of(project, backend), "module", backend)
    assert document["schema"] == "modspec.graph/1"
    assert set(document) == {
        "schema",
        "modspec",
        "backend",
        "target",
        "level",
        "nodes",
        "edges",
        "cycles",
    }
    edge = document["edges"][0]  # type: ignore[index]
    assert set(edge) == {
        "importer", "file", "line", "target", "resolved", "category", "statement", "name",
        "guards", "condition", "active",
    }  # fmt: skip
    node = document["nodes"][0]  # type: ignore[index]
    assert set(node) == {"name", "category", "kind", "origin", "source_bytes"}
    json.dumps(document)  # plain JSON all through


def test_dot_and_mermaid(project: Path) -> None:
    graph = graph_of(project, "python").at_level(2)
    dot = render_dot(graph)
    assert dot.startswith("digraph imports {\n")
    assert dot.endswith("}\n")
    arrows = re.findall(r'^  "([^"]+)" -> "([^"]+)"', dot, re.M)
    # Pictures draw every edge, guarded or not: app.util's type-checking import of app.sub.deep.
    assert ("app.util", "app.sub") in arrows
    assert ("app", "json") in arrows
    mermaid = render_mermaid(graph).splitlines()
    assert mermaid[0] == "flowchart LR"
    ids = dict(re.findall(r'^  (n\d+)\["([^"]*)"\]', "\n".join(mermaid), re.M))
    links = re.findall(r"^  (n\d+) -->(?:\|\d+\|)? (n\d+)$", "\n".join(mermaid), re.M)
    assert len(links) == len(arrows)
    assert {(ids[a], ids[b]) for a, b in links} == set(arrows)


def test_command_line(project: Path) -> None:
    run = [sys.executable, "-m", "modspec", "graph", str(project)]
    done = subprocess.run([*run, "--json"], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["schema"] == "modspec.graph/1"
    text = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert "cycles of eager first-party imports: 2" in text
    assert "app.ring_a -> app.ring_b" in text
    who = subprocess.run(
        [*run, "--importers", "app.ring_a"], capture_output=True, text=True, check=True
    ).stdout
    assert who.splitlines()[0] == "2 imports of app.ring_a"
    dot = subprocess.run(
        [*run, "--format", "dot", "--level", "package"], capture_output=True, text=True
    )
    assert dot.returncode == 0
    assert '"app" -> "json"' in dot.stdout
    picture = subprocess.run(
        [*run, "--format", "mermaid", "--level", "1", "--categories", "first-party,stdlib"],
        capture_output=True,
        text=True,
    )
    assert picture.returncode == 0
    assert '["json"]:::stdlib' in picture.stdout
    assert ":::unresolved" not in picture.stdout.replace("classDef unresolved", "")
    unknown = subprocess.run([*run, "--categories", "first-party,bogus"], capture_output=True)
    assert unknown.returncode == 2
    assert b"'first-party,bogus': choose from builtin, first-party" in unknown.stderr
    bad = subprocess.run([*run, "--level", "zero"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "choose module, package or a number of parts" in bad.stderr
    both = subprocess.run(
        [*run, "--path", str(project), "--environment", sys.executable],
        capture_output=True,
        text=True,
    )
    assert both.returncode == 2
    assert both.stderr.strip() == (
        "modspec: --path and --environment each give the whole path: pick one"
    )


def test_the_fast_json_writer_writes_the_document(project: Path, backend: str) -> None:
    graph = graph_of(project, backend)
    fast, plain = io.StringIO(), io.StringIO()
    write_graph_json(graph, "module", backend, fast)
    write_json(render_json(graph, "module", backend), plain)
    assert fast.getvalue() == plain.getvalue()
    assert json.loads(fast.getvalue())["edges"]


def test_the_fast_json_writer_spells_every_value_as_json_does() -> None:
    odd = Edge(
        None,
        '/tmp/a "quoted"\\\n\u00e9\udcff.py',
        7,
        "pkg.mod",
        False,
        Category.UNRESOLVED,
        "from",
        "*",
        ("optional", "conditional"),
        (("sys.platform == 'win32'", False), ("x", True)),
        False,
    )
    nodes = (
        Node('pkg."mod"\u00e9\udcff', Category.UNRESOLVED, None, None, 0),
        Node("pkg.source", Category.FIRST_PARTY, Kind.SOURCE, '/src/pkg/"source".py', 12_345),
    )
    graph = Graph(nodes, (odd,), Target.of("3.12", "win32"))
    fast, plain = io.StringIO(), io.StringIO()
    write_graph_json(graph, "1", "python", fast)
    write_json(render_json(graph, "1", "python"), plain)
    assert fast.getvalue() == plain.getvalue()


def test_the_fast_json_writer_spells_each_edge_s_own_head() -> None:
    # Two edges of one file object with different importers (a hand-made graph): each keeps
    # its importer, as json.dumps would spell it.
    file = "/src/a.py"
    first = Edge("a", file, 1, "os", True, Category.STDLIB, "import", None, (), (), True)
    graph = Graph((), (first, first._replace(importer="b")), Target.current())
    fast, plain = io.StringIO(), io.StringIO()
    write_graph_json(graph, "module", "python", fast)
    write_json(render_json(graph, "module", "python"), plain)
    assert fast.getvalue() == plain.getvalue()
    assert [edge["importer"] for edge in json.loads(fast.getvalue())["edges"]] == ["a", "b"]
