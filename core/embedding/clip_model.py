"""Running an open_clip model: images and texts in, unit vectors out.

torch is imported here and nowhere else, lazily, so the window and the CLI
come up before the model loads. Only the thread that owns a ClipModel calls
embed_images/embed_texts; `preprocess` is pure and safe from decode threads.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import pathlib
import threading
from dataclasses import dataclass

import numpy as np

from core.embedding import onnx_visual, weights
from core.embedding.batches import CpuRuns, Done
from core.embedding.devices import pick_device, pick_device_light
from core.embedding.preprocess import Preprocess, describe
from core.errors import ModelError
from core.settings import BACKENDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """An installed model: everything needed to load it without the network."""
    name: str
    arch: str
    weights_path: str
    config_path: str | None = None   # custom architecture JSON (imported models)


_config_lock = threading.Lock()


def _register_config(spec: ModelSpec) -> str:
    """Make a custom architecture known to open_clip; returns the arch name to build."""
    import open_clip

    if not spec.config_path:
        return spec.arch
    path = pathlib.Path(spec.config_path)
    with _config_lock:
        open_clip.add_model_config(path)
    return path.stem


def read_config(path: pathlib.Path) -> dict:
    try:
        cfg = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model config {path}: {exc}") from None
    if "vision_cfg" not in cfg or "text_cfg" not in cfg:
        raise ModelError(f"{path} is not an open_clip model config (needs vision_cfg and text_cfg)")
    return cfg


class _OnDevice:
    """Vectors still being computed on CUDA: waits for the batch's event, then reads the pinned copy."""

    def __init__(self, result, done, host):
        self._result, self._done, self._host = result, done, host   # host: pinned input, alive until done

    def vectors(self) -> np.ndarray:
        self._done.synchronize()
        self._host = None
        return _normalize(self._result.numpy())


