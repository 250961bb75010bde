"""Editable installs: modspec's static answers against CPython's, in venvs with real installs.

Small projects (flat layout, src layout, a namespace package, a package with a submodule and a
subpackage, a single module) are ``pip install -e``'d with setuptools in its three modes
(lenient, the default; strict; compat) into venvs made once per session. For every module
name, modspec's answer from ``environment_path(venv)`` and its ``editables`` is compared, field
by field, with ``importlib.util.find_spec`` run in that venv (which imports the parents: it is
the oracle); so are the answers of a ``Resolver()`` made inside the venv, which finds the
installed hooks in ``sys.meta_path`` by itself.

hatchling (``dev-mode-exact = true``) and pdm-backend (``editable-backend = "editables"``)
install projects through the editables library the same way, compared name by name too.

scikit-build-core and meson-python install a pure-Python project each for real too (with
cmake, ninja and meson from their wheels): modspec must recognise their hooks, statically and
live, and report them (it does not answer for them; see ``modspec._editable``). Modules in the
shape those tools write cover the rest without a build. All installs run in one session
fixture, each stage for every venv at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from conftest import setuptools_finder_source, write_tree
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

_SETUPTOOLS = ("setuptools>=64", "setuptools.build_meta")


def _pyproject(name: str, extra: str, backend: tuple[str, str] = _SETUPTOOLS) -> str:
    """A project's pyproject.toml: ``backend`` is (its requirement, its build-backend)."""
    requires, build_backend = backend
    return (
        f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{build_backend}"\n'
        f'[project]\nname = "{name}"\nversion = "1.0"\n{extra}\n'
    )


