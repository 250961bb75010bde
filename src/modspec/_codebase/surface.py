"""The import surface of a code base: what its files import, and what each import would get."""

from __future__ import annotations

import enum
import functools
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import reduce

from .._aliases import SET_BY_PARENT
from .._bytecode import BytecodeStatus
from .._editable import EditableFinder, live_editables
from .._environment import EnvironmentPath, program_path
from .._gcpause import gc_paused
from .._records import NamedTuple, field, frozen_record, record, replace
from .._resolver import InvalidName, Resolver, absolute_name, path_entries
from .._spec import Kind, Spec
from .branches import inactive
from .conditions import Target
from .config import Root, find_project, load_root
from .dependencies import Declared, DependencyFinding, Installed, Site, check
from .extract import Guard, ImportRef
from .extract_cache import extract_with_cache
from .findings import Finding
from .silence import Silencer
from .sources import Skipped, SourceFile, source_files

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Category",
    "Collected",
    "Finding",
    "ImportSite",
    "LongName",
    "Shadowing",
    "Surface",
    "TopLevel",
    "UnresolvedImport",
    "Walked",
    "branched",
    "category_of",
    "classify",
    "collect",
    "scan",
    "surface",
    "timed",
    "walk",
]


class Category(enum.Enum):
    """Where an imported module comes from; the first rule that holds, in this order."""

    BUILTIN = "builtin"  # built into the interpreter, or frozen into it
    FIRST_PARTY = "first-party"  # its origin lies under one of the roots
    NAMESPACE = "namespace"  # a PEP 420 namespace package: directories, no code
    STDLIB = "stdlib"  # its top-level name is in sys.stdlib_module_names
    THIRD_PARTY = "third-party"  # found anywhere else on the path
    UNRESOLVED = "unresolved"

    # Members are singletons compared by identity: hashed by it too, in C. Enum's own hash
    # is Python code, run per edge where a graph keys anything by category.
    __hash__ = object.__hash__


class ImportSite(NamedTuple):
    """One imported name in one file (a tuple: a large code base makes millions)."""

    path: str
    line: int
    guard: Guard
    statement: str  # "import" or "from"
    condition: tuple[tuple[str, bool], ...] = ()  # ImportRef.condition
    choice: tuple[tuple[int, int], ...] = ()  # ImportRef.choice


@frozen_record
class UnresolvedImport:
    """An import that would raise ImportError, where, and why."""

    name: str  # what would be imported, absolute where it could be made absolute
    site: ImportSite
    reason: str  # modspec.Reason's value, or "relative_import" for one outside any package
    detail: str
    # Why the import does not run for the target (a condition false there, a handler whose
    # try takes another alternative): then no finding. None: it runs.
    inactive: str | None = None
    # What silences it (an `ignore` pattern, a `# modspec: ignore` comment): then no finding.
    silenced: str | None = None

    @property
    def rule(self) -> Finding:
        """The finding it is: unresolved, or unresolved-optional in a try/except ImportError."""
        optional = self.site.guard & Guard.OPTIONAL
        return Finding.UNRESOLVED_OPTIONAL if optional else Finding.UNRESOLVED


class LongName(NamedTuple):
    """An imported name too long to be any module's: reported, never handed to the resolver."""

    name: str  # absolute where it could be made so
    site: ImportSite


@frozen_record
class Shadowing:
    """A top-level name that more than one place provides; only ``winner`` is imported."""

    name: str
    winner: str  # the origin (or first location) that the import gets, or "built-in"/"frozen"
    hidden: tuple[str, ...]  # origins of the same name that the import never reaches
    first_party: bool  # a first-party module is the winner or among the hidden ones
    silenced: str | None = None  # the `ignore` pattern that covers it: then no finding


@frozen_record
class TopLevel:
    """A top-level package (or module) the code base imports from."""

    name: str
    category: Category
    importing_files: int  # files importing it or anything under it
    modules: int  # distinct modules imported under it
    source_bytes: int  # sum of those modules' origin sizes, where the origin is Python source
    extension_bytes: int = 0  # ... where it is an extension module (a compiled binary)


