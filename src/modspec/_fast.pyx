# cython: language_level=3, boundscheck=False, wraparound=False, embedsignature=True
"""Cython resolution core: _core's finders over the same listings, with stat and readdir in C."""

from libc.errno cimport ENOENT, ENOTDIR, errno
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy, strlen, strrchr
from posix.stat cimport S_ISDIR, S_ISREG, stat as c_stat, struct_stat
include "_pyc.pxi"

import os
import sys

# Not on the hot path (once per path entry, once per found source file): shared with the twin.
from ._core import SPEC_SLOTS, cache_from_source, finder_path
from ._spec import FileStat, Spec

__all__ = ["PathCore"]


cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size) except NULL
    bytes PyUnicode_EncodeFSDefault(object unicode)
    str PyUnicode_DecodeFSDefault(const char *s)
    Py_ssize_t PyBytes_GET_SIZE(object o)
    char *PyBytes_AS_STRING(object o)
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
    /* Replaces a tuple's item, whatever the tuple's reference count (PyTuple_SetItem wants 1):
       for raw specs made by this module and not yet seen outside it. */
    static void modspec_fill(PyObject *tuple, Py_ssize_t index, PyObject *value) {
        PyObject *old = PyTuple_GET_ITEM(tuple, index);
        Py_INCREF(value);
        PyTuple_SET_ITEM(tuple, index, value);
        Py_DECREF(old);
    }
    """
    int _set_slot "modspec_set_slot"(object descr, object obj, object value) except -1
    object _alloc "modspec_alloc"(object type, Py_ssize_t items)
    void _fill "modspec_fill"(tuple raw, Py_ssize_t index, object value)
    void PyTuple_SET_ITEM(object tuple, Py_ssize_t index, object item)
    void Py_INCREF(object obj)


cdef extern from "<fcntl.h>" nogil:
    enum:
        O_PATH
        O_DIRECTORY
        O_CLOEXEC
    int c_open "open"(const char *path, int flags)
    int fstatat(int dirfd, const char *path, struct_stat *st, int flags)


cdef extern from "<unistd.h>" nogil:
    int c_close "close"(int fd)


cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    int pthread_create(
        pthread_t *thread, const void *attr, void *(*run)(void *) noexcept nogil, void *arg
    )
    int pthread_join(pthread_t thread, void **result)


cdef extern from "<limits.h>" nogil:
    enum:
        PATH_MAX


cdef extern from "<dirent.h>" nogil:
    ctypedef struct DIR:
        pass
    enum:
        DT_REG
    struct dirent:
        unsigned char d_type
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


# Where the file system encoding is UTF-8 with surrogateescape (Linux's), a str's own cached
# UTF-8 form is the bytes the OS wants, with no copy; other strings take the general route.
cdef bint _UTF8_FS = (
    sys.getfilesystemencoding() == "utf-8" and sys.getfilesystemencodeerrors() == "surrogateescape"
)


cdef FileType _stat(str path, struct_stat *st):
    """stat() following symlinks, as importlib._bootstrap_external._path_stat does."""
    cdef bytes raw
    cdef const char *c_path = NULL
    cdef Py_ssize_t size
    cdef int rc
    if _UTF8_FS:
        try:
            c_path = PyUnicode_AsUTF8AndSize(path, &size)
        except UnicodeError:
            c_path = NULL  # lone surrogates: surrogateescape decides, below
        else:
            if strlen(c_path) != <size_t>size:
                return MISSING  # an embedded NUL: CPython's stat raises ValueError
    if c_path == NULL:
        raw = _encode(path)
        if raw is None:
            return MISSING
        c_path = raw
    with nogil:
        rc = c_stat(c_path, st)
    return _file_type(rc, st)


cdef inline FileType _file_type(int rc, struct_stat *st) noexcept nogil:
    """What a stat call that returned ``rc`` into ``st`` found."""
    if rc != 0:
        return MISSING
    if S_ISREG(st.st_mode):
        return REGULAR
    if S_ISDIR(st.st_mode):
        return DIRECTORY
    return OTHER


cdef inline long long _mtime_ns(struct_stat *st) noexcept nogil:
    return <long long>st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec


cdef str _path_join(str head, str tail, str suffix=""):
    # importlib._bootstrap_external._path_join for two non-empty parts (POSIX), the second
    # given as tail + suffix: the f-string makes one str where "+" made one per part.
    if head.endswith("/"):
        head = head.rstrip("/")
    return f"{head}/{tail}{suffix}"


# FNV-1a: it hashes byte by byte, so a stem's hash extends to stem + suffix without hashing
# the stem again for each suffix.
cdef uint64_t _HASH_START = 0xcbf29ce484222325


cdef inline uint64_t _hash_more(uint64_t h, const char *s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ <unsigned char>s[i]) * <uint64_t>0x100000001b3
    return h


cdef class _Listing:
    """A directory listed once: its entry names as the OS gave them (bytes, back to back in one
    buffer) under an open-addressing hash table, so that a candidate (``stem + suffix``) is
    looked up with no Python str made per entry or per probe."""

    cdef char *_data
    # Entry i is _data[_starts[i]:_starts[i + 1]].
    cdef Py_ssize_t *_starts
    cdef uint64_t *_hashes
    # Entry i's d_type, as readdir gave it.
    cdef unsigned char *_types
    # Slots hold an entry's index + 1; 0 marks an empty slot.
    cdef Py_ssize_t *_table
    cdef Py_ssize_t _mask, _count, _data_size, _data_capacity, _starts_capacity
    # Listing succeeded, so this is a directory (symlinks followed).
    cdef bint is_dir
    # The listing is the whole truth (it succeeded, or there is no such directory), so a
    # name missing from it needs no stat to be ruled out.
    cdef bint exact
    # The listing of the directory that holds the bytecode of this one's sources.
    cdef _Listing cached_listing
    # Whether __pycache__ is listed: 0 not asked yet, 1 no, 2 yes (lists_pycache).
    cdef char _pycache

    def __dealloc__(self):
        free(self._data)
        free(self._starts)
        free(self._hashes)
        free(self._table)
        free(self._types)

    cdef int _add(self, const char *name, Py_ssize_t size, unsigned char d_type) except -1:
        cdef void *grown
        if self._data_size + size > self._data_capacity:
            self._data_capacity = max(2 * self._data_capacity, self._data_size + size, 1024)
            grown = realloc(self._data, self._data_capacity)
            if grown == NULL:
                raise MemoryError()
            self._data = <char *>grown
        if self._count + 2 > self._starts_capacity:
            self._starts_capacity = max(2 * self._starts_capacity, 64)
            grown = realloc(self._starts, self._starts_capacity * sizeof(Py_ssize_t))
            if grown == NULL:
                raise MemoryError()
            self._starts = <Py_ssize_t *>grown
            grown = realloc(self._types, self._starts_capacity)
            if grown == NULL:
                raise MemoryError()
            self._types = <unsigned char *>grown
        self._types[self._count] = d_type
        if self._count == 0:
            self._starts[0] = 0
        memcpy(self._data + self._data_size, name, size)
        self._data_size += size
        self._count += 1
        self._starts[self._count] = self._data_size
        return 0

    cdef int _index(self) except -1:
        cdef Py_ssize_t i, slot, size = 8, start
        cdef uint64_t h
        cdef void *trimmed
        if self._count == 0:
            return 0
        # Listings live until invalidated: give back the slack of the growing buffers.
        trimmed = realloc(self._data, self._data_size)
        if trimmed != NULL:
            self._data = <char *>trimmed
        trimmed = realloc(self._starts, (self._count + 1) * sizeof(Py_ssize_t))
        if trimmed != NULL:
            self._starts = <Py_ssize_t *>trimmed
        while size < 2 * self._count:
            size *= 2
        self._mask = size - 1
        self._table = <Py_ssize_t *>calloc(size, sizeof(Py_ssize_t))
        self._hashes = <uint64_t *>malloc(self._count * sizeof(uint64_t))
        if self._table == NULL or self._hashes == NULL:
            raise MemoryError()
        for i in range(self._count):
            start = self._starts[i]
            h = self._hashes[i] = _hash_more(_HASH_START, self._data + start, self._starts[i + 1] - start)
            slot = <Py_ssize_t>(h ^ (h >> 32)) & self._mask
            while self._table[slot] != 0:
                slot = (slot + 1) & self._mask
            self._table[slot] = i + 1
        return 0

    cdef Py_ssize_t _probe(
        self, uint64_t h, const char *head, Py_ssize_t head_size, const char *tail,
        Py_ssize_t tail_size
    ) noexcept:
        # The index of the entry head + tail (h: its hash), or -1 where it is not listed.
        cdef Py_ssize_t slot, index, start
        if self._count == 0:
            return -1
        slot = <Py_ssize_t>(h ^ (h >> 32)) & self._mask
        while True:
            index = self._table[slot]
            if index == 0:
                return -1
            index -= 1
            if self._hashes[index] == h:
                start = self._starts[index]
                if (
                    self._starts[index + 1] - start == head_size + tail_size
                    and memcmp(self._data + start, head, head_size) == 0
                    and memcmp(self._data + start + head_size, tail, tail_size) == 0
                ):
                    return index
            slot = (slot + 1) & self._mask

    cdef bint has(self, str name) except -1:
        """Whether ``name`` is listed."""
        cdef Py_ssize_t size
        cdef const char *key
        cdef object keep = _name_key(name)
        if keep is None:
            return False  # no entry the OS gives could decode to this name
        key = _key_data(keep, &size)
        return self._probe(_hash_more(_HASH_START, key, size), key, size, NULL, 0) >= 0

    cdef bint lists_pycache(self) except -1:
        """Whether ``__pycache__`` is listed (asked for each source found here)."""
        if self._pycache == 0:
            self._pycache = 2 if self.has("__pycache__") else 1
        return self._pycache == 2

    cdef long present(self, str stem, PathCore core, long *regular, bint *bare=NULL) except -1:
        """The bitmask of loader suffixes listed after ``stem`` (bit i: ``stem + suffix i``);
        ``regular`` gets the bits of those readdir typed as regular files (not symlinks), and
        ``bare`` (unless NULL) whether ``stem`` itself is listed: one hash of the stem for all."""
        cdef Py_ssize_t size, bit, index
        cdef const char *key
        cdef object keep
        cdef uint64_t h
        cdef long found = 0
        regular[0] = 0
        if bare != NULL:
            bare[0] = False
        if not stem or self._count == 0:
            return 0  # an entry named as a bare suffix has no module stem
        keep = _name_key(stem)
        if keep is None:
            return 0
        key = _key_data(keep, &size)
        h = _hash_more(_HASH_START, key, size)
        if bare != NULL:
            bare[0] = self._probe(h, key, size, NULL, 0) >= 0
        for bit in range(core.suffix_count):
            index = self._probe(
                _hash_more(h, core.suffix_data[bit], core.suffix_sizes[bit]),
                key,
                size,
                core.suffix_data[bit],
                core.suffix_sizes[bit],
            )
            if index >= 0:
                found |= 1 << bit
                if self._types[index] == DT_REG:
                    regular[0] |= 1 << bit
        return found


cdef object _name_key(str name):
    # What holds the bytes the OS would give for an entry that decodes to ``name`` (os.fsdecode's
    # inverse): the str itself where its cached UTF-8 form is those bytes, else their encoded
    # copy; None where there are none.
    if _UTF8_FS:
        try:
            PyUnicode_AsUTF8AndSize(name, NULL)
        except UnicodeError:
            pass  # lone surrogates: surrogateescape decides, below
        else:
            return name
    return _encode(name)


cdef inline const char *_key_data(object key, Py_ssize_t *size) except NULL:
    if type(key) is str:
        return PyUnicode_AsUTF8AndSize(key, size)
    size[0] = PyBytes_GET_SIZE(key)
    return PyBytes_AS_STRING(key)


cdef _Listing _list_directory(str path, PathCore core):
    """``path``'s listing as FileFinder._fill_cache takes it: empty where it cannot be read."""
    # Mirrors importlib._bootstrap_external.FileFinder._fill_cache (POSIX), as _core does.
    cdef _Listing listing = _Listing.__new__(_Listing)
    cdef bytes raw = _encode(path), lowered
    cdef DIR *handle = NULL
    cdef dirent *entry
    cdef int error = 0
    if raw is not None:
        handle = opendir(raw)
        if handle == NULL:
            error = errno
    listing.is_dir = handle != NULL
    listing.exact = core.listings_exact and (handle != NULL or error in (ENOENT, ENOTDIR))
    if handle != NULL:
        try:
            while True:
                entry = readdir(handle)
                if entry == NULL:
                    break
                if entry.d_name[0] == b"." and (
                    entry.d_name[1] == 0 or (entry.d_name[1] == b"." and entry.d_name[2] == 0)
                ):
                    continue
                if core.relax_case:
                    # str.lower(), as the twin has it: not an ASCII lowering of the bytes.
                    lowered = PyUnicode_EncodeFSDefault(
                        PyUnicode_DecodeFSDefault(entry.d_name).lower()
                    )
                    listing._add(lowered, len(lowered), entry.d_type)
                else:
                    listing._add(entry.d_name, strlen(entry.d_name), entry.d_type)
        finally:
            closedir(handle)
    listing._index()
    return listing


