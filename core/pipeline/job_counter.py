"""How many jobs a decode worker has begun, in memory that the pool and the worker both see.

A worker is sent several jobs in one message and answers them in one, so the
pipes no longer say which file it holds. This counter does: the worker adds
one as it begins each job, and when it crashes or stops answering, the pool
reads which of the jobs it was sent it had begun. Only that one is blamed.
The jobs before it were finished (their outcomes died with the worker) and
the jobs after it were never tried: both are simply sent again.
"""
from __future__ import annotations

import mmap
import os
import struct
import tempfile

_FORMAT = "<q"
_SIZE = struct.calcsize(_FORMAT)


class JobCounter:
    """One worker's count of jobs begun. The pool creates it and passes `fd` to the worker,
    which attaches to it; only the worker writes."""

    def __init__(self, fd: int, owned_file=None):
        self.fd = fd
        self._file = owned_file      # the pool's: the unlinked file that backs the memory
        self._memory = mmap.mmap(fd, _SIZE)

    @classmethod
    def create(cls) -> JobCounter:
        backing = tempfile.TemporaryFile(prefix="photosift-jobs-")   # unlinked: nothing left behind
        os.ftruncate(backing.fileno(), _SIZE)
        return cls(backing.fileno(), backing)

    @classmethod
    def attach(cls, fd: int) -> JobCounter:
        return cls(fd)

    @property
    def begun(self) -> int:
        return struct.unpack_from(_FORMAT, self._memory)[0]

    def begin(self) -> None:
        """Called by the worker just before it starts a job."""
        struct.pack_into(_FORMAT, self._memory, 0, self.begun + 1)

    def close(self) -> None:
        self._memory.close()
        if self._file is not None:
            self._file.close()