# Each project: its files, and the module names it provides.
PROJECTS: dict[str, tuple[dict[str, object], list[str]]] = {
    "flat": (
        {
            "pyproject.toml": _pyproject(
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
            "pyproject.toml": _pyproject(name="srclayout", extra=""),
            "src/srcpkg/__init__.py": "",
            "src/srcpkg/child.py": "",
            "src/srcpkg/inner/__init__.py": "",
            "src/srcpkg/inner/leaf.py": "",
        },
        ["srcpkg", "srcpkg.child", "srcpkg.inner", "srcpkg.inner.leaf"],
    ),
    "nsproject": (
        {
            "pyproject.toml": _pyproject(
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
            "pyproject.toml": _pyproject(
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
            "pyproject.toml": _pyproject(
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

# Installs through the editables library: its RedirectingFinder maps each top-level name.
# mode -> (the build requirements to install, its projects: files and the names they provide).
# hatchling imports editables to build (pip installs it without --no-build-isolation).
_HATCHLING = ("hatchling", "hatchling.build")
_HATCH_EXACT = "[tool.hatch.build.targets.wheel]\ndev-mode-exact = true\n"
_PDM_BACKEND = ("pdm-backend", "pdm.backend")
_PDM_EDITABLES = '[tool.pdm.build]\neditable-backend = "editables"\n'


def _built_by(project: str, pyproject: str) -> tuple[dict[str, object], list[str]]:
    # One of PROJECTS' layouts, built by another backend.
    files, names = PROJECTS[project]
    return {**files, "pyproject.toml": pyproject}, names


EDITABLES_MODES: dict[
    str, tuple[tuple[str, ...], dict[str, tuple[dict[str, object], list[str]]]]
] = {
    "hatchling": (
        ("hatchling", "editables"),
        {
            "flat": _built_by(
                "flat", _pyproject("flat", _HATCH_EXACT + 'packages = ["flatpkg"]', _HATCHLING)
            ),
            "single": _built_by(
                "single",
                _pyproject("single", _HATCH_EXACT + 'only-include = ["single_mod.py"]', _HATCHLING),
            ),
        },
    ),
    "pdm-backend": (
        ("pdm-backend",),
        {
            "srclayout": _built_by(
                "srclayout", _pyproject("srclayout", _PDM_EDITABLES, _PDM_BACKEND)
            ),
            "single": _built_by(
                "single",
                _pyproject("single", _PDM_EDITABLES + 'includes = ["single_mod.py"]', _PDM_BACKEND),
            ),
        },
    ),
}
EDITABLES_MISSING = [
    "flatpkg.nope",
    "flatpkg.sub.nope",
    "srcpkg.inner.nope",
    "single_mod.x",
    "tools",
]
EDITABLES_NAMES = (
    list(
        dict.fromkeys(
            name
            for _, projects in EDITABLES_MODES.values()
            for _, names in projects.values()
            for name in names
        )
    )
    + EDITABLES_MISSING
)

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
    (done,) = _run_all([(command, kwargs)])
    return done


def _run_all(
    commands: list[tuple[list[str], dict[str, Any]]],
) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands at once (installs spend most of their time waiting on pip), each
    with an ``input``, ``cwd`` or ``env`` of its own; all must succeed."""
    started = []
    for command, options in commands:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=options.get("cwd"),
            env=options.get("env", _env()),
        )
        started.append((command, options, process))
    finished = []
    for command, options, process in started:
        out, err = process.communicate(options.get("input"), timeout=300)
        assert process.returncode == 0, f"{command} failed:\n{out}\n{err}"
        finished.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return finished


def _backends() -> list[str]:
    try:
        import modspec._core_c  # noqa: F401
    except ImportError:
        return ["python"]
    return ["cython", "python"]


# scikit-build-core and meson-python: a pure-Python project each.
OTHER_PROJECTS: dict[str, dict[str, object]] = {
    "skproj": {
        "pyproject.toml": (
            '[build-system]\nrequires = ["scikit-build-core"]\n'
            'build-backend = "scikit_build_core.build"\n'
            '[project]\nname = "skpkg"\nversion = "1.0"\n'
        ),
        "CMakeLists.txt": (
            "cmake_minimum_required(VERSION 3.15)\n"
            "project(${SKBUILD_PROJECT_NAME} LANGUAGES NONE)\n"
        ),
        "src/skpkg/__init__.py": "",
        "src/skpkg/mod.py": "",
    },
    "mesproj": {
        "pyproject.toml": (
            '[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n'
            '[project]\nname = "mespkg"\nversion = "1.0"\n'
        ),
        "meson.build": (
            "project('mespkg', version: '1.0')\n"
            "py = import('python').find_installation()\n"
            "py.install_sources('mespkg/__init__.py', 'mespkg/mod.py', subdir: 'mespkg')\n"
        ),
        "mespkg/__init__.py": "",
        "mespkg/mod.py": "",
    },
}
OTHER_NAMES = ["skpkg", "skpkg.mod", "mespkg", "mespkg.mod"]
OTHER_REQUIREMENTS = ["scikit-build-core", "cmake", "ninja", "meson-python", "meson"]

_OTHER_ORACLE = r"""
import importlib.util, json, sys
request = json.load(sys.stdin)
origins = {}
for name in request["names"]:
    spec = importlib.util.find_spec(name)
    origins[name] = [spec.origin, type(spec.loader).__name__]
sys.path.append(request["modspec_dir"])
import modspec
sys.path.remove(request["modspec_dir"])
resolver = modspec.Resolver()
reasons = {name: resolver.explain(name).reason.value for name in request["names"]}
tools = sorted(editable.tool for editable in resolver.editables)
json.dump({"origins": origins, "reasons": reasons, "tools": tools}, sys.stdout)
"""


PYTHON = "bin/python"


@pytest.fixture(scope="session")
def installs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """For each mode (and "other-tools"): the venv with its projects installed editable, and
    what CPython (and modspec, live) answered there. Each stage runs for every venv at once."""
    root = tmp_path_factory.mktemp("editable")
    empty = root / "cwd"
    empty.mkdir()
    base = root / "base"
    _run([sys.executable, "-m", "venv", str(base)])
    # A venv finds its prefix from its executable's place, so a copy of one works: one venv
    # with pip, copied and given each set of build requirements, then copied for each mode.
    wanted = {tuple(requirements) for requirements, _ in MODES.values()}
    wanted.add(tuple(OTHER_REQUIREMENTS))
    wanted |= {requirements for requirements, _ in EDITABLES_MODES.values()}
    ready = {requirements: root / f"requirements-{n}" for n, requirements in enumerate(wanted)}
    for venv in ready.values():
        shutil.copytree(base, venv, symlinks=True)
    _run_all(
        [
            ([str(venv / PYTHON), "-m", "pip", "install", "-q", "-U", *requirements], {})
            for requirements, venv in ready.items()
        ]
    )
    # mode -> (the venv to copy, config settings, projects, oracle script, names to ask).
    plan: dict[str, tuple[Path, list[str], dict[str, dict[str, object]], str, list[str]]] = {}
    for mode, (requirements, editable_mode) in MODES.items():
        settings = [] if editable_mode is None else [f"editable_mode={editable_mode}"]
        projects = {name: files for name, (files, _) in PROJECTS.items()}
        plan[mode] = (ready[tuple(requirements)], settings, projects, _ORACLE, NAMES)
    for mode, (requirements, tool_projects) in EDITABLES_MODES.items():
        projects = {name: files for name, (files, _) in tool_projects.items()}
        plan[mode] = (ready[requirements], [], projects, _ORACLE, EDITABLES_NAMES)
    plan["other-tools"] = (
        ready[tuple(OTHER_REQUIREMENTS)],
        [],
        OTHER_PROJECTS,
        _OTHER_ORACLE,
        OTHER_NAMES,
    )
    installing = []
    for mode, (source, settings, projects, _, _) in plan.items():
        venv = root / f"venv-{mode}"
        shutil.copytree(source, venv, symlinks=True)
        command = [str(venv / PYTHON), "-m", "pip", "install", "-q", "--no-build-isolation"]
        for setting in settings:
            command += ["--config-settings", setting]
        for project, files in projects.items():
            write_tree(root / f"projects-{mode}" / project, files)
            command += ["-e", str(root / f"projects-{mode}" / project)]
        # scikit-build-core and meson-python call cmake and ninja, from the venv's bin.
        env = {**_env(), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        installing.append((command, {"cwd": empty, "env": env}))
    _run_all(installing)
    request = {
        "modspec_dir": str(Path(modspec.__file__).parent.parent),
        "backends": _backends(),
    }
    asking = []
    for mode, (_, _, _, script, names) in plan.items():
        # -B: importing the parents must not write bytecode that later answers would see.
        command = [str(root / f"venv-{mode}" / PYTHON), "-B", "-c", script]
        asking.append((command, {"cwd": empty, "input": json.dumps({**request, "names": names})}))
    return {
        mode: {"venv": root / f"venv-{mode}", "cwd": empty, **json.loads(done.stdout)}
        for mode, done in zip(plan, _run_all(asking), strict=True)
    }


@pytest.mark.slow
@pytest.mark.parametrize("mode", [*MODES, *EDITABLES_MODES])
def test_editable_installs_answer_as_cpython(
    installs: dict[str, dict[str, Any]],
    mode: str,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran = installs[mode]
    monkeypatch.chdir(ran["cwd"])
    if mode in MODES:
        names, provided = NAMES, set(NAMES) - set(MISSING)
    else:
        # The other editables mode's names are missing here too.
        names = EDITABLES_NAMES
        provided = {name for _, found in EDITABLES_MODES[mode][1].values() for name in found}
    env = environment_path(ran["venv"])
    # The placeholder entry of setuptools' namespace hook lands where install() appends it.
    assert list(env.entries) == ran["path"]
    resolver = modspec.Resolver(env.entries, editables=env.editables, backend=backend)
    got = {name: fields(spec) for name, spec in resolver.resolve_many(names).items()}
    expected = ran["oracle"]
    assert {name for name in names if expected[name] is not None} >= provided
    assert got == expected
    live = ran["live"].get(backend)
    if live is not None:
        for found in live.values():
            if found is not None:
                found.pop("kind"), found.pop("is_package")
        assert live == expected
        # editables: one module per project read from site-packages, one RedirectingFinder live.
        tools = [editable.tool for editable in env.editables]
        assert ran["live"][backend + ":tools"] == (tools if mode in MODES else ["editables"])
    if mode in EDITABLES_MODES:
        _, projects = EDITABLES_MODES[mode]
        assert [editable.tool for editable in env.editables] == ["editables"] * len(projects)
        # The hook answers the top-level names: the path alone does not hold them.
        tops = [provided[0] for _, provided in projects.values()]
        plain = modspec.Resolver(env.entries, backend=backend).resolve_many(tops)
        assert plain == dict.fromkeys(tops)
        assert resolver.explain(tops[0]).reason is Reason.FOUND
        assert resolver.explain(f"{tops[0]}.nope").reason is Reason.NOT_FOUND


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "template"), [("lenient", "70"), ("template-64", "64"), ("template-68", "68")]
)
def test_lenient_mode_uses_the_hooks(
    installs: dict[str, dict[str, Any]], mode: str, template: str
) -> None:
    # The comparison above is only worth its salt if some names come through the hooks: the
    # flat layout and its namespace package do, in the default mode.
    env = environment_path(installs[mode]["venv"])
    assert {editable.tool for editable in env.editables} == {"setuptools"}
    assert {editable.template for editable in env.editables} == {template}
    mapped = {key for editable in env.editables for key, _ in editable.mapping}
    assert {"flatpkg", "single_mod"} <= mapped
    namespaces = {key for editable in env.editables for key, _ in editable.namespaces}
    assert "fns" in namespaces  # a flat-layout namespace package: the path hook serves it
    assert any(entry.endswith(".__path_hook__") for entry in env.entries)
    # Without the hooks, the mapped names are not found: the path alone does not hold them.
    assert modspec.Resolver(env.entries).resolve("flatpkg") is None


# --- scikit-build-core and meson-python, installed for real ------------------------------------


@pytest.mark.slow
def test_scikit_build_core_and_meson_python_installed_for_real(
    installs: dict[str, dict[str, Any]], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = installs["other-tools"]
    venv = ran["venv"]
    monkeypatch.chdir(ran["cwd"])
    env = environment_path(venv)
    tools = {editable.tool: editable for editable in env.editables}
    assert sorted(tools) == ran["tools"] == ["meson-python", "scikit-build-core"]
    assert all(editable.unsupported for editable in env.editables)
    assert dict(tools["scikit-build-core"].mapping)["skpkg.mod"] == ran["origins"]["skpkg.mod"][0]
    assert tools["meson-python"].mapping[0][0] == "mespkg"
    resolver = modspec.Resolver(env.entries, editables=env.editables, backend=backend)
    found = resolver.resolve_many(OTHER_NAMES)
    # scikit-build-core's .pth also puts the source directory on the path: the file is the
    # same, the loader is its own wrapper (which a Spec does not model).
    for name in ("skpkg", "skpkg.mod"):
        spec = found[name]
        assert spec is not None
        assert [spec.origin, ran["origins"][name][1]] == ran["origins"][name]
        assert ran["origins"][name][1].startswith("_ScikitBuild")
    # meson-python's names come from its build: reported, not answered.
    assert found["mespkg"] is None
    assert found["mespkg.mod"] is None
    assert ran["origins"]["mespkg.mod"][0].endswith("mespkg/mod.py")
    why = resolver.explain("mespkg")
    assert why.reason is Reason.CUSTOM_FINDER
    assert "meson-python" in why.detail
    assert ran["reasons"] == {
        "skpkg": "found",
        "skpkg.mod": "found",
        "mespkg": "custom_finder",
        "mespkg.mod": "parent_missing",
    }


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
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
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
