"""Editable installs: modspec's static answers against CPython's, in venvs with real installs.

Small projects (flat layout, src layout, a namespace package, a package with a submodule and a
subpackage, a single module) are ``pip install -e``'d with setuptools in its three modes
(lenient, the default; strict; compat) into venvs made once per session. For every module
name, modspec's answer from ``environment_path(venv)`` and its ``editables`` is compared, field
by field, with ``importlib.util.find_spec`` run in that venv (which imports the parents: it is
the oracle); so are the answers of a ``Resolver()`` made inside the venv, which finds the
installed hooks in ``sys.meta_path`` by itself.

scikit-build-core's and meson-python's hooks need a CMake or Meson build to install for real;
here they are modules in the shape those tools write, which modspec must recognise and report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree
from oracle import _FIELDS_SOURCE, fields

import modspec
from modspec import EditableFinder, Reason, environment_path

# mode -> (the setuptools to install, --config-settings editable_mode=...): the current
# setuptools in its three modes, and the last releases of its two earlier finder templates
# (which need wheel for bdist_wheel) in their default mode.
MODES: dict[str, tuple[list[str], str | None]] = {
    "lenient": (["setuptools"], None),
    "strict": (["setuptools"], "strict"),
    "compat": (["setuptools"], "compat"),
    "template-64": (["setuptools==67.8.0", "wheel"], None),
    "template-68": (["setuptools==68.2.2", "wheel"], None),
}

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"
[project]
name = "{name}"
version = "1.0"
{extra}
"""

# Each project: its files, and the module names it provides.
PROJECTS: dict[str, tuple[dict[str, object], list[str]]] = {
    "flat": (
        {
            "pyproject.toml": _PYPROJECT.format(
                name="flat", extra='[tool.setuptools]\npackages = ["flatpkg", "flatpkg.sub"]'
            ),
            "flatpkg/__init__.py": "",
            "flatpkg/mod.py": "",
            "flatpkg/sub/__init__.py": "",
            "flatpkg/sub/deep.py": "",
            "tools/helper.py": "",  # in the project, not in the package: never importable
        },
        ["flatpkg", "flatpkg.mod", "flatpkg.sub", "flatpkg.sub.deep"],
    ),
    "srclayout": (
        {
            "pyproject.toml": _PYPROJECT.format(name="srclayout", extra=""),
            "src/srcpkg/__init__.py": "",
            "src/srcpkg/child.py": "",
            "src/srcpkg/inner/__init__.py": "",
            "src/srcpkg/inner/leaf.py": "",
        },
        ["srcpkg", "srcpkg.child", "srcpkg.inner", "srcpkg.inner.leaf"],
    ),
    "nsproject": (
        {
            "pyproject.toml": _PYPROJECT.format(
                name="nsproject",
                extra='[tool.setuptools.packages.find]\nwhere = ["src"]\nnamespaces = true',
            ),
            "src/nsp/portion/__init__.py": "",
            "src/nsp/portion/part.py": "",
            "src/nsp/plain.py": "",
        },
        ["nsp", "nsp.portion", "nsp.portion.part", "nsp.plain"],
    ),
    "flatns": (
        {
            "pyproject.toml": _PYPROJECT.format(
                name="flatns",
                extra='[tool.setuptools]\npackages = ["fns", "fns.sub", "fns.sub.sub2"]',
            ),
            "fns/sub/__init__.py": "",
            "fns/sub/m.py": "",
            "fns/sub/sub2/__init__.py": "",
        },
        ["fns", "fns.sub", "fns.sub.m", "fns.sub.sub2"],
    ),
    "single": (
        {
            "pyproject.toml": _PYPROJECT.format(
                name="single", extra='[tool.setuptools]\npy-modules = ["single_mod"]'
            ),
            "single_mod.py": "",
        },
        ["single_mod"],
    ),
}
# Names no project provides, where a hook could wrongly claim them.
MISSING = ["flatpkg.nope", "srcpkg.inner.nope", "nsp.nope", "single_mod.x", "tools", "fns.nope"]
NAMES = [name for _, names in PROJECTS.values() for name in names] + MISSING

_ORACLE = (
    _FIELDS_SOURCE
    + r"""
import importlib.util, json, sys
request = json.load(sys.stdin)
path = sys.path[1:]
answers = {}
for name in request["names"]:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        spec = None
    answers[name] = None if spec is None else _importlib_fields(spec)
# modspec, inside the venv, over the live sys.path: it must find the hooks installed there.
sys.path.append(request["modspec_dir"])
import modspec
sys.path.remove(request["modspec_dir"])
live = {}
for backend in request["backends"]:
    resolver = modspec.Resolver(backend=backend)
    found = resolver.resolve_many(request["names"])
    live[backend] = {n: None if s is None else _modspec_fields(s) for n, s in found.items()}
    live[backend + ":tools"] = [e.tool for e in resolver.editables]
json.dump({"path": path, "oracle": answers, "live": live}, sys.stdout)
"""
)


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env=_env(), timeout=300, **kwargs
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _backends() -> list[str]:
    try:
        import modspec._fast  # noqa: F401
    except ImportError:
        return ["python"]
    return ["cython", "python"]


