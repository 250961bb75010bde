"""Static import extraction: the ast reference pinned by hand, the scanner held against it."""

from __future__ import annotations

import ast
import importlib
import multiprocessing
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import modspec._codebase
from modspec import _backend
from modspec._codebase import extract, extract_py
from modspec._codebase.extract import (
    FileImports,
    Guard,
    ImportRef,
    extract_files,
    extract_source,
    imports_ast,
)
from modspec._codebase.extract_rules import spelled

N, TC, OPT, DEF = Guard.NONE, Guard.TYPE_CHECKING, Guard.OPTIONAL, Guard.DEFERRED
FB, LAZY, MAIN, COND = Guard.FALLBACK, Guard.LAZY, Guard.MAIN, Guard.CONDITIONAL

Condition = tuple[tuple[str, bool], ...]
Choice = tuple[tuple[int, int], ...]
# (line, level, module, name, guard[, condition[, choice]]): ImportRef's fields, its defaults.
Expected = tuple[
    tuple[int, int, str, str | None, Guard]
    | tuple[int, int, str, str | None, Guard, Condition]
    | tuple[int, int, str, str | None, Guard, Condition, Choice],
    ...,
]


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _compiled_expected() -> bool:
    return not (_flag("MODSPEC_PURE") or _flag("MODSPEC_EXPECT_PURE"))


def outcome(run: Callable[[bytes], object], source: bytes) -> object:
    """What ``run(source)`` gives, or the type of the error it raised."""
    try:
        return run(source)
    except (SyntaxError, ValueError) as exc:
        return type(exc)


# -- the table --------------------------------------------------------------------------------

