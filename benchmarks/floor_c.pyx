# cython: language_level=3, boundscheck=False, wraparound=False
"""The system-call floor in C: opendir/readdir/closedir each directory, stat each file.

Compiled by bench_resolve.py at benchmark time (cythonize -i into a temporary directory); takes
lists of bytes paths, made outside the timed region, and builds no Python object per entry.
"""

from posix.stat cimport stat, struct_stat


cdef extern from "<dirent.h>" nogil:
    ctypedef struct DIR:
        pass
    struct dirent:
        pass
    DIR *opendir(const char *name)
    dirent *readdir(DIR *dirp)
    int closedir(DIR *dirp)


def list_and_stat(list directories, list files):
    """Returns (entries read, files that exist), so the work cannot be optimised away."""
    cdef Py_ssize_t entries = 0, present = 0
    cdef DIR *handle
    cdef struct_stat st
    cdef bytes path
    for path in directories:
        handle = opendir(path)
        if handle == NULL:
            continue
        while readdir(handle) != NULL:
            entries += 1
        closedir(handle)
    for path in files:
        if stat(path, &st) == 0:
            present += 1
    return entries, present
