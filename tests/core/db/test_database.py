import os
import threading

from core.db import Database


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_readers_of_finished_threads_are_closed(tmp_path):
    db = Database(tmp_path / "lib.db")

    def read_in_a_thread():   # pipeline stages and Qt pool threads come and go
        t = threading.Thread(target=db.read, args=("SELECT COUNT(*) FROM photos",))
        t.start()
        t.join()

    for _ in range(2):
        # After these, one finished thread's reader is open until the next reader closes it, and
        # SQLite may hold one closed connection's descriptor while others lock the file.
        read_in_a_thread()
    before = _open_fds()
    for _ in range(20):
        read_in_a_thread()
    assert _open_fds() == before
    db.close()
