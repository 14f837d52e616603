"""A model's two towers, each behind its own lock.

Only one caller at a time runs inside a tower, but the towers are separate:
a typed search (the text tower) never waits for the image batch a scan is
embedding. The Library owns the locks and hands these wrappers out.
"""
from __future__ import annotations

import threading


class ImageTower:
    """A model whose image embedding holds the library's image-tower lock."""

    def __init__(self, model, lock: threading.Lock):
        self._model, self._lock = model, lock

    def embed_prepared(self, items):
        with self._lock:
            return self._model.embed_prepared(items)

    def start_embedding(self, items):
        """Begin a batch (ClipModel.start_embedding); the lock is held only while it is queued."""
        with self._lock:
            return self._model.start_embedding(items)


class TextTower:
    """A model's text encoder under the library's text-tower lock (tagging, albums)."""

    def __init__(self, model, lock: threading.Lock):
        self._model, self._lock = model, lock
        self.logit_scale = model.logit_scale

    def embed_texts(self, texts):
        with self._lock:
            return self._model.embed_texts(texts)
