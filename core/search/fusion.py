"""Fusing two rankings of the same photos: how they look (CLIP) and what is written in them.

Reciprocal rank fusion (Cormack et al., 2009): each list gives a photo
1 / (K + its rank), and the sums order the union. It needs no common scale
between a cosine and FTS5's bm25, and a photo high in either list rises:
`lidl receipt` puts the receipts whose text says LIDL before other receipts
and before other things that say LIDL. K = 60 is the paper's value; with
only the tiny test model here it could not be tuned on real queries.
"""
from __future__ import annotations

from typing import Sequence

K = 60


def fused(by_look: Sequence[int], by_text: Sequence[int], k: int = K) -> list[int]:
    """The ids of both lists, best first by reciprocal rank fusion (ties: the look's order)."""
    score: dict[int, float] = {}
    for ranking in (by_look, by_text):
        for rank, pid in enumerate(ranking):
            score[pid] = score.get(pid, 0.0) + 1.0 / (k + rank + 1)
    order = {pid: i for i, pid in enumerate([*by_look, *by_text])}
    return sorted(score, key=lambda pid: (-score[pid], order[pid]))
