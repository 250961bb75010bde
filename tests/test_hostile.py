"""Hostile and broken input: every row gets a clear answer — a Spec kind, None, or a named
exception — never a crash and never a hang, on both cores.

Each row builds a small tree under a short, world-readable temporary directory (the working
directory during the row; short for AF_UNIX socket paths, world-readable for the row that runs
as an unprivileged user), asks one question, and checks the answer within a deadline. Where the
answer is not an exception, ``explain``, ``Spec.module_info``, ``bytecode_status`` and
``discover`` are asked too and must not raise. Where CPython answers the same question (rather
than raising), the row is also compared with CPython's own finders (tests/oracle.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pickle
import shutil
import socket
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import write_tree
from guards import deadline, when_asked
from oracle import compare

import modspec
from modspec import BytecodeStatus, InvalidName, Kind

TAG = sys.implementation.cache_tag
# Seconds: a row that takes longer is taken for a hang. The 1,000,000-name rows take 5-16 s
# on this 2-core machine, the longer when other jobs share it.
DEADLINE = 60
NOBODY = 65534


# --- How a row asks its question. ---


@dataclass(frozen=True)
class Ask:
    """``Resolver(entries).resolve(name, package=package)``."""

    name: object
    package: str | None = None

    def __call__(self, resolver: modspec.Resolver, root: Path) -> modspec.Spec | None:
        return resolver.resolve(self.name, package=self.package)  # type: ignore[arg-type]

    @property
    def fullname(self) -> str | None:
        """The absolute name, as CPython's resolve_name makes it (None: not a str name)."""
        if not isinstance(self.name, str):
            return None
        return importlib.util.resolve_name(self.name, self.package)


@dataclass(frozen=True)
class Batch(Ask):
    """``resolve_many`` over ``count`` names ``pkg.m0`` ... under one small tree; the answer is
    the one for ``name``, and exactly ``found`` names must be found."""

    count: int = 0
    found: int = 0

    def __call__(self, resolver: modspec.Resolver, root: Path) -> modspec.Spec | None:
        answers = resolver.resolve_many(f"pkg.m{i}" for i in range(self.count))
        assert len(answers) == self.count
        assert sum(spec is not None for spec in answers.values()) == self.found
        return answers[self.name]  # type: ignore[index]


@dataclass(frozen=True)
class Race(Ask):
    """A file system that changes under the resolver, between a parent's listing and the stat
    of what it listed: FrozenImporter's question (asked of each name before the path is
    searched, through the config both cores share) deletes ``doomed`` when asked about
    ``name``. The answer is what is on disk by the time of the stat."""

    doomed: str = ""

    def __call__(self, resolver: modspec.Resolver, root: Path) -> modspec.Spec | None:
        name = str(self.name)
        parent = name.rpartition(".")[0]
        return resolver.resolve_many([parent, name])[name]


@dataclass(frozen=True)
class Stale(Ask):
    """The same Resolver asked again after ``doomed`` was deleted: its listings are kept until
    ``invalidate_caches()`` (as documented), so the listed file's failed stat must give None;
    after invalidation the parent is gone as well."""

    doomed: str = ""

    def __call__(self, resolver: modspec.Resolver, root: Path) -> modspec.Spec | None:
        name = str(self.name)
        parent = name.rpartition(".")[0]
        assert resolver.resolve(parent) is not None
        shutil.rmtree(root / self.doomed)
        answer = resolver.resolve(name)
        resolver.invalidate_caches()
        assert resolver.resolve(parent) is None
        return answer


