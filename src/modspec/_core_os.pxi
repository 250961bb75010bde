# Included by _core_c.pyx (C only): the system calls the Cython core makes itself, where the
# pure core calls os: paths encoded as the OS wants them, stat() and its file types.


cdef extern from "<fcntl.h>" nogil:
    enum:
        O_PATH
        O_DIRECTORY
        O_CLOEXEC
    int c_open "open"(const char *path, int flags)
    int openat(int dirfd, const char *path, int flags)
    int fstatat(int dirfd, const char *path, struct_stat *st, int flags)


cdef extern from "<unistd.h>" nogil:
    int c_close "close"(int fd)


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


cdef extern from "<sched.h>" nogil:
    ctypedef struct cpu_set_t:
        pass
    int sched_getaffinity(int pid, size_t size, cpu_set_t *mask)
    int CPU_COUNT(cpu_set_t *mask)


cdef int _cores_allowed() noexcept:
    """The processors this thread may run on (its affinity: taskset, sched_setaffinity, a
    cgroup's cpuset), or 2 where that cannot be told: more than one counts, not how many."""
    cdef cpu_set_t mask
    if sched_getaffinity(0, sizeof(cpu_set_t), &mask) != 0:
        return 2
    return CPU_COUNT(&mask)
