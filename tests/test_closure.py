"""The closure against CPython: fixture trees where a fresh ``python -I`` importing the root
loads exactly what the static closure says, in the order their code finishes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import write_tree
from real_imports import extractor_records, real_closure

from modspec import Kind
from modspec._codebase.closure import Closure, closure


def _needs(backend: str, needs: tuple[str, ...]) -> None:
    missing = [need for need in needs if not extractor_records(backend, need)]
    if missing:
        pytest.skip(f"the {backend} extractor records no {', '.join(missing)} yet")


# setuptools' VendorImporter (pkg_resources/extern/__init__.py, setuptools < 71), trimmed;
# its spec made without importlib.util (which would bring its own imports into the case).
_VENDOR_IMPORTER = """\
import sys


class VendorImporter:
    def __init__(self, root_name, vendored_names=(), vendor_pkg=None):
        self.root_name = root_name
        self.vendored_names = set(vendored_names)
        self.vendor_pkg = vendor_pkg or root_name.replace('extern', '_vendor')

    @property
    def search_path(self):
        yield self.vendor_pkg + '.'
        yield ''

    def _module_matches_namespace(self, fullname):
        root, base, target = fullname.partition(self.root_name + '.')
        return not root and any(map(target.startswith, self.vendored_names))

    def load_module(self, fullname):
        root, base, target = fullname.partition(self.root_name + '.')
        for prefix in self.search_path:
            try:
                extant = prefix + target
                __import__(extant)
                mod = sys.modules[extant]
                sys.modules[fullname] = mod
                return mod
            except ImportError:
                pass
        raise ImportError(target)

    def create_module(self, spec):
        return self.load_module(spec.name)

    def exec_module(self, module):
        pass

    def find_spec(self, fullname, path=None, target=None):
        if self._module_matches_namespace(fullname):
            return type(sys.__spec__)(fullname, self)
        return None

    def install(self):
        if self not in sys.meta_path:
            sys.meta_path.append(self)


