"""gc paused while modspec's batches run, in any thread, and restored as the callers had it."""

from __future__ import annotations

import _thread
import gc

# typing.TYPE_CHECKING without typing, _thread's lock without threading: the resolver imports
# this module, and what it imports is a start-up cost of every command.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["after_fork_in_child", "gc_paused"]


class _Pause:
    """A context manager: gc paused while any batch is in flight, in any thread.

    gc.isenabled() is process-wide, so a per-call save and restore is wrong under threads
    (a call that ends last would restore a state read while another call had it off). The
    rule: the first call in records whether gc was enabled and disables it; the last call out
    re-enables it only if it was enabled then and is still disabled (a gc.disable() made by a
    caller meanwhile is the caller's own, but a gc.enable() is kept: never turned off again)."""

    def __init__(self) -> None:
        self.lock = _thread.allocate_lock()
        self.in_flight = 0
        self.was_enabled = False

    def __enter__(self) -> None:
        with self.lock:
            if self.in_flight == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.in_flight += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self.lock:
            self.in_flight -= 1
            if self.in_flight == 0 and self.was_enabled:
                gc.enable()

    def after_fork_in_child(self) -> None:
        # The calls in flight were other threads', which the child does not have: none will
        # end, so the child gets gc back as they found it, and a lock no dead thread holds.
        self.lock = _thread.allocate_lock()
        if self.in_flight and self.was_enabled:
            gc.enable()
        self.in_flight = 0


_PAUSE = _Pause()


def gc_paused() -> _Pause:
    """The pause, to enter with ``with``: a batch (a resolve_many, a code base's scan and
    graph) allocates tuples by the million and frees none until it ends, so collections would
    find no garbage, yet cost up to a third of it."""
    return _PAUSE


after_fork_in_child = _PAUSE.after_fork_in_child
