"""``modspec surface``'s output: the terminal report and the versioned JSON document."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from .._bytecode import BytecodeStatus
from .._version import __version__
from .extract import Guard
from .extract_py import guard_names
from .printable import say
from .sources import shown_path
from .surface import Category, Finding, Surface, UnresolvedImport
from .timings import timings_json, timings_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

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
        "target": report.target.describe(),
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
        "timings": timings_json(report.timings),
        # Every category, zero counts too: a reader may index any of them.
        "categories": {
            category.value: count for category, count in _category_counts(report).items()
        },
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
                "extension_bytes": top.extension_bytes,
            }
            for top in report.top_levels
        ],
        "unresolved": [
            {
                "name": u.name,
                "file": u.site.path,
                "line": u.site.line,
                "guards": list(guard_names(u.site.guard)),
                "condition": [{"test": t, "holds": h} for t, h in u.site.condition],
                "reason": u.reason,
                "detail": u.detail,
                "rule": u.rule.value,
                "inactive": u.inactive,
                "silenced": u.silenced,
            }
            for u in report.unresolved
        ],
        "shadowing": [
            {
                "name": s.name,
                "winner": s.winner,
                "hidden": list(s.hidden),
                "first_party": s.first_party,
                "rule": (Finding.SHADOWED if s.first_party else Finding.DUPLICATE).value,
                "silenced": s.silenced,
            }
            for s in report.shadowing
        ],
        "bytecode": dict(Counter(status.value for status in report.bytecode.values())),
        "unparsable": [{"file": path, "error": error} for path, error in report.unparsable],
        "skipped": [{"path": path, "error": error} for path, error in report.skipped],
        "long_names": [
            {
                "name": _clipped(long.name),
                "length": len(long.name),
                "parts": long.name.count(".") + 1,
                "file": long.site.path,
                "line": long.site.line,
            }
            for long in report.long_names
        ],
        "dependencies": {
            "project": None if report.project is None else report.project.pyproject,
            "declared": None
            if report.project is None
            else {name: list(groups) for name, groups in sorted(report.project.groups.items())},
            "findings": [
                {
                    "rule": f.rule.value,
                    "distribution": f.distribution,
                    "module": f.module,
                    "file": f.file,
                    "line": f.line,
                    "detail": f.detail,
                    "silenced": report.silenced.get(f),
                }
                for f in report.dependencies
            ],
        },
        "findings": {finding.value: count for finding, count in report.findings().items()},
        "failed": [finding.value for finding in failed],
    }


def _category_counts(report: Surface) -> dict[Category, int]:
    """Modules by category, each category present; unresolved: the distinct names."""
    counts = Counter(report.categories.values())
    counts[Category.UNRESOLVED] = len({u.name for u in report.unresolved})
    return {category: counts[category] for category in Category}


def _clipped(name: str) -> str:
    # A name of a million characters is no more telling than its first hundred.
    return name if len(name) <= 100 else f"{name[:100]}..."


def _more(shown: int, total: int, out: TextIO) -> None:
    if total > shown:
        say(f"    ... and {total - shown:,} more (--limit 0 shows all)", out)


def _cut(limit: int) -> int | None:
    return None if limit <= 0 else limit


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def render_text(
    report: Surface,
    failed: Iterable[Finding],
    out: TextIO,
    limit: int = 10,
    timings: Callable[[str], object] | None = None,
) -> None:
    """The report for a terminal: totals first, then each section's top ``limit`` rows.
    ``timings`` writes the phases' times (default: ``out.write``)."""
    cut = _cut(limit)
    roots = ", ".join(root.path for root in report.roots)
    say(f"modspec surface of {roots}", out)
    say(
        f"  {report.files:,} files, {report.statements:,} import statements "
        f"({report.imports:,} imported names), {len(report.modules):,} modules resolved, "
        f"nothing imported",
        out,
    )
    scanned = report.files - len(report.unparsable)
    fast = f" (fast scanner {report.fast_files:,} of {scanned:,} files)" if scanned else ""
    out.write("  time: ")
    (out.write if timings is None else timings)(timings_text(report.timings))
    say(fast, out)

    say("\nmodules by origin:", out)
    counts = Counter(report.categories.values())
    unresolved_names = {u.name for u in report.unresolved}
    for category in Category:
        if category is Category.UNRESOLVED:
            n = len(unresolved_names)
            extra = f"  ({len(report.unresolved):,} imports)" if n else ""
        else:
            n, extra = counts[category], ""
        say(f"  {category.value:<13}{n:>7,}{extra}", out)
    for flag, label in (
        (Guard.TYPE_CHECKING, "for type checkers only (if TYPE_CHECKING)"),
        (Guard.DEFERRED, "only inside functions"),
        (Guard.OPTIONAL, "only in try/except ImportError"),
    ):
        n = sum(1 for guard in report.guards.values() if guard & flag)
        if n:
            say(f"  imported {label}: {n:,}", out)

    if report.top_levels:
        say("\ntop-level packages by importing files:", out)
        for top in report.top_levels[:cut]:
            dist = report.distributions.get(top.name)
            provided = f"  [{', '.join(dist)}]" if dist else ""
            say(
                f"  {top.name:<24} {top.category.value:<12} {top.importing_files:>6,} files"
                f" {top.modules:>5,} modules{provided}",
                out,
            )
        _more(len(report.top_levels[:cut]), len(report.top_levels), out)
        say("\ntop-level packages by source bytes imported:", out)
        by_size = sorted(report.top_levels, key=lambda t: (-t.source_bytes, t.name))
        for top in by_size[:cut]:
            say(f"  {top.name:<24} {top.category.value:<12} {_kib(top.source_bytes):>12}", out)
        _more(len(by_size[:cut]), len(by_size), out)

    active = [u for u in report.unresolved if u.inactive is None and u.silenced is None]
    if active:
        _unresolved(report, active, out, cut)
    inactive = sum(1 for u in report.unresolved if u.inactive is not None)
    if inactive:
        target = report.target.describe()
        say(
            f"\n{inactive:,} more unresolved imports do not run on "
            f"Python {target['python_version']} on {target['platform']} (a platform or version "
            "test, or an ImportError fallback not taken): not findings",
            out,
        )
    silenced = sum(1 for u in report.unresolved if u.inactive is None and u.silenced)
    silenced += sum(1 for s in report.shadowing if s.silenced) + len(report.silenced_bytecode)
    if silenced:
        say(f"\n{silenced:,} findings silenced (tool.modspec.ignore, # modspec: ignore)", out)
    shadowing = [shadow for shadow in report.shadowing if shadow.silenced is None]
    if shadowing:
        say("\nshadowing (the first is what the import gets):", out)
        for shadow in shadowing[:cut]:
            mark = " [shadowed: first-party]" if shadow.first_party else " [duplicate]"
            say(f"  {shadow.name}{mark}: {_short(shadow.winner, report)}", out)
            for hidden in shadow.hidden:
                say(f"      hides {_short(hidden, report)}", out)
        _more(len(shadowing[:cut]), len(shadowing), out)

    _bytecode(report, out, cut)
    _paths_with_errors(
        "files that do not parse or were not read (their imports are not counted)",
        report.unparsable,
        report,
        out,
        cut,
    )
    _paths_with_errors(
        "paths the walk could not read (what lies below them is not counted)",
        report.skipped,
        report,
        out,
        cut,
    )

    _dependencies(report, out, cut)

    if report.long_names:
        say("\nimported names too long to resolve (not resolved, not counted as modules):", out)
        for long in report.long_names[:cut]:
            size = f"{len(long.name):,} characters, {long.name.count('.') + 1:,} parts"
            where = f"{_short(long.site.path, report)}:{long.site.line}"
            say(f"  {where}: {_clipped(long.name)} ({size})", out)
        _more(len(report.long_names[:cut]), len(report.long_names), out)

    findings = report.findings()
    summary = ", ".join(f"{f.value} {n:,}" for f, n in findings.items() if n)
    say(f"\nfindings: {summary or 'none'}", out)
    failed = list(failed)
    if failed:
        say(f"FAILED (--fail-on): {', '.join(f.value for f in failed)}", out)


