"""The README's screenshots: each state of the window, at two sizes, light and dark.

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python docs/screenshots.py --photos ../shared/photos

It builds a small library of its own in --work (crops of the given photos,
dated into a few events, plus generated pictures the tiny test model knows,
so a search has real matches and a real cutoff), indexes it with the tiny
model from tests/data, and photographs the window: browsing by date, a
search with its header and cutoff divider, the sidebar with sections open
and closed, the empty library, and indexing in progress. `--only people`
makes the README's two People screenshots from ../shared/faces (needs dlib);
`--only places` the map and a place's page, from the photos geotagged at a
few cities.
"""
from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import random
import shutil
import sys
import time

from PIL import Image, ImageOps

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "data")]

import shapes  # noqa: E402  (tests/data/shapes.py)

TINY = REPO / "tests" / "data" / "tiny_clip"
SIZES = ((1280, 800), (1920, 1080))
ASPECTS = (3 / 2, 2 / 3, 4 / 3, 3 / 4, 1.0, 16 / 9)


def build_photos(source: pathlib.Path, out: pathlib.Path, seed: int = 3, events: int = 9, side: int = 1400) -> None:
    """Crops of the source photos in several aspect ratios, dated into events a few weeks apart."""
    rng = random.Random(seed)
    sources = sorted(p for p in source.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    out.mkdir(parents=True)
    day = dt.datetime(2025, 8, 17, 10)
    for event in range(events):
        for k in range(rng.randrange(5, 13)):
            img = ImageOps.exif_transpose(Image.open(rng.choice(sources))).convert("RGB")
            aspect = rng.choice(ASPECTS)
            w, h = img.size
            cw, ch = (w, int(w / aspect)) if w / h < aspect else (int(h * aspect), h)
            x, y = rng.randrange(0, w - cw + 1), rng.randrange(0, h - ch + 1)
            img = img.crop((x, y, x + cw, y + ch))
            img.thumbnail((side, side))
            taken = day + dt.timedelta(hours=rng.randrange(0, 40))
            exif = Image.Exif()
            exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
            img.save(out / f"event{event}-{k:02d}.jpg", quality=88, exif=exif)
        day -= dt.timedelta(days=rng.randrange(20, 160))
    for k in range(18):   # pictures the tiny model was trained on: a search with real matches
        scene = shapes.random_scene(rng)
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = (dt.datetime(2025, 9, 2, 9) + dt.timedelta(minutes=k)).strftime(
            "%Y:%m:%d %H:%M:%S")
        shapes.render(scene, 640, rng).save(out / f"shapes-{k:02d}.jpg", quality=90, exif=exif)


def make_library(folder: pathlib.Path, photos: pathlib.Path | None, scan: bool = True):
    from core.library import Library

    lib = Library(folder)
    lib.models.import_file(TINY / "photosift-tiny.safetensors", str(TINY / "photosift-tiny.json"), name="tiny")
    lib.settings.set("faces", False)
    if photos is not None:
        lib.add_root(photos)
        if scan:
            lib.scan()
            lib.organizer.albums.create("Red things", prompt="a red circle")
            lib.organizer.albums.create("Favourites")
    return lib


class Camera:
    def __init__(self, app, out: pathlib.Path):
        self.app, self.out = app, out

    def wait(self, condition, timeout: float = 60.0, settle: bool = True) -> None:
        end = time.time() + timeout
        while not condition():
            self.app.processEvents()
            time.sleep(0.02)
            if time.time() > end:
                raise TimeoutError(condition)
        for _ in range(20 if settle else 0):   # let pending paints and thumbnail loads land
            self.app.processEvents()
            time.sleep(0.02)

    def shoot(self, window, name: str, theme: str) -> None:
        size = window.size()
        path = self.out / f"{name}-{size.width()}x{size.height()}-{theme}.jpg"
        window.grab().toImage().save(str(path), "JPEG", 82)
        print(path)


def thumbnails_loaded(win) -> bool:
    grid, model = win.grid, win.model
    first = grid.first_visible_index()
    if not first.isValid():
        return model.rowCount() == 0
    row = first.row()
    while row < model.rowCount() and grid.visualRect(model.index(row)).top() < grid.viewport().height():
        if model.data(model.index(row), 1) is None:   # DecorationRole: not loaded yet
            return False
        row += 1
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=str(REPO.parent / "shared" / "photos"))
    parser.add_argument("--work", default="/tmp/photosift-screens")
    parser.add_argument("--out", default=str(REPO / "docs" / "screens"))
    parser.add_argument("--only", choices=("all", "indexing", "people", "places"), default="all")
    parser.add_argument("--faces", default=str(REPO.parent / "shared" / "faces"),
                        help="for --only people: the public-domain portraits of ../shared/faces")
    args = parser.parse_args()
    work, out = pathlib.Path(args.work), pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.only == "people":
        build_people(pathlib.Path(args.faces), work / "people")
    if args.only == "places":
        build_places(pathlib.Path(args.photos), work / "places")
    if args.only == "all":
        shutil.rmtree(work, ignore_errors=True)
        build_photos(pathlib.Path(args.photos), work / "photos")
        make_library(work / "library", work / "photos").close()

    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    from desktop_app import theme as themes

    camera = Camera(app, out)
    if args.only == "people":
        shoot_people(camera, work / "people", REPO / "docs")
        return
    if args.only == "places":
        shoot_places(camera, work / "places", REPO / "docs")
        return
    for theme in ("light", "dark"):
        themes.apply(theme)
        for width, height in SIZES:
            if args.only == "all":
                shoot_library(camera, work, theme, width, height)
            shoot_indexing(camera, work, pathlib.Path(args.photos), theme, width, height)


