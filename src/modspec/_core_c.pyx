# cython: language_level=3, boundscheck=False, wraparound=False, embedsignature=True
"""Cython resolution core: _core_py's finders, step for step, with stat and readdir in C.

The same functions in the same order as the pure twin, under the same names. What only C
needs is marked "C only": hashed listings (_core_listing.pxi), the system calls
(_core_os.pxi), the raw spec spelled for C (_core_rawspec.pxi), stats relative to a directory
held open, and found files stat'ed by a second thread while the walk goes on
(_core_statbatch.pxi); the bulk .pyc header reader is _core_pyc.pxi.
"""

from cpython.exc cimport PyErr_CheckSignals
from libc.errno cimport ENOENT, ENOTDIR, errno
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy, strlen, strrchr
from posix.stat cimport S_ISDIR, S_ISREG, stat as c_stat, struct_stat
from posix.unistd cimport getpid
include "_core_pyc.pxi"

import os
import sys

# The kernel both cores share; asked off the hot path (once per path entry or directory, or
# where the inline fast path below does not apply).
from ._cachefile import PYCACHE, CachedCheck, cache_from_source, cached_check, pycache_suffix
from ._config import frozen_key
from ._paths import finder_path
from ._rawspec import SPEC_SLOTS
from ._spec import FileStat, Kind, Spec

__all__ = ["LAYOUT", "PathCore", "read_pyc_headers"]


cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size) except NULL
    bytes PyUnicode_EncodeFSDefault(object unicode)
    str PyUnicode_DecodeFSDefault(const char *s)
    Py_ssize_t PyBytes_GET_SIZE(object o)
    char *PyBytes_AS_STRING(object o)
    # C only: a dict sized for the entries it will get, where the walk knows how many (no
    # resizes on the way; 3.10-3.13 keep this function).
    dict _PyDict_NewPresized(Py_ssize_t minused)
    Py_ssize_t PyUnicode_FindChar(
        object unicode, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction
    ) except -2


cdef extern from *:
    """
    /* A slot descriptor's setter, called as Spec.field.__set__(obj, value) is, without the
       argument tuple; and a type's own allocator, as object.__new__ and tuple.__new__ use. */
    static int modspec_set_slot(PyObject *descr, PyObject *obj, PyObject *value) {
        return Py_TYPE(descr)->tp_descr_set(descr, obj, value);
    }
    static PyObject *modspec_alloc(PyObject *type, Py_ssize_t items) {
        return ((PyTypeObject *)type)->tp_alloc((PyTypeObject *)type, items);
    }
    /* The offset of the __slots__ member that the descriptor ``descr`` sets (what its setter
       writes to), or -1 where it is no plain writable object slot; and the write itself, for
       a slot of an object just allocated, which holds NULL (as the setter would, without its
       checks and the call). */
    #include "structmember.h"
    static Py_ssize_t modspec_slot_offset(PyObject *descr) {
        PyMemberDef *member;
        if (Py_TYPE(descr) != &PyMemberDescr_Type) return -1;
        member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY)) return -1;
        return member->offset;
    }
    static void modspec_put_slot(PyObject *obj, Py_ssize_t offset, PyObject *value) {
        PyObject **slot = (PyObject **)((char *)obj + offset);
        PyObject *old = *slot;
        Py_INCREF(value);
        *slot = value;
        Py_XDECREF(old);
    }
    /* The index of the last "." of the str ``name``, -1 where it has none, or -2 where one of
       its parts is empty ('', '.a', 'a.', 'a..b'): one pass over its characters, where
       startswith, endswith, "in" and rfind made four (-3: an error, set). */
    #define MODSPEC_SCAN_DOTS(T) { \
        const T *chars = (const T *)data; \
        for (i = 0; i < size; i++) { \
            if (chars[i] == '.') { \
                if (i == last + 1) return -2; \
                last = i; \
            } \
        } \
    }
    static Py_ssize_t modspec_last_dot(PyObject *name) {
        Py_ssize_t size, i, last = -1;
        const void *data;
        if (PyUnicode_READY(name) < 0) return -3;
        size = PyUnicode_GET_LENGTH(name);
        data = PyUnicode_DATA(name);
        switch (PyUnicode_KIND(name)) {
        case PyUnicode_1BYTE_KIND: MODSPEC_SCAN_DOTS(Py_UCS1) break;
        case PyUnicode_2BYTE_KIND: MODSPEC_SCAN_DOTS(Py_UCS2) break;
        default: MODSPEC_SCAN_DOTS(Py_UCS4) break;
        }
        return (size == 0 || last == size - 1) ? -2 : last;
    }
    /* name.startswith(prefix), for a prefix no longer than name: one memcmp where both are
       spelled with characters of one size (-1: an error, set). */
    static int modspec_starts_with(PyObject *name, PyObject *prefix) {
        Py_ssize_t size = PyUnicode_GET_LENGTH(prefix);
        if (PyUnicode_KIND(name) == PyUnicode_KIND(prefix))
            return memcmp(PyUnicode_DATA(name), PyUnicode_DATA(prefix),
                          size * PyUnicode_KIND(name)) == 0;
        return (int)PyUnicode_Tailmatch(name, prefix, 0, size, -1);
    }
    """
    Py_ssize_t _slot_offset "modspec_slot_offset"(object descr)
    void _put_slot "modspec_put_slot"(object obj, Py_ssize_t offset, object value)
    int _set_slot "modspec_set_slot"(object descr, object obj, object value) except -1
    Py_ssize_t _last_dot "modspec_last_dot"(str name) except -3
    int _starts_with "modspec_starts_with"(str name, str prefix) except -1
    object _alloc "modspec_alloc"(object type, Py_ssize_t items)
    void PyTuple_SET_ITEM(object tuple, Py_ssize_t index, object item)
    void Py_INCREF(object obj)


