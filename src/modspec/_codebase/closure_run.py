"""The machine that runs the steps of closure_program as the import system would run the
modules' code: depth first, each module once (sys.modules), a failed import unwinding to the
nearest try/except ImportError and taking the failed modules out of sys.modules.

It keeps no Python recursion: a stack of frames, one per module whose code is running (and
one per piece of code run on a module's behalf), so a chain of imports as deep as the code
base has never exhausts the interpreter's stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._aliases import SET_BY_PARENT
from .._spec import Spec
from .closure_dynamic import DynamicSite, VendorHook
from .closure_load import Loader
from .closure_program import (
    ALIAS,
    BRANCH,
    END,
    EXEC,
    FAIL,
    FROM,
    LOAD,
    STAR,
    TRY,
    Step,
    compile_steps,
)
from .conditions import Target
from .extract_py import Guard, ImportRef

__all__ = ["FailedImport", "Machine", "Step", "Via"]

# Names a parent's code puts into sys.modules when it runs: os.path (_aliases), and
# importlib's two bootstrap modules, the frozen ones under their source names (a file of the
# same name is never loaded). Name -> (the module that sets it, the module it gets).
_PUT_BY_PARENT = {
    **SET_BY_PARENT,
    "importlib._bootstrap": ("importlib", "_frozen_importlib"),
    "importlib._bootstrap_external": ("importlib", "_frozen_importlib_external"),
}


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
    """A piece of code being run: a module's (``owned``), or steps run on behalf of one (a
    star import's names, site's .pth lines, what an import hook imports) or of none (a
    root's import)."""

    __slots__ = ("depth", "file", "handlers", "module", "owned", "pc", "steps")

    def __init__(
        self,
        module: str | None,
        file: str | None,
        steps: list[Step],
        owned: bool,
        below: _Frame | None = None,
    ) -> None:
        self.module = module
        self.file = file
        self.steps = steps
        self.owned = owned
        self.pc = 0
        self.handlers: list[int] = []
        # How many modules' code is running, this one's included.
        self.depth: int = (0 if below is None else below.depth) + owned


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
        # A module loaded under a name other than its spec's (a hook handed it over, or its
        # parent is such a module): the name it was found as.
        self.renamed: dict[str, str] = {}
        self.handed_over: set[str] = set()  # modules now known by another name's __spec__
        self.handed: dict[str, str] = {}  # name -> the __name__ of the module handed over
        self.hooks: list[VendorHook] = []  # the import hooks installed so far, in order

    def steps(self, name: str) -> list[Step]:
        """The steps of the module ``name``'s code (it resolves, maybe under another name)."""
        if name not in self._steps:
            real = self.renamed.get(name, name)
            code = self.loader.code(real)
            # Relative imports are relative to the name it runs under.
            package = code.package if real == name else _package_of(name, self.loader.specs[real])
            if not code.compiles:
                steps: list[Step] = [(FAIL, code.error or "does not compile", 0)]
            else:
                steps = compile_steps(code.refs, code.dynamic, package, self.target)
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
        renamed = self.renamed
        handed = self.handed
        spec_of = self.loader.spec
        edges = self.edges
        while frames:
            frame = frames[-1]
            code = frame.steps
            pc = frame.pc
            if pc >= len(code):
                frames.pop()
                if frame.owned:
                    self._finish(str(frame.module))
                continue
            step = code[pc]
            frame.pc = pc + 1
            op = step[0]
            if op in (LOAD, FROM):
                name: str = step[1]
                if name in loaded:
                    edges.append((frame.module, name, frame.file, step[2]))
                    continue
                # A submodule is searched for in its parent's __path__: where the parent
                # is another module handed over under its name, in that module's.
                parent, _, last = name.rpartition(".")
                setter = _PUT_BY_PARENT.get(name)
                if setter is not None and setter[0] in loaded:
                    continue  # its parent's code put another module there (os.path)
                if op == FROM:
                    # _handle_fromlist runs for a package only: a module's names are its own.
                    holder = loaded.get(parent)
                    if holder is None or not holder.is_package:
                        continue
                if op == FROM and parent in handed:
                    # _handle_fromlist names it after the module's own __name__.
                    name = f"{handed[parent]}.{last}"
                    parent = handed[parent]
                    if name in loaded:
                        edges.append((frame.module, name, frame.file, step[2]))
                        continue
                spec = spec_of(self.renamed[parent] + "." + last if parent in renamed else name)
                if spec is None:
                    site = Via(frame.module, frame.file, step[2])
                    hooked = self._hooked(name, site) if self.hooks else None
                    if hooked is not None:
                        frames.append(_Frame(frame.module, frame.file, hooked, False, frame))
                        continue
                    if op == FROM:
                        continue  # an attribute, not a submodule
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
                frames.append(_Frame(frame.module, step[1] or frame.file, step[2], False, frame))
            elif op == ALIAS:
                self._hand_over(step[1], step[2], frames)
        return True

    def _hooked(self, name: str, site: Via) -> list[Step] | None:
        """The steps by which an installed hook would answer ``name`` (its module imported,
        then handed over under ``name``); None where no hook answers it."""
        # Mirrors setuptools' VendorImporter._module_matches_namespace and load_module.
        for hook in self.hooks:
            root, _, target = name.partition(hook.root + ".")
            if root or not any(target.startswith(vendored) for vendored in hook.names):
                continue
            for extant in (f"{hook.vendor}.{target}", target):
                if self.loader.spec(extant) is not None:
                    steps = compile_steps(
                        [ImportRef(site.line, 0, extant, None, Guard.NONE)], (), None, self.target
                    )
                    return [*steps, (ALIAS, name, extant)]
            return [(FAIL, f"{hook.root}'s VendorImporter finds no {target}", site.line)]
        return None

    def _hand_over(self, name: str, extant: str, frames: list[_Frame]) -> None:
        """``sys.modules[name]`` becomes the module ``extant``, whose __spec__ is now name's
        (as _load_unlocked does with what a loader's create_module returns)."""
        spec = self.loaded.get(extant)
        if spec is None or name in self.loaded:
            return
        frame = frames[-1]
        self.loaded[name] = spec
        self.renamed[name] = self.renamed.get(extant, extant)
        self.handed_over.add(extant)
        self.handed[name] = extant
        self.via[name] = self.via.get(extant)
        self.depth[name] = self.depth.get(extant, 0)
        self.edges.append((frame.module, name, frame.file, 0))
        self.completed.append(name)

    def _runs(self, names: tuple[str, ...]) -> bool:
        """Whether an undecided branch whose own imports load ``names`` is taken as run."""
        runs = self._branches.get(names)
        if runs is None:
            spec_of = self.loader.spec
            runs = self._branches[names] = all(spec_of(name) is not None for name in names)
        return runs

    def _finish(self, name: str) -> None:
        self.completed.append(name)
        if self.loader.progress is not None:
            done = len(self.completed)
            self.loader.progress("load", done, max(done, len(self.loader.codes)))
        spec = self.loaded.get(name)
        if spec is not None:
            code = self.loader.codes.get(spec.name)
            if code is not None and code.hooks:
                self.hooks.extend(code.hooks)
            if code is not None and code.replaced:
                self.handed_over.add(name)  # sys.modules holds another object under its name

    def _start(self, frames: list[_Frame], name: str, spec: Spec, site: Via) -> None:
        self.loaded[name] = spec
        if spec.name != name:
            self.renamed[name] = spec.name
        self.via[name] = site if site.importer is not None or site.file is not None else None
        self.depth[name] = frames[-1].depth
        code = self.loader.code(spec.name)
        if code.sites:
            self.sites.extend((name, code.file, found) for found in code.sites)
        frames.append(_Frame(name, code.file, self.steps(name), True, frames[-1]))

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
        frames.append(_Frame(frame.module, frame.file, steps, False, frame))

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


def _package_of(name: str, spec: Spec | None) -> str | None:
    if spec is not None and spec.is_package:
        return name
    return name.rpartition(".")[0] or None
