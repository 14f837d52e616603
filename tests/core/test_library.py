"""The Library's locks: a typed search does not wait for the image tower, nor for the library's own lock."""
import threading

from core.search.query import SearchQuery


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
