"""Explanation: why a name resolves, or which step of an import finds nothing, and why.

Everything here is static, as in the rest of modspec: the resolver's answers for the name and
each of its parents, plus listings of the directories searched for the part that failed.
Nothing is imported, and no finder other than modspec's own is called: a custom finder in
``sys.meta_path`` is only looked at, as ``inspect.getattr_static`` looks (``_static``), which
runs no code of the finder's (no ``__getattr__``, no properties, no ``__repr__``).
"""

from __future__ import annotations

import enum
import importlib.machinery
import itertools
import os
import re
import sys

from . import _config
from ._cachefile import PYCACHE
from ._editable import finder_module
from ._records import frozen_record
from ._static import static_attribute

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Protocol

    from ._editable import EditableFinder
    from ._spec import Spec

    class Resolves(Protocol):
        """What explaining asks of a resolver: its answers, and the editable hooks it was
        given."""

        @property
        def editables(self) -> Sequence[EditableFinder]: ...

        def resolve_many(self, names: Iterable[str]) -> dict[str, Spec | None]: ...


__all__ = ["Explanation", "Listings", "Reason", "Resolves", "explain"]

# Directory listings taken by explain (None: not listable), kept with the resolver's own.
Listings = dict[str, "dict[str, bool] | None"]


class Reason(enum.Enum):
    """Why ``import name`` finds what it finds, or nothing."""

    FOUND = "found"
    # '', 'a.', 'a..b': no module has an empty name part.
    INVALID_NAME = "invalid_name"
    # Nothing of that name in any location searched (nor built in or frozen, at the top).
    NOT_FOUND = "not_found"
    # No location searched is a directory or a zip archive: the path itself is the problem.
    NO_USABLE_PATH = "no_usable_path"
    # An ancestor is not found; explaining ``missing_part`` says why.
    PARENT_MISSING = "parent_missing"
    # The parent is a module: without ``__path__`` it has no submodules to search.
    PARENT_NOT_PACKAGE = "parent_not_package"
    # Only __pycache__/<name>.<tag>.pyc: CPython never imports that without its source.
    ORPHAN_BYTECODE = "orphan_bytecode"
    # A file or directory whose name differs only in case (imports match case-sensitively).
    CASE_MISMATCH = "case_mismatch"
    # Not found statically, but a finder in sys.meta_path that modspec does not run may give
    # it, or an editable install's hook that modspec cannot answer for (EditableFinder).
    CUSTOM_FINDER = "custom_finder"


@frozen_record
class Explanation:
    """What ``import name`` would find and why, or where and why it would find nothing.

    ``name`` is absolute; ``spec`` is what ``resolve`` gives. ``missing_part`` is the dotted
    prefix of ``name`` that is not found (``name`` itself, or one of its parents, or None when
    found); ``searched`` the path entries or search locations, in order, searched for that part
    (empty where none were: a name found, an invalid name, a parent that is not a package).
    ``detail`` says the same in one sentence.
    """

    name: str
    spec: Spec | None
    reason: Reason
    detail: str
    searched: tuple[str, ...]
    missing_part: str | None


# The finders of sys.meta_path that modspec mirrors; any other it only looks at.
_STANDARD_FINDERS = (
    importlib.machinery.BuiltinImporter,
    importlib.machinery.FrozenImporter,
    importlib.machinery.PathFinder,
)
# Tables of the names a finder serves: setuptools' editable finders keep MAPPING (name ->
# directory) and NAMESPACES (name -> locations) as globals of their generated module.
_NAME_TABLES = ("MAPPING", "NAMESPACES")


def explain(
    resolver: Resolves,
    fullname: str,
    path: Sequence[object],
    listings: Listings,
    config: _config.CoreConfig,
) -> Explanation:
    """Explain the absolute name ``fullname`` with ``resolver``, whose top-level search path
    is ``path`` and whose core has ``config`` (its zip hook shares the resolver's archive
    directories); ``listings`` keeps the directories listed, for the resolver's next call."""
    parts = fullname.split(".")
    if not all(parts):
        detail = f"{fullname!r} has an empty name part, and no module has an empty name"
        return Explanation(fullname, None, Reason.INVALID_NAME, detail, (), fullname)
    spec = resolver.resolve_many([fullname])[fullname]
    if spec is not None:
        return Explanation(fullname, spec, Reason.FOUND, _found(spec), (), None)
    missing, parent = _first_missing(resolver, fullname, parts)
    reason, detail, searched = _why_missing(
        missing, parent, path, resolver.editables, listings, config
    )
    if missing != fullname:
        reason, detail = _through_parent(fullname, missing, detail)
    return Explanation(fullname, None, reason, detail, searched, missing)