def _paths_with_errors(
    title: str, rows: Sequence[tuple[str, str]], report: Surface, out: TextIO, cut: int | None
) -> None:
    if rows:
        say(f"\n{title}:", out)
        for path, error in rows[:cut]:
            say(f"  {_short(path, report)}: {error}", out)
        _more(len(rows[:cut]), len(rows), out)


def _unresolved(
    report: Surface, unresolved: list[UnresolvedImport], out: TextIO, cut: int | None
) -> None:
    # Grouped by what is missing at the top: `selenium.webdriver.x` and `selenium.y` are one
    # missing distribution, not two findings to chase.
    by_top: dict[str, list[UnresolvedImport]] = defaultdict(list)
    for u in unresolved:
        by_top[u.name if u.name.startswith(".") else u.name.partition(".")[0]].append(u)
    say(
        f"\nunresolved imports: {len(by_top):,} top-level names, {len(unresolved):,} imports "
        "(? optional: in try/except ImportError; T: under TYPE_CHECKING; f: in a function;"
        " c: under a platform/version test; m: under __main__; l: lazy)",
        out,
    )
    tops = sorted(by_top, key=lambda n: (-len(by_top[n]), n))
    for top in tops[:cut]:
        sites = by_top[top]
        rules = ", ".join(sorted({u.rule.value for u in sites}))
        say(f"  {top} [{rules}]: {sites[0].detail}", out)
        for u in sites[:cut]:
            marks = "".join(
                mark
                for flag, mark in (
                    (Guard.OPTIONAL | Guard.FALLBACK, "?"),
                    (Guard.TYPE_CHECKING, "T"),
                    (Guard.DEFERRED, "f"),
                    (Guard.CONDITIONAL, "c"),
                    (Guard.MAIN, "m"),
                    (Guard.LAZY, "l"),
                )
                if u.site.guard & flag
            )
            shown = "" if u.name == top else f"  {u.name}"
            say(f"    {marks:>3} {_short(u.site.path, report)}:{u.site.line}{shown}", out)
        _more(len(sites[:cut]), len(sites), out)
    _more(len(tops[:cut]), len(tops), out)


def _dependencies(report: Surface, out: TextIO, cut: int | None) -> None:
    if report.project is None:
        return
    shown = [f for f in report.dependencies if f not in report.silenced]
    declared = len(report.project.groups)
    where = _short(report.project.pyproject, report)
    verdict = "" if shown else " all imports declared, all declarations imported"
    say(f"\ndependencies ({declared:,} declared in {where}):{verdict}", out)
    for f in shown[:cut]:
        say(f"  {_short(f.file, report)}:{f.line} [{f.rule.value}] {f.detail}", out)
    _more(len(shown[:cut]), len(shown), out)


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
    say(f"\nbytecode of imported first-party modules: {summary}", out)
    for status in (BytecodeStatus.STALE, BytecodeStatus.MISSING):
        names = sorted(name for name, s in first_party.items() if s is status)
        if names:
            shown = names[:cut]
            say(f"  {status.value}: {', '.join(shown)}", out)
            _more(len(shown), len(names), out)