# (id, source, expected imports or None to compare with ast only, the scanner answers?)
CASES: list[tuple[str, bytes, Expected | None, bool]] = [
    ("empty", b"", (), True),
    ("only-comments", b"# import a\n\n   # import b\n", (), True),
    (
        "import-names",
        b"import a, b.c as d\nimport e.f.g\n",
        ((1, 0, "a", None, N), (1, 0, "b.c", None, N), (2, 0, "e.f.g", None, N)),
        True,
    ),
    (
        "from-forms",
        b"from . import x\nfrom ..p.q import (r,\n    s as t,)\nfrom m import *\n"
        b"from ... import z\nfrom .a import (b)\n",
        (
            (1, 1, "", "x", N),
            (2, 2, "p.q", "r", N),
            (2, 2, "p.q", "s", N),
            (4, 0, "m", "*", N),
            (5, 3, "", "z", N),
            (6, 1, "a", "b", N),
        ),
        True,
    ),
    (
        "semicolons",
        b"x = 1; import a; from b import c\nimport d;\n",
        ((1, 0, "a", None, N), (1, 0, "b", "c", N), (2, 0, "d", None, N)),
        True,
    ),
    (
        "continuation-lines",
        b"import a, \\\n    b\nx = 1; \\\nimport c\nfrom d import \\\n    e\n",
        ((1, 0, "a", None, N), (1, 0, "b", None, N), (4, 0, "c", None, N), (5, 0, "d", "e", N)),
        True,
    ),
    (
        "imports-in-strings-and-comments",
        b's = "import x"  # import y\nt = \'\'\'\nimport z\n\'\'\'\nu = """\\\n"""\n'
        b"v = 'a\\'; import w'\nimport q\n",
        ((8, 0, "q", None, N),),
        True,
    ),
    (
        "string-prefixes",
        b"a = rb'\\'' ; b = BR\"\\\\\" ; c = u'x' ; d = Rb'''\n'''\nimport e\n",
        ((3, 0, "e", None, N),),
        True,
    ),
    (
        "f-strings",
        b"a = f\"{x['k']!r:>{width}} {{import no}}\"\n"
        b"b = f'{f\"{y}\"}' ; c = rf'\\{z}' ; d = f'\\N{BULLET} {w}'\n"
        b'e = f"""{\n1 + 2}\n"""\nimport g\n',
        ((6, 0, "g", None, N),),
        True,
    ),
    (
        "f-string-same-quote-nested",  # PEP 701: valid from 3.12 on, a SyntaxError before
        b'a = f"{x["k"]}"\nimport b\n',
        ((2, 0, "b", None, N),) if sys.version_info >= (3, 12) else None,
        sys.version_info >= (3, 12),
    ),
    (
        "brackets-span-lines",
        b"x = (1,\n  2); import a\ny = [\n'import b'\n]\nimport c\n",
        ((2, 0, "a", None, N), (6, 0, "c", None, N)),
        True,
    ),
    (
        "type-checking",
        b"if TYPE_CHECKING:\n    import a\n    if x:\n        import b\nimport c\n"
        b"if typing.TYPE_CHECKING: import d; import e\n"
        b"if (TYPE_CHECKING):\n    import f\n"
        b"if ((t.TYPE_CHECKING)):\n    import g\n",
        (
            (2, 0, "a", None, TC, (("TYPE_CHECKING", True),)),
            (4, 0, "b", None, TC, (("TYPE_CHECKING", True), ("x", True))),
            (5, 0, "c", None, N),
            (6, 0, "d", None, TC, (("typing.TYPE_CHECKING", True),)),
            (6, 0, "e", None, TC, (("typing.TYPE_CHECKING", True),)),
            (8, 0, "f", None, TC, (("TYPE_CHECKING", True),)),
            (10, 0, "g", None, TC, (("t.TYPE_CHECKING", True),)),
        ),
        True,
    ),
    (
        "type-checking-elif-else",
        b"if x:\n    import a\nelif TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        b"if TYPE_CHECKING:\n    pass\nelif y:\n    import d\nelse: import e\n",
        (
            (2, 0, "a", None, N, (("x", True),)),
            (4, 0, "b", None, TC, (("x", False), ("TYPE_CHECKING", True))),
            (6, 0, "c", None, N, (("x", False), ("TYPE_CHECKING", False))),
            (10, 0, "d", None, N, (("TYPE_CHECKING", False), ("y", True))),
            (11, 0, "e", None, N, (("TYPE_CHECKING", False), ("y", False))),
        ),
        True,
    ),
    (
        "type-checking-lookalikes",
        b"if not TYPE_CHECKING:\n    import a\nif TYPE_CHECKING or x:\n    import b\n"
        b"if (x := TYPE_CHECKING):\n    import c\nif TYPE_CHECKING == 1:\n    import d\n"
        b"if a.b().c[0].TYPE_CHECKING:\n    import e\nif await_.TYPE_CHECKING:\n    import f\n"
        b"if -x.TYPE_CHECKING:\n    import g\nif x.TYPE_CHECKING():\n    import h\n",
        (
            (2, 0, "a", None, N, (("not TYPE_CHECKING", True),)),
            (4, 0, "b", None, N, (("TYPE_CHECKING or x", True),)),
            (6, 0, "c", None, N, (("(x := TYPE_CHECKING)", True),)),
            (8, 0, "d", None, N, (("TYPE_CHECKING == 1", True),)),
            (10, 0, "e", None, TC, (("a.b().c[0].TYPE_CHECKING", True),)),
            (12, 0, "f", None, TC, (("await_.TYPE_CHECKING", True),)),
            (14, 0, "g", None, N, (("-x.TYPE_CHECKING", True),)),
            (16, 0, "h", None, N, (("x.TYPE_CHECKING()", True),)),
        ),
        True,
    ),
    (
        "type-checking-on-a-string",
        b'if "s".TYPE_CHECKING:\n    import a\n',
        ((2, 0, "a", None, TC, (("'s'.TYPE_CHECKING", True),)),),
        False,
    ),
    (
        "try-clauses",
        b"try:\n    import a\nexcept ImportError:\n    import b\nelse:\n    import c\n"
        b"finally:\n    import d\n",
        (
            (2, 0, "a", None, OPT, (), ((1, 0),)),
            (4, 0, "b", None, FB, (), ((1, 1),)),
            (6, 0, "c", None, N, (), ((1, 0),)),
            (8, 0, "d", None, N),
        ),
        True,
    ),
    (
        "handlers-that-count",
        b"try: import a\nexcept (OSError, ImportError): pass\n"
        b"try: import b\nexcept: pass\n"
        b"try: import c\nexcept Exception as e: pass\n"
        b"try: import d\nexcept errors.ModuleNotFoundError: pass\n"
        b"try: import e\nexcept KeyError: pass\nexcept (BaseException): pass\n",
        (
            (1, 0, "a", None, OPT, (), ((1, 0),)),
            (3, 0, "b", None, OPT, (), ((3, 0),)),
            (5, 0, "c", None, OPT, (), ((5, 0),)),
            (7, 0, "d", None, OPT, (), ((7, 0),)),
            (9, 0, "e", None, OPT, (), ((9, 0),)),
        ),
        True,
    ),
    (
        "handlers-that-do-not",
        b"try: import a\nexcept (OSError, ValueError): pass\n"
        b"try: import b\nexcept ((OSError, ImportError), KeyError): pass\n"
        b"try: import c\nexcept ImportError(): pass\n"
        b"try: import d\nfinally: pass\n"
        b"try: import e\nexcept get(ImportError): pass\n",
        (
            (1, 0, "a", None, N),
            (3, 0, "b", None, N),
            (5, 0, "c", None, N),
            (7, 0, "d", None, N),
            (9, 0, "e", None, N),
        ),
        True,
    ),
    (
        "except-star",  # 3.11+; a SyntaxError on 3.10
        b"try:\n    import a\nexcept* ImportError:\n    import b\n",
        ((2, 0, "a", None, OPT, (), ((1, 0),)), (4, 0, "b", None, FB, (), ((1, 1),)))
        if sys.version_info >= (3, 11)
        else None,
        sys.version_info >= (3, 11),
    ),
    (
        "nested-try",
        b"try:\n    try:\n        import a\n    except KeyError:\n        import b\n"
        b"    import c\nexcept ImportError:\n    try:\n        import d\n"
        b"    except ImportError:\n        import e\nimport f\n",
        (
            (3, 0, "a", None, OPT, (), ((1, 0),)),
            (5, 0, "b", None, OPT, (), ((1, 0),)),
            (6, 0, "c", None, OPT, (), ((1, 0),)),
            (9, 0, "d", None, OPT | FB, (), ((1, 1), (8, 0))),
            (11, 0, "e", None, FB, (), ((1, 1), (8, 1))),
            (12, 0, "f", None, N),
        ),
        True,
    ),
    (
        "deferred",
        b"def f():\n    import a\n    class C:\n        import b\n"
        b"async def g(): import c\nclass D:\n    import d\n    def m(self):\n        import e\n",
        (
            (2, 0, "a", None, DEF),
            (4, 0, "b", None, DEF),
            (5, 0, "c", None, DEF),
            (7, 0, "d", None, N),
            (9, 0, "e", None, DEF),
        ),
        True,
    ),
    (
        "flags-accumulate",
        b"if TYPE_CHECKING:\n    try:\n        def f(\n            x=1,\n        ) -> None:\n"
        b"            import a\n    except ImportError:\n        import b\n",
        (
            (6, 0, "a", None, TC | OPT | DEF, (("TYPE_CHECKING", True),), ((2, 0),)),
            (8, 0, "b", None, TC | FB, (("TYPE_CHECKING", True),), ((2, 1),)),
        ),
        True,
    ),
    (
        "decorators",
        b"@dec\ndef f():\n    import a\n@dec(x,\n     y)\nclass C:\n    import b\n",
        ((3, 0, "a", None, DEF), (7, 0, "b", None, N)),
        True,
    ),
    (
        "match",
        b"match x:\n    case 1:\n        import a\n    case {'k': _} if y: import b\n"
        b"match = 1\nmatch(x)\nmatch[x]: int = 2\ncase = 3\nimport c\n",
        ((3, 0, "a", None, N), (4, 0, "b", None, N), (9, 0, "c", None, N)),
        True,
    ),
    (
        "compound-one-liners",
        b"while x: import a\nfor i in y: import b\nwith z as w: import c\nclass E: import d\n",
        ((1, 0, "a", None, N), (2, 0, "b", None, N), (3, 0, "c", None, N), (4, 0, "d", None, N)),
        True,
    ),
    (
        "lambda-and-annotations",
        b"f = lambda: 0; import a\nx: int = 1; import b\ndef g(a: int = 1) -> int: import c\n",
        ((1, 0, "a", None, N), (2, 0, "b", None, N), (3, 0, "c", None, DEF)),
        True,
    ),
    (
        "not-imports",
        b"def g():\n    yield from x\n    raise E from None\nprint('import a'); import b\n",
        ((4, 0, "b", None, N),),
        True,
    ),
    (
        "dedent-several-levels",
        b"if TYPE_CHECKING:\n    if x:\n        if y:\n            import a\nimport b\n",
        (
            (4, 0, "a", None, TC, (("TYPE_CHECKING", True), ("x", True), ("y", True))),
            (5, 0, "b", None, N),
        ),
        True,
    ),
    (
        "non-utf8-cookie",
        b"# -*- coding: latin-1 -*-\nimport caf\xe9\n",
        ((2, 0, "caf\xe9", None, N),),
        False,
    ),
    (
        "utf8-cookies",
        b"#!/usr/bin/env python\n# vim: set fileencoding=UTF_8 :\nimport a\n",
        ((3, 0, "a", None, N),),
        True,
    ),
    ("bom", b"\xef\xbb\xbfimport a\n", ((1, 0, "a", None, N),), True),
    (
        "crlf",
        b"import a\r\nif TYPE_CHECKING:\r\n    import b\r\nx = '''\r\n'''\r\nimport c",
        (
            (1, 0, "a", None, N),
            (3, 0, "b", None, TC, (("TYPE_CHECKING", True),)),
            (6, 0, "c", None, N),
        ),
        True,
    ),
    ("lone-cr", b"import a\rimport b\r", ((1, 0, "a", None, N), (2, 0, "b", None, N)), False),
    (
        "tabs",
        b"if TYPE_CHECKING:\n\timport a\n\tif x:\n\t\timport b\n\timport c\nimport d\n",
        (
            (2, 0, "a", None, TC, (("TYPE_CHECKING", True),)),
            (4, 0, "b", None, TC, (("TYPE_CHECKING", True), ("x", True))),
            (5, 0, "c", None, TC, (("TYPE_CHECKING", True),)),
            (6, 0, "d", None, N),
        ),
        True,
    ),
    (
        "form-feed",
        b"\x0cimport a\nif x:\n    \x0c    import b\n",
        (
            (1, 0, "a", None, N),
            (3, 0, "b", None, N, (("x", True),)),
        ),
        True,
    ),
    ("non-ascii-name", "import café\n".encode(), ((1, 0, "café", None, N),), False),
    ("nfkc-name", "import ﬁle\n".encode(), ((1, 0, "file", None, N),), False),
    (
        "nfkc-type-checking",
        "if \uff34YPE_CHECKING:\n    import a\n".encode(),
        ((2, 0, "a", None, TC, (("TYPE_CHECKING", True),)),),
        False,
    ),
    ("spaced-dotted-name", b"import a . b\n", ((1, 0, "a.b", None, N),), False),
    # ast never decodes a comment; the scanner checks the whole file, and declines.
    ("invalid-utf8-in-comment", b"import a  # \xff\n", ((1, 0, "a", None, N),), False),
    (
        "keyword-before-string",
        b"x = 'a' if y else'b'; z = f'{1 if y else\"c\"}'\nimport a\n",
        ((2, 0, "a", None, N),),
        True,
    ),
    (
        "python3-numbers",
        b"x = [0, 00, 0_0, 0.5, 09.5, 0xFF, 0o17, 1e-5, 1j, 1_000]; import a\n"
        b"raise E(a, b); x = 1, 2\n",
        ((1, 0, "a", None, N),),
        True,
    ),
    ("unicode-elsewhere", "s = 'é'  # ü\nimport a\n".encode(), ((2, 0, "a", None, N),), True),
]

