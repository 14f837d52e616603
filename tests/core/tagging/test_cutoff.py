import numpy as np

from core.tagging.cutoff import adaptive_cutoff


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
