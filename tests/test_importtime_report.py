"""The ``-X importtime`` report parsed: nesting, the header, lines mixed with the module's
output, the repeats' minimum. Crafted reports: what is asserted is structure, never a time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modspec._codebase.importtime_report import ImportTiming, Measured, minimum, parse_report

HEADER = "import time: self [us] | cumulative | imported package"


def line(self_us: int, cumulative_us: int, depth: int, name: str) -> str:
    # CPython's own format (Python/import.c, 3.10–3.13): "%9ld | %10ld | %*s%s".
    return f"import time: {self_us:>9} | {cumulative_us:>10} | {'  ' * depth}{name}"


# json on 3.11, as the report writes it: children before their importer.
JSON_REPORT = [
    HEADER,
    line(255, 255, 2, "_json"),
    line(512, 767, 1, "json.scanner"),
    line(548, 1314, 0, "json.decoder"),
    line(467, 467, 0, "json.encoder"),
]


def test_nesting_gives_start_order_and_parents() -> None:
    report = [
        HEADER,
        line(30, 30, 3, "c"),
        line(20, 50, 2, "b"),
        line(5, 5, 2, "d"),
        line(10, 65, 1, "a"),
        line(1, 66, 0, "root"),
        line(7, 7, 0, "other"),
    ]
    assert parse_report(report) == [
        ImportTiming("root", 1, 66, 0, None),
        ImportTiming("a", 10, 65, 1, "root"),
        ImportTiming("b", 20, 50, 2, "a"),
        ImportTiming("c", 30, 30, 3, "b"),
        ImportTiming("d", 5, 5, 2, "a"),
        ImportTiming("other", 7, 7, 0, None),
    ]


def test_the_header_and_the_modules_output_are_passed_over() -> None:
    report = [
        "hello from a module",
        HEADER,
        "import time: not a number | 3 | x",
        line(255, 255, 1, "_json"),
        "",
        "Traceback (most recent call last):",
        line(512, 767, 0, "json.scanner"),
    ]
    assert [t.name for t in parse_report(report)] == ["json.scanner", "_json"]


def test_a_line_that_shares_its_start_with_output_is_found() -> None:
    # C code writing to stderr without a newline: the report line follows on the same line.
    report = ["partial output" + line(4, 9, 1, "inner"), line(3, 12, 0, "outer")]
    assert parse_report(report) == [
        ImportTiming("outer", 3, 12, 0, None),
        ImportTiming("inner", 4, 9, 1, "outer"),
    ]


def test_numbers_wider_than_the_padding() -> None:
    report = [line(12345678901, 123456789012, 0, "slow")]
    assert parse_report(report) == [ImportTiming("slow", 12345678901, 123456789012, 0, None)]


def test_a_report_cut_short_keeps_the_waiting_imports() -> None:
    # The importer's line never came (the child died): its children are kept, at the top.
    report = [line(1, 1, 2, "deep"), line(2, 3, 1, "mid")]
    assert [(t.name, t.parent) for t in parse_report(report)] == [("mid", None), ("deep", "mid")]


@pytest.mark.parametrize("argument", ["importtime", "importtime=1"])
def test_this_interpreters_own_report(argument: str) -> None:
    """Every module new in sys.modules has its line, under the module that imported it."""
    script = "import sys; b = set(sys.modules); import json; print(sorted(set(sys.modules) - b))"
    done = subprocess.run(
        [sys.executable, "-I", "-X", argument, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    timings = parse_report(done.stderr.splitlines())
    names = {t.name for t in timings}
    assert set(eval(done.stdout)) <= names
    by_name = {t.name: t for t in timings}
    assert by_name["json"].depth == 0
    assert by_name["json.decoder"].parent == "json"
    assert by_name["json.scanner"].parent == "json.decoder"
    for timing in timings:
        if timing.parent is not None:
            assert by_name[timing.parent].depth == timing.depth - 1
            assert by_name[timing.parent].cumulative_us >= timing.cumulative_us


def test_minimum_takes_each_modules_least_times_apart() -> None:
    first = parse_report([line(10, 100, 1, "a"), line(5, 200, 0, "root")])
    second = parse_report([line(20, 90, 1, "a"), line(3, 250, 0, "root"), line(8, 8, 0, "late")])
    assert minimum([first, second]) == [
        Measured(ImportTiming("root", 3, 200, 0, None), 2),
        Measured(ImportTiming("a", 10, 90, 1, "root"), 2),
        Measured(ImportTiming("late", 8, 8, 0, None), 1),
    ]


def test_a_module_imported_twice_in_a_run_counts_both_attempts() -> None:
    # A failed import tried again by a later statement: two lines, one module.
    run = parse_report([line(4, 4, 0, "missing"), line(6, 6, 0, "missing")])
    assert minimum([run]) == [Measured(ImportTiming("missing", 10, 10, 0, None), 1)]


def test_the_json_report() -> None:
    timings = parse_report(JSON_REPORT)
    assert [(t.name, t.parent) for t in timings] == [
        ("json.decoder", None),
        ("json.scanner", "json.decoder"),
        ("_json", "json.scanner"),
        ("json.encoder", None),
    ]
