"""``surface`` and ``graph`` over the cache of whole answers: the walk, then either the kept
output (nothing else changed) or the scan, whose output is kept for the next run."""

from __future__ import annotations

import sys
import time

from .._codebase.result_cache import Entry, Question, Recorder, answers_read
from .._codebase.surface import scan, timed, walk
from .._gcpause import gc_paused
from .replay import Replay

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any, TextIO

    from .._codebase.surface import Collected, Walked

__all__ = ["Fresh", "answer"]

# Options that change how a run works, not what it answers (--html asks for more than the
# kept output: such a run is never answered from the cache, nor kept).
_NOT_ASKED = frozenset({"run", "cache", "workers", "html"})


class Fresh:
    """A run's scan, and the entry its output goes into (None: no cache, or --html)."""

    def __init__(self, found: Collected, recorder: Recorder | None, started: int) -> None:
        self.found, self.recorder, self.started = found, recorder, started

    def out(self) -> TextIO:
        """Where the output goes: standard output, through the recorder if there is one."""
        recorder: Any = sys.stdout if self.recorder is None else self.recorder
        return recorder  # type: ignore[no-any-return]

    def timings(self, text: str) -> None:
        """Writes the run's timings, which an entry does not keep."""
        if self.recorder is None:
            sys.stdout.write(text)
        else:
            self.recorder.timings(text)

    def keep(self, status: int) -> int:
        """Keeps the output written with its inputs as they are now; returns ``status``."""
        if self.recorder is not None:
            found = self.found
            inputs = answers_read(found.resolver, found.report.path, found.specs.values())
            self.recorder.keep(status, list(found.files), inputs, self.started)
        return status

    def close(self) -> None:
        """Drops an entry that was not kept (an error half way)."""
        if self.recorder is not None:
            self.recorder.close()


def answer(
    args: argparse.Namespace,
    roots: list[str],
    options: dict[str, Any],
    finish: Callable[[Collected], None] | None = None,
) -> Replay | Fresh:
    """The command's answer over ``roots`` (``options``: ``surface``'s): a Replay where the
    cache keeps one for this question whose inputs are unchanged, else the scan (and
    ``finish`` of it), timed into its report's timings."""
    started = time.time_ns()
    cache = options.pop("cache")
    scanning = {key: options.pop(key) for key in ("workers", "progress")}
    timings: dict[str, float] = {}
    with timed(timings, "total"), gc_paused():
        walked = walk(roots, timings, **options)
        question = None
        if cache is not None and args.html is None:
            question = Question.of(args.command, _asked(args, walked))
        if question is not None:
            with timed(timings, "cache"):
                entry = Entry.load(question, cache, list(walked.files))
            if entry is not None:
                return Replay(entry, timings)
        found = scan(walked, cache=cache, **scanning)
        if finish is not None:
            finish(found)
    recorder = None if question is None else Recorder(sys.stdout, question, str(cache))
    return Fresh(found, recorder, started)


def _asked(args: argparse.Namespace, walked: Walked) -> dict[str, object]:
    """What the output depends on besides the files it reads."""
    report, resolver = walked.report, walked.resolver
    given = {key: value for key, value in vars(args).items() if key not in _NOT_ASKED}
    return {
        "args": given,
        "roots": report.roots,
        "path": report.path,
        "editables": [repr(hook) for hook in resolver.editables],
        "legacy_namespaces": resolver.legacy_namespaces,
        "backend": [report.backend, walked.backend],
        "target": report.target.describe(),
        "project": repr(report.project),
        "stdout": [getattr(sys.stdout, "encoding", None), getattr(sys.stdout, "errors", None)],
    }
