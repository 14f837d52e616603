from PIL import Image

from core.types import GridRow
from desktop_app.grid.model import PathRole, PhotoGridModel


def row(photo_id, path, content_hash, score=None):
    return GridRow(photo_id, path, content_hash, score, 1.0, None)


def test_grid_model_passes_qtmodeltester(qtmodeltester, tmp_path):
    model = PhotoGridModel(lambda h: tmp_path / f"{h}.jpg")
    model.set_rows([row(i, f"/photos/{i}.jpg", f"h{i}") for i in range(50)])
    qtmodeltester.check(model)
    model.update_rows([row(100, "/photos/100.jpg", "h100", 0.5)] + [row(i, f"/photos/{i}.jpg", f"h{i}")
                                                                  for i in range(50) if i % 7])
    qtmodeltester.check(model)
    model.loader.stop()


def test_update_inserts_and_removes_rows_without_a_reset(qtbot, tmp_path):
    model = PhotoGridModel(lambda h: tmp_path / f"{h}.jpg")
    model.set_rows([row(i, f"/p/{i}.jpg", f"h{i}") for i in (10, 20, 30, 40)])
    resets, inserted, removed = [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    new = [row(i, f"/p/{i}.jpg", f"h{i}") for i in (5, 6, 10, 30, 35, 40, 50)]
    model.update_rows(new)
    assert [model.index(r).data(PathRole) for r in range(model.rowCount())] == [r[1] for r in new]
    assert resets == [] and removed == [(1, 1)] and inserted == [(0, 1), (4, 4), (6, 6)]
    assert model.row_of(35) == 4
    model.update_rows(list(reversed(new)))   # a new order cannot be had by inserting: reset
    assert resets == [1]
    model.loader.stop()


def test_thumbnails_load_in_the_background_then_repaint(qtbot, tmp_path):
    Image.new("RGB", (64, 48), (200, 0, 0)).save(tmp_path / "abc.jpg")
    model = PhotoGridModel(lambda h: tmp_path / f"{h}.jpg")
    model.set_rows([row(1, "/photos/one.jpg", "abc")])
    index = model.index(0)
    assert index.data(PathRole) == "/photos/one.jpg"
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        assert model.data(index, 1) is None   # DecorationRole: placeholder while loading
    pixmap = model.data(index, 1)
    assert pixmap is not None and pixmap.width() == 64
    model.loader.stop()
