"""The cache of whole answers (``surface`` and ``graph``): a second run of an unchanged tree
replays the first's output, byte for byte but for the timings, with its exit status; any
change to what the answer was made from (a file of the tree, a directory the resolver
listed, an answer's bytecode, the options, the configuration) is seen; a corrupt, torn or
hostile entry is discarded; racy inputs are not kept; concurrent runs agree; and the
directory keeps only the newest entries. Run through the command line on both cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_tree

from modspec._codebase import result_cache

TREE: dict[str, object] = {
    "src/app/__init__.py": "from . import core\n",
    "src/app/core.py": (
        "import os\nimport helper\nimport missing_one\n"
        "try:\n    import fast_json\nexcept ImportError:\n    fast_json = None\n"
    ),
    "src/app/cli.py": "from app.core import os\nimport app.core\n",
    "lib/helper.py": "X = 1\n",
    f"lib/__pycache__/helper.{sys.implementation.cache_tag}.pyc": b"not bytecode",
    "pyproject.toml": '[tool.modspec]\nsource-dirs = ["src"]\n',
}
_PAST_NS = 3600 * 10**9


def _age(root: Path) -> None:
    """Every file and directory under ``root`` (and itself) an hour old: no input is racy."""
    then = time.time_ns() - _PAST_NS
    for path in [root, *root.rglob("*")]:
        os.utime(path, ns=(then, then), follow_symlinks=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, TREE)
    _age(root)
    return root


class Runner:
    """``modspec COMMAND ROOT --path ...`` in a fresh process, with its own cache."""

    def __init__(self, root: Path, cache: Path, backend: str) -> None:
        self.root, self.cache = root, cache
        self.env = {**os.environ, "MODSPEC_CACHE_DIR": str(cache)}
        self.env.pop("MODSPEC_PURE", None)
        if backend == "python":
            self.env["MODSPEC_PURE"] = "1"

    def __call__(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        path = ["--path", str(self.root / "src"), "--path", str(self.root / "lib")]
        argv = [sys.executable, "-m", "modspec", command, str(self.root), *path, *args]
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=120, env=self.env, check=False
        )

    def entries(self) -> list[Path]:
        return sorted((self.cache / "results").glob("*.result"))


@pytest.fixture
def run(project: Path, tmp_path: Path, backend: str) -> Runner:
    return Runner(project, tmp_path / "cache", backend)


def _without_timings(output: str) -> str:
    """The output with its timings left out (the text's time line, the JSON's object)."""
    if output.startswith("{"):
        document = json.loads(output)
        document.pop("timings", None)
        return json.dumps(document)
    return "\n".join(line for line in output.splitlines() if not line.startswith("  time:"))


def _phases(output: str) -> set[str]:
    if output.startswith("{"):
        return set(json.loads(output)["timings"])
    line = next(line for line in output.splitlines() if line.startswith("  time:"))
    return {part.split()[0] for part in line.removeprefix("  time:").split("(")[0].split(",")}


FORMATS = {
    "surface text": ("surface",),
    "surface json": ("surface", "--json"),
    "surface github": ("surface", "--format", "github"),
    "graph text": ("graph",),
    "graph json": ("graph", "--json"),
    "graph dot": ("graph", "--format", "dot", "--level", "package"),
    "graph mermaid": ("graph", "--format", "mermaid"),
    "graph importers": ("graph", "--importers", "app.core"),
}


@pytest.mark.parametrize("asked", FORMATS.values(), ids=FORMATS.keys())
def test_a_second_run_replays_the_first_output(run: Runner, asked: tuple[str, ...]) -> None:
    first = run(*asked)
    assert first.returncode == 0, first.stderr
    [entry] = run.entries()
    kept = entry.stat()
    second = run(*asked)
    assert second.returncode == 0, second.stderr
    assert second.stderr == first.stderr == ""
    assert entry.stat().st_ino == kept.st_ino  # read, not written again
    if asked[0] == "surface" and "github" not in asked:
        assert _phases(second.stdout) == {"walk", "cache", "total"}
        assert "scan" in _phases(first.stdout)
        assert _without_timings(second.stdout) == _without_timings(first.stdout)
    else:
        assert second.stdout == first.stdout
    # The same answer without the cache: the replay is the run's own output.
    fresh = run(*asked, "--no-cache")
    assert _without_timings(fresh.stdout) == _without_timings(second.stdout)


def test_the_exit_status_is_replayed(run: Runner) -> None:
    first = run("surface", "--fail-on", "unresolved")
    second = run("surface", "--fail-on", "unresolved")
    assert first.returncode == second.returncode == 1
    assert _phases(second.stdout) == {"walk", "cache", "total"}
    # Another gate is another question: answered afresh, and kept beside the first.
    assert run("surface", "--fail-on", "shadowed").returncode == 0
    assert len(run.entries()) == 2


def _edit(relative: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / relative).write_text(text, encoding="utf-8")

    return change


def _remove(relative: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / relative).unlink()

    return change


def _same_size_and_mtime(relative: str, text: str) -> Callable[[Path], None]:
    """An edit that keeps the file's size and puts its mtime back (as some tools do): only
    its ctime tells."""

    def change(root: Path) -> None:
        path = root / relative
        st = path.stat()
        padding = st.st_size - len(text.encode()) - 1
        path.write_text(text + "#" * padding + "\n", encoding="utf-8")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert path.stat().st_size == st.st_size

    return change


BOTH = ("surface", "graph")
# Each change, and the commands whose output it changes (in the others it must only agree
# with --no-cache).
CHANGES = {
    # the tree: a file's imports, a new file, a file gone
    "edited source": (_edit("src/app/core.py", "import os\nimport missing_two\n"), BOTH),
    "same size and mtime": (_same_size_and_mtime("src/app/cli.py", "import missing_3"), BOTH),
    "new source": (_edit("src/app/extra.py", "import missing_four\n"), BOTH),
    "source gone": (_remove("src/app/cli.py"), BOTH),
    # the search path: a module appears where the resolver listed, one goes
    "module appears": (_edit("lib/missing_one.py", ""), BOTH),
    "module gone": (_remove("lib/helper.py"), BOTH),
    # an answer's bytecode
    "bytecode gone": (
        _remove(f"lib/__pycache__/helper.{sys.implementation.cache_tag}.pyc"),
        ("surface",),
    ),
    # the configuration: the source directory moves
    "settings": (_edit("pyproject.toml", '[tool.modspec]\nsource-dirs = ["."]\n'), BOTH),
}


@pytest.mark.parametrize(("change", "visible"), CHANGES.values(), ids=CHANGES.keys())
@pytest.mark.parametrize("command", BOTH)
def test_a_change_to_an_input_is_seen(
    run: Runner,
    project: Path,
    command: str,
    change: Callable[[Path], None],
    visible: tuple[str, ...],
) -> None:
    asked = (command, "--json", "--limit", "0")
    before = run(*asked)
    assert before.returncode == 0, before.stderr
    assert len(run.entries()) == 1
    change(project)
    after = run(*asked)
    assert after.returncode == 0, after.stderr
    # Whatever changed, the answer is a fresh run's.
    fresh = run(*asked, "--no-cache")
    assert _without_timings(after.stdout) == _without_timings(fresh.stdout)
    if command in visible:
        assert _without_timings(after.stdout) != _without_timings(before.stdout)
    if command == "surface":
        assert "scan" in _phases(after.stdout)


def test_inputs_changed_just_now_are_not_kept(run: Runner, project: Path) -> None:
    (project / "src" / "app" / "new.py").write_text("import os\n", encoding="utf-8")
    first = run("surface")
    assert first.returncode == 0
    assert run.entries() == []  # the new file's mtime is too recent to trust
    _age(project)
    run("surface")
    assert len(run.entries()) == 1


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "one bit": _flip,
    "truncated": lambda data: data[: len(data) // 2],
    "trailer only": lambda data: data[-result_cache._TRAILER.size :],
    "empty": lambda data: b"",
    "garbage": lambda data: os.urandom(len(data)),
    "appended": lambda data: data + b"more",
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_entry_is_discarded_and_written_again(
    run: Runner, corrupt: Callable[[bytes], bytes]
) -> None:
    first = run("surface", "--json")
    [entry] = run.entries()
    entry.write_bytes(corrupt(entry.read_bytes()))
    second = run("surface", "--json")
    assert second.returncode == 0, second.stderr
    assert "scan" in _phases(second.stdout)
    assert _without_timings(second.stdout) == _without_timings(first.stdout)
    third = run("surface", "--json")
    assert _phases(third.stdout) == {"walk", "cache", "total"}


def test_an_entry_of_another_question_under_its_name_is_not_used(run: Runner) -> None:
    """A digest is no proof: the entry says which question it answers."""
    run("surface", "--limit", "1")
    [one] = run.entries()
    run("surface", "--limit", "2")
    [two] = set(run.entries()) - {one}
    one.write_bytes(two.read_bytes())  # a valid entry, of the other question
    assert "scan" in _phases(run("surface", "--limit", "1").stdout)


def test_a_fifo_in_place_of_an_entry_is_not_waited_on(run: Runner) -> None:
    run("surface")
    [entry] = run.entries()
    entry.unlink()
    os.mkfifo(entry)
    done = run("surface")  # timeout=120 in Runner: a hang fails
    assert done.returncode == 0, done.stderr
    assert "scan" in _phases(done.stdout)


def test_an_unwritable_cache_directory_is_no_error(run: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    run.env["MODSPEC_CACHE_DIR"] = str(blocker)
    done = run("surface")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_no_cache_and_html_neither_use_nor_keep_entries(run: Runner, tmp_path: Path) -> None:
    run("surface", "--no-cache")
    assert not (run.cache / "results").exists()
    page = tmp_path / "page.html"
    run("surface", "--html", str(page))
    assert page.stat().st_size > 0
    assert run.entries() == []


def test_only_the_newest_entries_are_kept(run: Runner) -> None:
    for limit in range(result_cache.KEEP + 3):
        run("graph", "--limit", str(limit))
    assert len(run.entries()) == result_cache.KEEP
    # The first questions went; the newest is answered from its entry.
    newest = run("surface", "--limit", "0")
    assert len(run.entries()) == result_cache.KEEP
    assert _phases(run("surface", "--limit", "0").stdout) == {"walk", "cache", "total"}
    assert "scan" in _phases(newest.stdout)


def test_concurrent_runs_agree_and_leave_one_whole_entry(run: Runner, project: Path) -> None:
    path = ["--path", str(project / "src"), "--path", str(project / "lib")]
    argv = [sys.executable, "-m", "modspec", "surface", str(project), *path, "--json"]
    runs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run.env)
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in runs]
    assert all(process.returncode == 0 for process in runs), outputs
    assert len({_without_timings(out.decode()) for out, _ in outputs}) == 1
    assert len(run.entries()) == 1
    assert list((run.cache / "results").glob("*.tmp")) == []
    replay = run("surface", "--json")
    assert _phases(replay.stdout) == {"walk", "cache", "total"}
    assert _without_timings(replay.stdout) == _without_timings(outputs[0][0].decode())


def test_the_interpreter_s_own_path_gives_the_answer_of_no_cache(
    project: Path, tmp_path: Path, backend: str
) -> None:
    """On sys.path (whose directories other processes may touch: then the entry is not
    kept, or not used), a replayed or fresh answer is the answer of --no-cache."""
    env = {**os.environ, "MODSPEC_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("MODSPEC_PURE", None)
    if backend == "python":
        env["MODSPEC_PURE"] = "1"
    argv = [sys.executable, "-m", "modspec", "surface", str(project), "--json"]
    outputs = [
        subprocess.run([*argv, *extra], capture_output=True, text=True, env=env, check=True)
        for extra in ((), (), ("--no-cache",))
    ]
    assert len({_without_timings(done.stdout) for done in outputs}) == 1


# -- closure: no tree, only the modules it loads -----------------------------------------------


def _closure(run: Runner, *args: str) -> subprocess.CompletedProcess[str]:
    path = ["--path", str(run.root / "src"), "--path", str(run.root / "lib")]
    argv = [sys.executable, "-m", "modspec", "closure", *args, *path]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=run.env)


def _seconds_left_out(output: str) -> str:
    if output.startswith("{"):
        document = json.loads(output)
        document.pop("seconds")
        return json.dumps(document)
    return "\n".join(line for line in output.splitlines() if not line.startswith("  time:"))


@pytest.mark.parametrize("form", [(), ("--json",), ("--summary",)], ids=["tree", "json", "summary"])
def test_a_closure_is_replayed_until_a_module_it_loads_changes(
    run: Runner, project: Path, form: tuple[str, ...]
) -> None:
    first = _closure(run, "app.cli", *form)
    assert first.returncode == 0, first.stderr
    [entry] = run.entries()
    inode = entry.stat().st_ino
    second = _closure(run, "app.cli", *form)
    assert entry.stat().st_ino == inode  # replayed, not written again
    assert _seconds_left_out(second.stdout) == _seconds_left_out(first.stdout)
    # A module of the closure edited: its new import is followed.
    (project / "lib" / "helper.py").write_text("import missing_five\n", encoding="utf-8")
    third = _closure(run, "app.cli", *form)
    fresh = _closure(run, "app.cli", *form, "--no-cache")
    assert _seconds_left_out(third.stdout) == _seconds_left_out(fresh.stdout)
    assert _seconds_left_out(third.stdout) != _seconds_left_out(first.stdout)


def test_a_closure_whose_root_is_missing_is_not_kept(run: Runner) -> None:
    for _ in range(2):
        done = _closure(run, "no_such_module")
        assert done.returncode == 1
        assert "no module named 'no_such_module'" in done.stderr
    assert run.entries() == []


def test_a_kept_closure_is_written_without_the_closure_s_machine(run: Runner) -> None:
    """Its replay costs what its start-up costs: none of the modules that compute a closure
    (nor surface's) is imported."""
    assert _closure(run, "app.cli").returncode == 0
    path = ["--path", str(run.root / "src"), "--path", str(run.root / "lib")]
    code = (
        "import sys\nfrom modspec.cli import main\n"
        f"status = main(['closure', 'app.cli', *{path!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('modspec._codebase.'))\n"
        "print(status, *loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=run.env, timeout=60
    )
    status, *loaded = done.stderr.split()
    assert status == "0", done.stderr
    machine = {"closure", "closure_load", "closure_run", "closure_output", "surface", "extract"}
    assert not machine & {name.rpartition(".")[2] for name in loaded}, loaded
    assert "modspec._codebase.closure_question" in loaded


@pytest.mark.parametrize("command", ["surface", "graph", "closure"])
def test_modspec_s_own_files_unreadable_is_no_cache_and_no_error(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """A user who may not look into the installation (the question cannot be told) gets
    the answer, computed, and nothing is kept."""
    from modspec.cli import main

    def unreadable() -> list[list[object]]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(result_cache, "_code", unreadable)
    cache = tmp_path / "cache"
    monkeypatch.setenv("MODSPEC_CACHE_DIR", str(cache))
    path = ["--path", str(project / "src"), "--path", str(project / "lib")]
    asked = ["closure", "app.cli"] if command == "closure" else [command, str(project)]
    assert main([*asked, *path]) == 0
    assert "app" in capsys.readouterr().out
    assert not (cache / "results").exists()


def test_entries_are_kept_within_the_budget_the_newest_first(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from modspec.cli import main

    cache = tmp_path / "cache"
    monkeypatch.setenv("MODSPEC_CACHE_DIR", str(cache))
    path = ["--path", str(project / "src"), "--path", str(project / "lib")]
    assert main(["graph", str(project), "--json", *path]) == 0
    [first] = list((cache / "results").glob("*.result"))
    # Room for one such entry and a half: a second one pushes the older out.
    monkeypatch.setattr(result_cache, "BUDGET", first.stat().st_size * 3 // 2)
    assert main(["graph", str(project), "--json", "--level", "package", *path]) == 0
    [second] = list((cache / "results").glob("*.result"))
    assert second != first
    # The newest alone may take more than the budget: it is kept, and only it.
    monkeypatch.setattr(result_cache, "BUDGET", 1)
    capsys.readouterr()
    assert main(["graph", str(project), "--format", "dot", *path]) == 0
    [third] = list((cache / "results").glob("*.result"))
    assert third not in (first, second)
    assert third.read_bytes().count(b"digraph") == 1