# Sources ast rejects: extract_source must raise as it does, whatever the backend.
BROKEN = [
    ("bare-import", b"import\n"),
    ("open-bracket", b"x = (\nimport a\n"),
    ("header-without-body", b"def f():\n"),
    ("missing-indent", b"if x:\nimport a\n"),
    ("unexpected-indent", b"import a\n    import b\n"),
    ("bad-dedent", b"if x:\n    import a\n  import b\n"),
    ("tab-error", b"if x:\n\tif y:\n        import a\n"),
    ("unterminated-string", b"x = 'abc\nimport a\n"),
    ("unterminated-triple", b"x = '''abc\nimport a\n"),
    ("python2-print", b'print "x"\nimport a\n'),
    ("backtick", b"x = `y`\nimport a\n"),
    ("python2-long", b"x = 10L\nimport a\n"),
    ("python2-octal", b"x = 0777\nimport a\n"),
    ("python2-except", b"try:\n    import a\nexcept ImportError, e:\n    pass\n"),
    ("python2-raise", b"import a\nraise ValueError, 'message'\n"),
    ("null-byte", b"import a\x00\n"),
    ("invalid-utf8", b"x = '\xff'\nimport a\n"),
    ("unknown-cookie", b"# coding: no-such-codec\nimport a\n"),
    ("utf8-with-bom-cookie", b"\xef\xbb\xbf# coding: latin-1\nimport a\n"),
    ("unclosed-brace-in-fstring", b"x = f'{a'\nimport b\n"),
    ("mismatched-brackets", b"x = (]\nimport a\n"),
    ("mismatched-brackets-in-fstring", b"x = f'{(]}'\nimport a\n"),
    ("trailing-backslash", b"import a\\"),
]


