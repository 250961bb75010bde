"""Test guards shared by the hostile-input and no-execution tests."""

from __future__ import annotations

import contextlib
import signal
import types
from collections.abc import Iterator


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError where the body takes longer (taken for a hang), even in a core."""

    def expire(signum: int, frame: types.FrameType | None) -> None:
        raise TimeoutError(f"took more than {seconds} s: taken for a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
