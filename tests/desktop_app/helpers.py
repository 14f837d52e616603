"""A main window over a small indexed library of generated shapes."""
import sys

from desktop_app.mainwindow import MainWindow
from tests.conftest import DATA

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def open_window(qtbot, library, folder, per_combo=2):
    truth = shapes.write_folder(folder, per_combo=per_combo)
    library.add_root(folder)
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == len(truth), timeout=10000)
    return win, truth


def shown_paths(win) -> list[str]:
    from desktop_app.grid.model import PathRole

    return [win.model.index(i).data(PathRole) for i in range(win.model.rowCount())]
