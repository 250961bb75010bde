"""Another interpreter's or virtual environment's ``sys.path``, computed without running it.

``environment_path(target)`` follows what CPython does at start-up on POSIX: ``getpath``
(3.10: ``Modules/getpath.c``; 3.11–3.13: ``Modules/getpath.py``) finds the prefix and lists the
zip, the stdlib and ``lib-dynload``; ``site`` then reads ``pyvenv.cfg``, adds the site-packages
directories and processes their ``.pth`` files. The target's version picks the rules where
versions differ.

What it does not model, and why:

- ``sys.path[0]`` (the script's directory, ``''`` for ``-c``): it depends on how Python is run.
- The user site (``~/.local/lib/python3.X/site-packages``): it depends on the user, on ``-s``
  and ``-I`` and on ``PYTHONNOUSERSITE``; a venv without system site-packages never adds it.
- The environment of the target's process: ``PYTHONHOME``, ``PYTHONPLATLIBDIR`` and
  ``PYTHONSAFEPATH`` are not applied, and ``PYTHONPATH`` only when passed as ``pythonpath=``
  (the caller's own variable is never read).
- Code that ``site`` runs: ``.pth`` lines starting with ``import`` (reported in
  ``skipped_imports``, assumed to succeed), ``sitecustomize`` and ``usercustomize``; any of them
  may change ``sys.path``. One kind of import line is understood: one that installs an editable
  install's hook (``import M; M.install()`` for setuptools, ``M.init()`` for meson-python,
  ``import M`` for scikit-build-core and for editables, whose module imports
  ``editables.redirector`` and so needs it on the path so far), where ``M.py`` is the first such
  file on the path so far.
  Its module is read, never run, into ``editables``, and setuptools' placeholder entry for its
  namespace path hook is appended to ``entries`` where ``install()`` would append it.
- Compile-time settings that only the binary knows: ``PREFIX``/``EXEC_PREFIX`` (used when no
  landmark is found: modspec raises instead), ``platlibdir`` (taken as ``lib``) and the
  free-threaded ``t`` suffix (3.13t); build directories, ``._pth`` files and macOS frameworks.
- The locale: 3.10–3.12 read ``.pth`` files in the locale encoding, taken here as UTF-8.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import stat
from collections.abc import Iterator

from ._editable import (
    EDITABLES,
    MESON_PYTHON,
    SETUPTOOLS,
    EditableFinder,
    read_editable_finder,
)
from ._parse import PARSE_ERRORS
from ._paths import FileTooLarge, NotARegularFile, is_directory, is_regular, read_regular
from ._records import frozen_record, record
from ._resolver import program_path  # this interpreter's path: here beside another's

__all__ = ["EnvironmentPath", "EnvironmentPathError", "environment_path", "program_path"]

_VENV_LANDMARK = "pyvenv.cfg"
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_EXECUTABLE_VERSION = re.compile(r"python(\d+)\.(\d+)")
_LIB_VERSION = re.compile(r"python(\d+)\.(\d+)")

# gh-113659 (skip .pth files whose name starts with a dot) landed in 3.13 and in these bug-fix
# releases of older branches.
_HIDDEN_PTH_SKIPPED_SINCE = {(3, 10): 14, (3, 11): 8, (3, 12): 2}

# pyvenv.cfg and .pth files are lines of text, far below this; past it modspec reads no further.
_SITE_FILE_LIMIT = 16 << 20


class EnvironmentPathError(ValueError):
    """The target's sys.path cannot be computed: not an interpreter, or it would not start."""


