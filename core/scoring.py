"""Scoring shared by search and albums: the query vector, and where the matches end.

`combine` turns what is wanted and what is not into one query vector. The
adaptive cutoff says where a smart album (or a search's "likely" matches)
ends:

A prompt's cosine scores have no fixed meaning: "sunset" may score 0.30 for a
real sunset under one model and 0.24 under another, and a library of beach
holidays shifts every beach-like prompt up. So the cutoff is read from the
distribution of this prompt's scores over this library. The median m stands
for "a typical photo, which does not match"; the best score b for "a clear
match".

1. Relative to the best: members score within RELATIVE of the range (b - m)
   below the best. This scales with each model's and each prompt's level.
2. Outlier guard: members also lie Z_MIN robust deviations (MAD) above m, so
   a prompt nothing matches yields a handful of photos, not a long tail.
3. Largest gap: within the candidates, sorted, the widest gap between
   neighbours ends the album if it is over GAP_FACTOR times their median
   gap and over GAP_SHARE of the range: matching photos form a cluster, and
   a weaker cluster below it is a different concept.
"""
from __future__ import annotations

import numpy as np

RELATIVE = 0.25
Z_MIN = 2.0
GAP_FACTOR = 4.0
GAP_SHARE = 0.1
MIN_SPREAD = 1e-4


def combine(positives: list[np.ndarray], negatives: list[np.ndarray]) -> np.ndarray:
    """One query vector: toward the mean of what is wanted, away from what is not.

    Ranking by cos(x, P) - cos(x, N) equals ranking by x . (P - N), so the
    difference of the unit means is exactly that scoring rule.
    """
    if not positives:
        raise ValueError("a search needs text or an example image")
    q = np.mean(positives, axis=0)
    q = q / max(np.linalg.norm(q), 1e-12)
    if negatives:
        n = np.mean(negatives, axis=0)
        q = q - n / max(np.linalg.norm(n), 1e-12)
    return (q / max(np.linalg.norm(q), 1e-12)).astype(np.float32)


def adaptive_cutoff(scores: np.ndarray, typical: np.ndarray | None = None) -> float:
    """The lowest score that still belongs to the album (inf if none does).

    `typical`: scores of a sample of the whole library, when `scores` are
    only the best few (a search's top hits); the median and spread, "a photo
    that does not match", are read from them instead.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return float("inf")
    background = scores if typical is None or len(typical) < 5 else np.asarray(typical, dtype=np.float64)
    if background.size < 5:
        return float(scores.max())
    median = float(np.median(background))
    spread = max(1.4826 * float(np.median(np.abs(background - median))), MIN_SPREAD)
    best = float(scores.max())
    span = max(best - median, 0.0)
    floor = max(best - RELATIVE * span, median + Z_MIN * spread)
    kept = np.sort(scores[scores >= floor])[::-1]
    if kept.size == 0:
        return best
    if kept.size >= 4:
        gaps = kept[:-1] - kept[1:]
        widest = int(np.argmax(gaps[1:])) + 1   # never cut after the very best photo alone
        if gaps[widest] > GAP_FACTOR * max(float(np.median(gaps)), MIN_SPREAD) and gaps[widest] > GAP_SHARE * span:
            return float(kept[widest])
    return float(kept[-1])
