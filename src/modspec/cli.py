"""The ``modspec`` command line: resolve names, predict attributes, survey a path or a code base."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from ._backend import BACKEND
from ._codebase.conditions import Target
from ._codebase.config import ConfigError
from ._codebase.printable import say
from ._codebase.progress import Progress
from ._codebase.report import render_json, render_text
from ._codebase.surface import Finding, surface
from ._discover import discover
from ._environment import EnvironmentPathError, environment_path
from ._explain import Explanation
from ._resolver import InvalidName, Resolver
from ._spec import Kind, ModuleInfo, Spec

_T = TypeVar("_T")

__all__ = ["main"]


def _qualified(cls: type | None) -> str | None:
    return None if cls is None else f"{cls.__module__}.{cls.__qualname__}"


def _spec_json(spec: Spec) -> dict[str, object]:
    return {
        "name": spec.name,
        "kind": spec.kind.value,
        "loader": _qualified(spec.loader),
        "origin": spec.origin,
        "is_package": spec.is_package,
        "submodule_search_locations": spec.submodule_search_locations,
        "cached": spec.cached,
        "origin_stat": None if spec.origin_stat is None else spec.origin_stat._asdict(),
        "cached_stat": None if spec.cached_stat is None else spec.cached_stat._asdict(),
    }


def _explanation_json(explanation: Explanation) -> dict[str, object]:
    return {
        "name": explanation.name,
        "reason": explanation.reason.value,
        "detail": explanation.detail,
        "missing_part": explanation.missing_part,
        "searched": explanation.searched,
    }


def _resolve_names(args: argparse.Namespace) -> tuple[Resolver, dict[str, Spec | None]] | None:
    """The names' specs and the resolver that found them; None (said on stderr) for a bad name."""
    resolver = Resolver(args.path)
    try:
        return resolver, resolver.resolve_many(args.names, package=args.package)
    except InvalidName as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None


def _resolve(args: argparse.Namespace) -> int:
    resolved = _resolve_names(args)
    if resolved is None:
        return 2
    resolver, found = resolved
    # Why each missing name is missing: the same resolver, so the same listings.
    why = {
        name: resolver.explain(name, package=args.package)
        for name, spec in found.items()
        if spec is None
    }
    # Keyed by the absolute names; a relative input maps to its spec's.
    bytecode = resolver.bytecode_status(found.values())
    if args.json:
        rows = {
            name: _explanation_json(why[name])
            if spec is None
            else {**_spec_json(spec), "bytecode": bytecode[spec.name].value}
            for name, spec in found.items()
        }
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for name, spec in found.items():
            if spec is None:
                say(f"{name}: not found \N{EM DASH} {why[name].detail}")
                continue
            package = " (package)" if spec.is_package else ""
            say(f"{name}: {spec.kind.value}{package}")
            say(f"  origin: {spec.origin}")
            if spec.submodule_search_locations is not None:
                say(f"  search: {', '.join(spec.submodule_search_locations)}")
            if spec.cached is not None:
                state = "exists" if spec.cached_stat is not None else "missing"
                say(f"  cached: {spec.cached} ({state})")
            say(f"  bytecode: {bytecode[spec.name].value}")
    return 0 if all(spec is not None for spec in found.values()) else 1


def _info_json(info: ModuleInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "file": info.file,
        "doc": info.doc,
        "names": None if info.names is None else sorted(info.names),
        "spec": None if info.spec is None else _spec_json(info.spec),
        "loader": _qualified(info.loader),
        "package": info.package,
        "path": info.path,
        "cached": info.cached,
    }


def _info(args: argparse.Namespace) -> int:
    resolved = _resolve_names(args)
    if resolved is None:
        return 2
    resolver, found = resolved
    infos = {name: None if spec is None else spec.module_info() for name, spec in found.items()}
    if args.json:
        rows = {name: None if info is None else _info_json(info) for name, info in infos.items()}
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for name, info in infos.items():
            if info is None:
                detail = resolver.explain(name, package=args.package).detail
                say(f"{name}: not found \N{EM DASH} {detail}")
                continue
            say(f"{name}: once imported (predicted, nothing imported)")
            say(f"  __name__    {info.name}")
            say(f"  __file__    {info.file}")
            say(f"  __package__ {info.package!r}")
            if info.path is not None:
                say(f"  __path__    {list(info.path)}")
            say(f"  __cached__  {info.cached}")
            say(f"  __loader__  {_qualified(info.loader)}")
            doc = None if info.doc is None else info.doc.strip()
            first, newline, _ = (doc or "").partition("\n")
            say(f"  __doc__     {first if doc is not None else None!r}{' ...' if newline else ''}")
    return 0 if all(info is not None for info in infos.values()) else 1


