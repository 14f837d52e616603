"""Installed models: download from the catalogue, import a local file, pick one.

A model is usable once its weights lie in the library's models folder and a
row in the `models` table points at them. After that nothing about it needs
the network: loading reads the file directly, never the hub.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import pathlib
import shutil
import tempfile
from dataclasses import dataclass

from core.embedding import catalog, model_files
from core.embedding.clip_model import ModelSpec, read_config
from core.embedding.model_files import WEIGHT_SUFFIXES, slug as _slug
from core.errors import ModelError, NoModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    arch: str
    installed: bool
    source: str
    download_mb: int | None = None
    licence: str | None = None
    imagenet_top1: float | None = None
    coco_t2i_r1: float | None = None
    gflops: float | None = None
    note: str = ""
    active: bool = False

    def to_json(self) -> dict:
        return dict(self.__dict__)


class ModelStore:
    def __init__(self, db, folder: pathlib.Path, settings):
        self._db = db
        self.folder = pathlib.Path(folder)
        self._settings = settings

    # -- queries ---------------------------------------------------------
    def installed(self) -> dict[str, tuple]:
        rows = self._db.read("SELECT name, arch, weights_path, config_json, source FROM models ORDER BY name")
        return {r[0]: r for r in rows}

    def list(self) -> list[ModelInfo]:
        installed = self.installed()
        active = self._settings.get("active_model")
        out = [ModelInfo(m.name, m.arch, m.name in installed, "catalogue", m.download_mb, m.licence,
                         m.imagenet_top1, m.coco_t2i_r1, m.gflops, m.note, m.name == active)
               for m in catalog.CATALOG]
        known = {m.name for m in catalog.CATALOG}
        out += [ModelInfo(name, row[1], True, row[4], active=name == active)
                for name, row in installed.items() if name not in known]
        return out

    def spec(self, name: str) -> ModelSpec:
        row = self.installed().get(name)
        if row is None:
            raise NoModel(f"model {name!r} is not installed: run `photosift models download {name}` "
                          f"or `photosift models import FILE --arch ARCH`")
        config_path = None
        if row[3]:
            config_path = str(model_files.arch_config(self.folder, name))
            if not os.path.exists(config_path):
                pathlib.Path(config_path).parent.mkdir(parents=True, exist_ok=True)
                pathlib.Path(config_path).write_text(row[3])
        return ModelSpec(name=name, arch=row[1], weights_path=str(self.folder / row[2]), config_path=config_path)

    def derived_dir(self, name: str) -> pathlib.Path:
        """Where files computed from a model's weights (its ONNX export) are cached."""
        return model_files.derived_dir(self.folder, name)

    def active_spec(self) -> ModelSpec:
        name = self._settings.get("active_model")
        if not name:
            raise NoModel("no model is installed, so photos cannot be embedded or searched yet: run "
                          "`photosift models download` (needs internet) or `photosift models import FILE --arch ARCH`")
        return self.spec(name)

    # -- changes ---------------------------------------------------------
    @staticmethod
    def slug(name: str) -> str:
        """The folder name of a model under the library's models folder."""
        return _slug(name)

    def register(self, *args, **kwargs) -> None:
        """Record an installed model (for core.embedding.runtime_folder)."""
        self._register(*args, **kwargs)

    def _register(self, name: str, arch: str, weights_path: pathlib.Path, config_json: str | None,
                  source: str, pretrained: str | None = None) -> None:
        self._db.write(
            "INSERT INTO models(name, arch, pretrained, weights_path, config_json, source, installed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET arch=excluded.arch, "
            "pretrained=excluded.pretrained, weights_path=excluded.weights_path, "
            "config_json=excluded.config_json, source=excluded.source, installed_at=excluded.installed_at",
            (name, arch, pretrained, self._stored(weights_path), config_json, source,
             dt.datetime.now().isoformat(timespec="seconds")))
        if not self._settings.get("active_model"):
            self.use(name)

    def _stored(self, path: pathlib.Path) -> str:
        """Paths inside the models folder are kept relative, so a moved or copied library still works."""
        try:
            return str(pathlib.Path(path).resolve().relative_to(self.folder.resolve()))
        except ValueError:
            return str(path)

    def download(self, name: str) -> ModelInfo:
        """Fetch real pretrained weights through open_clip (Hugging Face hub)."""
        entry = catalog.find(name)
        if entry is None:
            known = ", ".join(m.name for m in catalog.CATALOG)
            raise ModelError(f"unknown model {name!r}; known models: {known}")
        os.environ.pop("HF_HUB_OFFLINE", None)
        import open_clip

        cfg = open_clip.get_pretrained_cfg(entry.arch, entry.pretrained)
        cache = self.folder / "hub"
        cache.mkdir(parents=True, exist_ok=True)
        try:
            path = open_clip.download_pretrained(cfg, cache_dir=str(cache))
        except Exception as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise ModelError(
                f"could not download {entry.name} ({first}); check the internet connection, or on an "
                f"offline machine use `photosift models import FILE --arch {entry.arch}`") from None
        if not path or not os.path.exists(path):
            raise ModelError(f"could not download {entry.name}: open_clip returned no file")
        self._register(entry.name, entry.arch, pathlib.Path(path), None, "download", entry.pretrained)
        self._load_for_cpu(self.spec(entry.name), entry.name)
        return next(m for m in self.list() if m.name == entry.name)

    def _load_for_cpu(self, spec: ModelSpec, name: str) -> None:
        """Load the weights once (a check); where the model will run on the CPU, export its ONNX towers."""
        from core.embedding.clip_model import ClipModel
        from core.embedding.devices import pick_device_light

        on_cpu = pick_device_light(self._settings.get("device")) == "cpu"
        ClipModel(spec, device="cpu", backend=self._settings.get("backend") if on_cpu else "torch",
                  derived_dir=self.derived_dir(name) if on_cpu else None)

    def import_file(self, file: str | os.PathLike, arch: str | None, name: str | None = None) -> ModelInfo:
        """Install a local checkpoint (air-gapped users), verified by loading it; or a runtime
        folder exported by `photosift models export`, which needs no torch."""
        from core.embedding import runtime_folder

        if model_files.is_runtime_folder(file):
            name = runtime_folder.install(self, file, name)
            return next(m for m in self.list() if m.name == name)
        if not arch:
            raise ModelError("importing a weights file needs its architecture: --arch NAME (or a config .json)")
        src = pathlib.Path(file).expanduser()
        if not src.is_file():
            raise ModelError(f"weights file not found: {src}")
        if src.suffix.lower() not in WEIGHT_SUFFIXES:
            raise ModelError(f"{src.name}: expected a .safetensors or PyTorch weights file")
        config_json = None
        arch_path = pathlib.Path(arch).expanduser()
        if arch.endswith(".json"):
            config_json = json.dumps(read_config(arch_path), indent=1)
            arch = arch_path.stem
        name = name or src.stem
        target_dir = model_files.model_folder(self.folder, name)
        target_dir.mkdir(parents=True, exist_ok=True)
        target = model_files.weights_file(self.folder, name, src.suffix)
        fd, tmp = tempfile.mkstemp(dir=target_dir, suffix=f".part{src.suffix.lower()}")
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            if config_json:
                model_files.arch_config(self.folder, name).write_text(config_json)
            probe = ModelSpec(name, arch, tmp, str(model_files.arch_config(self.folder, name)) if config_json else None)
            # Raises ModelError if the file does not fit the arch. On a CPU it also
            # exports both towers to ONNX now (renaming keeps the file's size and
            # mtime, which key the export), so no later run needs torch.
            self._load_for_cpu(probe, name)
            os.replace(tmp, target)
        finally:
            pathlib.Path(tmp).unlink(missing_ok=True)
        self._register(name, arch, target, config_json, "import")
        return next(m for m in self.list() if m.name == name)

    def use(self, name: str) -> None:
        if name not in self.installed():
            self.spec(name)  # raises the helpful NoModel
        self._settings.set("active_model", name)
        if not self._settings.get("serving_model"):
            self._settings.set("serving_model", name)
