"""One self-contained HTML page: the document shell, its sections, escaping and sortable tables."""

from __future__ import annotations

import base64
import hashlib
import html
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, NewType

from .._version import __version__
from .printable import printable

__all__ = [
    "Cell",
    "Column",
    "Html",
    "Page",
    "PageError",
    "check_writable",
    "count",
    "escape",
    "join",
    "kib",
    "table",
    "where",
    "write_page",
]

# Markup made by this package: every text from outside reaches it through ``escape``, so a
# function taking Html cannot be handed a file name (mypy holds the line).
Html = NewType("Html", str)


class PageError(ValueError):
    """The page cannot be written where it was asked for."""


def escape(text: object) -> Html:
    """``text`` as HTML text or attribute value: markup characters as entities, and what
    ``printable`` escapes for a terminal (control characters, lone surrogates from undecodable
    file names) spelled out, so that no name can forge markup or fail the page's encoding.
    Line breaks stay (a tooltip's lines)."""
    lines = str(text).split("\n")
    return Html("\n".join(html.escape(printable(line), quote=True) for line in lines))


def join(parts: Iterable[Html], separator: str = "") -> Html:
    return Html(separator.join(parts))


def count(n: int, thing: str) -> str:
    """``n`` things, in the plural unless one: "1 module", "2,345 modules"."""
    return f"{n:,} {thing}" if n == 1 else f"{n:,} {thing}s"


def kib(size: int) -> str:
    """A size in bytes for a reader: bytes below 10 KiB, then KiB, then MiB."""
    if size < 10_240:
        return f"{size:,} B"
    if size < 10 * 1024 * 1024:
        return f"{size / 1024:,.0f} KiB"
    return f"{size / 1024 / 1024:,.1f} MiB"


ROWS = 1000  # a table's rows at most, by default


class Column(NamedTuple):
    """A table's column: numeric ones sort by number and align right."""

    title: str
    numeric: bool = False


class Cell(NamedTuple):
    """A cell shown as ``text`` and sorted by ``key`` (a table's script reads it)."""

    text: str
    key: str | int


def where(file: str | None, line: int, shown: str | None = None) -> Cell:
    """``file:line`` (``shown`` in place of the whole path), sorted by file, then by line."""
    if file is None:
        return Cell("", "")
    name = file if shown is None else shown
    return Cell(f"{name}:{line}" if line else name, f"{name} {line:09d}")


_NUMERIC = ' class="num"'


def _cell(value: object, numeric: bool) -> Html:
    kind = _NUMERIC if numeric else ""
    if isinstance(value, Cell):
        text, key = escape(value.text), escape(value.key)
        return Html(f'<td{kind} data-key="{key}">{text}</td>')
    if isinstance(value, int):
        return Html(f'<td{kind} data-key="{value}">{value:,}</td>')
    return Html(f"<td{kind}>{escape(value)}</td>")


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    limit: int = ROWS,
    total: int | None = None,
    empty: str = "none",
) -> Html:
    """A table of ``rows`` (as given: the first rows are the most telling), its first
    ``limit`` rows written and a note saying how many more there are: ``total`` in all,
    where ``rows`` holds only the first ones (a caller with millions makes only those).
    Cells are text, ints or ``Cell``; the page's script sorts by a header's click, and
    without it the order stands."""
    if not rows:
        return Html(f'<p class="empty">{escape(empty)}</p>')
    head = join(
        Html(f'<th{_NUMERIC if c.numeric else ""} scope="col">{escape(c.title)}</th>')
        for c in columns
    )
    body = join(
        Html(
            "<tr>"
            + join(_cell(value, column.numeric) for value, column in zip(row, columns, strict=True))
            + "</tr>"
        )
        for row in rows[:limit]
    )
    note = ""
    total = len(rows) if total is None else total
    if total > limit:
        note = (
            f'<p class="note">{limit:,} of {total:,} rows shown: the command\'s --json '
            "output has them all.</p>"
        )
    return Html(
        f'<div class="scroll"><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>{note}"
    )


@dataclass(frozen=True, slots=True)
class Section:
    anchor: str
    title: str
    body: Html
    summary: str