cdef class _DirFinder:
    """One directory on the path: FileFinder over a listing taken once."""

    cdef PathCore core
    cdef readonly str path
    cdef _Listing listing

    def __cinit__(self, PathCore core, str path):
        self.core = core
        self.path = path
        self.listing = None

    cdef tuple find_spec(self, str tail_module):
        # Mirrors importlib._bootstrap_external.FileFinder.find_spec (3.10–3.13), as _core does.
        cdef PathCore core = self.core
        cdef struct_stat st
        cdef _Listing listing = self.listing, inner
        cdef bint is_namespace = False
        cdef str cache_module, base_path = "", full_path
        cdef tuple raw
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
                    if regular & (1 << bit) and core.deferring:
                        raw = core.deferred_spec(core.kinds[bit], full_path, (base_path,), inner)
                        if raw is not None:
                            return raw
                    if core._stat_in(0, inner, base_path, full_path, &st) == REGULAR:
                        return core.file_spec(
                            core.kinds[bit], full_path, (base_path,), &st, inner
                        )
            # ... else maybe a namespace portion, if no module file follows.
            is_namespace = inner.is_dir or (
                not inner.exact and _stat(base_path, &st) == DIRECTORY
            )
        # (2) A module file, suffixes in loader order.
        if module_present:
            for bit in range(count):
                if module_present & (1 << bit):
                    full_path = _path_join(self.path, tail_module, <str>core.suffixes[bit])
                    if module_regular & (1 << bit) and core.deferring:
                        raw = core.deferred_spec(core.kinds[bit], full_path, None, listing)
                        if raw is not None:
                            return raw
                    if core._stat_in(0, listing, self.path, full_path, &st) == REGULAR:
                        return core.file_spec(core.kinds[bit], full_path, None, &st, listing)
        # (3) A namespace portion.
        if is_namespace:
            return (core.namespace_kind, None, (base_path,), None, -1, -1, -1, -1)
        return None


