"""The oracle: CPython's own finders, asked in a subprocess, over the same path.

For a top-level name it asks BuiltinImporter, FrozenImporter and PathFinder (with the standard
path hooks: zipimporter, then FileFinder) in sys.meta_path's order; for ``a.b`` it asks the same
finders over the search locations of ``a``'s spec — it never imports ``a``.

Both sides are turned into the same JSON-able dict by ``fields``/the script, so tests compare
every ModuleSpec field (and the stats) with ``==``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import modspec

Fields = dict[str, Any]

# Shared by both sides: how a spec becomes a comparable dict.
_FIELDS_SOURCE = r"""
import os

def _loader_name(loader):
    if loader is None:
        return None
    cls = loader if isinstance(loader, type) else type(loader)
    return cls.__module__.lstrip("_").replace("frozen_importlib_external", "importlib").replace(
        "frozen_importlib", "importlib") + "." + cls.__qualname__

def _stat(path):
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if (st.st_mode & 0o170000) != 0o100000:
        return None
    return [st.st_size, st.st_mtime_ns]

def _search(spec):
    search = spec.submodule_search_locations
    if search is None:
        return None
    # A namespace package's _NamespacePath would recompute from its (unimported) parent.
    return list(getattr(search, "_path", search))

def _importlib_fields(spec):
    loader = _loader_name(spec.loader)
    located = spec.has_location and not spec.origin.startswith("<")
    in_zip = loader == "zipimport.zipimporter"
    return {
        "name": spec.name,
        "loader": loader,
        "origin": spec.origin,
        "submodule_search_locations": _search(spec),
        "cached": spec.cached,
        "parent": spec.parent,
        "has_location": spec.has_location,
        "origin_stat": _stat(spec.origin) if located and not in_zip else None,
        "cached_stat": _stat(spec.cached) if spec.cached is not None else None,
    }

def _modspec_fields(spec):
    # modspec's own stats, not a fresh stat of its paths: those are under test too.
    found = _importlib_fields(spec)
    found["origin_stat"] = None if spec.origin_stat is None else list(spec.origin_stat)
    found["cached_stat"] = None if spec.cached_stat is None else list(spec.cached_stat)
    found["kind"] = spec.kind.value
    found["is_package"] = spec.is_package
    return found
"""

_ORACLE_SCRIPT = (
    _FIELDS_SOURCE
    + r"""
import json
import sys
import types
import zipimport
from importlib.machinery import BuiltinImporter, FileFinder, FrozenImporter, PathFinder
from importlib._bootstrap_external import _get_supported_file_loaders

request = json.load(sys.stdin)
if request.get("modspec_backend"):
    # Imported first: importing may write .pyc files (under a pycache prefix, say), and both
    # sides must see the same file system.
    sys.path[:0] = [request["modspec_dir"]]
    from modspec import Resolver
sys.path_hooks[:] = [zipimport.zipimporter, FileFinder.path_hook(*_get_supported_file_loaders())]
sys.path_importer_cache.clear()
sys.path[:] = request["path"]
memo = {}

def find_with(fullname, path):
    for finder in (BuiltinImporter, FrozenImporter, PathFinder):
        spec = finder.find_spec(fullname, path)
        if spec is not None:
            return spec
    return None

def find_with_parent(fullname, parent, search):
    # A namespace spec's _NamespacePath reads sys.modules[parent].__path__ when it is built;
    # the import system would have imported the parent by then, so a stand-in takes its place.
    stand_in = types.ModuleType(parent)
    stand_in.__path__ = search
    saved = sys.modules.get(parent)
    sys.modules[parent] = stand_in
    try:
        return find_with(fullname, search)
    finally:
        if saved is None:
            del sys.modules[parent]
        else:
            sys.modules[parent] = saved

def find(fullname):
    if fullname in memo:
        return memo[fullname]
    parent, dot, tail = fullname.rpartition(".")
    try:
        if not tail or (dot and not parent):
            spec = None
        elif dot:
            parent_spec = find(parent)
            if parent_spec is None or parent_spec.submodule_search_locations is None:
                spec = None
            else:
                spec = find_with_parent(fullname, parent, _search(parent_spec))
        else:
            spec = find_with(fullname, None)
    except Exception as exc:  # reported, so a test can say what CPython did
        spec = exc
    memo[fullname] = spec
    return spec