@record
class Surface:
    """The report ``surface`` builds. Timings are seconds per phase."""

    roots: tuple[Root, ...]
    path: tuple[str, ...]
    backend: str  # the core that resolved ("cython" or "python") and scanned
    target: Target  # the interpreter whose platform and version tests are decided
    files: int = 0
    statements: int = 0  # import statements: distinct (file, line) pairs
    imports: int = 0  # imported names: ``import a, b`` counts two
    unparsable: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # what the walk could not read
    long_names: list[LongName] = field(default_factory=list)  # imported, never resolved
    fast_files: int = 0  # files the fast scanner read; the rest went through ast
    modules: dict[str, Spec | None] = field(default_factory=dict)  # every target, resolved
    categories: dict[str, Category] = field(default_factory=dict)
    distributions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # third-party only
    importers: dict[str, int] = field(default_factory=dict)  # files importing each target
    # The guards every import of a target shares: Guard.TYPE_CHECKING means it is imported
    # for type checkers only, Guard.DEFERRED only inside functions, NONE somewhere plainly.
    guards: dict[str, Guard] = field(default_factory=dict)
    top_levels: list[TopLevel] = field(default_factory=list)
    unresolved: list[UnresolvedImport] = field(default_factory=list)
    shadowing: list[Shadowing] = field(default_factory=list)
    bytecode: dict[str, BytecodeStatus] = field(default_factory=dict)
    # First-party modules whose bytecode findings an `ignore` pattern silences, and by what.
    silenced_bytecode: dict[str, str] = field(default_factory=dict)
    silenced: dict[DependencyFinding, str] = field(default_factory=dict)  # dependency findings
    # The project's declared dependencies (None: no pyproject.toml with [project] at or
    # above the first root), the distributions on the path, and the findings they make.
    project: Declared | None = None
    installed: Installed | None = None
    dependencies: list[DependencyFinding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def findings(self) -> dict[Finding, int]:
        """How many of each finding the scan made (silenced ones and imports that do not
        run for the target left out)."""
        active = Counter(
            u.rule for u in self.unresolved if u.inactive is None and u.silenced is None
        )
        first_party_bytecode = Counter(
            status
            for name, status in self.bytecode.items()
            if self.categories.get(name) is Category.FIRST_PARTY
            and name not in self.silenced_bytecode
        )
        shadowing = [s for s in self.shadowing if s.silenced is None]
        dependency = Counter(f.rule for f in self.dependencies if f not in self.silenced)
        return {
            Finding.UNRESOLVED: active[Finding.UNRESOLVED],
            Finding.UNRESOLVED_OPTIONAL: active[Finding.UNRESOLVED_OPTIONAL],
            Finding.SHADOWED: sum(1 for s in shadowing if s.first_party),
            Finding.DUPLICATE: sum(1 for s in shadowing if not s.first_party),
            Finding.STALE_BYTECODE: first_party_bytecode[BytecodeStatus.STALE],
            Finding.MISSING_BYTECODE: first_party_bytecode[BytecodeStatus.MISSING],
            Finding.UNPARSABLE: len(self.unparsable),
            Finding.SKIPPED: len(self.skipped),
            Finding.NAME_TOO_LONG: len(self.long_names),
            **{rule: dependency[rule] for rule in _DEPENDENCY_RULES},
        }


# os.py puts its path module into sys.modules as "os.path" when it runs (_aliases): such a
# name gets the module it stands for.
_SET_BY_PARENT = {name: gets for name, (_, gets) in SET_BY_PARENT.items()}
_ALL = Guard.TYPE_CHECKING | Guard.OPTIONAL | Guard.DEFERRED
# Past these an imported name is no module anyone named (the longest in site-packages are
# some 150 characters and 12 parts): a finding, not work for the resolver.
MAX_NAME_LENGTH = 1000
MAX_NAME_PARTS = 200
_IMPORT, _FROM = "import", "from"


def _too_long(name: str) -> bool:
    return len(name) > MAX_NAME_LENGTH or name.count(".") >= MAX_NAME_PARTS


def _targets(ref: ImportRef, package: str | None) -> tuple[str, ...] | str:
    """The names an import may get, most specific first; or why it cannot be made absolute."""
    if ref.level:
        if not package:
            return "attempted relative import with no known parent package"
        try:
            base = absolute_name("." * ref.level + ref.module, package)
        except InvalidName as exc:
            return str(exc)
    else:
        base = ref.module
    if ref.name is None or ref.name == "*":
        return (base,)
    # `from a import b`: the submodule a.b if there is one, else an attribute of a.
    return (f"{base}.{ref.name}", base)


def _site_key(ref: ImportRef, package: str | None) -> tuple[str, ...] | str | None:
    """What an import's sites are grouped by: the names it may get (``_targets``), or a
    string holding why it cannot be made absolute; None for an import of ``__main__``."""
    targets = _targets(ref, package)
    if isinstance(targets, str):
        # Kept apart: no name to resolve, only the reason it is not one.
        # One row per statement: `from . import a, b` misses the package, not a and b.
        return f"\0{'.' * ref.level}{ref.module}\0{targets}"
    if targets[-1] == "__main__":
        return None  # the running program, always in sys.modules: no file on the path
    return targets


def _under(path: str | None, roots: Sequence[str]) -> bool:
    return path is not None and path.startswith(_prefixes(tuple(roots)))


@functools.lru_cache(maxsize=64)
def _prefixes(roots: tuple[str, ...]) -> tuple[str, ...]:
    # str.startswith takes them all at once, in C: a large graph asks for every module.
    return tuple(root + os.sep for root in roots)


def category_of(spec: Spec | None, roots: Sequence[str]) -> Category:
    """The category of a module with this spec, for a code base with these roots."""
    if spec is None:
        return Category.UNRESOLVED
    if spec.kind in (Kind.BUILTIN, Kind.FROZEN):
        return Category.BUILTIN
    if spec.kind is Kind.NAMESPACE:
        return Category.NAMESPACE
    if _under(spec.origin, roots):
        return Category.FIRST_PARTY
    if spec.name.partition(".")[0] in sys.stdlib_module_names or _shipped(spec.origin):
        return Category.STDLIB
    return Category.THIRD_PARTY


@functools.lru_cache(maxsize=1)
def _interpreter_dirs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The directories this interpreter ships modules in (its standard library, lib-dynload)
    and those it installs distributions into (site-packages), which lie below them."""
    import sysconfig

    paths = sysconfig.get_paths()
    shipped = {paths[key] for key in ("stdlib", "platstdlib") if key in paths}
    installed = {paths[key] for key in ("purelib", "platlib") if key in paths}
    return tuple(sorted(shipped)), tuple(sorted(installed))


def _shipped(origin: str | None) -> bool:
    # _testcapi, xxlimited, test.support: not in sys.stdlib_module_names, yet they come with
    # the interpreter, in its own directories.
    if origin is None:
        return False
    shipped, installed = _interpreter_dirs()
    return _under(origin, shipped) and not _under(origin, installed)


def _where(spec: Spec) -> str:
    if spec.origin is not None and spec.has_location:
        return spec.origin
    if spec.kind is Kind.NAMESPACE and spec.submodule_search_locations:
        return spec.submodule_search_locations[0]
    return spec.kind.value


def _same_file(one: str | None, other: str) -> bool:
    return one is not None and os.path.realpath(one) == os.path.realpath(other)


def _shadowing(
    names: Iterable[str],
    first_party: dict[str, str],
    path: Sequence[str],
    resolver: Resolver,
    roots: Sequence[str],
    known: dict[str, Spec | None],
) -> list[Shadowing]:
    """Top-level names that two or more path entries provide, and first-party top-level
    modules (``first_party``: name to file) that a built-in or frozen module hides.
    ``known`` holds the answers the resolver already gave."""
    names = sorted(set(names) | set(first_party))
    providers: dict[str, list[str]] = defaultdict(list)
    for entry in path:
        # One entry at a time: which of them holds a module or a regular package of that name.
        for name, spec in Resolver([entry], backend=resolver.backend).resolve_many(names).items():
            if spec is not None and spec.kind not in (Kind.NAMESPACE, Kind.BUILTIN, Kind.FROZEN):
                providers[name].append(_where(spec))
    unknown = resolver.resolve_many(n for n in names if n not in known)
    result = []
    for name in names:
        spec = known[name] if name in known else unknown[name]
        if spec is None:
            continue
        if spec.kind in (Kind.BUILTIN, Kind.FROZEN):
            # The per-entry answers above are the built-in's too: the file is never reached,
            # unless it is the very source the stdlib module was frozen from.
            source = spec.module_info().file if spec.kind is Kind.FROZEN else None
            if name in first_party and not _same_file(source, first_party[name]):
                result.append(Shadowing(name, spec.kind.value, (first_party[name],), True))
            continue
        winner = _where(spec)
        hidden = tuple(p for p in dict.fromkeys(providers.get(name, ())) if p != winner)
        if hidden:
            involved = any(_under(p, roots) for p in (winner, *hidden))
            result.append(Shadowing(name, winner, hidden, involved))
    return result


# An import's sites, by what they are grouped by (_site_key).
Sites = dict[tuple[str, ...] | str, list[ImportSite]]


def surface(
    roots: Sequence[str],
    *,
    path: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    gitignore: bool | None = None,
    workers: int | None = None,
    backend: str | None = None,
    environment: EnvironmentPath | None = None,
    editables: Iterable[EditableFinder] | None = None,
    legacy_namespaces: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    target: Target | None = None,
    config: str | None = None,
    cache: str | None = None,
) -> Surface:
    """Walks the roots' ``.py`` files, extracts their imports statically, resolves every
    distinct target in one batch and classifies it. The search path is the roots' source
    directories, then ``sys.path`` (less the entry of the program running modspec:
    ``program_path``) with this interpreter's editable hooks, or the
    ``environment``'s entries with its hooks; ``path`` replaces all of that (with no hooks,
    unless ``editables`` are given). ``legacy_namespaces`` is ``Resolver``'s option.
    ``progress(phase, done, total)`` is called as files are scanned. Imports under platform
    and version tests, and in try/except ImportError handlers, are decided for ``target``
    (default: this interpreter). Each root's settings come from ``config`` (a pyproject.toml)
    or else the nearest pyproject.toml with a [tool.modspec] table at or above it. ``cache``:
    the directory whose stores spare the scan of unchanged files (None: every file is read).
    Nothing under the roots is imported or run."""
    return surveyed(
        roots,
        path=path,
        exclude=exclude,
        gitignore=gitignore,
        workers=workers,
        backend=backend,
        environment=environment,
        editables=editables,
        legacy_namespaces=legacy_namespaces,
        progress=progress,
        target=target,
        config=config,
        cache=cache,
    ).report


def surveyed(roots: Sequence[str], **options: Any) -> Collected:
    """``surface``'s work (its options are ``surface``'s) with what its scan read, from which
    the import graph is made: the classified report is the result's ``report``."""
    timings: dict[str, float] = {}
    with timed(timings, "total"), gc_paused():
        found = collect(roots, timings, **options)
        classify(found)
    return found


