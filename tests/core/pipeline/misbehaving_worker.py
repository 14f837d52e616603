"""A decode worker that misbehaves on cue, for testing the pool's supervision.

Files named segfault*, hang* or oom* make it really crash (a NULL read in
native code), hang, or die as the OOM killer would leave it; slow* files are
prepared half a second a frame (a long video on a slow machine); every other
file is prepared by the real worker code. Run by DecodePool as
`python -m tests.core.pipeline.misbehaving_worker`.
"""
import ctypes
import os
import signal
import sys
import time

from core.pipeline.decode_worker import Preparer, connect, heartbeat_to, serve


def prepare_or_misbehave(prepare):
    def run(job):
        name = os.path.basename(job.path)
        if name.startswith("slow"):
            beat = prepare.heartbeat
            prepare.heartbeat = lambda: (time.sleep(0.5), beat())
            try:
                return prepare(job)
            finally:
                prepare.heartbeat = beat
        if name.startswith("segfault"):
            ctypes.string_at(0)
        elif name.startswith("hang"):
            time.sleep(3600)
        elif name.startswith("oom"):
            os.kill(os.getpid(), signal.SIGKILL)
        return prepare(job)
    return run


if __name__ == "__main__":
    jobs, results, config, counter = connect(sys.argv[1:])
    if os.environ.get("PHOTOSIFT_TEST_BROKEN_WORKER"):
        sys.exit(3)   # a broken install: dies before it is ready
    preparer = Preparer(config)
    preparer.heartbeat = heartbeat_to(results)
    serve(jobs, results, prepare_or_misbehave(preparer), counter)
