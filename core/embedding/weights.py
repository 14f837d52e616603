"""Loading checkpoint files safely.

Only two loaders are ever used: safetensors, and torch.load with
weights_only=True. Neither can execute code hidden in a downloaded or
imported file, which an ordinary pickle can.
"""
from __future__ import annotations

import contextlib
import pathlib

from core.errors import ModelError


def load_state_dict(path: pathlib.Path | str) -> dict:
    """The tensors of a checkpoint, with training wrappers stripped."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ModelError(f"weights file not found: {path}")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path), device="cpu")
        else:
            import torch

            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:
        raise ModelError(f"cannot read weights from {path.name}: {exc}".splitlines()[0]) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not state:
        raise ModelError(f"{path.name} holds no model weights")
    if all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def load_into(model, path: pathlib.Path | str, label: str, skip: str | None = None) -> None:
    """Fill the model's weights from a file without holding a second full copy.

    safetensors files are read tensor by tensor; PyTorch files are loaded
    with weights_only and memory-mapped. Peak memory stays near one model.
    Tensors under `skip` (a submodule the caller removed) are not read.
    """
    path = pathlib.Path(path)
    if path.suffix != ".safetensors":
        state = load_state_dict(path)
        if skip:
            state = {k: v for k, v in state.items() if not k.removeprefix("module.").startswith(skip)}
        apply_state_dict(model, state, label)
        return
    if not path.is_file():
        raise ModelError(f"weights file not found: {path}")
    try:
        with open(path, "rb") as fh:
            header, base = _safetensors_header(fh)
            strip = "module." if header and all(k.startswith("module.") for k in header) else ""
            names = {k[len(strip):]: k for k in header if not (skip and k[len(strip):].startswith(skip))}
            own = model.state_dict()
            _check_keys(own, names, label)
            for name, tensor in own.items():
                tensor.copy_(_read_tensor(fh, base, header[names[name]]))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"cannot read weights from {path.name}: {exc}".splitlines()[0]) from None


_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
           "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def _safetensors_header(fh) -> tuple[dict, int]:
    """Parse a safetensors header (8-byte length, then JSON): data, never code."""
    import json
    import struct

    (length,) = struct.unpack("<Q", fh.read(8))
    if length > 100_000_000:
        raise ModelError("not a safetensors file (header too large)")
    header = json.loads(fh.read(length))
    header.pop("__metadata__", None)
    return header, 8 + length


def _read_tensor(fh, base: int, info: dict):
    """One tensor, read with plain reads: memory-mapping the whole file would
    count every page in the process's memory while the model is filled."""
    import torch

    start, end = info["data_offsets"]
    dtype = getattr(torch, _DTYPES[info["dtype"]])
    if end == start:
        return torch.empty(info["shape"], dtype=dtype)
    fh.seek(base + start)
    return torch.frombuffer(bytearray(fh.read(end - start)), dtype=dtype).reshape(info["shape"])


@contextlib.contextmanager
def skip_random_init():
    """Build a model without drawing random initial weights.

    Every tensor is overwritten by a strict load right after, so the random
    draws (over a second for ViT-B-32) are wasted start-up time.
    """
    import torch

    names = ("uniform_", "normal_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_",
             "xavier_uniform_", "xavier_normal_", "constant_", "zeros_", "ones_", "orthogonal_")
    saved = {n: getattr(torch.nn.init, n) for n in names if hasattr(torch.nn.init, n)}
    for n in saved:
        setattr(torch.nn.init, n, lambda tensor, *args, **kwargs: tensor)
    try:
        yield
    finally:
        for n, fn in saved.items():
            setattr(torch.nn.init, n, fn)


def _check_keys(own: dict, state, label: str) -> None:
    missing = sorted(set(own) - set(state))
    unexpected = sorted(k for k in set(state) - set(own) if not k.endswith("position_ids"))
    if missing or unexpected:
        raise ModelError(
            f"the weights in {label} do not fit this architecture ({len(missing)} missing, "
            f"{len(unexpected)} unexpected tensors, e.g. {(missing or unexpected)[0]}); check --arch")


def apply_state_dict(model, state: dict, label: str) -> None:
    """Load weights strictly: a file for another architecture must fail loudly."""
    # Buffers that open_clip recomputes may be absent from older checkpoints.
    own = model.state_dict()
    state = {k: v for k, v in state.items() if k in own or not k.endswith("position_ids")}
    _check_keys(own, state, label)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelError(f"the weights in {label} do not fit this architecture: "
                         f"{str(exc).splitlines()[-1].strip()}; check --arch") from None
