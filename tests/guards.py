"""Test guards and hooks shared by the hostile-input, no-execution and large-batch tests."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator

import pytest

from modspec import _config


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError where the body takes longer (taken for a hang), even in a core."""

    def expire(signum: int, frame: types.FrameType | None) -> None:
        raise TimeoutError(f"took more than {seconds} s: taken for a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def when_asked(monkeypatch: pytest.MonkeyPatch, name: str, action: Callable[[], None]) -> None:
    """Resolvers made from now on run ``action`` each time their core comes to ``name``:
    mid-walk, after the parent's directory was listed and before the path is searched.

    Both cores ask the config's is_frozen of a name there (the one hook that reaches into
    the Cython core too); frozen_names is dropped so that they ask it of every name."""
    current = _config.current

    def config_with_action(**kwargs: object) -> _config.CoreConfig:
        config = current(**kwargs)  # type: ignore[arg-type]
        is_frozen = config.is_frozen

        def is_frozen_after_action(asked: str) -> object:
            if asked == name:
                action()
            return is_frozen(asked)

        return config._replace(is_frozen=is_frozen_after_action, frozen_names=None)

    monkeypatch.setattr(_config, "current", config_with_action)


# An address space that modspec's bounded reads fit in many times over, and that reading any
# of the hostile files whole (gigabytes) cannot.
ADDRESS_SPACE = 512 << 20


def run_bounded(code: str, *, seconds: int = 20) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter limited to ADDRESS_SPACE (RLIMIT_AS: an allocation
    past it is a MemoryError there, not a machine in swap) and killed past ``seconds``
    (subprocess.TimeoutExpired: taken for a hang)."""
    prelude = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )
