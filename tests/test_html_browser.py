"""The --html pages in a real browser (headless Chromium): each loads with no console error,
no refused script or style and no request beyond itself; its DOM holds the pictures and the
names expected; with scripts off the pictures are all there; the tables sort.

Chromium is Debian's ``chromium`` package. Where it is missing these tests skip, unless
MODSPEC_REQUIRE_BROWSER is set (.ci/run sets it): then they fail."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser import Browser, Tab, find_chromium
from html_project import make_project, modspec, stdlib_package

OpenPage = Callable[..., Tab]  # open_page(name, scripts=True): the page loaded in a tab


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        reason = "no Chromium here (apt-get install chromium; MODSPEC_CHROMIUM names another)"
        if os.environ.get("MODSPEC_REQUIRE_BROWSER"):
            pytest.fail(f"MODSPEC_REQUIRE_BROWSER is set: {reason}")
        pytest.skip(reason)
    started = Browser(executable)
    yield started
    started.close()


def _stdlib_path() -> list[str]:
    entries = [e for e in sys.path if e and "site-packages" not in e]
    return [word for entry in entries for word in ("--path", entry)]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each command's page of the fixture project, and of a real package (the standard
    library's email; json's closure)."""
    base = tmp_path_factory.mktemp("pages")
    root, site = make_project(base)
    email = str(stdlib_package("email"))
    commands = {
        "surface": (["surface", str(root)], site),
        "graph": (["graph", str(root)], site),
        "closure": (
            [
                "closure",
                "app",
                "app.api.views",
                "tools",
                "--path",
                str(root),
                "--path",
                str(site),
                *_stdlib_path(),
            ],
            None,
        ),
        "email-surface": (["surface", email], None),
        "email-graph": (["graph", email], None),
        "json-closure": (["closure", "json"], None),
        # The one command that runs code: json's, in a child.
        "json-importtime": (["importtime", "json", "--repeat", "1"], None),
    }
    made = {}
    for name, (args, path) in commands.items():
        page = base / f"{name}.html"
        done = modspec(*args, "--html", str(page), site=path)
        assert done.returncode in (0, 1), done.stderr
        made[name] = page
    return made


@pytest.fixture
def open_page(browser: Browser, pages: dict[str, Path]) -> Iterator[OpenPage]:
    opened: list[Tab] = []

    def load(name: str, *, scripts: bool = True) -> Tab:
        tab = browser.open(pages[name], scripts=scripts)
        opened.append(tab)
        return tab

    yield load
    for tab in opened:
        tab.close()


def _names(tab: Tab, selector: str, attribute: str = "name") -> set[str]:
    found = tab.evaluate(
        f"Array.from(document.querySelectorAll({selector!r}), e => e.dataset.{attribute})"
    )
    return set(found)


def _table(tab: Tab, heading: str) -> list[list[str]]:
    """The rows of the table in the section titled ``heading``, as the reader sees them."""
    rows: list[list[str]] = tab.evaluate(
        "Array.from(document.querySelectorAll('section'))"
        f".filter(s => s.querySelector('h2').textContent === {heading!r})"
        ".flatMap(s => Array.from(s.querySelectorAll('tbody tr'),"
        " r => Array.from(r.cells, c => c.textContent)))"
    )
    return rows


