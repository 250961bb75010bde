"""The command that runs code: ``importtime``, measured import times joined with the closure."""

from __future__ import annotations

import json
import sys

from .._codebase.printable import say
from .._resolver import InvalidName
from .pages import page_ready, write_page

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

__all__ = ["importtime"]


def importtime(args: argparse.Namespace) -> int:
    from .._codebase import importtime_output
    from .._codebase.importtime import ChildError
    from .._codebase.importtime import importtime as measure
    from .._codebase.progress import Progress

    if not page_ready(args.html):
        return 2
    progress = Progress(sys.stderr, unit="runs")
    try:
        found = measure(
            args.modules,
            path=args.path,
            repeat=args.repeat,
            timeout=args.timeout,
            isolated=args.isolate,
            progress=progress,
        )
    except (ChildError, InvalidName, ValueError) as exc:
        progress.close()
        say(f"modspec: {exc}", sys.stderr)
        return 2
    progress.close()
    if args.html is not None:
        from .._codebase.html_importtime import importtime_page

        if not write_page(args.html, lambda: importtime_page(found)):
            return 2
    if args.json:
        json.dump(importtime_output.render_json(found), sys.stdout, indent=1)
        print()
    else:
        importtime_output.render_text(found, sys.stdout, limit=args.limit)
    return 0
