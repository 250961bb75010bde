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

from .._environment import EnvironmentPath, EnvironmentPathError, environment_path
from .._paths import read_regular
from .._records import NamedTuple
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