include "_core_os.pxi"
include "_core_rawspec.pxi"


cdef str _path_join(str head, str tail, str suffix=""):
    # importlib._bootstrap_external._path_join for two non-empty parts (POSIX), the second
    # given as tail + suffix: the f-string makes one str where "+" made one per part.
    if head.endswith("/"):
        head = head.rstrip("/")
    return f"{head}/{tail}{suffix}"


include "_core_listing.pxi"


cdef inline str _tail(str fullname, Py_ssize_t start):
    # C only: fullname[start:], the tail module, where start follows fullname's last dot.
    return fullname[start:] if start else fullname


cdef class _DirFinder:
    """One directory on the path: FileFinder over a listing taken once."""

    cdef PathCore core
    cdef readonly str path
    cdef _Listing listing
    # C only: what find_spec answered for each tail module before any stat of its own (a
    # file readdir typed as regular, nothing, a namespace portion), kept with the listings it
    # came from: a later call stats the same files (or has the batch stat them) with no probe,
    # no path built and no cached file located again. Keyed by the full name asked, whose
    # tail module is what follows its last dot: a planned name makes no str of its tail (two
    # full names of one tail, where two packages share this directory, get a plan each).
    # _plans_reused: the core's _listings_reused the plans were made under (it decides which
    # cached files are stat'ed).
    cdef dict _plans
    cdef bint _plans_reused

    def __cinit__(self, PathCore core, str path):
        self.core = core
        self.path = path
        self.listing = None
        self._plans = {}

    cdef tuple find_spec(self, str fullname, Py_ssize_t start):
        # C only: a plan kept from an earlier call (see _plans), within PathCore._answers;
        # the tail module is fullname[start:].
        cdef PathCore core = self.core
        cdef object plan
        cdef tuple raw
        if not core.planning:
            return self._find_spec(_tail(fullname, start), None, None)
        if self._plans_reused != core._listings_reused:
            self._plans.clear()
            self._plans_reused = core._listings_reused
        plan = self._plans.get(fullname, _NOT_SEEN)
        if plan is _NOT_SEEN:
            return self._find_spec(_tail(fullname, start), self._plans, fullname)
        if type(plan) is not _Plan:
            return <tuple>plan  # None, or a namespace portion's raw spec (never mutated)
        raw = core.plan_answer(<_Plan>plan)
        if raw is not None:
            return raw
        # That file is no longer a regular file: the other candidates, in FileFinder's order.
        return self._find_spec(_tail(fullname, start), None, None)

    cdef tuple _find_spec(self, str tail_module, dict plans, str key):
        # Mirrors importlib._bootstrap_external.FileFinder.find_spec (3.10–3.13), as _core_py
        # does. C only: one probe of the listing answers both whether the directory is listed
        # (step 1) and which module files are (step 2); files readdir typed as regular go to
        # a plan (stat'ed by the batch), the others are stat'ed here. ``plans`` (unless None)
        # keeps the answer under ``key`` where it took no stat.
        cdef PathCore core = self.core
        cdef struct_stat st
        cdef _Listing listing = self.listing, inner
        cdef bint is_namespace = False, stated = False
        cdef str cache_module, base_path = "", full_path
        cdef tuple raw
        cdef _Plan plan
        cdef long present, regular, module_present, module_regular
        cdef bint listed
        cdef Py_ssize_t bit, count = len(core.suffixes)
        if listing is None:
            listing = self.listing = core.listing(self.path)
        cache_module = tail_module.lower() if core.relax_case else tail_module
        module_present = listing.present(cache_module, core, &module_regular, &listed)
        # (1) A directory of that name: a package if it holds an __init__ with a known suffix.
        if listed:
            base_path = _path_join(self.path, tail_module)
            inner = core.listing(base_path)
            if inner.exact:
                present = inner.present("__init__", core, &regular)
            else:
                present, regular = -1, 0
            for bit in range(count):
                if present & (1 << bit):
                    full_path = _path_join(base_path, "__init__", <str>core.suffixes[bit])
                    if regular & (1 << bit) and core.planning:
                        plan = core.plan(
                            core.kinds[bit], full_path, (base_path,), inner, base_path
                        )
                        if plan is not None:
                            if plans is not None and not stated:
                                plans[key] = plan
                            stated = True
                            raw = core.plan_answer(plan)
                            if raw is not None:
                                return raw
                            continue
                    stated = True
                    if core._stat_in(0, inner, base_path, full_path, &st) == REGULAR:
                        return core.file_spec(
                            core.kinds[bit], full_path, (base_path,), &st, inner, base_path
                        )
            # ... else maybe a namespace portion, if no module file follows.
            is_namespace = inner.is_dir
            if not is_namespace and not inner.exact:
                stated = True
                is_namespace = _stat(base_path, &st) == DIRECTORY
        # (2) A module file, suffixes in loader order.
        if module_present:
            for bit in range(count):
                if module_present & (1 << bit):
                    full_path = _path_join(self.path, tail_module, <str>core.suffixes[bit])
                    if module_regular & (1 << bit) and core.planning:
                        plan = core.plan(core.kinds[bit], full_path, None, listing, self.path)
                        if plan is not None:
                            if plans is not None and not stated:
                                plans[key] = plan
                            stated = True
                            raw = core.plan_answer(plan)
                            if raw is not None:
                                return raw
                            continue
                    stated = True
                    if core._stat_in(0, listing, self.path, full_path, &st) == REGULAR:
                        return core.file_spec(
                            core.kinds[bit], full_path, None, &st, listing, self.path
                        )
        # (3) A namespace portion.
        raw = _unlocated_spec(_NAMESPACE, None, (base_path,)) if is_namespace else None
        if plans is not None and not stated:
            plans[key] = raw
        return raw