def _refs(expected: Expected) -> tuple[ImportRef, ...]:
    return tuple(ImportRef(*row) for row in expected)


@pytest.mark.parametrize(
    ("source", "expected", "fast"),
    [pytest.param(source, expected, fast, id=ident) for ident, source, expected, fast in CASES],
)
def test_case(backend: str, source: bytes, expected: Expected | None, fast: bool) -> None:
    reference = outcome(imports_ast, source)
    if expected is not None:
        assert reference == _refs(expected)  # the reference itself, pinned
    if isinstance(reference, type):  # syntax of a later Python: this one rejects it
        assert outcome(lambda s: extract_source(s, backend=backend), source) == reference
        return
    found, answered_fast = extract_source(source, backend=backend)
    assert found == reference
    assert answered_fast == (fast and backend == "cython")


@pytest.mark.parametrize("source", [pytest.param(source, id=ident) for ident, source in BROKEN])
def test_broken_source_raises(backend: str, source: bytes) -> None:
    expected = outcome(imports_ast, source)
    assert isinstance(expected, type)
    assert issubclass(expected, (SyntaxError, ValueError))
    assert outcome(lambda s: extract_source(s, backend=backend), source) == expected


def test_imports_ast_ignores_warning_filters() -> None:
    # An invalid escape warns; under the "error" filter pytest sets, a plain parse would fail.
    assert imports_ast(b"x = '\\d'\nimport a\n") == (ImportRef(2, 0, "a", None, N),)


