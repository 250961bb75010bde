# cython: language_level=3, boundscheck=False, wraparound=False, embedsignature=True
"""Cython resolution core: _core's PathFinder and FileFinder, with stat and readdir in C."""

from posix.stat cimport S_ISDIR, S_ISREG, stat as c_stat, struct_stat

import os

# Not on the hot path (once per path entry, once per found source file): shared with the twin.
from ._core import cache_from_source, finder_path

__all__ = ["PathCore"]


cdef extern from "Python.h":
    bytes PyUnicode_EncodeFSDefault(object unicode)
    str PyUnicode_DecodeFSDefault(const char *s)
    str PyUnicode_FromObject(object obj)


cdef extern from "<dirent.h>" nogil:
    ctypedef struct DIR:
        pass
    struct dirent:
        char *d_name
    DIR *opendir(const char *name)
    dirent *readdir(DIR *dirp)
    int closedir(DIR *dirp)


cdef enum FileType:
    MISSING = 0
    REGULAR = 1
    DIRECTORY = 2
    OTHER = 3


cdef inline bytes _encode(str path):
    # None where the OS could not be given this path: CPython's stat raises ValueError there.
    cdef bytes raw
    try:
        raw = PyUnicode_EncodeFSDefault(path)
    except UnicodeError:
        return None
    if b"\0" in raw:
        return None
    return raw


cdef FileType _stat(str path, struct_stat *st):
    """stat() following symlinks, as importlib._bootstrap_external._path_stat does."""
    cdef bytes raw = _encode(path)
    cdef const char *c_path
    cdef int rc
    if raw is None:
        return MISSING
    c_path = raw
    with nogil:
        rc = c_stat(c_path, st)
    if rc != 0:
        return MISSING
    if S_ISREG(st.st_mode):
        return REGULAR
    if S_ISDIR(st.st_mode):
        return DIRECTORY
    return OTHER


cdef inline long long _mtime_ns(struct_stat *st):
    return <long long>st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec


cdef frozenset _listdir(str path, bint lower):
    """os.listdir as a frozenset; empty where the directory cannot be read."""
    cdef bytes raw = _encode(path)
    cdef DIR *handle
    cdef dirent *entry
    cdef list names = []
    cdef str name
    if raw is None:
        return frozenset()
    handle = opendir(raw)
    if handle == NULL:
        return frozenset()
    try:
        while True:
            entry = readdir(handle)
            if entry == NULL:
                break
            if entry.d_name[0] == b"." and (
                entry.d_name[1] == 0 or (entry.d_name[1] == b"." and entry.d_name[2] == 0)
            ):
                continue
            name = PyUnicode_DecodeFSDefault(entry.d_name)
            names.append(name.lower() if lower else name)
    finally:
        closedir(handle)
    return frozenset(names)


cdef inline str _path_join(str head, str tail):
    # importlib._bootstrap_external._path_join for two non-empty parts (POSIX).
    return head.rstrip("/") + "/" + tail


cdef class _DirFinder:
    """One directory on the path: FileFinder with a listing taken once."""

    cdef PathCore core
    cdef readonly str path
    cdef frozenset _cache

    def __cinit__(self, PathCore core, str path):
        self.core = core
        self.path = path
        self._cache = None

    cpdef tuple find_spec(self, str tail_module):
        # Mirrors importlib._bootstrap_external.FileFinder.find_spec (3.10–3.13).
        cdef struct_stat st
        cdef bint relax = self.core.relax_case
        cdef bint is_namespace = False
        cdef str cache_module, base_path = "", full_path, suffix
        cdef tuple pair
        if self._cache is None:
            self._cache = _listdir(self.path, relax)
        cache_module = tail_module.lower() if relax else tail_module
        # (1) A directory of that name: a package if it holds an __init__ with a known suffix.
        if cache_module in self._cache:
            base_path = _path_join(self.path, tail_module)
            for pair in self.core.loaders:
                suffix = pair[0]
                full_path = base_path + "/__init__" + suffix
                if _stat(full_path, &st) == REGULAR:
                    return self.core.file_spec(pair[1], full_path, (base_path,), &st)
            # ... else maybe a namespace portion, if no module file follows.
            is_namespace = _stat(base_path, &st) == DIRECTORY
        # (2) A module file, suffixes in loader order.
        for pair in self.core.loaders:
            suffix = pair[0]
            if cache_module + suffix in self._cache:
                full_path = _path_join(self.path, tail_module + suffix)
                if _stat(full_path, &st) == REGULAR:
                    return self.core.file_spec(pair[1], full_path, None, &st)
        # (3) A namespace portion.
        if is_namespace:
            return (self.core.namespace_kind, None, (base_path,), None, -1, -1, -1, -1)
        return None


