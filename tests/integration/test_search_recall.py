"""Candidate search against exact search, with the tiny model's real text queries.

CLIP's text vectors lie apart from its image vectors (the modality gap), the
hard case for a graph built over the photos. 20k pictures is a size CI can
embed in seconds; tests/benchmarks/cross_modal.py measures 100k and 1M at 512
dimensions.
"""
import random

import numpy as np
import pytest
import shapes

from core.db.vectors import Vectors
from core.index.vector_index import VectorIndex
from tests.core.index.helpers import db_with_vectors

PROMPTS = [f"a {c} {s}" for c in shapes.COLOURS for s in shapes.SHAPES] + \
          ["a photo of something red", "a round shape", "a picture of a star", "shapes on a plain background",
           "a dog on a sofa", "sunset at the beach", "a green thing", "a drawing of a plus sign"]


@pytest.fixture(scope="module")
def embedded(library_template):
    from core.library import Library

    with Library(library_template) as lib:
        model = lib.model()
        model.load_image_tower()
        rng = random.Random(11)
        vectors = np.concatenate([
            model.embed_pil([shapes.render(shapes.random_scene(rng), 64, rng) for _ in range(500)])
            for _ in range(40)])
        texts = np.stack([model.embed_text(p) for p in PROMPTS])
        images = model.embed_pil([shapes.render(shapes.random_scene(rng), 64, rng) for _ in range(30)])
    return vectors, texts, images


@pytest.mark.parametrize("graph_from", [5_000, 2_000_000])
def test_candidate_search_finds_what_exact_search_finds_for_text_and_image_queries(tmp_path, embedded, graph_from):
    """The graph (past graph_from) and the summary scan, against every photo scored."""
    vectors, texts, images = embedded
    db = db_with_vectors(tmp_path / "lib.db", vectors, model="tiny")
    tiered = VectorIndex(tmp_path / "tiered", "tiny", vectors.shape[1], exact_limit=1000, graph_from=graph_from)
    tiered.reconcile(Vectors(db))
    tiered._builder.join()
    exact = VectorIndex(tmp_path / "exact", "tiny", vectors.shape[1])
    exact.reconcile(Vectors(db))
    assert exact._summary is None and tiered._summary is not None
    assert (tiered._summary.graph is not None) == (graph_from < len(vectors))
    stored = vectors.astype(np.float16).astype(np.float32)
    for kind, queries in (("text", texts), ("image", images)):
        recall_tiered, recall_exact = [], []
        for q in queries:
            truth = set((np.argsort(-(stored @ q))[:10] + 1).tolist())
            recall_tiered.append(len(truth & {p for p, _ in tiered.search(q, 10)}) / 10)
            recall_exact.append(len(truth & {p for p, _ in exact.search(q, 10)}) / 10)
        assert np.mean(recall_exact) == 1.0, kind
        assert np.mean(recall_tiered) >= 0.98, (kind, np.mean(recall_tiered))