def _first_missing(resolver: Resolves, fullname: str, parts: list[str]) -> tuple[str, Spec | None]:
    """The first prefix of ``fullname`` (not found) that is not found, and its parent's spec."""
    # Mirrors importlib._bootstrap._find_and_load_unlocked: each parent is found first, so the
    # prefixes found are the first few, and bisection finds the first missing one, asking for
    # one prefix at a time: a list of every prefix would take memory quadratic in the parts.
    ends = list(itertools.accumulate(len(part) + 1 for part in parts))
    found, missing_at = -1, len(parts) - 1  # parts[: found + 1] is found (-1: nothing known)
    parent: Spec | None = None
    while missing_at - found > 1:
        middle = (found + missing_at) // 2
        prefix = fullname[: ends[middle] - 1]
        spec = resolver.resolve_many([prefix])[prefix]
        if spec is None:
            missing_at = middle
        else:
            found, parent = middle, spec
    return fullname[: ends[missing_at] - 1], parent


def _found(spec: Spec) -> str:
    what = "package" if spec.is_package else "module"
    where = f" at {spec.origin}" if spec.has_location else ""
    return f"found: {_a(spec.kind.value)} {what}{where}"


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _through_parent(fullname: str, missing: str, detail: str) -> _Why:
    kin = "parent" if missing == fullname.rpartition(".")[0] else "ancestor"
    return Reason.PARENT_MISSING, f"its {kin} {missing!r} is not found: {detail}"


# A reason a name is not found, and the sentence that says so.
_Why = tuple[Reason, str]


@frozen_record
class _Search:
    """The part of a name not found (``name``: ``parent_name`` + ``tail``), and where it was
    looked for: ``searched``, which ``where`` describes."""

    name: str
    parent_name: str
    tail: str
    parent: Spec | None
    searched: tuple[str, ...]
    where: str

    @classmethod
    def of(cls, missing: str, parent: Spec | None, path: Sequence[object]) -> _Search:
        parent_name, _, tail = missing.rpartition(".")
        if parent is None:
            # bytes entries are skipped, as the resolver skips them.
            searched = tuple(entry for entry in path if isinstance(entry, str))
            where = _count(len(searched), "path entry", "path entries") + " searched"
        else:
            assert parent.submodule_search_locations is not None
            searched = parent.submodule_search_locations
            where = _count(len(searched), "search location", "search locations")
            where = f"{where} of package {parent_name!r}"
        return cls(missing, parent_name, tail, parent, searched, where)


@frozen_record
class _Usable:
    """The searched locations that are listable directories (with their listings), and how
    many are neither a directory nor a zip archive."""

    directories: list[tuple[str, dict[str, bool]]]
    unusable: int

    @classmethod
    def of(
        cls, searched: tuple[str, ...], config: _config.CoreConfig, listings: Listings
    ) -> _Usable:
        directories: list[tuple[str, dict[str, bool]]] = []
        unusable = 0
        for entry in searched:
            listing = _listing(entry or ".", listings)
            if listing is not None:
                directories.append((entry, listing))
            elif not entry or config.zip_finder(entry, config) is None:
                unusable += 1
        return cls(directories, unusable)


