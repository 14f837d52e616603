"""Switching models: re-embedding in the background while old vectors serve."""
import os
import sys

from core.search.query import SearchQuery
from tests.conftest import DATA, TINY_CONFIG
from tests.integration.test_tagging import _random_model

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def test_switching_models_re_embeds_while_the_old_model_keeps_serving(library, tmp_path):
    truth = shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.add_root(tmp_path / "photos")
    library.scan()
    library.models.import_file(_random_model(tmp_path), str(TINY_CONFIG), name="other")
    library.models.use("other")
    status = library.status()
    assert status.active_model == "other" and status.serving_model == "tiny"
    assert status.pending == len(truth)
    assert len(library.search(SearchQuery(text="a red circle", top=5))) == 5   # still served by "tiny"
    gone = sorted(truth)[0]
    os.remove(gone)
    summary = library.scan()
    assert summary.embedded == len(truth) - 1 and summary.added == 0 and summary.removed == 1
    assert library.index("tiny").count == len(truth) - 1    # the old model's index dropped it too
    status = library.status()
    assert status.serving_model == "other" and status.pending == 0
    assert library.db.scalar("SELECT COUNT(DISTINCT model) FROM embeddings") == 2
