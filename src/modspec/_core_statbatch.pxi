# Included by _core_c.pyx (C only): the stats of one call's found files, made by
# a second thread while the calling thread goes on walking, and by the calling thread for what
# is left when the walk ends. The walk (listings, probes, building answers) holds the GIL; the
# stats are kernel path lookups that need no lock of ours, so the two overlap on two cores.


# What a batch keeps of a stat: a whole struct_stat per file would take 144 bytes.
cdef struct _Found:
    bint regular  # false where the file is missing or not a regular file
    long long size, mtime


# Directories a stat thread holds open (O_PATH) for stats relative to them, for origins and
# for cached files each: the walk's order brings a directory's files together, but a
# package's files come around its subpackages' (pkg/a.py, pkg/sub/..., pkg/z.py), so a few
# are held, the least recently opened given up first; and one is opened relative to a
# directory held above it where it can be (pkg/__pycache__ below pkg), which walks one path
# component, not all. (python3's site-packages, 15,510 names, a warm call: with one held of
# each kind, 7,702 opens from the root for 27,882 stats; with eight, 6,808 opens for 6,370
# directories, 2,267 of them from the root.)
cdef enum:
    _HELD_DIRECTORIES = 8


cdef struct _Held:
    # Per kind (0: origins, 1: cached files): directory i is fds[kind][i], spelled by the
    # first size[kind][i] bytes of paths[kind][i] (a path of a file in it); next[kind]: the
    # slot to give up next; last[kind]: the slot the last stat of that kind used, asked first
    # (most files are in the directory of the file before).
    int fds[2][_HELD_DIRECTORIES]
    const char *paths[2][_HELD_DIRECTORIES]
    Py_ssize_t sizes[2][_HELD_DIRECTORIES]
    int next[2]
    int last[2]


cdef void _held_init(_Held *held) noexcept nogil:
    cdef int kind, i
    for kind in range(2):
        held.next[kind] = held.last[kind] = 0
        for i in range(_HELD_DIRECTORIES):
            held.fds[kind][i] = -1
            held.paths[kind][i] = NULL
            held.sizes[kind][i] = 0


cdef void _held_close(_Held *held) noexcept nogil:
    cdef int kind, i
    for kind in range(2):
        for i in range(_HELD_DIRECTORIES):
            if held.fds[kind][i] >= 0:
                c_close(held.fds[kind][i])
            held.fds[kind][i] = -1
            held.paths[kind][i] = NULL


cdef bint _stat_at(_Held *held, int kind, const char *path, struct_stat *st) noexcept nogil:
    # stat(path), relative to its directory held open, as PathCore._stat_in does. The paths
    # held stay valid while the batch lives: its raw specs' str objects own them.
    cdef const char *name = strrchr(path, b"/")
    cdef Py_ssize_t size = name - path
    cdef char directory[PATH_MAX]
    cdef int i = held.last[kind], other, base = -1, fd = -1
    cdef Py_ssize_t base_size = -1
    if (
        held.paths[kind][i] != NULL
        and held.sizes[kind][i] == size
        and memcmp(held.paths[kind][i], path, size) == 0
    ):
        fd = held.fds[kind][i]
        return fstatat(fd, name + 1, st, 0) == 0 if fd >= 0 else c_stat(path, st) == 0
    for i in range(_HELD_DIRECTORIES):
        if (
            held.paths[kind][i] != NULL
            and held.sizes[kind][i] == size
            and memcmp(held.paths[kind][i], path, size) == 0
        ):
            fd = held.fds[kind][i]
            break
    else:
        i = held.next[kind]
        held.next[kind] = (i + 1) % _HELD_DIRECTORIES
        # A file directly under "/" has "/" for its directory.
        memcpy(directory, path, max(size, 1))
        directory[max(size, 1)] = 0
        # Opened relative to the deepest directory held above it, where one is: a cached
        # file's __pycache__ below its origin's directory, a subpackage below its package.
        for other in range(2 * _HELD_DIRECTORIES):
            if (
                held.fds[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES] >= 0
                and base_size < held.sizes[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES]
                < size
                and path[held.sizes[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES]] == b"/"
                # "a//b": what follows must be a relative path, not "/b"
                and path[held.sizes[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES] + 1]
                != b"/"
                and memcmp(
                    held.paths[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES],
                    path,
                    held.sizes[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES],
                ) == 0
            ):
                base = other
                base_size = held.sizes[other // _HELD_DIRECTORIES][other % _HELD_DIRECTORIES]
        if base >= 0:
            fd = openat(
                held.fds[base // _HELD_DIRECTORIES][base % _HELD_DIRECTORIES],
                directory + base_size + 1,
                O_PATH | O_DIRECTORY | O_CLOEXEC,
            )
        else:
            fd = c_open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC)
        if held.fds[kind][i] >= 0:
            c_close(held.fds[kind][i])
        held.fds[kind][i] = fd
        held.paths[kind][i], held.sizes[kind][i] = path, size
    held.last[kind] = i
    if fd < 0:
        return c_stat(path, st) == 0
    return fstatat(fd, name + 1, st, 0) == 0


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



cdef extern from "<sys/mman.h>" nogil:
    enum:
        PROT_READ
        PROT_WRITE
        MAP_PRIVATE
        MAP_ANONYMOUS
        MAP_POPULATE
    void *MAP_FAILED
    void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)
    int munmap(void *addr, size_t length)


cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    int pthread_create(
        pthread_t *thread, const void *attr, void *(*run)(void *) noexcept nogil, void *arg
    )
    int pthread_join(pthread_t thread, void **result)
    ctypedef struct pthread_mutex_t:
        pass
    ctypedef struct pthread_cond_t:
        pass
    int pthread_mutex_init(pthread_mutex_t *mutex, const void *attr)
    int pthread_mutex_destroy(pthread_mutex_t *mutex)
    int pthread_mutex_lock(pthread_mutex_t *mutex)
    int pthread_mutex_unlock(pthread_mutex_t *mutex)
    int pthread_cond_init(pthread_cond_t *cond, const void *attr)
    int pthread_cond_destroy(pthread_cond_t *cond)
    int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
    int pthread_cond_broadcast(pthread_cond_t *cond)


# Files per chunk handed to a thread: large enough that taking one costs nothing next to its
# stats, small enough that the walk hands out the first one early; 127 files and their count
# fill two 4 KiB pages. A call that finds fewer files starts no thread. (Measured on random
# samples of the environment corpus's names, cold, medians of 60 rounds: with a thread from
# the first chunk, 250 names took 0.88x the time of the calling thread alone, 400 names 0.87x,
# 1,000 names 0.74x; 100 names about the same.)
cdef enum:
    _CHUNK_FILES = 127


cdef struct _Chunk:
    # Slot 2i: a file's origin; 2i + 1: its cached file (NULL: nothing to stat). Every path
    # holds a "/" and no NUL, and is shorter than PATH_MAX (_plain).
    Py_ssize_t files
    const char *paths[2 * _CHUNK_FILES]
    _Found found[2 * _CHUNK_FILES]


cdef struct _Queue:
    # chunks[0, count) exist, in the order of their files; [0, ready) are full (or the walk
    # ended) and may be taken; [0, taken) have been. Under lock: ready, taken, closed, and
    # chunks itself (it grows).
    pthread_mutex_t lock
    pthread_cond_t wake
    _Chunk **chunks
    Py_ssize_t count, capacity, ready, taken
    bint closed  # no chunk will become ready any more


cdef void _stat_chunk(_Chunk *chunk, _Held *held) noexcept nogil:
    cdef Py_ssize_t i
    cdef struct_stat st
    for i in range(2 * chunk.files):
        if (
            chunk.paths[i] != NULL
            and _stat_at(held, i % 2, chunk.paths[i], &st)
            and S_ISREG(st.st_mode)
        ):
            chunk.found[i].regular = True
            chunk.found[i].size = st.st_size
            chunk.found[i].mtime = _mtime_ns(&st)


cdef bint _take_chunk(_Queue *queue, bint wait, _Held *held) noexcept nogil:
    # Stats the next ready chunk; with ``wait``, waits for one while the walk goes on. False
    # where none is left (with ``wait``: none, and the walk has ended).
    cdef _Chunk *chunk
    pthread_mutex_lock(&queue.lock)
    while wait and queue.taken == queue.ready and not queue.closed:
        pthread_cond_wait(&queue.wake, &queue.lock)
    if queue.taken == queue.ready:
        pthread_mutex_unlock(&queue.lock)
        return False
    chunk = queue.chunks[queue.taken]
    queue.taken += 1
    pthread_mutex_unlock(&queue.lock)
    _stat_chunk(chunk, held)
    return True


cdef void *_stat_worker(void *queue) noexcept nogil:
    cdef _Held held
    _held_init(&held)
    while _take_chunk(<_Queue *>queue, True, &held):
        pass
    _held_close(&held)
    return NULL


