"""Each named exception handler: the errors it expects give the documented answer, any other
error propagates (a MemoryError is never "not a zip" nor "does not parse")."""

from __future__ import annotations

import ast
import struct
import sys
import types
import zipfile
import zipimport
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import setuptools_finder_source
from oracle import compare

import modspec
from modspec import _editable, _environment, _legacy, _predict

MakeResolver = Callable[..., modspec.Resolver]
Tree = Callable[[dict[str, object]], Path]

# Sources every ast.parse of 3.10–3.13 rejects, one per error type of PARSE_ERRORS.
HOSTILE_SOURCES = {
    "syntax": "x = (\n",
    "nul": "x = 1\0\n",  # ValueError on 3.10, SyntaxError from 3.11
    "parser-stack": "x = " + "-" * 100_000 + "1\n",  # MemoryError
    "deep-tree": "x = " + "+".join(["1"] * 100_000) + "\n",  # RecursionError from 3.11
}
UNEXPECTED = [MemoryError, RecursionError, KeyError]
# The parser does raise MemoryError and RecursionError for bad input: those are expected there.
UNEXPECTED_IN_PARSING = [KeyError, OSError]


def _raiser(error: type[BaseException]) -> Callable[..., object]:
    def raise_it(*args: object, **kwargs: object) -> object:
        raise error("injected")

    return raise_it


def _ast_with(name: str, error: type[BaseException]) -> object:
    # A module's own view of ast, one function raising: patching ast itself would break
    # pytest, which parses with it too.
    class Ast(types.ModuleType):
        def __getattr__(self, attribute: str) -> object:
            return getattr(ast, attribute)

    patched = Ast("ast")
    setattr(patched, name, _raiser(error))
    return patched


# --- _zipfinder.zip_finder: a damaged archive is no archive ----------------------------------


def _archive_and_fallback(root: Path) -> list[str]:
    with zipfile.ZipFile(root / "lib.zip", "w") as archive:
        archive.writestr("mod.py", "")
    (root / "fallback").mkdir()
    (root / "fallback" / "mod.py").write_text("")
    return [str(root / "lib.zip"), str(root / "fallback")]


