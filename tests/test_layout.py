"""The package's import graph: no cycles, and no module reaching for a sibling's private name."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "modspec"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def _submodules() -> set[str]:
    # Compiled modules (.pyx, with a .pyi or not) are modules too, though ast cannot read them.
    paths = [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.pyx"), *SOURCE.rglob("*.pyi")]
    return {_module_name(path) for path in paths}


def _imports(module: str, path: Path, submodules: set[str]) -> Iterator[tuple[str, str | None]]:
    """(imported module, name taken from it or None) for every import in the file: at module
    level, under ``if TYPE_CHECKING:``, inside functions alike (ast.walk sees them all); and
    (module, attribute) for each ``alias.attribute`` read from one of ``submodules`` imported
    by name."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
                if alias.asname is not None and alias.name in submodules:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                yield source, alias.name
                if f"{source}.{alias.name}" in submodules:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    # `from . import _core` then `_core._stat_mode`: a private name all the same.
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            target = aliases.get(node.value.id)
            if target is not None:
                yield target, node.attr


def _graph() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Each module's modspec imports (a submodule named in ``from . import x`` counts as
    ``x``, not the package), and the private names taken from siblings."""
    modules = _modules()
    submodules = _submodules()
    edges: dict[str, set[str]] = {module: set() for module in modules}
    private: set[tuple[str, str]] = set()
    for module, path in modules.items():
        for source, name in _imports(module, path, submodules):
            if source != PACKAGE and not source.startswith(PACKAGE + "."):
                continue
            submodule = f"{source}.{name}"
            if name is not None and submodule in submodules:
                if submodule != module:
                    edges[module].add(submodule)
                continue
            if source in submodules and source != module:
                edges[module].add(source)
            # A name from a module of this package that is private to it (`_x`, not dunder).
            if name is not None and name.startswith("_") and not name.startswith("__"):
                private.add((module, f"{source}.{name}"))
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The graph's cycles, as groups of modules each reachable from every other (sorted)."""

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for target in edges.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    reach = {module: reachable(module) for module in edges}
    groups = {
        tuple(sorted(other for other in reach[module] if module in reach[other]))
        for module in edges
        if module in reach[module]
    }
    return sorted(list(group) for group in groups)


def test_sees_every_module() -> None:
    # A test that cannot fail is a defect: make sure the walk finds the package's modules.
    modules = _modules()
    assert {"modspec", "modspec._spec", "modspec._resolver"} <= modules.keys()


def test_the_walk_finds_cycles_and_private_names(tmp_path: Path) -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    edges, _ = _graph()
    assert "modspec._spec" in edges["modspec"]
    module = tmp_path / "m.py"
    module.write_text("from ._core import _stat\nfrom . import _paths\n_paths._join('a')\n")
    found = set(_imports("modspec.m", module, {"modspec._core", "modspec._paths"}))
    assert {("modspec._core", "_stat"), ("modspec._paths", "_join")} <= found


def test_import_graph_is_acyclic() -> None:
    edges, _ = _graph()
    assert _cycles(edges) == []


def test_no_private_names_from_siblings() -> None:
    _, private = _graph()
    assert sorted(private) == []


def test_the_library_never_imports_the_application() -> None:
    # modspec._codebase is the application (surface, its walk, extraction, report): only the
    # command line may import it, and the package's lazy exports (tested below: on first
    # use only); the library's modules never do.
    edges, _ = _graph()
    application = f"{PACKAGE}._codebase"
    commands = f"{PACKAGE}._commands"
    entry_points = {f"{PACKAGE}.cli", f"{PACKAGE}.__main__", PACKAGE}
    entry_points |= {module for module in edges if module.startswith(commands)}
    library = [module for module in edges if not module.startswith(application)]
    reaching = {
        module: sorted(target for target in edges[module] if target.startswith(application))
        for module in library
        if module not in entry_points
    }
    assert {module: found for module, found in reaching.items() if found} == {}
    assert any(target.startswith(application) for target in edges[f"{commands}.codebase"])


