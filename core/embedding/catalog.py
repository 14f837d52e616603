"""The models Photosift knows how to download, with their published numbers.

Quality numbers are from open_clip's published zero-shot results table
(ImageNet-1k top-1) and, for the default, its retrieval results (COCO
text-to-image recall@1). Sizes are the fp32 download.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogModel:
    name: str            # what users type: ARCH/PRETRAINED, as open_clip spells them
    arch: str
    pretrained: str
    download_mb: int
    licence: str
    imagenet_top1: float | None
    coco_t2i_r1: float | None
    gflops: float | None
    note: str = ""
    multilingual: bool = False


DEFAULT_MODEL = "ViT-B-32-256/datacomp_s34b_b86k"

CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel(DEFAULT_MODEL, "ViT-B-32-256", "datacomp_s34b_b86k", 605, "MIT", 72.8, 39.9, 11.5,
                 "default: best quality per CPU-second"),
    CatalogModel("ViT-B-32/laion2b_s34b_b79k", "ViT-B-32", "laion2b_s34b_b79k", 605, "MIT", 66.6, None, None,
                 "fastest; weaker"),
    CatalogModel("ViT-B-16/datacomp_xl_s13b_b90k", "ViT-B-16", "datacomp_xl_s13b_b90k", 599, "MIT", 73.5, None,
                 None, "better on small details; about 3x the image tokens of the default"),
    CatalogModel("ViT-L-14/datacomp_xl_s13b_b90k", "ViT-L-14", "datacomp_xl_s13b_b90k", 1710, "MIT", 79.2, None,
                 None, "best quality; for a GPU"),
    CatalogModel("xlm-roberta-base-ViT-B-32/laion5b_s13b_b90k", "xlm-roberta-base-ViT-B-32", "laion5b_s13b_b90k",
                 1470, "MIT", 62.3, None, None, "multilingual queries; needs the transformers package",
                 multilingual=True),
)


def find(name: str) -> CatalogModel | None:
    """Look a model up by name, case-insensitively; a bare ARCH picks its first entry."""
    wanted = name.lower()
    for model in CATALOG:
        if model.name.lower() == wanted:
            return model
    for model in CATALOG:
        if model.arch.lower() == wanted:
            return model
    return None
