"""The ``modspec`` command line: resolve names, predict attributes, survey a path or a code base.

Only the parser lives here: each command's module (modspec._commands) is imported when that
command runs, so that `modspec --help` or `modspec resolve` loads nothing the others need.
Start-up is what an editor or a CI step pays on every call, so the parser is built for the
command that runs: every command has its line in `modspec --help`, but only the one named gets
its options. Two calls need no parser at all: `modspec --version` alone, and `modspec resolve`
or `info` followed by names only (no option), whose arguments are then the parser's defaults.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import SimpleNamespace

from ._version import __version__

# argparse is imported where the parser is built (`modspec --version` needs none), and
# typing.TYPE_CHECKING without importing typing: start-up is this module's whole job.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import enum
    from collections.abc import Callable, Sequence
    from typing import NoReturn, TypeVar

    from ._codebase.findings import Finding
    from ._codebase.surface import Category

    _E = TypeVar("_E", bound=enum.Enum)

__all__ = ["main"]

# Exit statuses, as ruff's: findings that --fail-on names; any abnormal end (a bad option or
# configuration, an unreadable input, an I/O error); an interrupt (128 + SIGINT).
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def _count(text: str, *, least: int) -> int:
    import argparse  # loaded already: the parser calls this

    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number >= {least}")
    return value


def _members(kind: type[_E], text: str) -> tuple[_E, ...]:
    """The members of ``kind`` that ``text`` names by value, comma-separated."""
    import argparse  # loaded already: the parser calls this

    try:
        return tuple(kind(word.strip()) for word in text.split(",") if word.strip())
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {known}") from None


def _fail_on(text: str) -> tuple[Finding, ...]:
    from ._codebase.findings import Finding

    return _members(Finding, text)


def _categories(text: str) -> tuple[Category, ...]:
    from ._codebase.surface import Category  # only when asked: no small import

    return _members(Category, text)


def _seconds(text: str) -> float:
    import argparse  # loaded already: the parser calls this

    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds > 0")
    return value


def _level(text: str) -> int | None:
    import argparse  # loaded already: the parser calls this

    if text == "module":
        return None
    if text == "package":
        return 1
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: choose module, package or a number of parts")


def _limit_option(command: argparse.ArgumentParser, rows: str) -> None:
    command.add_argument("--limit", type=lambda text: _count(text, least=0), default=10, help=rows)


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
    _limit_option(command, "rows per section of the report (0: all)")
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
    _cache_option(command, "each file's extracted imports and whole answers")
    _html_option(command)


def _cache_option(command: argparse.ArgumentParser, kept: str) -> None:
    command.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help=f"read every file, neither using nor updating the cache ({kept}, kept in "
        "$MODSPEC_CACHE_DIR, else the user's cache directory; an answer is replayed only "
        "while nothing it was read from has changed)",
    )


def _html_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--html",
        metavar="FILE",
        help="also write the report as one self-contained HTML page (pictures and sortable "
        "tables; needs modspec[html])",
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


def _closure_command(command: argparse.ArgumentParser) -> None:
    command.add_argument("modules", nargs="+", metavar="MODULE")
    _closure_options(command)
    command.add_argument(
        "--include-startup",
        action="store_true",
        help="list the modules the interpreter loads at start-up too",
    )
    _limit_option(command, "rows per summary section (0: all)")
    command.add_argument(
        "--summary", action="store_true", help="leave out the list of every module"
    )
    _cache_option(command, "whole answers")
    _html_option(command)


def _why_command(command: argparse.ArgumentParser) -> None:
    command.add_argument("module", metavar="MODULE")
    command.add_argument("target", metavar="TARGET")
    _closure_options(command)
    _limit_option(command, "chains at most (0: all)")


def _path_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands over a search path (resolve, info, scan, surface, graph)."""
    command.add_argument(
        "--path",
        action="append",
        metavar="DIR",
        help="a path entry (repeat for several); default: this interpreter's sys.path "
        "(for surface: the roots' source directories, then sys.path)",
    )
    command.add_argument("--json", action="store_true", help="print JSON")


def _names_command(command: argparse.ArgumentParser) -> None:
    command.add_argument("names", nargs="+", metavar="NAME")
    command.add_argument("--package", help="package for relative names such as .sibling")
    _path_options(command)


def _surface_command(command: argparse.ArgumentParser) -> None:
    from ._codebase.findings import Finding

    _code_base_options(command)
    command.add_argument(
        "--fail-on",
        type=_fail_on,
        action="append",
        metavar="FINDING[,...]",
        help="exit 1 when any of these is found (repeatable): "
        + ", ".join(f.value for f in Finding),
    )
    command.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (a report), json (as --json) or github (GitHub Actions annotations, one "
        "per finding: errors for those --fail-on names, warnings for the rest)",
    )
    _path_options(command)


def _graph_command(command: argparse.ArgumentParser) -> None:
    _code_base_options(command)
    command.add_argument(
        "--format",
        choices=("text", "json", "dot", "mermaid"),
        default="text",
        help="text (a summary), json (as --json), dot (Graphviz) or mermaid (for Markdown)",
    )
    command.add_argument(
        "--level",
        type=_level,
        default=None,
        metavar="module|package|N",
        help="merge modules into their first N name parts (package: 1); edges within one "
        "merged node are left out",
    )
    command.add_argument(
        "--categories",
        type=_categories,
        metavar="LIST",
        help="only the nodes of these categories, comma-separated (first-party, third-party, "
        "stdlib, builtin, namespace, unresolved), and the edges between them: for a picture, "
        "say first-party,third-party",
    )
    command.add_argument(
        "--importers",
        metavar="MODULE",
        help="only the edges into MODULE or a module under it: who imports it, and where",
    )
    _path_options(command)


