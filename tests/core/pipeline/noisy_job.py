"""A job kind registered from outside core/pipeline, as videos or text will be: it only makes noise.

Its handler writes to the worker's stderr the way native decoders do (libtiff
warnings through the C stream, a Python warning), then says the file is gone.
"""
import os
import sys
from dataclasses import dataclass

from core.pipeline.decode_worker import Gone, handles


@dataclass(frozen=True)
class NoisyJob:
    path: str
    words: str


@handles(NoisyJob)
def make_noise(worker, job: NoisyJob):
    os.write(2, f"TIFFReadDirectory: Warning, {job.words} (from C)\n".encode())
    print(f"UserWarning: {job.words} (from Python)", file=sys.stderr, flush=True)
    return Gone(f"{job.words}: nothing to read")
