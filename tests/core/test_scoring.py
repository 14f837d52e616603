import numpy as np

from core.scoring import adaptive_cutoff


def test_cutoff_falls_in_the_gap_between_matches_and_the_rest():
    rng = np.random.default_rng(0)
    rest = rng.normal(0.20, 0.02, 2000)
    matches = rng.normal(0.33, 0.01, 25)
    cutoff = adaptive_cutoff(np.concatenate([rest, matches]))
    assert matches.min() >= cutoff - 1e-9 or (matches >= cutoff).mean() >= 0.9
    assert (rest >= cutoff).sum() <= 2


def test_the_same_rule_works_at_another_model_s_score_level():
    rng = np.random.default_rng(1)
    rest = rng.normal(0.80, 0.005, 2000)     # a model whose cosines are all high
    matches = rng.normal(0.86, 0.003, 10)
    cutoff = adaptive_cutoff(np.concatenate([rest, matches]))
    assert (matches >= cutoff).mean() >= 0.9 and (rest >= cutoff).sum() <= 2


def test_no_clear_matches_gives_a_small_album():
    scores = np.random.default_rng(2).normal(0.2, 0.02, 5000)
    assert (scores >= adaptive_cutoff(scores)).sum() <= 25   # the best 0.5%, not a long tail


def test_empty():
    assert adaptive_cutoff(np.array([])) == float("inf")


def test_a_library_sample_stands_for_the_typical_photo_when_only_the_best_scores_are_known():
    rng = np.random.default_rng(3)
    library = rng.normal(0.20, 0.02, 5000)
    matches = rng.normal(0.34, 0.005, 12)
    top = np.sort(np.concatenate([library, matches]))[::-1][:300]
    # Alone, the best 300 look like a population of their own: its median is already far above the library's.
    with_sample = adaptive_cutoff(top, typical=library[::5])
    assert (top >= with_sample).sum() == 12
    assert adaptive_cutoff(top, typical=np.array([0.1])) == adaptive_cutoff(top)   # too small a sample: ignored
