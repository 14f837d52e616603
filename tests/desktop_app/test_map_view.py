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


def test_bubbles_show_one_of_their_photos_and_cities_are_named_up_close(qtbot, tmp_path, no_network):
    from PIL import Image

    from desktop_app.map_view import CITIES_FROM, COVER

    photos = _photos(400)
    covers = {}
    for photo_id in photos.ids.tolist():
        path = tmp_path / f"{photo_id}.jpg"
        Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
        covers[photo_id] = str(path)
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.set_photos(photos, covers, [("Helsinki", 60.17, 24.94, 200), ("Rome", 41.9, 12.5, 200)])
    view.grab()                               # asks for the covers of the bubbles in view
    level = photos.level(view.zoom)
    qtbot.waitUntil(lambda: all(level.cover(i) in view._round for i, *_ in view.drawn), timeout=10000)
    view.grab()
    assert view.drawn and all(radius == COVER / 2 for *_, radius in view.drawn)
    cover = view._round[level.cover(view.drawn[0][0])]
    assert cover.pixelColor(COVER // 2, COVER // 2).red() > 150 and cover.pixelColor(0, 0).alpha() == 0   # round
    assert view.labelled == []                # zoomed out: countries, not cities
    while view.zoom < CITIES_FROM:
        view.zoom_by(1, view.to_screen(*[float(v) for v in _unit(60.17, 24.94)]))
    view.grab()
    assert "Helsinki" in view.labelled and "Rome" not in view.labelled   # Rome is out of view
    assert not no_network


def _unit(latitude, longitude):
    from core.places.clusters import project

    return project(latitude, longitude)
