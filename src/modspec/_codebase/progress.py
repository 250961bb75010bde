"""A one-line progress indicator on a terminal, for scans that take longer than a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Called as ``progress(phase, done, total)``; writes nothing unless ``stream`` is a
    terminal and ``after`` seconds have passed, then redraws at most ``per_second`` times."""

    def __init__(
        self,
        stream: TextIO,
        *,
        after: float = 1.0,
        per_second: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        unit: str = "files",
    ) -> None:
        self._unit = unit
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._after = after
        self._interval = 1.0 / per_second
        self._next = self._start + after
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
        self._stream.write(f"\rmodspec: {phase} {done:,}/{total:,} {self._unit} ({percent}%)")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clears the line, so the report starts on a clean one."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
