"""The commands over names: ``resolve``, ``info`` and ``scan``."""

from __future__ import annotations

import sys
import time
from collections import Counter

from .._aliases import SET_BY_PARENT
from .._backend import BACKEND
from .._codebase.printable import say
from .._editable import live_editables
from .._resolver import InvalidName, Resolver, program_path
from .._spec import Kind

# json (for --json) and discover (for scan) are imported where they are needed: the start-up
# of `modspec resolve NAME` is what an editor or a CI step pays on each call. And
# typing.TYPE_CHECKING without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from .._explain import Explanation
    from .._spec import ModuleInfo, Spec

__all__ = ["info", "resolve", "scan"]


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


def _print_json(rows: Mapping[str, object]) -> None:
    import json

    json.dump(rows, sys.stdout, indent=2)
    print()


def _resolve_names(args: argparse.Namespace) -> tuple[Resolver, dict[str, Spec | None]] | None:
    """The names' specs and the resolver that found them; None (said on stderr) for a bad name."""
    if args.path is None:
        # What another program would see: not modspec's own bin/ (or current directory).
        resolver = Resolver(program_path(), editables=live_editables())
    else:
        resolver = Resolver(args.path)
    try:
        return resolver, resolver.resolve_many(args.names, package=args.package)
    except InvalidName as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None


def _set_by_parent(resolver: Resolver, found: dict[str, Spec | None]) -> dict[str, str]:
    """Names no finder finds that their parent puts into sys.modules (os.path): each is
    given the spec of the module it gets, in ``found``; returned: name -> the parent."""
    set_by = {}
    for name, spec in found.items():
        if spec is None and name in SET_BY_PARENT:
            parent, gets = SET_BY_PARENT[name]
            stands_in = resolver.resolve(gets)
            if stands_in is not None and resolver.resolve(parent) is not None:
                found[name] = stands_in
                set_by[name] = parent
    return set_by


def resolve(args: argparse.Namespace) -> int:
    resolved = _resolve_names(args)
    if resolved is None:
        return 2
    resolver, found = resolved
    set_by = _set_by_parent(resolver, found)
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
            else {
                **_spec_json(spec),
                "bytecode": bytecode[spec.name].value,
                **({"set_by": set_by[name]} if name in set_by else {}),
            }
            for name, spec in found.items()
        }
        _print_json(rows)
    else:
        for name, spec in found.items():
            if spec is None:
                say(f"{name}: not found \N{EM DASH} {why[name].detail}")
                continue
            package = " (package)" if spec.is_package else ""
            if name in set_by:
                say(
                    f"{name}: no finder finds it; {set_by[name]} sets "
                    f"sys.modules[{name!r}] to {spec.name} when it runs, so the import gets:"
                )
                name = spec.name
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


def info(args: argparse.Namespace) -> int:
    resolved = _resolve_names(args)
    if resolved is None:
        return 2
    resolver, found = resolved
    infos = {name: None if spec is None else spec.module_info() for name, spec in found.items()}
    if args.json:
        rows = {name: None if info is None else _info_json(info) for name, info in infos.items()}
        _print_json(rows)
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


def scan(args: argparse.Namespace) -> int:
    """`modspec scan`: every module on the path, by discover(), summarised."""
    path = args.path if args.path is not None else program_path()
    from .._codebase.progress import Progress
    from .._discover import discover

    started = time.perf_counter()
    progress = Progress(sys.stderr, unit="modules")
    try:
        specs = discover(path, progress=progress)
    finally:
        progress.close()
    elapsed = time.perf_counter() - started
    if args.json:
        _print_json({name: _spec_json(spec) for name, spec in specs.items()})
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