PAGES = [
    "surface",
    "graph",
    "closure",
    "email-surface",
    "email-graph",
    "json-closure",
    "json-importtime",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_page_loads_cleanly(open_page: OpenPage, name: str, scripts: bool) -> None:
    tab = open_page(name, scripts=scripts)
    assert tab.problems() == []
    # The pictures are in the document as written: scripts or not.
    if name.endswith("importtime"):
        assert tab.count("svg.icicle rect.bar") > 0
    elif "closure" in name:
        assert tab.count("svg rect.tile") > 0
        assert tab.count("svg.icicle rect.bar") > 0
    else:
        assert tab.count("svg rect.tile") > 0
        assert tab.count("svg.matrix") == 1
    # The sorting script ran (and only then): it puts a button in each header.
    assert (tab.count("th button") > 0) is scripts


def test_hostile_names_run_nothing(open_page: OpenPage) -> None:
    for name in ("surface", "graph", "closure"):
        tab = open_page(name)
        assert tab.evaluate("typeof window.pwned") == "undefined"
        assert tab.evaluate("document.scripts.length") == 1
        assert tab.evaluate("document.querySelectorAll('b[onmouseover]').length") == 0
    surface = open_page("surface")
    assert "p<script>window.pwned=1</script>/proj" in surface.evaluate("document.title")
    unresolved = _table(surface, "Unresolved imports")
    assert ["missing_evil", 'app/evil"><b onmouseover=x>.py:1'] in [row[:2] for row in unresolved]


def test_surface_page_shows_the_fixture(open_page: OpenPage) -> None:
    tab = open_page("surface")
    tiles = _names(tab, "svg.treemap rect.tile")
    assert {"app.core", "app.api", "json", "vendorlib", "vendorlib.sub"} <= tiles
    # The matrix: the packages, the eager cycle of app, app.api and app.core in one block,
    # and the third-party package each imports.
    rows = tab.evaluate(
        "Array.from(document.querySelectorAll('svg.matrix rect.mark'),"
        " m => [m.dataset.row, m.dataset.column])"
    )
    assert ["app.core", "app.api"] in rows
    assert ["app.api", "app.core"] in rows
    assert ["app.core", "vendorlib"] in rows
    assert ["app.api", "vendorlib"] in rows
    assert ["tools", "app"] in rows
    assert tab.count("svg.matrix rect.cycle") == 1
    cycle = tab.evaluate("document.querySelector('svg.matrix rect.cycle title').textContent")
    assert cycle.startswith("an eager cycle of 3 packages: ")
    unresolved = [row[:2] for row in _table(tab, "Unresolved imports")]
    assert ["missing_mod", "app/api/views.py:2"] in unresolved
    cycles = _table(tab, "Cycles of eager imports between modules")
    assert [row[1] for row in cycles] == ["app.api, app.core.models"]
    missing = {row[0] for row in _table(tab, "Stale and missing bytecode")}
    assert {"app", "app.core.models"} <= missing


def test_graph_page_shows_the_fixture(open_page: OpenPage) -> None:
    tab = open_page("graph")
    assert {"app", "app.util", "tools", "vendorlib"} <= _names(tab, "svg.treemap rect.tile")
    assert tab.count("svg.matrix rect.mark") >= 5
    imported = {row[0] for row in _table(tab, "Most imported modules")}
    assert {"app.core.models", "vendorlib", "json"} <= imported
    assert ["missing_mod", "app/api/views.py:2"] in [
        row[:2] for row in _table(tab, "Unresolved imports")
    ]


def test_closure_page_nests_by_the_chain(open_page: OpenPage) -> None:
    tab = open_page("closure")
    depth = tab.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('svg.icicle rect.bar'),"
        " b => [b.dataset.name, Number(b.dataset.depth)]))"
    )
    # app loads app.core, which loads app.core.models, which loads app.api.
    assert depth["app"] == 0
    assert depth["app.core"] == 1
    assert depth["app.core.models"] == 2
    assert depth["app.api"] == 3
    assert depth["json"] == 2
    chain = tab.evaluate(
        "document.querySelector('svg.icicle rect.bar[data-name=\"app.api\"] title').textContent"
    )
    assert "loaded by app.core.models at app/core/models.py:1" in chain
    assert "\u2190 app.core at app/core/__init__.py:1" in chain
    modules = {row[1]: row for row in _table(tab, "Modules in load order")}
    assert modules["app.api"][7:9] == ["app.core.models", "app/core/models.py:1"]
    failed = _table(tab, "Imports that fail")
    assert ["missing_mod", "not found", "no", "app.api.views"] in [row[:4] for row in failed]


def test_real_package_pages(open_page: OpenPage) -> None:
    surface = open_page("email-surface")
    tiles = _names(surface, "svg.treemap rect.tile")
    assert {"email.message", "email._header_value_parser"} <= tiles
    marks = surface.evaluate(
        "Array.from(document.querySelectorAll('svg.matrix rect.mark'), m => m.dataset.row)"
    )
    assert "email.mime" in marks  # email.mime's modules import email's
    graph = open_page("email-graph")
    assert "email.message" in {row[0] for row in _table(graph, "Most imported modules")}
    closure = open_page("json-closure")
    bars = _names(closure, "svg.icicle rect.bar")
    assert {"json", "json.decoder", "json.scanner", "re"} <= bars


def test_importtime_page_nests_the_measurement(open_page: OpenPage) -> None:
    tab = open_page("json-importtime")
    depth = tab.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('svg.icicle rect.bar'),"
        " b => [b.dataset.name, Number(b.dataset.depth)]))"
    )
    # As measured: json imports json.decoder, whose import imports json.scanner.
    assert depth["json"] == 0
    assert depth["json.decoder"] == 1
    assert depth["json.scanner"] == 2
    modules = {row[1]: row for row in _table(tab, "Measured modules")}
    assert modules["json.decoder"][4:] == ["yes", "stdlib", "json", "json/__init__.py:106"]
    assert modules["json"][6] == "(a root)"
    # json.decoder's `from json import scanner` must stay: JSONDecoder() runs at import.
    kept = {row[1]: row for row in _table(tab, "Imports that must stay eager")}
    assert kept["json/decoder.py:5"][2] == "from json import scanner"
    assert "which code run at import calls" in kept["json/decoder.py:5"][3]


def test_tables_sort_on_a_click(open_page: OpenPage) -> None:
    tab = open_page("json-closure")
    column = "source bytes"
    script = (
        "(() => { const s = Array.from(document.querySelectorAll('section'))"
        ".find(s => s.querySelector('h2').textContent === 'Modules in load order');"
        f" const heads = Array.from(s.querySelectorAll('th')); const i = heads.findIndex("
        f"h => h.textContent === {column!r}); heads[i].querySelector('button').click();"
        " return [heads[i].getAttribute('aria-sort'),"
        " Array.from(s.querySelectorAll('tbody tr'), r => Number(r.cells[i].dataset.key))]; })()"
    )
    order, ascending = tab.evaluate(script)
    assert order == "ascending"
    assert ascending == sorted(ascending)
    assert len(set(ascending)) > 1
    order, descending = tab.evaluate(script)
    assert order == "descending"
    assert descending == sorted(ascending, reverse=True)
