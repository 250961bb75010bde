"""Lazy-import candidates against a real rewrite (lazy_check.py): the predicted and the
measured saving of the top candidates of a real package, printed, never asserted.

What is asserted is that the work was done: candidates were found and rewritten, and what each
was to defer is no longer loaded by the rewritten copy.
"""

from __future__ import annotations

from pathlib import Path

import lazy_check
from conftest import Settings


def test_lazy_candidates_measured(settings: Settings, tmp_path: Path) -> None:
    # The standard library's email.mime.text: there on every interpreter, no install needed.
    repeat = 5 if settings.quick else 20
    checks = lazy_check.check("email.mime.text", top=2, repeat=repeat, work=tmp_path)
    print(f"\n{lazy_check.table(checks)}")
    noise, *changes = checks
    assert (noise.predicted_us, noise.deferred) == (0, 0)
    assert len(changes) == 3  # two candidates alone, then all at once
    assert all(check.predicted_us > 0 for check in changes)
    assert all(check.still_loaded == () for check in changes)