def shoot_library(camera, work, theme, width, height) -> None:
    from core.library import Library
    from desktop_app.mainwindow import MainWindow

    lib = Library(work / "library")
    win = MainWindow(lib, watch=False)
    win.resize(width, height)
    win.show()
    camera.wait(lambda: win.model.rowCount() > 0 and win.sidebar_panel.entries("album"))
    camera.wait(lambda: thumbnails_loaded(win))
    camera.shoot(win, "browse", theme)
    win.search.setText("a red circle")
    camera.wait(lambda: win.view.kind == "search" and win.model.rowCount() > 0)
    camera.wait(lambda: thumbnails_loaded(win))
    camera.shoot(win, "search", theme)
    panel = win.sidebar_panel
    panel.section("albums").setExpanded(False)
    panel.section("tags").setExpanded(True)
    first_category = panel.section("tags").child(0)
    if first_category is not None:
        first_category.setExpanded(True)
        panel.tree.setCurrentItem(first_category.child(0))
    camera.wait(lambda: win.view.kind == "tag")
    camera.wait(lambda: thumbnails_loaded(win))
    camera.shoot(win, "sidebar", theme)
    win.close()
    win.shutdown()
    lib.close()

    empty = Library(work / f"empty-{theme}-{width}")
    win = MainWindow(empty, watch=False)
    win.resize(width, height)
    win.show()
    camera.wait(lambda: win.stack.currentIndex() == 1)
    camera.shoot(win, "empty", theme)
    win.close()
    win.shutdown()
    empty.close()


def shoot_indexing(camera, work, photos, theme, width, height) -> None:
    from desktop_app.mainwindow import MainWindow

    folder = work / f"indexing-{theme}-{width}"
    shutil.rmtree(folder, ignore_errors=True)
    build_photos(photos, folder / "photos", seed=width, events=60, side=2400)
    busy = make_library(folder / "library", folder / "photos", scan=False)
    win = MainWindow(busy, watch=True)
    win.resize(width, height)
    win.show()
    camera.wait(lambda: win.indexing.bar.isVisible() and win.indexing.bar.value() > 5, timeout=300,
                settle=False)   # shot at once: on these 2 cores the whole index takes seconds
    camera.shoot(win, "indexing", theme)
    win.close()
    win.shutdown()
    busy.close()


