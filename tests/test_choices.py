"""try/except ImportError as one choice: the alternative taken, by the import system's rule.

Each case is also run for real: the fixture module is imported in a fresh interpreter, and the
modules it loaded say which alternatives ran.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from modspec._codebase.choices import Choices


def test_body_that_resolves_is_taken() -> None:
    choices = Choices([(((3, 0),), True), (((3, 1),), False)])
    assert choices.runs(((3, 0),))
    assert not choices.runs(((3, 1),))


def test_failing_body_takes_the_first_handler_with_imports() -> None:
    choices = Choices([(((3, 0),), False), (((3, 2),), True), (((3, 3),), True)])
    assert choices.taken((), 3) == 2
    assert choices.runs(((3, 2),))
    assert not choices.runs(((3, 3),))


def test_a_handler_with_no_import_completes_the_try() -> None:
    choices = Choices([(((1, 0),), False)])
    assert choices.taken((), 1) is None
    assert choices.runs(((1, 0),))


def test_nested_try_that_fails_fails_the_outer_body() -> None:
    # try:                      (1)
    #     try: import a         (2) fails
    #     except ImportError: import b   fails
    # except ImportError: import c
    chains = [
        (((1, 0), (2, 0)), False),
        (((1, 0), (2, 1)), False),
        (((1, 1),), True),
    ]
    choices = Choices(chains)
    assert choices.runs(((1, 1),))
    assert choices.runs(((1, 0), (2, 1)))


def test_nested_try_that_completes_keeps_the_outer_body() -> None:
    chains = [
        (((1, 0), (2, 0)), False),
        (((1, 0), (2, 1)), True),
        (((1, 1),), True),
    ]
    choices = Choices(chains)
    assert not choices.runs(((1, 1),))
    assert choices.runs(((1, 0), (2, 1)))


def test_a_nested_try_inside_a_handler_not_taken_does_not_run() -> None:
    chains = [
        (((1, 0),), True),
        (((1, 1), (3, 0)), False),
        (((1, 1), (3, 1)), True),
    ]
    choices = Choices(chains)
    assert not choices.runs(((1, 1), (3, 0)))
    assert not choices.runs(((1, 1), (3, 1)))


CASES = {
    "body resolves": (
        """
        try:
            import present_a
        except ImportError:
            import present_b
        """,
        {"present_a"},
    ),
    "body fails": (
        """
        try:
            import missing_x
        except ImportError:
            import present_b
        """,
        {"present_b"},
    ),
    "nested fails outward": (
        """
        try:
            try:
                import missing_x
            except ImportError:
                import missing_y
        except ImportError:
            import present_c
        """,
        {"present_c"},
    ),
    "second handler not taken": (
        """
        try:
            import missing_x
        except ImportError:
            import present_a
        except Exception:
            import present_b
        """,
        {"present_a"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_against_a_real_import(tmp_path: Path, case: str) -> None:
    source, expected = CASES[case]
    for name in ("present_a", "present_b", "present_c"):
        (tmp_path / f"{name}.py").write_text("")
    (tmp_path / "subject.py").write_text(textwrap.dedent(source))
    probe = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); before = set(sys.modules); "
        "import subject; "
        "print(' '.join(sorted(set(sys.modules) - before - {'subject'})))"
    )
    ran = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    real = set(ran.stdout.split())
    assert real == expected  # the fixture says what CPython does
    chains = _chains(textwrap.dedent(source), tmp_path)
    choices = Choices((chain, resolves) for _, chain, resolves in chains)
    assert {name for name, chain, resolves in chains if resolves and choices.runs(chain)} == real


def _chains(source: str, where: Path) -> list[tuple[str, tuple[tuple[int, int], ...], bool]]:
    """Each import's (name, choice chain, resolves), read with ast as the extractors would."""
    import ast

    found: list[tuple[str, tuple[tuple[int, int], ...], bool]] = []

    def visit(body: list[ast.stmt], chain: tuple[tuple[int, int], ...]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append((alias.name, chain, (where / f"{alias.name}.py").exists()))
            elif isinstance(node, ast.Try):
                visit(node.body, (*chain, (node.lineno, 0)))
                for k, handler in enumerate(node.handlers, 1):
                    visit(handler.body, (*chain, (node.lineno, k)))

    visit(ast.parse(source).body, ())
    return found