@dataclass(slots=True)
class Page:
    """A report as one HTML document: a title, facts under it, then sections in order.
    Commands add what they show with ``add``; ``render`` makes the document."""

    title: str
    facts: Sequence[tuple[str, str]] = ()
    sections: list[Section] = field(default_factory=list)

    def add(self, title: str, body: Html, *, summary: str = "") -> None:
        """A section: ``title`` (a heading and a link at the top), a one-line ``summary``
        under it, then ``body``."""
        anchor = f"s{len(self.sections) + 1}"
        self.sections.append(Section(anchor, title, body, summary))

    def render(self) -> str:
        facts = join(
            Html(f"<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>")
            for name, value in self.facts
        )
        links = join(
            Html(f'<li><a href="#{s.anchor}">{escape(s.title)}</a></li>') for s in self.sections
        )
        sections = join(
            Html(
                f'<section id="{s.anchor}"><h2>{escape(s.title)}</h2>'
                + (f'<p class="summary">{escape(s.summary)}</p>' if s.summary else "")
                + f"{s.body}</section>"
            )
            for s in self.sections
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(self.title)}</title>\n<style>{_STYLE}</style></head>\n"
            f"<body><header><h1>{escape(self.title)}</h1><dl>{facts}</dl>"
            f"<nav><ul>{links}</ul></nav></header>\n<main>{sections}</main>\n"
            f"<footer>made by modspec {escape(__version__)}: nothing was imported or run. "
            "Tables sort by a click on a header.</footer>\n"
            f"<script>{_SCRIPT}</script></body></html>\n"
        )


def check_writable(path: str) -> None:
    """Raises PageError unless a page can be written at ``path``: said before a long scan,
    not after it."""
    if os.path.isdir(path):
        raise PageError(f"{path}: is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise PageError(f"{path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PageError(f"{path}: the directory is not writable")


def write_page(page: Page, path: str) -> None:
    """Writes the page to ``path`` whole or not at all (a file beside it, then renamed):
    a failed write leaves what was there. Raises PageError for any OSError."""
    text = page.render()
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".modspec-", suffix=".html")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o644 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise PageError(f"{path}: {exc.strerror or exc}") from None


def _umask() -> int:
    # mkstemp makes the file 0600; the page gets what open() would have given it.
    current = os.umask(0)
    os.umask(current)
    return current


# Sorting on a header's click: a row's cells compare by data-key where given (numbers as
# numbers), else by text. Without the script the table keeps the order it was written in.
_SCRIPT = """
"use strict";
for (const table of document.querySelectorAll("table.sortable")) {
  const heads = table.tHead.rows[0].cells;
  for (let index = 0; index < heads.length; index++) {
    const head = heads[index];
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = head.textContent;
    head.textContent = "";
    head.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = head.getAttribute("aria-sort") !== "ascending";
      for (const other of heads) other.removeAttribute("aria-sort");
      head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = head.classList.contains("num");
      const key = (row) => {
        const cell = row.cells[index];
        const value = cell.dataset.key !== undefined ? cell.dataset.key : cell.textContent;
        return numeric ? Number(value) : value;
      };
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = numeric ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  }
}
""".strip()

_STYLE = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d8dce3; --paper: #ffffff;
  --wash: #f4f6f9; --accent: #2f5d9e; --cycle: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--ink); background: var(--wash); }
header { padding: 18px 28px 10px; background: var(--paper); border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 8px; font-size: 21px; font-weight: 650; word-break: break-all; }
h2 { margin: 0 0 4px; font-size: 17px; font-weight: 650; }
dl { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0 0 8px; }
dl div { display: flex; gap: 6px; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 600; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; padding: 0; list-style: none; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
main { padding: 14px 28px 24px; display: grid; gap: 16px; }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 6px;
  padding: 14px 18px; min-width: 0; }
.summary, .note, .empty, footer { color: var(--muted); }
.summary { margin: 0 0 10px; }
footer { padding: 0 28px 20px; font-size: 12px; }
svg { display: block; max-width: 100%; height: auto; font-family: system-ui, "DejaVu Sans",
  sans-serif; }
svg text { pointer-events: none; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0 0; padding: 0;
  list-style: none; color: var(--muted); font-size: 13px; }
.legend svg { display: inline-block; vertical-align: -2px; margin-right: 5px; }
.scroll { overflow: auto; max-height: 560px; border: 1px solid var(--line); border-radius: 4px; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 3px 10px; text-align: left; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: break-word; }
th { position: sticky; top: 0; background: #eef1f5; font-weight: 600; white-space: nowrap; }
th button { all: inherit; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 10px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
tbody tr:hover { background: #eef4fb; }
rect.tile, rect.bar { stroke: #fff; stroke-width: 0.6; }
rect.tile:hover, rect.bar:hover, rect.mark:hover { stroke: #111; stroke-width: 1.5; }
""".strip()


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# Nothing loads from anywhere (no network, no file), and only this page's own script and
# style run: were a name ever to slip past ``escape``, its markup could not run a script.
_POLICY = (
    "default-src 'none'; "
    f"script-src 'sha256-{_digest(_SCRIPT)}'; style-src 'sha256-{_digest(_STYLE)}'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
