"""How the reports show the time their run took: ``surface``'s phases, ``closure``'s figure.
Apart from the reports, as a run answered from the cache writes these and nothing else."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["seconds_json", "seconds_text", "timings_json", "timings_text"]


def timings_json(timings: Mapping[str, float]) -> dict[str, float]:
    """``surface``'s JSON ``timings``."""
    return {phase: round(seconds, 6) for phase, seconds in timings.items()}


def timings_text(timings: Mapping[str, float]) -> str:
    """``surface``'s phases on its ``time:`` line."""
    return ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in timings.items())


def seconds_json(seconds: float) -> float:
    """``closure``'s JSON ``seconds``."""
    return round(seconds, 4)


def seconds_text(seconds: float) -> str:
    """``closure``'s time on its ``time:`` line."""
    return f"{seconds:.2f} s"