def classify(found: Collected) -> None:
    """The phases of ``surface`` after ``collect``: each import's target or why it has
    none, the bytecode, the dependency checks and what is silenced, into ``found.report``."""
    report, resolver, timings = found.report, found.resolver, found.report.timings
    with timed(timings, "classify"):
        _classify(report, found)
    with timed(timings, "bytecode"):
        report.bytecode = resolver.bytecode_status(report.modules.values())
    if report.project is not None and report.installed is not None:
        with timed(timings, "dependencies"):
            report.dependencies = check(
                report.project, report.installed, _third_party_sites(report, found)
            )
    _silence(report, found.marked)


_DEPENDENCY_RULES = (
    Finding.UNDECLARED_DEPENDENCY,
    Finding.TRANSITIVE_DEPENDENCY,
    Finding.UNUSED_DEPENDENCY,
    Finding.DEV_DEPENDENCY_IN_CODE,
)


def _third_party_sites(report: Surface, found: Collected) -> Iterator[Site]:
    """(top-level name, file, line, guard) of each third-party import that runs."""
    off = found.inactive
    for key, where in found.sites.items():
        if not isinstance(key, tuple):
            continue
        target = next((name for name in key if found.specs.get(name) is not None), None)
        if target is None or report.categories.get(target) is not Category.THIRD_PARTY:
            continue
        top = target.partition(".")[0]
        yield from ((top, s.path, s.line, s.guard) for s in where if s not in off)