def _discover(args: argparse.Namespace) -> int:
    """`modspec scan`: every module on the path, by discover(), summarised."""
    path = args.path if args.path is not None else sys.path
    started = time.perf_counter()
    specs = discover(path)
    elapsed = time.perf_counter() - started
    if args.json:
        json.dump({name: _spec_json(spec) for name, spec in specs.items()}, sys.stdout, indent=2)
        print()
        return 0
    entries = sum(isinstance(entry, str) for entry in path)
    say(
        f"{len(specs):,} modules under {entries} path entries, "
        f"resolved in {elapsed:.2f} s by the {BACKEND} core, nothing imported"
    )
    kinds = Counter(spec.kind for spec in specs.values())
    for kind in Kind:
        if kinds[kind]:
            say(f"  {kind.value:<10} {kinds[kind]:>8,}")
    packages = sum(spec.is_package for spec in specs.values())
    say(f"  {'packages':<10} {packages:>8,}")
    sources = [spec for spec in specs.values() if spec.kind is Kind.SOURCE]
    compiled = sum(spec.cached_stat is not None for spec in sources)
    say(f"source modules with bytecode in __pycache__: {compiled:,} of {len(sources):,}")
    top = Counter(name.partition(".")[0] for name in specs)
    largest = ", ".join(f"{name} ({count:,})" for name, count in top.most_common(5))
    say(f"largest top-level packages: {largest}")
    return 0


def _fail_on(text: str) -> tuple[Finding, ...]:
    try:
        return tuple(Finding(word.strip()) for word in text.split(",") if word.strip())
    except ValueError:
        known = ", ".join(finding.value for finding in Finding)
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {known}") from None


def _code_base(args: argparse.Namespace, run: Callable[..., _T]) -> _T | None:
    """``run(roots, **options)`` with the walking and path options of ``surface`` and
    ``graph``, a progress line on a terminal; None (said on stderr) where they are wrong."""
    if args.path is not None and args.environment is not None:
        say("modspec: --path and --environment each give the whole path: pick one", sys.stderr)
        return None
    try:
        target = _target(args)
    except ValueError as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None
    progress = Progress(sys.stderr)
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
        )
    except (ConfigError, EnvironmentPathError) as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None
    finally:
        progress.close()


def _surface(args: argparse.Namespace) -> int:
    report = _code_base(args, surface)
    if report is None:
        return 2
    # The command line's --fail-on wins; else what the roots' [tool.modspec] tables ask for.
    gates = args.fail_on
    if gates is None:
        gates = tuple(Finding(word) for root in report.roots for word in root.fail_on)
    findings = report.findings()
    failed = [finding for finding in dict.fromkeys(gates) if findings[finding]]
    if args.json:
        json.dump(render_json(report, failed), sys.stdout, indent=2)
        print()
    else:
        render_text(report, failed, sys.stdout, limit=args.limit)
    return 1 if failed else 0


def _level(text: str) -> int | None:
    if text == "module":
        return None
    if text == "package":
        return 1
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: choose module, package or a number of parts")


def _graph(args: argparse.Namespace) -> int:
    # Imported here: the other commands need none of it, and start-up counts.
    from ._codebase import graph_output
    from ._codebase.graph import Graph, build_graph
    from ._codebase.surface import collect

    collected = _code_base(args, lambda roots, **options: collect(roots, {}, **options))
    if collected is None:
        return 2
    graph = build_graph(collected).at_level(args.level)
    roots = [root.path for root in collected.report.roots]
    if args.importers is not None:
        edges = graph.importers(args.importers)
        names = {args.importers, *(e.target for e in edges), *(e.importer for e in edges)}
        graph = Graph(tuple(n for n in graph.nodes if n.name in names), edges, graph.target)
    if args.json or args.format == "json":
        level = "module" if args.level is None else str(args.level)
        document = graph_output.render_json(graph, level, collected.report.backend)
        graph_output.write_json(document, sys.stdout)
    elif args.format == "dot":
        sys.stdout.write(graph_output.render_dot(graph))
    elif args.format == "mermaid":
        sys.stdout.write(graph_output.render_mermaid(graph))
    elif args.importers is not None:
        graph_output.render_importers(graph.edges, args.importers, sys.stdout, roots=roots)
    else:
        graph_output.render_text(graph, sys.stdout, roots=roots, limit=args.limit)
    return 0


