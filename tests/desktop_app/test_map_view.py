"""The world map: clusters that add up at every zoom, a click that shows exactly a bubble's photos, no network."""
import socket

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from core.places.clusters import PhotoMap
from desktop_app.map_view import MapView


@pytest.fixture
def no_network(monkeypatch):
    """Any socket the map (or anything it calls) opens fails the test."""
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args)
        raise AssertionError("the map opened a network socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return opened


def _photos(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    lat = np.r_[60.17 + rng.normal(0, 0.05, n // 2), 41.9 + rng.normal(0, 1.0, n // 2)]
    lon = np.r_[24.94 + rng.normal(0, 0.1, n // 2), 12.5 + rng.normal(0, 1.0, n // 2)]
    return PhotoMap(np.arange(1, n + 1), lat, lon)


def test_clusters_add_up_to_the_geotagged_photos_at_every_zoom():
    photos = _photos()
    for zoom in range(0, 19):
        clusters = photos.clusters(zoom)
        ids = np.concatenate([c.photo_ids for c in clusters])
        assert len(ids) == len(photos) and len(np.unique(ids)) == len(photos)
    assert len(photos.clusters(0)) < len(photos.clusters(8)) < len(photos.clusters(16))   # they split as you zoom


def test_a_click_on_a_bubble_shows_exactly_its_photos(qtbot, no_network):
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    photos = _photos()
    view.set_photos(photos)
    view.grab()      # renders a frame, as the screen would
    assert view.drawn, "no bubble in view"
    assert sum(int(photos.level(view.zoom).counts[i]) for i, *_ in view.drawn) == len(photos)   # all are in view
    index, x, y, _radius = max(view.drawn, key=lambda d: photos.level(view.zoom).counts[d[0]])
    expected = photos.level(view.zoom).cluster(index)
    with qtbot.waitSignal(view.chosen, timeout=2000) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPointF(x, y).toPoint())
    assert set(clicked.args[0].photo_ids.tolist()) == set(expected.photo_ids.tolist())
    assert not no_network


def test_panning_and_zooming_keep_the_point_under_the_cursor_and_open_no_socket(qtbot, no_network):
    view = MapView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.set_photos(_photos(1000))
    under = QPointF(200, 150)
    before = view.to_world(under)
    view.zoom_by(2, under)
    after = view.to_world(under)
    assert abs(before.x() - after.x()) < 1e-9 and abs(before.y() - after.y()) < 1e-9
    centre = view.centre
    view.pan_by(100, 0)
    assert view.centre.x() < centre.x()
    view.grab()      # a full frame, outlines and labels included
    assert not no_network