def test_the_package_loads_the_application_on_first_use_only() -> None:
    probe = (
        "import sys, modspec\n"
        "before = sorted(m for m in sys.modules if m.startswith('modspec._codebase'))\n"
        "graph = modspec.Graph\n"
        "after = 'modspec._codebase.graph' in sys.modules\n"
        "print(before, after, graph.__module__)\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["[]", "True", "modspec._codebase.graph"]


@pytest.mark.parametrize(
    ("backend", "loaded"),
    [
        # The compiled core needs neither pure twin; the pure core needs its own.
        ("cython", ["modspec._explain", "modspec._predict"]),
        ("python", ["modspec._core_py", "modspec._explain", "modspec._predict"]),
    ],
)
def test_resolving_loads_what_it_needs(backend: str, loaded: list[str]) -> None:
    # A Resolver over a path of its own resolves without the features it does not use:
    # editable hooks, legacy namespaces, explain, bytecode status, ModuleInfo's predictions.
    probe = """if True:
        import sys
        from modspec import Resolver

        def loaded(*names):
            print(sorted(f"modspec.{m}" for m in names if f"modspec.{m}" in sys.modules))

        Resolver(sys.path, backend=BACKEND).resolve_many(["json", "no_such_module"])
        loaded("_core_py", "_editable", "_legacy", "_explain", "_bytecode", "_predict")
        Resolver(sys.path, backend=BACKEND).explain("no_such_module")
        Resolver(sys.path, backend=BACKEND).resolve("json").module_info()
        loaded("_explain", "_predict", "_core_py")
    """.replace("BACKEND", repr(backend))
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    first, then = ran.stdout.splitlines()
    assert first == str([name for name in loaded if name == "modspec._core_py"])
    assert then == str(loaded)


def test_every_lazy_export_is_there() -> None:
    import modspec

    for name in modspec.__all__:
        assert getattr(modspec, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = modspec.nothing_here  # type: ignore[attr-defined]


def test_the_exports_are_spelled_alike() -> None:
    import modspec

    assert set(modspec.__all__) == {"__version__", *modspec._EXPORTS}


def test_the_command_line_loads_a_command_when_it_runs() -> None:
    # `import modspec.cli` (the console script's first step) and `--help` load the parser
    # only: neither the resolver nor the scan, whose import costs are the commands' own.
    probe = (
        "import sys, modspec.cli\n"
        "heavy = ('modspec._resolver', 'modspec._codebase.surface', 'modspec._commands.names')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "[]"


# --- what start-up imports: pinned by name, so a regression fails here (never timed) ----------

# Modules of the standard library that the library's calls and the quick commands do without;
# each costs a millisecond or more, and importing any brings in more (dataclasses: inspect,
# ast, dis, tokenize).
HEAVY = (
    "argparse",
    "ast",
    "contextlib",
    "dataclasses",
    "dis",
    "gettext",
    "importlib.util",
    "inspect",
    "json",
    "locale",
    "re",
    "shutil",
    "threading",
    "tokenize",
    "typing",
)


def _added_modules(code: str) -> list[str]:
    """The modules ``code`` adds to sys.modules in a fresh interpreter, beyond those loaded
    before it runs (what start-up and site loaded here)."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(sorted(set(sys.modules) - before), file=sys.stderr)\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    added: list[str] = ast.literal_eval(ran.stderr.strip().splitlines()[-1])
    return added


def _heavy(added: list[str], *allowed: str) -> list[str]:
    return [name for name in HEAVY if name in added and name not in allowed]


def test_importing_the_package_loads_only_its_version() -> None:
    added = _added_modules("import modspec")
    assert _heavy(added) == []
    assert [name for name in added if name.startswith("modspec")] == ["modspec", "modspec._version"]
    # Its lazy exports are imported by __import__: the importlib package (with warnings)
    # was most of what `import modspec` cost.
    assert "importlib" not in added
    assert "warnings" not in added


def test_resolving_through_the_api_loads_nothing_heavy() -> None:
    added = _added_modules(
        "import modspec\n"
        "specs = modspec.Resolver(sys.path).resolve_many(['json', 'os.path', 'no_such'])\n"
        "modspec.bytecode_status(specs.values())\n"
        "modspec.resolve('json')"
    )
    assert _heavy(added) == []
    assert "modspec._codebase" not in added


def test_the_version_is_answered_before_any_parser() -> None:
    # Both ways the console script may pass the words: sys.argv, or main's argument.
    for call in ("sys.argv[1:] = ['--version']; main()", "main(['--version'])"):
        added = _added_modules(f"from modspec.cli import main\n{call}")
        assert _heavy(added) == [], call
        assert [name for name in added if name.startswith("modspec")] == [
            "modspec",
            "modspec._version",
            "modspec.cli",
        ]


@pytest.mark.parametrize(
    ("argv", "parser"),
    [
        # Names only: the parser's defaults, without argparse (cli._names_only).
        (["resolve", "json", "no_such"], ()),
        # An option: the parser, built with the resolve command's options only.
        (["resolve", "json", "--json"], ("argparse", "gettext", "locale", "re")),
    ],
)
def test_the_resolve_command_loads_the_resolver_only(
    argv: list[str], parser: tuple[str, ...]
) -> None:
    from modspec._editable import live_editables

    added = _added_modules(f"from modspec.cli import main\nmain({argv!r})")
    # ast (and the contextlib it imports) only where an editable install's hook is read: the
    # child has the hooks this interpreter has. json for --json; re for explain's messages.
    read_hooks = ("ast", "contextlib") if live_editables() else ()
    allowed = (*parser, *read_hooks, *(("json",) if "--json" in argv else ("re",)))
    assert _heavy(added, *allowed) == []
    assert [name for name in parser if name not in added] == []
    unneeded = ("modspec._codebase.surface", "modspec._discover", "modspec._environment")
    assert [name for name in unneeded if name in added] == []
