# Included by _core_c.pyx (C only): the raw spec of _rawspec spelled for C — its layout as
# constants, its constructors, and make_spec's twin, which sets Spec's slots from C.


# The raw spec's layout (_rawspec), spelled for C: tests hold LAYOUT equal to _rawspec's.
cdef enum:
    _KIND = 0
    _ORIGIN = 1
    _SEARCH = 2
    _CACHED = 3
    _ORIGIN_SIZE = 4
    _ORIGIN_MTIME = 5
    _CACHED_SIZE = 6
    _CACHED_MTIME = 7
    _NO_FILE = -1
LAYOUT = {
    "kind": _KIND, "origin": _ORIGIN, "search": _SEARCH, "cached": _CACHED,
    "origin_size": _ORIGIN_SIZE, "origin_mtime": _ORIGIN_MTIME, "cached_size": _CACHED_SIZE,
    "cached_mtime": _CACHED_MTIME, "no_file": _NO_FILE,
}  # fmt: skip
cdef object _NAMESPACE = Kind.NAMESPACE
cdef object _BUILTIN = Kind.BUILTIN
cdef int _CHECK_NONE = CachedCheck.NONE
cdef int _CHECK_STAT = CachedCheck.STAT


cdef inline tuple _unlocated_spec(object kind, object origin, object search):
    # _rawspec.unlocated_spec.
    return (kind, origin, search, None, _NO_FILE, _NO_FILE, _NO_FILE, _NO_FILE)


cdef inline tuple _file_spec(
    object kind, str origin, tuple search, object cached, long long size, long long mtime,
    long long cached_size, long long cached_mtime
):
    # _rawspec.file_spec, from a stat's numbers.
    return (kind, origin, search, cached, size, mtime, cached_size, cached_mtime)


# _rawspec.make_spec's twin: the same slot descriptors, set from C.
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


# C only: where every slot is a plain object slot (CPython's), make_spec writes them directly,
# by offset, into the Spec it has just allocated; else through the descriptors.
cdef Py_ssize_t _OFFSETS[7]
cdef bint _BY_OFFSET = True
for _index, _descr in enumerate(SPEC_SLOTS):
    _OFFSETS[_index] = _slot_offset(_descr)
    _BY_OFFSET = _BY_OFFSET and _OFFSETS[_index] >= 0
del _index, _descr


cdef object _make_spec(object fullname, tuple raw):
    if raw is None:
        return None
    cdef object origin_stat = (
        _file_stat(raw[_ORIGIN_SIZE], raw[_ORIGIN_MTIME]) if raw[_ORIGIN_SIZE] != _NO_FILE else None
    )
    cdef object cached_stat = (
        _file_stat(raw[_CACHED_SIZE], raw[_CACHED_MTIME]) if raw[_CACHED_SIZE] != _NO_FILE else None
    )
    cdef object spec = _alloc(Spec, 0)
    if _BY_OFFSET:
        _put_slot(spec, _OFFSETS[0], fullname)
        _put_slot(spec, _OFFSETS[1], raw[_KIND])
        _put_slot(spec, _OFFSETS[2], raw[_ORIGIN])
        _put_slot(spec, _OFFSETS[3], raw[_SEARCH])
        _put_slot(spec, _OFFSETS[4], raw[_CACHED])
        _put_slot(spec, _OFFSETS[5], origin_stat)
        _put_slot(spec, _OFFSETS[6], cached_stat)
        return spec
    _set_slot(_SET_NAME, spec, fullname)
    _set_slot(_SET_KIND, spec, raw[_KIND])
    _set_slot(_SET_ORIGIN, spec, raw[_ORIGIN])
    _set_slot(_SET_SEARCH, spec, raw[_SEARCH])
    _set_slot(_SET_CACHED, spec, raw[_CACHED])
    _set_slot(_SET_ORIGIN_STAT, spec, origin_stat)
    _set_slot(_SET_CACHED_STAT, spec, cached_stat)
    return spec
