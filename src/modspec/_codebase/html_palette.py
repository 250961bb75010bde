"""The pictures' colours by category, and the legend that names them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .html_page import Html, escape, join
from .surface import Category

__all__ = ["Colours", "colours", "legend"]


class Colours(NamedTuple):
    """A category's colours: ``strong`` for headers and marks, ``fill`` and ``alternate``
    for neighbouring tiles (two shades, so that adjacent packages of one category part)."""

    strong: str
    fill: str
    alternate: str


_COLOURS = {
    Category.FIRST_PARTY: Colours("#3f6fa8", "#86addb", "#a5c3e6"),
    Category.STDLIB: Colours("#66707d", "#b8c1cc", "#ccd3db"),
    Category.THIRD_PARTY: Colours("#b8641c", "#f1a761", "#f6c28f"),
    Category.BUILTIN: Colours("#6d5a96", "#b5a4d6", "#cbbee3"),
    Category.NAMESPACE: Colours("#3d7f4c", "#94c9a1", "#b3d9bc"),
    Category.UNRESOLVED: Colours("#a8362b", "#ec8d83", "#f3aea6"),
}

_NAMES = {
    Category.FIRST_PARTY: "first-party",
    Category.STDLIB: "standard library",
    Category.THIRD_PARTY: "third-party",
    Category.BUILTIN: "built-in or frozen",
    Category.NAMESPACE: "namespace package",
    Category.UNRESOLVED: "unresolved",
}


def colours(category: Category) -> Colours:
    return _COLOURS[category]


def legend(entries: Iterable[tuple[Category, str]]) -> Html:
    """A line of swatches, one per ``(category, what it holds)``, in Category's order."""
    given = dict(entries)
    items = join(
        Html(
            '<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
            f'rx="2" fill="{_COLOURS[category].fill}" stroke="{_COLOURS[category].strong}"/>'
            f"</svg>{escape(_NAMES[category])}"
            + (f" ({escape(given[category])})" if given[category] else "")
            + "</li>"
        )
        for category in Category
        if category in given
    )
    return Html(f'<ul class="legend">{items}</ul>')
