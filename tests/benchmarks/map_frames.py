#!/usr/bin/env python3
"""The offline world map with 100k geotagged photos: time per frame while panning and zooming.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.map_frames [--photos 100000]

Each frame is a full render of the widget (outlines, labels, the clusters in
view) into an image, as the screen would get it; the clusters of a zoom level
are computed the first time it is shown, which the first frame at that level
pays. Target: 60 fps, 16.7 ms a frame.
"""
from __future__ import annotations

import argparse
import statistics
import time

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
    view.set_photos(PhotoMap(np.arange(n), lat, lon))
    view.grab()
    for zoom in (1.0, 4.0, 8.0, 12.0):
        view.zoom = zoom
        view.centre = QPointF(*[float(v) for v in (view.photos.x[0], view.photos.y[0])])
        first = time.perf_counter()
        view.grab()
        first = time.perf_counter() - first
        frames = []
        for _ in range(40):
            start = time.perf_counter()
            view.pan_by(8, 3)
            view.grab()
            frames.append(time.perf_counter() - start)
        print(f"zoom {zoom:4.1f}: first frame {first * 1000:6.1f} ms; panning median {statistics.median(frames) * 1000:5.1f} "
              f"ms, worst {max(frames) * 1000:5.1f} ms; {len(view.drawn)} bubbles in view")
    app.quit()


if __name__ == "__main__":
    main()
