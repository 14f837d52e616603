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


def write_dated(folder, dates: list[str], seed: int = 0) -> list[str]:
    """Shape pictures of mixed aspect ratios, each with an EXIF date ('2023-05-14 10:00:00')."""
    import random

    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for k, date in enumerate(dates):
        picture = shapes.render(shapes.random_scene(rng), 160, rng)
        width, height = rng.choice([(240, 160), (160, 240), (160, 160), (284, 160)])
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = date.replace("-", ":", 2)
        path = folder / f"photo-{k:03d}.jpg"
        picture.resize((width, height)).save(path, quality=90, exif=exif)
        paths.append(str(path))
    return paths
