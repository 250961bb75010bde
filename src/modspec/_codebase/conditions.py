"""Static evaluation of the platform and version tests that guard imports.

`if sys.platform == "win32":`, `if sys.version_info < (3, 11):`, `if os.name == "nt":`: the
branch an import sits in runs or not depending on the interpreter that imports the module,
never on the module's own state, so these tests can be decided without running anything, for
the interpreter in use or for another one (`--python-version`, `--platform`). Every other test
is unknown (None): the caller then keeps both branches, as a reader would.

A test arrives as ast.unparse spells it (ImportRef.condition) and is evaluated with
three-valued logic: `and`, `or`, `not` over comparisons of sys.platform, sys.version_info
(whole, indexed, sliced, .major/.minor/.micro), os.name, sys.implementation.name,
platform.system() and platform.python_implementation() with literals.
"""

from __future__ import annotations

import ast
import functools
import operator
import os
import sys
from collections.abc import Callable

from .._records import frozen_record
from .extract_rules import dotted_name

__all__ = ["PLATFORMS", "Target", "evaluate", "holds"]

Clause = tuple[str, bool]
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Value = Any  # a literal of a test, or an attribute of the target

# sys.platform -> (os.name, platform.system()) for the platforms --platform names; the
# values CPython reports there (platform.system() is uname's sysname on POSIX).
PLATFORMS: dict[str, tuple[str, str]] = {
    "linux": ("posix", "Linux"),
    "win32": ("nt", "Windows"),
    "darwin": ("posix", "Darwin"),
    "cygwin": ("posix", ""),  # uname's "CYGWIN_NT-10.0-19045" names the Windows build
    "freebsd": ("posix", "FreeBSD"),
    "openbsd": ("posix", "OpenBSD"),
    "netbsd": ("posix", "NetBSD"),
    "aix": ("posix", "AIX"),
    "sunos5": ("posix", "SunOS"),
    "emscripten": ("posix", "Emscripten"),
    "wasi": ("posix", "WASI"),
    "ios": ("posix", "iOS"),
    "android": ("posix", "Android"),
}
_ALIASES = {"windows": "win32", "macos": "darwin", "macosx": "darwin", "osx": "darwin"}
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalVM"}


@frozen_record
class Target:
    """The interpreter a module would be imported by, as far as its tests can ask."""

    # sys.version_info, or a prefix of it ((3, 11) for --python-version 3.11): the rest
    # is unknown, and a comparison that needs it is unknown too.
    version: tuple[int | str, ...]
    complete: bool  # version is all of sys.version_info
    platform: str  # sys.platform
    os_name: str
    system: str | None  # platform.system(); None: unknown
    implementation: str  # sys.implementation.name

    @classmethod
    def current(cls) -> Target:
        """The interpreter running modspec."""
        return cls.of(None, None)

    @classmethod
    def of(cls, python_version: str | None, platform: str | None) -> Target:
        """The running interpreter with its version and platform replaced where given:
        ``python_version`` "X.Y" (or "X.Y.Z"), ``platform`` a sys.platform value (or
        windows/macos). Raises ValueError naming what is wrong."""
        version: tuple[int | str, ...] = tuple(sys.version_info)
        complete = True
        if python_version is not None:
            version = _parse_version(python_version)
            complete = False
        if platform is None:
            name = sys.platform
            os_name, system = os.name, _current_system()
        else:
            name = _ALIASES.get(platform.lower(), platform.lower())
            if name not in PLATFORMS:
                known = ", ".join(sorted(PLATFORMS))
                raise ValueError(f"unknown platform {platform!r} (one of: {known})")
            os_name, system = PLATFORMS[name]
        return cls(version, complete, name, os_name, system or None, sys.implementation.name)

    def describe(self) -> dict[str, str]:
        """The target as the JSON outputs spell it."""
        return {
            "python_version": ".".join(str(part) for part in self.version[:3]),
            "platform": self.platform,
        }


def _parse_version(text: str) -> tuple[int, ...]:
    parts = text.split(".")
    if not 2 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        raise ValueError(f"python version must be X.Y or X.Y.Z, not {text!r}")
    return tuple(int(part) for part in parts)


def _current_system() -> str | None:
    # platform.system() without importing platform (and its subprocess-capable helpers).
    if os.name == "nt":
        return "Windows"
    uname = getattr(os, "uname", None)
    return None if uname is None else str(uname().sysname)


def holds(condition: tuple[Clause, ...], target: Target) -> bool | None:
    """Whether the branch ``condition`` describes runs for ``target``: False as soon as one
    clause is decided against it, None when one is unknown and none decides."""
    answer: bool | None = True
    for test, must_be in condition:
        value = evaluate(test, target)
        if value is None:
            answer = None
        elif value is not must_be:
            return False
    return answer


def evaluate(test: str, target: Target) -> bool | None:
    """The truth of ``test`` for ``target``; None when it is not a test this module knows
    (or cannot be decided, as `sys.version_info >= (3, 11, 2)` for a target of "3.11")."""
    node = _parse(test)
    return None if node is None else _truth(node, target)


