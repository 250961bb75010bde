"""The page of ``modspec importtime`` (``--html FILE``): the measured import as an icicle,
every module's times beside the statement that loads it, and the lazy-import candidates."""

from __future__ import annotations

from .closure_output import shown_entries
from .html_icicle import Node, render_icicle
from .html_page import Cell, Column, Page, table, where
from .importtime import ImportTime, MeasuredModule
from .sources import shown_path
from .surface import Category

__all__ = ["importtime_page"]


def _us(microseconds: int) -> str:
    if microseconds < 10_000:
        return f"{microseconds:,} µs"
    return f"{microseconds / 1000:,.1f} ms"


def _time(microseconds: int) -> Cell:
    return Cell(_us(microseconds), microseconds)


def _loaded_by(module: MeasuredModule) -> str:
    if module.via is not None:
        return module.via.importer or "(the root's import)"
    # No statement of the closure's: a root, or a module it did not predict.
    return "(a root)" if module.predicted else "(not predicted)"


def _category(module: MeasuredModule) -> Category:
    # A module the static closure did not predict has no category of its own: drawn as one
    # no import resolved to, and said so in its tooltip.
    return Category.UNRESOLVED if module.category is None else Category(module.category)


def importtime_page(found: ImportTime) -> Page:
    """The icicle of the measured nesting (each module under the one being imported when it
    was, as wide as its cumulative time), the modules with their times and the statement
    that first loads each, and each eager module-level import with whether it could wait."""
    totals = found.totals()
    roots = ", ".join(found.roots)
    entries = shown_entries(found.closure)

    def shown(path: str) -> str:
        return shown_path(path, entries)

    page = Page(
        f"modspec importtime of {roots}",
        [
            ("measured", f"{_us(totals.cumulative_us)} over {totals.modules:,} modules"),
            ("predicted statically", f"{totals.predicted_share:.0%}"),
            ("runs", f"{found.repeat} (the least time of each module)"),
            ("lazy-import candidates", f"{totals.candidates:,}"),
            ("deferring them all saves", _us(totals.candidates_saving_us)),
            ("python", found.python_version),
        ],
    )
    page.add(
        f"What import {roots} costs",
        render_icicle(
            [
                Node(
                    m.name,
                    m.parent,
                    m.self_us,
                    _category(m),
                    "" if m.predicted else "not in the static closure",
                )
                for m in found.modules
            ],
            unit=_us,
            label=f"icicle of the measured import of {roots}",
        ),
        summary="Each module under the module whose import was running when it was "
        "imported, as wide as its time with what it imported (self time: its own); the "
        "modules the static closure did not predict are drawn as unresolved.",
    )
    candidates = found.candidates
    page.add(
        "Lazy-import candidates",
        table(
            [
                Column("saves", True),
                Column("module"),
                Column("at file:line"),
                Column("statement"),
                Column("only it loads"),
                Column("why"),
            ],
            [
                (
                    _time(entry.saving_us),
                    entry.module,
                    where(entry.file, entry.line, shown(entry.file)),
                    entry.statement,
                    ", ".join(entry.deferred),
                    entry.reason,
                )
                for entry in candidates
            ],
            empty="no module-level import whose names only functions use",
        ),
        summary="Eager module-level imports whose names are read only inside functions: "
        "each could be a `lazy import` (Python 3.15) or move into the functions, taking the "
        "measured self time of the modules only it loads off the start-up.",
    )
    page.add(
        "Measured modules",
        table(
            [
                Column("#", True),
                Column("module"),
                Column("self", True),
                Column("cumulative", True),
                Column("predicted"),
                Column("category"),
                Column("loaded by"),
                Column("at file:line"),
            ],
            [
                (
                    index,
                    m.name,
                    _time(m.self_us),
                    _time(m.cumulative_us),
                    "yes" if m.predicted else "no",
                    m.category or "",
                    _loaded_by(m),
                    where(m.via.file, m.via.line, shown(m.via.file))
                    if m.via is not None and m.via.file is not None
                    else "",
                )
                for index, m in enumerate(found.modules, 1)
            ],
            limit=3000,
        ),
    )
    kept = [entry for entry in found.lazy if not entry.candidate]
    page.add(
        "Imports that must stay eager",
        table(
            [
                Column("module"),
                Column("at file:line"),
                Column("statement"),
                Column("why"),
            ],
            [
                (
                    entry.module,
                    where(entry.file, entry.line, shown(entry.file)),
                    entry.statement,
                    entry.reason,
                )
                for entry in kept
            ],
        ),
    )
    return page
