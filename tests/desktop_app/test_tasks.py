"""The background runner: results cross threads, failures are reported."""
import logging
import sys
import threading

import pytest

from desktop_app.tasks import TaskRunner


def test_results_carrying_none_cross_threads_without_losing_references(qtbot):
    """PySide6 6.12.0 dropped a reference to None on every queued signal that carried
    it; a few hundred background results later the interpreter aborted."""
    runner = TaskRunner()
    done = [0]

    def count(_result):
        done[0] += 1

    before = sys.getrefcount(None)
    for _ in range(300):
        runner.run(lambda: None, count, lane="bulk")
    qtbot.waitUntil(lambda: done[0] == 300, timeout=30000)
    assert abs(sys.getrefcount(None) - before) < 50   # 6.12.0: about 6 lost per result, 1,800 here


def test_results_and_failures_come_back_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen = []
    runner.run(lambda: threading.current_thread(), lambda t: seen.append((t, threading.current_thread())))
    runner.run(lambda: 1 / 0, None, lambda exc: seen.append(exc))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10000)
    (worker, gui), failure = seen if isinstance(seen[0], tuple) else seen[::-1]
    assert worker is not threading.main_thread() and gui is threading.main_thread()
    assert isinstance(failure, ZeroDivisionError)


@pytest.mark.expect_errors
def test_an_unhandled_background_failure_is_logged_as_an_error(qtbot, caplog):
    runner = TaskRunner()
    with caplog.at_level(logging.ERROR, logger="desktop_app.tasks"):
        runner.run(lambda: 1 / 0)
        qtbot.waitUntil(lambda: any(r.levelno == logging.ERROR for r in caplog.records), timeout=10000)
    assert "ZeroDivisionError" in caplog.text