answers = {}
for name in request["names"]:
    spec = find(name)
    if isinstance(spec, Exception):
        answers[name] = {"error": f"{type(spec).__name__}: {spec}"}
    else:
        answers[name] = None if spec is None else _importlib_fields(spec)

if request.get("modspec_backend"):
    resolver = Resolver(request["path"], backend=request["modspec_backend"])
    mine = resolver.resolve_many(request["names"])
    answers = {"oracle": answers,
               "modspec": {n: None if s is None else _modspec_fields(s) for n, s in mine.items()}}
json.dump(answers, sys.stdout)
"""
)

_namespace: dict[str, Any] = {}
exec(_FIELDS_SOURCE, _namespace)


def fields(spec: modspec.Spec | None) -> Fields | None:
    """A modspec Spec as the dict the oracle produces for a ModuleSpec."""
    if spec is None:
        return None
    found: Fields = _namespace["_modspec_fields"](spec)
    # kind and is_package have no ModuleSpec counterpart; they are checked against the loader.
    kind, is_package = found.pop("kind"), found.pop("is_package")
    assert is_package == (found["submodule_search_locations"] is not None)
    assert kind == _KIND_BY_LOADER[found["loader"]], (kind, found["loader"])
    return found


_KIND_BY_LOADER = {
    "importlib.SourceFileLoader": "source",
    "importlib.SourcelessFileLoader": "bytecode",
    "importlib.ExtensionFileLoader": "extension",
    "importlib.BuiltinImporter": "builtin",
    "importlib.FrozenImporter": "frozen",
    "zipimport.zipimporter": "zip",
    None: "namespace",
}


def _run(request: dict[str, Any], flags: Sequence[str], cwd: Path | str | None) -> Any:
    # -I -S: no user site, no environment, no .pth hooks: only the standard finders answer.
    command = [sys.executable, "-I", "-S", *flags, "-c", _ORACLE_SCRIPT]
    done = subprocess.run(
        command,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"oracle failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def oracle(
    names: Iterable[str],
    path: Sequence[str],
    *,
    flags: Sequence[str] = (),
    cwd: Path | str | None = None,
) -> dict[str, Fields | None]:
    """CPython's answer for each name over ``path`` (``cwd`` defaults to ours)."""
    request = {"names": list(names), "path": list(path)}
    return _run(request, flags, cwd if cwd is not None else os.getcwd())  # type: ignore[no-any-return]


def both_in_subprocess(
    names: Iterable[str],
    path: Sequence[str],
    backend: str,
    *,
    flags: Sequence[str] = (),
    cwd: Path | str | None = None,
) -> tuple[dict[str, Fields | None], dict[str, Fields | None]]:
    """(CPython's answers, modspec's answers), both computed in one subprocess run with
    ``flags`` (for -O, -OO, -X pycache_prefix=..., which change what modspec must answer)."""
    request = {
        "names": list(names),
        "path": list(path),
        "modspec_backend": backend,
        "modspec_dir": str(Path(modspec.__file__).parent.parent),
    }
    answers = _run(request, flags, cwd if cwd is not None else os.getcwd())
    theirs, mine = answers["oracle"], answers["modspec"]
    for found in mine.values():
        if found is not None:
            found.pop("kind"), found.pop("is_package")
    return theirs, mine


def compare(resolver: modspec.Resolver, names: Iterable[str], path: Sequence[str]) -> None:
    """Assert that ``resolver`` answers every name exactly as CPython does."""
    names = list(names)
    expected = oracle(names, path)
    got = {name: fields(spec) for name, spec in resolver.resolve_many(names).items()}
    mismatches = {n: (got[n], expected[n]) for n in names if got[n] != expected[n]}
    assert not mismatches, _describe(mismatches)


def _describe(mismatches: dict[str, tuple[Any, Any]]) -> str:
    lines = [f"{len(mismatches)} name(s) differ from CPython (modspec, then CPython):"]
    for name, (mine, theirs) in list(mismatches.items())[:20]:
        lines += [f"  {name!r}:", f"    modspec: {mine}", f"    CPython: {theirs}"]
    return "\n".join(lines)