def build_people(faces: pathlib.Path, base: pathlib.Path) -> None:
    """Four crops of each public-domain portrait (see ../shared/faces/README.md), indexed with faces on."""
    shutil.rmtree(base, ignore_errors=True)
    photos = base / "photos"
    photos.mkdir(parents=True)
    rng = random.Random(5)
    for name in ("obama-1.jpg", "biden-1.jpg", "astronaut-collins.png"):
        src = ImageOps.exif_transpose(Image.open(faces / name)).convert("RGB")
        w, h = src.size
        for i, (crop, scale) in enumerate([((0, 0, w, h), 1.0), ((w // 10, h // 12, w - w // 10, h - h // 4), 0.8),
                                           ((0, 0, w, h), 0.6), ((w // 20, 0, w - w // 20, h * 3 // 4), 0.7)]):
            img = src.crop(crop)
            img.resize((int(img.width * scale), int(img.height * scale))).save(
                photos / f"{pathlib.Path(name).stem}-{i}.jpg", quality=90)
    for i in range(14):
        shapes.render(shapes.random_scene(rng), 640, rng).save(photos / f"shapes-{i}.jpg", quality=90)
    lib = make_library(base / "library", None)
    lib.settings.set("faces", True)
    lib.settings.set("auto_tag", False)
    lib.add_root(photos)
    lib.scan()
    for person in lib.people.list():
        path = lib.people.faces(person.id)[0].path
        for stem, name in (("obama", "Barack Obama"), ("biden", "Joe Biden")):
            if stem in path:
                lib.people.name(person.id, name)
    lib.close()


def shoot_people(camera, base: pathlib.Path, docs: pathlib.Path) -> None:
    """The People section, then a person's page: docs/screenshot-people.jpg and screenshot-person.jpg."""
    from core.library import Library
    from desktop_app.mainwindow import MainWindow

    lib = Library(base / "library")
    win = MainWindow(lib, watch=False)
    win.resize(1280, 800)
    win.show()
    camera.wait(lambda: "Barack Obama" in win.sidebar_panel.entries("person") and thumbnails_loaded(win))
    win.grab().toImage().save(str(docs / "screenshot-people.jpg"), "JPEG", 85)
    win.sidebar_panel.tree.setCurrentItem(win.sidebar_panel.entries("person")["Barack Obama"])
    camera.wait(lambda: win.view.kind == "person" and win.faces.count() > 0 and thumbnails_loaded(win))
    win.grab().toImage().save(str(docs / "screenshot-person.jpg"), "JPEG", 85)
    win.close()
    win.shutdown()
    lib.close()


CITIES = {"Helsinki": (60.1699, 24.9384, 14), "Lisbon": (38.7223, -9.1393, 8), "Zürich": (47.3769, 8.5417, 6),
          "Arezzo": (43.4633, 11.8797, 5), "Tokyo": (35.6895, 139.6917, 5), "New York": (40.7128, -74.006, 4),
          "Reykjavík": (64.1466, -21.9426, 3), "Cape Town": (-33.9249, 18.4241, 3)}


def build_places(source: pathlib.Path, base: pathlib.Path) -> None:
    """Crops of the source photos, geotagged around a few cities and dated a trip apart."""
    shutil.rmtree(base, ignore_errors=True)
    photos = base / "photos"
    photos.mkdir(parents=True)
    rng = random.Random(11)
    sources = sorted(p for p in source.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    day = dt.datetime(2025, 6, 1, 10)

    def dms(v):
        v = abs(v)
        return float(int(v)), float(int((v % 1) * 60)), round(((v % 1) * 60 % 1) * 60, 3)

    for city, (lat, lon, count) in CITIES.items():
        for k in range(count):
            img = ImageOps.exif_transpose(Image.open(rng.choice(sources))).convert("RGB")
            img.thumbnail((1200, 1200))
            exif = Image.Exif()
            exif.get_ifd(0x8769)[0x9003] = (day + dt.timedelta(hours=5 * k)).strftime("%Y:%m:%d %H:%M:%S")
            la, lo = lat + rng.gauss(0, 0.01), lon + rng.gauss(0, 0.02)
            exif.get_ifd(0x8825).update({1: "N" if la >= 0 else "S", 2: dms(la), 3: "E" if lo >= 0 else "W",
                                         4: dms(lo)})
            img.save(photos / f"{city.replace(' ', '-')}-{k:02d}.jpg", quality=88, exif=exif)
        day -= dt.timedelta(days=rng.randrange(30, 120))
    make_library(base / "library", photos).close()


def shoot_places(camera, base: pathlib.Path, docs: pathlib.Path) -> None:
    """The map of the library, a place's page, and a search understood: docs/screenshot-map.jpg,
    screenshot-place.jpg and screenshot-understood.jpg."""
    from core.library import Library
    from desktop_app.mainwindow import MainWindow

    lib = Library(base / "library")
    win = MainWindow(lib, watch=False)
    win.resize(1280, 800)
    win.show()
    camera.wait(lambda: win.sidebar_panel.section("places") is not None)
    win.show_view("map")
    camera.wait(lambda: win.stack.currentWidget() is win.map and len(win.map.photos) > 0)

    def covers_loaded() -> bool:   # every bubble in view shows its photo
        win.map.grab()
        level = win.map.photos.level(win.map.zoom)
        return bool(win.map.drawn) and all(level.cover(i) in win.map._round for i, *_ in win.map.drawn)
    camera.wait(covers_loaded)
    win.grab().toImage().save(str(docs / "screenshot-map.jpg"), "JPEG", 85)
    win.show_view("place", "Lisbon, Portugal")
    camera.wait(lambda: win.view.kind == "place" and win.model.rowCount() > 0 and thumbnails_loaded(win))
    win.grab().toImage().save(str(docs / "screenshot-place.jpg"), "JPEG", 85)
    # The search box: what it understood, as chips.
    win.search.setText("the sea in Iceland")
    camera.wait(lambda: win.view.kind == "search" and win.listing is not None and win.search_box.chips()
                and thumbnails_loaded(win))
    win.grab().toImage().save(str(docs / "screenshot-understood.jpg"), "JPEG", 85)
    win.close()
    win.shutdown()
    lib.close()


if __name__ == "__main__":
    main()
