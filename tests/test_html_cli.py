"""``--html FILE`` on the command line: the page is written beside the usual output, holds
nothing that loads from elsewhere, and a path it cannot be written to ends the command with
one line and exit 2, before any scan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from html_project import HOSTILE, make_project, modspec, parse


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    return make_project(tmp_path)


def _commands(root: Path) -> dict[str, list[str]]:
    return {
        "surface": ["surface", str(root)],
        "graph": ["graph", str(root)],
        "closure": ["closure", "app", "tools", "--path", str(root), *_stdlib_path()],
        # Runs the import: a path that cannot take the page must stop it before it runs.
        "importtime": ["importtime", "app", "--repeat", "1", "--path", str(root)],
    }


def _stdlib_path() -> list[str]:
    entries = [e for e in sys.path if e and "site-packages" not in e]
    return [word for entry in entries for word in ("--path", entry)]


def _untimed(report: str) -> list[str]:
    return [line for line in report.splitlines() if not line.lstrip().startswith("time:")]


@pytest.mark.parametrize("command", ["surface", "graph", "closure"])
def test_html_writes_a_self_contained_page(
    project: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    root, site = project
    page = tmp_path / f"{command}.html"
    plain = modspec(*_commands(root)[command], site=site)
    done = modspec(*_commands(root)[command], "--html", str(page), site=site)
    assert done.returncode == plain.returncode, done.stderr
    assert done.stderr == plain.stderr
    assert _untimed(done.stdout) == _untimed(plain.stdout)  # the report as without --html
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    document = parse(text)
    tags = [tag for tag, _ in document.elements]
    assert tags.count("script") == 1
    assert "svg" in tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(tags)
    assert all(not attrs.get("src") for _, attrs in document.elements)
    # The hostile root is text: the title reads as the path, script element and all.
    title = next(t for tag, t in document.texts if tag == "title")
    if command != "closure":
        assert title == f"modspec {command} of {root}"
        assert "/".join(HOSTILE) in title


def test_html_into_a_directory_is_refused_before_the_scan(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    root, _ = project
    for command in ("surface", "graph", "closure", "importtime"):
        done = modspec(*_commands(root)[command], "--html", str(tmp_path))
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr == f"modspec: --html {tmp_path}: is a directory\n"


def test_html_in_a_missing_directory(project: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = project
    target = tmp_path / "no" / "page.html"
    done = modspec("surface", str(root), "--html", str(target))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"modspec: --html {target}: no directory {target.parent}\n"


def test_html_that_cannot_be_written(project: tuple[Path, Path]) -> None:
    # /proc takes no new file, whoever asks (root too): said early or when written, in one
    # line either way.
    root, _ = project
    done = modspec("graph", str(root), "--html", "/proc/modspec-page.html")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("modspec: --html /proc/modspec-page.html: ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_html_without_squarify_says_how_to_get_it(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    root, _ = project
    # None in sys.modules: `import squarify` fails as if it were not installed.
    code = (
        "import sys; sys.modules['squarify'] = None; from modspec.cli import main; "
        f"sys.exit(main(['surface', {str(root)!r}, '--html', {str(tmp_path / 'p.html')!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "modspec: --html needs the squarify package: pip install 'modspec[html]'\n"
    )
    assert not (tmp_path / "p.html").exists()
