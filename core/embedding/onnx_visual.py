"""The image tower on ONNX Runtime, for indexing on the CPU.

On a laptop CPU, ONNX Runtime runs the same CLIP image tower about 1.3x
faster than torch fp32, and indexing is the one place where that adds up to
hours. The tower is exported once from the loaded open_clip model (so any
architecture open_clip builds works) and cached beside the weights, keyed by
the weights file's size and mtime, in a folder the library gives. The torch copy of the tower is then freed.

int8 (dynamic quantization) is faster again, but it changes the vectors, so
it is used only after it agrees with fp32 at cosine >= 0.99 on the user's own
photos (their cached thumbnails); otherwise fp32 is kept and the reason logged.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import pathlib
import shutil
import tempfile

import numpy as np

log = logging.getLogger(__name__)

MIN_INT8_AGREEMENT = 0.99


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))


def weights_stamp(weights_path: str) -> dict:
    st = os.stat(weights_path)
    return {"weights_size": st.st_size, "weights_mtime_ns": st.st_mtime_ns, "format": 2}


def sidecar(path: pathlib.Path) -> pathlib.Path:
    return path.with_name(path.name + ".json")


def fresh_record(path: pathlib.Path, stamp: dict) -> dict | None:
    """The cached file's record if it was built from these weights."""
    try:
        record = json.loads(sidecar(path).read_text())
    except (OSError, ValueError):
        return None
    if not path.is_file() or any(record.get(k) != v for k, v in stamp.items()):
        return None
    return record


def data_file(path: pathlib.Path) -> pathlib.Path:
    """Where an exported model keeps its weights (ONNX external data)."""
    return path.with_name(path.name + ".data")


def forget(path: pathlib.Path) -> None:
    """Drop a cached file that would not load, so the next start rebuilds it."""
    sidecar(path).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    data_file(path).unlink(missing_ok=True)


