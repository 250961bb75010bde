# Included by _core_c.pyx: the bulk .pyc header reader, twin of _pep552.read_pyc_headers.
# Self-contained (its own C declarations, every name prefixed _pyc), so that it can sit
# anywhere in _core_c.pyx without shadowing or clashing with that module's names.

from libc.stdlib cimport free as _pyc_free, malloc as _pyc_malloc


cdef extern from "Python.h":
    bytes _pyc_encode_fs "PyUnicode_EncodeFSDefault"(object unicode)


cdef extern from "<errno.h>" nogil:
    int _pyc_errno "errno"
    enum:
        _PYC_EINTR "EINTR"


cdef extern from "<fcntl.h>" nogil:
    enum:
        _PYC_O_RDONLY "O_RDONLY"
        _PYC_O_CLOEXEC "O_CLOEXEC"
        _PYC_O_NONBLOCK "O_NONBLOCK"
    int _pyc_open "open"(const char *path, int flags)


cdef extern from "<unistd.h>" nogil:
    ssize_t _pyc_read "read"(int fd, void *buf, size_t count)
    int _pyc_close "close"(int fd)


cdef extern from "<sys/stat.h>" nogil:
    ctypedef struct _pyc_struct_stat "struct stat":
        unsigned int st_mode
    int _pyc_fstat "fstat"(int fd, _pyc_struct_stat *st)
    bint _PYC_S_ISREG "S_ISREG"(unsigned int mode)


# The header of PEP 552 (_pep552.HEADER_SIZE, spelled for C; a test holds the two equal).
cdef enum:
    _PYC_HEADER = 16
PYC_HEADER_SIZE = _PYC_HEADER


cdef Py_ssize_t _pyc_read_header(const char *path, char *buf) noexcept nogil:
    """Up to 16 bytes from the start of the regular file ``path``; -1 where it cannot be read.

    O_NONBLOCK: a FIFO at a cache path must not hang the caller; like FileStat.of, anything
    but a regular file counts as missing.
    """
    cdef int fd
    cdef Py_ssize_t got = 0
    cdef ssize_t n
    cdef _pyc_struct_stat st
    while True:
        fd = _pyc_open(path, _PYC_O_RDONLY | _PYC_O_CLOEXEC | _PYC_O_NONBLOCK)
        if fd >= 0 or _pyc_errno != _PYC_EINTR:
            break
    if fd < 0:
        return -1
    if _pyc_fstat(fd, &st) != 0 or not _PYC_S_ISREG(st.st_mode):
        _pyc_close(fd)
        return -1
    while got < _PYC_HEADER:
        n = _pyc_read(fd, buf + got, _PYC_HEADER - got)
        if n > 0:
            got += n
        elif n == 0:
            break  # EOF: a short file, which the caller judges
        elif _pyc_errno != _PYC_EINTR:
            got = -1
            break
    _pyc_close(fd)
    return got


def read_pyc_headers(list paths):
    """The first 16 bytes of each file (fewer for a short file), or None where the file is
    missing, unreadable or not a regular file. Reads with the GIL released."""
    cdef Py_ssize_t count = len(paths), i
    cdef list encoded = [None] * count
    cdef char **c_paths = NULL
    cdef char *buffers = NULL
    cdef Py_ssize_t *lengths = NULL
    cdef list headers = [None] * count
    cdef object path
    cdef bytes raw
    if count == 0:
        return headers
    # Encode first, with the GIL; a path the OS could not be given (NUL, lone surrogates
    # without surrogateescape) reads as missing, as FileStat.of has it.
    for i in range(count):
        path = paths[i]
        if not isinstance(path, str):
            raise TypeError(f"paths must be str, not {type(path).__name__}")
        try:
            raw = _pyc_encode_fs(path)
        except UnicodeError:
            continue
        if b"\0" not in raw:
            encoded[i] = raw
    c_paths = <char **>_pyc_malloc(count * sizeof(char *))
    buffers = <char *>_pyc_malloc(count * _PYC_HEADER)
    lengths = <Py_ssize_t *>_pyc_malloc(count * sizeof(Py_ssize_t))
    try:
        if c_paths == NULL or buffers == NULL or lengths == NULL:
            raise MemoryError()
        for i in range(count):
            if encoded[i] is None:
                c_paths[i] = NULL
            else:
                c_paths[i] = <char *>(<bytes>encoded[i])
        with nogil:
            for i in range(count):
                if c_paths[i] == NULL:
                    lengths[i] = -1
                else:
                    lengths[i] = _pyc_read_header(c_paths[i], buffers + i * _PYC_HEADER)
        for i in range(count):
            if lengths[i] >= 0:
                headers[i] = buffers[i * _PYC_HEADER : i * _PYC_HEADER + lengths[i]]
    finally:
        _pyc_free(c_paths)
        _pyc_free(buffers)
        _pyc_free(lengths)
    return headers