def _importtime_command(command: argparse.ArgumentParser) -> None:
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
    _limit_option(command, "rows per section of the report (0: all)")
    command.add_argument("--json", action="store_true", help="print JSON")
    _html_option(command)


# Each command, in the order `modspec --help` lists them: its line there, its description
# (None: none), what adds its options and what runs it ("module:function" of _commands).
_COMMANDS: dict[str, tuple[str, str | None, Callable[[argparse.ArgumentParser], None], str]] = {
    "resolve": ("resolve module names", None, _names_command, "names:resolve"),
    "info": (
        "predict a module's attributes once imported",
        None,
        _names_command,
        "names:info",
    ),
    "scan": (
        "resolve every module on the path and summarise",
        None,
        _path_options,
        "names:scan",
    ),
    "surface": (
        "the import surface of a code base: what its files import, and from where",
        "Walks the .py files under each ROOT, reads their imports statically, resolves every "
        "imported name in one batch and reports where each comes from. Nothing is imported "
        "or run.",
        _surface_command,
        "codebase:surface",
    ),
    "graph": (
        "the import graph of a code base: every edge, with file, line and guards",
        "Every import of every .py file under each ROOT as an edge from the importing module "
        "to the module it gets (file, line, guards), with the nodes, the cycles of eager "
        "first-party imports, and pictures. Nothing is imported or run.",
        _graph_command,
        "codebase:graph",
    ),
    "closure": (
        "what `import MODULE` loads, transitively, in load order",
        "Follows every eager import (not in a function, not under TYPE_CHECKING or "
        "`if __name__ == '__main__'`, not in a branch for another platform or version) from "
        "MODULE, as a fresh `python -I` would run them: each module once, parents first, one "
        "alternative of each try/except ImportError. Nothing is imported or run.",
        _closure_command,
        "closure:closure",
    ),
    "why": (
        "why `import MODULE` loads TARGET: the shortest chains of imports",
        "The shortest chains of import statements that run from MODULE to TARGET, each with "
        "its file and line; exit 1 when TARGET is not in MODULE's closure.",
        _why_command,
        "closure:why",
    ),
    "importtime": (
        "RUNS the import: `python -X importtime` joined with the static closure",
        "Imports each MODULE in a child interpreter (this one, -I, under -X importtime, on "
        "the path the static closure searches): this command RUNS the modules' code, unlike "
        "every other. Each measured module is joined with the statement that first loads it "
        "in the static closure; the module-level imports whose names only functions use are "
        "listed as lazy-import candidates, with the measured time deferring each would take "
        "off start-up. Exit 2, one line, when a child times out, an import raises or a child "
        "dies.",
        _importtime_command,
        "importtime:importtime",
    ),
}


def _named_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is no option (the top level's options,
    --help and --version, take no value), where that is a command."""
    word = next((word for word in argv if not word.startswith("-")), None)
    return word if word in _COMMANDS else None


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the options of ``command`` only (None: of none, as `modspec --help`,
    a missing or an unknown command need)."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        """argparse's parser, whose errors are one line on stderr (usage is what --help is
        for)."""

        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    class _Formatter(argparse.HelpFormatter):
        """argparse's formatter, as wide as the terminal, measured without shutil."""

        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=_columns() - 2)

    parser = _Parser(
        prog="modspec",
        formatter_class=_Formatter,
        description="What `import X` would find, without importing anything.",
        epilog="exit status: 0 done, no finding that --fail-on names; 1 such findings; "
        "2 a bad option or configuration, an unreadable input or an I/O error; 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (summary, description, add_options, run) in _COMMANDS.items():
        subparser = commands.add_parser(
            name, help=summary, description=description, formatter_class=_Formatter
        )
        if name == command:
            add_options(subparser)
            subparser.set_defaults(run=run)
    return parser


def _columns() -> int:
    # Mirrors shutil.get_terminal_size().columns (3.10-3.13), which argparse's formatter asks
    # for each option added: importing shutil (and the compression modules it imports) costs
    # more than building the parser.
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, closed, or not a terminal
            columns = 0
    return columns or 80


def _names_only(words: Sequence[str]) -> SimpleNamespace | None:
    """What the parser makes of ``resolve NAME...`` or ``info NAME...`` with no option (no
    word starting with ``-``), without building it: argparse, with the gettext and locale its
    messages import, is a tenth of such a call's start-up. None for any other words."""
    if len(words) < 2 or words[0] not in ("resolve", "info"):
        return None
    if any(word.startswith("-") for word in words[1:]):
        return None
    command = words[0]
    return SimpleNamespace(
        command=command,
        names=list(words[1:]),
        package=None,
        path=None,
        json=False,
        run=_COMMANDS[command][3],
    )


def _version() -> str:
    return f"modspec {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words == ["--version"]:
        # What the parser's version action prints, without building the parser (or importing
        # argparse's gettext and shutil); a test holds the two alike.
        sys.stdout.write(_version() + "\n")
        return 0
    try:
        args = _names_only(words) or _parser(_named_command(words)).parse_args(words)
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
