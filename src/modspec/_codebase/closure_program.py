"""A module's imports as the steps its code would take on import: which modules each eager
statement asks the import system for, in order, and where a try/except ImportError offers
the choice of an alternative.

The steps are tuples, run by closure_run's machine:

- ``(LOAD, name, line)``: ``_find_and_load(name)``; the parents come as steps of their own
  before it (``import a.b.c`` is LOAD a, LOAD a.b, LOAD a.b.c), as
  ``importlib._bootstrap._find_and_load_unlocked`` imports each parent first.
- ``(FROM, name, line)``: a name of a from-import's fromlist, ``_handle_fromlist``'s
  ``package.name``: loaded where it is a submodule, passed over where none is found (then it
  is an attribute).
- ``(STAR, package, line)``: ``from package import *``: the package's literal ``__all__``,
  each name a FROM (``_handle_fromlist`` recurses into ``__all__``).
- ``(TRY, handler, 0)`` / ``(END, after, 0)``: a try whose handler catches ImportError: a
  failed import in its body goes on at ``handler``, the first handler's steps; a body that
  runs to its end goes on at ``after``.
- ``(BRANCH, names, count)``: the next ``count`` steps are an import under a test that cannot
  be decided for the target (``if _mswindows:``, ``elif 'nt' in _names:``): they run where
  every module ``names`` holds resolves, the imports written directly in that branch; one
  that does not resolve tells a branch for another platform or version, not run here.
- ``(FAIL, why, line)``: an import that raises ImportError whatever the path holds (a
  relative import beyond the top-level package; line 0: a module that does not compile).
- ``(ALIAS, name, module)``: ``sys.modules[name]`` becomes ``module``, whose ``__spec__`` is
  now name's: what an import hook does that hands over another module (setuptools'
  VendorImporter, modelled in closure_run).
- ``(EXEC, file, steps)``: steps of other code run here, on behalf of the running module
  (``site``'s ``main()``, the ``.pth`` files' import lines it runs with ``exec``), from
  ``file`` (None: the module's own).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Union

from .._resolver import InvalidName, absolute_name
from .conditions import Target, evaluate
from .extract_py import Guard, ImportRef

__all__ = [
    "ALIAS",
    "BRANCH",
    "END",
    "EXEC",
    "FAIL",
    "FROM",
    "LOAD",
    "STAR",
    "TRY",
    "Step",
    "compile_steps",
    "step_names",
]

LOAD, FROM, STAR, TRY, END, FAIL, EXEC, BRANCH, ALIAS = range(9)
# (operation, name or target, line or steps): closure_run reads them by position.
Step = tuple[int, Any, Any]

# What never runs when the importing module is imported.
_NOT_EAGER = Guard.DEFERRED | Guard.TYPE_CHECKING | Guard.MAIN | Guard.LAZY
# Guard's own & runs Python code: the flag sets, tested by membership instead.
_SKIPPED = frozenset(flags for flags in range(Guard.CONDITIONAL * 2) if flags & _NOT_EAGER)
_OPTIONAL = frozenset(flags for flags in range(Guard.CONDITIONAL * 2) if flags & Guard.OPTIONAL)
# Always in sys.modules: the running program (an import of it loads nothing).
_ALWAYS_LOADED = frozenset({"__main__"})

# (the import, taken as optional on its own, the names its undecided branches need)
_Node = Union[tuple[ImportRef, bool, tuple[str, ...]], "_Try"]


class _Try:
    """A try statement whose handler catches ImportError: its body's imports and those of the
    first handler holding any, which stands for the one that catches ImportError (as in
    choices.py, the rule surface and the graph play out: one that catches it and imports
    nothing leaves no trace)."""

    __slots__ = ("body", "handler", "line", "taken")

    def __init__(self, line: int) -> None:
        self.line = line
        self.body: list[_Node] = []
        self.handler: list[_Node] = []
        self.taken = 0  # the handler whose imports are the alternative (0: none yet)


def compile_steps(
    refs: Sequence[ImportRef],
    dynamic: Sequence[ImportRef],
    package: str | None,
    target: Target,
) -> list[Step]:
    """The steps of a module whose import statements are ``refs`` and literal dynamic
    imports ``dynamic`` (each taken as if in a try of its own: the helpers that wrap
    import_module mostly swallow ImportError), for ``target``. ``package`` is what relative
    imports are relative to."""
    nodes = _tree(_branches(_merged(refs, dynamic), package, target))
    steps: list[Step] = []
    _emit(nodes, package, steps)
    return steps


def step_names(steps: Sequence[Step]) -> Iterator[str]:
    """Every module name the steps may ask for (STAR's package's own names aside)."""
    for step in steps:
        if step[0] in (LOAD, FROM):
            yield str(step[1])
        elif step[0] == EXEC:
            yield from step_names(step[2])


def _merged(
    refs: Sequence[ImportRef], dynamic: Sequence[ImportRef]
) -> list[tuple[ImportRef, bool]]:
    """The statements and dynamic imports in line order (a statement first on its line),
    each with whether it is taken as optional on its own."""
    merged = [(ref, _optional_alone(ref)) for ref in refs]
    if dynamic:
        merged.extend((ref, True) for ref in dynamic)
        merged.sort(key=lambda item: item[0].line)  # stable: statements keep their order
    return merged


def _optional_alone(ref: ImportRef) -> bool:
    # In a try/except ImportError that the extractor gave no choice for (before choices
    # were recorded): the import's failure is taken, nothing else is known.
    return ref.guard in _OPTIONAL and not ref.choice


class _Item:
    """An import on its way to steps: whether it runs, and the names its branches need."""

    __slots__ = ("branches", "needs", "optional", "ref")

    def __init__(self, ref: ImportRef, optional: bool) -> None:
        self.ref = ref
        self.optional = optional
        self.branches: list[int] = []  # the undecided branches it is in, outermost first
        self.needs: tuple[str, ...] = ()


def _branches(
    merged: list[tuple[ImportRef, bool]], package: str | None, target: Target
) -> list[_Item]:
    """The eager imports that may run for ``target``, each with the modules its undecided
    branches need: those their own imports (not in a try within them) load."""
    items: list[_Item] = []
    open_keys: dict[tuple[tuple[str, bool], ...], int] = {}  # branch -> its number
    first_choice: dict[int, tuple[tuple[int, int], ...]] = {}
    needed: dict[int, list[str]] = {}
    for ref, optional in merged:
        if ref.guard in _SKIPPED:
            continue
        item = _Item(ref, optional)
        if not ref.condition:
            open_keys = {}
            items.append(item)
            continue
        unknown = []
        for index, (test, must_be) in enumerate(ref.condition):
            value = evaluate(test, target)
            if value is None:
                unknown.append(index)
            elif value is not must_be:
                break  # decided against: this import does not run
        else:
            keys = [ref.condition[: index + 1] for index in unknown]
            # A branch stays open while the imports that follow are in it.
            open_keys = {key: number for key, number in open_keys.items() if key in keys}
            for key in keys:
                if key not in open_keys:
                    open_keys[key] = len(first_choice)
                    first_choice[open_keys[key]] = ref.choice
                    needed[open_keys[key]] = []
                item.branches.append(open_keys[key])
            items.append(item)
            if keys and not optional and ref.choice == first_choice[item.branches[-1]]:
                needed[item.branches[-1]].extend(_loads(ref, package))
    memo: dict[tuple[int, ...], tuple[str, ...]] = {}
    for item in items:
        if item.branches:
            numbers = tuple(item.branches)
            if numbers not in memo:
                names = (name for number in numbers for name in needed[number])
                memo[numbers] = tuple(dict.fromkeys(names))
            item.needs = memo[numbers]
    return items


def _loads(ref: ImportRef, package: str | None) -> list[str]:
    """The names an import statement LOADs (its module and the parents)."""
    steps: list[Step] = []
    _emit_ref(ref, package, steps)
    return [step[1] for step in steps if step[0] == LOAD]


def _tree(items: list[_Item]) -> list[_Node]:
    top: list[_Node] = []
    for item in items:
        into: list[_Node] | None = top
        for line, clause in item.ref.choice:
            assert into is not None
            last = into[-1] if into else None
            if not (isinstance(last, _Try) and last.line == line):
                last = _Try(line)
                into.append(last)
            if clause and not last.taken:
                last.taken = clause  # imports come in source order: the first handler's first
            into = last.body if clause == 0 else last.handler if clause == last.taken else None
            if into is None:
                break
        if into is not None:
            into.append((item.ref, item.optional, item.needs))
    return top


def _emit(nodes: list[_Node], package: str | None, steps: list[Step]) -> None:
    for node in nodes:
        if isinstance(node, _Try):
            begin = len(steps)
            steps.append((TRY, -1, 0))
            _emit(node.body, package, steps)
            end = len(steps)
            steps.append((END, -1, 0))
            handler = len(steps)
            _emit(node.handler, package, steps)
            steps[begin] = (TRY, handler, 0)
            steps[end] = (END, len(steps), 0)
            continue
        ref, optional, needs = node
        own: list[Step] = []
        _emit_ref(ref, package, own)
        if optional:
            # A try of its own (TRY, the steps, END), whose handler does nothing.
            own = [(TRY, len(own) + 2, 0), *own, (END, len(own) + 2, 0)]
        if needs:
            steps.append((BRANCH, needs, len(own)))
        if optional:
            # Placed at the end of the steps so far: TRY and END name places within it.
            begin = len(steps)
            own[0] = (TRY, own[0][1] + begin, 0)
            own[-1] = (END, own[-1][1] + begin, 0)
        steps.extend(own)


def _emit_ref(ref: ImportRef, package: str | None, steps: list[Step]) -> None:
    line = ref.line
    base = ref.module
    if ref.level:
        if not package:
            steps.append((FAIL, "attempted relative import with no known parent package", line))
            return
        try:
            base = absolute_name("." * ref.level + ref.module, package)
        except InvalidName as exc:
            steps.append((FAIL, str(exc), line))
            return
    if not base or base in _ALWAYS_LOADED:
        return
    start = 0
    while True:
        dot = base.find(".", start)
        if dot == -1:
            break
        steps.append((LOAD, base[:dot], line))
        start = dot + 1
    steps.append((LOAD, base, line))
    if ref.name is None:
        return
    if ref.name == "*":
        steps.append((STAR, base, line))
    else:
        steps.append((FROM, f"{base}.{ref.name}", line))
