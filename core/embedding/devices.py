"""Choosing where the model runs."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

CHOICES = ("auto", "cuda", "mps", "cpu")


def pick_device(preference: str = "auto") -> str:
    """CUDA, then Apple MPS, then CPU; an explicit choice that is unavailable falls back to CPU."""
    import torch

    preference = (preference or "auto").lower()
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if preference == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (preference == "cuda" and not cuda) or (preference == "mps" and not mps):
        log.warning("device %s is not available here; using the CPU", preference)
        return "cpu"
    return preference if preference in CHOICES else "cpu"