@frozen_record
class EnvironmentPath:
    """What ``sys.path`` would be in another interpreter or virtual environment.

    ``entries`` is ``sys.path`` without ``sys.path[0]``; ``prefix`` and ``base_prefix`` are
    ``sys.prefix`` and ``sys.base_prefix``; ``site_packages`` the site directories added (in
    order); ``pth_files`` the ``.pth`` files read (in order, each once); ``skipped_imports`` each
    ``(pth file, line)`` that ``site`` would execute, in order, as often as it would run;
    ``editables`` the editable installs' hooks those lines install, in order (pass them to
    ``Resolver(found.entries, editables=found.editables)``).
    """

    entries: tuple[str, ...]
    prefix: str
    base_prefix: str
    version: tuple[int, int]
    site_packages: tuple[str, ...]
    pth_files: tuple[str, ...]
    skipped_imports: tuple[tuple[str, str], ...]
    editables: tuple[EditableFinder, ...] = ()


# --- small OS helpers ---------------------------------------------------------------------------


def _read_cfg(path: str) -> bytes | None:
    """The bytes of a ``pyvenv.cfg``; None where there is none to read (CPython's OSError).

    A FIFO or a device there, or a file past the bound, is EnvironmentPathError: getpath would
    block on the FIFO, or read the rest without end, so the interpreter would not start."""
    try:
        return read_regular(path, _SITE_FILE_LIMIT)
    except NotARegularFile:
        if is_directory(path):
            return None  # IsADirectoryError, which getpath and site take as no file
        raise EnvironmentPathError(
            f"{path!r} is not a regular file: the interpreter would block or never end reading it"
        ) from None
    except FileTooLarge as error:
        raise EnvironmentPathError(f"{error}: modspec reads no further") from None
    except OSError:
        return None


def _search_up(directory: str, *landmarks: str, is_dir: bool = False) -> str | None:
    # Mirrors getpath.py's search_up: the directory itself, then each parent up to the root.
    check = is_directory if is_dir else is_regular
    while directory:
        if any(check(os.path.join(directory, landmark)) for landmark in landmarks):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return None


def _makepath(*paths: str) -> tuple[str, str]:
    # Mirrors site.makepath.
    directory = os.path.abspath(os.path.join(*paths))
    return directory, os.path.normcase(directory)


# --- the target ---------------------------------------------------------------------------------


@record
class _Target:
    executable: str
    version: tuple[int, int, int | None]


def _cfg_items(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        key, had_equ, value = line.partition("=")
        if had_equ:
            yield key.strip().lower(), value.strip()


def _parse_version(text: str) -> tuple[int, int, int | None] | None:
    match = _VERSION.match(text)
    if match is None:
        return None
    micro = None if match.group(3) is None else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), micro


def _find_executable(target: str) -> str:
    if is_regular(target):
        return os.path.abspath(target)
    if not is_directory(target):
        raise EnvironmentPathError(f"{target!r}: no such interpreter, venv or prefix")
    bin_dir = os.path.join(os.path.abspath(target), "bin")
    names = ["python3", "python"]
    with contextlib.suppress(OSError):
        names += sorted(name for name in os.listdir(bin_dir) if _EXECUTABLE_VERSION.fullmatch(name))
    for name in names:
        if is_regular(os.path.join(bin_dir, name)):
            return os.path.join(bin_dir, name)
    raise EnvironmentPathError(f"{target!r}: no bin/python3, bin/python or bin/python3.X in it")


