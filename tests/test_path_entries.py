"""Path entries that are str subclasses: both cores answer as CPython's PathFinder does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

import modspec

# The entries' classes, defined alike here and in CPython's subprocess. PathFinder keys
# sys.path_importer_cache by the entry object (its __eq__ and __hash__ count) and compares
# it with "" by its __eq__; os.stat and os.listdir take its str value, never __fspath__ or
# __str__.
_CLASSES = """
class Alias(str):
    # Equal to, and hashed as, the entry ``other``: it shares that entry's finder.
    def __new__(cls, value, other):
        entry = super().__new__(cls, value)
        entry.other = other
        return entry
    def __eq__(self, other):
        return str.__eq__(self, other) or str.__eq__(self.other, other)
    def __hash__(self):
        return hash(str(self.other))

class Empty(str):
    # Equal to "": PathFinder searches the working directory instead.
    def __eq__(self, other):
        return other == "" or str.__eq__(self, other)
    __hash__ = str.__hash__

class Fspath(str):
    def __fspath__(self):
        return OTHER_DIR

class Str(str):
    def __str__(self):
        return OTHER_DIR
"""

_ORACLE = """
import importlib.machinery, json, sys
A, B, OTHER_DIR, NAMES = json.loads(sys.argv[1])
exec(CLASSES)
answers = []
for path in PATHS():
    sys.path_importer_cache.clear()
    found = {}
    for name in NAMES:
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        found[name] = None if spec is None else spec.origin
    answers.append(found)
print(json.dumps(answers))
"""

_PATHS = """
def PATHS():
    return [
        [Alias(B, A), A],
        [A, Alias(B, A)],
        [Empty(B), A],
        [Fspath(A), B],
        [Str(A), B],
    ]
"""

_NAMES = ["only_a", "only_b", "only_cwd", "only_other"]


@pytest.fixture
def dirs(tree: object, tmp_path: Path) -> tuple[str, str, str]:
    write_tree(
        tmp_path,
        {
            "a/only_a.py": "",
            "b/only_b.py": "",
            "other/only_other.py": "",
            "only_cwd.py": "",
        },
    )
    return str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "other")


def test_str_subclass_entries_answer_as_cpython(backend: str, dirs: tuple[str, str, str]) -> None:
    # Regression: the Cython core searched such an entry by its value under a plain str key,
    # so an Alias of another entry got a finder of its own there (only_a found, CPython None).
    a, b, other = dirs
    script = f"CLASSES = {_CLASSES!r}\n{_PATHS}\n{_ORACLE}"
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps([a, b, other, _NAMES])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = json.loads(done.stdout)
    namespace: dict[str, object] = {"A": a, "B": b, "OTHER_DIR": other}
    exec(_CLASSES + _PATHS, namespace)
    paths = namespace["PATHS"]()  # type: ignore[operator]
    got = []
    for path in paths:
        specs = modspec.Resolver(path, backend=backend).resolve_many(_NAMES)
        got.append({name: None if spec is None else spec.origin for name, spec in specs.items()})
    assert got == expected
    # The cases tell apart what they are meant to: an alias shares its twin's finder, and
    # "" stands for the working directory.
    assert expected[0]["only_a"] is None
    assert expected[1]["only_b"] is None
    assert expected[2]["only_cwd"] is not None
