"""The commands over a code base: ``surface`` and ``graph``, and the options they share."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from .._codebase.conditions import Target
from .._codebase.config import ConfigError
from .._codebase.findings import Finding
from .._codebase.printable import say
from .._codebase.progress import Progress
from .._environment import EnvironmentPathError, environment_path
from .pages import page_ready, write_page

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import TypeVar

    from .._codebase.html_page import Page
    from .._codebase.surface import Collected
    from .answers import Fresh

    _T = TypeVar("_T")

__all__ = ["code_base", "graph", "surface"]


def code_base(args: argparse.Namespace, run: Callable[..., _T]) -> _T | None:
    """``run(roots, **options)`` with the walking and path options of ``surface`` and
    ``graph``, a progress line on a terminal and the cache (unless --no-cache); None (said
    on stderr) where they are wrong."""
    if args.path is not None and args.environment is not None:
        say("modspec: --path and --environment each give the whole path: pick one", sys.stderr)
        return None
    try:
        target = Target.of(args.python_version, args.platform)
    except ValueError as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None
    progress = Progress(sys.stderr)
    cache = None
    if args.cache:
        from .._codebase.cache_files import cache_directory

        cache = cache_directory()
    try:
        environment = None if args.environment is None else environment_path(args.environment)
        return run(
            args.roots,
            path=args.path,
            environment=environment,
            exclude=args.exclude,
            gitignore=args.gitignore,
            workers=args.workers,
            legacy_namespaces=args.legacy_namespaces,
            progress=progress,
            target=target,
            config=args.config,
            cache=cache,
        )
    except (ConfigError, EnvironmentPathError) as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None
    finally:
        progress.close()


def surface(args: argparse.Namespace) -> int:
    from .._codebase.surface import classify
    from .answers import answer
    from .replay import Replay

    if not page_ready(args.html):
        return 2
    outcome = code_base(args, lambda roots, **options: answer(args, roots, options, classify))
    if outcome is None:
        return 2
    if isinstance(outcome, Replay):
        return outcome.write(sys.stdout, _surface_timings(args))
    try:
        return outcome.keep(_surface_output(args, outcome))
    finally:
        outcome.close()


def _surface_timings(args: argparse.Namespace) -> Callable[[dict[str, float]], str] | None:
    """How the report shows its run's timings (None: it does not)."""
    from .._codebase.timings import timings_json, timings_text

    if args.json or args.format == "json":
        # As json.dump(..., indent=2) writes the value of a top-level key.
        return lambda timings: json.dumps(timings_json(timings), indent=2).replace("\n", "\n  ")
    if args.format == "github":
        return None
    return timings_text


def _surface_output(args: argparse.Namespace, fresh: Fresh) -> int:
    """Writes the report (and --html's page); the exit status."""
    from .._codebase.report import render_json, render_text
    from .replay import write_json

    found = fresh.found
    report = found.report
    if args.html is not None and not write_page(args.html, lambda: _surface_page(found)):
        return 2
    # The command line's --fail-on (each one adds) wins; else what the configuration asks for.
    if args.fail_on is not None:
        gates = [finding for given in args.fail_on for finding in given]
    else:
        gates = [Finding(word) for root in report.roots for word in root.fail_on]
    findings = report.findings()
    failed = [finding for finding in dict.fromkeys(gates) if findings[finding]]
    out = fresh.out()
    if args.json or args.format == "json":
        times = _surface_timings(args)
        assert times is not None
        shown = times(report.timings)
        write_json(render_json(report, failed), "timings", out, fresh.timings, shown, indent=2)
    elif args.format == "github":
        from .._codebase.annotations import render_github

        render_github(report, set(gates), out)
    else:
        render_text(report, failed, out, limit=args.limit, timings=fresh.timings)
    return 1 if failed else 0


def _surface_page(found: Collected) -> Page:
    from .._codebase.graph import build_graph
    from .._codebase.html_reports import surface_page
    from .._gcpause import gc_paused

    # The matrix needs the edges, which the surface does not keep: the graph of its scan.
    with gc_paused():
        graph = build_graph(found)
    return surface_page(found.report, graph)


def graph(args: argparse.Namespace) -> int:
    from .answers import answer
    from .replay import Replay

    if not page_ready(args.html):
        return 2
    outcome = code_base(args, lambda roots, **options: answer(args, roots, options))
    if outcome is None:
        return 2
    if isinstance(outcome, Replay):
        return outcome.write(sys.stdout, None)
    try:
        return outcome.keep(_graph_output(args, outcome))
    finally:
        outcome.close()


def _graph_output(args: argparse.Namespace, fresh: Fresh) -> int:
    """Writes the graph (and --html's page); the exit status."""
    # Imported here: the other commands need none of it, and start-up counts.
    from .._codebase import graph_output
    from .._codebase.graph import Graph, build_graph

    collected = fresh.found
    graph = build_graph(collected).at_level(args.level)
    if args.categories is not None:
        graph = graph.among(args.categories)
    roots = [root.path for root in collected.report.roots]
    if args.importers is not None:
        edges = graph.importers(args.importers)
        names = {args.importers, *(e.target for e in edges), *(e.importer for e in edges)}
        graph = Graph(tuple(n for n in graph.nodes if n.name in names), edges, graph.target)
    if args.html is not None:
        from .._codebase.html_reports import graph_page

        if not write_page(args.html, lambda: graph_page(graph, roots)):
            return 2
    out = fresh.out()
    if args.json or args.format == "json":
        level = "module" if args.level is None else str(args.level)
        graph_output.write_graph_json(graph, level, collected.report.backend, out)
    elif args.format == "dot":
        out.write(graph_output.render_dot(graph))
    elif args.format == "mermaid":
        out.write(graph_output.render_mermaid(graph))
    elif args.importers is not None:
        graph_output.render_importers(graph.edges, args.importers, out, roots=roots)
    else:
        graph_output.render_text(graph, out, roots=roots, limit=args.limit)
    return 0
