"""Which module-level imports of a source could be deferred: where the names they bind are used.

An import can wait (PEP 810's ``lazy import``, or an import moved into the functions that
need it) when nothing that runs while the module is imported reads what it binds: no class
base, decorator, default value, evaluated annotation, class body or module-level expression,
and no function that module-level code calls. Read by the running interpreter's ``ast``;
nothing is run. Python's scoping decides what a name in a function means: a parameter or a
local of that name (or of an enclosing function) is not the import's.

What makes deferral unsafe, besides a use at import time: a name others import from the module
(listed in ``__all__``, imported ``as`` itself, or a package ``__init__``'s import it never
uses, which is there for its importers); a name bound again at module level or by a
``global`` statement; an import in a try block (PEP 810 refuses ``lazy`` there, and the
handler decides at import time); a star import, ``from __future__``. An import never used in
the module is taken as imported for its side effects.

Not seen: uses through ``globals()``, ``eval`` or another module's ``module.name``;
``__init_subclass__`` of a base class defined here; a submodule attribute that ``import a.b``
sets on ``a`` for others.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Collection, Iterator, Sequence
from typing import NamedTuple

from .extract_rules import dotted_name, parse_source, spelled, without_lazy

__all__ = ["ImportUse", "ModuleReading", "import_uses", "read_module"]

_MAIN_TESTS = frozenset(("__name__ == '__main__'", "'__main__' == __name__"))
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# try/except* (3.11) has the same fields as try.
_TRIES: tuple[type[ast.stmt], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))


class ImportUse(NamedTuple):
    """A module-level import statement, and whether it could be deferred."""

    line: int
    statement: str  # as ast.unparse spells it
    names: tuple[str, ...]  # the names it binds
    candidate: bool
    reason: str
    use_line: int  # the line of the use that keeps it eager; 0 where none does


class _Use(NamedTuple):
    line: int
    kind: str  # "base class", "decorator", ... "in a function", "annotation only"
    owner: str | None  # the module-level def or class whose body holds it (deferred uses)
    chain: str  # the dotted name read: `a.b.c` for `a.b.c.f()`, `a` for a bare `a`


def import_uses(
    source: bytes, *, is_package: bool = False, called: Collection[str] = ()
) -> list[ImportUse]:
    """Every import statement at module level of ``source`` (in if, with, try blocks too,
    not in a def or class), with whether it could be deferred and why; [] where the source
    does not parse. ``called``: its functions and classes other modules call at import."""
    reading = read_module(source)
    return [] if reading is None else reading.verdicts(is_package=is_package, called=called)


def read_module(source: bytes) -> ModuleReading | None:
    """``source`` read for its imports and their uses; None where it does not parse."""
    try:
        rewritten = without_lazy(source)
        tree = parse_source(source if rewritten is None else rewritten[0])
    except (SyntaxError, ValueError):
        return None
    assert isinstance(tree, ast.Module)
    return ModuleReading(tree)


class ModuleReading:
    """One pass over a module: its imports, its other bindings, and every use of a name."""

    def __init__(self, tree: ast.Module) -> None:
        self.imports: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
        self.rebound: dict[str, int] = {}  # names bound at module level by anything else
        self.exported: set[str] = set()  # __all__'s literal names
        self.uses: dict[str, list[_Use]] = {}
        self.defined: dict[str, ast.stmt] = {}  # module-level defs and classes by name
        self.calls: dict[str | None, set[str]] = {}  # owner -> module-level names it calls
        future = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "__future__"
            and any(alias.name == "annotations" for alias in node.names)
            for node in tree.body
        )
        # PEP 563 and, from 3.14, PEP 649: annotations are not evaluated at definition.
        self.evaluates_annotations = not future and sys.version_info < (3, 14)
        self._statements(tree.body, in_try=False)
        self._uses(tree)

    # -- module level: statements, imports, bindings ------------------------------------------

    def _statements(self, body: Sequence[ast.stmt], *, in_try: bool) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports.append((node, in_try))
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined[node.name] = node
                self.rebound.setdefault(node.name, node.lineno)
                continue
            self._module_bindings(node)
            if isinstance(node, ast.If):
                if _never_runs_on_import(node.test):
                    self._statements(node.orelse, in_try=in_try)
                else:
                    self._statements([*node.body, *node.orelse], in_try=in_try)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                self._statements([*node.body, *node.orelse], in_try=in_try)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                self._statements(node.body, in_try=in_try)
            elif isinstance(node, _TRIES):
                assert isinstance(node, ast.Try)  # or TryStar: the same fields
                handlers = [s for h in node.handlers for s in h.body]
                self._statements(
                    [*node.body, *handlers, *node.orelse, *node.finalbody], in_try=True
                )

    def _module_bindings(self, node: ast.stmt) -> None:
        """The names a module-level statement (not an import or a def) binds, and __all__."""
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                self.exported.update(_literal_strings(node.value))
        heads: list[ast.AST] = [node]
        if isinstance(node, (ast.If, ast.While)):
            heads = [node.test]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            heads = [node.target, node.iter]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            heads = list(node.items)
        elif isinstance(node, _TRIES):
            assert isinstance(node, ast.Try)
            for handler in node.handlers:
                if handler.name:
                    self.rebound.setdefault(handler.name, handler.lineno)
            heads = []
        for head in heads:
            for child in _same_scope(head):
                if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                    self.rebound.setdefault(child.id, child.lineno)

    # -- uses ----------------------------------------------------------------------------------

    def _uses(self, tree: ast.Module) -> None:
        for node in tree.body:
            self._visit(node, (), at_import=True, owner=None)

    def _record(
        self, name: str, line: int, kind: str, owner: str | None, chain: str | None = None
    ) -> None:
        self.uses.setdefault(name, []).append(_Use(line, kind, owner, chain or name))

    def _visit(
        self,
        node: ast.AST,
        scopes: tuple[frozenset[str], ...],
        *,
        at_import: bool,
        owner: str | None,
        kind: str = "module-level code",
    ) -> None:
        """Records each read of a module-level name under ``node``. ``scopes``: the names
        local to each enclosing function (a class body's are not seen from its methods)."""
        if isinstance(node, ast.If) and at_import and _never_runs_on_import(node.test):
            for statement in node.orelse:
                self._visit(statement, scopes, at_import=at_import, owner=owner)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._function(node, scopes, at_import=at_import, owner=owner)
            return
        if isinstance(node, ast.ClassDef):
            self._class(node, scopes, at_import=at_import, owner=owner)
            return
        if isinstance(node, _COMPREHENSIONS):
            inner = (*scopes, _comprehension_locals(node))
            for child in ast.iter_child_nodes(node):
                self._visit(child, inner, at_import=at_import, owner=owner, kind=kind)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return  # the statements bind; they are the subject, not a use
        if isinstance(node, ast.Global):
            for name in node.names:
                self.rebound.setdefault(name, node.lineno)  # a function may bind it
        chain = dotted_name(node) if isinstance(node, ast.Attribute) else None
        if isinstance(node, ast.Attribute) and chain is not None:
            # The longest chain of attributes on a name: which `import a.b` it reads.
            head = chain.partition(".")[0]
            if not any(head in scope for scope in scopes):
                when = kind if at_import else "in a function"
                self._record(head, node.lineno, when, owner, chain)
            return
        if isinstance(node, ast.Name) and not any(node.id in scope for scope in scopes):
            deleted = isinstance(node.ctx, ast.Del) and at_import
            if isinstance(node.ctx, ast.Load) or deleted:
                when = kind if at_import else "in a function"
                self._record(node.id, node.lineno, when, owner)
        if isinstance(node, ast.Call):
            # What a call runs: the function named (`f`, `m.f`), and any passed to it.
            called = [node.func, *node.args, *(k.value for k in node.keywords)]
            names = {text for c in called if (text := dotted_name(c)) is not None}
            self.calls.setdefault(owner if not at_import else None, set()).update(names)
        if isinstance(node, ast.AnnAssign):
            # A module's or class's annotation is evaluated (before 3.14, without PEP 563);
            # a function's local one never is.
            if at_import and self.evaluates_annotations:
                self._visit(node.annotation, scopes, at_import=True, owner=owner, kind="annotation")
            elif at_import:
                self._annotation_only(node.annotation, owner)
            for part in (node.target, node.value):
                if part is not None:
                    self._visit(part, scopes, at_import=at_import, owner=owner, kind=kind)
            return
        for child in ast.iter_child_nodes(node):
            self._visit(child, scopes, at_import=at_import, owner=owner, kind=kind)

    def _annotation_only(self, annotation: ast.AST, owner: str | None) -> None:
        for child in ast.walk(annotation):
            if isinstance(child, ast.Name):
                self._record(child.id, child.lineno, "annotation only", owner)

    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        scopes: tuple[frozenset[str], ...],
        *,
        at_import: bool,
        owner: str | None,
    ) -> None:
        args = node.args
        if not isinstance(node, ast.Lambda):
            # A decorator is called when the def runs.
            names = {n for d in node.decorator_list if (n := dotted_name(d)) is not None}
            self.calls.setdefault(None if at_import else owner, set()).update(names)
            for decorator in node.decorator_list:
                self._visit(decorator, scopes, at_import=at_import, owner=owner, kind="decorator")
            annotations = [a.annotation for a in _arguments(args) if a.annotation is not None]
            if node.returns is not None:
                annotations.append(node.returns)
            for annotation in annotations:
                if self.evaluates_annotations:
                    self._visit(
                        annotation, scopes, at_import=at_import, owner=owner, kind="annotation"
                    )
                elif at_import:
                    self._annotation_only(annotation, owner)
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default, scopes, at_import=at_import, owner=owner, kind="default value")
        body_owner = owner if owner is not None else getattr(node, "name", None)
        inner = (*scopes, _function_locals(node))
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            self._visit(child, inner, at_import=False, owner=body_owner)

    def _class(
        self,
        node: ast.ClassDef,
        scopes: tuple[frozenset[str], ...],
        *,
        at_import: bool,
        owner: str | None,
    ) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator, scopes, at_import=at_import, owner=owner, kind="decorator")
        for base in [*node.bases, *(k.value for k in node.keywords)]:
            self._visit(base, scopes, at_import=at_import, owner=owner, kind="base class")
        body_owner = owner if owner is not None else node.name
        # The body runs when the class statement does: at import, for a module-level class.
        for child in node.body:
            self._visit(child, scopes, at_import=at_import, owner=body_owner, kind="class body")

    # -- the verdict ---------------------------------------------------------------------------

    def _runs_at_import(self, called: Collection[str]) -> dict[str, str]:
        """The module-level defs and classes that module-level code calls (or, ``called``,
        other modules' code at their import), transitively (a class called: all its
        methods), each with the name of the call that starts it."""
        running: dict[str, str] = {}
        seeds = {*self.calls.get(None, ()), *called}
        work = [(name, name) for name in seeds if name in self.defined]
        while work:
            name, start = work.pop()
            if name in running:
                continue
            running[name] = start
            work.extend(
                (called, start) for called in self.calls.get(name, ()) if called in self.defined
            )
        return running

    def _claimed(self, node: ast.Import | ast.ImportFrom, alias: ast.alias) -> list[_Use]:
        """The uses of the name ``alias`` binds that are its statement's: where several
        statements bind it (`import a.b`, `import a.c`), a read of `a.b.x` is the one whose
        dotted name is the longest start of it; a read no statement's name starts (`a.z`) is
        every statement's."""
        name = _bound(alias)
        mine = _path(node, alias)
        paths = {
            _path(other, each)
            for other, _ in self.imports
            for each in other.names
            if _bound(each) == name
        }
        claimed = []
        for use in self.uses.get(name, ()):
            starts = [path for path in paths if _starts(use.chain, path)]
            if not starts or max(starts, key=len) == mine:
                claimed.append(use)
        return claimed

    def calls_out(
        self, name: str, *, is_package: bool, called: Collection[str] = ()
    ) -> set[tuple[str, str]]:
        """What code run at import calls in other modules: (module, function or class) for
        each call of a name a module-level import binds (`from m import f; f()`, `m.f()`),
        this module being ``name``; ``called`` as for verdicts."""
        package = name if is_package else name.rpartition(".")[0]
        running = self._runs_at_import(called)
        texts = set(self.calls.get(None, ()))
        for owner in running:
            texts.update(self.calls.get(owner, ()))
        # What each bound dotted name is: `import a.b` a.b; `from .m import f` f -> (pkg.m, f).
        modules: dict[str, str] = {}
        attributes: dict[str, tuple[str, str]] = {}
        for node, _ in self.imports:
            for alias in node.names:
                if isinstance(node, ast.Import):
                    modules[_path(node, alias)] = alias.name
                elif alias.name != "*":
                    base = _absolute(node.module or "", node.level, package)
                    attributes[_bound(alias)] = (base, alias.name)
                    modules[_bound(alias)] = f"{base}.{alias.name}" if base else alias.name
        found: set[tuple[str, str]] = set()
        for text in texts:
            if text in attributes:
                found.add(attributes[text])
                continue
            starts = [path for path in modules if text.startswith(path + ".")]
            if starts:
                path = max(starts, key=len)
                found.add((modules[path], text[len(path) + 1 :].partition(".")[0]))
        return found

    def verdicts(self, *, is_package: bool, called: Collection[str] = ()) -> list[ImportUse]:
        """Each module-level import statement, with whether it could be deferred."""
        running = self._runs_at_import(called)
        return [self._verdict(node, t, is_package, running) for node, t in self.imports]

    def _verdict(
        self,
        node: ast.Import | ast.ImportFrom,
        in_try: bool,
        package: bool,
        running: dict[str, str],
    ) -> ImportUse:
        names = tuple(_bound(alias) for alias in node.names)

        def answer(candidate: bool, reason: str, line: int = 0) -> ImportUse:
            return ImportUse(node.lineno, ast.unparse(node), names, candidate, reason, line)

        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return answer(False, "a __future__ import")
        if "*" in names:
            return answer(False, "a star import binds names no reader can list")
        if in_try:
            return answer(False, "in a try block: its handler decides at import time")
        exported = [n for n in names if n in self.exported]
        if exported:
            return answer(False, f"re-exported: {exported[0]} is in __all__")
        for alias in node.names:
            # The typing convention for a re-export: `import x as x`, `from y import x as x`.
            if alias.asname is not None and alias.asname == alias.name:
                return answer(
                    False, f"re-exported: imported as itself ({alias.name} as {alias.name})"
                )
        rebinding = [(self.rebound[n], n) for n in names if n in self.rebound]
        if rebinding:
            line, name = min(rebinding)
            return answer(False, f"{name} is bound again at module level", line)
        uses = [use for alias in node.names for use in self._claimed(node, alias)]
        if not uses:
            if package:
                return answer(False, "not used in the package's __init__: there for importers")
            return answer(False, "not used in the module: imported for its side effects")
        early = [u for u in uses if u.kind not in ("in a function", "annotation only")]
        if early:
            first = min(early)
            return answer(False, f"used at import time: {first.kind}, {first.chain}", first.line)
        called = [u for u in uses if u.owner in running and u.kind == "in a function"]
        if called:
            first = min(called)
            start = running[str(first.owner)]
            said = f"used by {start}(), which code run at import calls: {first.chain}"
            return answer(False, said, first.line)
        if all(u.kind == "annotation only" for u in uses):
            return answer(True, "used only in annotations, which are not evaluated")
        return answer(True, "used only inside functions")


