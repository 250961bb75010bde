"""Types of the compiled import scanner, src/modspec/_codebase/extract_c.pyx."""

from __future__ import annotations

def extract(source: bytes) -> list[tuple[int, int, str, str | None, int]] | None:
    """Imports of ``source`` as (line, level, module, name, guard flags) tuples, in source
    order; None when the scanner declines and ast must answer."""
