"""The silencer: `ignore` patterns, `# modspec: ignore` comments, and the files it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from modspec._codebase import silence
from modspec._codebase.extract import MARK
from modspec._codebase.silence import Silencer

SOURCE = (
    "import gone_one  # modspec: ignore\n"
    "import gone_two  # noqa  modspec:ignore[unresolved, shadowed]\n"
    "import gone_three  # modspec: ignore[shadowed]\n"
    "import plain\n"
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (1, "# modspec: ignore"),
        (2, "# modspec: ignore[unresolved]"),
        (3, None),  # another rule's comment
        (4, None),  # no comment
        (5, None),  # past the end
    ],
)
def test_a_comment_silences_its_line(source: Path, line: int, expected: str | None) -> None:
    silencer = Silencer((), marked={str(source)})
    assert silencer.finding("gone", str(source), line, "unresolved") == expected
    assert Silencer(()).finding("gone", str(source), line, "unresolved") == expected


def test_files_without_the_mark_are_not_read(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str, limit: int) -> bytes:
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(silence, "read_regular", refuse)
    # The scan found no "modspec:" in the file: no comment of it can silence anything.
    assert Silencer((), marked=frozenset()).finding("gone", str(source), 1, "unresolved") is None


def test_a_pattern_silences_without_reading(source: Path) -> None:
    silencer = Silencer(["gone_*"], marked=frozenset())
    found = silencer.finding("gone_one", str(source), 4, "unresolved")
    assert found == "tool.modspec.ignore: gone_*"


@pytest.mark.parametrize("line", SOURCE.splitlines())
def test_every_comment_the_silencer_reads_holds_the_mark(line: str) -> None:
    # The scan marks files by MARK alone: a comment without it would be missed.
    found = silence._COMMENT.search(line)
    assert found is None or MARK.decode() in found.group(0)
