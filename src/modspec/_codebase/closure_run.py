"""The machine that runs the steps of closure_program as the import system would run the
modules' code: depth first, each module once (sys.modules), a failed import unwinding to the
nearest try/except ImportError and taking the failed modules out of sys.modules.

It keeps no Python recursion: a stack of frames, one per module whose code is running (and
one per piece of code run without a module of its own), so a chain of imports as deep as
the code base has never exhausts the interpreter's stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._aliases import SET_BY_PARENT
from .._spec import Spec
from .closure_dynamic import DynamicSite
from .closure_load import Loader
from .closure_program import BRANCH, END, EXEC, FAIL, FROM, LOAD, STAR, TRY, Step, compile_steps
from .conditions import Target

__all__ = ["FailedImport", "Machine", "Step", "Via"]


class Via(NamedTuple):
    """Where an import statement is: the importing module (None: code of no module, as a root's
    line), its file, the line (0: no statement, as for a root)."""

    importer: str | None
    file: str | None
    line: int


class FailedImport(NamedTuple):
    """An import that raised ImportError when it ran."""

    name: str  # what was asked for
    site: Via
    reason: str  # "not found", or why it raises whatever the path holds
    # A try/except ImportError took it (its importers up to there failed with it). False:
    # nothing would take it, so `import ROOT` itself would raise; the machine takes the
    # statement as in a branch not run instead.
    handled: bool


class _Frame:
    """A piece of code being run: a module's (``owned``), or steps run on behalf of one
    (a star import's names) or of none (a .pth line)."""

    __slots__ = ("file", "handlers", "module", "owned", "pc", "steps")

    def __init__(self, module: str | None, file: str | None, steps: list[Step], owned: bool):
        self.module = module
        self.file = file
        self.steps = steps
        self.owned = owned
        self.pc = 0
        self.handlers: list[int] = []


class Machine:
    """Runs imports over one Loader, keeping sys.modules between runs."""

    def __init__(
        self,
        loader: Loader,
        target: Target,
        extra: Callable[[str], Sequence[Step]] | None = None,
    ) -> None:
        self.loader = loader
        self.target = target
        self.extra = extra  # steps to run at the end of a module's own (site's main())
        self.loaded: dict[str, Spec] = {}  # sys.modules, by the order modules started
        self.completed: list[str] = []  # modules in the order their code finished
        self.via: dict[str, Via | None] = {}  # the statement that loaded each
        self.depth: dict[str, int] = {}  # how many modules' code was running when each started
        # (importer, imported, file, line) of each statement that ran
        self.edges: list[tuple[str | None, str, str | None, int]] = []
        self.failures: list[FailedImport] = []
        self.failed: list[str] = []  # modules whose code raised, in order
        self.sites: list[tuple[str, str | None, DynamicSite]] = []  # (module, file, site)
        self._steps: dict[str, list[Step]] = {}
        self._branches: dict[tuple[str, ...], bool] = {}

    def steps(self, name: str) -> list[Step]:
        """The steps of the module ``name``'s code (it resolves)."""
        if name not in self._steps:
            code = self.loader.code(name)
            if not code.compiles:
                steps: list[Step] = [(FAIL, code.error or "does not compile", 0)]
            else:
                steps = compile_steps(code.refs, code.dynamic, code.package, self.target)
            extra = () if self.extra is None else self.extra(name)
            if extra:
                steps.append((EXEC, None, list(extra)))
            self._steps[name] = steps
        return self._steps[name]

    def preload(self, names: Sequence[str]) -> None:
        """Puts the modules ``names`` in sys.modules as set up, their code not run (the
        interpreter's start-up makes them so); a name that does not resolve is passed over."""
        for name in names:
            spec = self.loader.spec(name)
            if spec is not None and name not in self.loaded:
                self.loaded[name] = spec
                self.completed.append(name)
                self.via[name] = None
                self.depth[name] = 0

    def run(self, steps: list[Step], file: str | None = None) -> bool:
        """Runs ``steps`` as code of no module (a root's import, say); False where an import
        raised out of them."""
        frames = [_Frame(None, file, steps, False)]
        loaded = self.loaded
        spec_of = self.loader.spec
        edges = self.edges
        while frames:
            frame = frames[-1]
            code = frame.steps
            pc = frame.pc
            if pc >= len(code):
                frames.pop()
                if frame.owned:
                    self.completed.append(str(frame.module))
                continue
            step = code[pc]
            frame.pc = pc + 1
            op = step[0]
            if op in (LOAD, FROM):
                name: str = step[1]
                if name in loaded:
                    edges.append((frame.module, name, frame.file, step[2]))
                    continue
                spec = spec_of(name)
                if spec is None:
                    if op == FROM:
                        continue  # an attribute, not a submodule
                    setter = SET_BY_PARENT.get(name)
                    if setter is not None and setter[0] in loaded:
                        continue  # os.path: os put it in sys.modules
                    site = Via(frame.module, frame.file, step[2])
                    if not self._raise(frames, FailedImport(name, site, "not found", True), True):
                        return False
                    continue
                edges.append((frame.module, name, frame.file, step[2]))
                self._start(frames, name, spec, Via(frame.module, frame.file, step[2]))
            elif op == BRANCH:
                if not self._runs(step[1]):
                    frame.pc += step[2]
            elif op == TRY:
                frame.handlers.append(step[1])
            elif op == END:
                frame.handlers.pop()
                frame.pc = step[1]
            elif op == STAR:
                self._star(frames, frame, step[1], step[2])
            elif op == FAIL:
                site = Via(frame.module, frame.file, step[2])
                # A module that does not compile raises whatever else holds; a relative
                # import beyond the top is a statement that may be in a branch not run.
                soft = step[2] != 0
                if not self._raise(
                    frames, FailedImport(str(frame.module), site, step[1], True), soft
                ):
                    return False
            elif op == EXEC:
                # Run on the module's behalf, from its file unless another is named.
                frames.append(_Frame(frame.module, step[1] or frame.file, step[2], False))
        return True

    def _runs(self, names: tuple[str, ...]) -> bool:
        """Whether an undecided branch whose own imports load ``names`` is taken as run."""
        runs = self._branches.get(names)
        if runs is None:
            spec_of = self.loader.spec
            runs = self._branches[names] = all(spec_of(name) is not None for name in names)
        return runs

    def _start(self, frames: list[_Frame], name: str, spec: Spec, site: Via) -> None:
        self.loaded[name] = spec
        self.via[name] = site if site.importer is not None or site.file is not None else None
        self.depth[name] = sum(1 for frame in frames if frame.owned)
        code = self.loader.code(name)
        if code.sites:
            self.sites.extend((name, code.file, found) for found in code.sites)
        frames.append(_Frame(name, code.file, self.steps(name), True))

    def _star(self, frames: list[_Frame], frame: _Frame, package: str, line: int) -> None:
        spec = self.loaded.get(package)
        if spec is None or not spec.is_package:
            return  # a module's names: no submodules to load
        names = self.loader.all_names(package)
        if names is None:
            text = f"from {package} import * (its __all__ is not a literal)"
            where = frame.module or package
            self.sites.append((where, frame.file, DynamicSite(line, "__all__", text)))
            return
        steps: list[Step] = [(FROM, f"{package}.{name}", line) for name in names]
        # Run on the importer's behalf: its module, file and line.
        frames.append(_Frame(frame.module, frame.file, steps, False))

    def _raise(self, frames: list[_Frame], failure: FailedImport, soft: bool) -> bool:
        """Unwinds to the innermost try/except ImportError, taking each module whose code is
        left unfinished out of sys.modules (as _load_unlocked does); False where none took
        it (the frames are then gone). A ``soft`` failure that no try would take is recorded
        and passed over: the import of the root would raise there, which static reading
        takes as a sign of a branch that does not run (a test it could not decide)."""
        if soft and not any(frame.handlers for frame in frames):
            self.failures.append(failure._replace(handled=False))
            return True
        while frames:
            frame = frames[-1]
            if frame.handlers:
                frame.pc = frame.handlers.pop()
                self.failures.append(failure)
                return True
            frames.pop()
            if frame.owned:
                module = str(frame.module)
                del self.loaded[module]
                self.failed.append(module)
        self.failures.append(failure._replace(handled=False))
        return False
