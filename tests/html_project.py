"""The code base the page tests draw: first-party packages in an eager cycle, a third-party
package, unresolved imports, and hostile names (a root whose path holds a script element, a
file name that would close an attribute)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import write_tree

# app -> app.core -> app.api -> app (app.api.views imports app.util): an eager cycle of the
# three packages; app.util's import of app.api.views is deferred.
PROJECT = {
    "app/__init__.py": "from app import core\n",
    "app/core/__init__.py": "from app.core import models\nimport json\nimport vendorlib\n",
    "app/core/models.py": "from app import api\n",
    "app/api/__init__.py": "from app.core import models\nimport vendorlib.sub\n",
    "app/api/views.py": "import app.util\nimport missing_mod\n",
    "app/util.py": "import os\ndef later():\n    import app.api.views\n",
    'app/evil"><b onmouseover=x>.py': "import missing_evil\n",
    "tools/__init__.py": "import app\n",
}
SITE = {"vendorlib/__init__.py": "", "vendorlib/sub.py": "import os\n"}
# Each file a couple of kilobytes, as modules are: each one gets a tile of its own.
PADDING = "# " + "padding " * 250 + "\n"

# A directory name cannot hold a slash: the script element spans two of them.
HOSTILE = ("p<script>window.pwned=1<", "script>")


def make_project(base: Path) -> tuple[Path, Path]:
    """The project's root (under a hostile path) and its third-party site directory."""
    root = base.joinpath(*HOSTILE, "proj")
    root.mkdir(parents=True)
    write_tree(root, {path: text + PADDING for path, text in PROJECT.items()})
    site = base / "site"
    site.mkdir()
    write_tree(site, {path: text + PADDING for path, text in SITE.items()})
    return root, site


def modspec(*args: str, site: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m modspec ARGS``, with ``site`` on its path as third-party packages are."""
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "modspec", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def stdlib_package(name: str) -> Path:
    """The directory of one of the standard library's packages (a small real code base)."""
    spec = importlib.util.find_spec(name)
    assert spec is not None, name
    assert spec.submodule_search_locations, name
    return Path(spec.submodule_search_locations[0])


class Document(HTMLParser):
    """Every element with its attributes, and the text of each element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.texts.append((self._open[-1] if self._open else "", data))


def parse(markup: str) -> Document:
    document = Document()
    document.feed(markup)
    document.close()
    return document
