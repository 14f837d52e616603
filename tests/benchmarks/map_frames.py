#!/usr/bin/env python3
"""The offline world map with 100k geotagged photos: time per frame while panning and zooming.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.map_frames [--photos 100000]

Each frame is a full render of the widget (outlines, labels, the clusters in
view, each bubble with its photo cut round) into an image, as the screen would
get it; the clusters of a zoom level are computed the first time it is shown,
which the first frame at that level pays. Every photo has a thumbnail (200
distinct JPEG files), read off the GUI thread by the grid's loader: the first
frame at a level asks for the covers, and the panning frames are timed once
they have arrived. Target: 60 fps, 16.7 ms a frame.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from core.places.clusters import PhotoMap
    from desktop_app.map_view import MapView

    app = QApplication([])
    rng = np.random.default_rng(0)
    n = args.photos
    lat = np.r_[60.17 + rng.normal(0, 0.05, n * 7 // 10), rng.uniform(-50, 70, n - n * 7 // 10)]
    lon = np.r_[24.94 + rng.normal(0, 0.1, n * 7 // 10), rng.uniform(-170, 170, n - n * 7 // 10)]
    start = time.perf_counter()
    view = MapView()
    print(f"outlines loaded and the map built in {time.perf_counter() - start:.2f} s")
    view.resize(1200, 800)
    covers = Path(tempfile.mkdtemp(prefix="photosift-map-covers-"))
    from PIL import Image

    files = []
    for k in range(200):
        path = covers / f"{k}.jpg"
        Image.new("RGB", (320, 240), tuple(int(v) for v in rng.integers(0, 255, 3))).save(path, quality=85)
        files.append(str(path))
    view.set_photos(PhotoMap(np.arange(n), lat, lon), covers={i: files[i % len(files)] for i in range(n)})
    view.grab()

    def covers_arrive() -> None:
        """Let the loader read what the last frame asked for (as the event loop would between frames)."""
        deadline = time.monotonic() + 10
        while view.loader.busy() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        app.processEvents()
    for zoom in (1.0, 4.0, 8.0, 12.0):
        view.zoom = zoom
        view.centre = QPointF(*[float(v) for v in (view.photos.x[0], view.photos.y[0])])
        first = time.perf_counter()
        view.grab()
        first = time.perf_counter() - first
        covers_arrive()
        view.grab()
        frames = []
        for _ in range(40):
            start = time.perf_counter()
            view.pan_by(8, 3)
            view.grab()
            frames.append(time.perf_counter() - start)
            covers_arrive()      # untimed: the bubbles that came into view get their photos
        print(f"zoom {zoom:4.1f}: first frame {first * 1000:6.1f} ms; panning median {statistics.median(frames) * 1000:5.1f} "
              f"ms, worst {max(frames) * 1000:5.1f} ms; {len(view.drawn)} bubbles in view, "
              f"{len(view._round)} covers in memory")
    app.quit()


if __name__ == "__main__":
    main()