cdef class _HookFinder:
    """The finder a path hook of ``config.path_hooks`` made for an entry: it is asked with the
    full name, as a path-entry finder is, not only the tail as the standard ones are here."""

    cdef object find

    def __cinit__(self, object find):
        self.find = find


cdef object _NOT_SEEN = object()
# What a found file's cached file needs stat'ed (PathCore._locate_cached).
cdef enum CachedStat:
    NO_STAT = 0  # no cached file, or its directory lists none of that name
    STAT_CACHED = 1
    SAME_AS_ORIGIN = 2  # the origin is itself bytecode


cdef class _Plan:
    """C only: a file readdir typed as regular, to be stat'ed (PathCore.plan): the raw spec's
    fields but its stats, what of its cached file to stat, and where both are."""

    cdef object kind
    cdef str origin
    cdef tuple search
    cdef object cached
    cdef CachedStat action
    cdef _Listing home
    cdef str home_path, cached_dir
    # The raw spec the batch last completed for this file, and its four numbers (the cached
    # file's size -1 where it was missing): a later call whose stats find the same numbers
    # gives the same int objects again (_StatBatch.complete), not new ones.
    cdef tuple last
    cdef long long numbers[4]


include "_core_statbatch.pxi"


cdef class PathCore:
    """The meta path's standard finders over cached listings, kept until invalidated:
    BuiltinImporter, FrozenImporter, then PathFinder with zipimporter and FileFinder hooks."""

    cdef readonly object config
    cdef tuple suffixes
    # C only: the suffixes as the OS spells them, for _Listing.present.
    cdef Py_ssize_t suffix_count
    cdef const char **suffix_data
    cdef Py_ssize_t *suffix_sizes
    cdef bytes _suffix_bytes
    cdef tuple kinds
    cdef tuple source_suffixes
    cdef tuple bytecode_suffixes
    cdef object is_builtin
    cdef frozenset builtin_names  # the only names is_builtin may accept
    cdef object is_frozen
    cdef frozenset frozen_names  # None: is_frozen may accept any name
    cdef object frozen_spec
    cdef bint builtin_needs_top_level
    cdef bint relax_case
    cdef bint listings_exact
    # C only: ".cpython-311.pyc" where cached files go beside their sources, else None.
    cdef str pycache_suffix
    cdef tuple late_finders, path_hooks  # editable installs' hooks
    cdef object package_hook  # legacy namespace packages
    cdef dict _finders
    cdef dict _listings
    # Two directories held open (O_PATH) during a call, one for origins and one for cached
    # files: a stat relative to one walks a single path component, where an absolute path
    # walks every component again, and the sorted walk brings each directory's files together.
    # Each is known by the listing of the origins' directory, which decides the cached files'.
    cdef int _dir_fds[2]
    cdef _Listing _origin_dir, _cached_dir
    # C only, within _answers: files readdir typed as regular are taken as found, and their
    # raw specs go to _batch to be stat'ed, which completes them (see _StatBatch): from a
    # second thread while the walk goes on, in a call that finds more than a chunk, where this
    # process may run on more than one core (_threaded); with one core, all at the end, by
    # the calling thread, which then releases the GIL once a chunk, not once a stat, and
    # stats relative to the batch's held directories (python3's site-packages, a warm call on
    # one core: 52 ms of user time and 68 ms of system time, against 71 and 82 ms stat'ing
    # each file as the walk found it).
    cdef bint deferring, _threaded
    cdef _StatBatch _batch
    # C only, within _answers: a file readdir typed as regular gets a plan (PathCore.plan),
    # which its directory's finder keeps.
    cdef bint planning
    # Whether a call has completed since the listings were last dropped (_locate_cached).
    cdef bint _listings_reused
    cdef object _last_entry, _last_finder

    def __init__(self, config):
        self.config = config
        self.suffixes = tuple([suffix for suffix, _ in config.loaders])
        self._encode_suffixes()
        self.kinds = tuple([kind for _, kind in config.loaders])
        self.source_suffixes = tuple(config.source_suffixes)
        self.bytecode_suffixes = tuple(config.bytecode_suffixes)
        self.is_builtin = config.is_builtin
        self.builtin_names = config.builtin_names
        self.is_frozen = config.is_frozen
        self.frozen_names = config.frozen_names
        self.frozen_spec = config.frozen_spec
        self.builtin_needs_top_level = config.builtin_needs_top_level
        self.relax_case = config.relax_case
        self.listings_exact = config.listings_exact
        self.pycache_suffix = pycache_suffix(config) if config.pycache_prefix is None else None
        self.late_finders = tuple(config.late_finders)
        self.path_hooks = tuple(config.path_hooks)
        self.package_hook = config.package_hook
        self._finders = {}
        self._listings = {}
        self._last_entry = self._last_finder = None

    def __cinit__(self):
        self._dir_fds[0] = self._dir_fds[1] = -1

    def __dealloc__(self):
        if self._dir_fds[0] >= 0:
            c_close(self._dir_fds[0])
        if self._dir_fds[1] >= 0:
            c_close(self._dir_fds[1])
        free(self.suffix_data)
        free(self.suffix_sizes)

    cdef int _encode_suffixes(self) except -1:
        # C only: the loader suffixes as bytes, for probing listings without str objects.
        cdef list encoded = [PyUnicode_EncodeFSDefault(suffix) for suffix in self.suffixes]
        cdef Py_ssize_t bit, offset = 0
        cdef const char *joined
        self.suffix_count = len(encoded)
        if self.suffix_count >= <Py_ssize_t>(8 * sizeof(long)):
            raise ValueError(f"{self.suffix_count} loader suffixes: more than a bitmask holds")
        # One bytes object keeps every suffix alive; the arrays point into it.
        self._suffix_bytes = b"".join(encoded)
        joined = self._suffix_bytes
        free(self.suffix_data)
        free(self.suffix_sizes)
        self.suffix_data = <const char **>malloc(max(self.suffix_count, 1) * sizeof(char *))
        self.suffix_sizes = <Py_ssize_t *>malloc(max(self.suffix_count, 1) * sizeof(Py_ssize_t))
        if self.suffix_data == NULL or self.suffix_sizes == NULL:
            raise MemoryError()
        for bit in range(self.suffix_count):
            self.suffix_data[bit] = joined + offset
            self.suffix_sizes[bit] = len(<bytes>encoded[bit])
            offset += self.suffix_sizes[bit]
        return 0

    def invalidate_caches(self):
        self._finders.clear()
        self._listings.clear()
        self._listings_reused = False
        self._last_entry = self._last_finder = None

    def read_paths(self):
        # What _core_py.PathCore.read_paths says.
        return [*self._listings, *map(str.__str__, self._finders)]

    cdef void _close_directories(self) noexcept:
        # C only. Open only within one call: a later call must see a directory replaced
        # meanwhile.
        cdef int slot
        for slot in range(2):
            if self._dir_fds[slot] >= 0:
                c_close(self._dir_fds[slot])
            self._dir_fds[slot] = -1
        self._origin_dir = self._cached_dir = None

    cdef FileType _stat_in(
        self, int slot, _Listing home, str directory, str path, struct_stat *st
    ):
        """C only: _stat(path), for a file ``path`` directly in ``directory``: its last component,
        stat'ed relative to the directory held open in ``slot``. ``home`` is the listing of the
        origins' directory: ``directory`` itself for an origin, its cache for a cached file."""
        cdef const char *c_path
        cdef const char *name
        cdef Py_ssize_t size
        cdef bytes raw
        cdef int fd, rc
        if not _UTF8_FS:
            return _stat(path, st)
        try:
            c_path = PyUnicode_AsUTF8AndSize(path, &size)
        except UnicodeError:
            return _stat(path, st)
        # An embedded NUL is _stat's to judge; a path of PATH_MAX bytes or more fails there
        # with ENAMETOOLONG, and must fail here too.
        if strlen(c_path) != <size_t>size or size >= PATH_MAX:
            return _stat(path, st)
        if (self._origin_dir if slot == 0 else self._cached_dir) is not home:
            if self._dir_fds[slot] >= 0:
                c_close(self._dir_fds[slot])
            raw = _encode(directory)
            self._dir_fds[slot] = -1 if raw is None else c_open(
                raw, O_PATH | O_DIRECTORY | O_CLOEXEC
            )
            if slot == 0:
                self._origin_dir = home
            else:
                self._cached_dir = home
        fd = self._dir_fds[slot]
        if fd < 0:
            return _stat(path, st)
        # The callers' paths are directory + "/" + one listed name (no "/" in it), so that
        # name is what follows the last "/".
        name = strrchr(c_path, b"/")
        with nogil:
            rc = fstatat(fd, name + 1, st, 0)
        return _file_type(rc, st)

    cdef _Listing listing(self, str path):
        """The listing of the directory ``path``, taken on first use."""
        cdef _Listing found = self._listings.get(path)
        if found is None:
            found = list_directory(path, self)
            self._listings[path] = found
        return found

    cdef object _cache_from_source(self, str origin):
        # C only: cache_from_source's common case inline (no prefix, a cache tag, a dotted
        # file name in a plain directory); everything else asks the kernel's mirror. By index,
        # not by rpartition: head is origin[:slash], the file's base name origin[slash + 1:dot].
        cdef Py_ssize_t slash, dot, size = len(origin)
        if self.pycache_suffix is not None:
            slash = PyUnicode_FindChar(origin, "/", 0, size, -1)
            dot = PyUnicode_FindChar(origin, ".", slash + 1, size, -1)
            if slash > 0 and dot > slash + 1 and origin[slash - 1] != "/":
                return f"{origin[:slash]}/{PYCACHE}/{origin[slash + 1:dot]}{self.pycache_suffix}"
        return cache_from_source(origin, self.config)

    cdef object _locate_cached(
        self, str origin, _Listing home, str home_path, CachedStat *action
    ):
        """The cached file of ``origin`` (found in the directory ``home_path``, listed as
        ``home``), and in ``action`` what of it needs a stat."""
        cdef object cached
        cdef Py_ssize_t slash
        cdef _Listing listing
        cdef int check
        action[0] = NO_STAT
        # Mirrors importlib._bootstrap_external._get_cached (_cachefile.get_cached).
        if origin.endswith(self.source_suffixes):
            cached = self._cache_from_source(origin)
        elif origin.endswith(self.bytecode_suffixes):
            action[0] = SAME_AS_ORIGIN
            return origin
        else:
            return None
        if cached is None:
            return None
        check = home.cached_check(home_path, self)
        if check == _CHECK_NONE:
            return cached
        if check == _CHECK_STAT:
            action[0] = STAT_CACHED
            return cached
        slash = PyUnicode_FindChar(cached, "/", 0, len(<str>cached), -1)
        listing = home.cached_listing
        if listing is None:
            # The same for every source in home: it depends on the directory alone.
            listing = home.cached_listing = self.listing(
                (<str>cached)[:slash] if slash > 0 else "/"
            )
        if not listing.exact or listing.has((<str>cached)[slash + 1:]):
            action[0] = STAT_CACHED
        return cached

    cdef tuple file_spec(
        self, object kind, str origin, tuple search, struct_stat *st, _Listing home,
        str home_path
    ):
        """The raw spec of a file found on disk (in the directory ``home_path``, listed as
        ``home``), with its cached file located and stat'ed."""
        cdef CachedStat action
        cdef object cached = self._locate_cached(origin, home, home_path, &action)
        return self._stat_spec(kind, origin, search, st, cached, action, home, None)

    cdef tuple _stat_spec(
        self, object kind, str origin, tuple search, struct_stat *st, object cached,
        CachedStat action, _Listing home, str cached_dir
    ):
        # C only: file_spec's raw spec once its cached file is located (``cached_dir``: its
        # directory, or None to work it out).
        cdef long long size = st.st_size, mtime = _mtime_ns(st)
        cdef struct_stat cst
        if action == SAME_AS_ORIGIN:
            return _file_spec(kind, origin, search, origin, size, mtime, size, mtime)
        if action == STAT_CACHED and self._stat_in(
            1, home, cached_dir or (<str>cached).rpartition("/")[0] or "/", cached, &cst
        ) == REGULAR:
            return _file_spec(
                kind, origin, search, cached, size, mtime, cst.st_size, _mtime_ns(&cst)
            )
        return _file_spec(kind, origin, search, cached, size, mtime, _NO_FILE, _NO_FILE)

    cdef _Plan plan(
        self, object kind, str origin, tuple search, _Listing home, str home_path
    ):
        """C only: what file_spec needs of a file readdir typed as regular, but its stats
        (plan_answer makes them); None where a path is not one stat() takes as it is
        (file_spec judges those)."""
        cdef CachedStat action
        cdef object cached
        cdef _Plan plan
        if not _plain(origin):
            return None
        cached = self._locate_cached(origin, home, home_path, &action)
        if action == STAT_CACHED and not _plain(cached):
            return None
        plan = _Plan.__new__(_Plan)
        plan.kind, plan.origin, plan.search, plan.cached, plan.action = (
            kind, origin, search, cached, action
        )
        plan.home, plan.home_path = home, home_path
        return plan

    cdef tuple plan_answer(self, _Plan plan):
        """C only: the raw spec of ``plan``'s file: pending, its stats queued in _batch, where
        deferring; else stat'ed now, and None where it is no longer a regular file."""
        cdef struct_stat st
        if self.deferring:
            if self._batch is None:
                self._batch = _StatBatch()
                self._batch.threaded = self._threaded
            return self._batch.defer(plan)
        if self._stat_in(0, plan.home, plan.home_path, plan.origin, &st) != REGULAR:
            return None
        if plan.cached_dir is None and plan.action == STAT_CACHED:
            # Worked out here, where it is used: the batch, which stats most plans, has no
            # need of it (an rpartition a found file: 3% of a cold call).
            plan.cached_dir = (<str>plan.cached).rpartition("/")[0] or "/"
        return self._stat_spec(
            plan.kind, plan.origin, plan.search, &st, plan.cached, plan.action, plan.home,
            plan.cached_dir
        )

    cdef object _finder(self, object entry):
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories. As
        # there, the entry object keys the cache and is given to the hooks (a str subclass's
        # own __eq__ and __hash__ count), and the file system gets its str value (os.stat
        # takes a str as it is, never asking __fspath__ or __str__).
        cdef struct_stat st
        cdef object finder, path
        cdef str value
        cdef _Listing listed
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        if entry is self._last_entry:
            return self._last_finder  # siblings share their parent's search location
        finder = self._finders.get(entry, _NOT_SEEN)
        if finder is not _NOT_SEEN:
            self._last_entry, self._last_finder = entry, finder
            return finder
        value = <str>entry if type(entry) is str else str.__str__(entry)
        listed = self._listings.get(value)
        if listed is not None and listed.is_dir and value.startswith("/"):
            # A package's directory, listed when the package was found: no zip archive, and
            # FileFinder keeps an absolute path as it is.
            finder = _DirFinder(self, value)
        else:
            finder = self.config.zip_finder(value, self.config)
            if finder is None and _stat(value, &st) == DIRECTORY:
                path = finder_path(entry, self.config.minor_version)
                finder = _DirFinder(self, path if type(path) is str else str.__str__(path))
            if finder is None:
                finder = self._hook_finder(entry)
        self._finders[entry] = finder
        return finder

    cdef _HookFinder _hook_finder(self, object entry):
        # sys.path_hooks after the standard two (an editable install's placeholder entry).
        for hook in self.path_hooks:
            find = hook(entry)
            if find is not None:
                return _HookFinder(find)
        return None

    def find_spec(self, str fullname, object path):
        """PathFinder.find_spec: the first entry with a module or package wins; namespace
        portions are collected across all entries."""
        # Asked by hooks too, within _answers: their answers are used at once, so not deferred.
        cdef bint deferring = self.deferring
        self.deferring = False
        try:
            return self._find_spec(
                fullname, PyUnicode_FindChar(fullname, ".", 0, len(fullname), -1) + 1, path
            )
        finally:
            self.deferring = deferring
            self._close_directories()

    cdef tuple _find_spec(self, str fullname, Py_ssize_t start, object path):
        # Mirrors importlib._bootstrap_external.PathFinder._get_spec and find_spec, as
        # find_spec does in _core_py; C only: the tail module, what follows fullname's last
        # dot, is fullname[start:], made into a str only where a finder needs one.
        cdef list namespace_path = []
        cdef object finder, entry
        cdef tuple raw
        for entry in path:
            # C only: Python code checks for signals as it runs; a loop in C must ask.
            PyErr_CheckSignals()
            # bytes entries are skipped too: 3.10 raises TypeError on them, later versions
            # find nothing there.
            if not isinstance(entry, str):
                continue
            finder = self._finder(entry)
            if finder is None:
                continue
            if type(finder) is _DirFinder:
                raw = (<_DirFinder>finder).find_spec(fullname, start)
            elif type(finder) is _HookFinder:
                raw = (<_HookFinder>finder).find(fullname)
            else:
                raw = finder.find_spec(_tail(fullname, start))
            if raw is None:
                continue
            if raw[_KIND] is not _NAMESPACE:
                return raw
            namespace_path.extend(raw[_SEARCH])
        if namespace_path:
            return _unlocated_spec(_NAMESPACE, None, tuple(namespace_path))
        return None

    cdef tuple _find_on(self, str fullname, Py_ssize_t start, object path, bint top_level):
        # sys.meta_path's standard order: BuiltinImporter, FrozenImporter, PathFinder.
        # fullname[start:]: what follows fullname's last dot.
        cdef tuple frozen, found
        try:
            if (
                (top_level or not self.builtin_needs_top_level)
                and fullname in self.builtin_names
                and self.is_builtin(fullname)
            ):
                return _unlocated_spec(_BUILTIN, "built-in", None)
            # C only: frozen_key changes only a name that holds a NUL, so only such a name pays
            # for the call to it; every other name is its own key.
            if (
                self.frozen_names is None
                or (
                    fullname
                    if PyUnicode_FindChar(fullname, 0, 0, len(fullname), 1) < 0
                    else frozen_key(fullname)
                ) in self.frozen_names
            ) and self.is_frozen(fullname):
                frozen = self.frozen_spec(fullname)
                if frozen is not None:
                    return frozen
        except (ImportError, ValueError):
            pass  # NUL bytes, lone surrogates, excluded frozen modules: not those finders'
        found = self._find_spec(fullname, start, path)
        if found is None:
            # sys.meta_path's finders after PathFinder, in order (editable installs' hooks).
            for late_finder in self.late_finders:
                found = late_finder(fullname, self.find_spec)
                if found is not None:
                    break
        return found

    def find_many(self, fullnames, path):
        """The raw spec of each absolute name (None: not found), parents searched first."""
        cdef dict memo = self._answers(fullnames, path)
        return [memo[fullname] for fullname in fullnames]

    def find_specs(self, dict wanted, path):
        """find_many's answers as Specs: for each name of ``wanted`` (which maps it to its
        absolute name), in its order, the Spec of that absolute name, or None."""
        cdef dict memo = self._answers(list(wanted.values()), path)
        cdef dict specs = _PyDict_NewPresized(len(wanted))
        cdef object name, fullname
        for name, fullname in wanted.items():
            specs[name] = _make_spec(fullname, memo[fullname])
        return specs

    cdef dict _answers(self, fullnames, path):
        # C only: _find_all with the stat batch, whose raw specs complete() fills in.
        cdef dict memo
        # A package hook reads its raw specs' fields, so its answers are never deferred.
        self.planning = _UTF8_FS and self.package_hook is None
        self.deferring = self.planning
        self._threaded = _cores_allowed() > 1
        try:
            memo = self._find_all(fullnames, path)
            if self._batch is not None and not self._batch.complete():
                self.deferring = False
                self._batch = None
                memo = self._find_all(fullnames, path)
        finally:
            self.deferring = self.planning = False
            self._batch = None  # its thread, if any, has ended (finish(), or its __dealloc__)
            self._close_directories()
        self._listings_reused = True
        return memo

    cdef dict _find_all(self, fullnames, path):
        # Mirrors importlib._bootstrap._find_and_load_unlocked's search, as _core_py does.
        # In sorted order siblings come together, so their parent's answer is at hand without
        # a probe into a memo of every name; the answers do not depend on the order.
        cdef list ordered = sorted(fullnames)
        cdef dict memo = _PyDict_NewPresized(len(ordered))
        cdef str fullname, parent_name, last_parent = None
        cdef object raw, search, last_raw = None
        cdef Py_ssize_t dot
        for fullname in ordered:
            PyErr_CheckSignals()  # C only, as in _find_spec
            if fullname in memo:
                continue
            # fullname.rpartition("."), C only by index, in the pass that finds empty parts: a
            # sibling of the name before makes no str of its parent's name.
            dot = _last_dot(fullname)
            if dot == -2:
                memo[fullname] = None  # '', 'a.', 'a..b': no module has an empty name part
                continue
            if dot < 0:
                memo[fullname] = self._answer(fullname, 0, path, True)
                continue
            if (
                last_parent is not None
                and dot == len(last_parent)
                and _starts_with(fullname, last_parent)
            ):
                raw = last_raw
            else:
                parent_name = fullname[:dot]
                raw = memo.get(parent_name, _NOT_SEEN)
                if raw is _NOT_SEEN:
                    raw = self._parent_answer(fullname, dot, memo, path)
                last_parent, last_raw = parent_name, raw
            search = None if raw is None else (<tuple>raw)[_SEARCH]
            memo[fullname] = None if search is None else self._answer(
                fullname, dot + 1, search, False
            )
        return memo

    cdef object _parent_answer(self, str fullname, Py_ssize_t parent_end, dict memo, path):
        """The answer of ``fullname``'s parent, ``fullname[:parent_end]``: its ancestors not
        answered yet are, from the top down, up to the first one not found or not a package,
        whose descendants are all None. A name of P parts makes a str per part answered, not
        one per prefix (P prefixes: quadratic)."""
        cdef Py_ssize_t start = 0, end
        cdef object raw, search = path
        cdef str name
        while True:
            end = PyUnicode_FindChar(fullname, ".", start, parent_end + 1, 1)
            name = fullname[:end]
            raw = memo.get(name, _NOT_SEEN)
            if raw is _NOT_SEEN:
                raw = memo[name] = self._answer(name, start, search, start == 0)
            if end == parent_end:
                return raw
            search = None if raw is None else (<tuple>raw)[_SEARCH]
            if search is None:
                return None
            start = end + 1

    cdef object _answer(self, str name, Py_ssize_t start, object search, bint top_level):
        # The answer of ``name`` (``name[start:]``: what follows its last dot), ``search``
        # being its parent's search locations, or the path for a top-level name.
        cdef object raw = self._find_on(name, start, search, top_level)
        if self.package_hook is not None and raw is not None and (<tuple>raw)[_SEARCH] is not None:
            # What the package's own code makes of its __path__ (legacy namespaces).
            raw = self.package_hook(name, raw, search, self.find_spec)
        return raw
