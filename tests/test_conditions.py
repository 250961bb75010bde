"""Static evaluation of platform and version tests, against Python evaluating them.

The oracle for the running interpreter is eval() of the test itself; for another platform or
version, eval() over stand-ins of sys, os and platform holding that target's values (the
values CPython reports there). A test decided statically must agree with every interpreter
the target describes: for a version prefix ("3.10"), with each completion tried.
"""

from __future__ import annotations

import os
import platform
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from modspec._codebase.conditions import PLATFORMS, Target, evaluate, holds

DECIDED = [
    "sys.platform == 'win32'",
    "sys.platform != 'win32'",
    "sys.platform == 'linux'",
    "sys.platform.startswith('linux')",
    "sys.platform.startswith(('win', 'cygwin'))",
    "sys.platform in ('win32', 'cygwin')",
    "sys.platform not in {'darwin', 'ios'}",
    "'win' in sys.platform",
    "os.name == 'nt'",
    "os.name != 'posix'",
    "'posix' == os.name",
    "sys.implementation.name == 'cpython'",
    "sys.implementation.name == 'pypy'",
    "platform.system() == 'Windows'",
    "platform.system() != 'Darwin'",
    "platform.python_implementation() == 'CPython'",
    "sys.version_info >= (3, 11)",
    "sys.version_info < (3, 12)",
    "sys.version_info >= (3,)",
    "sys.version_info > (3, 10)",
    "sys.version_info[:2] == (3, 11)",
    "sys.version_info[:2] >= (3, 13)",
    "sys.version_info[0] == 3",
    "sys.version_info[0] >= 3",
    "sys.version_info[1] < 12",
    "sys.version_info.major == 2",
    "sys.version_info.minor >= 11",
    "(3, 11) <= sys.version_info",
    "(3, 8) <= sys.version_info < (3, 12)",
    "not sys.version_info >= (3, 11)",
    "sys.platform == 'win32' and sys.version_info >= (3, 8)",
    "sys.platform == 'win32' or os.name == 'nt'",
    "not (os.name == 'nt' or sys.platform == 'cygwin')",
    "False",
    "0",
    "True",
]
UNKNOWN = [
    "HAS_NUMPY",
    "sys.flags.optimize",
    "os.environ.get('X') == '1'",
    "sys.platform is 'win32'",
    "_sys.platform == 'win32'",
    "sys.maxsize > 2 ** 32",
    "f() == 'x'",
    "sys.version_info >= x",
    "(os.name == 'nt' or HAS_X)",
]


def _eval(test: str, namespace: dict[str, Any]) -> bool:
    return bool(eval(test, dict(namespace)))  # the oracle: Python evaluating the test


REAL = {"sys": sys, "os": os, "platform": platform}


@pytest.mark.parametrize("test", DECIDED)
def test_decided_as_this_interpreter_evaluates_it(test: str) -> None:
    assert evaluate(test, Target.current()) is _eval(test, REAL)


@pytest.mark.parametrize("test", UNKNOWN)
def test_what_depends_on_more_than_the_target_is_unknown(test: str) -> None:
    assert evaluate(test, Target.current()) is None


def test_a_known_false_clause_decides_an_unknown_one() -> None:
    target = Target.of(None, "linux")
    assert evaluate("sys.platform == 'win32' and HAS_X", target) is False
    assert evaluate("sys.platform == 'linux' or HAS_X", target) is True


class _VersionInfo(tuple):  # type: ignore[type-arg]
    """A sys.version_info stand-in: a 5-tuple with the named fields."""

    major = property(lambda self: self[0])
    minor = property(lambda self: self[1])
    micro = property(lambda self: self[2])
    releaselevel = property(lambda self: self[3])
    serial = property(lambda self: self[4])


def _namespace(platform_name: str, version: tuple[Any, ...]) -> dict[str, Any]:
    os_name, system = PLATFORMS[platform_name]
    return {
        "sys": SimpleNamespace(
            platform=platform_name,
            version_info=_VersionInfo(version),
            implementation=sys.implementation,
        ),
        "os": SimpleNamespace(name=os_name),
        "platform": SimpleNamespace(
            system=lambda: system, python_implementation=platform.python_implementation
        ),
    }


@pytest.mark.parametrize("platform_name", sorted(set(PLATFORMS) - {"cygwin"}))
def test_another_platform_as_its_interpreter_would_evaluate_it(platform_name: str) -> None:
    target = Target.of(None, platform_name)
    namespace = _namespace(platform_name, tuple(sys.version_info))
    for test in DECIDED:
        assert evaluate(test, target) is _eval(test, namespace), test


def test_cygwin_system_name_is_unknown() -> None:
    # uname there reports the Windows build ("CYGWIN_NT-10.0-19045"): no equality decides.
    target = Target.of(None, "cygwin")
    assert evaluate("platform.system() == 'Windows'", target) is None
    assert evaluate("os.name == 'posix'", target) is True


_COMPLETIONS = [(0, "final", 0), (7, "final", 0), (0, "alpha", 1), (13, "candidate", 2)]


@pytest.mark.parametrize("prefix", ["2.7", "3.8", "3.10", "3.11", "3.12", "3.13", "3.15"])
def test_a_version_prefix_decides_only_what_every_completion_agrees_on(prefix: str) -> None:
    target = Target.of(prefix, "linux")
    major, minor = (int(part) for part in prefix.split("."))
    decided = 0
    for test in DECIDED:
        answer = evaluate(test, target)
        real = {_eval(test, _namespace("linux", (major, minor, *rest))) for rest in _COMPLETIONS}
        if answer is None:
            assert len(real) == 2 or "micro" in test, test
        else:
            decided += 1
            assert real == {answer}, test
    assert decided >= len(DECIDED) - 2


def test_version_prefix_against_longer_literals() -> None:
    target = Target.of("3.11", None)
    assert evaluate("sys.version_info >= (3, 11, 0)", target) is True
    assert evaluate("sys.version_info >= (3, 11, 2)", target) is None
    assert evaluate("sys.version_info[:3] < (3, 11, 4)", target) is None
    assert evaluate("sys.version_info.micro >= 1", target) is None
    assert evaluate("sys.version_info < (3, 12, 1)", target) is True


def test_holds_combines_clauses() -> None:
    windows = Target.of("3.12", "win32")
    assert holds((), windows) is True
    assert holds((("sys.platform == 'win32'", True),), windows) is True
    assert holds((("sys.platform == 'win32'", False),), windows) is False
    assert holds((("HAS_X", True), ("os.name == 'nt'", True)), windows) is None
    assert holds((("HAS_X", True), ("os.name == 'nt'", False)), windows) is False
    assert holds((("sys.version_info >= (3, 11)", True),), windows) is True


@pytest.mark.parametrize(
    ("version", "platform_name", "message"),
    [
        ("3", None, "X.Y or X.Y.Z"),
        ("3.x", None, "X.Y or X.Y.Z"),
        ("3.11.1.1", None, "X.Y or X.Y.Z"),
        (None, "beos", "unknown platform 'beos'"),
    ],
)
def test_bad_targets_are_refused_by_name(
    version: str | None, platform_name: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Target.of(version, platform_name)


def test_aliases_and_description() -> None:
    assert Target.of(None, "Windows").platform == "win32"
    assert Target.of(None, "macos").os_name == "posix"
    assert Target.of("3.12", "darwin").describe() == {
        "python_version": "3.12",
        "platform": "darwin",
    }


def test_unparsable_test_is_unknown() -> None:
    assert evaluate("sys.platform ==", Target.current()) is None
