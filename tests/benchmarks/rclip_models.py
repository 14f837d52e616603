"""Give rclip the same weights Photosift runs, in the layout rclip reads.

rclip 3.3 looks for `$RCLIP_DATADIR/ViT-B-32-256-datacomp_s34b_b86k/{visual,textual}.onnx`
and `$RCLIP_DATADIR/tokenizer/bpe_simple_vocab_16e6.txt.gz`; once they exist it
downloads nothing. Exporting our random ViT-B-32-256 there makes the A/B a
comparison of the two programs, not of two models.
"""
from __future__ import annotations

import pathlib
import shutil
import warnings

SUBDIR = "ViT-B-32-256-datacomp_s34b_b86k"


def _export(module, example, path: pathlib.Path) -> None:
    import torch

    mha = torch.backends.mha
    fastpath = mha.get_fastpath_enabled()
    mha.set_fastpath_enabled(False)  # the fused kernel has no ONNX form
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                              opset_version=17, dynamo=False)
    finally:
        mha.set_fastpath_enabled(fastpath)


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
    _export(model.visual, torch.zeros(2, 3, size, size), target / "visual.onnx")
    _export(Textual(model), open_clip.get_tokenizer(arch)(["a photo", "a dog"]), target / "textual.onnx")
    return datadir