@pytest.fixture(scope="session")
def setuptools_venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """For each mode: the venv with every project installed editable, and CPython's answers."""
    root = tmp_path_factory.mktemp("editable")
    base = root / "base"
    # One venv with pip, copied per mode (a venv finds its prefix from its executable's place,
    # so a copy works), then given the setuptools of that mode: one venv creation in all.
    _run([sys.executable, "-m", "venv", str(base)])
    python = "bin/python"
    empty = root / "cwd"
    empty.mkdir()
    found: dict[str, dict[str, Any]] = {}
    installed: dict[tuple[str, ...], Path] = {}
    for mode, (requirements, editable_mode) in MODES.items():
        venv = root / f"venv-{mode}"
        ready = installed.get(tuple(requirements))
        shutil.copytree(ready or base, venv, symlinks=True)
        if ready is None:
            pip = [str(venv / python), "-m", "pip", "install", "-q", "-U"]
            _run([*pip, *requirements], cwd=empty)
            installed[tuple(requirements)] = venv
        projects = root / f"projects-{mode}"
        command = [str(venv / python), "-m", "pip", "install", "-q", "--no-build-isolation"]
        if editable_mode is not None:
            command += ["--config-settings", f"editable_mode={editable_mode}"]
        for project, (files, _) in PROJECTS.items():
            write_tree(projects / project, files)
            command += ["-e", str(projects / project)]
        _run(command, cwd=empty)
        request = {
            "names": NAMES,
            "modspec_dir": str(Path(modspec.__file__).parent.parent),
            "backends": _backends(),
        }
        # -B: importing the parents must not write bytecode that later answers would see.
        done = _run([str(venv / python), "-B", "-c", _ORACLE], input=json.dumps(request), cwd=empty)
        found[mode] = {"venv": venv, "cwd": empty, **json.loads(done.stdout)}
    return found


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_setuptools_editable_answers_as_cpython(
    setuptools_venvs: dict[str, dict[str, Any]],
    mode: str,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran = setuptools_venvs[mode]
    monkeypatch.chdir(ran["cwd"])
    env = environment_path(ran["venv"])
    # The placeholder entry of setuptools' namespace hook lands where install() appends it.
    assert list(env.entries) == ran["path"]
    resolver = modspec.Resolver(env.entries, editables=env.editables, backend=backend)
    got = {name: fields(spec) for name, spec in resolver.resolve_many(NAMES).items()}
    expected = ran["oracle"]
    assert {name for name in NAMES if expected[name] is not None} >= set(NAMES) - set(MISSING)
    assert got == expected
    live = ran["live"].get(backend)
    if live is not None:
        for found in live.values():
            if found is not None:
                found.pop("kind"), found.pop("is_package")
        assert live == expected
        assert ran["live"][backend + ":tools"] == [editable.tool for editable in env.editables]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "template"), [("lenient", "70"), ("template-64", "64"), ("template-68", "68")]
)
def test_lenient_mode_uses_the_hooks(
    setuptools_venvs: dict[str, dict[str, Any]], mode: str, template: str
) -> None:
    # The comparison above is only worth its salt if some names come through the hooks: the
    # flat layout and its namespace package do, in the default mode.
    env = environment_path(setuptools_venvs[mode]["venv"])
    assert {editable.tool for editable in env.editables} == {"setuptools"}
    assert {editable.template for editable in env.editables} == {template}
    mapped = {key for editable in env.editables for key, _ in editable.mapping}
    assert {"flatpkg", "single_mod"} <= mapped
    namespaces = {key for editable in env.editables for key, _ in editable.namespaces}
    assert "fns" in namespaces  # a flat-layout namespace package: the path hook serves it
    assert any(entry.endswith(".__path_hook__") for entry in env.entries)
    # Without the hooks, the mapped names are not found: the path alone does not hold them.
    assert modspec.Resolver(env.entries).resolve("flatpkg") is None


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


def test_scikit_build_core_and_meson_python_are_reported(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    write_tree(
        site,
        {
            "_skb_editable.py": _skbuild_module({"skbpkg": "/src/skbpkg/__init__.py"}, True),
            "_skb_editable.pth": "import _skb_editable\n",
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
