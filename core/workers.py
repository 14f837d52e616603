"""How the library's photos reach the decoders: the decode workers' configuration from the
settings, their pools by purpose (core/pipeline/pools.py owns the processes), JPEG decoding
on the model's GPU, and a Ray cluster's actors for one scan.

Apart from the Library, as Stages is, so the library stays about what it holds.
"""
from __future__ import annotations

import dataclasses
import logging

from core.pipeline.pools import DecodePools

log = logging.getLogger(__name__)


class Workers:
    def __init__(self, library):
        self._lib = library
        self.pools = DecodePools()

    def pool(self, model_name: str | None = None, purpose: str = "bulk"):
        """The decode worker processes for this model and these settings.

        "bulk" has one worker per core (`decode_workers`); "example" and
        "display" (the viewer, which needs no model) one each.
        """
        from core.pipeline.decode_pool import default_size

        settings = self._lib.settings
        config = self.config(model_name, purpose)
        size = settings.get("decode_workers") or default_size() if purpose == "bulk" else 1
        return self.pools.get(purpose, config, size, float(settings.get("decode_timeout_s")))

    def one(self, job, purpose: str, model_name: str | None = None):
        """One file through a worker process, for something the user waits on."""
        outcome = self.pools.one(self.pool(model_name, purpose), job)
        self.pools.release_later()
        return outcome

    def config(self, model_name: str | None, purpose: str):
        """What a decode worker (or a cluster node) needs: the model's crop, this library's limits."""
        from core.pipeline.decode_worker import WorkerConfig

        lib = self._lib
        if purpose == "display":
            model_name, image_size, crop, on_device = None, 0, None, False
        else:
            model_name = model_name or lib.serving_model_name()
            model = lib.model(model_name)
            image_size, crop = model.image_size, model.preprocess_spec
            on_device = purpose == "bulk" and self.device_decoder(model) is not None
        max_pixels = lib.settings.get("max_megapixels") * 1_000_000
        max_bytes = lib.settings.get("max_file_mb") * 1_000_000
        return WorkerConfig(
            database=str(lib.paths.database), model=model_name,
            min_side=max(lib.thumbnails.size, image_size), crop=crop,
            thumbnails=str(lib.paths.thumbnails), thumbnail_size=lib.thumbnails.size,
            max_pixels=max_pixels, max_bytes=max_bytes, sampling=self._sampling(),
            riders=lib.stages.riders() if purpose == "bulk" and not on_device else (), jpeg_on_device=on_device,
            # The file, a full-size RGBA decode at the pixel limit, and the interpreter.
            memory_limit=max_bytes + 4 * max_pixels + (1 << 30))

    def device_decoder(self, model):
        """JPEGs decoded on the model's GPU (core/pipeline/device_decode.py), where it can and is let."""
        if not (model.decodes_jpeg and self._lib.settings.get("gpu_jpeg")):
            return None
        from core.pipeline.device_decode import DeviceDecoder

        return DeviceDecoder(model.device, model.preprocess_spec, self._lib.thumbnails)

    def cluster_pool(self, model_name: str, address: str, batch_size: int):
        """Ray actors for one scan, with this library's decode settings and the model's files."""
        from core.cluster.pool import ClusterPool, model_files

        lib = self._lib
        config = dataclasses.replace(self.config(model_name, "bulk"), jpeg_on_device=False)
        files = model_files(lib.models.spec(model_name), lib.models.derived_dir(model_name))
        return ClusterPool(address, config, files, lib.thumbnails, actors=lib.settings.get("cluster_actors"),
                           batch_size=batch_size, timeout_s=float(lib.settings.get("decode_timeout_s")))

    def _sampling(self):
        from core.video.sampling import Sampling

        get = self._lib.settings.get
        return Sampling(get("video_sample_s"), get("video_frames_per_minute"), get("video_max_frames"))