# --- editable installs and legacy namespaces (as in _core): extra finders and hooks ---
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


# What a batch keeps of a stat: a whole struct_stat per file would take 144 bytes.
cdef struct _Found:
    bint regular  # false where the file is missing or not a regular file
    long long size, mtime


cdef bint _stat_at(
    int *fd, const char **held, const char *path, struct_stat *st
) noexcept nogil:
    # stat(path), relative to its directory held open in *fd, as PathCore._stat_in does: the
    # walk's order brings a directory's files together, so the directory is opened once per run
    # of them (*held: a path whose directory *fd is).
    cdef const char *name = strrchr(path, b"/")
    cdef Py_ssize_t size = name - path
    cdef char directory[PATH_MAX]
    if (
        held[0] == NULL
        or strrchr(held[0], b"/") - held[0] != size
        or memcmp(held[0], path, size) != 0
    ):
        if fd[0] >= 0:
            c_close(fd[0])
        # A file directly under "/" has "/" for its directory.
        memcpy(directory, path, max(size, 1))
        directory[max(size, 1)] = 0
        fd[0] = c_open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC)
        held[0] = path
    if fd[0] < 0:
        return c_stat(path, st) == 0
    return fstatat(fd[0], name + 1, st, 0) == 0


include "_statbatch.pxi"


