"""The ``modspec`` command line: resolve names, predict attributes, survey a path or a code base.

Only the parser lives here: each command's module (modspec._commands) is imported when that
command runs, so that `modspec --help` or `modspec resolve` loads nothing the others need.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ._codebase.findings import Finding
from ._version import __version__

# typing.TYPE_CHECKING without importing typing: start-up is this module's whole job.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import enum
    from typing import NoReturn, TypeVar

    from ._codebase.surface import Category

    _E = TypeVar("_E", bound=enum.Enum)

__all__ = ["main"]

# Exit statuses, as ruff's: findings that --fail-on names; any abnormal end (a bad option or
# configuration, an unreadable input, an I/O error); an interrupt (128 + SIGINT).
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose errors are one line on stderr (usage is what --help is for)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _count(text: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number >= {least}")
    return value


def _members(kind: type[_E], text: str) -> tuple[_E, ...]:
    """The members of ``kind`` that ``text`` names by value, comma-separated."""
    try:
        return tuple(kind(word.strip()) for word in text.split(",") if word.strip())
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {known}") from None


def _fail_on(text: str) -> tuple[Finding, ...]:
    return _members(Finding, text)


def _categories(text: str) -> tuple[Category, ...]:
    from ._codebase.surface import Category  # only when asked: no small import

    return _members(Category, text)


def _level(text: str) -> int | None:
    if text == "module":
        return None
    if text == "package":
        return 1
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: choose module, package or a number of parts")


def _target_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--python-version",
        metavar="X.Y",
        help="decide `sys.version_info` tests for this version (default: this interpreter's)",
    )
    command.add_argument(
        "--platform",
        metavar="NAME",
        help="decide `sys.platform`, `os.name` and `platform.system()` tests for this "
        "sys.platform value: linux, win32, darwin, ... (default: this one's)",
    )


def _code_base_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that walk a code base (surface, graph)."""
    command.add_argument("roots", nargs="+", metavar="ROOT")
    _target_options(command)
    command.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="skip paths matching a gitignore-style pattern, relative to each root (repeatable)",
    )
    command.add_argument(
        "--no-gitignore",
        dest="gitignore",
        action="store_false",
        default=None,
        help="walk git-ignored directories and files too",
    )
    command.add_argument(
        "--limit",
        type=lambda text: _count(text, least=0),
        default=10,
        help="rows per section of the report (0: all)",
    )
    command.add_argument(
        "--workers",
        type=lambda text: _count(text, least=1),
        help="threads that scan files (default: every core)",
    )
    command.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.modspec] from this file (default: the nearest pyproject.toml with "
        "a [tool.modspec] table at or above each root)",
    )
    command.add_argument(
        "--environment",
        metavar="VENV_OR_PYTHON",
        help="search another environment's sys.path (computed statically, with its editable "
        "installs) after the roots' source directories, instead of this interpreter's",
    )
    command.add_argument(
        "--legacy-namespaces",
        action="store_true",
        help="resolve below pkgutil/pkg_resources namespace packages as after their "
        "__init__ ran (default: as before, CPython's answer for a fresh process)",
    )
    command.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="read every file, neither using nor updating the cache of extracted imports "
        "(kept in $MODSPEC_CACHE_DIR, else the user's cache directory)",
    )


def _closure_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that follow a module's imports (closure, why)."""
    _target_options(command)
    command.add_argument(
        "--path",
        action="append",
        metavar="DIR",
        help="a path entry (repeat for several); default: this interpreter's sys.path",
    )
    command.add_argument(
        "--environment",
        metavar="VENV_OR_PYTHON",
        help="search another environment's sys.path (computed statically), whose "
        "site-packages' .pth files run at start-up",
    )
    command.add_argument(
        "--legacy-namespaces",
        action="store_true",
        help="resolve below pkgutil/pkg_resources namespace packages as after their __init__ ran",
    )
    command.add_argument("--json", action="store_true", help="print JSON")


def _html_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--html",
        metavar="FILE",
        help="also write the report as one self-contained HTML page (pictures and sortable "
        "tables; needs modspec[html])",
    )


def _closure_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    closure = commands.add_parser(
        "closure",
        help="what `import MODULE` loads, transitively, in load order",
        description="Follows every eager import (not in a function, not under TYPE_CHECKING "
        "or `if __name__ == '__main__'`, not in a branch for another platform or version) from "
        "MODULE, as a fresh `python -I` would run them: each module once, parents first, one "
        "alternative of each try/except ImportError. Nothing is imported or run.",
    )
    closure.add_argument("modules", nargs="+", metavar="MODULE")
    _closure_options(closure)
    closure.add_argument(
        "--include-startup",
        action="store_true",
        help="list the modules the interpreter loads at start-up too",
    )
    closure.add_argument(
        "--limit",
        type=lambda text: _count(text, least=0),
        default=10,
        help="rows per summary section (0: all)",
    )
    closure.add_argument(
        "--summary", action="store_true", help="leave out the list of every module"
    )
    _html_option(closure)
    closure.set_defaults(run="closure:closure")

    why = commands.add_parser(
        "why",
        help="why `import MODULE` loads TARGET: the shortest chains of imports",
        description="The shortest chains of import statements that run from MODULE to "
        "TARGET, each with its file and line; exit 1 when TARGET is not in MODULE's closure.",
    )
    why.add_argument("module", metavar="MODULE")
    why.add_argument("target", metavar="TARGET")
    _closure_options(why)
    why.add_argument(
        "--limit",
        type=lambda text: _count(text, least=0),
        default=10,
        help="chains at most (0: all)",
    )
    why.set_defaults(run="closure:why")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds > 0")
    return value