def test_guard_values() -> None:
    # The scanner writes these numbers; they are part of the interface.
    assert [int(g) for g in (N, TC, OPT, DEF)] == [0, 1, 2, 4]


# -- the compiled scanner is what runs --------------------------------------------------------


def test_compiled_scanner_loaded() -> None:
    if not _compiled_expected():
        pytest.skip("MODSPEC_PURE or MODSPEC_EXPECT_PURE is set: ast is intended")
    compiled = importlib.import_module("modspec._codebase.extract_c")
    assert compiled.__file__ is not None
    assert not compiled.__file__.endswith(".py")
    assert extract_source(b"import a\n") == ((ImportRef(1, 0, "a", None, N),), True)


def test_missing_scanner_falls_back_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "modspec._codebase.extract_c", None)  # makes the import fail
    monkeypatch.delattr(modspec._codebase, "extract_c", raising=False)
    monkeypatch.setattr(_backend, "BACKEND", "cython")
    _backend._default.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="import scanner unavailable"):
            assert extract_source(b"import a\n") == ((ImportRef(1, 0, "a", None, N),), False)
        with pytest.raises(ImportError):
            extract_source(b"import a\n", backend="cython")
    finally:
        _backend._default.cache_clear()


def test_pure_environment_uses_ast() -> None:
    code = (
        "from modspec._codebase.extract import extract_source; "
        "print(extract_source(b'import a')[1])"
    )
    env = {**os.environ, "MODSPEC_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        extract_source(b"", backend="rust")
    with pytest.raises(ValueError, match="unknown backend"):
        extract_files([], backend="rust")  # raised at the call, not at the first next()


# -- extract_files -------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    sources = {
        "ok.py": b"import a\nfrom .b import c\n",
        "cookie.py": b"# coding: latin-1\nimport d\n",
        "broken.py": b"import\n",
        "empty.py": b"",
    }
    for name, source in sources.items():
        (tmp_path / name).write_bytes(source)
    (tmp_path / "directory.py").mkdir()
    paths = [str(tmp_path / name) for name in sources]
    return [*paths, str(tmp_path / "directory.py"), str(tmp_path / "missing.py")]


