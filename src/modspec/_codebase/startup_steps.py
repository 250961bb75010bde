"""What ``site`` runs after its own imports (startup.py's plan, item 3), as steps of site's
code for the closure's machine: the ``.pth`` files' import lines, then ``sitecustomize``."""

from __future__ import annotations

from .closure_dynamic import dynamic_imports
from .closure_program import END, EXEC, FAIL, LOAD, TRY, Step, compile_steps
from .extract import extract_source
from .startup import PthLine, StartupPlan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .conditions import Target

__all__ = ["site_steps"]


def site_steps(plan: StartupPlan, target: Target) -> list[Step]:
    """What site.main() runs after site's own imports, as steps of site's code."""
    steps: list[Step] = []
    if plan.pth_files and plan.version >= (3, 13):
        steps.append((LOAD, "encodings.utf_8_sig", 0))  # each .pth is decoded so
    by_file: dict[str, list[PthLine]] = {}
    for line in plan.pth_lines:
        by_file.setdefault(line.file, []).append(line)
    for file, file_lines in by_file.items():
        inner: list[Step] = [(EXEC, file, _line_steps(line, target)) for line in file_lines]
        # site.addpackage gives up the rest of a file at its first failing line.
        _guarded((EXEC, file, inner), steps)
    # site.execsitecustomize: an ImportError of sitecustomize itself is passed over.
    _guarded((LOAD, "sitecustomize", 0), steps)
    return steps


def _guarded(step: Step, steps: list[Step]) -> None:
    """``step`` in a try of its own, whose handler does nothing."""
    begin = len(steps)
    steps.extend([(TRY, begin + 3, 0), step, (END, begin + 3, 0)])


def _line_steps(line: PthLine, target: Target) -> list[Step]:
    source = line.text.strip().encode("utf-8", "surrogateescape")
    try:
        refs, _fast = extract_source(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # site's exec would raise: the file's remaining lines are given up.
        return [(FAIL, "does not compile", line.line)]
    dynamic = dynamic_imports(source, "site", None).refs
    # The line numbers are the .pth file's.
    refs = tuple(ref._replace(line=line.line) for ref in refs)
    dynamic = tuple(ref._replace(line=line.line) for ref in dynamic)
    return compile_steps(refs, dynamic, None, target)
