"""What the interpreter has imported before a program's first statement runs, as a plan for
the closure's machine: the modules its C start-up sets up, those it imports, and what
``site`` runs (its own imports, the ``.pth`` files' import lines, ``sitecustomize``).

Modelled for ``python -I`` (isolated: no user site, no ``PYTHON*`` variables) on POSIX, after
Python/pylifecycle.c (3.10–3.13):

1. ``sys`` and ``builtins``; importlib's ``_bootstrap._setup`` and ``_bootstrap_external``'s
   ``_install`` take ``_imp``, ``_thread``, ``_warnings``, ``_weakref``, ``_io``, ``marshal``
   and ``posix`` by name (``_builtin_from_name``, no import statement); ``zipimport`` (the
   first path hook) brings ``time``. These are set up, not imported: their code's own import
   statements are not what ran.
2. ``encodings`` (the codec registry), the filesystem encoding's codec and the standard
   streams' (the locale's), ``_signal``, ``io`` (the standard streams): real imports.
3. ``site``: its import statements, then ``main()``'s work: each site-packages directory's
   ``.pth`` files in name order (3.13 decodes them as ``utf-8-sig``, importing that codec),
   each import line run by ``exec``, a file's remaining lines given up at its first error;
   then ``import sitecustomize`` where there is one.
4. 3.13 imports ``linecache`` last.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Sequence
from typing import NamedTuple

from .._environment import EnvironmentPath, EnvironmentPathError, environment_path
from .._paths import read_regular
from .closure_dynamic import dynamic_imports
from .closure_program import END, EXEC, FAIL, LOAD, TRY, Step, compile_steps
from .conditions import Target
from .extract import extract_source
from .reading import CONFIG_LIMIT

__all__ = ["INITIALISED", "StartupPlan", "codec_module", "plan_startup"]

# Set up by the C start-up and importlib's _setup, in the order sys.modules gets them.
INITIALISED = (
    "sys",
    "builtins",
    "_frozen_importlib",
    "_imp",
    "_thread",
    "_warnings",
    "_weakref",
    "_io",
    "marshal",
    "posix",
    "_frozen_importlib_external",
    "time",
    "zipimport",
)


class PthLine(NamedTuple):
    """An import line of a ``.pth`` file, which ``site`` runs."""

    file: str
    line: int  # from 1
    text: str


class StartupPlan(NamedTuple):
    """The start-up, as names and steps for the machine."""

    initialised: tuple[str, ...]  # set up, their code not run
    imported: tuple[str, ...]  # imported, in order, before site
    site: bool  # whether site runs (not under -S)
    pth_files: tuple[str, ...]  # the .pth files site reads, in order
    pth_lines: tuple[PthLine, ...]  # their import lines, in order
    after_site: tuple[str, ...]  # imported after site
    version: tuple[int, int]  # the interpreter's


def codec_module(encoding: str) -> str | None:
    """The ``encodings`` submodule ``codecs.lookup(encoding)`` imports, by
    ``encodings.search_function``'s rules; None for a codec the registry builds in."""
    import encodings  # the codec registry: loaded in every interpreter already

    # Mirrors encodings.search_function (3.10–3.13), after codecs.lookup's lower-casing.
    normalized = encodings.normalize_encoding(encoding.lower().replace(" ", "_"))
    aliases: dict[str, str] = encodings.aliases.aliases
    aliased = aliases.get(normalized) or aliases.get(normalized.replace(".", "_"))
    for name in (aliased, normalized):
        if name and "." not in name:
            return f"encodings.{name}"
    return None


def _stdio_encoding() -> str:
    # The locale's encoding, as the standard streams get it under -I (PYTHONIOENCODING and
    # PYTHONUTF8 are not read); the locale module only where it is asked.
    import locale

    getencoding = getattr(locale, "getencoding", None)  # 3.11+
    if getencoding is not None:
        return str(getencoding())
    return locale.getpreferredencoding(False)


def plan_startup(
    environment: EnvironmentPath | None = None,
    *,
    site: bool = True,
    version: tuple[int, int] | None = None,
) -> StartupPlan:
    """The start-up of this interpreter (or of ``environment``'s, with this interpreter's
    built-in modules): ``site`` False models ``-S``."""
    version = sys.version_info[:2] if version is None else version
    codecs_used = []
    for encoding in (sys.getfilesystemencoding(), _stdio_encoding()):
        module = codec_module(codecs.lookup(encoding).name)
        if module is not None and module not in codecs_used:
            codecs_used.append(module)
    imported = ("encodings", *codecs_used, "_signal", "io")
    pth_files: tuple[str, ...] = ()
    lines: tuple[PthLine, ...] = ()
    if site:
        if environment is None:
            try:
                environment = environment_path(sys.executable)
            except EnvironmentPathError:
                environment = None
        if environment is not None:
            pth_files = environment.pth_files
            lines = _numbered(environment.skipped_imports)
    after = ("linecache",) if version >= (3, 13) else ()
    return StartupPlan(INITIALISED, imported, site, pth_files, lines, after, version)


def _numbered(skipped: Sequence[tuple[str, str]]) -> tuple[PthLine, ...]:
    """Each (pth file, import line) with its line number, read from the file again."""
    found: list[PthLine] = []
    taken: dict[str, set[int]] = {}
    for file, text in skipped:
        try:
            content = read_regular(file, CONFIG_LIMIT).decode("utf-8", "replace")
        except OSError:
            content = ""
        used = taken.setdefault(file, set())
        number = next(
            (
                index
                for index, line in enumerate(content.splitlines(), 1)
                if index not in used and line.rstrip("\r\n") == text
            ),
            0,
        )
        used.add(number)
        found.append(PthLine(file, number, text))
    return tuple(found)


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
