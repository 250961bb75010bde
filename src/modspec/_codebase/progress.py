"""A one-line progress indicator on a terminal, for scans that take longer than a second."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["AFTER_VARIABLE", "Progress"]

# Seconds before the line first shows (default 1): 0 shows it at once, as the tests need.
AFTER_VARIABLE = "MODSPEC_PROGRESS_AFTER"


def _after() -> float:
    try:
        return max(0.0, float(os.environ.get(AFTER_VARIABLE, "1")))
    except ValueError:
        return 1.0


class Progress:
    """Called as ``progress(phase, done, total)`` (``total`` may grow); writes nothing unless
    ``stream`` is a terminal and ``after`` seconds have passed (default:
    $MODSPEC_PROGRESS_AFTER, else 1), then redraws at most ``per_second`` times a second,
    counting ``unit``."""

    def __init__(
        self,
        stream: TextIO,
        *,
        after: float | None = None,
        per_second: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        unit: str = "files",
    ) -> None:
        self._unit = unit
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._after = _after() if after is None else after
        self._interval = 1.0 / per_second
        self._next = self._start + self._after
        self._shown = False
        self._enabled = stream.isatty()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        now = self._clock()
        if now < self._next and done < total:
            return
        if now - self._start < self._after:
            return  # finished before the second was up: nothing to show
        self._next = now + self._interval
        percent = 100 * done // total if total else 100
        line = f"modspec: {phase} {done:,}/{total:,} {self._unit} ({percent}%)"
        # Cleared to the end: a shorter line must not leave the tail of a longer one.
        self._stream.write(f"\r{line}\x1b[K")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clears the line, so the report starts on a clean one."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
