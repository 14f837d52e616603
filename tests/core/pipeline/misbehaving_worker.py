"""A decode worker that misbehaves on cue, for testing the pool's supervision.

Files named segfault*, hang* or oom* make it really crash (a NULL read in
native code), hang, or die as the OOM killer would leave it; every other file
is prepared by the real worker code.
"""
import ctypes
import os
import signal
import time

from core.pipeline.decode_worker import Preparer


def serve(conn, config):
    prepare = Preparer(config)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            break
        if job is None:
            break
        name = os.path.basename(job.path)
        if name.startswith("segfault"):
            ctypes.string_at(0)
        elif name.startswith("hang"):
            time.sleep(3600)
        elif name.startswith("oom"):
            os.kill(os.getpid(), signal.SIGKILL)
        conn.send(prepare(job))
