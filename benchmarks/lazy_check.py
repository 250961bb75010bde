"""Lazy-import candidates held to a real change: predicted saving against measured saving.

For each package, ``importtime`` ranks the candidates on a copy of the package's top-level
tree (so that both sides load from the same kind of place). Then, for each of the top few
alone and for all of them at once, the top-level trees they are in are copied again and
rewritten: the module-level import statement becomes ``pass``, and the same statement opens
each outermost function that reads one of its names. The prediction is the measured self
time of what that leaves unloaded (``ImportTime.deferring``). Each side is imported by fresh
``python -I`` children, in turn, and the least CPU time of each side's children is kept: the
difference is the measured saving (CPU, not wall time: on a machine shared with other jobs
the wall time of a child is mostly the others' noise). The same copy twice shows the noise.
The modules a change was to leave unloaded must be gone from the rewritten copy's import,
which is checked too.

    python benchmarks/lazy_check.py                      # the default packages, as Markdown
    python benchmarks/lazy_check.py hypothesis --top 3 --repeat 60
"""

from __future__ import annotations

import argparse
import ast
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from modspec._codebase.importtime import LazyImport, importtime
from modspec._codebase.importtime_child import run_child

# Candidates in the package itself and in the standard library it pulls in.
PACKAGES = ["hypothesis", "email.mime.text", "pytest"]


@dataclass(frozen=True)
class Check:
    package: str
    change: str  # what was rewritten
    predicted_us: int
    import_us: int  # the import's modules' self times, summed (each the least of the runs)
    measured_us: int  # by CPU time
    instructions: float | None  # the share of the import's instructions the change took off
    deferred: int  # modules the change was to leave unloaded
    still_loaded: tuple[str, ...]  # of those, what the rewritten copy loaded all the same


def _top_level(file: str, module: str) -> Path:
    """The file or directory of ``module``'s top-level package (what gets copied)."""
    path = Path(file)
    for _ in range(module.count(".") + (path.name == "__init__.py")):
        path = path.parent
    return path


def _copy(source: Path, into: Path) -> None:
    target = into / source.name
    if target.exists():
        return
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(source, target)


def _module_level_imports(body: Sequence[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.With, ast.For, ast.While)):
            yield from _module_level_imports([*node.body, *getattr(node, "orelse", [])])