def _target(target: str | os.PathLike[str]) -> _Target:
    executable = _find_executable(os.fspath(target))
    # 1. pyvenv.cfg's version_info (newer venvs) or version.
    for directory in (os.path.dirname(executable), os.path.dirname(os.path.dirname(executable))):
        cfg = os.path.join(directory, _VENV_LANDMARK)
        # Only a regular file says the version: this look is modspec's own, and whether the
        # interpreter itself blocks on a FIFO there is for the getpath mirror to say.
        content = _read_cfg(cfg) if is_regular(cfg) else None
        if content is None:
            continue
        items = dict(_cfg_items(content.decode("utf-8", "surrogateescape")))
        for key in ("version_info", "version"):
            version = _parse_version(items.get(key, ""))
            if version is not None:
                return _Target(executable, version)
        break
    # 2. The executable's name, or the name it links to: python3.X.
    for path in (executable, os.path.realpath(executable)):
        match = _EXECUTABLE_VERSION.fullmatch(os.path.basename(path))
        if match is not None:
            return _Target(executable, (int(match.group(1)), int(match.group(2)), None))
    # 3. The one lib/python3.X with an os.py above the executable.
    above: str | None = os.path.dirname(os.path.realpath(executable))
    while above:
        lib = os.path.join(above, "lib")
        try:
            found = {
                (int(match.group(1)), int(match.group(2)))
                for name in os.listdir(lib)
                if (match := _LIB_VERSION.fullmatch(name))
                and is_regular(os.path.join(lib, name, "os.py"))
            }
        except OSError:
            found = set()
        if len(found) == 1:
            major, minor = found.pop()
            return _Target(executable, (major, minor, None))
        if found:
            raise EnvironmentPathError(f"{executable!r}: several stdlib versions under {lib!r}")
        parent = os.path.dirname(above)
        above = None if parent == above else parent
    raise EnvironmentPathError(f"{executable!r}: cannot tell the Python version")


# --- getpath: prefix, exec_prefix and the first entries -----------------------------------------


def _getpath(executable: str, version: tuple[int, int]) -> tuple[list[str], str, str]:
    """(module_search_paths, prefix, exec_prefix) as getpath computes them (no environment)."""
    major, minor = version
    stdlib_subdir = f"lib/python{major}.{minor}"
    stdlib_landmarks = (f"{stdlib_subdir}/os.py", f"{stdlib_subdir}/os.pyc")
    platstdlib_landmark = f"{stdlib_subdir}/lib-dynload"
    zip_landmark = f"lib/python{major}{minor}.zip"
    real_executable_dir = os.path.dirname(os.path.realpath(executable))
    executable_dir = real_executable_dir
    if version >= (3, 11):
        # Mirrors getpath.py (3.11–3.13): pyvenv.cfg one level above the executable (as
        # given, not resolved), else beside it; its first 'home' replaces executable_dir.
        candidates = [os.path.dirname(os.path.dirname(executable)), os.path.dirname(executable)]
    else:
        # Mirrors getpath.c's calculate_read_pyenv (3.10): beside the resolved executable, then
        # one level above.
        candidates = [real_executable_dir, os.path.dirname(real_executable_dir)]
    for directory in candidates:
        content = _read_cfg(os.path.join(directory, _VENV_LANDMARK))
        if content is None:
            continue
        for key, value in _cfg_items(content.decode("utf-8", "surrogateescape")):
            if key == "home":
                executable_dir = value
                break
        break
    prefix: str | None = None
    if version >= (3, 11):
        # 3.11+: the zip file is a landmark too, searched first.
        prefix = _search_up(executable_dir, zip_landmark)
    if prefix is None:
        prefix = _search_up(executable_dir, *stdlib_landmarks)
    if prefix is None:
        raise EnvironmentPathError(
            f"{executable!r}: no {stdlib_subdir}/os.py above {executable_dir!r}; the interpreter"
            " would fall back to its compiled-in prefix, which only running it tells"
        )
    # The compiled-in EXEC_PREFIX is unknown: where lib-dynload is not found, assume prefix.
    exec_prefix = _search_up(executable_dir, platstdlib_landmark, is_dir=True) or prefix
    paths = [
        os.path.join(prefix, zip_landmark),
        os.path.join(prefix, stdlib_subdir),
        os.path.join(exec_prefix, platstdlib_landmark),
    ]
    return paths, prefix, exec_prefix


# --- site: pyvenv.cfg, site-packages and .pth files ---------------------------------------------


