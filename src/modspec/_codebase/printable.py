"""Text for a terminal: names from the inspected tree with their control characters escaped."""

from __future__ import annotations

import sys

# typing.TYPE_CHECKING without importing typing: modspec resolve prints through say().
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["printable", "say"]


def printable(text: str) -> str:
    """``text`` with every character ``str.isprintable`` refuses written as ``repr`` writes it:
    ESC as ``\\x1b``, a newline as ``\\n``, a byte no encoding knew (``"\\udcff"``) as
    ``\\udcff``. A file name can then neither drive the terminal, forge a report line, nor
    fail the encoding of a UTF-8 stream."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def say(text: str = "", out: TextIO | None = None) -> None:
    """Writes ``text`` as one line to ``out`` (stdout), escaped by ``printable``; newlines it
    starts with are the caller's blank lines, kept."""
    body = text.lstrip("\n")
    stream = sys.stdout if out is None else out
    stream.write("\n" * (len(text) - len(body)) + printable(body) + "\n")