class ClipModel:
    """One model. On a CPU with ONNX Runtime, both towers run there once they
    are exported (at import, or on first use), and torch is never imported:
    not to index, search, tag or show the window. torch loads only to export,
    on CUDA or MPS, or for a model whose towers cannot be exported."""

    def __init__(self, spec: ModelSpec, device: str = "auto", threads: int | None = None,
                 backend: str = "auto", derived_dir: pathlib.Path | None = None, calibration=None):
        # Hub look-ups are for explicit downloads only; loading never touches the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.spec = spec
        self._threads = threads
        self._torch_lock = threading.Lock()
        self._model = None
        self._onnx = None          # the image tower on ONNX Runtime: its path, then its session
        self._cpu = CpuRuns(threads)   # the threads its ONNX batches run on, side by side
        self._text_onnx = None
        self._derived_dir = derived_dir
        self._numpy_preprocess = None
        self._torch_norm = None
        self._copy_stream = None   # CUDA: batches are copied in on this stream while the last computes
        self.device = pick_device_light(device)
        self.backend = self._wanted_backend(backend, derived_dir)
        want_int8 = self.backend == "onnx-int8"
        ready = onnx_visual.ready(derived_dir, spec.weights_path, want_int8) if self.backend != "torch" else None
        if ready is not None:
            path, record = ready
            self._describe(record)
            self.backend = self._open_onnx(path)
        else:
            from core.embedding.model_files import is_manifest

            if is_manifest(spec.weights_path):
                raise ModelError(f"{spec.name} was installed as ONNX files, which run on the CPU only: "
                                 f"set `photosift config device cpu` and `photosift config backend onnx`, "
                                 f"or import its weights file")
            self._load_torch(skip_visual=False)
            if self.backend != "torch":
                self._export_text()
                self.backend = self._start_onnx(want_int8, derived_dir, calibration)
        log.info("loaded model %s (%s) on %s, images through %s", spec.name, spec.arch, self.device, self.backend)

    # -- loading ---------------------------------------------------------
    def _load_torch(self, skip_visual: bool) -> None:
        """open_clip's model; without its image tower when ONNX Runtime has that."""
        try:
            import open_clip
            import torch
        except ImportError:
            raise ModelError("reading model weights needs torch and open_clip, which this installation does "
                             "not have (the CPU-only app): on a computer with the full Photosift, run "
                             "`photosift models export NAME FOLDER`, then import that folder here") from None

        if self._threads:
            torch.set_num_threads(self._threads)
        if self.device != "cpu":
            self.device = pick_device(self.device)
        arch = _register_config(self.spec)
        try:
            with weights.skip_random_init():
                model, _, preprocess = open_clip.create_model_and_transforms(arch, pretrained=None, device="cpu")
        except RuntimeError as exc:
            raise ModelError(f"unknown model architecture {arch!r}: {exc}") from None
        if model.visual is not None and self._numpy_preprocess is None:
            size = model.visual.image_size
            self.image_size = int(size[0] if isinstance(size, (tuple, list)) else size)
            self._visual_cfg = getattr(model.visual, "preprocess_cfg", {})
            spec = describe(self._visual_cfg)
            self._numpy_preprocess = Preprocess(spec) if spec else None
        if skip_visual:
            model.visual = None
            _return_freed_memory()
        weights.load_into(model, self.spec.weights_path, self.spec.name, skip="visual." if skip_visual else None)
        model.eval()
        if self.device != "cpu":
            model = model.to(self.device)
        self._torch = torch
        self._preprocess = preprocess
        self._tokenizer = open_clip.get_tokenizer(arch)
        # CLIP's learned softmax temperature; the tagger uses it for its softmax.
        self.logit_scale = float(min(100.0, max(1.0, model.logit_scale.exp().item())))
        self._model = model
        with torch.inference_mode():
            self.dim = int(self._embed_texts_torch(["a photo"]).shape[1])

    def _export_text(self) -> None:
        """Export the text tower beside the image tower (first time only), while torch is loaded anyway."""
        if self._derived_dir is None or self.backend == "torch" or self._model is None:
            return
        from core.embedding import onnx_text

        try:
            onnx_text.build(self._model, self._tokenizer, self.spec.weights_path, self._derived_dir)
            self._text_onnx = None   # look again: it is there now
        except Exception as exc:  # an architecture the exporter cannot trace: torch still answers
            log.warning("cannot run %s's text tower on ONNX Runtime (%s); text stays on torch", self.spec.name,
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    def _text_session(self):
        """The ONNX text tower if it is exported (opened on first use), else None."""
        if self._text_onnx is None and self.backend != "torch":
            with self._torch_lock:
                if self._text_onnx is None:
                    from core.embedding import onnx_text

                    ready = onnx_text.ready(self._derived_dir, self.spec.weights_path)
                    self._text_onnx = onnx_text.OnnxText(*ready, self._threads) if ready else False
        return self._text_onnx or None

    def _text_side(self):
        """The torch model, loaded on first use (thread-safe); the text tower is exported then if it can be."""
        if self._model is None:
            with self._torch_lock:
                if self._model is None:
                    self._load_torch(skip_visual=self._onnx is not None)
                    self._export_text()
        return self._model

    def _describe(self, record: dict) -> None:
        self.image_size = int(record["image_size"])
        self.dim = int(record["dim"])
        self.logit_scale = float(record["logit_scale"])
        self._numpy_preprocess = Preprocess(record["preprocess"])

    def _wanted_backend(self, backend: str, derived_dir) -> str:
        """ONNX Runtime for the image tower where it is faster: on the CPU, when installed.

        The exported tower is cached in derived_dir; without one, torch it is.
        """
        backend = backend if backend in BACKENDS else "auto"
        if backend == "torch" or self.device != "cpu" or derived_dir is None:
            return "torch"
        if not onnx_visual.available():
            if backend != "auto":
                log.warning("backend %s needs the onnxruntime and onnx packages; using torch", backend)
            return "torch"
        return "onnx" if backend == "auto" else backend

    def _start_onnx(self, want_int8: bool, derived_dir, calibration) -> str:
        """Export (first time only), then hand the image tower to ONNX Runtime."""
        spec = describe(self._visual_cfg)
        if spec is None:
            log.info("%s uses an image transform the numpy preprocessing does not reproduce; images stay on torch",
                     self.spec.name)
            return "torch"
        record = {"image_size": self.image_size, "dim": self.dim, "logit_scale": self.logit_scale,
                  "preprocess": spec}

        def calibration_tensors():
            images = calibration() if calibration else None
            return np.stack([Preprocess(spec)(img) for img in images]) if images else None
        try:
            path = onnx_visual.build(self._model, self.spec.weights_path, derived_dir, self.image_size,
                                     want_int8, calibration_tensors, record)
        except Exception as exc:  # an architecture the exporter cannot trace: torch still works
            log.warning("cannot run %s on ONNX Runtime (%s); using torch",
                        self.spec.name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return "torch"
        # The torch copy of the tower is no longer needed: free it before the
        # session loads its own, so the two never sit in memory together.
        self._model.visual = None
        _return_freed_memory()
        self._describe(record)
        return self._open_onnx(path)

    def _open_onnx(self, path: pathlib.Path) -> str:
        """Use the exported image tower; its session opens on the first image (a search needs none)."""
        self._onnx = path
        return "onnx-int8" if path.name.endswith(".int8.onnx") else "onnx"

    def load_image_tower(self) -> None:
        """Open the image tower's session now (an indexing run calls this before its workers
        decode: opened mid-run, its parse buffers add to the pipeline's and raise the peak ~80 MB)."""
        if self._onnx is not None:
            self._visual_session()

    def _visual_session(self):
        if not isinstance(self._onnx, onnx_visual.OnnxVisual):
            with self._torch_lock:
                if not isinstance(self._onnx, onnx_visual.OnnxVisual):
                    try:
                        session = onnx_visual.OnnxVisual(self._onnx, self._cpu.session_threads)
                    except Exception as exc:
                        onnx_visual.forget(self._onnx)
                        raise ModelError(f"cannot open the ONNX image model ({str(exc).splitlines()[0]}); "
                                         f"it will be rebuilt at the next start") from None
                    self._onnx = session
                    _return_freed_memory()   # the session's parse buffers
        return self._onnx

    # -- embedding -------------------------------------------------------
    @property
    def preprocess_spec(self) -> dict | None:
        """The numpy preprocessing when it reproduces this model's transform, for decode workers."""
        return None if self._numpy_preprocess is None else self._numpy_preprocess.spec

    @property
    def default_batch_size(self) -> int:
        """Images per model call: a GPU needs large batches to be busy, a CPU gains nothing past 16."""
        return {"cuda": 128, "mps": 64}.get(self.device, 16)

    def embed_prepared(self, items) -> np.ndarray:
        """Decode workers' output to unit vectors: uint8 crops (with preprocess_spec), else reduced images."""
        if self._numpy_preprocess is None:
            from PIL import Image

            return self.embed_pil([Image.fromarray(np.asarray(x)) for x in items])
        pixels = np.stack(items)
        if self._onnx is not None:
            return self.embed_images(self._numpy_preprocess.normalize(pixels))
        return self._embed_pixels_torch(pixels)

    def start_embedding(self, items):
        """Begin embedding a batch of decode workers' output; `.vectors()` on the result waits for it.

        On CUDA the copy in (on a stream of its own), the model (fp16 from the first op) and the
        copy out are queued on the device and this returns at once: the caller gathers and starts
        the next batch while this one computes, and that batch's transfer overlaps this one's
        compute. On ONNX Runtime it runs on a thread of its own (core/embedding/batches.py), so the
        caller's next batch runs beside this one. Elsewhere (torch on the CPU, MPS) the work is
        done here, now.
        """
        if any(not isinstance(item, np.ndarray) for item in items):   # crops the GPU decoded (device_jpeg)
            return self._start_with_device_crops(items)
        if self._onnx is not None and self._numpy_preprocess is not None:
            return self._cpu.start(self.embed_prepared, items)
        if self.device != "cuda" or self._onnx is not None or self._numpy_preprocess is None:
            return Done(self.embed_prepared(items))
        return self._start_cuda(np.stack(items))

    @property
    def decodes_jpeg(self) -> bool:
        """Whether the workers should hand JPEGs over undecoded, for this model's device to decode."""
        from core.embedding import device_jpeg

        return self._onnx is None and self._numpy_preprocess is not None and device_jpeg.usable(self.device)

    def _start_with_device_crops(self, items):
        """A batch of crops, some decoded on the device, some by the workers (PNG, HEIC, video frames)."""
        torch = self._torch
        batch = torch.stack([item if isinstance(item, torch.Tensor) else torch.from_numpy(item).to(self.device)
                             for item in items])
        if self.device == "cuda":
            return self._run_cuda(batch, None)
        return Done(self._embed_batch(batch))

    def _start_cuda(self, pixels: np.ndarray):
        torch = self._torch
        if self._copy_stream is None:
            self._copy_stream = torch.cuda.Stream()
        host = torch.from_numpy(pixels).pin_memory()
        with torch.cuda.stream(self._copy_stream):
            batch = host.to(self.device, non_blocking=True)
        compute = torch.cuda.current_stream()
        compute.wait_stream(self._copy_stream)
        batch.record_stream(compute)
        return self._run_cuda(batch, host)

    def _run_cuda(self, batch, host):
        """The model queued on the device for a uint8 (N, S, S, 3) batch there; `host` is kept
        alive until the copy from it is done."""
        torch = self._torch
        mean, std = self._norm()
        compute = torch.cuda.current_stream()
        with torch.inference_mode(), self._autocast():
            x = (batch.permute(0, 3, 1, 2).half() / 255.0 - mean.half()) / std.half()
            out = self._model.encode_image(x)
            result = torch.empty(tuple(out.shape), dtype=torch.float32, pin_memory=True)
            result.copy_(out.float(), non_blocking=True)
        done = torch.cuda.Event()
        done.record(compute)
        return _OnDevice(result, done, host)

    def _norm(self):
        """The preprocessing's mean and std as device tensors, made once."""
        if self._torch_norm is None:
            torch = self._torch
            spec, shape = self._numpy_preprocess.spec, (1, 3, 1, 1)
            self._torch_norm = (torch.tensor(spec["mean"]).view(shape).to(self.device),
                                torch.tensor(spec["std"]).view(shape).to(self.device))
        return self._torch_norm

    def _embed_pixels_torch(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 crops to the device (pinned, async on CUDA: a quarter of float32's bytes), normalized there."""
        batch = self._torch.from_numpy(pixels)
        if self.device == "cuda":
            batch = batch.pin_memory().to(self.device, non_blocking=True)
        else:
            batch = batch.to(self.device)
        return self._embed_batch(batch)

    def _embed_batch(self, batch) -> np.ndarray:
        """Unit vectors of a uint8 (N, S, S, 3) batch already on the model's device."""
        torch = self._torch
        mean, std = self._norm()
        x = (batch.permute(0, 3, 1, 2).float() / 255.0 - mean) / std
        with torch.inference_mode(), self._autocast():
            out = self._model.encode_image(x)
        return _normalize(out.float().cpu().numpy())

    def preprocess(self, img):
        """PIL image to model input (runs in decode threads): a numpy array, or a tensor on torch."""
        if self._numpy_preprocess is not None:
            return self._numpy_preprocess(img)
        return self._preprocess(img)

    def _autocast(self):
        torch = self._torch
        if self.device == "cuda":
            return torch.autocast("cuda", dtype=torch.float16)
        return torch.autocast("cpu", enabled=False)

    def embed_images(self, inputs) -> np.ndarray:
        """Preprocessed images (arrays or tensors, or one stacked batch) to unit vectors."""
        if self._onnx is not None:
            if isinstance(inputs, (list, tuple)):
                batch = np.stack([np.asarray(x) for x in inputs])
            else:
                batch = np.asarray(inputs)
            return _normalize(self._visual_session()(batch))
        torch = self._torch
        if isinstance(inputs, (list, tuple)):
            batch = torch.stack([torch.as_tensor(x) for x in inputs])
        else:
            batch = torch.as_tensor(inputs)
        with torch.inference_mode(), self._autocast():
            out = self._model.encode_image(batch.to(self.device, non_blocking=True))
        return _normalize(out.float().cpu().numpy())

    def embed_pil(self, images) -> np.ndarray:
        return self.embed_images([self.preprocess(img) for img in images])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        session = self._text_session()
        if session is not None:
            return _normalize(session(list(texts)))
        return self._embed_texts_torch(texts)

    def _embed_texts_torch(self, texts: list[str]) -> np.ndarray:
        self._text_side()
        torch = self._torch
        tokens = self._tokenizer(list(texts)).to(self.device)
        with torch.inference_mode(), self._autocast():
            out = self._encode_text(tokens)
        return _normalize(out.float().cpu().numpy())

    def _encode_text(self, tokens):
        """encode_text over only the tokens that matter.

        CLIP's text tower is causal and pools at the end-of-text token, so
        the padding after it (most of the 77 positions for a short query)
        cannot change the result. Cutting it makes queries and tag prompts
        several times cheaper. Models built differently use open_clip's own
        encode_text.
        """
        m = self._model
        mask = getattr(m, "attn_mask", None)
        if getattr(m, "text_pool_type", None) != "argmax" or mask is None or not hasattr(m, "positional_embedding"):
            return m.encode_text(tokens)
        from open_clip.transformer import text_global_pool

        length = int(tokens.argmax(dim=-1).max().item()) + 1
        tokens = tokens[:, :length]
        cast = m.transformer.get_cast_dtype()
        x = m.token_embedding(tokens).to(cast) + m.positional_embedding[:length].to(cast)
        x = m.ln_final(m.transformer(x, attn_mask=mask[:length, :length]))
        x = text_global_pool(x, tokens, m.text_pool_type)
        if m.text_projection is not None:
            x = m.text_projection(x) if isinstance(m.text_projection, self._torch.nn.Linear) else x @ m.text_projection
        return x

    @functools.lru_cache(maxsize=512)
    def embed_text(self, text: str) -> np.ndarray:
        """One query, cached: typing the same words again costs nothing."""
        return self.embed_texts([text])[0]


def _return_freed_memory() -> None:
    """Hand freed heap pages back to the OS (glibc keeps large freed blocks otherwise)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
