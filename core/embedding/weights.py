"""Loading checkpoint files safely.

Only two loaders are ever used: safetensors, and torch.load with
weights_only=True. Neither can execute code hidden in a downloaded or
imported file, which an ordinary pickle can.
"""
from __future__ import annotations

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

            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(f"cannot read weights from {path.name}: {exc}".splitlines()[0]) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not state:
        raise ModelError(f"{path.name} holds no model weights")
    if all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def apply_state_dict(model, state: dict, label: str) -> None:
    """Load weights strictly: a file for another architecture must fail loudly."""
    # Buffers that open_clip recomputes may be absent from older checkpoints.
    own = model.state_dict()
    state = {k: v for k, v in state.items() if k in own or not k.endswith("position_ids")}
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise ModelError(
            f"the weights in {label} do not fit this architecture ({len(missing)} missing, "
            f"{len(unexpected)} unexpected tensors, e.g. {(missing or unexpected)[0]}); check --arch")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelError(f"the weights in {label} do not fit this architecture: "
                         f"{str(exc).splitlines()[-1].strip()}; check --arch") from None
