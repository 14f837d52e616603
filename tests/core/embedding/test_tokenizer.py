"""Our torch-free tokenizer against open_clip's, token for token."""
import json
import pathlib
import random

import numpy as np
import pytest

from core.embedding.tokenizer import VOCAB_NAME, ClipTokenizer
from tests.conftest import DATA


def _vocab() -> pathlib.Path:
    import open_clip

    return pathlib.Path(open_clip.__file__).parent / VOCAB_NAME


def _strings(count: int, seed: int = 0) -> list[str]:
    """Queries as users type them, and worse: unicode, emoji, HTML, very long, odd spacing."""
    rng = random.Random(seed)
    categories = json.loads((DATA.parent.parent / "resources" / "vocabulary.json").read_text())["categories"]
    words = [w for tags in categories.values() for w in tags]
    pieces = words + ["a", "photo", "of", "the", "красный", "воздушный змей", "海滩上的日落", "夕焼け", "Straße",
                      "café", "naïve", "ﬁsh", "🐶", "🏖️", "👨‍👩‍👧", "🇫🇷", "&amp;", "&lt;b&gt;", "&#39;", "don't",
                      "it's", "we'll", "I'M", "2023", "3.14", "#tag", "@home", "x" * 40, "ab12cd", "\t", "  ",
                      "\n", "-night", '"power lines"', "ЁЖИК", "𝒻𝒶𝓃𝒸𝓎", "\u200b", "e\u0301", "Ω", "½"]
    out = ["", " ", "a", "🐶🐶🐶", "word " * 120, "A red kite over the beach at sunset"]
    while len(out) < count:
        out.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))))
    return out


@pytest.mark.parametrize("clean", ["lower", "canonicalize"])
def test_matches_open_clip_token_for_token(clean):
    from open_clip.tokenizer import SimpleTokenizer

    theirs = SimpleTokenizer(clean=clean, context_length=77)
    ours = ClipTokenizer(_vocab(), context_length=77, clean=clean)
    texts = _strings(3000 if clean == "lower" else 500)
    assert np.array_equal(ours(texts), theirs(texts).numpy())


def test_a_short_context_truncates_with_end_of_text_last():
    ours = ClipTokenizer(_vocab(), context_length=16)
    tokens = ours(["one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"])
    assert tokens.shape == (1, 16) and tokens[0, 0] == ours.sot and tokens[0, -1] == ours.eot
