"""Lazy-import candidates held to a real change: predicted saving against measured saving.

For each package, ``importtime`` ranks the candidates on a copy of the package's top-level
tree (so that both sides load from the same kind of place). Then, for each of the top few, a
second copy is rewritten: the module-level import statement becomes ``pass``, and the same
statement opens each outermost function that reads one of its names. Both copies are imported
by fresh ``python -I`` children, in turn, and the least CPU time of each side's children is
kept: the difference is the measured saving (CPU, not wall time: on a machine shared with
other jobs the wall time of a child is mostly the others' noise). The modules the candidate
was to defer must be gone from the rewritten copy's import, which is checked too.

    python benchmarks/lazy_check.py                      # the default packages, as Markdown
    python benchmarks/lazy_check.py hypothesis --top 3 --repeat 30
"""

from __future__ import annotations

import argparse
import ast
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from modspec._codebase.importtime import importtime
from modspec._codebase.importtime_child import run_child

# Candidates in the package itself and in the standard library it pulls in.
PACKAGES = ["hypothesis", "email.mime.text", "pytest"]


@dataclass(frozen=True)
class Check:
    package: str
    where: str  # file:line, relative to the copy
    statement: str
    predicted_us: int
    measured_us: int
    deferred: int  # modules the candidate was to defer
    still_loaded: tuple[str, ...]  # of those, what the rewritten copy loaded all the same


def _top_level(file: str, module: str) -> Path:
    """The file or directory of ``module``'s top-level package (what gets copied)."""
    path = Path(file)
    for _ in range(module.count(".") + (path.name == "__init__.py")):
        path = path.parent
    return path


def _copy(source: Path, into: Path) -> Path:
    target = into / source.name
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(source, target)
    return target


def rewrite(source: str, line: int, names: Sequence[str]) -> str | None:
    """``source`` with the module-level import at ``line`` moved into each outermost function
    that reads one of ``names``; None where a function's body shares its ``def`` line (no
    line of its own to put the import on)."""
    tree = ast.parse(source)
    statement = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno == line
    )
    text = ast.unparse(statement)
    wanted = set(names)
    inserts: dict[int, str] = {}
    blocked = False

    def outermost(body: Sequence[ast.stmt]) -> None:
        nonlocal blocked
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(isinstance(n, ast.Name) and n.id in wanted for n in ast.walk(node)):
                    first = node.body[0]
                    blocked = blocked or first.lineno == node.lineno
                    inserts[first.lineno] = " " * first.col_offset + text + "\n"
            elif isinstance(node, ast.ClassDef):
                outermost(node.body)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                outermost([*node.body, *getattr(node, "orelse", [])])

    outermost(tree.body)
    if blocked:
        return None
    end = statement.end_lineno or line
    indent = " " * statement.col_offset
    out: list[str] = []
    for number, piece in enumerate(source.splitlines(keepends=True), 1):
        if number in inserts:
            out.append(inserts[number])
        if number == line:
            # A statement over several lines leaves as many: the others keep their numbers.
            out.append(indent + "pass\n" + "\n" * (end - line))
        elif not line < number <= end:
            out.append(piece)
    return "".join(out)


def _cpu_us(package: str, path: list[str]) -> int:
    """The CPU time (user and system) of a fresh ``python -I`` that imports ``package`` on
    ``path``: on a machine shared with other jobs, wall time is mostly the others' noise."""
    script = f"import sys; sys.path[:] = {path!r}; import {package}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(spent * 1e6)


def compare(
    package: str, base: list[str], variant: list[str], repeat: int
) -> tuple[int, int, set[str]]:
    """The least CPU time of ``import package`` on each path over ``repeat`` children each,
    run in turn (the machine's drift falls on both sides alike), and what the variant loads."""
    loaded = set(run_child([package], variant, timeout=120).loaded)  # bytecode written too
    run_child([package], base, timeout=120)
    bases: list[int] = []
    variants: list[int] = []
    for _ in range(repeat):
        bases.append(_cpu_us(package, base))
        variants.append(_cpu_us(package, variant))
    return min(bases), min(variants), loaded


def check(package: str, top: int, repeat: int, work: Path) -> list[Check]:
    """The top ``top`` candidates of ``package``, each rewritten in a copy and measured."""
    first = importtime([package], repeat=1)
    root = first.modules[0]  # the root's top-level package, loaded first
    assert root.source is not None, root
    base = work / "base"
    base.mkdir()
    _copy(_top_level(root.source, root.name), base)
    base_path = [str(base), *first.path]
    found = importtime([package], path=base_path, repeat=repeat)
    checks = []
    for index, entry in enumerate(c for c in found.candidates if c.saving_us > 0):
        if len(checks) >= top:
            break
        variant = work / f"variant-{index}"
        variant.mkdir()
        tree = _top_level(entry.file, entry.module)
        _copy(tree, variant)
        relative = Path(entry.file).relative_to(tree.parent)
        target = variant / relative
        rewritten = rewrite(target.read_text(encoding="utf-8"), entry.line, entry.names)
        if rewritten is None:
            continue
        target.write_text(rewritten, encoding="utf-8")
        before, after, loaded = compare(package, base_path, [str(variant), *base_path], repeat)
        checks.append(
            Check(
                package,
                f"{relative}:{entry.line}",
                entry.statement,
                entry.saving_us,
                before - after,
                len(entry.deferred),
                tuple(name for name in entry.deferred if name in loaded),
            )
        )
    return checks


def table(checks: Sequence[Check]) -> str:
    rows = [
        "| package | candidate | statement | defers | predicted | measured | still loaded |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for c in checks:
        statement = c.statement if len(c.statement) < 60 else c.statement[:57] + "..."
        rows.append(
            f"| `{c.package}` | `{c.where}` | `{statement}` | {c.deferred} | "
            f"{c.predicted_us / 1000:.1f} ms | {c.measured_us / 1000:.1f} ms | "
            f"{', '.join(c.still_loaded) or '-'} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=PACKAGES)
    parser.add_argument("--top", type=int, default=3, help="candidates per package")
    parser.add_argument("--repeat", type=int, default=20, help="children per side")
    args = parser.parse_args(argv)
    checks = []
    for package in args.packages:
        with tempfile.TemporaryDirectory() as work:
            checks.extend(check(package, args.top, args.repeat, Path(work)))
    print(table(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
