"""The page shell: escaping of hostile names in text, attributes and pictures, the tables,
the Content-Security-Policy that lets only the page's own script and style run, and writing
the file whole or not at all."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

import pytest
from html_project import Document, parse

from modspec._codebase.html_icicle import Node, render_icicle
from modspec._codebase.html_matrix import Dependency, dependency_matrix, render_matrix
from modspec._codebase.html_page import (
    Cell,
    Column,
    Page,
    PageError,
    check_writable,
    escape,
    kib,
    table,
    where,
    write_page,
)
from modspec._codebase.html_treemap import Block, render_treemap
from modspec._codebase.surface import Category

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "a&amp;b",
    "]]><svg onload=alert(1)>",
    "line\nbreak\x1b[31m\x00",
    "undecodable \udcff byte",
]


def _attributes(document: Document) -> set[str]:
    return {name for _, attrs in document.elements for name in attrs}


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_leaves_no_markup(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert '"' not in escaped
    assert "'" not in escaped
    escaped.encode("utf-8")  # a lone surrogate is spelled out, never written
    document = parse(f'<p title="{escaped}">{escaped}</p>')
    assert [tag for tag, _ in document.elements] == ["p"]
    shown = "".join(text for _, text in document.texts)
    assert shown == document.elements[0][1]["title"]
    # What a reader sees: the name itself, control characters and surrogates spelled out.
    assert (
        shown.replace("\\x1b", "\x1b").replace("\\x00", "\x00").replace("\\udcff", "\udcff") == text
    )


def test_a_picture_of_hostile_names_holds_them_as_text() -> None:
    name = HOSTILE[0]
    treemap = render_treemap(
        [
            Block(name, name, 1000, Category.FIRST_PARTY, HOSTILE[1]),
            Block("b", "b", 500, Category.STDLIB),
        ]
    )
    matrix = render_matrix(
        dependency_matrix(
            {name, HOSTILE[1]},
            [
                Dependency(name, HOSTILE[1], False, True, HOSTILE[2], 3),
                Dependency(name, HOSTILE[4], True, True, HOSTILE[2], 4),
            ],
        )
    )
    icicle = render_icicle([Node(name, None, 10, Category.STDLIB, HOSTILE[1])])
    for picture in (treemap, matrix, icicle):
        document = parse(picture)
        tags = {tag for tag, _ in document.elements}
        assert tags <= {
            "svg",
            "g",
            "rect",
            "text",
            "tspan",
            "title",
            "path",
            "div",
            "ul",
            "li",
            "p",
        }
        assert not any(attr.startswith("on") for attr in _attributes(document))
        assert any(name in text for _, text in document.texts)
    titles = [text for tag, text in parse(matrix).texts if tag == "title"]
    assert any(f"first at {HOSTILE[2]}:3" in text for text in titles)


def test_table_cells_sort_keys_and_limit() -> None:
    rows = [(HOSTILE[0], 1234, where("/src/a.py", 7, "a.py"), Cell("12 KiB", 12_345))]
    rows += [(f"m{i}", i, where(None, 0), "") for i in range(5)]
    markup = table(
        [Column("name"), Column("count", True), Column("file:line"), Column("size", True)],
        rows,
        limit=3,
    )
    document = parse(markup)
    tds = [attrs for tag, attrs in document.elements if tag == "td"]
    assert len(tds) == 3 * 4  # three rows shown
    assert tds[1] == {"class": "num", "data-key": "1234"}
    assert tds[2] == {"data-key": "a.py 000000007"}
    assert tds[3] == {"class": "num", "data-key": "12345"}
    texts = [text for tag, text in document.texts if tag == "td"]
    assert texts[:4] == [HOSTILE[0], "1,234", "a.py:7", "12 KiB"]
    assert "3 of 6 rows shown" in markup
    # A caller with millions of rows makes only the first: ``total`` says how many in all.
    assert "2 of 50 rows shown" in table([Column("a")], [("x",), ("y",)], limit=2, total=50)
    assert table([Column("a")], [], empty="nothing <here>") == (
        '<p class="empty">nothing &lt;here&gt;</p>'
    )


def test_page_runs_its_own_script_and_style_only() -> None:
    page = Page(HOSTILE[0], [("root", HOSTILE[1])])
    page.add(HOSTILE[2], table([Column("x")], [(HOSTILE[0],)]), summary=HOSTILE[3])
    text = page.render()
    document = parse(text)
    tags = [tag for tag, _ in document.elements]
    assert tags.count("script") == 1
    assert tags.count("style") == 1
    assert not {"link", "img", "iframe", "object", "embed", "base", "form"} & set(tags)
    assert not any(attr.startswith("on") for attr in _attributes(document))
    assert all(
        attrs["href"].startswith("#")
        for tag, attrs in document.elements
        if tag == "a" and attrs.get("href")
    )
    (policy,) = [
        attrs["content"]
        for tag, attrs in document.elements
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None
    assert "default-src 'none'" in policy
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert script is not None
    assert style is not None
    for kind, body in (("script-src", script.group(1)), ("style-src", style.group(1))):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in policy
    title = [t for tag, t in document.texts if tag == "title"]
    assert title == [HOSTILE[0]]


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (10_239, "10,239 B"), (10_240, "10 KiB"), (20 * 1024 * 1024, "20.0 MiB")],
)
def test_kib(size: int, shown: str) -> None:
    assert kib(size) == shown


def test_write_page_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")
    write_page(Page("new"), str(target))
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "<title>new</title>" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]
    mode = target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o644 & ~umask


def test_a_failed_write_leaves_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")

    def refuse(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PageError, match=r"page\.html: No space left on device"):
        write_page(Page("new"), str(target))
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_check_writable(tmp_path: Path) -> None:
    check_writable(str(tmp_path / "page.html"))
    with pytest.raises(PageError, match="is a directory"):
        check_writable(str(tmp_path))
    with pytest.raises(PageError, match="no directory"):
        check_writable(str(tmp_path / "missing" / "page.html"))