def _importtime_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = commands.add_parser(
        "importtime",
        help="RUNS the import: `python -X importtime` joined with the static closure",
        description="Imports each MODULE in a child interpreter (this one, -I, under "
        "-X importtime, on the path the static closure searches): this command RUNS the "
        "modules' code, unlike every other. Each measured module is joined with the statement "
        "that first loads it in the static closure; the module-level imports whose names "
        "only functions use are listed as lazy-import candidates, with the measured time "
        "deferring each would take off start-up. Exit 2, one line, when a child times out, "
        "an import raises or a child dies.",
    )
    command.add_argument("modules", nargs="+", metavar="MODULE")
    command.add_argument(
        "--path",
        action="append",
        metavar="DIR",
        help="a path entry (repeat for several); default: this interpreter's sys.path",
    )
    command.add_argument(
        "--repeat",
        type=lambda text: _count(text, least=1),
        default=5,
        metavar="N",
        help="run N children and keep each module's least time (default: 5)",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        metavar="S",
        help="stop a child after S seconds (default: 60)",
    )
    command.add_argument(
        "--no-isolate",
        dest="isolate",
        action="store_false",
        help="run the child without -I: PYTHON* variables and the user site apply",
    )
    command.add_argument(
        "--limit",
        type=lambda text: _count(text, least=0),
        default=10,
        help="rows per section of the report (0: all)",
    )
    command.add_argument("--json", action="store_true", help="print JSON")
    _html_option(command)
    command.set_defaults(run="importtime:importtime")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="modspec",
        description="What `import X` would find, without importing anything.",
        epilog="exit status: 0 done, no finding that --fail-on names; 1 such findings; "
        "2 a bad option or configuration, an unreadable input or an I/O error; 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"modspec {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    resolve = commands.add_parser("resolve", help="resolve module names")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--package", help="package for relative names such as .sibling")
    resolve.set_defaults(run="names:resolve")

    info = commands.add_parser("info", help="predict a module's attributes once imported")
    info.add_argument("names", nargs="+", metavar="NAME")
    info.add_argument("--package", help="package for relative names such as .sibling")
    info.set_defaults(run="names:info")

    scan = commands.add_parser("scan", help="resolve every module on the path and summarise")
    scan.set_defaults(run="names:scan")

    surface_ = commands.add_parser(
        "surface",
        help="the import surface of a code base: what its files import, and from where",
        description="Walks the .py files under each ROOT, reads their imports statically, "
        "resolves every imported name in one batch and reports where each comes from. "
        "Nothing is imported or run.",
    )
    _code_base_options(surface_)
    surface_.add_argument(
        "--fail-on",
        type=_fail_on,
        action="append",
        metavar="FINDING[,...]",
        help="exit 1 when any of these is found (repeatable): "
        + ", ".join(f.value for f in Finding),
    )
    surface_.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (a report), json (as --json) or github (GitHub Actions annotations, one "
        "per finding: errors for those --fail-on names, warnings for the rest)",
    )
    _html_option(surface_)
    surface_.set_defaults(run="codebase:surface")

    graph = commands.add_parser(
        "graph",
        help="the import graph of a code base: every edge, with file, line and guards",
        description="Every import of every .py file under each ROOT as an edge from the "
        "importing module to the module it gets (file, line, guards), with the nodes, the "
        "cycles of eager first-party imports, and pictures. Nothing is imported or run.",
    )
    _code_base_options(graph)
    graph.add_argument(
        "--format",
        choices=("text", "json", "dot", "mermaid"),
        default="text",
        help="text (a summary), json (as --json), dot (Graphviz) or mermaid (for Markdown)",
    )
    graph.add_argument(
        "--level",
        type=_level,
        default=None,
        metavar="module|package|N",
        help="merge modules into their first N name parts (package: 1); edges within one "
        "merged node are left out",
    )
    graph.add_argument(
        "--categories",
        type=_categories,
        metavar="LIST",
        help="only the nodes of these categories, comma-separated (first-party, third-party, "
        "stdlib, builtin, namespace, unresolved), and the edges between them: for a picture, "
        "say first-party,third-party",
    )
    graph.add_argument(
        "--importers",
        metavar="MODULE",
        help="only the edges into MODULE or a module under it: who imports it, and where",
    )
    _html_option(graph)
    graph.set_defaults(run="codebase:graph")

    _closure_parsers(commands)
    _importtime_parser(commands)

    for command in (resolve, info, scan, surface_, graph):
        command.add_argument(
            "--path",
            action="append",
            metavar="DIR",
            help="a path entry (repeat for several); default: this interpreter's sys.path "
            "(for surface: the roots' source directories, then sys.path)",
        )
        command.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        module, _, function = args.run.partition(":")
        run = getattr(importlib.import_module(f"._commands.{module}", __package__), function)
        from ._gcpause import gc_paused

        # A command makes its tuples by the million and frees none: collections find nothing.
        with gc_paused():
            status: int = run(args)
        sys.stdout.flush()  # a full disk says so here, while we can still report it
    except BrokenPipeError:
        # The reader went away (`modspec scan | head`): not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown quiet
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("modspec: interrupted\n")
        return EXIT_INTERRUPTED
    except OSError as exc:
        # Output that cannot be written (ENOSPC, EIO): one line, and nothing more to flush.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown quiet
        where = f": {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"modspec: {exc.strerror or exc}{where}\n")
        return EXIT_ERROR
    return status