def rewrite(source: str, statement: str, names: Sequence[str]) -> str | None:
    """``source`` with its first module-level import spelled ``statement`` (as ast.unparse
    spells it) moved into each outermost function that reads one of ``names``; None where
    there is none, or a function's body shares its ``def`` line."""
    tree = ast.parse(source)
    node = next((n for n in _module_level_imports(tree.body) if ast.unparse(n) == statement), None)
    if node is None:
        return None
    wanted = set(names)
    inserts: dict[int, str] = {}
    blocked = False

    def outermost(body: Sequence[ast.stmt]) -> None:
        nonlocal blocked
        for child in body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(isinstance(n, ast.Name) and n.id in wanted for n in ast.walk(child)):
                    first = child.body[0]
                    blocked = blocked or first.lineno == child.lineno
                    inserts[first.lineno] = " " * first.col_offset + statement + "\n"
            elif isinstance(child, ast.ClassDef):
                outermost(child.body)
            elif isinstance(child, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                outermost([*child.body, *getattr(child, "orelse", [])])

    outermost(tree.body)
    if blocked:
        return None
    line, end = node.lineno, node.end_lineno or node.lineno
    out: list[str] = []
    for number, piece in enumerate(source.splitlines(keepends=True), 1):
        if number in inserts:
            out.append(inserts[number])
        if number == line:
            out.append(" " * node.col_offset + "pass\n" + "\n" * (end - line))
        elif not line < number <= end:
            out.append(piece)
    return "".join(out)


def _apply(entries: Sequence[LazyImport], variant: Path) -> list[LazyImport]:
    """Copies the top-level trees ``entries`` are in under ``variant`` and rewrites each
    entry there; the entries rewritten."""
    applied = []
    for entry in entries:
        tree = _top_level(entry.file, entry.module)
        _copy(tree, variant)
        target = variant / Path(entry.file).relative_to(tree.parent)
        rewritten = rewrite(target.read_text(encoding="utf-8"), entry.statement, entry.names)
        if rewritten is not None:
            target.write_text(rewritten, encoding="utf-8")
            applied.append(entry)
    return applied


def _cpu_us(package: str, path: list[str]) -> int:
    """The CPU time (user and system) of a fresh ``python -I`` that imports ``package`` on
    ``path``: on a machine shared with other jobs, wall time is mostly the others' noise."""
    script = f"import sys; sys.path[:] = {path!r}; import {package}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(spent * 1e6)


_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _instructions(script: str) -> int | None:
    """The instructions a fresh ``python -I -c script`` runs, counted by valgrind's
    cachegrind (the same to a thousandth from run to run, whatever the machine's load);
    None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    counter = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    done = subprocess.run(
        [*counter, sys.executable, "-I", "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _REFS.search(done.stderr)
    return None if found is None else int(found.group(1).replace(",", ""))


def _import_instructions(package: str, path: list[str]) -> int | None:
    """The instructions of ``import package`` on ``path``: a child's, less those of the same
    child importing nothing."""
    setup = f"import sys; sys.path[:] = {path!r}"
    with_import = _instructions(f"{setup}; import {package}")
    alone = _instructions(setup)
    return None if with_import is None or alone is None else with_import - alone


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
    """The same copy twice (the noise), each of the top ``top`` candidates of ``package``
    alone, then all of its candidates that save time at once: each rewritten in a copy and
    measured against the unchanged copy."""
    first = importtime([package], repeat=1)
    root = first.modules[0]  # the root's top-level package, loaded first
    assert root.source is not None, root
    base = work / "base"
    base.mkdir()
    _copy(_top_level(root.source, root.name), base)
    base_path = [str(base), *first.path]
    found = importtime([package], path=base_path, repeat=repeat)
    # The sum of the modules' least self times, not the root's least cumulative time: on a
    # loaded machine a long window is likelier to be preempted than each short one.
    import_us = found.totals().self_us
    # A variant's directory comes first on its path: the base side gets an empty one there,
    # so that both search as many directories.
    (work / "empty").mkdir()
    plain = [str(work / "empty"), *base_path]
    base_instructions = _import_instructions(package, plain)
    saving = [c for c in found.candidates if c.saving_us > 0]
    plans: list[tuple[str, list[LazyImport]]] = [("none: the same copy twice", [])]
    plans.extend((f"`{Path(c.file).name}:{c.line}` `{c.statement}`", [c]) for c in saving[:top])
    plans.append((f"all {len(saving)} candidates that save time", saving))
    checks = []
    for index, (change, entries) in enumerate(plans):
        variant = work / f"variant-{index}"
        variant.mkdir()
        if entries:
            applied = _apply(entries, variant)
        else:
            _copy(_top_level(root.source, root.name), variant)
            applied = []
        gone, predicted = found.deferring((e.module, e.line) for e in applied)
        if entries and len(applied) < len(entries):
            change += f" ({len(applied)} rewritten)"
        path = [str(variant), *base_path]
        before, after, loaded = compare(package, plain, path, repeat)
        still = tuple(name for name in gone if name in loaded)
        counted = _import_instructions(package, path)
        share = None
        if base_instructions and counted is not None:
            share = (base_instructions - counted) / base_instructions
        checks.append(
            Check(package, change, predicted, import_us, before - after, share, len(gone), still)
        )
    return checks


def table(checks: Sequence[Check]) -> str:
    """Predicted: the measured self time of what the change leaves unloaded (and its share
    of the import). Instructions: the share of the import's instructions the change took off,
    and that share of the import's time. CPU: the least CPU time of the children, before
    less after (the noise is the first row of each package)."""
    rows = [
        "| package | change | defers | predicted | instructions | CPU | still loaded |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for c in checks:
        change = c.change if len(c.change) < 90 else c.change[:86] + "...`"
        share = c.predicted_us / c.import_us if c.import_us else 0.0
        predicted = f"{c.predicted_us / 1000:.1f} ms ({share:.1%})"
        counted = "-"
        if c.instructions is not None:
            counted = f"{c.instructions:.1%} (≈{c.instructions * c.import_us / 1000:.1f} ms)"
        rows.append(
            f"| `{c.package}` | {change} | {c.deferred} | {predicted} | {counted} | "
            f"{c.measured_us / 1000:.1f} ms | {', '.join(c.still_loaded) or '-'} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=PACKAGES)
    parser.add_argument("--top", type=int, default=3, help="candidates per package")
    parser.add_argument("--repeat", type=int, default=40, help="children per side")
    args = parser.parse_args(argv)
    checks = []
    for package in args.packages:
        with tempfile.TemporaryDirectory() as work:
            checks.extend(check(package, args.top, args.repeat, Path(work)))
    print(table(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