"""

# id: (files, roots, what the extractors must record)
CASES: dict[str, tuple[dict[str, object], list[str], tuple[str, ...]]] = {
    "parents first": (
        {"a/__init__.py": "", "a/b/__init__.py": "", "a/b/c.py": ""},
        ["a.b.c"],
        (),
    ),
    "a package imports its submodules": (
        {
            "p/__init__.py": "from . import x\nfrom .y import z\nimport p.w as w\n",
            "p/x.py": "",
            "p/y.py": "z = 1\n",
            "p/w.py": "from p import x\nfrom p.deep import inner\n",
            "p/deep/__init__.py": "",
            "p/deep/inner.py": "",
        },
        ["p"],
        (),
    ),
    "from-import: a submodule or an attribute": (
        {
            "q/__init__.py": "value = 1\n",
            "q/sub.py": "",
            "q/other.py": "",
            "m.py": "from q import sub, value\n",
        },
        ["m"],
        (),
    ),
    "relative imports up a level": (
        {
            "r/__init__.py": "",
            "r/s/__init__.py": "from .. import t\nfrom ..t import u, v\nfrom . import *\n",
            "r/t/__init__.py": "v = 2\n",
            "r/t/u.py": "",
        },
        ["r.s"],
        (),
    ),
    "a root that is a submodule its package imports": (
        {
            "k/__init__.py": "from .a import f\n",
            "k/a.py": "from . import b\ndef f(): pass\n",
            "k/b.py": "from k import a\n",
        },
        ["k.b"],
        (),
    ),
    "a cycle: the partly run module is not run again": (
        {"c1.py": "import c2\n", "c2.py": "import c1\nimport c3\nfrom c1 import *\n", "c3.py": ""},
        ["c1"],
        (),
    ),
    "star imports: a literal __all__ loads its submodules": (
        {
            "s/__init__.py": "__all__ = ['one', 'two', 'name']\n__all__ += ['four']\nname = 1\n",
            "s/one.py": "",
            "s/two.py": "",
            "s/three.py": "",
            "s/four.py": "",
            "n/__init__.py": "",
            "n/one.py": "",
            "m2.py": "from s import *\nfrom n import *\n",
        },
        ["m2"],
        (),
    ),
    "literal dynamic imports at module level": (
        {
            "d.py": (
                "def import_module(name):\n    __import__(name)\n"
                "import_module('d_target')\n"
                "__import__('d_other.sub')\n"
                "__import__('d_from', fromlist=['inner', 'attr'])\n"
                "def later():\n    import_module('d_never')\n"
                "class C:\n    thing = __import__('d_class')\n"
                "if False:\n    __import__('d_never')\n"
            ),
            "d_target.py": "",
            "d_other/__init__.py": "",
            "d_other/sub.py": "",
            "d_from/__init__.py": "attr = 1\n",
            "d_from/inner.py": "",
            "d_class.py": "",
            "d_never.py": "",
        },
        ["d"],
        (),
    ),
    "a failed import takes its module out, not what it loaded": (
        {
            "f1.py": "try:\n    import f_bad\nexcept ImportError:\n    pass\nimport f_ok\n",
            "f_bad.py": "import f_ok\nimport f_dep\nimport f_missing\n",
            "f_dep.py": "",
            "f_ok.py": "",
        },
        ["f1"],
        (),
    ),
    "a namespace package": (
        {"ns/sub/mod.py": "from . import sibling\n", "ns/sub/sibling.py": ""},
        ["ns.sub.mod"],
        (),
    ),
    "functions, classes and TYPE_CHECKING": (
        {
            "w.py": (
                "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    import w_types\n"
                "def f():\n    import w_late\n"
                "class C:\n    import w_class\n"
                "for _ in range(1):\n    import w_loop\n"
            ),
            "w_types.py": "",
            "w_late.py": "",
            "w_class.py": "",
            "w_loop.py": "",
        },
        ["w"],
        (),
    ),
    "os.path and modules loaded at start-up": (
        {"y.py": "import os.path\nimport sys, os\nfrom os import path\n"},
        ["y"],
        (),
    ),
    "setuptools' VendorImporter hands a vendored package over": (
        {
            "vend/__init__.py": "",
            "vend/extern/__init__.py": _VENDOR_IMPORTER
            + ("names = ('lib', 'other')\nVendorImporter(__name__, names).install()\n"),
            "vend/_vendor/__init__.py": "",
            "vend/_vendor/lib/__init__.py": "from . import helper\n",
            "vend/_vendor/lib/helper.py": "x = 1\n",
            "vend/_vendor/lib/sub.py": "from . import helper\nfrom .helper import x\n",
            "vend/_vendor/lib/sub2.py": "",
            "other/__init__.py": "",
            "user.py": (
                "from vend.extern import lib\nimport vend.extern.lib.sub\n"
                "from vend.extern.lib import sub2\nimport vend.extern.other\n"
            ),
        },
        ["user"],
        (),
    ),
    "a module that puts another in its place": (
        {
            # As 3.13's collections/abc.py: sys.modules then holds another module's spec.
            "replaced.py": "import sys\nimport stand_in\nsys.modules[__name__] = stand_in\n",
            "stand_in.py": "",
            "user2.py": "import replaced\nimport replaced\n",
        },
        ["user2"],
        (),
    ),
    "a module that puts a copy of itself in its place keeps its name": (
        {
            # As pygments' lazy modules: the new object takes the module's __dict__, spec and all.
            "lazy_mod.py": (
                "import sys\nclass _Lazy(type(sys)):\n    pass\n"
                "new = _Lazy(__name__)\nnew.__dict__.update(sys.modules[__name__].__dict__)\n"
                "sys.modules[__name__] = new\n"
            ),
            "user3.py": "import lazy_mod\n",
        },
        ["user3"],
        (),
    ),
    "try/except ImportError: one choice": (
        {
            "t.py": (
                "try:\n    import t_missing\nexcept ImportError:\n    import t_alt\n"
                "try:\n    import t_present\n    import t_missing2\n    import t_never\n"
                "except ImportError:\n    try:\n        import t_missing3\n"
                "    except ImportError:\n        import t_fallback\n"
                "try:\n    import t_ok\nexcept ImportError:\n    import t_unneeded\n"
            ),
            "t_alt.py": "",
            "t_present.py": "",
            "t_never.py": "",
            "t_fallback.py": "",
            "t_ok.py": "",
            "t_unneeded.py": "",
        },
        ["t"],
        ("choice",),
    ),
    "platform and version tests": (
        {
            "v.py": (
                "import sys\n"
                "if sys.platform == 'win32':\n    import v_win\nelse:\n    import v_posix\n"
                "if sys.version_info >= (3, 99):\n    import v_future\n"
                "elif sys.version_info >= (3, 0):\n    import v_now\n"
            ),
            "v_win.py": "",
            "v_posix.py": "",
            "v_future.py": "",
            "v_now.py": "",
        },
        ["v"],
        ("condition",),
    ),
    "an undecided branch for another platform": (
        {
            "u.py": (
                "_windows = __import__('sys').platform == 'win32'\n"
                "if _windows:\n    import u_nt\n    import u_no_such_module\n"
                "else:\n    import u_posix\n"
            ),
            "u_nt.py": "",
            "u_posix.py": "",
        },
        ["u"],
        ("condition",),
    ),
    "importlib's bootstrap modules are the frozen ones": (
        {"il.py": "import importlib._bootstrap\nfrom importlib import _bootstrap_external\n"},
        ["il"],
        ("choice",),  # importlib/__init__.py: try: import _frozen_importlib / except ...
    ),
    "__main__ blocks": (
        {"x.py": "if __name__ == '__main__':\n    import x_main\n", "x_main.py": ""},
        ["x"],
        ("main",),
    ),
}


def _closure(root: Path, roots: list[str], backend: str) -> tuple[Closure, list[str]]:
    real = real_closure(roots, [str(root)])
    assert real.errors == []
    found = closure(roots, path=real.path, backend=backend, workers=1)
    return found, real.new


@pytest.mark.parametrize("case", list(CASES))
def test_what_cpython_loads(case: str, backend: str, tmp_path: Path) -> None:
    files, roots, needs = CASES[case]
    _needs(backend, needs)
    write_tree(tmp_path, files)
    found, real = _closure(tmp_path, roots, backend)
    assert list(found.completed) == real
    # The load order is the order each module started: the same modules.
    assert sorted(m.name for m in found.modules) == sorted(real)


def test_each_module_says_what_loaded_it(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, CASES["a package imports its submodules"][0])
    found, _ = _closure(tmp_path, ["p"], backend)
    rows = [(m.name, m.via and (m.via.importer, m.via.line), m.depth) for m in found.modules]
    assert rows == [
        ("p", None, 0),
        ("p.x", ("p", 1), 1),
        ("p.y", ("p", 2), 1),
        ("p.w", ("p", 3), 1),
        ("p.deep", ("p.w", 2), 2),
        ("p.deep.inner", ("p.w", 2), 2),
    ]
    assert found.module("p.w") is not None
    assert found.module("p.w").via.file == str(tmp_path / "p" / "__init__.py")  # type: ignore[union-attr]
    assert found.totals().modules == 6
    assert found.by_top_level()["p"].modules == 6
    assert "site" in found.startup
    assert not found.include_startup


def test_why_gives_the_shortest_chains(backend: str, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "top.py": "import left\nimport right\n",
            "left.py": "import deep\n",
            "right.py": "import deep\n",
            "deep.py": "import deeper\n",
            "deeper.py": "",
        },
    )
    found = closure(["top"], path=[str(tmp_path)], backend=backend)
    chains = found.why("deeper")
    steps = [[(e.importer, e.target, e.line) for e in chain] for chain in chains]
    assert steps == [
        [("top", "left", 1), ("left", "deep", 1), ("deep", "deeper", 1)],
        [("top", "right", 2), ("right", "deep", 1), ("deep", "deeper", 1)],
    ]
    assert found.why("deeper", limit=1) == chains[:1]
    assert found.why("top") == ((),)
    assert found.why("no_such_module") == ()
    assert found.why("os") == ()  # loaded at start-up, before the root


def test_dynamic_imports_it_cannot_follow(backend: str, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "dyn.py": (
                "import importlib\nname = 'json'\n"
                "importlib.import_module(name)\n"
                "__import__('.rel' if name else name)\n"
                "def __getattr__(attr):\n    import json\n    return json\n"
                "from star import *\n"
            ),
            "star/__init__.py": "__all__ = [n for n in ('a',)]\n",
            "star/a.py": "",
        },
    )
    found = closure(["dyn"], path=[str(tmp_path)], backend=backend)
    sites = [(d.module, d.line, d.kind) for d in found.dynamic]
    assert sites == [
        ("dyn", 3, "import_module"),
        ("dyn", 4, "__import__"),
        ("dyn", 5, "__getattr__"),
        ("dyn", 8, "__all__"),
    ]
    assert found.dynamic[0].text == "importlib.import_module(name)"


def test_the_target_decides_the_tests(backend: str, tmp_path: Path) -> None:
    _needs(backend, ("condition",))
    from modspec._codebase.conditions import Target

    write_tree(tmp_path, CASES["platform and version tests"][0])
    windows = closure(
        ["v"], path=[str(tmp_path)], backend=backend, target=Target.of("3.99", "windows")
    )
    names = {m.name for m in windows.modules}
    assert {"v_win", "v_future"} <= names
    assert not {"v_posix", "v_now"} & names


def test_what_is_loaded_without_reading(backend: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"e.py": "import _json\nimport math\n"})
    path = [str(tmp_path), *sys.path]
    found = closure(["e", "gone_too"], path=path, backend=backend)
    assert {m.name for m in found.unread()} == {"_json", "math"}
    assert {m.kind for m in found.unread()} <= {Kind.EXTENSION, Kind.BUILTIN}
    assert [(f.name, f.handled) for f in found.failures] == [("gone_too", False)]
    included = closure(["e"], path=path, backend=backend, include_startup=True)
    assert {m.name for m in included.modules if m.startup} == set(included.startup)
    assert [m.name for m in included.modules if not m.startup] == ["e", "_json", "math"]


def test_roots_must_be_absolute(backend: str) -> None:
    from modspec import InvalidName

    with pytest.raises(InvalidName, match="absolute"):
        closure([".rel"], backend=backend)
    with pytest.raises(InvalidName):
        closure(["a..b"], backend=backend)


def test_the_startup_is_the_interpreters(backend: str, tmp_path: Path) -> None:
    # abc's `except ImportError: from _py_abc import ...` and os's `elif 'nt' in _names:`
    # need the choices and the conditions.
    _needs(backend, ("choice", "condition"))
    real = real_closure([], [])
    found = closure([], path=real.path, backend=backend)
    assert list(found.startup) == real.startup


def test_the_startup_plan_names_site_and_its_pth_lines(tmp_path: Path) -> None:
    from modspec._codebase.startup import INITIALISED, codec_module, plan_startup

    plan = plan_startup()
    assert plan.initialised == INITIALISED
    assert plan.imported[0] == "encodings"
    assert "encodings.utf_8" in plan.imported
    assert plan.site
    assert plan_startup(site=False).pth_lines == ()
    assert codec_module("UTF-8") == "encodings.utf_8"
    assert codec_module("ANSI_X3.4-1968") == "encodings.ascii"
    assert codec_module("latin-1") == "encodings.latin_1"
    assert plan.after_site == (("linecache",) if sys.version_info >= (3, 13) else ())


def test_the_startup_holds_the_interpreters_in_its_order(backend: str) -> None:
    # Whatever the extractors record: every module the interpreter loads at start-up is in
    # the static start-up, in the order its code finished. (The extras until choices and
    # conditions are recorded: abc's fallback to _py_abc, os's `elif 'nt' in _names:`.)
    real = real_closure([], [])
    found = closure([], path=real.path, backend=backend)
    assert [name for name in found.startup if name in real.startup] == real.startup


def test_both_backends_give_one_closure(backend: str) -> None:
    roots = ["email.parser", "argparse"]
    found, pure = (closure(roots, backend=name, workers=1) for name in (backend, "python"))
    assert found.backend == backend
    assert found.modules == pure.modules
    assert found.completed == pure.completed
    assert found.edges == pure.edges
    assert found.startup == pure.startup


def test_a_chain_deeper_than_the_stack(backend: str, tmp_path: Path) -> None:
    # 3,000 modules each importing the next: the machine keeps its own frames, so no
    # RecursionError (CPython's own import would exhaust its stack long before).
    depth = 3000
    write_tree(tmp_path, {f"m{i}.py": f"import m{i + 1}\n" for i in range(depth)})
    (tmp_path / f"m{depth}.py").write_text("")
    found = closure(["m0"], path=[str(tmp_path)], backend=backend)
    assert found.totals().modules == depth + 1
    assert found.completed[0] == f"m{depth}"
    assert found.module(f"m{depth}").depth == depth  # type: ignore[union-attr]
    assert len(found.why(f"m{depth}")[0]) == depth
