"""Choosing where the model runs."""
from __future__ import annotations

import logging

from core.settings import DEVICES as CHOICES   # declared once, with the setting

log = logging.getLogger(__name__)


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


def accelerator_possible() -> bool:
    """Could torch find a GPU here? Answered without importing torch (seconds, ~700 MB).

    A CPU-only machine is then known at once, so indexing there can run on
    ONNX Runtime alone. A yes only means torch must be asked.
    """
    import ctypes
    import platform

    if platform.system() == "Darwin":
        return platform.machine() == "arm64"
    for name in ("libcuda.so.1", "nvcuda.dll", "libamdhip64.so"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if name != "libcuda.so.1":
            return True
        count = ctypes.c_int(0)
        return lib.cuInit(0) == 0 and lib.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0
    return False


def pick_device_light(preference: str = "auto") -> str:
    """pick_device, but "cpu" without importing torch where no GPU can exist."""
    preference = (preference or "auto").lower()
    if preference == "cpu" or (preference in ("auto", "cuda", "mps") and not accelerator_possible()):
        if preference not in ("auto", "cpu"):
            log.warning("device %s is not available here; using the CPU", preference)
        return "cpu"
    return pick_device(preference)
