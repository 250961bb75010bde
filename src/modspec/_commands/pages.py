"""``--html FILE`` as the commands share it: checked before their work, written after."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .._codebase.printable import say

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .._codebase.html_page import Page

__all__ = ["page_ready", "write_page"]

INSTALL_HINT = "--html needs the squarify package: pip install 'modspec[html]'"


def page_ready(path: str | None) -> bool:
    """Whether the page asked for (None: none) can be made and written, said on stderr
    where not: before a scan that may take minutes, not after it."""
    if path is None:
        return True
    try:
        from .._codebase import html_reports  # noqa: F401 - its imports are what is checked
    except ModuleNotFoundError as exc:
        if exc.name != "squarify":
            raise
        say(f"modspec: {INSTALL_HINT}", sys.stderr)
        return False
    from .._codebase.html_page import PageError, check_writable

    try:
        check_writable(path)
    except PageError as exc:
        say(f"modspec: --html {exc}", sys.stderr)
        return False
    return True


def write_page(path: str, make: Callable[[], Page]) -> bool:
    """Writes the page ``make`` makes to ``path``; False (said on stderr) where it fails."""
    from .._codebase.html_page import PageError
    from .._codebase.html_page import write_page as write

    try:
        write(make(), path)
    except PageError as exc:
        say(f"modspec: --html {exc}", sys.stderr)
        return False
    return True
