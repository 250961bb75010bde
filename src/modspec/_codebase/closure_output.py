"""``modspec closure`` and ``modspec why``: the versioned JSON and the text reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from .._version import __version__
from .closure import Closure, ClosureEdge, LoadedModule, Total, Via
from .printable import say
from .sources import shown_path
from .timings import seconds_json, seconds_text

__all__ = [
    "SCHEMA",
    "WHY_SCHEMA",
    "render_json",
    "render_text",
    "render_why_json",
    "render_why_text",
    "shown_entries",
    "shown_where",
    "via_json",
]

SCHEMA = "modspec.closure/1"
WHY_SCHEMA = "modspec.why/1"


def via_json(via: Via | None) -> dict[str, object] | None:
    if via is None:
        return None
    return {"importer": via.importer, "file": via.file, "line": via.line}


def _total_json(total: Total) -> dict[str, int]:
    return {"modules": total.modules, "source_bytes": total.source_bytes}


def _module_json(module: LoadedModule) -> dict[str, object]:
    return {
        "name": module.name,
        "category": module.category.value,
        "kind": module.kind.value,
        "origin": module.origin,
        "source": module.source,
        "source_bytes": module.source_bytes,
        "via": via_json(module.via),
        "depth": module.depth,
        "startup": module.startup,
    }


def _edge_json(edge: ClosureEdge) -> dict[str, object]:
    return {"importer": edge.importer, "target": edge.target, "file": edge.file, "line": edge.line}


def render_json(found: Closure) -> dict[str, object]:
    """The document ``modspec closure --json`` prints (docs/closure-json.md)."""
    return {
        "schema": SCHEMA,
        "modspec": __version__,
        "backend": found.backend,
        "roots": list(found.roots),
        "target": found.target.describe(),
        "seconds": seconds_json(found.seconds),
        "startup": {"included": found.include_startup, "modules": list(found.startup)},
        "totals": {
            **_total_json(found.totals()),
            "by_category": {c.value: _total_json(t) for c, t in found.by_category().items()},
            "by_top_level": {n: _total_json(t) for n, t in found.by_top_level().items()},
        },
        "modules": [_module_json(module) for module in found.modules],
        "completed": list(found.completed),
        "unread": [module.name for module in found.unread()],
        "dynamic": [
            {"module": d.module, "file": d.file, "line": d.line, "kind": d.kind, "text": d.text}
            for d in found.dynamic
        ],
        "failures": [
            {
                "name": f.name,
                "reason": f.reason,
                "handled": f.handled,
                "via": via_json(f.site),
            }
            for f in found.failures
        ],
        "failed": list(found.failed),
    }


def _bytes(size: int) -> str:
    return f"{size:,} B" if size < 10_240 else f"{size // 1024:,} KiB"


def shown_where(via: Via | None, entries: Sequence[str]) -> str:
    if via is None or via.file is None:
        return ""
    return f"{shown_path(via.file, entries)}:{via.line}"


def shown_entries(found: Closure) -> list[str]:
    """The path entries a file of the closure is shown relative to (``shown_path``)."""
    # Longest first: a file under site-packages is shown from there, not from the prefix.
    return sorted((entry.rstrip("/") for entry in found.path if entry), key=len, reverse=True)


def render_text(
    found: Closure,
    out: TextIO,
    *,
    limit: int,
    tree: bool = True,
    seconds: Callable[[str], object] | None = None,
) -> None:
    """The summary, then every module in load order (indented by how deep in the imports it
    starts), with the file and line of the statement that loads it. ``seconds`` writes the
    time the closure took (default: ``out.write``)."""
    target = found.target.describe()
    roots = ", ".join(found.roots)
    say(
        f"modspec closure of {roots} (python {target['python_version']}, {target['platform']};"
        " nothing imported)",
        out,
    )
    total = found.totals()
    beyond = (
        "the interpreter's start-up included"
        if found.include_startup
        else f"beyond the {len(found.startup)} modules of the interpreter's start-up"
    )
    say(f"  {total.modules:,} modules, {_bytes(total.source_bytes)} of source, {beyond}", out)
    out.write("  time: ")
    (out.write if seconds is None else seconds)(seconds_text(found.seconds))
    say(f" ({found.backend} core)", out)
    say("\nby category:", out)
    for category, counted in found.by_category().items():
        say(
            f"  {category.value:<14} {counted.modules:>6,}  {_bytes(counted.source_bytes):>10}", out
        )
    tops = list(found.by_top_level().items())
    say("\nby top-level package (source bytes):", out)
    for name, counted in tops[: limit or None]:
        say(f"  {name:<30} {counted.modules:>6,}  {_bytes(counted.source_bytes):>10}", out)
    _more(len(tops), limit, out)
    entries = shown_entries(found)
    if tree:
        say("\nmodules in load order (indented by import depth; loaded at file:line):", out)
        for module in found.modules:
            indent = "  " * (module.depth + 1)
            where = shown_where(module.via, entries) or "(a root)"
            say(f"{indent}{module.name:<{max(1, 44 - len(indent))}} {where}", out)
    unread = found.unread()
    if unread:
        names = ", ".join(m.name for m in unread[: limit or None])
        extra = f" and {len(unread) - limit} more" if limit and len(unread) > limit else ""
        say(
            f"\nloaded without reading their code (their own imports not followed): {len(unread)}",
            out,
        )
        say(f"  {names}{extra}", out)
    _dynamic(found, entries, limit, out)
    _failures(found, entries, limit, out)


def _more(count: int, limit: int, out: TextIO) -> None:
    if limit and count > limit:
        say(f"    ... and {count - limit} more (--limit 0 shows all)", out)


def _dynamic(found: Closure, entries: Sequence[str], limit: int, out: TextIO) -> None:
    if not found.dynamic:
        return
    say(f"\ndynamic imports not followed: {len(found.dynamic)}", out)
    for site in found.dynamic[: limit or None]:
        where = f"{shown_path(site.file, entries)}:{site.line}" if site.file else site.module
        say(f"  {where}  {site.text}", out)
    _more(len(found.dynamic), limit, out)


def _failures(found: Closure, entries: Sequence[str], limit: int, out: TextIO) -> None:
    raising = [f for f in found.failures if not f.handled]
    if not raising:
        return
    say(
        f"\nimports that would raise ImportError, taken as in branches not run: {len(raising)}",
        out,
    )
    for failure in raising[: limit or None]:
        where = shown_where(failure.site, entries) or "(a root)"
        say(f"  {failure.name}: {failure.reason}  {where}", out)
    _more(len(raising), limit, out)


def render_why_json(
    found: Closure, name: str, chains: Sequence[Sequence[ClosureEdge]]
) -> dict[str, object]:
    """The document ``modspec why --json`` prints (docs/closure-json.md)."""
    module = found.module(name)
    return {
        "schema": WHY_SCHEMA,
        "modspec": __version__,
        "roots": list(found.roots),
        "target": name,
        "via": None if module is None else via_json(module.via),
        "chains": [[_edge_json(edge) for edge in chain] for chain in chains],
    }


def render_why_text(
    found: Closure, name: str, chains: Sequence[Sequence[ClosureEdge]], out: TextIO
) -> None:
    """Each chain, one import statement per line (file:line, importer -> imported)."""
    entries = shown_entries(found)
    roots = ", ".join(found.roots)
    length = len(chains[0]) if chains else 0
    plural = "s" if len(chains) != 1 else ""
    say(
        f"{name} is loaded by importing {roots}: {len(chains)} shortest chain{plural} of {length}",
        out,
    )
    for index, chain in enumerate(chains, 1):
        say(f"\n  chain {index}:", out)
        if not chain:
            say(f"    {name} is a root (or a root's parent package)", out)
        for edge in chain:
            where = shown_where(Via(edge.importer, edge.file, edge.line), entries)
            say(f"    {edge.importer} -> {edge.target}  {where}", out)
    module = found.module(name)
    if module is not None and module.via is not None:
        where = shown_where(module.via, entries)
        say(f"\n  first loaded at {where} (by {module.via.importer})", out)