cdef extern from *:
    """
    /* Replaces a tuple's item, whatever the tuple's reference count (PyTuple_SetItem wants 1):
       for the pending raw specs of a _StatBatch, which nothing outside the call holds yet. */
    static void modspec_fill(PyObject *tuple, Py_ssize_t index, PyObject *value) {
        PyObject *old = PyTuple_GET_ITEM(tuple, index);
        Py_INCREF(value);
        PyTuple_SET_ITEM(tuple, index, value);
        Py_DECREF(old);
    }
    """
    void _fill "modspec_fill"(tuple raw, Py_ssize_t index, object value)


cdef class _StatBatch:
    """The files a call found by their listings alone, to be stat'ed: defer() each as it is
    found, then complete(); where ``threaded``, a second thread, started at the first full
    chunk, stats full chunks meanwhile.

    The batch is the one owner of its pending raw specs. Invariant: a raw spec defer() made is
    held only by the batch and by the memo of the call that made it, until complete() has
    filled its stats in place (the only mutation of a tuple anywhere in modspec); until then
    its origin mtime slot holds its CachedStat and its sizes _NO_FILE. Where complete() gives
    False, the call drops the memo and the batch unfilled.
    """

    cdef _Queue queue
    cdef bint thread_failed, running
    # Whether a second thread may be started (PathCore._threaded); without one, finish()
    # stats every chunk.
    cdef bint threaded
    cdef pthread_t worker
    # The process that started the worker: a child forked meanwhile has no such thread.
    cdef int worker_pid
    # The raw specs whose files these are, in order: their str objects own the paths' bytes;
    # and the plans they were made from.
    cdef list raws, plans

    def __cinit__(self):
        self.raws = []
        self.plans = []
        pthread_mutex_init(&self.queue.lock, NULL)
        pthread_cond_init(&self.queue.wake, NULL)

    def __dealloc__(self):
        cdef bint forked = self.running and self.worker_pid != getpid()
        self._stop()
        cdef Py_ssize_t i
        for i in range(self.queue.count):
            munmap(self.queue.chunks[i], sizeof(_Chunk))
        free(self.queue.chunks)
        if not forked:
            # In a forked child the parent's worker may have been waiting on them: glibc's
            # pthread_cond_destroy would wait for it for ever. Left as they are, a leak.
            pthread_cond_destroy(&self.queue.wake)
            pthread_mutex_destroy(&self.queue.lock)

    cdef tuple defer(self, _Plan plan):
        """The pending raw spec of ``plan``'s file, its stats queued (both paths are _plain)."""
        cdef tuple raw = (
            plan.kind, plan.origin, plan.search, plan.cached, _NO_FILE, plan.action, _NO_FILE,
            _NO_FILE,
        )
        # _plain has made both paths' UTF-8 forms, which their str objects keep.
        self._add(
            raw,
            PyUnicode_AsUTF8AndSize(plan.origin, NULL),
            PyUnicode_AsUTF8AndSize(plan.cached, NULL) if plan.action == STAT_CACHED else NULL,
        )
        self.plans.append(plan)
        return raw

    cdef bint complete(self) except -1:
        """Waits for the stats and fills them into the pending raw specs. False, filling
        nothing, where an origin is no longer a regular file: FileFinder stats at find time,
        so those answers must be found again, the synchronous way."""
        cdef Py_ssize_t i
        cdef tuple raw, last
        cdef _Plan plan
        cdef _Found *origin
        cdef _Found *cached
        self.finish()
        for i in range(len(self.raws)):
            if not self.found(2 * i).regular:
                return False
        for i in range(len(self.raws)):
            raw = self.raws[i]
            plan = <_Plan>self.plans[i]
            origin = self.found(2 * i)
            cached = origin if plan.action == SAME_AS_ORIGIN else self.found(2 * i + 1)
            last = plan.last
            if (
                last is not None
                and plan.numbers[0] == origin.size
                and plan.numbers[1] == origin.mtime
            ):
                _fill(raw, _ORIGIN_SIZE, last[_ORIGIN_SIZE])
                _fill(raw, _ORIGIN_MTIME, last[_ORIGIN_MTIME])
            else:
                _fill(raw, _ORIGIN_SIZE, origin.size)
                _fill(raw, _ORIGIN_MTIME, origin.mtime)
                last = None  # the cached file's numbers are new too
            if cached == origin:
                _fill(raw, _CACHED_SIZE, raw[_ORIGIN_SIZE])
                _fill(raw, _CACHED_MTIME, raw[_ORIGIN_MTIME])
            elif cached.regular:
                if (
                    last is not None
                    and plan.numbers[2] == cached.size
                    and plan.numbers[3] == cached.mtime
                ):
                    _fill(raw, _CACHED_SIZE, last[_CACHED_SIZE])
                    _fill(raw, _CACHED_MTIME, last[_CACHED_MTIME])
                else:
                    _fill(raw, _CACHED_SIZE, cached.size)
                    _fill(raw, _CACHED_MTIME, cached.mtime)
            plan.last = raw
            plan.numbers[0], plan.numbers[1] = origin.size, origin.mtime
            plan.numbers[2] = cached.size if cached.regular else -1
            plan.numbers[3] = cached.mtime if cached.regular else -1
        return True

    cdef int _add(self, tuple raw, const char *origin, const char *cached) except -1:
        cdef _Queue *queue = &self.queue
        cdef _Chunk *chunk = queue.chunks[queue.count - 1] if queue.count else NULL
        cdef _Chunk **grown
        cdef Py_ssize_t slot
        if chunk == NULL or chunk.files == _CHUNK_FILES:
            # mmap, not malloc: a chunk freed amid the listings' buffers would stay in the
            # process's heap as a hole until they go, adding to the peak that the answers make
            # after the walk (1,000,000-name batch: 234 MiB from malloc, 220 MiB mapped).
            # Populated at once: a page first read (chunk.files) maps the shared zero page,
            # and the write after it must then flush the TLB of both threads' cores.
            chunk = <_Chunk *>mmap(
                NULL,
                sizeof(_Chunk),
                PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                -1,
                0,
            )
            if chunk == MAP_FAILED:
                raise MemoryError()
            pthread_mutex_lock(&queue.lock)
            if queue.count == queue.capacity:
                grown = <_Chunk **>realloc(
                    queue.chunks, max(2 * queue.capacity, 16) * sizeof(_Chunk *)
                )
                if grown == NULL:
                    pthread_mutex_unlock(&queue.lock)
                    munmap(chunk, sizeof(_Chunk))
                    raise MemoryError()
                queue.chunks, queue.capacity = grown, max(2 * queue.capacity, 16)
            queue.chunks[queue.count] = chunk
            queue.count += 1
            pthread_mutex_unlock(&queue.lock)
        self.raws.append(raw)
        slot = 2 * chunk.files
        chunk.paths[slot], chunk.paths[slot + 1] = origin, cached
        chunk.files += 1
        if chunk.files == _CHUNK_FILES:
            pthread_mutex_lock(&queue.lock)
            queue.ready = queue.count
            pthread_cond_broadcast(&queue.wake)
            pthread_mutex_unlock(&queue.lock)
            if self.threaded and not self.running and not self.thread_failed:
                # Where no thread can be started, finish() stats it all here.
                self.running = pthread_create(&self.worker, NULL, _stat_worker, queue) == 0
                self.worker_pid = getpid()
                self.thread_failed = not self.running
        return 0

    cdef int finish(self) except -1:
        """Stats every file not stat'ed yet, helping the second thread, and waits for it. A
        signal's exception (Ctrl-C) is raised between chunks: the caller then drops the batch,
        whose _stop ends the second thread within its current chunk."""
        cdef bint more = True
        cdef _Held held
        _held_init(&held)
        with nogil:
            pthread_mutex_lock(&self.queue.lock)
            self.queue.ready = self.queue.count
            self.queue.closed = True
            pthread_cond_broadcast(&self.queue.wake)
            pthread_mutex_unlock(&self.queue.lock)
        try:
            while more:
                with nogil:
                    more = _take_chunk(&self.queue, False, &held)
                PyErr_CheckSignals()
        finally:
            _held_close(&held)
        with nogil:
            self._stop()
        return 0

    cdef void _stop(self) noexcept nogil:
        # The worker reads paths that self.raws owns: it must end before they may go. Closing
        # the queue, with no chunk left ready, ends it once it has done the chunk it holds
        # (work abandoned, on an error or a signal; none is left where finish() ran).
        if not self.running:
            return
        self.running = False
        if self.worker_pid != getpid():
            return  # a forked child: the worker was the parent's, and is not here to join
        pthread_mutex_lock(&self.queue.lock)
        self.queue.closed = True
        self.queue.ready = self.queue.taken
        pthread_cond_broadcast(&self.queue.wake)
        pthread_mutex_unlock(&self.queue.lock)
        pthread_join(self.worker, NULL)

    cdef inline _Found *found(self, Py_ssize_t slot) noexcept:
        """What the stat of slot ``slot`` found (2i: the i-th file's origin, 2i + 1: its
        cached file)."""
        cdef Py_ssize_t per_chunk = 2 * _CHUNK_FILES
        return &self.queue.chunks[slot // per_chunk].found[slot % per_chunk]