def _with_external_data(path: pathlib.Path) -> None:
    """Move the weights out of the graph into path.data, beside it.

    ONNX Runtime parses a 250 MB protobuf in about 0.3 s here, but maps
    external data in half that: the difference is a cold search's budget.
    The weights go under a temporary name first, then the graph that names
    them; the sidecar (removed before export) is written last of all.
    """
    import onnx

    model = onnx.load(str(path))
    tmp_dir = pathlib.Path(tempfile.mkdtemp(dir=path.parent, suffix=".part"))
    try:
        onnx.save_model(model, str(tmp_dir / path.name), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_file(path).name, size_threshold=1024)
        del model
        os.replace(tmp_dir / data_file(path).name, data_file(path))
        os.replace(tmp_dir / path.name, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _write_atomic(path: pathlib.Path, produce) -> None:
    """produce(tmp_path) writes the file; a crash leaves no half file under the real name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part.onnx")
    os.close(fd)
    try:
        produce(tmp)
        os.replace(tmp, path)
    finally:
        pathlib.Path(tmp).unlink(missing_ok=True)


def export(module, example, path: pathlib.Path, input_name="image", output_name: str = "embedding",
           input_axes: dict | None = None) -> None:
    """Trace a torch module (a tower) to ONNX with a dynamic batch axis, its weights in path.data.

    `example` and `input_name` may be tuples for several inputs; `input_axes`
    then maps each input name to its dynamic axes.
    """
    import warnings

    import torch

    def produce(tmp):
        mha = torch.backends.mha
        fastpath = mha.get_fastpath_enabled()
        # The fused attention kernel that inference uses has no ONNX form;
        # the plain one it replaces computes the same thing.
        mha.set_fastpath_enabled(False)
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
                names = list(input_name) if isinstance(input_name, tuple) else [input_name]
                args = example if isinstance(example, tuple) else (example,)
                axes = input_axes if isinstance(input_name, tuple) else {input_name: input_axes or {0: "batch"}}
                torch.onnx.export(module, args, tmp, input_names=names, output_names=[output_name],
                                  dynamic_axes={**axes, output_name: {0: "batch"}},
                                  opset_version=17, dynamo=False)
        finally:
            mha.set_fastpath_enabled(fastpath)
    sidecar(path).unlink(missing_ok=True)   # no record of an older export survives a crash mid-way
    _write_atomic(path, produce)
    _with_external_data(path)


def quantize(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Dynamic int8 of the weight matrices; activations stay float."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    _write_atomic(dst, lambda tmp: quantize_dynamic(str(src), tmp, weight_type=QuantType.QInt8,
                                                    per_channel=True, op_types_to_quantize=["MatMul", "Gemm"]))


def session_options(threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                               else os.cpu_count() or 1)
    opts.inter_op_num_threads = 1
    # Idle ORT threads otherwise spin for a while after each batch, taking
    # the CPU the decode workers need to prepare the next one.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return opts


class OnnxVisual:
    """A session over the exported image tower: batches of preprocessed images in, raw embeddings out."""

    def __init__(self, path: pathlib.Path, threads: int | None = None):
        import onnxruntime as ort

        self.path = path
        self._session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: np.ascontiguousarray(batch, dtype=np.float32)})[0]


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Lowest cosine between matching rows."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(axis=1).min())


def ready(folder: pathlib.Path, weights_path: str, want_int8: bool) -> tuple[pathlib.Path, dict] | None:
    """(file to run, its model record) if everything is built and checked; None if build() has work.

    When it is ready, torch need not be loaded to index: the record carries
    what the rest of the app needs to know about the model.
    """
    try:
        stamp = weights_stamp(weights_path)
    except OSError:
        return None   # loading the weights will say what is wrong
    fp32_path = pathlib.Path(folder) / "visual.onnx"
    record = fresh_record(fp32_path, stamp)
    if record is None:
        return None
    if not want_int8:
        return fp32_path, record
    int8 = fresh_record(pathlib.Path(folder) / "visual.int8.onnx", stamp)
    if int8 is None or int8.get("agreement") is None:
        return None
    return (pathlib.Path(folder) / "visual.int8.onnx" if int8["agreement"] >= MIN_INT8_AGREEMENT
            else fp32_path), record


def build(model, weights_path: str, folder: pathlib.Path, image_size: int, want_int8: bool,
          calibration, describe: dict) -> pathlib.Path:
    """The ONNX file of this model's tower to run, exported (and quantized) on first use.

    calibration() returns preprocessed images (N, 3, H, W) of the user's own
    photos, or None when there are none yet; int8 waits until there are.
    `describe` (size, preprocessing, ...) is kept beside the file for ready().
    """
    stamp = weights_stamp(weights_path)
    fp32_path = pathlib.Path(folder) / "visual.onnx"
    if fresh_record(fp32_path, stamp) != dict(stamp, **describe):
        log.info("exporting the image tower to ONNX (once per model, a few seconds)")
        import torch

        export(model.visual, torch.zeros(2, 3, image_size, image_size), fp32_path)
        sidecar(fp32_path).write_text(json.dumps(dict(stamp, **describe)))
    if not want_int8:
        return fp32_path
    int8_path = pathlib.Path(folder) / "visual.int8.onnx"
    record = fresh_record(int8_path, stamp)
    if record is None:
        quantize(fp32_path, int8_path)
        record = dict(stamp, agreement=None)
        sidecar(int8_path).write_text(json.dumps(record))
    if record.get("agreement") is None:
        images = calibration()
        if images is None or len(images) == 0:
            log.info("int8 model not checked yet (no photos indexed); using fp32 until it is")
            return fp32_path
        record["agreement"] = agreement(OnnxVisual(fp32_path)(images), OnnxVisual(int8_path)(images))
        record["checked_on"] = int(len(images))
        sidecar(int8_path).write_text(json.dumps(record))
    if record["agreement"] < MIN_INT8_AGREEMENT:
        log.warning("int8 model agrees with fp32 only to cosine %.4f on your photos (needs %.2f); using fp32",
                    record["agreement"], MIN_INT8_AGREEMENT)
        return fp32_path
    return int8_path