cdef class PathCore:
    """PathFinder over a cache of path-entry finders; keeps its listings until invalidated."""

    cdef readonly object config
    cdef tuple loaders
    cdef tuple source_suffixes
    cdef tuple bytecode_suffixes
    cdef object namespace_kind
    cdef bint relax_case
    cdef dict _finders

    def __init__(self, config):
        self.config = config
        self.loaders = tuple(config.loaders)
        self.source_suffixes = tuple(config.source_suffixes)
        self.bytecode_suffixes = tuple(config.bytecode_suffixes)
        self.namespace_kind = config.namespace_kind
        self.relax_case = config.relax_case
        self._finders = {}

    def invalidate_caches(self):
        self._finders.clear()

    cdef tuple file_spec(self, object kind, str origin, tuple search, struct_stat *st):
        """The raw spec of a file found on disk, with its cached file located and stat'ed."""
        cdef long long size = st.st_size, mtime = _mtime_ns(st)
        cdef struct_stat cst
        cdef object cached
        # Mirrors importlib._bootstrap_external._get_cached.
        if origin.endswith(self.source_suffixes):
            cached = cache_from_source(origin, self.config)
        elif origin.endswith(self.bytecode_suffixes):
            return (kind, origin, search, origin, size, mtime, size, mtime)
        else:
            cached = None
        if cached is not None and _stat(cached, &cst) == REGULAR:
            return (kind, origin, search, cached, size, mtime, cst.st_size, _mtime_ns(&cst))
        return (kind, origin, search, cached, size, mtime, -1, -1)

    cdef object _finder(self, str entry):
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories.
        cdef struct_stat st
        cdef object finder
        if not entry:
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        finder = self._finders.get(entry, self)  # self: not seen yet
        if finder is not self:
            return finder
        finder = self.config.zip_finder(entry, self.config)
        if finder is None and _stat(entry, &st) == DIRECTORY:
            # CPython takes str subclasses as path entries (and keeps an absolute one as the
            # finder's path); the C-level finder wants an exact str of the same value.
            finder = _DirFinder(
                self, PyUnicode_FromObject(finder_path(entry, self.config.minor_version))
            )
        self._finders[entry] = finder
        return finder

    def find_spec(self, fullname, path):
        """PathFinder.find_spec: the first entry with a module or package wins; namespace
        portions are collected across all entries."""
        # Mirrors importlib._bootstrap_external.PathFinder._get_spec and find_spec.
        # fullname may be a str subclass, as in CPython; rpartition can hand it back unchanged.
        cdef str tail_module = PyUnicode_FromObject(fullname.rpartition(".")[2])
        cdef list namespace_path = []
        cdef object finder, entry
        cdef tuple raw
        for entry in path:
            # bytes entries are skipped too: 3.10 raises TypeError on them, later versions
            # find nothing there.
            if not isinstance(entry, str):
                continue
            finder = self._finder(<str>entry)
            if finder is None:
                continue
            if type(finder) is _DirFinder:
                raw = (<_DirFinder>finder).find_spec(tail_module)
            else:
                raw = finder.find_spec(tail_module)
            if raw is None:
                continue
            if raw[0] is not self.namespace_kind:
                return raw
            namespace_path.extend(raw[2])
        if namespace_path:
            return (self.namespace_kind, None, tuple(namespace_path), None, -1, -1, -1, -1)
        return None