cdef bint _plain(object path):
    # Whether stat() can take ``path``'s cached UTF-8 form as it is (what _stat_in checks),
    # and _stat_at can split it into a directory and a name.
    cdef const char *c_path
    cdef Py_ssize_t size
    try:
        c_path = PyUnicode_AsUTF8AndSize(path, &size)
    except UnicodeError:
        return False
    return strlen(c_path) == <size_t>size and size < PATH_MAX and strrchr(c_path, b"/") != NULL


cdef class PathCore:
    """The meta path's standard finders over cached listings, kept until invalidated:
    BuiltinImporter, FrozenImporter, then PathFinder with zipimporter and FileFinder hooks."""

    cdef readonly object config
    cdef tuple suffixes
    # The suffixes as the OS spells them, for _Listing.present.
    cdef Py_ssize_t suffix_count
    cdef const char **suffix_data
    cdef Py_ssize_t *suffix_sizes
    cdef bytes _suffix_bytes
    cdef tuple kinds
    cdef tuple source_suffixes
    cdef tuple bytecode_suffixes
    cdef object namespace_kind
    cdef object builtin_kind
    cdef object is_builtin
    cdef frozenset builtin_names  # the only names is_builtin may accept
    cdef object is_frozen
    cdef frozenset frozen_names  # None: is_frozen may accept any name
    cdef object frozen_spec
    cdef bint builtin_needs_top_level
    cdef bint relax_case
    cdef bint listings_exact
    cdef str pycache_suffix
    cdef bint pycache_beside
    cdef tuple late_finders, path_hooks  # editable installs' hooks, as in _core
    cdef object package_hook  # legacy namespace packages, as in _core
    cdef dict _finders
    cdef dict _listings
    # Two directories held open (O_PATH) during a call, one for origins and one for cached
    # files: a stat relative to one walks a single path component, where an absolute path
    # walks every component again, and the sorted walk brings each directory's files together.
    # Each is known by the listing of the origins' directory, which decides the cached files'.
    cdef int _dir_fds[2]
    cdef _Listing _origin_dir, _cached_dir
    # Within _answers: files readdir typed as regular are taken as found, and their raw specs
    # go to _batch to be stat'ed (from a second thread while the walk goes on, in a call that
    # finds more than a chunk); _settle checks them and fills in the sizes and times. Until
    # then a pending raw spec holds its CachedStat where the origin's mtime goes.
    cdef bint deferring
    cdef _StatBatch _batch
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
        self.namespace_kind = config.namespace_kind
        self.builtin_kind = config.builtin_kind
        self.is_builtin = config.is_builtin
        self.builtin_names = config.builtin_names
        self.is_frozen = config.is_frozen
        self.frozen_names = config.frozen_names
        self.frozen_spec = config.frozen_spec
        self.builtin_needs_top_level = config.builtin_needs_top_level
        self.relax_case = config.relax_case
        self.listings_exact = config.listings_exact
        # ".cpython-311.pyc", ".cpython-311.opt-1.pyc": what follows a source's stem in its cache.
        self.pycache_suffix = None
        self.pycache_beside = config.pycache_prefix is None
        if config.cache_tag is not None and config.pycache_prefix is None:
            optimization = f".opt-{config.optimization}" if config.optimization else ""
            self.pycache_suffix = (
                f".{config.cache_tag}{optimization}{config.bytecode_suffixes[0]}"
            )
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

    cdef void _close_directories(self) noexcept:
        # Open only within one call: a later call must see a directory replaced meanwhile.
        cdef int slot
        for slot in range(2):
            if self._dir_fds[slot] >= 0:
                c_close(self._dir_fds[slot])
            self._dir_fds[slot] = -1
        self._origin_dir = self._cached_dir = None

    cdef FileType _stat_in(
        self, int slot, _Listing home, str directory, str path, struct_stat *st
    ):
        """_stat(path), for a file ``path`` directly in ``directory``: its last component,
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
            found = _list_directory(path, self)
            self._listings[path] = found
        return found

    cdef object _cache_from_source(self, str origin):
        # cache_from_source's common case inline (no prefix, a cache tag, a dotted file name
        # in a plain directory); everything else asks the twin's mirror. By index, not by
        # rpartition: head is origin[:slash], the file's base name origin[slash + 1:dot].
        cdef Py_ssize_t slash, dot, size = len(origin)
        if self.pycache_suffix is not None:
            slash = PyUnicode_FindChar(origin, "/", 0, size, -1)
            dot = PyUnicode_FindChar(origin, ".", slash + 1, size, -1)
            if slash > 0 and dot > slash + 1 and origin[slash - 1] != "/":
                return f"{origin[:slash]}/__pycache__/{origin[slash + 1:dot]}{self.pycache_suffix}"
        return cache_from_source(origin, self.config)

    cdef object _locate_cached(self, str origin, _Listing home, CachedStat *action):
        """The cached file of ``origin`` (found in the directory listed as ``home``), and in
        ``action`` what of it needs a stat."""
        cdef object cached
        cdef Py_ssize_t slash
        cdef _Listing listing
        action[0] = NO_STAT
        # Mirrors importlib._bootstrap_external._get_cached.
        if origin.endswith(self.source_suffixes):
            cached = self._cache_from_source(origin)
        elif origin.endswith(self.bytecode_suffixes):
            action[0] = SAME_AS_ORIGIN
            return origin
        else:
            return None
        if cached is None:
            return None
        slash = PyUnicode_FindChar(cached, "/", 0, len(<str>cached), -1)
        if (
            self.pycache_beside
            and home.exact
            and not home.lists_pycache()
            and slash >= 0
            and (<str>cached).endswith("/__pycache__", 0, slash)
        ):
            return cached  # the cache would be home's own __pycache__, and home has none
        # A first call stats each .pyc (from the stat thread, beside the walk) rather than list
        # __pycache__ on the walk's thread, which bounds the call. Later calls list it, once for
        # all the calls after them, which then make no failing stats. _core keeps the same rule.
        listing = home.cached_listing
        if listing is None and self._listings_reused:
            # The same for every source in home: it depends on the directory alone.
            listing = home.cached_listing = self.listing(
                (<str>cached)[:slash] if slash > 0 else "/"
            )
        if listing is None or not listing.exact or listing.has((<str>cached)[slash + 1:]):
            action[0] = STAT_CACHED
        return cached

    cdef tuple file_spec(
        self, object kind, str origin, tuple search, struct_stat *st, _Listing home
    ):
        """The raw spec of a file found on disk (in the directory listed as ``home``), with its
        cached file located and stat'ed."""
        cdef long long size = st.st_size, mtime = _mtime_ns(st)
        cdef struct_stat cst
        cdef CachedStat action
        cdef object cached = self._locate_cached(origin, home, &action)
        if action == SAME_AS_ORIGIN:
            return (kind, origin, search, origin, size, mtime, size, mtime)
        if action == STAT_CACHED and self._stat_in(
            1, home, (<str>cached).rpartition("/")[0] or "/", cached, &cst
        ) == REGULAR:
            return (kind, origin, search, cached, size, mtime, cst.st_size, _mtime_ns(&cst))
        return (kind, origin, search, cached, size, mtime, -1, -1)

    cdef tuple deferred_spec(self, object kind, str origin, tuple search, _Listing home):
        """file_spec for a file readdir typed as regular, its stats left to _batch; None
        where a path is not one stat() takes as it is (file_spec judges those)."""
        cdef CachedStat action
        cdef object cached
        cdef tuple raw
        if not _plain(origin):
            return None
        cached = self._locate_cached(origin, home, &action)
        if action == STAT_CACHED and not _plain(cached):
            return None
        raw = (kind, origin, search, cached, -1, action, -1, -1)
        if self._batch is None:
            self._batch = _StatBatch()
        # _plain has made both paths' UTF-8 forms, which their str objects keep.
        self._batch.add(
            raw,
            PyUnicode_AsUTF8AndSize(origin, NULL),
            PyUnicode_AsUTF8AndSize(cached, NULL) if action == STAT_CACHED else NULL,
        )
        return raw

    cdef bint _settle(self) except -1:
        """Waits for the deferred files' stats and completes their raw specs in place (the
        memo holds them, and nothing else yet). False where an origin is no longer a regular
        file: FileFinder stats at find time, so those answers must be found again, the
        synchronous way."""
        cdef _StatBatch batch = self._batch
        cdef Py_ssize_t i
        cdef tuple raw
        cdef _Found *origin
        cdef _Found *cached
        with nogil:
            batch.finish()
        for i in range(len(batch.raws)):
            if not batch.found(2 * i).regular:
                return False
        for i in range(len(batch.raws)):
            raw = batch.raws[i]
            origin = batch.found(2 * i)
            cached = origin if raw[5] == SAME_AS_ORIGIN else batch.found(2 * i + 1)
            _fill(raw, 4, origin.size)
            _fill(raw, 5, origin.mtime)
            if cached.regular:
                _fill(raw, 6, cached.size)
                _fill(raw, 7, cached.mtime)
        return True

    cdef object _finder(self, str entry):
        # Mirrors importlib._bootstrap_external.PathFinder._path_importer_cache and _path_hooks,
        # with the standard hooks: zipimporter first, then FileFinder for directories.
        cdef struct_stat st
        cdef object finder, path
        cdef _Listing listed
        if not entry:
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
        listed = self._listings.get(entry)
        if listed is not None and listed.is_dir and entry.startswith("/"):
            # A package's directory, listed when the package was found: no zip archive, and
            # FileFinder keeps an absolute path as it is.
            finder = _DirFinder(self, entry)
        else:
            finder = self.config.zip_finder(entry, self.config)
            if finder is None and _stat(entry, &st) == DIRECTORY:
                # CPython keeps a str subclass's value; the C-level finder wants an exact str.
                path = finder_path(entry, self.config.minor_version)
                finder = _DirFinder(self, str.__str__(path))
            if finder is None:
                # sys.path_hooks after the standard two (an editable install's placeholder).
                for hook in self.path_hooks:
                    find = hook(entry)
                    if find is not None:
                        finder = _HookFinder(find)
                        break
        self._finders[entry] = finder
        return finder

    def find_spec(self, str fullname, object path):
        """PathFinder.find_spec: the first entry with a module or package wins; namespace
        portions are collected across all entries."""
        # Asked by hooks too, within _answers: their answers are used at once, so not deferred.
        cdef bint deferring = self.deferring
        self.deferring = False
        try:
            return self._path_find_spec(fullname, fullname.rpartition(".")[2], path)
        finally:
            self.deferring = deferring
            self._close_directories()

    cdef tuple _path_find_spec(self, str fullname, str tail_module, object path):
        # Mirrors importlib._bootstrap_external.PathFinder._get_spec and find_spec;
        # tail_module: what follows fullname's last dot.
        cdef list namespace_path = []
        cdef object finder, entry
        cdef tuple raw
        for entry in path:
            # bytes entries are skipped too: 3.10 raises TypeError on them, later versions
            # find nothing there.
            if not isinstance(entry, str):
                continue
            finder = self._finder(str.__str__(entry) if type(entry) is not str else <str>entry)
            if finder is None:
                continue
            if type(finder) is _DirFinder:
                raw = (<_DirFinder>finder).find_spec(tail_module)
            elif type(finder) is _HookFinder:
                raw = (<_HookFinder>finder).find(fullname)
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

    cdef bint _may_be_frozen(self, str fullname) except -1:
        # _config.frozen_key, inline: find_frozen compares C strings, so a NUL ends the name.
        cdef Py_ssize_t nul
        if self.frozen_names is None:
            return True
        nul = PyUnicode_FindChar(fullname, 0, 0, len(fullname), 1)
        return (fullname if nul < 0 else fullname[:nul]) in self.frozen_names

    cdef tuple _find_on(self, str fullname, str tail, object path, bint top_level):
        # sys.meta_path's standard order: BuiltinImporter, FrozenImporter, PathFinder.
        # tail: what follows fullname's last dot.
        cdef tuple frozen, found
        try:
            if (
                (top_level or not self.builtin_needs_top_level)
                and fullname in self.builtin_names
                and self.is_builtin(fullname)
            ):
                return (self.builtin_kind, "built-in", None, None, -1, -1, -1, -1)
            if self._may_be_frozen(fullname) and self.is_frozen(fullname):
                frozen = self.frozen_spec(fullname)
                if frozen is not None:
                    return frozen
        except (ImportError, ValueError):
            pass  # NUL bytes, lone surrogates, excluded frozen modules: not those finders'
        found = self._path_find_spec(fullname, tail, path)
        if found is None:
            # sys.meta_path's finders after PathFinder, in order (editable installs' hooks).
            for late_finder in self.late_finders:
                found = late_finder(fullname, self.find_spec)
                if found is not None:
                    break
        return found

    def find_many(self, fullnames, path):
        """The raw spec of each absolute name (None: not found), parents searched first."""
        cdef dict memo
        try:
            memo = self._answers(fullnames, path)
        finally:
            self._close_directories()
        return [memo[fullname] for fullname in fullnames]

    def find_specs(self, dict wanted, path):
        """find_many's answers as Specs: for each name of ``wanted`` (which maps it to its
        absolute name), in its order, the Spec of that absolute name, or None."""
        cdef dict memo
        cdef dict specs = {}
        cdef object name, fullname
        try:
            memo = self._answers(list(wanted.values()), path)
        finally:
            self._close_directories()
        for name, fullname in wanted.items():
            specs[name] = _make_spec(fullname, memo[fullname])
        return specs

    cdef dict _answers(self, fullnames, path):
        cdef dict memo
        # A package hook reads its raw specs' fields, so its answers are never deferred.
        self.deferring = _UTF8_FS and self.package_hook is None
        try:
            memo = self._walk(fullnames, path)
            if self._batch is not None and not self._settle():
                self.deferring = False
                self._batch = None
                memo = self._walk(fullnames, path)
            self._listings_reused = True
        finally:
            self.deferring = False
            self._batch = None  # its thread, if any, has ended (finish(), or its __dealloc__)
        return memo

    cdef dict _walk(self, fullnames, path):
        # Mirrors importlib._bootstrap._find_and_load_unlocked's search, as _core does.
        cdef dict memo = {}
        cdef list pending
        cdef tuple split
        cdef Py_ssize_t index
        cdef str fullname, name, parent_name, dot, tail, last_parent = None
        cdef object raw, search, last_raw = None
        cdef object package_hook = self.package_hook
        # In sorted order siblings come together, so their parent's answer is at hand without
        # a probe into a memo of every name; the answers do not depend on the order.
        for fullname in sorted(fullnames):
            if fullname in memo:
                continue
            # Climb to the nearest ancestor whose answer is known or needs no parent ...
            pending = [fullname]
            split = fullname.rpartition(".")
            parent_name, dot, tail = split
            raw = _NOT_SEEN
            while dot and tail and parent_name:
                if parent_name == last_parent:
                    raw = last_raw
                    break
                raw = memo.get(parent_name, _NOT_SEEN)
                if raw is not _NOT_SEEN:
                    break
                pending.append(parent_name)
                parent_name, dot, tail = parent_name.rpartition(".")
            # ... then answer from the top down, each answer being the next one's parent's.
            for index in range(len(pending) - 1, -1, -1):
                name = pending[index]
                # fullname, the last one answered, was split on the way up.
                parent_name, dot, tail = split if index == 0 else name.rpartition(".")
                if not tail or (dot and not parent_name):
                    raw = None  # '', 'a.', 'a..b': no module has an empty name part
                elif dot:
                    last_parent, last_raw = parent_name, raw
                    search = None if raw is None else (<tuple>raw)[2]
                    raw = None if search is None else self._find_on(name, tail, search, False)
                else:
                    search = path
                    raw = self._find_on(name, tail, path, True)
                if package_hook is not None and raw is not None and (<tuple>raw)[2] is not None:
                    # What the package's own code makes of its __path__ (legacy namespaces).
                    raw = package_hook(name, raw, search, self.find_spec)
                memo[name] = raw
        return memo


