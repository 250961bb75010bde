"""The commands over a module's imports: ``closure`` and ``why``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from .._codebase.conditions import Target
from .._codebase.printable import say
from .._codebase.progress import Progress
from .._environment import EnvironmentPathError, environment_path
from .._resolver import InvalidName
from .pages import page_ready, write_page

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from .._codebase.closure import Closure

__all__ = ["closure", "why"]


def _closure_of(args: argparse.Namespace, roots: Sequence[str]) -> Closure | None:
    """The closure the command's options ask for; None (said on stderr) where they are wrong."""
    from .._codebase.closure import closure as find_closure

    if args.path is not None and args.environment is not None:
        say("modspec: --path and --environment each give the whole path: pick one", sys.stderr)
        return None
    progress = Progress(sys.stderr, unit="modules")
    try:
        target = Target.of(args.python_version, args.platform)
        environment = None if args.environment is None else environment_path(args.environment)
        return find_closure(
            roots,
            path=args.path,
            environment=environment,
            legacy_namespaces=args.legacy_namespaces,
            target=target,
            include_startup=getattr(args, "include_startup", False),
            progress=progress,
        )
    except (InvalidName, EnvironmentPathError, ValueError) as exc:
        say(f"modspec: {exc}", sys.stderr)
        return None
    finally:
        progress.close()


def _unresolved_roots(found: Closure) -> list[str]:
    """The roots the closure could not find, each said on stderr."""
    missing = [
        f.name for f in found.failures if f.site.importer is None and f.reason == "not found"
    ]
    for name in dict.fromkeys(missing):
        say(f"modspec: no module named {name!r} on the search path", sys.stderr)
    return missing


def closure(args: argparse.Namespace) -> int:
    from .._codebase import closure_output

    if not page_ready(args.html):
        return 2
    found = _closure_of(args, args.modules)
    if found is None:
        return 2
    if args.html is not None:
        from .._codebase.html_reports import closure_page

        if not write_page(args.html, lambda: closure_page(found)):
            return 2
    if args.json:
        json.dump(closure_output.render_json(found), sys.stdout, indent=1)
        print()
    else:
        closure_output.render_text(found, sys.stdout, limit=args.limit, tree=not args.summary)
    return 1 if _unresolved_roots(found) else 0


def why(args: argparse.Namespace) -> int:
    from .._codebase import closure_output

    found = _closure_of(args, [args.module])
    if found is None:
        return 2
    if _unresolved_roots(found):
        return 1
    chains = found.why(args.target, limit=args.limit or sys.maxsize)
    if not chains:
        if args.target in found.startup:
            reason = "the interpreter loads it at start-up, before any import of the program"
        elif any(f.name == args.target for f in found.failures):
            reason = "it is imported, but does not resolve"
        else:
            reason = "no import that runs on the way loads it"
        say(f"modspec: {args.target} is not in the closure of {args.module}: {reason}", sys.stderr)
        return 1
    if args.json:
        json.dump(closure_output.render_why_json(found, args.target, chains), sys.stdout, indent=1)
        print()
    else:
        closure_output.render_why_text(found, args.target, chains, sys.stdout)
    return 0
