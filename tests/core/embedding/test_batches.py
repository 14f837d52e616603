"""How the image tower's batches share the CPU: the split of the cores, and runs side by side."""
import threading

import numpy as np

from core.embedding import batches


def test_the_cores_are_split_between_two_runs_and_named_threads_are_one_runs(monkeypatch):
    assert batches.cpu_split(1) == (1, 1)                    # a cluster actor's one thread
    assert batches.cpu_split(6) == (6, 1)
    for cores, split in ((8, (4, 2)), (2, (1, 2)), (3, (1, 2)), (1, (1, 1))):
        monkeypatch.setattr(batches.os, "sched_getaffinity", lambda pid, n=cores: set(range(n)), raising=False)
        assert batches.cpu_split(None) == split


def test_two_batches_run_at_once_and_a_third_waits_for_a_free_run(monkeypatch):
    monkeypatch.setattr(batches.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    runs = batches.CpuRuns(None)
    release, running = threading.Event(), []

    def embed(items):
        running.append(items[0])
        assert release.wait(10)
        return np.full((len(items), 2), float(items[0]))

    started = [runs.start(embed, [n, n]) for n in (1, 2, 3)]
    for _ in range(1000):
        if len(running) == 2:
            break
        threading.Event().wait(0.01)
    assert sorted(running) == [1, 2]                          # the third is queued behind them
    release.set()
    assert [float(s.vectors()[0, 0]) for s in started] == [1.0, 2.0, 3.0]
    assert batches.Done(np.ones((1, 2))).vectors().shape == (1, 2)
