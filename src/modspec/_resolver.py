"""Resolver: sys.meta_path's standard finders (and editable hooks) over a resolution core."""

from __future__ import annotations

import _thread
import os
import sys
from _weakrefset import WeakSet

from . import _backend, _config, _gcpause, _zipfinder
from ._gcpause import gc_paused

# _thread's locks are threading's (threading.RLock is _thread.RLock), and _weakrefset's
# WeakSet is weakref's, without the imports of threading and weakref; typing.TYPE_CHECKING
# without typing: each is a start-up cost of every command.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._bytecode import BytecodeStatus
    from ._editable import EditableFinder
    from ._explain import Explanation, Listings
    from ._spec import Spec

# _editable, _legacy, _explain and _bytecode are imported where they are first needed (live
# editable hooks, legacy namespaces, explain, bytecode_status): a Resolver over a path of its
# own resolves without them, and `from modspec import Resolver` does not pay for them.

__all__ = [
    "InvalidName",
    "Resolver",
    "bytecode_status",
    "explain",
    "program_path",
    "resolve",
    "resolve_many",
]


class InvalidName(ValueError):
    """A relative module name that cannot be made absolute (no package, or beyond the top)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r}: {reason}")
        self.name = name


def absolute_name(name: object, package: object) -> str:
    """``name`` made absolute against ``package``, as ``importlib.util.resolve_name`` does."""
    if not isinstance(name, str):
        raise TypeError(f"module name must be str, not {type(name).__name__}")
    if type(name) is not str:
        name = str.__str__(name)  # a plain str of a str subclass's value, as the cores want
    if not name.startswith("."):
        return name
    if package is None or package == "":
        raise InvalidName(name, "a relative name needs package=")
    if not isinstance(package, str):
        raise TypeError(f"package must be str, not {type(package).__name__}")
    # Mirrors importlib._bootstrap._resolve_name.
    level = len(name) - len(name.lstrip("."))
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise InvalidName(name, f"relative import beyond the top-level package of {package!r}")
    base = bits[0]
    return f"{base}.{name[level:]}" if name[level:] else base


class Resolver:
    """Resolves module names without importing them, keeping directory listings between calls.

    ``path`` replaces ``sys.path`` for top-level names (None: the live ``sys.path`` at each
    call). Listings are taken on first use and kept until ``invalidate_caches()``; the files
    they name are stat'ed afresh at each call, as FileFinder stats them at each lookup, so a
    deleted file is gone at once and ``origin_stat`` and ``cached_stat`` are current. The first
    call stats each .pyc it looks for; later calls list its ``__pycache__`` once, and keep it.
    ``backend`` picks the core: ``"cython"``, ``"python"`` or None for ``modspec.BACKEND``.

    ``editables`` are editable installs' import hooks to answer as they would (after the
    standard finders, in order): by default those this process has installed when ``path`` is
    None, and none otherwise; for another environment, ``environment_path(...).editables``.
    Hooks that modspec cannot answer for (``EditableFinder.unsupported``) are only reported,
    by ``explain``.

    ``legacy_namespaces=True`` answers as if each package's ``__init__`` had run where it
    extends its own ``__path__`` (``pkgutil.extend_path``, ``pkg_resources.declare_namespace``):
    its search locations, and so its submodules, are the extended ones. The default, False, is
    CPython's answer before any package code runs: the locations its spec gives.

    A Resolver may be shared by threads: its calls take turns, as they share its listings.
    """

    def __init__(
        self,
        path: Sequence[object] | None = None,
        *,
        backend: str | None = None,
        editables: Iterable[EditableFinder] | None = None,
        legacy_namespaces: bool = False,
    ) -> None:
        self._path = path_entries(path)
        self.backend = _backend.BACKEND if backend is None else backend
        if editables is None:
            editables = _live_editables() if path is None else ()
        self.editables: tuple[EditableFinder, ...] = tuple(editables)
        self.legacy_namespaces = legacy_namespaces
        # Shared by every zip finder of this resolver: one read of each archive's directory.
        self._zip_directories = _zipfinder.ZipDirectories()
        config = _config.current(zip_finder=self._zip_directories)
        if self.editables:
            from . import _editable

            late_finders, path_hooks = _editable.hooks(self.editables, config)
            config = config._replace(late_finders=late_finders, path_hooks=path_hooks)
        if legacy_namespaces:
            from . import _legacy

            config = config._replace(package_hook=_legacy.package_hook(self._search_path))
        self._core = _backend.core_class(self.backend)(config)
        self._explain_listings: Listings = {}
        # Reentrant: explain asks this resolver for the specs it explains. Needed as the Cython
        # core lets other threads run while it waits for its stat thread.
        self._lock = _thread.RLock()
        _LIVE.add(self)

    def invalidate_caches(self) -> None:
        """Forget every directory listing and path-entry finder (files changed on disk)."""
        with self._lock:
            self._core.invalidate_caches()
            self._zip_directories.clear()
            self._explain_listings.clear()

    def read_paths(self) -> list[str]:
        """Every directory this resolver has listed, path entry it has looked at and archive
        it has read since it was made or last invalidated: besides the files its answers
        name (their ``origin`` and ``cached``), all that its answers so far depend on. A
        cache of its answers stays valid while each of these is as it was."""
        with self._lock:
            listed = [*self._core.read_paths(), *self._explain_listings]
            return [*listed, *self._zip_directories.archives()]

    def resolve(self, name: str, *, package: str | None = None) -> Spec | None:
        """The spec ``import name`` would find, or None where no module of that name exists."""
        fullname = absolute_name(name, package)
        with self._lock:
            return self._core.find_specs({fullname: fullname}, self._search_path())[fullname]

    def resolve_many(
        self, names: Iterable[str], *, package: str | None = None
    ) -> dict[str, Spec | None]:
        """One entry per distinct name, in input order: its spec, or None."""
        if isinstance(names, str):
            # Iterating "json" would resolve "j", "s", "o", "n": surely not what was meant.
            raise TypeError("names must be an iterable of str, not a str; use resolve() for one")
        wanted: dict[str, str] = {}
        for name in names:
            # Checked before the lookup, so an unhashable non-str is still a clear TypeError.
            fullname = absolute_name(name, package)
            if name not in wanted:
                wanted[name] = fullname
        with self._lock, gc_paused():
            return self._core.find_specs(wanted, self._search_path())

    def explain(self, name: str, *, package: str | None = None) -> Explanation:
        """Why ``import name`` would find what ``resolve`` finds, or which part of the name it
        would not find, and why: see ``Explanation`` and ``Reason``. Static, as ``resolve`` is:
        this resolver's answers, plus listings of the directories searched for that part."""
        from . import _explain

        fullname = absolute_name(name, package)
        with self._lock:
            return _explain.explain(
                self, fullname, self._search_path(), self._explain_listings, self._core.config
            )

    def bytecode_status(self, specs: Iterable[Spec | None]) -> dict[str, BytecodeStatus]:
        """Whether importing each module would use its cached .pyc: one entry per distinct
        spec name, in input order (a name given twice keeps its first spec; None is skipped,
        so ``resolve_many(...).values()`` can be passed as it is).

        Decides as ``SourceLoader.get_code`` and ``SourcelessFileLoader.get_code`` of the
        running interpreter would (its magic number and ``--check-hash-based-pycs``), without
        importing: each .pyc's 16-byte header is read now, in one bulk call to the core. The
        source is judged by the spec's ``origin_stat``, not stat'ed again: resolve again if
        sources may have changed since. Only a checked hash-based .pyc makes it read the
        source, now, to hash it. ``sys.dont_write_bytecode`` changes no answer: it is about
        writing, and STALE and MISSING say a .pyc would not be used.
        """
        from . import _bytecode

        return _bytecode.bytecode_status(specs, _backend.pyc_reader(self.backend))

    def _search_path(self) -> Sequence[object]:
        return sys.path if self._path is None else self._path


