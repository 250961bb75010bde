"""A kept answer written out, with the timings of the run that found it current; and the
JSON documents whose timings are the one part of the output an entry does not keep."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from .._codebase.result_cache import Entry

__all__ = ["Replay", "write_json"]


class Replay:
    """A kept output, with the timings of the run that found it current."""

    def __init__(self, entry: Entry, timings: dict[str, float]) -> None:
        self.entry, self.timings = entry, timings

    def write(self, out: TextIO, timings: Callable[[dict[str, float]], str] | None) -> int:
        """Writes the output to ``out`` (``timings`` renders this run's where the kept run's
        were; None: the output has none) and returns the kept exit status."""
        shown = b"" if timings is None else _encoded(timings(self.timings), out)
        out.flush()
        buffer = getattr(out, "buffer", None)
        for data in (self.entry.head, shown, self.entry.tail):
            if buffer is not None:
                buffer.write(data)
            else:
                out.write(_decoded(data, out))
        if buffer is not None:
            buffer.flush()
        return self.entry.status


def _encoded(text: str, out: TextIO) -> bytes:
    return text.encode(getattr(out, "encoding", None) or "utf-8", "strict")


def _decoded(data: bytes | memoryview, out: TextIO) -> str:
    return bytes(data).decode(getattr(out, "encoding", None) or "utf-8", "surrogateescape")


# Where a JSON document's timings go, split out to be written by each run: a string no
# report holds (no path or module name has a NUL).
_MARK = "\0modspec timings\0"


def write_json(
    document: dict[str, object],
    key: str,
    out: TextIO,
    timings: Callable[[str], object],
    shown: str,
    indent: int,
) -> None:
    """Writes ``json.dumps(document, indent=indent)`` and a newline to ``out``, the value of
    its top-level ``key`` (the run's timings, as the JSON text ``shown``) through
    ``timings``: the one part of the output a kept answer does not keep."""
    import json

    document[key] = _MARK
    head, tail = json.dumps(document, indent=indent).split(json.dumps(_MARK))
    out.write(head)
    timings(shown)
    out.write(tail + "\n")
