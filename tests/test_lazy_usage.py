"""Which module-level imports could be deferred: one fixture module per kind of use."""

from __future__ import annotations

import sys
import textwrap

import pytest

from modspec._codebase.lazy_usage import ImportUse, import_uses, read_module

_EVALUATED = sys.version_info < (3, 14)  # PEP 649: annotations deferred from 3.14

# (id, source whose first statement is the import under test, candidate, reason's start)
CASES = [
    ("only in a function", "import a\ndef f():\n    return a.x\n", True, "used only inside"),
    ("base class", "import a\nclass K(a.Base):\n    pass\n", False, "used at import time: base"),
    (
        "metaclass",
        "import a\nclass K(metaclass=a.Meta):\n    pass\n",
        False,
        "used at import time: base",
    ),
    (
        "decorator",
        "import a\n@a.deco\ndef f():\n    pass\n",
        False,
        "used at import time: decorator",
    ),
    (
        "class decorator",
        "import a\n@a.deco\nclass K:\n    pass\n",
        False,
        "used at import time: decorator",
    ),
    (
        "default value",
        "import a\ndef f(x=a.default):\n    pass\n",
        False,
        "used at import time: default",
    ),
    (
        "keyword default",
        "import a\ndef f(*, x=a.d):\n    pass\n",
        False,
        "used at import time: default",
    ),
    (
        "module-level call",
        "import a\nX = a.compute()\n",
        False,
        "used at import time: module-level",
    ),
    (
        "module-level expression",
        "import a\nif a.FLAG:\n    pass\n",
        False,
        "used at import time: module-level",
    ),
    ("module-level del", "import a\ndel a\n", False, "a is bound again"),
    ("comprehension", "import a\nX = [a.f(i) for i in range(3)]\n", False, "used at import time"),
    (
        "nested function",
        "import a\ndef f():\n    def g():\n        return a.x\n    return g\n",
        True,
        "used only inside",
    ),
    (
        "method only",
        "import a\nclass K:\n    def m(self):\n        return a.x\n",
        True,
        "used only inside",
    ),
    (
        "class body",
        "import a\nclass K:\n    X = a.value\n",
        False,
        "used at import time: class body",
    ),
    ("lambda body", "import a\nf = lambda: a.x\n", True, "used only inside"),
    ("lambda default", "import a\nf = lambda x=a.d: x\n", False, "used at import time: default"),
    # Shadowed: the function's own name, not the import's.
    (
        "shadowed by a parameter",
        "import a\nX = 1\ndef f(a):\n    return a\nY = f(2)\n",
        False,
        "not used",
    ),
    (
        "shadowed by a local",
        "import a\ndef f():\n    a = 1\n    return a\nf()\n",
        False,
        "not used",
    ),
    ("shadowed in a comprehension", "import a\nX = [a for a in range(3)]\n", False, "not used"),
    (
        "local of the enclosing function",
        "import a\ndef f():\n    a = 2\n    def g():\n        return a\n    return g\n",
        False,
        "not used",
    ),
    ("declared global", "import a\ndef f():\n    global a\n    a = 2\n", False, "a is bound again"),
    ("bound again", "import a\na = None\n", False, "a is bound again"),
    ("a def of the same name", "import a\ndef a():\n    pass\n", False, "a is bound again"),
    # `import a.b` binds a.
    (
        "import a.b in a function",
        "import a.b\ndef f():\n    return a.b.x\n",
        True,
        "used only inside",
    ),
    ("import a.b at module level", "import a.b\nX = a.b.x\n", False, "used at import time"),
    (
        "from x import y as z",
        "from x import y as z\ndef f():\n    return z()\n",
        True,
        "used only inside",
    ),
    (
        "from x import y as z, y read",
        "from x import y as z\ndef f():\n    return y()\n",
        False,
        "not used",
    ),
    (
        "__all__",
        "from x import y\n__all__ = ['y']\ndef f():\n    return y\n",
        False,
        "re-exported: y is in __all__",
    ),
    ("__all__ extended", "from x import y\n__all__ = []\n__all__ += ['y']\n", False, "re-exported"),
    (
        "as itself",
        "from x import y as y\ndef f():\n    return y\n",
        False,
        "re-exported: imported as itself",
    ),
    ("unused", "import a\n", False, "not used in the module"),
    (
        "in a try block",
        "try:\n    import a\nexcept ImportError:\n    a = None\n",
        False,
        "in a try block",
    ),
    ("star", "from a import *\n", False, "a star import"),
    ("future", "from __future__ import annotations\n", False, "a __future__ import"),
    (
        "function called at module level",
        "import a\ndef f():\n    return a.x\nX = f()\n",
        False,
        "used by f(), which code run at import",
    ),
    (
        "called through another function",
        "import a\ndef g():\n    return a.x\ndef f():\n    return g()\nf()\n",
        False,
        "used by f(), which code run at import",
    ),
    (
        "a class instantiated at module level",
        "import a\nclass K:\n    def __init__(self):\n        a.x()\nK()\n",
        False,
        "used by K()",
    ),
    (
        "a decorator defined here",
        "import a\ndef deco(f):\n    a.register(f)\n    return f\n@deco\ndef g():\n    pass\n",
        False,
        "used by deco()",
    ),
    (
        "passed to a call",
        "import a\ndef f():\n    return a.x\nX = list(map(f, [1]))\n",
        False,
        "used by f(), which code run at import",
    ),
    (
        "defined, never called",
        "import a\ndef f():\n    return a.x\nHANDLERS = {'f': f}\n",
        True,
        "used only inside",
    ),
    (
        "under TYPE_CHECKING",
        "import a\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    X = a.T\n"
        "def f():\n    return a\n",
        True,
        "used only inside",
    ),
    (
        "under __main__",
        "import a\nif __name__ == '__main__':\n    a.main()\ndef f():\n    return a\n",
        True,
        "used only inside",
    ),
    (
        "in an if block",
        "if True:\n    import a\ndef f():\n    return a\n",
        True,
        "used only inside",
    ),
    ("module-level annotation", "import a\nX: a.T = 1\n", not _EVALUATED, "used"),
    (
        "parameter annotation",
        "import a\ndef f(x: a.T) -> None:\n    pass\n",
        not _EVALUATED,
        "used",
    ),
    (
        "method annotation",
        "import a\nclass K:\n    def m(self) -> a.T:\n        pass\n",
        not _EVALUATED,
        "used",
    ),
    (
        "local annotation, never evaluated",
        "import a\ndef f():\n    x: a.T = 1\n    return x\n",
        False,
        "not used",
    ),
]
FUTURE = [
    (
        "postponed parameter annotation",
        "import a\ndef f(x: a.T) -> None:\n    pass\n",
        True,
        "used only in annotations",
    ),
    (
        "postponed and in a function",
        "import a\ndef f(x: a.T) -> None:\n    a.go()\n",
        True,
        "used only inside",
    ),
    ("postponed module annotation", "import a\nX: a.T\n", True, "used only in annotations"),
]


