"""Runs ``import MODULE`` in a child interpreter under ``-X importtime``: the one place where
modspec runs the code it inspects.

The child is this interpreter (``sys.executable``), isolated (``-I``) unless asked otherwise,
with the search path the static closure used put in ``sys.path`` before the roots' imports.
It writes marker lines on stderr around those imports, so that the start-up's report lines
(before) and the roots' (between) are told apart from whatever the imported code prints; at
the end it names the modules the import left in ``sys.modules``, as ``repr`` writes them.
"""

from __future__ import annotations

import ast
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import NamedTuple

from .importtime_report import ImportTiming, parse_report

__all__ = ["ChildError", "ChildRun", "run_child"]

# The child's code. It imports nothing (each import would be in the report) and catches
# everything the roots' imports raise, SystemExit included, to say it in one line.
_SCRIPT = r"""
import sys
MARK, PATH, NAMES = {arguments!r}
sys.path[:] = PATH
def own(items):
    return [n for n, m in items if getattr(getattr(m, "__spec__", None), "name", None) == n]
def say(text):
    for stream in (sys.stdout, sys.stderr, sys.__stderr__):
        stream.flush()
    sys.__stderr__.write("\n%s %s\n" % (MARK, text))
    sys.__stderr__.flush()
before = set(sys.modules)
say("begin")
failed = None
for name in NAMES:
    try:
        __import__(name)
    except BaseException as exc:
        said = ("%s: %s" % (type(exc).__name__, exc)).splitlines()[0]
        failed = "importing %s raised %s" % (name, said)
        break
new = own([(n, m) for n, m in list(sys.modules.items()) if n not in before])
say("end %r" % ((new, failed),))
"""


class ChildError(ValueError):
    """The child did not import the roots: it timed out, raised, or ended another way."""


class ChildRun(NamedTuple):
    """What one child reported."""

    startup: list[ImportTiming]  # the start-up's imports, before the roots'
    imports: list[ImportTiming]  # the roots' imports, in the order they started
    loaded: list[str]  # the modules new in sys.modules after the roots' imports


def run_child(
    roots: Sequence[str],
    path: Sequence[str],
    *,
    timeout: float,
    isolated: bool = True,
    python: str | None = None,
) -> ChildRun:
    """Imports ``roots`` in turn in a child interpreter whose ``sys.path`` is ``path``, under
    ``-X importtime``, and answers with its report; raises ChildError (one line) where the
    child times out, an import raises, or the child ends before the report is whole."""
    mark = f"modspec-importtime-{secrets.token_hex(8)}"
    script = _SCRIPT.format(arguments=(mark, list(path), list(roots)))
    command = [python or sys.executable, *(["-I"] if isolated else []), "-X", "importtime"]
    stderr = _run([*command, "-c", script], timeout)
    lines = stderr.splitlines()
    begin = _find(lines, f"{mark} begin")
    end = _find(lines, f"{mark} end ")
    if begin is None or end is None:
        raise ChildError(f"the child interpreter ended before the import finished{_last(lines)}")
    loaded, failed = ast.literal_eval(lines[end].partition(f"{mark} end ")[2])
    if failed is not None:
        raise ChildError(failed)
    return ChildRun(parse_report(lines[:begin]), parse_report(lines[begin + 1 : end]), loaded)


def _run(command: list[str], timeout: float) -> str:
    """The child's stderr; its stdout is read and dropped (what the imported code prints)."""
    try:
        # A session of its own: on a timeout the whole group goes, grandchildren included,
        # and none is left holding the pipes open.
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="backslashreplace",
            start_new_session=True,
        )
    except OSError as exc:
        raise ChildError(f"cannot run {command[0]}: {exc.strerror or exc}") from None
    try:
        _stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(child)
        said = f"the import took more than {timeout:g} s: the child was stopped"
        raise ChildError(said) from None
    except BaseException:
        _kill(child)
        raise
    if child.returncode < 0 and child.returncode != -signal.SIGPIPE:
        name = signal.Signals(-child.returncode).name
        raise ChildError(f"the child interpreter was killed by {name}{_last(stderr.splitlines())}")
    return stderr


def _kill(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(child.pid, signal.SIGKILL)
    # A descendant that left the session may still hold the pipes: not waited for long.
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.communicate(timeout=5)


def _find(lines: list[str], marker: str) -> int | None:
    return next((index for index, line in enumerate(lines) if line.startswith(marker)), None)


def _last(lines: list[str]) -> str:
    """The last line the child wrote that is not a report line, as ``: that line``."""
    said = [line for line in lines if line.strip() and not line.startswith("import time:")]
    return f": {said[-1].strip()[:300]}" if said else ""
