"""The Library's locks: a typed search does not wait for the image tower, nor for the library's own lock.
And a scan's start: its decode workers start while the model's session opens."""
import threading

from core.search.query import SearchQuery
from tests.conftest import shapes


def _search_while(held: threading.Lock, library) -> list:
    """Search from another thread while `held` is held here; what it found (nothing if it never got done)."""
    found: list = []
    searcher = threading.Thread(target=lambda: found.extend(library.search(SearchQuery(text="a red circle"))),
                                daemon=True)
    with held:
        searcher.start()
        searcher.join(timeout=120)   # a guard against a hang, not a speed limit: it needs only the text tower
    return found


def test_a_typed_search_never_waits_for_an_image_batch(shapes_library):
    library, _truth = shapes_library
    library.search(SearchQuery(text="warm"))            # model and index loaded
    assert _search_while(library._image_lock, library)   # as if the scan's model thread were mid-batch


def test_a_model_loading_holds_no_lock_a_search_needs(shapes_library, monkeypatch):
    """While another model loads (seconds, on a real machine), searches with the loaded one go on."""
    import core.embedding.clip_model as clip_model

    library, _truth = shapes_library
    library.search(SearchQuery(text="warm"))
    loading, release = threading.Event(), threading.Event()

    class SlowModel:
        def __init__(self, *args, **kwargs):
            loading.set()
            release.wait(120)

    monkeypatch.setattr(clip_model, "ClipModel", SlowModel)
    tiny = library.models.spec(library.serving_model_name())
    monkeypatch.setattr(library.models, "spec", lambda name: tiny)
    loader = threading.Thread(target=library.model, args=("another",), daemon=True)
    loader.start()
    assert loading.wait(60)
    try:
        assert _search_while(threading.Lock(), library)      # not blocked behind the load
    finally:
        release.set()
        loader.join(60)


def test_a_scan_starts_its_decode_workers_before_the_model_session_opens(library, tmp_path, monkeypatch):
    photos = shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.settings.set("decode_workers", 2)
    library.add_root(tmp_path / "photos")
    model = library.model()
    workers_at_open = []
    open_session = model.load_image_tower

    def load_image_tower():
        workers_at_open.append(len(library.decode_pool().worker_pids()))
        open_session()

    monkeypatch.setattr(model, "load_image_tower", load_image_tower)
    summary = library.scan()
    assert workers_at_open == [2]
    assert summary.failed == 0 and summary.embedded == len(photos)
    assert library.decode_pool().started == 2   # the run used them: none started twice