def _verdict(source: str, *, package: bool = False) -> ImportUse:
    uses = import_uses(textwrap.dedent(source).encode(), is_package=package)
    return next(
        u for u in uses if u.statement != "from __future__ import annotations" or u.line == 1
    )


@pytest.mark.parametrize(
    ("source", "candidate", "reason"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_use_kind(source: str, candidate: bool, reason: str) -> None:
    verdict = _verdict(source)
    assert (verdict.candidate, verdict.reason[: len(reason)]) == (candidate, reason), verdict


@pytest.mark.parametrize(
    ("source", "candidate", "reason"), [case[1:] for case in FUTURE], ids=[c[0] for c in FUTURE]
)
def test_postponed_annotations_are_not_uses(source: str, candidate: bool, reason: str) -> None:
    uses = import_uses(b"from __future__ import annotations\n" + source.encode())
    verdict = uses[1]
    assert (verdict.candidate, verdict.reason[: len(reason)]) == (candidate, reason), verdict


def test_the_use_that_keeps_it_eager_is_named() -> None:
    verdict = _verdict("import a\n\n\nclass K(a.Base):\n    pass\n")
    assert (verdict.line, verdict.use_line, verdict.names) == (1, 4, ("a",))


def test_a_package_init_unused_import_is_for_its_importers() -> None:
    verdict = _verdict("from .sub import name\n", package=True)
    assert not verdict.candidate
    assert verdict.reason.startswith("not used in the package's __init__")


def test_each_statement_and_what_it_binds() -> None:
    uses = import_uses(b"import a.b.c, d as e\nfrom .x import y as z, w\n")
    assert [(u.line, u.statement, u.names) for u in uses] == [
        (1, "import a.b.c, d as e", ("a", "e")),
        (2, "from .x import y as z, w", ("z", "w")),
    ]


def test_pep_810_lazy_source_is_read() -> None:
    uses = import_uses(b"lazy import a\nimport b\ndef f():\n    return a, b\n")
    assert [(u.statement, u.candidate) for u in uses][-1] == ("import b", True)


def test_source_that_does_not_parse_gives_nothing() -> None:
    assert import_uses(b"import a\ndef (:\n") == []


@pytest.mark.parametrize(
    ("source", "verdicts"),
    [
        # http.client's shape: email.message is a base class, email.parser only functions read.
        (
            "import email.parser\nimport email.message\nclass M(email.message.Message):\n"
            "    pass\ndef parse():\n    return email.parser.Parser()\n",
            [True, False],
        ),
        # os.getcwd() is `import os`'s read; os.path.join() `import os.path`'s.
        (
            "import os\nimport os.path\nX = os.getcwd()\ndef f():\n    return os.path.join()\n",
            [False, True],
        ),
        # a.z is no statement's own: every statement binding a keeps it.
        (
            "import a.b\nimport a.c\nX = a.z\ndef f():\n    return a.b.x, a.c.y\n",
            [False, False],
        ),
    ],
    ids=["base class of the other", "a module and its submodule", "a read of neither"],
)
def test_statements_binding_one_name_share_its_reads(source: str, verdicts: list[bool]) -> None:
    assert [use.candidate for use in import_uses(source.encode())] == verdicts


def test_what_code_run_at_import_calls_in_other_modules() -> None:
    source = (
        "from .entry import run\n"
        "import a.b\n"
        "from m import K as J\n"
        "from .. import up\n"
        "def helper():\n"
        "    return a.b.go()\n"
        "run()\n"
        "helper()\n"
        "J()\n"
        "X = up.make()\n"
        "def never():\n"
        "    return a.b.not_called()\n"
    )
    reading = read_module(source.encode())
    assert reading is not None
    assert reading.calls_out("pkg.sub.mod", is_package=False) == {
        ("pkg.sub.entry", "run"),
        ("a.b", "go"),
        ("m", "K"),
        ("pkg.up", "make"),
    }


def test_a_function_another_module_calls_at_import() -> None:
    # hypothesis/__init__.py: `from hypothesis.entry_points import run; run()`.
    source = (
        b"import importlib.metadata\ndef run():\n    return importlib.metadata.entry_points()\n"
    )
    alone = import_uses(source)
    called = import_uses(source, called=("run",))
    assert alone[0].candidate
    assert not called[0].candidate
    assert called[0].reason.startswith("used by run(), which code run at import calls")