@dataclass(frozen=True)
class AsNobody(Ask):
    """Asked by an unprivileged user. root reads everything, so as root the question is asked
    in a forked child that has dropped to uid/gid 65534 (the interpreter cannot be started
    afresh as that user: it may live under a directory only root can enter). The child also
    predicts the module's ``__doc__`` and bytecode status, which read files, and hands back
    all three: ``doc`` and ``status`` are what that user gets."""

    origin: str | None = None
    doc: str | None = None
    status: BytecodeStatus | None = None

    def __call__(self, resolver: modspec.Resolver, root: Path) -> modspec.Spec | None:
        def question() -> object:
            spec = resolver.resolve(str(self.name))
            if spec is None:
                return None
            return spec, spec.module_info().doc, resolver.bytecode_status([spec])[spec.name]

        found = _unprivileged(question)
        if found is None:
            return None
        spec, doc, status = found  # type: ignore[misc]
        assert spec.origin == (None if self.origin is None else str(root / self.origin))
        assert (doc, status) == (self.doc, self.status)
        return spec  # type: ignore[no-any-return]


def _unprivileged(question: Callable[[], object]) -> object:
    if os.geteuid() != 0:
        return question()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(read_end)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = pickle.dumps(("ok", question()))
        except BaseException as exc:
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with open(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    with open(read_end, "rb") as pipe:
        status, value = pickle.loads(pipe.read())
    os.waitpid(pid, 0)
    assert status == "ok", value
    return value


# --- Trees. ---


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(os.fsdecode(path))  # the socket file outlives the closed socket


def locked(path: Path) -> None:
    path.chmod(0)


def huge_directory(path: Path) -> None:
    """200,000 empty modules, created through one directory descriptor."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i in range(200_000):
            os.close(os.open(f"m{i}.py", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
    finally:
        os.close(fd)


Maker = Callable[[Path], None]

# Every row's tree starts from this; rows add to it.
BASE: dict[str, object] = {
    "a/m.py": b"'m'\n",
    "a/json/__init__.py": b"'json'\n",
    "a/json/x.py": b"",
    "a/pkg/__init__.py": b"",
    "a/pkg/sub.py": b"",
    "a/with space.py": b"",
}


@dataclass(frozen=True)
class Row:
    ask: Ask
    expected: object  # Kind | None | type[BaseException]
    entries: tuple[object, ...] = ("{root}/a",)
    layout: dict[str, object] = field(default_factory=dict)
    # Special files: {relative path: maker}.
    makers: dict[str, Maker] = field(default_factory=dict)
    status: BytecodeStatus | None = None
    # Compared with CPython's finders too (False where CPython raises, or cannot be asked).
    oracle: bool = True


def row(ident: str, *args: object, slow: bool = False, **kwargs: object) -> object:
    marks = [pytest.mark.slow] if slow else []
    return pytest.param(Row(*args, **kwargs), id=ident, marks=marks)  # type: ignore[arg-type]


ROWS = [
    # --- Names. CPython raises the same TypeError/ValueError from importlib.util.resolve_name.
    row("name-bytes", Ask(b"json"), TypeError, oracle=False),
    row("name-int", Ask(3), TypeError, oracle=False),
    row("name-None", Ask(None), TypeError, oracle=False),
    row("name-empty", Ask(""), None),
    row("name-dot-without-package", Ask("."), InvalidName, oracle=False),
    row("name-dot-with-package", Ask(".", package="json"), Kind.SOURCE),
    row("name-dotdot-without-package", Ask("..x"), InvalidName, oracle=False),
    row("name-dotdot-beyond-top", Ask("..x", package="json"), InvalidName, oracle=False),
    row("name-dotdot-with-package", Ask("..x", package="json.sub"), Kind.SOURCE),
    row("name-100k-chars", Ask("x" * 100_000), None),
    row("name-100k-chars-exists", Ask("x" * 100_000), None, layout={"a/x.py": b""}),
    row("name-nul", Ask("m\x00x"), None),
    row("name-nul-first", Ask("\x00"), None),
    row("name-lone-surrogate", Ask("\ud800"), None),
    row("name-lone-surrogate-submodule", Ask("pkg.\ud800"), None),
    row("name-whitespace-only", Ask("   "), None),
    row("name-with-spaces", Ask("with space"), Kind.SOURCE),
    row("name-empty-part", Ask("a..b"), None),
    row("name-trailing-dot", Ask("m."), None),
    row("name-package-trailing-dot", Ask("json."), None),
    # --- Path entries. Non-str entries are skipped, as PathFinder skips them (bytes: 3.10
    # raises TypeError, 3.11+ skip): the oracle gets None in their place.
    row("entry-None", Ask("m"), None, entries=(None,)),
    row("entry-int", Ask("m"), None, entries=(3,)),
    row("entry-bytes", Ask("m"), None, entries=(b"{root}/a",)),
    row("entry-pathlib", Ask("m"), None, entries=(Path("a"),)),
    row("entry-non-str-then-str", Ask("m"), Kind.SOURCE, entries=(None, 3, b"a", "a")),
    row("entry-missing-dir", Ask("m"), None, entries=("{root}/missing",)),
    row("entry-regular-file", Ask("m"), None, entries=("{root}/a/m.py",)),
    row("entry-fifo", Ask("m"), None, entries=("{root}/fifo",), makers={"fifo": fifo}),
    row("entry-socket", Ask("m"), None, entries=("{root}/sock",), makers={"sock": unix_socket}),
    row(
        "module-fifo-and-socket",
        Ask("f"),
        Kind.SOURCE,
        layout={"a/f.py": b""},
        makers={"a/f.so": fifo, f"a/__pycache__/f.{TAG}.pyc": unix_socket},
        status=BytecodeStatus.MISSING,
    ),
    row("file-named-like-a-package", Ask("p"), None, layout={"a/p": b"not a directory"}),
    row("file-named-like-a-package-sub", Ask("p.x"), None, layout={"a/p": b"not a directory"}),
    # CPython raises ValueError on an entry with a NUL or an unencodable surrogate; modspec
    # skips the entry (README), so the next one answers.
    row("entry-nul", Ask("m"), Kind.SOURCE, entries=("{root}/a\x00b", "{root}/a"), oracle=False),
    row("entry-surrogate", Ask("m"), Kind.SOURCE, entries=("\ud800", "{root}/a"), oracle=False),
    row(
        "entry-symlink-loop",
        Ask("m"),
        None,
        entries=("{root}/la",),
        layout={"la": ("symlink", "lb"), "lb": ("symlink", "la")},
    ),
    row(
        "symlink-loop-in-package",
        Ask("pkg.la"),
        None,
        layout={"a/pkg/la": ("symlink", "lb"), "a/pkg/lb": ("symlink", "la")},
    ),
    row(
        "symlink-loop-as-init",
        Ask("q"),
        Kind.NAMESPACE,
        layout={"a/q/__init__.py": ("symlink", "__init__.py")},
    ),
    row(
        "dir-symlink-to-its-parent",
        Ask("pkg.up.pkg.up.pkg.up.m"),
        Kind.SOURCE,
        layout={"a/pkg/up": ("symlink", "..")},
    ),
    # Deleted after the parent's listing, before the stat: gone, so None (CPython's FileFinder,
    # whose cache is as old, stats as modspec does; not comparable, the race is in-process).
    row("race-file-deleted", Race("pkg.sub", doomed="a/pkg/sub.py"), None, oracle=False),
    row("race-package-deleted", Race("pkg.sub", doomed="a/pkg"), None, oracle=False),
    row("stale-listing-package-deleted", Stale("pkg.sub", doomed="a/pkg"), None, oracle=False),
    # Run as uid 65534: a directory that cannot be listed or entered, a file that cannot be
    # read. (The oracle cannot run as that user; test_oracle_rules compares the same trees.)
    row(
        "unreadable-entry-dir",
        AsNobody("m", origin="b/m.py", status=BytecodeStatus.MISSING),
        Kind.SOURCE,
        entries=("{root}/a", "{root}/b"),
        layout={"b/m.py": b""},
        makers={"a": locked},
        oracle=False,
    ),
    row(
        "unreadable-package-dir",
        AsNobody("locked", status=BytecodeStatus.NOT_APPLICABLE),
        Kind.NAMESPACE,
        layout={"a/locked/__init__.py": b""},
        makers={"a/locked": locked},
        oracle=False,
    ),
    row(
        "unreadable-file",
        # Found (stat needs no read permission), but __doc__ cannot be predicted, and the
        # unreadable .pyc would not be used.
        AsNobody("secret", origin="a/secret.py", status=BytecodeStatus.MISSING),
        Kind.SOURCE,
        layout={"a/secret.py": b"'doc'\n", f"a/__pycache__/secret.{TAG}.pyc": b"x" * 16},
        makers={"a/secret.py": locked, f"a/__pycache__/secret.{TAG}.pyc": locked},
        oracle=False,
    ),
    row("non-utf8-file-name", Ask("\udcff"), Kind.SOURCE, layout={"a/\udcff.py": b""}),
    row(
        "non-utf8-package-and-sub",
        Ask("\udcfe.\udcff"),
        Kind.SOURCE,
        layout={"a/\udcfe/__init__.py": b"", "a/\udcfe/\udcff.py": b""},
    ),
    # --- Files.
    row(
        "zip-truncated",
        Ask("zm"),
        None,
        entries=("{root}/cut.zip",),
        layout={"cut.zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00"},
    ),
    row(
        "zip-not-a-zip",
        Ask("zm"),
        None,
        entries=("{root}/junk.zip", "{root}/a"),
        layout={"junk.zip": b"\x00\xff" * 100},
    ),
    row(
        "zip-empty-file",
        Ask("m"),
        Kind.SOURCE,
        entries=("{root}/empty.zip", "{root}/a"),
        layout={"empty.zip": b""},
    ),
    row(
        "pyc-bad-header",
        Ask("m"),
        Kind.SOURCE,
        layout={f"a/__pycache__/m.{TAG}.pyc": b"\x00garbage header!!"},
        status=BytecodeStatus.STALE,
    ),
    row(
        "pyc-short",
        Ask("m"),
        Kind.SOURCE,
        layout={f"a/__pycache__/m.{TAG}.pyc": importlib.util.MAGIC_NUMBER},
        status=BytecodeStatus.STALE,
    ),
    row(
        "sourceless-pyc-bad-header",
        Ask("s"),
        Kind.BYTECODE,
        layout={"a/s.pyc": b"\xff" * 40},
        status=BytecodeStatus.INVALID,
    ),
    row(
        "sourceless-pyc-empty",
        Ask("s"),
        Kind.BYTECODE,
        layout={"a/s.pyc": b""},
        status=BytecodeStatus.INVALID,
    ),
    row("empty-init", Ask("pkg"), Kind.SOURCE, status=BytecodeStatus.MISSING),
    row(
        "source-not-utf8-nor-python",
        Ask("bad"),
        Kind.SOURCE,
        layout={"a/bad.py": b"\xff\xfe\x00garbage\x00 = = ("},
    ),
    row(
        "pth-binary-garbage",
        Ask("garbage"),
        None,
        layout={"a/garbage.pth": b"\x00\xff\xfeimport os\n\x80" * 100},
    ),
    # --- Scale.
    row(
        "dir-of-200k-entries",
        Ask("m199999"),
        Kind.SOURCE,
        entries=("{huge}",),
        slow=True,
        oracle=False,  # CPython agrees (tests/test_oracle_rules.py): this row is about time
    ),
    row(
        "batch-of-1m-names",
        Batch("pkg.m999990", count=1_000_000, found=11),
        Kind.SOURCE,
        layout={f"a/pkg/m{i}.py": b"" for i in range(0, 1_000_000, 99_999)},
        slow=True,
        oracle=False,
    ),
]


# --- The test. ---


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of 200,000 modules, made once for both cores (making it takes seconds)."""
    path = tmp_path_factory.mktemp("huge")
    huge_directory(path)
    return path


@pytest.fixture
def short_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh directory with a short path (AF_UNIX paths are at most 107 bytes), that any user
    may enter (pytest's own temporary directories are private), as the working directory."""
    root = Path(tempfile.mkdtemp(prefix="mh"))
    root.chmod(0o755)
    monkeypatch.chdir(root)
    yield root
    monkeypatch.undo()
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(dirpath, name), 0o755)
    shutil.rmtree(root)


def _kind(answer: modspec.Spec | None) -> Kind | None:
    return None if answer is None else answer.kind


def _entry(entry: object, root: Path, request: pytest.FixtureRequest) -> object:
    if entry == "{huge}":
        return str(request.getfixturevalue("huge"))
    if isinstance(entry, str):
        return entry.replace("{root}", str(root))
    if isinstance(entry, bytes):
        return entry.replace(b"{root}", os.fsencode(root))
    return entry


@pytest.mark.parametrize("case", ROWS)
def test_row(
    case: Row,
    backend: str,
    short_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    root = short_root
    write_tree(root, {**BASE, **case.layout})
    for rel, make in case.makers.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        make(root / rel)
    entries = [_entry(entry, root, request) for entry in case.entries]
    if isinstance(case.ask, Race):
        _arm_race(monkeypatch, case.ask, root)
    resolver = modspec.Resolver(entries, backend=backend)

    with deadline(DEADLINE):
        if isinstance(case.expected, type) and issubclass(case.expected, BaseException):
            with pytest.raises(case.expected):
                case.ask(resolver, root)
            # explain takes names as resolve does, and fails alike.
            with pytest.raises(case.expected):
                resolver.explain(case.ask.name, package=case.ask.package)  # type: ignore[arg-type]
            return
        spec = case.ask(resolver, root)
    assert _kind(spec) == case.expected

    if not isinstance(case.ask, (Race, Stale, AsNobody)):
        with deadline(DEADLINE):
            # The rest of the API, over the same input: answers, never exceptions.
            why = resolver.explain(case.ask.name, package=case.ask.package)  # type: ignore[arg-type]
            assert why.spec == spec
            modspec.discover(entries, resolver=modspec.Resolver(entries, backend=backend))
    if spec is not None and not isinstance(case.ask, AsNobody):
        with deadline(DEADLINE):
            spec.module_info()
            status = resolver.bytecode_status([spec])[spec.name]
        if case.status is not None:
            assert status is case.status

    fullname = case.ask.fullname
    if case.oracle and fullname is not None and not isinstance(case.ask, Batch):
        # PathFinder skips what is not a str (JSON carries None, not a Path or bytes).
        theirs = [entry if isinstance(entry, str) else None for entry in entries]
        compare(modspec.Resolver(entries, backend=backend), [fullname], theirs)  # type: ignore[arg-type]


def _arm_race(monkeypatch: pytest.MonkeyPatch, race: Race, root: Path) -> None:
    # The Cython core comes to the name again when it finds a batch anew (a deferred stat saw
    # the race), so the deletion must tolerate being done already.
    def delete() -> None:
        doomed = root / race.doomed
        if doomed.is_dir():
            shutil.rmtree(doomed)
        else:
            doomed.unlink(missing_ok=True)

    when_asked(monkeypatch, race.name, delete)


def test_rows_run_as_an_unprivileged_user_really_are_denied(short_root: Path) -> None:
    # AsNobody rows mean something only where permissions are enforced for the child.
    locked_dir = short_root / "d"
    locked_dir.mkdir()
    locked_dir.chmod(0)
    assert _unprivileged(lambda: os.access(locked_dir, os.R_OK)) is False
    assert stat.S_IMODE(locked_dir.stat().st_mode) == 0
