"""Give rclip the same weights Photosift runs, in the layout rclip reads.

rclip 3.3 looks for `$RCLIP_DATADIR/ViT-B-32-256-datacomp_s34b_b86k/{visual,textual}.onnx`
and `$RCLIP_DATADIR/tokenizer/bpe_simple_vocab_16e6.txt.gz`; once they exist it
downloads nothing. Exporting our random ViT-B-32-256 there makes the A/B a
comparison of the two programs, not of two models.
"""
from __future__ import annotations

import pathlib
import shutil

from core.embedding.onnx_visual import export

SUBDIR = "ViT-B-32-256-datacomp_s34b_b86k"


def prepare(weights: str, datadir: pathlib.Path, arch: str = "ViT-B-32-256") -> pathlib.Path:
    """Write rclip's model files for these weights (skipped when already there)."""
    import open_clip
    import torch

    from core.embedding import weights as weight_files

    target = datadir / SUBDIR
    vocab = datadir / "tokenizer" / "bpe_simple_vocab_16e6.txt.gz"
    if (target / "visual.onnx").is_file() and (target / "textual.onnx").is_file() and vocab.is_file():
        return datadir
    target.mkdir(parents=True, exist_ok=True)
    vocab.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pathlib.Path(open_clip.__file__).parent / vocab.name, vocab)
    model = open_clip.create_model(arch, pretrained=None)
    weight_files.load_into(model, weights, "benchmark")
    model.eval()

    class Textual(torch.nn.Module):
        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, tokens):
            return self.clip.encode_text(tokens)

    size = model.visual.image_size
    size = size[0] if isinstance(size, (tuple, list)) else size
    export(model.visual, torch.zeros(2, 3, size, size), target / "visual.onnx", "input", "output")
    export(Textual(model), open_clip.get_tokenizer(arch)(["a photo", "a dog"]), target / "textual.onnx",
           "input", "output")
    return datadir
