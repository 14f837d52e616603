"""A search marks its hits above the adaptive cutoff as likely; the weaker ones stay, after them."""
import numpy as np

from core.search.engine import mark_likely
from core.search.query import SearchQuery
from core.scoring import adaptive_cutoff
from core.types import SearchHit


def test_hits_at_or_above_the_cutoff_are_likely_and_the_rest_are_kept():
    scores = [0.41, 0.40, 0.395, 0.30, 0.29, 0.288, 0.285, 0.28]
    hits = [SearchHit(i, f"/p/{i}.jpg", s) for i, s in enumerate(scores)]
    typical = np.random.default_rng(0).normal(0.25, 0.01, 2000)
    marked = mark_likely(hits, typical)
    cutoff = adaptive_cutoff(np.array(scores), typical)
    assert [h.likely for h in marked] == [s >= cutoff for s in scores]
    assert [h.likely for h in marked] == [True] * 3 + [False] * 5
    assert [h.photo_id for h in marked] == list(range(8))
    assert mark_likely([], typical) == []


def test_a_real_search_flags_the_red_circles_as_its_likely_matches(shapes_library):
    lib, truth = shapes_library
    hits = lib.search(SearchQuery(text="a red circle", top=60))
    likely = [h for h in hits if h.likely]
    assert 0 < len(likely) < len(hits)
    assert all(h.likely for h in hits[:len(likely)])    # the likely ones come first
    red_circles = sum(truth[h.path].shape == "circle" and truth[h.path].colour == "red" for h in likely)
    assert red_circles >= len(likely) * 0.6, [(truth[h.path], h.score) for h in likely]
