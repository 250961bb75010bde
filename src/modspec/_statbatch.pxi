# Included by _fast.pyx after _Found and _stat_at: the stats of one call's found files, made by
# a second thread while the calling thread goes on walking, and by the calling thread for what
# is left when the walk ends. The walk (listings, probes, building answers) holds the GIL; the
# stats are kernel path lookups that need no lock of ours, so the two overlap on two cores.


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


cdef void _stat_chunk(_Chunk *chunk) noexcept nogil:
    cdef Py_ssize_t i
    cdef struct_stat st
    # One directory held for origins and one for cached files, which lie in another.
    cdef int fds[2]
    cdef const char *held[2]
    fds[0] = fds[1] = -1
    held[0] = held[1] = NULL
    for i in range(2 * chunk.files):
        if (
            chunk.paths[i] != NULL
            and _stat_at(&fds[i % 2], &held[i % 2], chunk.paths[i], &st)
            and S_ISREG(st.st_mode)
        ):
            chunk.found[i].regular = True
            chunk.found[i].size = st.st_size
            chunk.found[i].mtime = _mtime_ns(&st)
    for i in range(2):
        if fds[i] >= 0:
            c_close(fds[i])


cdef void _take_chunks(_Queue *queue, bint wait) noexcept nogil:
    # Stats ready chunks until none is left; with ``wait``, until the walk has ended too.
    cdef _Chunk *chunk
    while True:
        pthread_mutex_lock(&queue.lock)
        while wait and queue.taken == queue.ready and not queue.closed:
            pthread_cond_wait(&queue.wake, &queue.lock)
        if queue.taken == queue.ready:
            pthread_mutex_unlock(&queue.lock)
            return
        chunk = queue.chunks[queue.taken]
        queue.taken += 1
        pthread_mutex_unlock(&queue.lock)
        _stat_chunk(chunk)


cdef void *_stat_worker(void *queue) noexcept nogil:
    _take_chunks(<_Queue *>queue, True)
    return NULL


cdef class _StatBatch:
    """The files a call found by their listings alone, to be stat'ed: add() each as it is
    found, then finish(); a second thread, started at the first full chunk, stats full chunks
    meanwhile."""

    cdef _Queue queue
    cdef bint thread_failed, running
    cdef pthread_t worker
    # The raw specs whose files these are, in order: their str objects own the paths' bytes.
    cdef list raws

    def __cinit__(self):
        self.raws = []
        pthread_mutex_init(&self.queue.lock, NULL)
        pthread_cond_init(&self.queue.wake, NULL)

    def __dealloc__(self):
        self._stop()
        cdef Py_ssize_t i
        for i in range(self.queue.count):
            munmap(self.queue.chunks[i], sizeof(_Chunk))
        free(self.queue.chunks)
        pthread_cond_destroy(&self.queue.wake)
        pthread_mutex_destroy(&self.queue.lock)

    cdef int add(self, tuple raw, const char *origin, const char *cached) except -1:
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
            if not self.running and not self.thread_failed:
                # Where no thread can be started, finish() stats it all here.
                self.running = pthread_create(&self.worker, NULL, _stat_worker, queue) == 0
                self.thread_failed = not self.running
        return 0

    cdef void finish(self) noexcept nogil:
        """Stats every file not stat'ed yet, helping the second thread, and waits for it."""
        pthread_mutex_lock(&self.queue.lock)
        self.queue.ready = self.queue.count
        self.queue.closed = True
        pthread_cond_broadcast(&self.queue.wake)
        pthread_mutex_unlock(&self.queue.lock)
        _take_chunks(&self.queue, False)
        self._stop()

    cdef void _stop(self) noexcept nogil:
        # The worker reads paths that self.raws owns: it must end before they may go. Closing
        # the queue ends it once it has taken what is ready (abandoned work, on an error).
        if not self.running:
            return
        pthread_mutex_lock(&self.queue.lock)
        self.queue.closed = True
        pthread_cond_broadcast(&self.queue.wake)
        pthread_mutex_unlock(&self.queue.lock)
        pthread_join(self.worker, NULL)
        self.running = False

    cdef inline _Found *found(self, Py_ssize_t slot) noexcept:
        """What the stat of slot ``slot`` found (2i: the i-th file's origin, 2i + 1: its
        cached file)."""
        cdef Py_ssize_t per_chunk = 2 * _CHUNK_FILES
        return &self.queue.chunks[slot // per_chunk].found[slot % per_chunk]
