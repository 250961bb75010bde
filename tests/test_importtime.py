"""``importtime`` over a fixture tree: the child's modules joined with the static closure.

Children really run the fixture's code. Nothing here asserts a time: each module the child
imported is there, joined to the statement (file:line) the closure says loads it, with the
right predicted flags; the lazy candidates and what each would defer.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import write_tree

from modspec._codebase.importtime import ChildError, ImportTime, importtime
from modspec._codebase.importtime_output import render_json
from modspec._codebase.progress import Progress

TREE = {
    "app/__init__.py": "from . import core\nimport app.extra\nfrom .plugins import run\nrun()\n",
    # Its function runs at import, called by app/__init__.py: its import cannot wait.
    "app/plugins.py": "import app.plugged\ndef run():\n    return app.plugged.X\n",
    "app/plugged.py": "X = 1\n",
    "app/core.py": (
        "import app.heavy\nfrom app import util\ndef use():\n    return app.heavy.VALUE\n"
    ),
    "app/heavy.py": "import app.heavier\nVALUE = 1\n",
    "app/heavier.py": (
        "import sys\nprint('noise on stdout')\nsys.stderr.write('noise on stderr\\n')\n"
    ),
    "app/util.py": (
        "try:\n"
        "    import app.missing\n"
        "except ImportError:\n"
        "    pass\n"
        "def hidden():\n"
        "    import app.hidden\n"
        "hidden()\n"
    ),
    "app/hidden.py": "",
    "app/extra.py": "import app.util\nclass K(app.util.Base if False else object):\n    pass\n",
    "app/never.py": "",
}


def _path(root: Path) -> list[str]:
    # The fixture, then the standard library (as the interpreter's own path has it).
    return [str(root), *(entry for entry in sys.path if entry and "site-packages" not in entry)]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> ImportTime:
    root = tmp_path_factory.mktemp("tree")
    write_tree(root, TREE)
    return importtime(["app"], path=_path(root), repeat=2, timeout=60)


def test_every_module_the_child_imported_is_measured(measured: ImportTime) -> None:
    names = [m.name for m in measured.modules if m.loaded]
    assert names[:3] == ["app", "app.core", "app.heavy"]
    assert set(names) >= {"app.heavier", "app.util", "app.hidden", "app.extra"}
    assert "app.never" not in names
    assert all(m.runs == 2 for m in measured.modules)


def test_each_is_joined_to_the_statement_that_loads_it(measured: ImportTime) -> None:
    by_name = {m.name: m for m in measured.modules}
    assert by_name["app"].via is None
    assert by_name["app"].predicted
    heavy = by_name["app.heavy"].via
    assert heavy is not None
    assert (heavy.importer, Path(str(heavy.file)).name, heavy.line) == ("app.core", "core.py", 1)
    util = by_name["app.util"].via
    assert util is not None
    assert (util.importer, util.line) == ("app.core", 2)
    assert by_name["app.heavier"].parent == "app.heavy"


def test_what_the_closure_did_not_predict(measured: ImportTime) -> None:
    by_name = {m.name: m for m in measured.modules}
    # Imported by a function that module-level code calls: the closure does not follow it.
    hidden = by_name["app.hidden"]
    assert (hidden.predicted, hidden.via, hidden.parent) == (False, None, "app.util")
    # Tried and caught: in the report, not in sys.modules.
    assert not by_name["app.missing"].loaded
    totals = measured.totals()
    assert totals.modules == sum(m.loaded for m in measured.modules)
    assert totals.predicted == totals.modules - 1
    assert totals.raised == 1


def test_the_startup_is_apart(measured: ImportTime) -> None:
    startup = {m.name for m in measured.startup}
    assert {"site", "encodings"} <= startup
    assert not startup & {m.name for m in measured.modules}
    assert all(m.predicted for m in measured.startup if m.name in ("site", "encodings"))


def test_a_candidate_and_what_it_defers(measured: ImportTime) -> None:
    by_line = {(c.module, c.line): c for c in measured.lazy}
    heavy = by_line["app.core", 1]
    assert heavy.candidate
    assert heavy.statement == "import app.heavy"
    assert heavy.deferred == ("app.heavy", "app.heavier")
    by_name = {m.name: m for m in measured.modules}
    assert heavy.saving_us == by_name["app.heavy"].self_us + by_name["app.heavier"].self_us
    assert measured.candidates_deferred == ("app.heavy", "app.heavier")


def test_the_json_document(measured: ImportTime) -> None:
    document = render_json(measured)
    assert document["schema"] == "modspec.importtime/1"
    assert set(document) >= {"roots", "python", "repeat", "totals", "modules", "startup"}
    row = document["modules"][0]  # type: ignore[index]
    assert set(row) == {
        "name", "self_us", "cumulative_us", "depth", "parent", "runs", "loaded",
        "predicted", "via", "category", "source",
    }  # fmt: skip
    candidate = document["candidates"][0]  # type: ignore[index]
    assert candidate["statement"] == "import app.heavy"
    assert set(candidate) >= {"file", "line", "names", "saving_us", "reason", "deferred"}


def test_a_failing_import_is_one_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bad.py": "import json\nraise ValueError('boom\\nsecond line')\n"})
    with pytest.raises(ChildError, match=r"^importing bad raised ValueError: boom$"):
        importtime(["bad"], path=_path(tmp_path), timeout=60)


def test_a_module_that_exits(tmp_path: Path) -> None:
    write_tree(tmp_path, {"leaves.py": "import sys\nsys.exit(3)\n"})
    with pytest.raises(ChildError, match=r"^importing leaves raised SystemExit: 3$"):
        importtime(["leaves"], path=_path(tmp_path), timeout=60)


def test_a_child_that_dies(tmp_path: Path) -> None:
    write_tree(tmp_path, {"dies.py": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"})
    with pytest.raises(ChildError, match="killed by SIGKILL"):
        importtime(["dies"], path=_path(tmp_path), timeout=60)


def test_a_child_that_never_ends_is_stopped(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sleepy.py": "import time\nwhile True:\n    time.sleep(60)\n"})
    with pytest.raises(ChildError, match=r"^the import took more than 1 s: the child was stopped$"):
        importtime(["sleepy"], path=_path(tmp_path), timeout=1)


def test_a_childs_own_children_are_stopped_with_it(tmp_path: Path) -> None:
    # A grandchild holding the pipes open must not keep the command waiting.
    source = "import subprocess, sys, time\nsubprocess.Popen(['sleep', '300'])\ntime.sleep(300)\n"
    write_tree(tmp_path, {"spawns.py": source})
    with pytest.raises(ChildError, match="more than 1 s"):
        importtime(["spawns"], path=_path(tmp_path), timeout=1)


def test_each_run_is_told_to_the_progress_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"quiet.py": ""})
    calls: list[tuple[str, int, int]] = []
    importtime(["quiet"], path=_path(tmp_path), repeat=3, progress=lambda *a: calls.append(a))
    assert calls == [
        ("importing quiet", 0, 3),
        ("importing quiet", 1, 3),
        ("importing quiet", 2, 3),
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_names_runs() -> None:
    stream = _Terminal()
    progress = Progress(stream, after=0.0, clock=lambda: 2.0, unit="runs")
    progress("importing sympy", 2, 5)
    assert stream.getvalue() == "\rmodspec: importing sympy 2/5 runs (40%)\x1b[K"


def test_a_function_another_module_calls_at_import_keeps_its_imports(
    measured: ImportTime,
) -> None:
    plugged = next(entry for entry in measured.lazy if entry.module == "app.plugins")
    assert not plugged.candidate
    assert plugged.reason.startswith("used by run(), which code run at import calls")
    assert plugged.deferred == ("app.plugged",)


def test_deferring_a_set_of_statements(measured: ImportTime) -> None:
    gone, saving = measured.deferring([("app.core", 1)])
    assert gone == ("app.heavy", "app.heavier")
    by_name = {m.name: m for m in measured.modules}
    assert saving == by_name["app.heavy"].self_us + by_name["app.heavier"].self_us
    assert measured.deferring([]) == ((), 0)