class _Site:
    """The state site.main builds: sys.path and known_paths, and what modspec reports."""

    def __init__(self, path: list[str], version: tuple[int, int, int | None], prefix: str) -> None:
        self.version = version
        self.prefix = prefix  # sys.prefix: the venv's, once venv() finds one
        # Mirrors site.removeduppaths.
        self.path: list[str] = []
        self.known: set[str] = set()
        for entry in path:
            directory, case = _makepath(entry)
            if case not in self.known:
                self.path.append(directory)
                self.known.add(case)
        self.site_packages: list[str] = []
        self.pth_files: list[str] = []
        self.skipped_imports: list[tuple[str, str]] = []
        self.editables: list[EditableFinder] = []

    def addsitepackages(self, prefixes: list[str]) -> None:
        # Mirrors site.getsitepackages (POSIX, platlibdir 'lib') and site.addsitepackages.
        major, minor = self.version[:2]
        seen: set[str] = set()
        for prefix in prefixes:
            if not prefix or prefix in seen:
                continue
            seen.add(prefix)
            sitedir = os.path.join(prefix, "lib", f"python{major}.{minor}", "site-packages")
            if is_directory(sitedir):
                self.addsitedir(sitedir)

    def addsitedir(self, sitedir: str) -> None:
        # Mirrors site.addsitedir.
        sitedir, sitedircase = _makepath(sitedir)
        if sitedircase not in self.known:
            self.path.append(sitedir)
            self.known.add(sitedircase)
        if sitedir not in self.site_packages:
            self.site_packages.append(sitedir)
        try:
            names = os.listdir(sitedir)
        except OSError:
            return
        names = [name for name in names if name.endswith(".pth")]
        if self._skips_hidden():
            names = [name for name in names if not name.startswith(".")]
        for name in sorted(names):
            self.addpackage(sitedir, name)

    def _skips_hidden(self) -> bool:
        major, minor, micro = self.version
        since = _HIDDEN_PTH_SKIPPED_SINCE.get((major, minor))
        # An unknown micro version: assume the current bug-fix release, which has the fix.
        return (major, minor) >= (3, 13) or (
            since is not None and (micro is None or micro >= since)
        )

    def addpackage(self, sitedir: str, name: str) -> None:
        # Mirrors site.addpackage, without running 'import' lines.
        fullname = os.path.join(sitedir, name)
        if self._skips_hidden():
            try:
                st = os.lstat(fullname)
            except OSError:
                return
            if getattr(st, "st_flags", 0) & stat.UF_HIDDEN:
                return
        try:
            content = read_regular(fullname, _SITE_FILE_LIMIT)
        except OSError:
            # Unreadable, or one modspec will not read (a FIFO, a device, past the bound):
            # skipped, as site skips a .pth it cannot open (on a FIFO it would block).
            return
        try:
            lines = self._lines(content)
        except UnicodeDecodeError as error:
            raise EnvironmentPathError(
                f"{fullname!r} is not UTF-8 ({error.reason} at byte {error.start}): site would"
                " raise UnicodeDecodeError and the interpreter would not start"
            ) from None
        if fullname not in self.pth_files:
            self.pth_files.append(fullname)
        for line in lines:
            if line.startswith("#"):
                continue
            if line.strip() == "":
                continue
            if line.startswith(("import ", "import\t")):
                self.skipped_imports.append((fullname, line.rstrip("\r\n")))
                self.editable_hook(line)
                continue
            directory, case = _makepath(sitedir, line.rstrip())
            if case not in self.known and os.path.exists(directory):
                self.path.append(directory)
                self.known.add(case)

    def editable_hook(self, line: str) -> None:
        """Note the editable hook an import line would install, reading (not running) it."""
        try:
            tree = ast.parse(line.strip())
        except PARSE_ERRORS:
            return
        calls = {
            (node.func.value.id, node.func.attr)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        }
        imported = [
            alias.name
            for node in tree.body
            if isinstance(node, ast.Import)
            for alias in node.names
            if "." not in alias.name and alias.asname is None
        ]
        for module in imported:
            file = next(
                (
                    candidate
                    for entry in self.path
                    if is_regular(candidate := os.path.join(entry, module + ".py"))
                ),
                None,
            )
            editable = None if file is None else read_editable_finder(file, module)
            if editable is None:
                continue
            # setuptools' and meson-python's hooks are installed by a call; scikit-build-core's
            # module installs its own when imported.
            call = {SETUPTOOLS: "install", MESON_PYTHON: "init"}.get(editable.tool)
            if call is not None and (module, call) not in calls:
                continue
            if editable.tool == EDITABLES and not self._has_redirector():
                continue  # its import fails (pip install --no-deps): site reports, goes on
            if any(known.module == module for known in self.editables):
                continue  # imported once: a second install() finds its finder in place
            self.editables.append(editable)
            if editable.path_entry is not None and editable.path_entry not in self.path:
                # Mirrors setuptools' install(): the placeholder goes at the end of sys.path.
                self.path.append(editable.path_entry)

    def _has_redirector(self) -> bool:
        # An editables module starts with 'from editables.redirector import ...': the
        # editables package (an install requirement of the editable wheel), the first one on
        # the path, must hold it. Taken as a regular package of source files, as pip installs it.
        for entry in self.path:
            package = os.path.join(entry, "editables")
            if is_regular(os.path.join(package, "__init__.py")):
                return is_regular(os.path.join(package, "redirector.py"))
        return False

    def _lines(self, content: bytes) -> list[str]:
        if self.version[:2] >= (3, 13):
            # 3.13: utf-8-sig (a BOM is dropped), falling back to the locale's encoding (taken
            # as UTF-8, so the fallback fails alike); str.splitlines breaks at \v, \f, \x1c...
            return content.decode("utf-8-sig").splitlines()
        # 3.10–3.12: a text file in the locale's encoding (taken as UTF-8; a BOM stays in the
        # first line), with universal newlines: \n, \r\n and \r end lines.
        return list(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8"))

    def venv(self, executable: str, base_prefix: str, base_exec_prefix: str) -> list[str]:
        """Mirrors site.venv; returns site.PREFIXES as it leaves them."""
        prefixes = [base_prefix, base_exec_prefix]
        exe_dir = os.path.dirname(os.path.abspath(executable))
        site_prefix = os.path.dirname(exe_dir)
        for conffile in (
            os.path.join(exe_dir, _VENV_LANDMARK),
            os.path.join(site_prefix, _VENV_LANDMARK),
        ):
            if is_regular(conffile):
                break
        else:
            return prefixes
        content = _read_cfg(conffile)
        if content is None:
            return prefixes
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise EnvironmentPathError(
                f"{conffile!r} is not UTF-8: site would raise and the interpreter would not start"
            ) from None
        system_site = "true"
        for key, value in _cfg_items(text):
            if key == "include-system-site-packages":
                system_site = value.lower()
        self.prefix = site_prefix
        self.addsitepackages([site_prefix])
        if system_site == "true":
            return [site_prefix, *prefixes]
        return [site_prefix]


def environment_path(
    target: str | os.PathLike[str], *, pythonpath: str | None = None
) -> EnvironmentPath:
    """The ``sys.path`` (without ``sys.path[0]``) of the interpreter or venv at ``target``.

    ``target`` is a python executable, a venv directory or an installation prefix. Nothing of the
    target runs: its files are read. ``pythonpath`` stands for the target's ``PYTHONPATH``
    (``os.pathsep``-separated; relative entries against the current directory).
    """
    found = _target(target)
    version = found.version[:2]
    paths, prefix, exec_prefix = _getpath(found.executable, (version[0], version[1]))
    if pythonpath:
        paths = [os.path.abspath(entry) for entry in pythonpath.split(os.pathsep)] + paths
    site = _Site(paths, found.version, prefix)
    prefixes = site.venv(found.executable, prefix, exec_prefix)
    site.addsitepackages(prefixes)
    return EnvironmentPath(
        entries=tuple(site.path),
        prefix=site.prefix,
        base_prefix=prefix,
        version=(version[0], version[1]),
        site_packages=tuple(site.site_packages),
        pth_files=tuple(site.pth_files),
        skipped_imports=tuple(site.skipped_imports),
        editables=tuple(site.editables),
    )
