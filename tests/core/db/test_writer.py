"""The writer keeps every loaded index level with SQLite, during a model switch too."""
import random
import shutil

import pytest

from core.db.vectors import decode_vector
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS, shapes


@pytest.fixture
def switching(library, tmp_path):
    """Folder a is embedded by both models, folder b only by the old one, which still serves."""
    a = shapes.write_folder(tmp_path / "photos" / "a", per_combo=1, seed=1)
    shapes.write_folder(tmp_path / "photos" / "b", per_combo=1, seed=2)
    library.settings.set("auto_tag", False)
    library.add_root(tmp_path / "photos")
    library.scan()
    library.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny2")
    library.models.use("tiny2")
    library.scan(only=set(a))
    assert library.serving_model_name() == "tiny"
    library.index("tiny")   # the serving index is loaded, as it is while the app searches
    return library, sorted(a)


def _in_sync(library, model):
    stored = dict(library.db.read("SELECT photo_id, vector FROM embeddings WHERE model = ?", (model,)))
    index = library.index(model)
    return index.count == len(stored) and all(index.search(decode_vector(stored[i]), 1)[0][0] == i
                                               for i in sorted(stored)[:5])


def test_a_copy_reuses_vectors_into_the_serving_index_too(switching, tmp_path):
    library, a = switching
    copy = tmp_path / "photos" / "a" / "copy.jpg"
    shutil.copy(a[0], copy)
    summary = library.scan(only={str(copy)})
    assert summary.reused == 1
    assert _in_sync(library, "tiny")
    hits = library.similar(str(copy), top=2)   # answered by the serving model
    assert str(copy) in {h.path for h in hits}


def test_new_content_leaves_the_other_models_index_too(switching):
    library, a = switching
    changed = a[0]
    pid = library.photo_id(changed)
    shapes.render(shapes.Scene("star", "yellow", "black"), 160, random.Random(7)).save(changed)
    summary = library.scan(only={changed})
    assert summary.updated == 1
    # Its old picture's "tiny" vector is gone from SQLite, and so from the serving index.
    assert library.db.scalar("SELECT COUNT(*) FROM embeddings WHERE photo_id = ? AND model = 'tiny'", (pid,)) == 0
    assert _in_sync(library, "tiny")


def test_a_row_left_at_a_path_gives_way_to_the_photo_written_there(library, tmp_path):
    import numpy as np

    from core.db.writer import PhotoWriter
    from core.paths import db_path
    from core.scanning.planner import Job
    from core.types import PhotoMeta

    photos = shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.settings.set("auto_tag", False)
    library.add_root(tmp_path / "photos")
    library.scan()
    path = sorted(photos)[0]
    old = library.photo_id(path)
    root_id = library.db.scalar("SELECT root_id FROM photos WHERE id = ?", (old,))
    count = library.index("tiny").count
    writer = PhotoWriter(library.db, "tiny", lambda: {"tiny": library.index("tiny")})
    vector = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    vector /= np.linalg.norm(vector)
    with writer.batch():   # a job that did not know of the row at its path
        new = writer.embedded(Job(path, 10, 1.0, root_id), "f" * 40, PhotoMeta(), vector)
    assert new != old
    assert library.db.read("SELECT id FROM photos WHERE path = ?", (db_path(path),)) == [(new,)]
    assert library.db.scalar("SELECT COUNT(*) FROM embeddings WHERE photo_id = ?", (old,)) == 0
    index = library.index("tiny")
    assert index.count == count and index.search(vector, 1)[0][0] == new
