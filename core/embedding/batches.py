"""Batches of images on their way to vectors on the CPU: already done, or running beside another.

ONNX Runtime runs CPU_RUNS batches at once, each on its share of the cores,
rather than one batch on all of them. Two side by side, one thread each,
embedded ViT-B-32-256 at 10.0 images/s on 2 cores against 9.1 for one batch
on both, with 6% less CPU an image (the intra-op threads' synchronisation);
the tiny test model took 1.35 ms of CPU an image against 1.86. A second batch
in flight adds about 50 MB; one image alone takes longer (204 ms against 159).
"""
from __future__ import annotations

import os
import threading

import numpy as np

CPU_RUNS = 2


def cpu_split(threads: int | None) -> tuple[int, int]:
    """(intra-op threads of the image tower's session, batches run at once). Threads a caller
    names (a cluster actor's one) are one run's."""
    if threads:
        return threads, 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    runs = min(CPU_RUNS, cores)
    return max(1, cores // runs), runs


class Done:
    """Vectors already computed."""

    def __init__(self, vectors: np.ndarray):
        self._vectors = vectors

    def vectors(self) -> np.ndarray:
        return self._vectors


class Running:
    """Vectors being computed on one of the CPU's runs."""

    def __init__(self, future):
        self._future = future

    def vectors(self) -> np.ndarray:
        return self._future.result()


class CpuRuns:
    """The threads a model's image batches run on, side by side (started on first use)."""

    def __init__(self, threads: int | None):
        self.session_threads, self._count = cpu_split(threads)
        self._pool = None
        self._lock = threading.Lock()

    def start(self, embed, items) -> Running:
        """embed(items) on a run of its own; returns at once."""
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._count, thread_name_prefix="photosift-onnx")
        return Running(self._pool.submit(embed, items))
