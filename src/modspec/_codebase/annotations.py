"""`surface --format github`: each finding as a GitHub Actions workflow command, so that it
shows on the pull request's line (https://docs.github.com/actions: workflow commands)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from .._bytecode import BytecodeStatus
from .surface import Category, Finding, Surface

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["render_github"]

_BYTECODE = {
    BytecodeStatus.STALE: Finding.STALE_BYTECODE,
    BytecodeStatus.MISSING: Finding.MISSING_BYTECODE,
}


def render_github(report: Surface, gates: Collection[Finding], out: TextIO) -> None:
    """One `::error` (a finding ``gates`` names) or `::warning` line per finding."""
    for finding, path, line, message in _findings(report):
        level = "error" if finding in gates else "warning"
        where = f"file={_property(path)}" + (f",line={line}" if line else "")
        title = _property(f"modspec {finding.value}")
        out.write(f"::{level} {where},title={title}::{_data(message)}\n")


def _findings(report: Surface) -> Iterator[tuple[Finding, str, int, str]]:
    for u in report.unresolved:
        if u.inactive is None and u.silenced is None:
            yield u.rule, u.site.path, u.site.line, f"{u.name} does not resolve: {u.detail}"
    for shadow in report.shadowing:
        if shadow.silenced is None:
            finding = Finding.SHADOWED if shadow.first_party else Finding.DUPLICATE
            hidden = ", ".join(shadow.hidden)
            yield finding, shadow.winner, 0, f"{shadow.name}: imported from here, hides {hidden}"
    for name, status in report.bytecode.items():
        gate = _BYTECODE.get(status)
        spec = report.modules.get(name)
        counted = name not in report.silenced_bytecode
        if gate and spec and spec.origin and counted and _first_party(report, name):
            yield gate, spec.origin, 0, f"{name}: bytecode {status.value}"
    for path, error in report.unparsable:
        yield Finding.UNPARSABLE, path, 0, error
    for path, error in report.skipped:
        yield Finding.SKIPPED, path, 0, error
    for long in report.long_names:
        yield Finding.NAME_TOO_LONG, long.site.path, long.site.line, "imported name too long"


def _first_party(report: Surface, name: str) -> bool:
    return report.categories.get(name) is Category.FIRST_PARTY


def _data(text: str) -> str:
    # The escapes the runner undoes in a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    # ... and in a property's value, where ":" and "," also delimit.
    return _data(text).replace(":", "%3A").replace(",", "%2C")