def test_extract_files_reports_each_file_in_input_order(backend: str, files: list[str]) -> None:
    ok, cookie, broken, empty, directory, missing = extract_files(files, workers=1, backend=backend)
    fast = backend == "cython"
    assert ok == FileImports(
        files[0],
        26,
        (ImportRef(1, 0, "a", None, N), ImportRef(2, 1, "b", "c", N)),
        None,
        fast,
    )
    assert cookie == FileImports(files[1], 27, (ImportRef(2, 0, "d", None, N),), None, False)
    # The message is the parser's, and changes with the version: its form does not.
    assert broken._replace(error=None) == FileImports(files[2], 7, None, None, False)
    assert broken.error is not None
    assert re.fullmatch(r"SyntaxError: .+ \(line 1\)", broken.error)
    assert empty == FileImports(files[3], 0, (), None, fast)
    assert directory.imports is None
    assert directory.error is not None
    assert directory.error.startswith("NotARegularFile: ")
    assert missing.error is not None
    assert missing.error.startswith("FileNotFoundError: ")


def test_extract_files_workers_agree(backend: str, files: list[str]) -> None:
    many = files * 40
    one = list(extract_files(many, workers=1, backend=backend))
    assert [found.path for found in one] == many
    assert list(extract_files(many, workers=3, backend=backend)) == one
    assert list(extract_files(many, backend=backend)) == one


def test_extract_files_rejects_no_workers() -> None:
    with pytest.raises(ValueError, match="workers"):
        extract_files(["x.py"], workers=0)


# -- every file of the standard library and site-packages -------------------------------------


def _python_files() -> Iterator[Path]:
    paths = sysconfig.get_paths()
    stdlib = Path(paths["stdlib"])
    for path in stdlib.rglob("*.py"):
        # The stdlib directory may hold a site-packages of its own: not the standard library.
        if not {"site-packages", "dist-packages"} & set(path.relative_to(stdlib).parts):
            yield path
    for key in dict.fromkeys(("purelib", "platlib")):
        yield from Path(paths[key]).rglob("*.py")


def _reference(path: Path) -> tuple[bytes, tuple[ImportRef, ...] | None, list[str]]:
    """The file, ast's imports (None where it does not parse), and the tests around its
    imports that extract_rules.spelled spells otherwise than ast.unparse (each spelled by
    the ast path is checked as it is spelled: in a worker process, so patched there alone)."""
    source = path.read_bytes()
    misspelled: list[str] = []

    def spell(test: ast.expr) -> str:
        mine, unparsed = spelled(test), ast.unparse(test)
        if mine != unparsed:
            misspelled.append(unparsed)
        return mine

    extract_py.spell = spell
    try:
        return source, imports_ast(source), misspelled
    except (SyntaxError, ValueError):
        return source, None, []  # test data of tokenizer and parser tests, Python 2 files
    finally:
        extract_py.spell = spelled


@pytest.mark.slow
def test_every_installed_file_as_ast_reads_it() -> None:
    if not _compiled_expected():
        pytest.skip("the compiled scanner is not built, as MODSPEC_(EXPECT_)PURE says")
    scan = importlib.import_module("modspec._codebase.extract_c").extract
    files = unparsable = 0
    declined: list[str] = []
    differ: list[str] = []
    spelling: list[str] = []
    paths = list(_python_files())
    # ast is the slow half: on every core, so the test stays in CI's budget. Spawned, not
    # forked: a fork of a process with threads is unsafe (and warns on 3.12+).
    with ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")) as pool:
        references = pool.map(_reference, paths, chunksize=64)
        for path, (source, reference, misspelled) in zip(paths, references, strict=True):
            spelling.extend(f"{path}: {test}" for test in misspelled)
            if reference is None:
                unparsable += 1
                continue
            files += 1
            # Every field: guards, conditions, choices, as the front reads the scanner's.
            found = extract._scanned(source, scan)
            if found is None:
                declined.append(str(path))
            elif found != reference:
                differ.append(str(path))
    assert files > 1000, f"only {files} files found"
    assert not differ, f"{len(differ)} of {files} files differ from ast: {differ[:10]}"
    # Both paths spell a test so: it must be as ast.unparse spells it.
    assert not spelling, f"spelled otherwise than ast.unparse: {spelling[:10]}"
    share = len(declined) / files
    assert share < 0.02, (
        f"the scanner declined {len(declined)} of {files} files ({share:.1%}; "
        f"{unparsable} unparsable skipped): {declined[:20]}"
    )