def _silence(report: Surface, marked: frozenset[str]) -> None:
    """Marks the findings that `ignore` patterns and `# modspec: ignore` comments (in the
    ``marked`` files only: no other file can hold one) cover."""
    silencer = Silencer((pattern for root in report.roots for pattern in root.ignore), marked)
    unresolved = []
    for u in report.unresolved:
        if u.inactive is None:
            why = silencer.finding(u.name, u.site.path, u.site.line, u.rule.value)
            if why is not None:
                u = replace(u, silenced=why)
        unresolved.append(u)
    report.unresolved = unresolved
    report.shadowing = [
        s if (why := silencer.by_pattern(s.name)) is None else replace(s, silenced=why)
        for s in report.shadowing
    ]
    for name in report.bytecode:
        why = silencer.by_pattern(name)
        if why is not None:
            report.silenced_bytecode[name] = why
    for finding in report.dependencies:
        name = finding.module or finding.distribution
        why = silencer.finding(name, finding.file, finding.line, finding.rule.value)
        why = why or silencer.by_pattern(finding.distribution)
        if why is not None:
            report.silenced[finding] = why


class Collected(NamedTuple):
    """What the first phases make of a code base: its files, their imports, the answers."""

    report: Surface  # counts, unparsable files and timings so far
    files: dict[str, SourceFile]  # by path, in walk order
    sites: Sites  # every import, grouped by the names it may get
    specs: dict[str, Spec | None]  # the answer for each of those names
    resolver: Resolver
    # The sites that do not run for the report's target, with why (branches.inactive).
    inactive: Mapping[ImportSite, str]
    # The files that may hold a `# modspec: ignore` comment (FileImports.marked).
    marked: frozenset[str]


