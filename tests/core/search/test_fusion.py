"""Reciprocal rank fusion of the look's ranking and the text's, and quoted phrases in typed queries."""
from core.search.fusion import fused
from core.search.query import split_phrases


def test_a_photo_high_in_both_lists_comes_first():
    assert fused([1, 2, 3, 4], [3, 9]) == [3, 1, 2, 9, 4]


def test_without_text_matches_the_look_keeps_its_order():
    assert fused([5, 4, 3], []) == [5, 4, 3]


def test_text_only_matches_are_kept_in_their_order():
    assert fused([], [7, 8]) == [7, 8]


def test_quoted_phrases_are_text_in_the_photo_and_a_quoted_exclusion_stays_a_look():
    assert split_phrases('receipt "gate b42"') == ("receipt", ["gate b42"])
    assert split_phrases('beach -"power lines" "café"') == ('beach -"power lines"', ["café"])
    assert split_phrases("no quotes at all") == ("no quotes at all", [])
    assert split_phrases('"   "') == ("", [])