# Every live Resolver, for _after_fork_in_child.
_LIVE: WeakSet[Resolver] = WeakSet()


def _after_fork_in_child() -> None:
    # A thread inside a Resolver at fork() does not exist in the child: its lock would stay
    # held for good, and its core may be mid-call (the Cython core's stat thread is gone too).
    # So each Resolver gets a fresh lock and a fresh core of its config: its listings are
    # taken again on first use.
    _gcpause.after_fork_in_child()
    for resolver in list(_LIVE):
        resolver._lock = _thread.RLock()
        resolver._core = type(resolver._core)(resolver._core.config)


os.register_at_fork(after_in_child=_after_fork_in_child)


def path_entries(path: Sequence[object] | None) -> list[object] | None:
    """``path`` as a list of entries; a str, bytes or path object is refused (TypeError):
    taken as a sequence it would be one entry per character."""
    if path is None:
        return None
    if isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            "path must be a sequence of path entries (such as a list of str), "
            f"not a {type(path).__name__}: wrap it in a list"
        )
    return list(path)


def program_path() -> list[str]:
    """This interpreter's ``sys.path`` without the entry it put first for the program now
    running (the script's directory: a console script's ``bin/``; the current directory under
    ``-m`` and ``-c``), which no other program shares; none is dropped where the interpreter
    put none there (``-P``, ``-I``, PYTHONSAFEPATH). Non-str entries are left out."""
    entries = list(sys.path)
    prepended = not (getattr(sys.flags, "safe_path", False) or sys.flags.isolated)
    if prepended and entries:
        entries = entries[1:]
    return [entry for entry in entries if isinstance(entry, str)]


def resolve(
    name: str, *, path: Sequence[object] | None = None, package: str | None = None
) -> Spec | None:
    """The spec ``import name`` would find on ``path`` (default ``sys.path``), from a fresh
    look at the file system; None where no such module exists."""
    return Resolver(path).resolve(name, package=package)


def resolve_many(
    names: Iterable[str], *, path: Sequence[object] | None = None, package: str | None = None
) -> dict[str, Spec | None]:
    """``resolve`` for many names at once, sharing one look at each directory."""
    return Resolver(path).resolve_many(names, package=package)


def explain(
    name: str, *, path: Sequence[object] | None = None, package: str | None = None
) -> Explanation:
    """``Resolver.explain`` over ``path`` (default ``sys.path``), from a fresh look."""
    return Resolver(path).explain(name, package=package)


def bytecode_status(specs: Iterable[Spec | None]) -> dict[str, BytecodeStatus]:
    """``Resolver.bytecode_status`` with ``modspec.BACKEND``'s core."""
    from . import _bytecode

    return _bytecode.bytecode_status(specs, _backend.pyc_reader(_backend.BACKEND))


def _live_editables() -> tuple[EditableFinder, ...]:
    from . import _editable

    return _editable.live_editables()
