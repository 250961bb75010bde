"""``modspec importtime``: the versioned JSON (modspec.importtime/1) and the text report."""

from __future__ import annotations

from typing import TextIO

from .._version import __version__
from .closure_output import shown_entries, shown_where, via_json
from .importtime import ImportTime, LazyImport, MeasuredModule
from .printable import say
from .sources import shown_path

__all__ = ["SCHEMA", "render_json", "render_text"]

SCHEMA = "modspec.importtime/1"


def _module_json(module: MeasuredModule) -> dict[str, object]:
    return {
        "name": module.name,
        "self_us": module.self_us,
        "cumulative_us": module.cumulative_us,
        "depth": module.depth,
        "parent": module.parent,
        "runs": module.runs,
        "loaded": module.loaded,
        "predicted": module.predicted,
        "via": via_json(module.via),
        "category": module.category,
        "source": module.source,
    }


def _lazy_json(entry: LazyImport) -> dict[str, object]:
    return {
        "module": entry.module,
        "category": entry.category,
        "file": entry.file,
        "line": entry.line,
        "statement": entry.statement,
        "names": list(entry.names),
        "reason": entry.reason,
        "use_line": entry.use_line or None,
        "saving_us": entry.saving_us,
        "deferred": list(entry.deferred),
    }


def render_json(found: ImportTime) -> dict[str, object]:
    """The document ``modspec importtime --json`` prints (docs/importtime-json.md)."""
    totals = found.totals()
    return {
        "schema": SCHEMA,
        "modspec": __version__,
        "roots": list(found.roots),
        "python": found.python,
        "python_version": found.python_version,
        "isolated": found.isolated,
        "repeat": found.repeat,
        "timeout": found.timeout,
        "path": list(found.path),
        "seconds": round(found.seconds, 4),
        "totals": {
            "modules": totals.modules,
            "predicted": totals.predicted,
            "predicted_share": round(totals.predicted_share, 4),
            "unpredicted_self_us": totals.unpredicted_self_us,
            "self_us": totals.self_us,
            "cumulative_us": totals.cumulative_us,
            "raised": totals.raised,
            "candidates": totals.candidates,
            "candidates_saving_us": totals.candidates_saving_us,
        },
        "modules": [_module_json(module) for module in found.modules],
        "startup": [_module_json(module) for module in found.startup],
        "not_imported": list(found.not_imported),
        "candidates": [_lazy_json(entry) for entry in found.candidates],
        "kept": [_lazy_json(entry) for entry in found.lazy if not entry.candidate],
        "candidates_deferred": list(found.candidates_deferred),
    }


def _ms(us: int) -> str:
    return f"{us / 1000:.1f} ms" if us >= 100 else f"{us} us"


def render_text(found: ImportTime, out: TextIO, *, limit: int) -> None:
    """The totals, the costliest modules by cumulative time with the statement that loads
    each, the modules the closure did not predict, and the lazy-import candidates."""
    totals = found.totals()
    entries = shown_entries(found.closure)
    runs = f"least of {found.repeat} runs" if found.repeat > 1 else "1 run: pass --repeat"
    isolation = "-I" if found.isolated else "not isolated"
    say(
        f"modspec importtime of {', '.join(found.roots)} (python {found.python_version}, "
        f"{isolation}, {runs}; the modules' code was run)",
        out,
    )
    say(
        f"  {totals.modules:,} modules imported in {_ms(totals.cumulative_us)}; "
        f"{totals.predicted:,} ({totals.predicted_share:.0%}) predicted by the static closure, "
        f"the others {_ms(totals.unpredicted_self_us)} of self time",
        out,
    )
    if found.not_imported:
        say(f"  predicted but not imported: {len(found.not_imported):,}", out)
    costly = sorted(found.modules, key=lambda m: (-m.cumulative_us, m.name))[: limit or None]
    say("\nby cumulative time (self, cumulative; loaded at file:line):", out)
    for module in costly:
        where = shown_where(module.via, entries) or ("(a root)" if module.predicted else "")
        mark = "" if module.predicted else f"  NOT PREDICTED (imported by {module.parent})"
        if not module.loaded:
            mark += "  (raised, caught)"
        say(
            f"  {module.name:<36} {_ms(module.self_us):>9} {_ms(module.cumulative_us):>10}  "
            f"{where}{mark}",
            out,
        )
    _more(len(found.modules), limit, out)
    candidates = [c for c in found.candidates if c.saving_us > 0]
    say(
        f"\nlazy-import candidates: {totals.candidates:,} imports whose names only functions "
        f"use; {len(candidates):,} would take time off start-up "
        f"({_ms(totals.candidates_saving_us)} all together):",
        out,
    )
    for entry in candidates[: limit or None]:
        where = f"{shown_path(entry.file, entries)}:{entry.line}"
        say(f"  {_ms(entry.saving_us):>9}  {where}  {entry.statement}", out)
        shown = ", ".join(entry.deferred[:4])
        more = f" and {len(entry.deferred) - 4} more" if len(entry.deferred) > 4 else ""
        say(f"             defers {shown}{more}", out)
    _more(len(candidates), limit, out)
    kept = [k for k in found.lazy if not k.candidate][: limit or None]
    if kept:
        say("\nkept eager (what they alone load, and why they cannot wait):", out)
        for entry in kept:
            where = f"{shown_path(entry.file, entries)}:{entry.line}"
            use = f" (line {entry.use_line})" if entry.use_line else ""
            say(f"  {_ms(entry.saving_us):>9}  {where}  {entry.statement}", out)
            say(f"             {entry.reason}{use}", out)


def _more(count: int, limit: int, out: TextIO) -> None:
    if limit and count > limit:
        say(f"    ... and {count - limit} more (--limit 0 shows all)", out)
