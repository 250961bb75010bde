"""The commands over a module's imports: ``closure`` and ``why``."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence

from .._codebase.cache_files import cache_directory
from .._codebase.conditions import Target
from .._codebase.printable import say
from .._codebase.progress import Progress
from .._codebase.result_cache import Entry, Question, Recorder
from .._environment import EnvironmentPathError, environment_path
from .._resolver import InvalidName
from .pages import page_ready, write_page
from .replay import Replay, write_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from .._codebase.closure import Closure
    from .._codebase.closure_question import Prepared

__all__ = ["closure", "why"]


def _prepared(
    args: argparse.Namespace, roots: Sequence[str], progress: Progress
) -> Prepared | None:
    """The closure the command's options ask for, made ready; None (said on stderr) where
    they are wrong."""
    from .._codebase.closure_question import Prepared

    if args.path is not None and args.environment is not None:
        say("modspec: --path and --environment each give the whole path: pick one", sys.stderr)
        return None
    try:
        target = Target.of(args.python_version, args.platform)
        environment = None if args.environment is None else environment_path(args.environment)
        return Prepared(
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


def _closure_of(args: argparse.Namespace, roots: Sequence[str]) -> Closure | None:
    """The closure the command's options ask for; None (said on stderr) where they are wrong."""
    progress = Progress(sys.stderr, unit="modules")
    try:
        prepared = _prepared(args, roots, progress)
        if prepared is None:
            return None
        from .._codebase.closure import run_prepared

        return run_prepared(prepared)
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
    if not page_ready(args.html):
        return 2
    started, clock = time.time_ns(), time.perf_counter()
    progress = Progress(sys.stderr, unit="modules")
    try:
        prepared = _prepared(args, args.modules, progress)
        if prepared is None:
            return 2
        kept = _kept(args, prepared)
        if isinstance(kept, Entry):
            seconds = time.perf_counter() - clock
            shown = _seconds(args)
            return Replay(kept, {"total": seconds}).write(sys.stdout, lambda t: shown(t["total"]))
        from .._codebase.closure import run_prepared  # here: a kept answer needs none of it

        found = run_prepared(prepared)
    finally:
        progress.close()
    from .._codebase import closure_output

    if args.html is not None:
        from .._codebase.html_reports import closure_page

        if not write_page(args.html, lambda: closure_page(found)):
            return 2
    recorder = None if kept is None else Recorder(sys.stdout, kept, str(cache_directory()))
    out: TextIO = sys.stdout if recorder is None else recorder  # type: ignore[assignment]
    timings = out.write if recorder is None else recorder.timings
    try:
        if args.json:
            document = closure_output.render_json(found)
            write_json(document, "seconds", out, timings, _seconds(args)(found.seconds), indent=1)
        else:
            closure_output.render_text(
                found, out, limit=args.limit, tree=not args.summary, seconds=timings
            )
        status = 1 if _unresolved_roots(found) else 0
        # A failed root is said on stderr, which an entry does not keep: such a run is not.
        if recorder is not None and status == 0:
            recorder.keep(status, (), prepared.read_paths(), started)
        return status
    finally:
        if recorder is not None:
            recorder.close()


def _kept(args: argparse.Namespace, prepared: Prepared) -> Entry | Question | None:
    """The kept answer to the closure's question where one is current; else the question,
    for the run's answer to be kept; None without a cache (--no-cache, --html, no home)."""
    directory = cache_directory() if args.cache and args.html is None else None
    if directory is None:
        return None
    given = {key: value for key, value in vars(args).items() if key not in ("run", "cache")}
    question = Question.of(
        "closure",
        {
            "args": given,
            "path": prepared.path,
            "editables": [repr(hook) for hook in prepared.resolver.editables],
            "backend": prepared.resolver.backend,
            "target": prepared.target.describe(),
            "startup": repr(prepared.plan),
            "stdout": [getattr(sys.stdout, "encoding", None), getattr(sys.stdout, "errors", None)],
        },
    )
    if question is None:
        return None
    return Entry.load(question, directory, ()) or question


def _seconds(args: argparse.Namespace) -> Callable[[float], str]:
    """How the output shows the time its run took."""
    from .._codebase.timings import seconds_json, seconds_text

    return (lambda seconds: json.dumps(seconds_json(seconds))) if args.json else seconds_text


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