class Walked(NamedTuple):
    """Where a scan starts: the report with the roots' settings and the search path, the
    resolver over that path, and the files the walk found."""

    report: Surface
    files: dict[str, SourceFile]  # by path, in walk order
    resolver: Resolver
    backend: str | None  # as asked for (None: the default), for the scanner


def walk(
    roots: Sequence[str],
    timings: dict[str, float],
    *,
    path: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    gitignore: bool | None = None,
    backend: str | None = None,
    environment: EnvironmentPath | None = None,
    editables: Iterable[EditableFinder] | None = None,
    legacy_namespaces: bool = False,
    target: Target | None = None,
    config: str | None = None,
) -> Walked:
    """The first phase of ``collect`` (the options are ``surface``'s): the roots' settings,
    the search path, and the walk, timed into ``timings``."""
    loaded = tuple(load_root(root, exclude, gitignore, config) for root in roots)
    searched, hooks = _search_path(loaded, path, environment, editables)
    resolver = Resolver(
        searched, backend=backend, editables=hooks, legacy_namespaces=legacy_namespaces
    )
    report = Surface(
        project=find_project(loaded[0].path) if loaded else None,
        roots=loaded,
        path=tuple(searched),
        backend=resolver.backend,
        target=Target.current() if target is None else target,
        timings=timings,
    )
    with timed(timings, "walk"):
        files = _walk(report)
    return Walked(report, files, resolver, backend)


def scan(
    walked: Walked,
    *,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    cache: str | None = None,
) -> Collected:
    """The rest of ``collect``: the walked files' imports extracted (``cache``: the
    directory whose stores spare the scan of unchanged files) and resolved in one batch."""
    report, files, resolver = walked.report, walked.files, walked.resolver
    timings = report.timings
    # "scan" names the extraction phase in the JSON and the progress line: kept as it was.
    marked: set[str] = set()
    with timed(timings, "scan"):
        sites = _extract(report, files, workers, walked.backend, progress, cache, marked)
    with timed(timings, "resolve"):
        specs = _resolve(sites, resolver)
    off = inactive(branched(sites, specs), report.target)
    return Collected(report, files, sites, specs, resolver, off, frozenset(marked))


def collect(
    roots: Sequence[str],
    timings: dict[str, float],
    *,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    cache: str | None = None,
    **options: Any,
) -> Collected:
    """The walk, the extraction and the one resolve batch that ``surface`` and the import
    graph share (their options are ``surface``'s), each phase timed into ``timings``."""
    walked = walk(roots, timings, **options)
    return scan(walked, workers=workers, progress=progress, cache=cache)


@contextmanager
def timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    """Records the seconds the block took as ``timings[phase]``."""
    start = time.perf_counter()
    yield
    timings[phase] = time.perf_counter() - start


