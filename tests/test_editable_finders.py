"""Editable installs' finder modules read statically, without a build: the shapes
scikit-build-core, meson-python, setuptools' first template and the editables library write,
modules that are no finder, and the hooks of the running interpreter."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from conftest import setuptools_finder_source, write_tree
from venvs import run

import modspec
from modspec import EditableFinder, Reason, environment_path

# --- finder modules in other tools' shapes, and setuptools' first template ----------------------


def _skbuild_module(source_files: dict[str, str], rebuild: bool) -> str:
    # The shape scikit-build-core writes: its redirect module, then one install(...) call with
    # the tables as literals (known source files, wheel files, directories, packages, build
    # path, rebuild, verbose, build options, install options, install dir).
    return (
        "import os, sys\n\n"
        "class ScikitBuildRedirectingFinder:\n"
        "    def find_spec(self, fullname, path=None, target=None):\n"
        "        raise ImportError\n\n"
        "def install(known_source_files, known_wheel_files, *args):\n"
        "    sys.meta_path.insert(0, ScikitBuildRedirectingFinder())\n\n\n"
        f"install({source_files!r}, {{}}, {{}}, [], None, {rebuild!r}, False, [], [], '')\n"
    )


def _meson_module(names: set[str], build: str) -> str:
    # The shape meson-python writes: its loader module, then init() making the finder from the
    # project name, the top-level names, the build directory and the build command.
    return (
        "import sys\n\n"
        "class MesonpyMetaFinder:\n"
        "    def __init__(self, package, names, path, cmd, verbose=False):\n"
        "        self._top_level_modules = names\n\n"
        "def init():\n"
        f"    finder = MesonpyMetaFinder('demo', {sorted(names)!r}, {build!r}, ['ninja'], False)\n"
        "    sys.meta_path.insert(0, finder)\n"
    ).replace(repr(sorted(names)), "{" + ", ".join(map(repr, sorted(names))) + "}")


def _legacy_setuptools_module(mapping: dict[str, str]) -> str:
    # The shape of setuptools 64-67's template: the finder walks reversed(MAPPING) and maps a
    # name at any depth below a mapped package; a namespace's paths are an 'or' chain.
    return (
        f"MAPPING = {mapping!r}\nNAMESPACES = {{}}\n"
        "PATH_PLACEHOLDER = '__editable__.demo-1.0.finder' + '.__path_hook__'\n\n"
        "class _EditableFinder:\n"
        "    @classmethod\n"
        "    def find_spec(cls, fullname, path=None, target=None):\n"
        "        for pkg, pkg_path in reversed(list(MAPPING.items())):\n"
        "            pass\n\n"
        "class _EditableNamespaceFinder:\n"
        "    @classmethod\n"
        "    def _paths(cls, fullname):\n"
        "        return NAMESPACES[fullname] or MAPPING.get(fullname) or [PATH_PLACEHOLDER]\n\n"
        "def install():\n    pass\n"
    )


def _bare_venv(where: Path) -> tuple[Path, Path]:
    """A venv without pip under ``where``, and its site-packages, for hand-written hooks."""
    venv = where / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    return venv, site


def test_scikit_build_core_and_meson_python_are_reported(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    venv, site = _bare_venv(tmp_path)
    # The files' names and .pth lines as a real install writes them (scikit-build-core 1.1,
    # meson-python 0.22; see the test above).
    write_tree(
        site,
        {
            "_editable_skbc_skb.py": _skbuild_module({"skbpkg": "/src/skbpkg/__init__.py"}, True),
            "_editable_skbc_skb.pth": "import _editable_skbc_skb\n",
            "_mes_editable_loader.py": _meson_module({"mespkg"}, "/src/build/cp"),
            "mes-editable.pth": "import _mes_editable_loader; _mes_editable_loader.init()\n",
        },
    )
    env = environment_path(venv)
    tools = {editable.tool: editable for editable in env.editables}
    assert set(tools) == {"scikit-build-core", "meson-python"}
    assert tools["scikit-build-core"].mapping == (("skbpkg", "/src/skbpkg/__init__.py"),)
    assert "rebuild" in (tools["scikit-build-core"].unsupported or "")
    assert tools["meson-python"].mapping == (("mespkg", "/src/build/cp"),)
    resolver = modspec.Resolver(env.entries, editables=env.editables, backend=backend)
    assert resolver.resolve_many(["skbpkg", "mespkg.x"]) == {"skbpkg": None, "mespkg.x": None}
    for name, tool in (("skbpkg", "scikit-build-core"), ("mespkg", "meson-python")):
        why = resolver.explain(name)
        assert why.reason is Reason.CUSTOM_FINDER
        assert tool in why.detail
        assert tools[tool].file in why.detail
    # A child's explanation names the parent the hook would have answered, and says why.
    why = resolver.explain("mespkg.x")
    assert why.reason is Reason.PARENT_MISSING
    assert why.missing_part == "mespkg"
    assert "meson-python" in why.detail


def test_setuptools_first_template_maps_any_depth(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path,
        {
            "proj/pkg/__init__.py": "",
            "proj/pkg/sub/__init__.py": "",
            "proj/pkg/sub/leaf.py": "",
            "proj/other/mod.py": "",
            "site/__editable___demo_finder.py": _legacy_setuptools_module(
                {"pkg": str(tmp_path / "proj/pkg"), "pkg.sub": str(tmp_path / "proj/other")}
            ),
        },
    )
    editable = modspec._editable.read_editable_finder(
        str(tmp_path / "site/__editable___demo_finder.py")
    )
    assert isinstance(editable, EditableFinder)
    assert editable.template == "64"
    assert editable.path_entry is None  # no namespaces: install() adds no path hook
    resolver = modspec.Resolver([str(tmp_path / "site")], editables=[editable], backend=backend)
    found = resolver.resolve_many(["pkg", "pkg.sub", "pkg.sub.leaf", "pkg.sub.mod"])
    # pkg.sub is found in pkg's directory first (PathFinder precedes the hook) ...
    assert found["pkg.sub"] is not None
    assert found["pkg.sub"].origin == str(tmp_path / "proj/pkg/sub/__init__.py")
    assert found["pkg.sub.leaf"] is not None
    # ... and the hook maps pkg.sub.mod through its last matching key, pkg.sub.
    assert found["pkg.sub.mod"] is not None
    assert found["pkg.sub.mod"].origin == str(tmp_path / "proj/other/mod.py")


@pytest.mark.parametrize(
    "source",
    [
        "MAPPING = {}\n",  # no finder class
        "class _EditableFinder: pass\nMAPPING = {1: 2}\nNAMESPACES = {}\nPATH_PLACEHOLDER = 'x'\n",
        "class _EditableFinder: pass\nMAPPING = dict(a='b')\nNAMESPACES = {}\n",
        # a placeholder that is not setuptools' '<name>.__path_hook__'
        "class _EditableFinder: pass\nMAPPING = {}\nNAMESPACES = {}\nPATH_PLACEHOLDER = 'x'\n",
        "class _EditableFinder(:\n",  # does not parse
        "import os\n",
    ],
)
def test_other_modules_are_not_editable_finders(tmp_path: Path, source: str) -> None:
    module = tmp_path / "__editable___x_finder.py"
    module.write_text(source, encoding="utf-8")
    assert modspec._editable.read_editable_finder(str(module)) is None


def test_an_unknown_setuptools_template_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "__editable___x_finder.py"
    module.write_text(
        "MAPPING = {'a': '/a'}\nNAMESPACES = {}\nPATH_PLACEHOLDER = 'p' + '.__path_hook__'\n"
        "class _EditableFinder:\n    def find_spec(cls, fullname): return None\n",
        encoding="utf-8",
    )
    editable = modspec._editable.read_editable_finder(str(module))
    assert editable is not None
    assert editable.unsupported is not None
    assert editable.claims("a.b") == "a"
    assert modspec.Resolver([], editables=[editable]).resolve("a") is None


def test_live_hooks_are_found_statically(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hook installed in this process, as setuptools' install() would leave it: the finder
    # class at the end of sys.meta_path, the placeholder at the end of sys.path. The finder
    # here is a stand-in that fails if called; modspec must read its module's file instead.
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path,
        {
            "proj/livepkg/__init__.py": "",
            "proj/livepkg/mod.py": "",
            "proj/livens/inner/__init__.py": "",
            "site/__editable___live_finder.py": setuptools_finder_source(
                {"livepkg": str(tmp_path / "proj/livepkg")},
                {"livens": [str(tmp_path / "proj/livens")]},
                dist="live-1.0",
            ),
        },
    )
    module = types.ModuleType("__editable___live_finder")
    module.__file__ = str(tmp_path / "site/__editable___live_finder.py")
    module.MAPPING = {"livepkg": str(tmp_path / "proj/livepkg")}  # as the imported module has

    class Finder:
        @classmethod
        def find_spec(cls, *args: object) -> None:
            raise AssertionError("modspec called a finder")

    Finder.__module__ = module.__name__
    placeholder = "__editable__.live-1.0.finder.__path_hook__"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    monkeypatch.setattr(sys, "path", [*sys.path, placeholder])

    resolver = modspec.Resolver(backend=backend)
    (editable,) = resolver.editables
    assert (editable.module, editable.template, editable.path_entry) == (
        module.__name__,
        "70",
        placeholder,
    )
    found = resolver.resolve_many(["livepkg.mod", "livens", "livens.inner"])
    assert found["livepkg.mod"] is not None
    assert found["livepkg.mod"].origin == str(tmp_path / "proj/livepkg/mod.py")
    assert found["livens"] is not None
    assert found["livens"].kind is modspec.Kind.NAMESPACE
    assert found["livens"].submodule_search_locations == (
        str(tmp_path / "proj/livens"),
        placeholder,
    )
    assert found["livens.inner"] is not None
    # A name the hook does not give either is simply not found: no custom finder is blamed.
    assert resolver.explain("livepkg.nope").reason is Reason.NOT_FOUND
    # With an explicit path, hooks are only those given.
    assert modspec.Resolver(sys.path, backend=backend).resolve("livepkg") is None


# --- editables' modules, without a build ---------------------------------------------------------


def _editables_module(*calls: str) -> str:
    # The shape editables' EditableProject.bootstrap_file writes (0.3-0.6; see the installs).
    return "\n".join(["from editables.redirector import RedirectingFinder as F", *calls])


@pytest.mark.parametrize(
    ("source", "mapping", "unsupported"),
    [
        (
            _editables_module("F.install()", "F.map_module('a', '/a/__init__.py')"),
            (("a", "/a/__init__.py"),),
            False,
        ),
        # map_module sets a dict item: a later call for the same name wins.
        (
            _editables_module(
                "F.map_module('a', '/1.py')", "F.install()", "F.map_module('a', '/2.py')"
            ),
            (("a", "/2.py"),),
            False,
        ),
        (_editables_module("F.install()", "F.map_module('a', '/' + X)"), (("a", "'/' + X"),), True),
        (_editables_module("F.install()", "F.map_module('a')"), (), True),
        (_editables_module("F.install()", "F.map_module('a', path='/a.py')"), (), True),
        (_editables_module("F.map_module('a', '/a.py')"), None, False),  # never installed
        ("import editables.redirector\nF.install()\n", None, False),  # F is not the finder
    ],
)
def test_editables_modules_are_read(
    tmp_path: Path, source: str, mapping: tuple[tuple[str, str], ...] | None, unsupported: bool
) -> None:
    module = tmp_path / "_editable_impl_x.py"
    module.write_text(source, encoding="utf-8")
    editable = modspec._editable.read_editable_finder(str(module))
    if mapping is None:
        assert editable is None
        return
    assert editable is not None
    assert (editable.tool, editable.module, editable.mapping) == ("editables", module.stem, mapping)
    assert (editable.unsupported is not None) == unsupported


def test_editables_hooks_in_a_venv(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    venv, site = _bare_venv(tmp_path)
    project = tmp_path / "proj"
    # Two projects share one RedirectingFinder: the second module's mapping of "shared" wins.
    write_tree(
        project,
        {"one/__init__.py": "", "one/sub.py": "", "first.py": "", "second.py": "", "odd.py": ""},
    )
    maps = {
        "a": ("one", project / "one/__init__.py", "shared", project / "first.py"),
        "b": ("shared", project / "second.py"),
    }
    files: dict[str, object] = {}
    for dist, pairs in maps.items():
        calls = [
            f"F.map_module({str(name)!r}, {str(target)!r})"
            for name, target in zip(pairs[::2], pairs[1::2], strict=True)
        ]
        files[f"_editable_impl_{dist}.py"] = _editables_module("F.install()", *calls)
        files[f"_editable_impl_{dist}.pth"] = f"import _editable_impl_{dist}"
    # A module modspec cannot read all of: reported, with its file.
    files["_editable_impl_c.py"] = _editables_module("F.install()", "F.map_module('odd', P)")
    files["_editable_impl_c.pth"] = "import _editable_impl_c"
    write_tree(site, files)
    # Without the editables package its modules' first line fails: no hook is installed.
    assert environment_path(venv).editables == ()
    write_tree(site, {"editables/__init__.py": "", "editables/redirector.py": ""})
    env = environment_path(venv)
    assert [editable.module for editable in env.editables] == [
        "_editable_impl_a",
        "_editable_impl_b",
        "_editable_impl_c",
    ]
    resolver = modspec.Resolver(env.entries, editables=env.editables, backend=backend)
    found = resolver.resolve_many(["one", "one.sub", "shared", "odd", "one.nope", "first"])
    origins = {name: None if spec is None else spec.origin for name, spec in found.items()}
    assert origins == {
        "one": str(project / "one/__init__.py"),
        "one.sub": str(project / "one/sub.py"),  # PathFinder, in the mapped package's directory
        "shared": str(project / "second.py"),
        "odd": None,
        "one.nope": None,
        "first": None,
    }
    why = resolver.explain("odd")
    assert why.reason is Reason.CUSTOM_FINDER
    assert "editables" in why.detail
    assert str(site / "_editable_impl_c.py") in why.detail