def _target(args: argparse.Namespace) -> Target:
    """The interpreter --python-version and --platform describe (ValueError if they are
    wrong); this one where they are not given."""
    return Target.of(args.python_version, args.platform)


def _target_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--python-version",
        metavar="X.Y",
        help="decide `sys.version_info` tests for this version (default: this interpreter's)",
    )
    command.add_argument(
        "--platform",
        metavar="NAME",
        help="decide `sys.platform`, `os.name` and `platform.system()` tests for this "
        "sys.platform value: linux, win32, darwin, ... (default: this one's)",
    )


def _code_base_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that walk a code base (surface, graph)."""
    command.add_argument("roots", nargs="+", metavar="ROOT")
    _target_options(command)
    command.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="skip paths matching a gitignore-style pattern, relative to each root (repeatable)",
    )
    command.add_argument(
        "--no-gitignore",
        dest="gitignore",
        action="store_false",
        default=None,
        help="walk git-ignored directories and files too",
    )
    command.add_argument(
        "--limit", type=int, default=10, help="rows per section of the report (0: all)"
    )
    command.add_argument(
        "--workers", type=int, help="threads that scan files (default: every core)"
    )
    command.add_argument(
        "--environment",
        metavar="VENV_OR_PYTHON",
        help="search another environment's sys.path (computed statically, with its editable "
        "installs) after the roots' source directories, instead of this interpreter's",
    )
    command.add_argument(
        "--legacy-namespaces",
        action="store_true",
        help="resolve below pkgutil/pkg_resources namespace packages as after their "
        "__init__ ran (default: as before, CPython's answer for a fresh process)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modspec",
        description="What `import X` would find, without importing anything.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    resolve = commands.add_parser("resolve", help="resolve module names")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--package", help="package for relative names such as .sibling")
    resolve.set_defaults(run=_resolve)

    info = commands.add_parser("info", help="predict a module's attributes once imported")
    info.add_argument("names", nargs="+", metavar="NAME")
    info.add_argument("--package", help="package for relative names such as .sibling")
    info.set_defaults(run=_info)

    scan = commands.add_parser("scan", help="resolve every module on the path and summarise")
    scan.set_defaults(run=_discover)

    surface_ = commands.add_parser(
        "surface",
        help="the import surface of a code base: what its files import, and from where",
        description="Walks the .py files under each ROOT, reads their imports statically, "
        "resolves every imported name in one batch and reports where each comes from. "
        "Nothing is imported or run.",
    )
    _code_base_options(surface_)
    surface_.add_argument(
        "--fail-on",
        type=_fail_on,
        metavar="FINDING[,...]",
        help="exit 1 when any of these is found: " + ", ".join(f.value for f in Finding),
    )
    surface_.set_defaults(run=_surface)

    graph = commands.add_parser(
        "graph",
        help="the import graph of a code base: every edge, with file, line and guards",
        description="Every import of every .py file under each ROOT as an edge from the "
        "importing module to the module it gets (file, line, guards), with the nodes, the "
        "cycles of eager first-party imports, and pictures. Nothing is imported or run.",
    )
    _code_base_options(graph)
    graph.add_argument(
        "--format",
        choices=("text", "json", "dot", "mermaid"),
        default="text",
        help="text (a summary), json (as --json), dot (Graphviz) or mermaid (for Markdown)",
    )
    graph.add_argument(
        "--level",
        type=_level,
        default=None,
        metavar="module|package|N",
        help="merge modules into their first N name parts (package: 1); edges within one "
        "merged node are left out",
    )
    graph.add_argument(
        "--importers",
        metavar="MODULE",
        help="only the edges into MODULE or a module under it: who imports it, and where",
    )
    graph.set_defaults(run=_graph)

    for command in (resolve, info, scan, surface_, graph):
        command.add_argument(
            "--path",
            action="append",
            metavar="DIR",
            help="a path entry (repeat for several); default: this interpreter's sys.path "
            "(for surface: the roots' source directories, then sys.path)",
        )
        command.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (`modspec scan | head`): not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown quiet
        return 0
    return status
