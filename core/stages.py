"""The stages that follow a scan's embedding: tagging, faces, and text in photos.

Each has its setting, its queue (filled by the writer in the transaction that
stores a photo's vector, so a stopped run leaves work queued, not lost) and
its own run; search never waits for any of them. The library runs them in
this order after every scan.
"""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Stages:
    def __init__(self, library):
        self._lib = library
        self._warned: set[str] = set()
        self._fresh_faces = None     # core.people.stage.Stored: found on this scan's decodes, for grouping

    def riders(self) -> tuple:
        """The work that rides on a scan's decodes (decode_worker.Rider): the face search, when
        faces are on and can be found here, and the text's first pass, when `text_in_photos` is
        auto. One read and one decode per photo then serve them all. (`all` reads every photo
        at a second each: that waits for the text stage, not the search.)"""
        from core.people import face_job
        from core.people import stage as faces
        from core.text import stage as text
        from core.text import text_job

        out = []
        if self._lib.settings.get("faces") and not faces.available():
            out.append(face_job.rider())
        if self._lib.settings.get("text_in_photos") == "auto" and not text.available():
            out.append(text_job.rider())
        return tuple(out)

    def rider_stores(self) -> dict:
        """Where the riders' results go, by rider name (core/pipeline/indexing.py hands them over)."""
        from core.people import face_job
        from core.people import stage as faces
        from core.text import stage as text
        from core.text import text_job

        def store_faces(found: list) -> None:
            stored = faces.store_found(self._lib.db, found)
            before = self._fresh_faces or faces.Stored(0, 0)
            self._fresh_faces = faces.Stored(before.photos + stored.photos, before.faces + stored.faces)
        return {face_job.NAME: store_faces, text_job.NAME: lambda found: text.store_found(self._lib.db, found)}

    @staticmethod
    def queues():
        """The writer's enqueuers: each stage's queue takes every photo with new content."""
        from core.people import stage as faces
        from core.tagging import queue as tags
        from core.text import store as text

        return (tags.enqueue, faces.enqueue, text.enqueue)

    def _warn_once(self, what: str, why: str) -> None:
        if what not in self._warned:
            log.warning("%s: %s", what, why)
            self._warned.add(what)

    def tag_pending(self, cancel: threading.Event | None = None) -> None:
        """Tag the photos queued for it (new and changed ones), if auto_tag is on."""
        lib = self._lib
        if not lib.settings.get("auto_tag") or not lib.settings.get("active_model"):
            return
        if lib.serving_model_name() != lib.settings.get("active_model"):
            return   # tags come from the serving model, which has no vectors for the new photos yet
        from core.tagging import queue

        if not queue.any_waiting(lib.db):
            return
        try:
            run = lib.organizer.tag_pending(cancel)
            log.info("tagged %d photos in %.1fs", run.photos, run.seconds)
        except Exception:  # tags can be redone (`photosift tags retag`); the index is what matters
            log.exception("automatic tagging failed")

    def find_faces(self, cancel: threading.Event | None = None, on_progress=None):
        """The face stage (core/people/stage.py), if the `faces` setting is on and dlib is here."""
        lib = self._lib
        if not lib.settings.get("faces") or not lib.settings.get("active_model"):
            return None
        from core.people import stage

        why = stage.available()
        if why:
            self._warn_once("people are off", why)
            return None
        (fresh, fresh_faces), self._fresh_faces = self._fresh_faces or stage.Stored(0, 0), None
        run = stage.run(lib.db, lib.decode_pool(lib.serving_model_name()), cancel, on_progress, fresh)
        run.faces += fresh_faces
        if run.photos or run.copied or run.fresh:
            log.info("faces: %d found in %d photos (%d searched on the scan's own decodes, %d copied from "
                     "twins, %d failed) in %.1fs; %d joined people, %d new groups", run.faces,
                     run.photos + run.copied + run.fresh, run.fresh, run.copied, run.failed, run.seconds,
                     run.grouping.joined, run.grouping.proposed)
        return run

    def read_text(self, cancel: threading.Event | None = None, on_progress=None):
        """The text stage (core/text/stage.py): `text_in_photos` auto (gated), all, or off."""
        lib = self._lib
        mode = lib.settings.get("text_in_photos")
        if mode == "off" or not lib.settings.get("active_model"):
            return None
        from core.text import stage

        why = stage.available()
        if why:
            self._warn_once("text in photos is off", why)
            return None
        run = stage.run(lib.db, lib.decode_pool(lib.serving_model_name()), mode, cancel, on_progress)
        if run.photos or run.copied:
            log.info("text: %d lines in %d of %d photos read (%d copied from twins, %d failed) in %.1fs",
                     run.lines, run.with_text, run.photos, run.copied, run.failed, run.seconds)
        return run