def _why_missing(
    missing: str,
    parent: Spec | None,
    path: Sequence[object],
    editables: Sequence[EditableFinder],
    listings: Listings,
    config: _config.CoreConfig,
) -> tuple[Reason, str, tuple[str, ...]]:
    """The reason, detail and searched locations for a name whose parent (if any) is found."""
    if parent is not None and parent.submodule_search_locations is None:
        return (*_parent_not_package(missing, parent), ())
    search = _Search.of(missing, parent, path)
    # Finders modspec does not run come first: they are why the name may exist after all.
    why = _editable_unsupported(search, editables) or _custom_finder(search, editables)
    if why is None:
        usable = _Usable.of(search.searched, config, listings)
        why = (
            _no_usable_path(search, usable)
            or _orphan_bytecode(search, usable, config, listings)
            or _case_mismatch(search, usable, config)
            or _not_found(search, usable)
        )
    return (*why, search.searched)


def _parent_not_package(missing: str, parent: Spec) -> _Why:
    # Mirrors importlib._bootstrap._find_and_load_unlocked: "... is not a package".
    detail = (
        f"{missing.rpartition('.')[0]!r} is {_a(parent.kind.value)} module, not a package, so "
        f"it has no submodules to search; a module may still add names to sys.modules at run "
        f"time, as os does for os.path"
    )
    return Reason.PARENT_NOT_PACKAGE, detail


def _editable_unsupported(search: _Search, editables: Sequence[EditableFinder]) -> _Why | None:
    for editable in editables:
        key = editable.claims(search.name)
        if editable.unsupported is not None and key is not None:
            # An editable hook the resolver was given but cannot answer for.
            detail = (
                f"not found in {search.where}, but the {editable.tool} editable install "
                f"{editable.module} ({editable.file}) maps {key!r}, and modspec cannot answer "
                f"as it would: {editable.unsupported}"
            )
            return Reason.CUSTOM_FINDER, detail
    return None


def _custom_finder(search: _Search, editables: Sequence[EditableFinder]) -> _Why | None:
    answered = {editable.module for editable in editables if editable.unsupported is None}
    claim = _meta_path_claim(search.name, answered)
    if claim is None:
        return None
    finder, evidence = claim
    detail = (
        f"not found in {search.where}, but possibly provided by {finder} in sys.meta_path "
        f"({evidence}), which modspec does not run"
    )
    return Reason.CUSTOM_FINDER, detail


def _no_usable_path(search: _Search, usable: _Usable) -> _Why | None:
    searched = search.searched
    if usable.unusable != len(searched):
        return None
    if not searched:
        if search.parent is None:
            detail = "the path is empty, and no built-in or frozen module has that name"
        else:
            detail = f"package {search.parent_name!r} has no search locations"
    else:
        subject = search.where if len(searched) == 1 else f"none of {search.where}"
        verb = "is not" if len(searched) == 1 else "is"
        detail = f"{subject} {verb} a directory or a zip archive (missing, unreadable, or a file)"
    return Reason.NO_USABLE_PATH, detail


def _orphan_bytecode(
    search: _Search, usable: _Usable, config: _config.CoreConfig, listings: Listings
) -> _Why | None:
    orphan = _find_orphan(search.tail, usable.directories, config.bytecode_suffixes, listings)
    if orphan is None:
        return None
    detail = (
        f"only {orphan} exists, without the source beside its {PYCACHE}; CPython never "
        f"imports from {PYCACHE} without the source"
    )
    return Reason.ORPHAN_BYTECODE, detail


def _case_mismatch(search: _Search, usable: _Usable, config: _config.CoreConfig) -> _Why | None:
    if config.relax_case:
        return None
    suffixes = tuple(suffix for suffix, _ in config.loaders)
    near = _find_case_variant(search.tail, usable.directories, suffixes)
    if near is None:
        return None
    detail = (
        f"{near} differs from {search.tail!r} only in case, and imports match names "
        f"case-sensitively"
    )
    return Reason.CASE_MISMATCH, detail


def _not_found(search: _Search, usable: _Usable) -> _Why:
    unusable = usable.unusable
    skipped = f" ({unusable} of them missing, unreadable or a file)" if unusable else ""
    detail = f"no module or package {search.tail!r} in {search.where}{skipped}"
    if search.parent is None:
        detail += ", and none built in or frozen"
    return Reason.NOT_FOUND, detail


def _count(count: int, one: str, many: str) -> str:
    return f"the one {one}" if count == 1 else f"the {count} {many}"