@functools.lru_cache(maxsize=4096)
def _parse(test: str) -> ast.expr | None:
    try:
        return ast.parse(test, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _truth(node: ast.expr, target: Target) -> bool | None:
    if isinstance(node, ast.BoolOp):
        values = [_truth(value, target) for value in node.values]
        decisive = isinstance(node.op, ast.Or)  # True decides an `or`, False an `and`
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value = _truth(node.operand, target)
        return None if value is None else not value
    if isinstance(node, ast.Compare):
        return _compare(node, target)
    if isinstance(node, ast.Call):
        return _startswith(node, target)
    if isinstance(node, ast.Constant):
        return bool(node.value)  # `if 0:`, `if False:`: decided by the literal alone
    return None


_OPERATORS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _compare(node: ast.Compare, target: Target) -> bool | None:
    # A chain `a < b < c` is `a < b and b < c`, each side evaluated once.
    answer: bool | None = True
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        value = _pair(left, type(op), right, target)
        if value is False:
            return False
        if value is None:
            answer = None
        left = right
    return answer


def _pair(left: ast.expr, op: type[ast.cmpop], right: ast.expr, target: Target) -> bool | None:
    apply = _OPERATORS.get(op)
    if apply is None:
        return None  # `is`, `is not`: identity of literals is not a platform question
    version_side = _version_part(left), _version_part(right)
    if version_side[0] is not None or version_side[1] is not None:
        return _compare_version(left, op, right, target)
    a, b = _value(left, target), _value(right, target)
    if a is _UNKNOWN or b is _UNKNOWN:
        return None
    try:
        return bool(apply(a, b))
    except TypeError:
        return None


_UNKNOWN = object()


def _value(node: ast.expr, target: Target) -> Value:
    """A literal, or one of the target's strings; _UNKNOWN for anything else."""
    dotted = dotted_name(node)
    if dotted == "sys.platform":
        return target.platform
    if dotted == "os.name":
        return target.os_name
    if dotted == "sys.implementation.name":
        return target.implementation
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        called = dotted_name(node.func)
        if called == "platform.system":
            return _UNKNOWN if target.system is None else target.system
        if called == "platform.python_implementation":
            return _IMPLEMENTATIONS.get(target.implementation, _UNKNOWN)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _UNKNOWN


def _startswith(node: ast.Call, target: Target) -> bool | None:
    # sys.platform.startswith("linux"), also with a tuple of prefixes.
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "startswith"):
        return None
    if len(node.args) != 1 or node.keywords:
        return None
    subject, prefix = _value(func.value, target), _value(node.args[0], target)
    if not isinstance(subject, str) or dotted_name(func.value) is None:
        return None  # a literal's startswith is not a question about the target
    if isinstance(prefix, str) or (
        isinstance(prefix, tuple) and all(isinstance(p, str) for p in prefix)
    ):
        return subject.startswith(prefix)
    return None


# -- sys.version_info -----------------------------------------------------------------------

_FIELDS = {"major": 0, "minor": 1, "micro": 2, "releaselevel": 3, "serial": 4}


def _version_part(node: ast.expr) -> tuple[int, int | None, bool] | None:
    """(start, stop, single) of the part of sys.version_info ``node`` reads: (0, None,
    False) for all of it, (0, 2, False) for [:2], (1, 2, True) for [1] or .minor."""
    if dotted_name(node) == "sys.version_info":
        return (0, None, False)
    if isinstance(node, ast.Attribute) and dotted_name(node.value) == "sys.version_info":
        index = _FIELDS.get(node.attr)
        return None if index is None else (index, index + 1, True)
    if isinstance(node, ast.Subscript) and dotted_name(node.value) == "sys.version_info":
        item = node.slice
        if isinstance(item, ast.Constant) and type(item.value) is int and item.value >= 0:
            return (item.value, item.value + 1, True)
        if isinstance(item, ast.Slice) and item.lower is None and item.step is None:
            upper = item.upper
            if isinstance(upper, ast.Constant) and type(upper.value) is int and upper.value >= 0:
                return (0, upper.value, False)
    return None


def _compare_version(
    left: ast.expr, op: type[ast.cmpop], right: ast.expr, target: Target
) -> bool | None:
    if op in (ast.In, ast.NotIn):
        return None
    swapped = _version_part(left) is None
    part_node, literal_node = (right, left) if swapped else (left, right)
    part = _version_part(part_node)
    try:
        literal = ast.literal_eval(literal_node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if part is None:
        return None
    order = _order(target, *part, literal)
    if order is None:
        return None
    if swapped:
        order = -order
    return {
        ast.Eq: order == 0,
        ast.NotEq: order != 0,
        ast.Lt: order < 0,
        ast.LtE: order <= 0,
        ast.Gt: order > 0,
        ast.GtE: order >= 0,
    }[op]


def _order(
    target: Target, start: int, stop: int | None, single: bool, literal: Value
) -> int | None:
    """-1, 0 or 1 as the target's part of sys.version_info compares with ``literal``;
    None when they do not compare or the target's unknown rest would decide."""
    if single:
        if start >= len(target.version):
            return None
        return _sign(target.version[start], literal)
    if not isinstance(literal, tuple):
        return None
    known = target.version[start:stop]
    # The real value: `known` followed by the unknown rest, when the target is a prefix.
    real_length = 5 if stop is None else stop - start
    if target.complete or len(known) >= real_length:
        return _sign(known, literal)
    head = literal[: len(known)]
    order = _sign(known, head)
    if order != 0:
        return order
    rest = literal[len(known) :]
    # The rest of a version counts up from zero and is longer than the literal's rest
    # ((micro, releaselevel, serial)): past a literal rest of zeros, the real one is greater.
    if order == 0 and len(rest) < real_length - len(known) and all(r == 0 for r in rest):
        return 1
    return None


def _sign(a: Value, b: Value) -> int | None:
    try:
        return int(a > b) - int(a < b)
    except TypeError:
        return None
