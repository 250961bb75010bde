"""``modspec surface``'s output: the terminal report and the versioned JSON document."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TextIO

from .._bytecode import BytecodeStatus
from .._version import __version__
from .extract import Guard
from .extract_py import guard_names
from .sources import shown_path
from .surface import Category, Finding, Surface, UnresolvedImport

__all__ = ["SCHEMA", "render_json", "render_text"]

# Bumped when a field changes meaning or goes away; new fields may appear within a version.
SCHEMA = "modspec.surface/1"


def _short(path: str, report: Surface) -> str:
    return shown_path(path, [root.path for root in report.roots])


def render_json(report: Surface, failed: Iterable[Finding]) -> dict[str, object]:
    """The report as JSON-ready data; ``docs/surface-json.md`` documents every field."""
    return {
        "schema": SCHEMA,
        "modspec": __version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "backend": report.backend,
        "roots": [root.path for root in report.roots],
        "path": list(report.path),
        "totals": {
            "files": report.files,
            "fast_files": report.fast_files,
            "statements": report.statements,
            "imports": report.imports,
            "modules": len(report.modules),
            "unresolved_imports": len(report.unresolved),
        },
        "timings": {phase: round(seconds, 6) for phase, seconds in report.timings.items()},
        "categories": dict(Counter(c.value for c in report.categories.values())),
        "modules": [
            {
                "name": name,
                "category": report.categories[name].value,
                "kind": spec.kind.value,
                "origin": spec.origin,
                "importing_files": report.importers[name],
                "guards": list(guard_names(report.guards[name])),
                "bytecode": report.bytecode[name].value if name in report.bytecode else None,
            }
            for name, spec in report.modules.items()
            if spec is not None
        ],
        "top_levels": [
            {
                "name": top.name,
                "category": top.category.value,
                "distributions": list(report.distributions.get(top.name, ())),
                "importing_files": top.importing_files,
                "modules": top.modules,
                "source_bytes": top.source_bytes,
            }
            for top in report.top_levels
        ],
        "unresolved": [
            {
                "name": u.name,
                "file": u.site.path,
                "line": u.site.line,
                "guards": list(guard_names(u.site.guard)),
                "reason": u.reason,
                "detail": u.detail,
            }
            for u in report.unresolved
        ],
        "shadowing": [
            {
                "name": s.name,
                "winner": s.winner,
                "hidden": list(s.hidden),
                "first_party": s.first_party,
            }
            for s in report.shadowing
        ],
        "bytecode": dict(Counter(status.value for status in report.bytecode.values())),
        "unparsable": [{"file": path, "error": error} for path, error in report.unparsable],
        "findings": {finding.value: count for finding, count in report.findings().items()},
        "failed": [finding.value for finding in failed],
    }


def _more(shown: int, total: int, out: TextIO) -> None:
    if total > shown:
        print(f"    ... and {total - shown:,} more (--limit 0 shows all)", file=out)


def _cut(limit: int) -> int | None:
    return None if limit <= 0 else limit


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def render_text(report: Surface, failed: Iterable[Finding], out: TextIO, limit: int = 10) -> None:
    """The report for a terminal: totals first, then each section's top ``limit`` rows."""
    cut = _cut(limit)
    roots = ", ".join(root.path for root in report.roots)
    print(f"modspec surface of {roots}", file=out)
    print(
        f"  {report.files:,} files, {report.statements:,} import statements "
        f"({report.imports:,} imported names), {len(report.modules):,} modules resolved, "
        f"nothing imported",
        file=out,
    )
    scanned = report.files - len(report.unparsable)
    fast = f" (fast scanner {report.fast_files:,} of {scanned:,} files)" if scanned else ""
    phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in report.timings.items())
    print(f"  time: {phases}{fast}", file=out)

    print("\nmodules by origin:", file=out)
    counts = Counter(report.categories.values())
    unresolved_names = {u.name for u in report.unresolved}
    for category in Category:
        if category is Category.UNRESOLVED:
            n = len(unresolved_names)
            extra = f"  ({len(report.unresolved):,} imports)" if n else ""
        else:
            n, extra = counts[category], ""
        print(f"  {category.value:<13}{n:>7,}{extra}", file=out)
    for flag, label in (
        (Guard.TYPE_CHECKING, "for type checkers only (if TYPE_CHECKING)"),
        (Guard.DEFERRED, "only inside functions"),
        (Guard.OPTIONAL, "only in try/except ImportError"),
    ):
        n = sum(1 for guard in report.guards.values() if guard & flag)
        if n:
            print(f"  imported {label}: {n:,}", file=out)

    if report.top_levels:
        print("\ntop-level packages by importing files:", file=out)
        for top in report.top_levels[:cut]:
            dist = report.distributions.get(top.name)
            provided = f"  [{', '.join(dist)}]" if dist else ""
            print(
                f"  {top.name:<24} {top.category.value:<12} {top.importing_files:>6,} files"
                f" {top.modules:>5,} modules{provided}",
                file=out,
            )
        _more(len(report.top_levels[:cut]), len(report.top_levels), out)
        print("\ntop-level packages by source bytes imported:", file=out)
        by_size = sorted(report.top_levels, key=lambda t: (-t.source_bytes, t.name))
        for top in by_size[:cut]:
            print(
                f"  {top.name:<24} {top.category.value:<12} {_kib(top.source_bytes):>12}", file=out
            )
        _more(len(by_size[:cut]), len(by_size), out)

    if report.unresolved:
        _unresolved(report, report.unresolved, out, cut)
    if report.shadowing:
        print("\nshadowing (the first is what the import gets):", file=out)
        for shadow in report.shadowing[:cut]:
            mark = " [first-party]" if shadow.first_party else ""
            print(f"  {shadow.name}{mark}: {_short(shadow.winner, report)}", file=out)
            for hidden in shadow.hidden:
                print(f"      hides {_short(hidden, report)}", file=out)
        _more(len(report.shadowing[:cut]), len(report.shadowing), out)

    _bytecode(report, out, cut)
    if report.unparsable:
        print("\nfiles that do not parse (their imports are not counted):", file=out)
        for path, error in report.unparsable[:cut]:
            print(f"  {_short(path, report)}: {error}", file=out)
        _more(len(report.unparsable[:cut]), len(report.unparsable), out)

    findings = report.findings()
    summary = ", ".join(f"{f.value} {n:,}" for f, n in findings.items() if n)
    print(f"\nfindings: {summary or 'none'}", file=out)
    failed = list(failed)
    if failed:
        print(f"FAILED (--fail-on): {', '.join(f.value for f in failed)}", file=out)