def _listing(directory: str, listings: Listings) -> dict[str, bool] | None:
    """``directory``'s entries, each with whether it is a directory (symlinks followed); None
    where it cannot be listed. Kept in ``listings``: explaining many names lists each once."""
    if directory in listings:
        return listings[directory]
    try:
        with os.scandir(directory) as entries:
            listing: dict[str, bool] | None = {entry.name: _is_dir(entry) for entry in entries}
    except (OSError, ValueError):
        listing = None
    listings[directory] = listing
    return listing


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _find_orphan(
    tail: str,
    directories: list[tuple[str, dict[str, bool]]],
    suffixes: tuple[str, ...],
    listings: Listings,
) -> str | None:
    # PEP 3147: __pycache__/<name>.<cache tag>[.opt-<level>]<suffix>, whatever the tag.
    wanted = re.compile(
        rf"{re.escape(tail)}\.[^.]+(?:\.opt-[^.]*)?(?:{'|'.join(map(re.escape, suffixes))})"
    )
    for directory, listing in directories:
        if not listing.get(PYCACHE):
            continue
        cache = os.path.join(directory or ".", PYCACHE)
        # The first in name order (startswith first: it rules out nearly every name at once).
        listed = _listing(cache, listings) or ()
        matched = [n for n in listed if n.startswith(tail) and wanted.fullmatch(n)]
        if matched:
            return os.path.join(directory, PYCACHE, min(matched))
    return None


def _find_case_variant(
    tail: str, directories: list[tuple[str, dict[str, bool]]], suffixes: tuple[str, ...]
) -> str | None:
    # What FileFinder would take, were names matched without regard to case: a directory of
    # that name (a package or namespace portion), or a file with one of the loaders' suffixes.
    # The exact names are left out: present, yet not found, they are something else (a
    # broken symlink, say).
    folded = tail.casefold()
    files = {(tail + suffix).casefold() for suffix in suffixes}
    exact = {tail, *(tail + suffix for suffix in suffixes)}
    for directory, listing in directories:
        # The first in name order, found without sorting the listing (explaining the missing
        # imports of a large code base asks of each path entry many times).
        matched = [
            name
            for name, is_dir in listing.items()
            if name not in exact
            and (name.casefold() == folded if is_dir else name.casefold() in files)
        ]
        if matched:
            return os.path.join(directory, min(matched))
    return None


def _meta_path_claim(name: str, answered: set[str]) -> tuple[str, str] | None:
    """(the finder, what suggests it serves ``name``) for the first finder of the running
    process's sys.meta_path, not a standard one and not of an editable hook's module the
    resolver answers for (``answered``), that seems to serve ``name``."""
    for finder in list(sys.meta_path):
        if any(finder is standard for standard in _STANDARD_FINDERS):
            continue
        if finder_module(finder) in answered:
            continue  # the resolver answered as it would: it did not find the name either
        evidence = _claims(finder, name)
        if evidence is not None:
            # The default reprs: a finder's own __repr__ would be its code, run.
            describe = type.__repr__ if issubclass(type(finder), type) else object.__repr__
            return describe(finder), evidence
    return None


def _claims(finder: object, name: str) -> str | None:
    """What suggests ``finder`` serves ``name``, read from plain attributes, calling nothing."""
    # setuptools' editable finder: a class whose module holds MAPPING; other finders may
    # carry such a table themselves.
    holders = [finder]
    module_name = static_attribute(finder, "__module__", None)
    if type(module_name) is str:
        module = sys.modules.get(module_name)
        if module is not None:
            holders.append(module)
    for holder in holders:
        for table_name in _NAME_TABLES:
            table = static_attribute(holder, table_name, None)
            if type(table) is not dict:
                continue  # a dict subclass's methods would be its code
            for key in list(table):
                # As the editable finder matches: the name, or a name inside it.
                if type(key) is str and (name == key or name.startswith(key + ".")):
                    return f"its {table_name} names {key!r}"
    # _distutils_hack's DistutilsMetaFinder answers a name with its method spec_for_<name>.
    method = f"spec_for_{name}"
    if static_attribute(finder, method, None) is not None:
        return f"it has a method {method}"
    return None