def _never_runs_on_import(test: ast.expr) -> bool:
    """``if __name__ == "__main__":`` and ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    name = dotted_name(test)
    if name is not None and name.rpartition(".")[2] == "TYPE_CHECKING":
        return True
    return isinstance(test, ast.Compare) and spelled(test) in _MAIN_TESTS


def _bound(alias: ast.alias) -> str:
    """The name an import's alias binds: `import a.b` binds a, `... as c` c."""
    return alias.asname or alias.name.partition(".")[0]


def _path(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    """The dotted name reads start with to reach what ``alias`` imports: `import a.b` a.b;
    anything bound by another name (`as`, a from-import) that name."""
    if isinstance(node, ast.Import) and alias.asname is None:
        return alias.name
    return _bound(alias)


def _absolute(module: str, level: int, package: str) -> str:
    """A from-import's module made absolute against the importer's package."""
    if not level:
        return module
    parts = package.split(".") if package else []
    base = ".".join(parts[: len(parts) - (level - 1)]) if level - 1 <= len(parts) else ""
    return f"{base}.{module}" if base and module else base or module


def _starts(chain: str, path: str) -> bool:
    return chain == path or chain.startswith(path + ".")


def _literal_strings(node: ast.expr | None) -> Iterator[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value


def _arguments(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    found.extend(a for a in (args.vararg, args.kwarg) if a is not None)
    return found


def _same_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what lies under it in the same scope (no def, lambda, class or
    comprehension body, whose names are their own)."""
    work = [node]
    while work:
        current = work.pop()
        yield current
        if current is not node and isinstance(
            current, (*_FUNCTIONS, ast.ClassDef, *_COMPREHENSIONS)
        ):
            continue
        work.extend(ast.iter_child_nodes(current))


def _function_locals(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> frozenset[str]:
    """The names local to a function: parameters and whatever its body binds, less those it
    declares global or nonlocal (Python's rule: bound anywhere in the body, local throughout)."""
    bound = {a.arg for a in _arguments(node.args)}
    declared: set[str] = set()
    body = node.body if isinstance(node.body, list) else [node.body]
    for statement in body:
        for child in _same_scope(statement):
            if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                bound.add(child.id)
            elif isinstance(child, _DEFINITIONS):
                bound.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                bound.update(_bound(alias) for alias in child.names)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bound.add(child.name)
            elif isinstance(child, (ast.Global, ast.Nonlocal)):
                declared.update(child.names)
            elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                bound.add(child.name)
        bound.update(_walrus_targets(statement))
    return frozenset(bound - declared)


def _walrus_targets(node: ast.AST) -> Iterator[str]:
    """The names a walrus in a comprehension under ``node`` binds in the function around
    it (PEP 572); a def's or a class's own are theirs."""
    work = [node]
    while work:
        current = work.pop()
        if isinstance(current, ast.NamedExpr) and isinstance(current.target, ast.Name):
            yield current.target.id
        if current is node or not isinstance(current, (*_FUNCTIONS, ast.ClassDef)):
            work.extend(ast.iter_child_nodes(current))


def _comprehension_locals(
    node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
) -> frozenset[str]:
    return frozenset(
        child.id
        for generator in node.generators
        for child in ast.walk(generator.target)
        if isinstance(child, ast.Name)
    )
