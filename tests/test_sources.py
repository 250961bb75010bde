"""The source walker and the roots' [tool.modspec] settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from modspec._codebase.config import ConfigError, load_root
from modspec._codebase.sources import source_files
from modspec._codebase.surface import surface

Tree = Callable[[dict[str, object]], Path]


def _sources(root: Path, **options: object) -> dict[str, tuple[str | None, str | None]]:
    """{path relative to root: (module, package)} of every file the walk yields."""
    loaded = load_root(str(root), **options)  # type: ignore[arg-type]
    return {os.path.relpath(f.path, root): (f.module, f.package) for f in source_files(loaded)}


def test_modules_are_named_from_the_root(tree: Tree) -> None:
    root = tree(
        {
            "app.py": "",
            "pkg/__init__.py": "",
            "pkg/mod.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/deep.py": "",
            "ns/portion.py": "",
            "notes.txt": "",
            "pkg/data.json": "",
        }
    )
    assert _sources(root) == {
        "app.py": ("app", ""),
        "ns/portion.py": ("ns.portion", "ns"),
        "pkg/__init__.py": ("pkg", "pkg"),
        "pkg/mod.py": ("pkg.mod", "pkg"),
        "pkg/sub/__init__.py": ("pkg.sub", "pkg.sub"),
        "pkg/sub/deep.py": ("pkg.sub.deep", "pkg.sub"),
    }


def test_src_layout_names_modules_from_src(tree: Tree) -> None:
    root = tree({"src/pkg/__init__.py": "", "src/pkg/a.py": "", "tests/test_a.py": ""})
    assert _sources(root) == {
        "src/pkg/__init__.py": ("pkg", "pkg"),
        "src/pkg/a.py": ("pkg.a", "pkg"),
        "tests/test_a.py": ("tests.test_a", "tests"),
    }


def test_a_root_inside_a_package_names_from_the_outermost_package(tree: Tree) -> None:
    base = tree({"top/__init__.py": "", "top/inner/__init__.py": "", "top/inner/m.py": ""})
    assert _sources(base / "top" / "inner") == {
        "__init__.py": ("top.inner", "top.inner"),
        "m.py": ("top.inner.m", "top.inner"),
    }


def test_paths_that_are_no_module_names_are_scripts(tree: Tree) -> None:
    root = tree({"my-tool/run.py": "", "pkg/__init__.py": "", "top-level.py": ""})
    assert _sources(root) == {
        "my-tool/run.py": (None, None),
        "pkg/__init__.py": ("pkg", "pkg"),
        "top-level.py": (None, None),
    }


def test_a_file_no_statement_can_name_keeps_its_package(tree: Tree, backend: str) -> None:
    # Django's migrations/0001_initial.py: importlib.import_module loads it by that name, and
    # its relative imports are made against its directory's package.
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/models.py": "",
            "pkg/migrations/__init__.py": "",
            "pkg/migrations/0001_initial.py": "from .. import models\nfrom . import gone, lost\n",
        }
    )
    assert _sources(root)["pkg/migrations/0001_initial.py"] == (
        "pkg.migrations.0001_initial",
        "pkg.migrations",
    )
    report = surface([str(root)], backend=backend)
    assert "pkg.models" in report.modules
    # `from . import gone, lost`: pkg.migrations resolves, so both are attributes of it —
    # no finding; nothing is reported per imported name.
    assert report.unresolved == []


def test_environments_caches_and_hidden_directories_are_skipped(tree: Tree) -> None:
    root = tree(
        {
            "keep.py": "",
            ".hidden/x.py": "",
            "__pycache__/x.py": "",
            "venv/pyvenv.cfg": "home = /usr/bin\n",
            "venv/lib/x.py": "",
            "conda/conda-meta/history": "",
            "conda/x.py": "",
            "lib/site-packages/dep.py": "",
            "lib/dist-packages/dep.py": "",
        }
    )
    assert list(_sources(root)) == ["keep.py"]


def test_gitignore_and_exclude(tree: Tree) -> None:
    root = tree(
        {
            ".git/info/exclude": "local_only/\n",
            ".gitignore": "build/\n*_pb2.py\n",
            "build/gen.py": "",
            "api_pb2.py": "",
            "local_only/x.py": "",
            "app.py": "",
            "sub/.gitignore": "skip.py\n",
            "sub/skip.py": "",
            "sub/keep.py": "",
            "skip.py": "",
            "tests/fixtures/bad.py": "",
            "tests/test_x.py": "",
        }
    )
    assert sorted(_sources(root)) == [
        "app.py",
        "skip.py",
        "sub/keep.py",
        "tests/fixtures/bad.py",
        "tests/test_x.py",
    ]
    assert sorted(_sources(root, exclude=["tests/fixtures/"])) == [
        "app.py",
        "skip.py",
        "sub/keep.py",
        "tests/test_x.py",
    ]
    assert len(_sources(root, gitignore=False)) == 9


def test_a_root_below_the_work_tree_obeys_the_gitignore_above_it(tree: Tree) -> None:
    base = tree({".git/HEAD": "", ".gitignore": "gen/\n", "proj/gen/x.py": "", "proj/y.py": ""})
    assert list(_sources(base / "proj")) == ["y.py"]


def test_directory_symlinks_are_not_followed(tree: Tree) -> None:
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/loop": ("symlink", ".."),
            "link.py": ("symlink", "pkg/__init__.py"),
        }
    )
    assert sorted(_sources(root)) == ["link.py", "pkg/__init__.py"]


def test_only_regular_files(tree: Tree) -> None:
    root = tree({"a.py": ""})
    os.mkfifo(root / "fifo.py")
    os.mkdir(root / "dir.py")
    assert list(_sources(root)) == ["a.py"]


def test_configuration_from_pyproject(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.modspec]\nexclude = ["legacy/"]\nsource-dirs = ["lib"]\n'
            'fail-on = ["unresolved"]\ngitignore = false\n',
            "lib/pkg/__init__.py": "",
            "legacy/old.py": "",
            "tool.py": "",
        }
    )
    loaded = load_root(str(root))
    assert loaded.source_dirs == (str(root / "lib"),)
    assert loaded.fail_on == ("unresolved",)
    assert loaded.gitignore is False
    assert _sources(root) == {"lib/pkg/__init__.py": ("pkg", "pkg"), "tool.py": (None, None)}
    assert load_root(str(root), gitignore=True).gitignore is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.modspec]\nexcluded = []\n", "unknown key tool.modspec.excluded"),
        ("[tool.modspec]\nexclude = 'x'\n", "must be a list of strings"),
        ("[tool.modspec]\ngitignore = 'no'\n", "must be true or false"),
        ("[tool]\nmodspec = 3\n", "must be a table"),
        ("[tool.modspec\n", "pyproject.toml"),
        (b"\xff\xfe", "pyproject.toml"),
    ],
    ids=["unknown key", "not a list", "not a bool", "not a table", "bad toml", "not utf-8"],
)
def test_bad_configuration_is_a_clear_error(tree: Tree, text: str | bytes, message: str) -> None:
    root = tree({"pyproject.toml": text})
    with pytest.raises(ConfigError, match=message):
        load_root(str(root))


def test_a_root_that_is_no_directory(tree: Tree) -> None:
    root = tree({"file.py": ""})
    with pytest.raises(ConfigError, match="not a directory"):
        load_root(str(root / "file.py"))
    with pytest.raises(ConfigError, match="not a directory"):
        load_root(str(root / "missing"))
