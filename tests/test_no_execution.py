"""modspec never runs, imports or writes what it looks at: a tree whose every module would leave
a marker (and stop the interpreter) is resolved, explained, predicted and surveyed with the
whole public API, and afterwards there is no marker, nothing new in sys.modules, and no file or
directory on disk has changed. Plus: no symlink loop is followed forever, and a huge source
costs what its header costs (except where a docstring is predicted, which parses it).
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import setuptools_finder_source, write_tree
from guards import deadline

import modspec
from modspec._codebase.surface import surface

MakeResolver = Callable[..., modspec.Resolver]


def _runs(marker: Path, name: str) -> str:
    """Source that leaves ``marker/name`` and stops the interpreter, if it ever runs."""
    return f"open({str(marker / name)!r}, 'w').write('ran')\nraise SystemExit('{name} ran')\n"


def _tree(root: Path, marker: Path) -> Path:
    site = root / "site"
    layout: dict[str, object] = {
        f"site/{rel}": _runs(marker, rel.replace("/", "."))
        for rel in (
            "top.py",
            "pkg/__init__.py",
            "pkg/mod.py",
            "pkg/sub/__init__.py",
            "pkg/sub/deep.py",
            "ns/portion.py",
            "sourceless.py",
            "hashed.py",
            # What setuptools writes for an editable install, and imports from a .pth.
            "__editable___demo_finder.py",
        )
    }
    # A .pth line that starts with 'import' is executed by site.py; modspec never reads it.
    layout["site/__editable__.demo.pth"] = (
        f"import os; open({str(marker / 'pth')!r}, 'w').write('ran')\n"
        "import __editable___demo_finder; __editable___demo_finder.install()\n"
    )
    layout["site/pkg/loop"] = ("symlink", "..")  # a directory symlink loop: pkg.loop.pkg...
    write_tree(root, layout)
    # Bytecode of three kinds, made by compiling (never running): a timestamp pyc, a checked
    # hash-based pyc (bytecode_status reads and hashes its source), and a sourceless module.
    py_compile.compile(str(site / "pkg/mod.py"), doraise=True)
    py_compile.compile(
        str(site / "hashed.py"),
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )
    py_compile.compile(str(site / "sourceless.py"), cfile=str(site / "sourceless.pyc"))
    (site / "sourceless.py").unlink()
    return site


def _snapshot(root: Path) -> dict[str, int]:
    """Every path under root (symlinks not followed) with its mtime."""
    seen = {str(root): root.lstat().st_mtime_ns}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            seen[path] = os.lstat(path).st_mtime_ns
    return seen


def _foreign_modules(before: set[str]) -> set[str]:
    return {name for name in set(sys.modules) - before if not name.startswith("modspec")}


def test_nothing_runs_nothing_is_imported_nothing_changes(
    tmp_path: Path, make_resolver: MakeResolver, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "markers"
    marker.mkdir()
    site = _tree(tmp_path, marker)
    monkeypatch.chdir(tmp_path)
    path = [str(site)]
    files_before = _snapshot(tmp_path)
    modules_before = set(sys.modules)

    with deadline(60):
        found = modspec.discover(path, resolver=make_resolver(path))
        specs = make_resolver(path).resolve_many(found)
        missing = ["nope", "pkg.nope", "pkg.sub.nope.deeper", "top.x", "__editable___demo_finder.x"]
        explanations = [make_resolver(path).explain(name) for name in missing]
        infos = [spec.module_info() for spec in specs.values() if spec is not None]
        statuses = make_resolver(path).bytecode_status(specs.values())
        module_statuses = modspec.bytecode_status(specs.values())
        # The tree as a code base: every file read for imports, each import resolved.
        report = surface([str(site)], path=path, backend=backend)

    # The survey saw the tree (a test that cannot fail is a defect), loop included, once.
    assert {"top", "pkg", "pkg.mod", "pkg.sub.deep", "ns.portion", "sourceless", "hashed"} <= set(
        found
    )
    assert "__editable___demo_finder" in found
    assert "pkg.loop" in found
    assert "pkg.loop.pkg.loop" not in found
    assert all(spec is not None for spec in specs.values())
    assert all(why.spec is None for why in explanations)
    assert len(infos) == len(specs)
    assert statuses == module_statuses
    assert statuses["pkg.mod"] is modspec.BytecodeStatus.FRESH
    assert statuses["hashed"] is modspec.BytecodeStatus.FRESH  # its source read and hashed
    assert statuses["sourceless"] is modspec.BytecodeStatus.FRESH
    assert statuses["top"] is modspec.BytecodeStatus.MISSING
    assert report.files == 8  # the .py files; the loop is not followed
    assert report.imports == 0  # they only write markers and raise
    assert not report.unparsable

    # ... and left no trace.
    assert sorted(p.name for p in marker.iterdir()) == []
    assert _foreign_modules(modules_before) == set()
    assert not {"top", "pkg", "hashed", "__editable___demo_finder"} & set(sys.modules)
    assert _snapshot(tmp_path) == files_before  # no file written, touched or removed


def test_directory_symlink_loops_end(tmp_path: Path, make_resolver: MakeResolver) -> None:
    # pkg/loop -> .. and pkg/self -> . : each spelling of a directory is a new name to import,
    # so discover follows each loop once (by the directory's identity) and stops.
    write_tree(
        tmp_path,
        {
            "site/pkg/__init__.py": "",
            "site/pkg/m.py": "",
            "site/pkg/loop": ("symlink", ".."),
            "site/pkg/self": ("symlink", "."),
            "site/pkg/a": ("symlink", "b"),
            "site/pkg/b": ("symlink", "a"),
        },
    )
    path = [str(tmp_path / "site")]
    with deadline(20):
        found = modspec.discover(path, resolver=make_resolver(path))
    assert {"pkg", "pkg.m", "pkg.loop"} <= set(found)
    assert "pkg.a" not in found
    assert len(found) < 20
    # Any finite spelling still resolves, as import would follow it.
    # (Up to the kernel's limit of symlinks per path, 40 on Linux: beyond it stat fails, ELOOP.)
    deep = ".".join(["pkg"] + ["self"] * 10 + ["loop", "pkg", "m"])
    with deadline(20):
        spec = make_resolver(path).resolve(deep)
    assert spec is not None
    assert spec.kind is modspec.Kind.SOURCE


_BIG = 50 * 1024 * 1024


def test_a_huge_source_costs_its_header(tmp_path: Path, make_resolver: MakeResolver) -> None:
    package = tmp_path / "site" / "big"
    package.mkdir(parents=True)
    init = package / "__init__.py"
    with init.open("wb") as file:
        file.write(b'"""A docstring, then 50 MB of NUL bytes (a sparse file)."""\n')
        file.truncate(_BIG)
    cached = importlib.util.cache_from_source(str(init))
    Path(cached).parent.mkdir()
    Path(cached).write_bytes(importlib.util.MAGIC_NUMBER + b"\0" * 12)
    path = [str(tmp_path / "site")]

    tracemalloc.start()
    try:
        resolver = make_resolver(path)
        spec = resolver.resolve_many(["big"])["big"]
        assert spec is not None
        status = resolver.bytecode_status([spec])["big"]
        _, peak = tracemalloc.get_traced_memory()
        # Resolving stats the file, bytecode_status reads the pyc's 16 bytes: never the source.
        assert peak < 5 * 1024 * 1024
        assert spec.origin_stat is not None
        assert spec.origin_stat.size == _BIG
        assert status is modspec.BytecodeStatus.STALE

        # Predicting __doc__ is the one call that reads the source: _predict reads it whole
        # and parses it, as the compiler would. That is its expected cost, once the file's size;
        # NUL bytes do not parse (the import would fail), so there is no docstring.
        tracemalloc.reset_peak()
        assert spec.module_info().doc is None
        _, peak = tracemalloc.get_traced_memory()
        assert _BIG <= peak < 3 * _BIG
    finally:
        tracemalloc.stop()


def test_editable_hooks_and_legacy_namespaces_run_nothing(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "markers"
    marker.mkdir()
    monkeypatch.chdir(tmp_path)
    venv = tmp_path / "venv"

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    project = tmp_path / "project"
    legacy = "import pkgutil\n__path__ = pkgutil.extend_path(__path__, __name__)\n"
    write_tree(
        tmp_path,
        {
            "project/edpkg/__init__.py": _runs(marker, "edpkg"),
            "project/edpkg/mod.py": _runs(marker, "edpkg.mod"),
            "project/edns/sub/__init__.py": _runs(marker, "edns.sub"),
            # Legacy namespace portions, both idioms, each writing a marker if run.
            "portion1/legacy/__init__.py": _runs(marker, "legacy1").replace(
                "raise SystemExit", legacy + "raise SystemExit"
            ),
            "portion1/legacy/one.py": _runs(marker, "legacy.one"),
            "portion2/legacy/__init__.py": _runs(marker, "legacy2")
            + "__import__('pkg_resources').declare_namespace(__name__)\n",
            "portion2/legacy/two.py": _runs(marker, "legacy.two"),
        },
    )
    write_tree(
        site,
        {
            "__editable___demo_finder.py": _runs(marker, "setuptools_finder")
            + setuptools_finder_source(
                {"edpkg": str(project / "edpkg")},
                {"edns": [str(project / "edns")]},
            ),
            "__editable__.demo.pth": "import __editable___demo_finder; "
            "__editable___demo_finder.install()\n",
            "_editable_skbc_skb.py": _runs(marker, "skbuild")
            + "class ScikitBuildRedirectingFinder:\n    pass\n"
            + "install({'skb': '/nowhere/skb.py'}, {}, {}, [], None, True, False, [], [], '')\n",
            "_editable_skbc_skb.pth": "import _editable_skbc_skb\n",
            "_mes_editable_loader.py": _runs(marker, "meson")
            + "class MesonpyMetaFinder:\n    pass\n"
            + "def init():\n    MesonpyMetaFinder('m', {'mes'}, '/nowhere', ['ninja'], False)\n",
            "mes-editable.pth": "import _mes_editable_loader; _mes_editable_loader.init()\n",
            "portions.pth": f"{tmp_path / 'portion1'}\n{tmp_path / 'portion2'}\n",
        },
    )
    names = [
        "edpkg",
        "edpkg.mod",
        "edns",
        "edns.sub",
        "legacy",
        "legacy.one",
        "legacy.two",
        "skb",
        "mes",
        "__editable___demo_finder",
    ]
    # A code base importing every one of them.
    write_tree(tmp_path, {"code/use.py": "import " + ", ".join(names) + "\n"})
    files_before = _snapshot(tmp_path)
    modules_before = set(sys.modules)

    with deadline(60):
        env = modspec.environment_path(venv)
        resolver = modspec.Resolver(
            env.entries, editables=env.editables, legacy_namespaces=True, backend=backend
        )
        specs = resolver.resolve_many(names)
        explanations = [resolver.explain(name) for name in ("skb", "mes.x", "edpkg.nope")]
        infos = [spec.module_info() for spec in specs.values() if spec is not None]
        report = surface(
            [str(tmp_path / "code"), str(project), str(tmp_path / "portion1")],
            environment=env,
            legacy_namespaces=True,
            backend=backend,
        )

    # It saw everything (a test that cannot fail is a defect) ...
    assert {editable.tool for editable in env.editables} == {
        "setuptools",
        "scikit-build-core",
        "meson-python",
    }
    assert [name for name in names if specs[name] is None] == ["skb", "mes"]
    assert report.files == 6
    assert sorted(u.name for u in report.unresolved) == ["mes", "skb"]
    assert {u.reason for u in report.unresolved} == {"custom_finder"}
    legacy_spec = specs["legacy"]
    assert legacy_spec is not None
    assert len(legacy_spec.submodule_search_locations or ()) == 2
    assert explanations[0].reason is modspec.Reason.CUSTOM_FINDER
    assert len(infos) == len(names) - 2
    # ... and left no trace.
    assert sorted(p.name for p in marker.iterdir()) == []
    assert _foreign_modules(modules_before) == set()
    assert not {"edpkg", "legacy", "_editable_skbc_skb", "__editable___demo_finder"} & set(
        sys.modules
    )
    assert _snapshot(tmp_path) == files_before
