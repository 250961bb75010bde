"""gc paused while modspec's batches run, in any thread, and restored as the callers had it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["after_fork_in_child", "gc_paused"]


class _Pause:
    """gc paused while any batch is in flight, in any thread.

    gc.isenabled() is process-wide, so a per-call save and restore is wrong under threads
    (a call that ends last would restore a state read while another call had it off). The
    rule: the first call in records whether gc was enabled and disables it; the last call out
    re-enables it only if it was enabled then and is still disabled (a gc.disable() made by a
    caller meanwhile is the caller's own, but a gc.enable() is kept: never turned off again)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.was_enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self.lock:
            if self.in_flight == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.in_flight += 1
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1
                if self.in_flight == 0 and self.was_enabled:
                    gc.enable()

    def after_fork_in_child(self) -> None:
        # The calls in flight were other threads', which the child does not have: none will
        # end, so the child gets gc back as they found it, and a lock no dead thread holds.
        self.lock = threading.Lock()
        if self.in_flight and self.was_enabled:
            gc.enable()
        self.in_flight = 0


_PAUSE = _Pause()
# A batch (a resolve_many, a code base's scan and graph) allocates tuples by the million and
# frees none until it ends: collections would find no garbage, yet cost up to a third of it.
gc_paused = _PAUSE.paused
after_fork_in_child = _PAUSE.after_fork_in_child
