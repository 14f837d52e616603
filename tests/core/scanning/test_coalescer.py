import threading
import time

from core.scanning.coalescer import Coalescer


def test_a_burst_of_events_becomes_one_batch(tmp_path):
    c = Coalescer(quiet=0.2, max_wait=5, settle=0.05)
    files = []
    for i in range(50):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(b"x")
        files.append(str(path))
        c.add(str(path))
    batch = c.take(timeout=5)
    assert batch == set(files)
    assert c.pending() == 0


def test_a_file_still_being_written_is_held_back(tmp_path):
    growing = tmp_path / "copying.jpg"
    growing.write_bytes(b"x")
    c = Coalescer(quiet=0.05, max_wait=5, settle=0.3)
    c.add(str(growing))
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            with open(growing, "ab") as fh:
                fh.write(b"y" * 100)
            time.sleep(0.02)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert c.take(timeout=2) == set()
        assert c.pending() == 1
    finally:
        stop.set()
        t.join()
    assert c.take(timeout=5) == {str(growing)}


def test_close_wakes_a_waiting_take():
    c = Coalescer()
    threading.Timer(0.1, c.close).start()
    start = time.monotonic()
    assert c.take() == set()
    assert time.monotonic() - start < 2