def _search_path(
    roots: Sequence[Root],
    path: Sequence[str] | None,
    environment: EnvironmentPath | None,
    editables: Iterable[EditableFinder] | None,
) -> tuple[list[str], Iterable[EditableFinder]]:
    """The path to search and the editable hooks on it, as ``surface`` documents them."""
    if path is not None:
        path_entries(path)  # a str is refused, not taken one character per entry
        return list(path), () if editables is None else editables
    if environment is None:
        entries = program_path()
        hooks: Iterable[EditableFinder] = live_editables()
    else:
        entries, hooks = list(environment.entries), environment.editables
    source_dirs = [d for root in roots for d in root.source_dirs]
    searched = list(dict.fromkeys([*source_dirs, *entries]))
    return searched, hooks if editables is None else editables


def _walk(report: Surface) -> dict[str, SourceFile]:
    """The roots' source files, each once (roots may nest), in walk order."""
    files: dict[str, SourceFile] = {}
    for root in report.roots:
        for source in source_files(root, report.skipped):
            files.setdefault(source.path, source)
    # Nested roots walk the same directories: each path said once.
    report.skipped = sorted(set(report.skipped))
    report.files = len(files)
    return files


def _extract(
    report: Surface,
    files: dict[str, SourceFile],
    workers: int | None,
    backend: str | None,
    progress: Callable[[str, int, int], None] | None,
    cache: str | None,
    marked: set[str],
) -> Sites:
    """Every file's imports, grouped by what they may import; counts go into ``report``, the
    files that may hold a `# modspec: ignore` comment into ``marked``."""
    sites: Sites = defaultdict(list)
    # A code base repeats its imports (`import os` in thousands of files): each spelling is
    # made absolute, checked and hashed into ``sites`` once. A relative one depends on its
    # file's package, an absolute one on nothing else.
    groups: dict[tuple[int, str, str | None, str | None], _Group] = {}
    new = tuple.__new__
    extracted = extract_with_cache(
        list(files.values()), directory=cache, workers=workers, backend=backend
    )
    for done, file_imports in enumerate(extracted, 1):
        if progress is not None:
            progress("scan", done, report.files)
        imports = file_imports.imports
        if imports is None:
            report.unparsable.append((file_imports.path, file_imports.error or "unreadable"))
            continue
        report.fast_files += file_imports.fast
        path = file_imports.path
        if file_imports.marked:
            marked.add(path)
        package = files[path].package
        for ref in imports:
            line, level, module, name, guard, condition, choice = ref
            spelling = (level, module, name, package if level else None)
            group = groups.get(spelling)
            if group is None:
                group = groups[spelling] = _group(ref, package, sites)
            key, where = group
            if key is None:
                continue  # an import of __main__
            statement = _IMPORT if name is None else _FROM
            site = new(ImportSite, (path, line, guard, statement, condition, choice))
            if where is not None:
                where.append(site)
            elif isinstance(key, tuple):  # a name too long to resolve
                report.long_names.append(LongName(key[0], site))
        report.imports += len(imports)
        report.statements += len({ref.line for ref in imports})
    report.unparsable.sort()
    return sites


# (the key of ``sites``, the list of its sites): the list is None for a name too long to
# resolve (the key then holds it) and for an import of __main__ (the key is None).
_Group = tuple[tuple[str, ...] | str | None, list[ImportSite] | None]


def _group(ref: ImportRef, package: str | None, sites: Sites) -> _Group:
    key = _site_key(ref, package)
    if key is None or (isinstance(key, tuple) and _too_long(key[0])):
        return key, None
    return key, sites[key]


def _resolve(sites: Sites, resolver: Resolver) -> dict[str, Spec | None]:
    """Every name the imports may get, and their top levels, resolved in one batch."""
    wanted = {name for key in sites if isinstance(key, tuple) for name in key}
    # Top-level names too, in the same batch: a package's category is its top level's.
    wanted |= {name.partition(".")[0] for name in wanted}
    wanted |= {_SET_BY_PARENT[name] for name in wanted if name in _SET_BY_PARENT}
    found = resolver.resolve_many(sorted(wanted))
    for name, stands_in in _SET_BY_PARENT.items():
        if name in found and found[name] is None and found[name.rpartition(".")[0]] is not None:
            found[name] = found[stands_in]
    return found


