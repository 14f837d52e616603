"""Zero-shot tagging with a decision rule per tag, not one global cutoff.

A fixed cosine cutoff fails because cosine levels differ by concept, by
prompt and by model: "beach" may sit at 0.28 when present while "receipt"
sits at 0.22. So each photo's scores are compared within the tag's own
category, against a null class:

1. Softmax within a category. The photo's cosines to the category's tags, and
   to a null vector, are scaled by the model's own CLIP temperature and
   softmaxed. The null vector is the mean of generic prompts ("a photo.") and
   of the whole vocabulary: the similarity that any everyday concept gets.
2. A tag is assigned when its probability beats the null's and reaches
   MIN_PROB, i.e. the photo shows this concept clearly more than its rivals
   and more than "a photo of anything".
3. At most PER_CATEGORY tags per category and MAX_TAGS per photo.

The stored score is that probability. Confirmed, rejected or manually added
tags (source != 'auto') are never overwritten by automatic ones.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from core.db.vectors import Vectors
from core.tagging import photo_tags, queue
from core.tagging.vectors import cached_prompt_vector, tag_vectors
from core.tagging.vocabulary import Vocabulary

log = logging.getLogger(__name__)

MIN_PROB = 0.3
PER_CATEGORY = 2
MAX_TAGS = 8


@dataclass(frozen=True)
class TagRun:
    photos: int
    assigned: int
    seconds: float


class Tagger:
    def __init__(self, db, vocabulary: Vocabulary, model_name: str, model, vectors: Vectors):
        """`vectors`: core/db's reader of the stored photo vectors, which tagging is computed from."""
        self._db = db
        self._vectors = vectors
        self._vocab = vocabulary
        self._model_name = model_name
        self._model = model   # anything with embed_texts(list) -> unit vectors, and logit_scale

    def _prepare(self):
        tags = self._vocab.tags()
        if not tags:
            return tags, None, None, {}
        matrix = tag_vectors(self._db, self._model_name, tags, self._model.embed_texts)
        generic = cached_prompt_vector(self._db, self._model_name, self._vocab.generic, self._model.embed_texts)
        null = generic + matrix.mean(axis=0)
        null /= max(np.linalg.norm(null), 1e-12)
        groups: dict[str, list[int]] = {}
        for i, tag in enumerate(tags):
            groups.setdefault(tag.category, []).append(i)
        return tags, matrix, null.astype(np.float32), {k: np.array(v) for k, v in groups.items()}

    def decide(self, vectors: np.ndarray, matrix, null, groups) -> list[list[tuple[int, float]]]:
        """For each vector, the (tag index, probability) pairs it is tagged with."""
        scale = getattr(self._model, "logit_scale", 100.0)
        sims = vectors @ matrix.T
        null_sims = vectors @ null
        chosen: list[list[tuple[int, float]]] = [[] for _ in range(len(vectors))]
        for columns in groups.values():
            logits = scale * np.concatenate([sims[:, columns], null_sims[:, None]], axis=1)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            tag_probs, null_prob = probs[:, :-1], probs[:, -1]
            top = np.argsort(-tag_probs, axis=1)[:, :PER_CATEGORY]
            top_p = np.take_along_axis(tag_probs, top, axis=1)
            rows, ranks = np.nonzero((top_p >= MIN_PROB) & (top_p > null_prob[:, None]))
            for row, rank in zip(rows, ranks):
                chosen[row].append((int(columns[top[row, rank]]), float(top_p[row, rank])))
        return [sorted(c, key=lambda t: -t[1])[:MAX_TAGS] for c in chosen]

    def run(self, photo_ids: list[int] | None = None, cancel=None) -> TagRun:
        """Re-tag all photos, or just these (new arrivals), from stored vectors.

        Tagged photos leave the `untagged` queue in the same transaction; a
        cancel stops between chunks and leaves the rest queued.
        """
        start = time.monotonic()
        tags, matrix, null, groups = self._prepare()
        photos = assigned = 0
        if photo_ids is None:
            with self._db.transaction() as conn:
                photo_tags.clear_automatic(conn)
                queue.clear(conn)
        if matrix is None:
            return TagRun(0, 0, time.monotonic() - start)
        pages = (self._vectors.pages(self._model_name, indexed_only=True) if photo_ids is None
                 else self._vectors.of(self._model_name, photo_ids, indexed_only=True))
        for ids, vectors in pages:
            if cancel is not None and cancel.is_set():
                break
            vectors = vectors.astype(np.float32)
            decisions = self.decide(vectors, matrix, null, groups)
            rows = [(int(pid), tags[t].id, round(p, 4)) for pid, chosen in zip(ids, decisions) for t, p in chosen]
            with self._db.transaction() as conn:
                queue.dequeue(conn, ids)
                if photo_ids is not None:
                    photo_tags.clear_automatic(conn, ids)
                photo_tags.add_automatic(conn, rows)   # a user's confirmed or rejected row for the pair wins
            photos += len(ids)
            assigned += len(rows)
        return TagRun(photos, assigned, time.monotonic() - start)

    def scores(self, vector: np.ndarray) -> list[tuple[str, str, float]]:
        """Every tag's probability for one photo (for 'why was this tagged')."""
        tags, matrix, null, groups = self._prepare()
        decided = dict(self.decide(vector[None, :], matrix, null, groups)[0])
        return [(tags[i].name, tags[i].category, decided[i]) for i in sorted(decided, key=lambda i: -decided[i])]
