"""JPEG decoding on the model's GPU (nvJPEG through torchvision), a batch at a time.

On a many-core GPU machine the decode workers' JPEG decode is most of the CPU
an index costs: about 20 of the 27 ms a 12-MP photo takes a worker here, even
at 1/8 draft scale. Sixteen cores then decode about 400 photos/s where the GPU
embeds thousands. On this path a worker only reads, hashes, checks known
content and reads the EXIF; the model's process decodes the batch on the
device and makes there what the model needs, the thumbnail and the dHash, so
only a small JPEG comes back across the bus.

Everything here takes a device name, so the same code runs on the CPU
(torchvision's libjpeg-turbo), which is how it is tested on machines without
CUDA. `usable(device)` says where the indexer turns it on: CUDA only.
"""
from __future__ import annotations

import logging
import warnings
from typing import NamedTuple

import numpy as np

from core.imaging.phash import from_cells

log = logging.getLogger(__name__)

# What ImageOps.exif_transpose does for each EXIF orientation, on a (C, H, W) tensor.
_TRANSPOSE = {2: "flip", 3: "half", 4: "flop", 5: "transpose", 6: "right", 7: "transverse", 8: "left"}


class Encoded(NamedTuple):
    """A worker's hand-over on this path: the file's bytes, to be decoded on the device."""
    data: bytes
    orientation: int        # EXIF orientation, 1 (upright) to 8


class OnDevice(NamedTuple):
    """One decoded photo's products: the model crop stays on the device, the rest is small."""
    crop: object            # torch uint8 (S, S, 3) on the device
    thumbnail: bytes        # JPEG, as ThumbnailCache stores it
    phash: int              # 64-bit dHash, as core.imaging.phash computes it


def usable(device: str) -> bool:
    """Whether the indexer decodes JPEGs on `device`: CUDA with torchvision's nvJPEG."""
    if device != "cuda":
        return False
    try:
        import torch
        import torchvision.io  # noqa: F401
    except ImportError:
        return False
    return hasattr(torch.ops.image, "decode_jpegs_cuda")


def upright(image, orientation: int):
    """A (C, H, W) tensor turned as its EXIF orientation says (ImageOps.exif_transpose)."""
    import torch

    how = _TRANSPOSE.get(orientation)
    if how == "flip":
        return image.flip(-1)
    if how == "half":
        return image.flip(-1).flip(-2)
    if how == "flop":
        return image.flip(-2)
    if how == "transpose":
        return image.transpose(-1, -2)
    if how == "right":
        return torch.rot90(image, -1, (-2, -1))
    if how == "transverse":
        return image.transpose(-1, -2).flip(-1).flip(-2)
    if how == "left":
        return torch.rot90(image, 1, (-2, -1))
    return image


def decode(items: list[Encoded], device: str) -> list:
    """Upright RGB uint8 (3, H, W) tensors on `device`, one per item; raises if any fails
    (nvJPEG returns no partial batch)."""
    import torch
    from torchvision.io import ImageReadMode, decode_jpeg

    data = [torch.frombuffer(bytearray(item.data), dtype=torch.uint8) for item in items]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torchvision 0.29 marks its image codecs deprecated
        images = decode_jpeg(data, mode=ImageReadMode.RGB, device=device)
    return [upright(image, item.orientation) for image, item in zip(images, items)]


def _resized(image, size: tuple[int, int], mode: str):
    """(3, H, W) uint8 resized to size (h, w), antialiased as PIL's resize is."""
    import torch

    x = image[None].float()
    x = torch.nn.functional.interpolate(x, size=size, mode=mode, antialias=True, align_corners=False)
    return x[0].round_().clamp_(0, 255).to(torch.uint8)


def crop(image, spec: dict):
    """The model crop of preprocess.Preprocess: shortest side to `size`, centre crop, (S, S, 3)."""
    size = spec["size"]
    _, h, w = image.shape
    new_w, new_h = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    resized = _resized(image, (new_h, new_w), spec["interpolation"]) if (new_w, new_h) != (w, h) else image
    left, top = int(round((new_w - size) / 2.0)), int(round((new_h - size) / 2.0))
    return resized[:, top:top + size, left:left + size].permute(1, 2, 0).contiguous()


def thumbnail(image, side: int):
    """The image fitted in side x side (ThumbnailCache's size): (3, h, w) uint8."""
    _, h, w = image.shape
    scale = min(side / w, side / h, 1.0)
    return _resized(image, (max(1, round(h * scale)), max(1, round(w * scale))), "bilinear")


def dhash(image) -> int:
    """core.imaging.phash.dhash of a (3, H, W) uint8 tensor: the same luma and box mean to 9 x 8,
    over the whole image, as the workers' over their draft decode (itself a mean of 8 x 8 blocks)."""
    import torch

    weights = torch.tensor([0.299, 0.587, 0.114], device=image.device).view(3, 1, 1)
    luma = (image.float() * weights).sum(dim=0).round()
    small = torch.nn.functional.adaptive_avg_pool2d(luma[None, None], (8, 9))[0, 0].round().cpu().numpy()
    return from_cells(small)


def encode_thumbnails(thumbs: list, quality: int = 85) -> list[bytes]:
    """JPEG bytes of each thumbnail, encoded where they are (nvJPEG on CUDA, in one call)."""
    from torchvision.io import encode_jpeg

    if not thumbs:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoded = encode_jpeg(list(thumbs), quality=quality)
    return [np.asarray(e.cpu()).tobytes() for e in encoded]


def products(images: list, spec: dict, thumbnail_side: int) -> list[OnDevice]:
    """Crop, thumbnail and dHash of each decoded image (decode's output)."""
    thumbs = [thumbnail(image, thumbnail_side) for image in images]
    jpegs = encode_thumbnails(thumbs)
    return [OnDevice(crop(image, spec), jpeg, dhash(image)) for image, jpeg in zip(images, jpegs)]