def _unresolved(
    report: Surface, unresolved: list[UnresolvedImport], out: TextIO, cut: int | None
) -> None:
    by_name: dict[str, list[UnresolvedImport]] = defaultdict(list)
    for u in unresolved:
        by_name[u.name].append(u)
    print(
        f"\nunresolved imports: {len(by_name):,} names "
        "(? optional: in try/except ImportError; T: under TYPE_CHECKING; f: in a function)",
        file=out,
    )
    names = sorted(by_name, key=lambda n: (-len(by_name[n]), n))
    for name in names[:cut]:
        sites = by_name[name]
        print(f"  {name}: {sites[0].detail}", file=out)
        for u in sites[:cut]:
            marks = "".join(
                mark
                for flag, mark in (
                    (Guard.OPTIONAL, "?"),
                    (Guard.TYPE_CHECKING, "T"),
                    (Guard.DEFERRED, "f"),
                )
                if u.site.guard & flag
            )
            print(f"    {marks:>3} {_short(u.site.path, report)}:{u.site.line}", file=out)
        _more(len(sites[:cut]), len(sites), out)
    _more(len(names[:cut]), len(names), out)


def _bytecode(report: Surface, out: TextIO, cut: int | None) -> None:
    first_party = {
        name: status
        for name, status in report.bytecode.items()
        if report.categories.get(name) is Category.FIRST_PARTY
    }
    if not first_party:
        return
    counts = Counter(first_party.values())
    summary = ", ".join(
        f"{status.value} {n:,}"
        for status, n in sorted(counts.items(), key=lambda item: item[0].value)
    )
    print(f"\nbytecode of imported first-party modules: {summary}", file=out)
    for status in (BytecodeStatus.STALE, BytecodeStatus.MISSING):
        names = sorted(name for name, s in first_party.items() if s is status)
        if names:
            shown = names[:cut]
            print(f"  {status.value}: {', '.join(shown)}", file=out)
            _more(len(shown), len(names), out)
