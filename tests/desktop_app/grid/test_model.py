from PIL import Image

from desktop_app.grid.model import PathRole, PhotoGridModel


def test_grid_model_passes_qtmodeltester(qtmodeltester, tmp_path):
    model = PhotoGridModel(lambda h: tmp_path / f"{h}.jpg")
    model.set_rows([(i, f"/photos/{i}.jpg", f"h{i}", None) for i in range(50)])
    qtmodeltester.check(model)
    model.append_rows([(100, "/photos/100.jpg", "h100", 0.5)])
    qtmodeltester.check(model)
    model.loader.stop()


def test_thumbnails_load_in_the_background_then_repaint(qtbot, tmp_path):
    Image.new("RGB", (64, 48), (200, 0, 0)).save(tmp_path / "abc.jpg")
    model = PhotoGridModel(lambda h: tmp_path / f"{h}.jpg")
    model.set_rows([(1, "/photos/one.jpg", "abc", None)])
    index = model.index(0)
    assert index.data(PathRole) == "/photos/one.jpg"
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        assert model.data(index, 1) is None   # DecorationRole: placeholder while loading
    pixmap = model.data(index, 1)
    assert pixmap is not None and pixmap.width() == 64
    model.loader.stop()
