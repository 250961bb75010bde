"""Types of the compiled import scanner, src/modspec/_codebase/extract_c.pyx."""

from __future__ import annotations

FIELDS: tuple[str, ...]

Record = tuple[int, int, str, str | None, int, int, int]
# extract()'s answer: records, condition nodes, choice nodes, lazy statements.
Scanned = tuple[
    list[Record],
    list[tuple[int, str, bool]],
    list[tuple[int, int, int]],
    list[tuple[int, str]],
]

def extract(source: bytes) -> Scanned | None:
    """The imports of ``source`` as (records, conditions, choices, lazy statements), or None
    when the scanner declines and ast must answer."""

def extract_paths(
    paths: list[str], limit: int, mark: bytes
) -> list[tuple[int, bool, Scanned] | None]:
    """For each path, (bytes read, whether ``mark`` occurs in them, extract()'s answer) where
    the file was read as read_regular reads it and the scanner answered, else None."""