# _core.make_spec's twin: the same slot descriptors, set from C.
cdef object _SET_NAME, _SET_KIND, _SET_ORIGIN, _SET_SEARCH, _SET_CACHED
cdef object _SET_ORIGIN_STAT, _SET_CACHED_STAT
(
    _SET_NAME,
    _SET_KIND,
    _SET_ORIGIN,
    _SET_SEARCH,
    _SET_CACHED,
    _SET_ORIGIN_STAT,
    _SET_CACHED_STAT,
) = SPEC_SLOTS


cdef object _file_stat(object size, object mtime):
    # FileStat(size, mtime) without NamedTuple.__new__'s Python frame.
    cdef object stat = _alloc(FileStat, 2)
    Py_INCREF(size)
    PyTuple_SET_ITEM(stat, 0, size)
    Py_INCREF(mtime)
    PyTuple_SET_ITEM(stat, 1, mtime)
    return stat


cdef object _make_spec(object fullname, tuple raw):
    if raw is None:
        return None
    cdef object spec = _alloc(Spec, 0)
    _set_slot(_SET_NAME, spec, fullname)
    _set_slot(_SET_KIND, spec, raw[0])
    _set_slot(_SET_ORIGIN, spec, raw[1])
    _set_slot(_SET_SEARCH, spec, raw[2])
    _set_slot(_SET_CACHED, spec, raw[3])
    _set_slot(_SET_ORIGIN_STAT, spec, _file_stat(raw[4], raw[5]) if raw[4] >= 0 else None)
    _set_slot(_SET_CACHED_STAT, spec, _file_stat(raw[6], raw[7]) if raw[6] >= 0 else None)
    return spec
