# Included by _core_c.pyx: a directory's listing as the Cython core keeps it (C only: the
# pure core's _Listing is a frozenset of str). Entries stay as the OS gave them, bytes back to
# back, under a hash table, so probing a candidate name makes no Python object.


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
    # cached_check's answer for this directory (-1: not asked yet), and the `reused` it had.
    cdef int _check
    cdef bint _check_reused

    def __cinit__(self):
        self._check = -1

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

    cdef int cached_check(self, str path, PathCore core) except -1:
        """What to stat of the cached files of the sources found here (_cachefile's rule)."""
        if self._check < 0 or self._check_reused != core._listings_reused:
            self._check = cached_check(
                core.config, path, self.exact, self.has(PYCACHE), core._listings_reused
            )
            self._check_reused = core._listings_reused
        return self._check

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


cdef _Listing list_directory(str path, PathCore core):
    """``path``'s listing as FileFinder._fill_cache takes it: empty where it cannot be read."""
    # Mirrors importlib._bootstrap_external.FileFinder._fill_cache (POSIX), as _core_py does.
    cdef _Listing listing = _Listing.__new__(_Listing)
    cdef bytes raw = _encode(path), lowered
    cdef DIR *handle = NULL
    cdef dirent *entry
    cdef int error = 0
    cdef Py_ssize_t count = 0
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
                count += 1
                if count % 4096 == 0:
                    PyErr_CheckSignals()  # a huge directory: readdir's loop is in C
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