@pytest.mark.parametrize("error", [EOFError, IndexError, OSError])
def test_damaged_archive_is_skipped(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    path = _archive_and_fallback(tree({}))
    monkeypatch.setattr(zipimport, "_read_directory", _raiser(error))
    spec = make_resolver(path).resolve("mod")
    assert spec is not None
    assert spec.origin == str(Path(path[1]) / "mod.py")


def test_undecodable_names_skip_the_archive(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _archive_and_fallback(tree({}))

    def undecodable(archive: str) -> object:
        return b"\xff".decode()

    monkeypatch.setattr(zipimport, "_read_directory", undecodable)
    spec = make_resolver(path).resolve("mod")
    assert spec is not None
    assert spec.origin == str(Path(path[1]) / "mod.py")


@pytest.mark.parametrize("error", UNEXPECTED)
def test_unexpected_archive_errors_propagate(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    path = _archive_and_fallback(tree({}))
    monkeypatch.setattr(zipimport, "_read_directory", _raiser(error))
    with pytest.raises(error, match="injected"):
        make_resolver(path).resolve("mod")


def _zip64_without_values(archive: Path) -> None:
    # One central directory entry whose sizes and offset say "in the Zip64 extra field", with
    # an extra field that holds no value: 3.13's reader pops from an empty list (IndexError).
    name = b"mod.py"
    extra = struct.pack("<HH", 1, 0)
    entry = struct.pack(
        "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF,
        len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF,
    )  # fmt: skip
    directory = entry + name + extra
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), 0, 0)
    archive.write_bytes(directory + end)


def test_zip64_extra_without_values(tree: Tree, make_resolver: MakeResolver) -> None:
    root = tree({"fallback/mod.py": ""})
    _zip64_without_values(root / "lib.zip")
    path = [str(root / "lib.zip"), str(root / "fallback")]
    if sys.version_info >= (3, 13):
        with pytest.raises(IndexError):
            zipimport._read_directory(path[0])  # type: ignore[attr-defined]
        spec = make_resolver(path).resolve("mod")
        assert spec is not None
        assert spec.origin == str(root / "fallback" / "mod.py")
    else:
        compare(make_resolver(path), ["mod"], path)  # no Zip64 before 3.13: read as it is


# --- _editable: literals, and the generated module's parse -----------------------------------


def _finder_file(tmp_path: Path, source: str) -> str:
    file = tmp_path / "__editable___demo_1_0_finder.py"
    file.write_text(source, encoding="utf-8")
    return str(file)


def test_unhashable_literals_are_no_table(tmp_path: Path) -> None:
    good = setuptools_finder_source({"pkg": "/src/pkg"}, {})
    bad = good.replace("MAPPING = {'pkg': '/src/pkg'}", "MAPPING = {[]: '/src/pkg'}")
    assert bad != good
    unhashable = _editable.read_editable_finder(_finder_file(tmp_path, bad))
    plain = good.replace("MAPPING = {'pkg': '/src/pkg'}", "MAPPING = name")
    not_literal = _editable.read_editable_finder(_finder_file(tmp_path, plain))
    assert unhashable == not_literal  # TypeError read as ValueError is: no such literal


@pytest.mark.parametrize("error", UNEXPECTED)
def test_unexpected_literal_errors_propagate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    file = _finder_file(tmp_path, setuptools_finder_source({"pkg": "/src/pkg"}, {}))
    # ast itself: _editable imports it when it reads a file (not at its own import), and
    # nothing else calls literal_eval while the patch is in place.
    monkeypatch.setattr(ast, "literal_eval", _raiser(error))
    with pytest.raises(error, match="injected"):
        _editable.read_editable_finder(file)


@pytest.mark.parametrize("source", list(HOSTILE_SOURCES.values()), ids=list(HOSTILE_SOURCES))
def test_editable_module_that_does_not_parse(tmp_path: Path, source: str) -> None:
    file = _finder_file(tmp_path, "class _EditableFinder: pass\n" + source)
    assert _editable.read_editable_finder(file) is None


# --- _predict.source_docstring: __doc__ of a module that does not parse -----------------------


@pytest.mark.parametrize("source", list(HOSTILE_SOURCES.values()), ids=list(HOSTILE_SOURCES))
def test_no_docstring_where_the_source_does_not_parse(
    tree: Tree, make_resolver: MakeResolver, source: str
) -> None:
    if source == HOSTILE_SOURCES["deep-tree"] and sys.version_info < (3, 11):
        # 3.10's ast.parse builds that tree (only compile() then raises RecursionError), so
        # the docstring is read as from any source that parses.
        pytest.skip("3.10 parses a deep tree that only its compiler rejects")
    root = tree({"mod.py": '"""A docstring."""\n' + source, "good.py": '"""A docstring."""\n'})
    resolver = make_resolver([str(root)])
    good, hostile = resolver.resolve("good"), resolver.resolve("mod")
    assert good is not None
    assert hostile is not None
    assert good.module_info().doc == "A docstring."
    assert hostile.module_info().doc is None


@pytest.mark.parametrize("error", UNEXPECTED_IN_PARSING)
def test_unexpected_parse_errors_propagate(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    root = tree({"mod.py": '"""A docstring."""\n'})
    spec = make_resolver([str(root)]).resolve("mod")
    assert spec is not None
    monkeypatch.setattr(_predict, "ast", _ast_with("parse", error))
    with pytest.raises(error, match="injected"):
        spec.module_info()


# --- _legacy.idiom and _environment's .pth import lines -------------------------------------


@pytest.mark.parametrize("source", list(HOSTILE_SOURCES.values()), ids=list(HOSTILE_SOURCES))
def test_legacy_init_that_does_not_parse(tmp_path: Path, source: str) -> None:
    init = tmp_path / "__init__.py"
    init.write_text("__path__ = extend_path(__path__, __name__)\n" + source, encoding="utf-8")
    assert _legacy.idiom(str(init), lambda: False) is None


@pytest.mark.parametrize("source", list(HOSTILE_SOURCES.values()), ids=list(HOSTILE_SOURCES))
def test_pth_import_line_that_does_not_parse(tmp_path: Path, source: str) -> None:
    site = _environment._Site([], (3, 12, 0), str(tmp_path))
    site.editable_hook("import x; " + source.rstrip("\n"))
    assert site.editables == []


@pytest.mark.parametrize("error", UNEXPECTED_IN_PARSING)
def test_unexpected_errors_propagate_from_legacy_and_pth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    init = tmp_path / "__init__.py"
    init.write_text("__path__ = extend_path(__path__, __name__)\n", encoding="utf-8")
    monkeypatch.setattr(_legacy, "ast", _ast_with("parse", error))
    monkeypatch.setattr(_environment, "ast", _ast_with("parse", error))
    with pytest.raises(error, match="injected"):
        _legacy.idiom(str(init), lambda: False)
    with pytest.raises(error, match="injected"):
        _environment._Site([], (3, 12, 0), str(tmp_path)).editable_hook("import x")