def _classify(report: Surface, collected: Collected) -> None:
    """Each import's target or why it has none, then the targets' categories, top levels
    and shadowing, into ``report``."""
    files, found, resolver = collected.files, collected.specs, collected.resolver
    root_paths = [root.path for root in report.roots]
    importing = _match(report, collected)
    report.categories = {
        name: category_of(spec, root_paths) for name, spec in report.modules.items()
    }
    _rank(report, importing, found, root_paths)
    first_party = {
        source.module: source.path
        for source in files.values()
        if source.module and "." not in source.module
    }
    report.shadowing = _shadowing(
        {name.partition(".")[0] for name in report.modules},
        first_party,
        report.path,
        resolver,
        root_paths,
        found,
    )


def _match(report: Surface, collected: Collected) -> dict[str, set[str]]:
    """The files importing each target; fills the report's unresolved imports, modules,
    importers and guards."""
    sites, found, resolver, off = (
        collected.sites,
        collected.specs,
        collected.resolver,
        collected.inactive,
    )
    importing: dict[str, set[str]] = defaultdict(set)
    why: dict[str, tuple[str, str]] = {}
    guards: dict[str, Guard] = {}
    for key, where in sites.items():
        if isinstance(key, str):
            _, written, detail = key.split("\0")
            report.unresolved.extend(
                UnresolvedImport(written, site, "relative_import", detail, off.get(site))
                for site in where
            )
            continue
        target = next((name for name in key if found[name] is not None), None)
        if target is None:
            missing = key[-1]
            if missing not in why:
                explanation = resolver.explain(missing)
                why[missing] = (explanation.reason.value, explanation.detail)
            reason, detail = why[missing]
            report.unresolved.extend(
                UnresolvedImport(missing, s, reason, detail, off.get(s)) for s in where
            )
            continue
        importing[target].update(site.path for site in where)
        # int.__and__: Guard's own & runs Python code, a million times on a large code base.
        start: int = guards.get(target, _ALL)
        guards[target] = Guard(reduce(int.__and__, (site.guard for site in where), start))
    # `from missing import a, b`: one unresolved import of `missing` at that line, not two.
    unique = {(u.name, u.site.path, u.site.line): u for u in reversed(report.unresolved)}
    report.unresolved = sorted(unique.values(), key=lambda u: (u.site.path, u.site.line, u.name))
    report.modules = {name: found[name] for name in sorted(importing)}
    report.importers = {name: len(paths) for name, paths in sorted(importing.items())}
    report.guards = {name: guards[name] for name in report.modules}
    return importing


def branched(
    sites: Sites, found: dict[str, Spec | None]
) -> Iterator[tuple[list[ImportSite], bool]]:
    """Each group's sites that may not run (under a condition, or in a try) with whether
    its import resolves, for ``branches.inactive``."""
    for key, where in sites.items():
        branching = [site for site in where if site.condition or site.choice]
        if branching:
            resolves = isinstance(key, tuple) and any(found.get(n) is not None for n in key)
            yield branching, resolves


def _rank(
    report: Surface,
    importing: dict[str, set[str]],
    found: dict[str, Spec | None],
    roots: Sequence[str],
) -> None:
    by_top: dict[str, list[str]] = defaultdict(list)
    for name in report.modules:
        by_top[name.partition(".")[0]].append(name)
    categories = {top: category_of(found[top], roots) for top in by_top}
    third_party = any(category is Category.THIRD_PARTY for category in categories.values())
    if third_party or report.project is not None:
        report.installed = Installed.on(report.path)
    for top, names in by_top.items():
        category = categories[top]
        if category is Category.THIRD_PARTY and report.installed is not None:
            report.distributions[top] = report.installed.providers.get(top, ())
        files: set[str] = set()
        sizes: Counter[Kind] = Counter()
        for name in names:
            files |= importing[name]
            spec = report.modules[name]
            if spec is not None and spec.origin_stat is not None:
                sizes[spec.kind] += spec.origin_stat.size
        report.top_levels.append(
            TopLevel(
                top,
                category,
                len(files),
                len(names),
                sizes[Kind.SOURCE],
                sizes[Kind.EXTENSION],
            )
        )
    report.top_levels.sort(key=lambda t: (-t.importing_files, t.name))
