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
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree
from oracle import _FIELDS_SOURCE, fields
from venvs import clean_env, run, run_all

import modspec
from modspec import Reason, environment_path

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
    run([sys.executable, "-m", "venv", str(base)])
    # A venv finds its prefix from its executable's place, so a copy of one works: one venv
    # with pip, copied and given each set of build requirements, then copied for each mode.
    wanted = {tuple(requirements) for requirements, _ in MODES.values()}
    wanted.add(tuple(OTHER_REQUIREMENTS))
    wanted |= {requirements for requirements, _ in EDITABLES_MODES.values()}
    ready = {requirements: root / f"requirements-{n}" for n, requirements in enumerate(wanted)}
    for venv in ready.values():
        shutil.copytree(base, venv, symlinks=True)
    run_all(
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
        env = {**clean_env(), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        installing.append((command, {"cwd": empty, "env": env}))
    run_all(installing)
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
        for mode, done in zip(plan, run_all(asking), strict=True)
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
