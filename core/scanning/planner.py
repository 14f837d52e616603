"""Deciding what an indexing run must do, by comparing disk with the library.

Unchanged files are recognised by (size, mtime) alone, without reading them;
that is what makes a rescan of 100k photos take seconds. Files that vanished
are collected as `missing` rather than deleted at once: a new file with the
same content hash is the same photo moved, and keeps its row (tags, albums,
vector). Only the missing files no new file claims are swept afterwards.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from core.db.photos import Photos, PlannerRow
from core.paths import db_path, is_within
from core.scanning.walker import is_excluded_dir, stat_photo, walk
from core.types import Root

log = logging.getLogger(__name__)

__all__ = ["Job", "Missing", "Plan", "Planner", "Root", "Scope", "SkippedFile", "root_is_online"]


@dataclass(frozen=True)
class Job:
    """One file the pipeline must look at."""
    path: str                  # file system path
    size: int
    mtime: float
    root_id: int
    photo_id: int | None = None   # the existing row at this path
    old_hash: str | None = None
    force: bool = False           # needs a vector for the active model even if unchanged
    on_cpu: bool = False          # decode in the worker though the GPU could (one it refused)


class Missing(NamedTuple):
    """A stored photo whose file was not found: swept unless a new file has its content."""
    path: str
    content_hash: str | None


class SkippedFile(NamedTuple):
    """A file with a photo's name that is not a photo file (a FIFO, a device, a link loop)."""
    path: str
    reason: str
    root_id: int


class Scope(NamedTuple):
    """What a plan looked at: a whole root (path None) or one path in it."""
    root_id: int
    path: str | None


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    missing: dict[int, Missing] = field(default_factory=dict)   # by photo id
    seen: int = 0
    unchanged: int = 0
    skipped_failed: int = 0
    offline_roots: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    scanned: list[Scope] = field(default_factory=list)

    def skip(self, root_id: int):
        return lambda path, why: self.skipped.append(SkippedFile(path, why, root_id))

    def miss(self, row: PlannerRow) -> None:
        self.missing[row.id] = Missing(row.fs_path, row.content_hash)


def root_is_online(root: Root, photos: Photos) -> bool:
    """False for a root whose drive is gone or unmounted, so its photos are kept.

    An unmounted mount point usually still exists as an empty folder, so an
    empty root that used to hold photos counts as offline too.
    """
    if not os.path.isdir(root.path):
        return False
    try:
        empty = not any(True for _ in os.scandir(root.path))
    except OSError:
        return False
    if empty and photos.root_has_photos(root.id):
        return False
    return True


class Planner:
    def __init__(self, photos: Photos, embedded: Callable[[], set[int]], model: str | None):
        """`embedded()`: ids of the photos that have a vector for `model` (None: no model yet)."""
        self._photos = photos
        self._embedded_ids = embedded
        self._model = model

    def _embedded(self) -> set[int]:
        return self._embedded_ids() if self._model else set()

    def _classify(self, plan: Plan, entries, rows: dict[str, PlannerRow], root_id: int, embedded: set[int]) -> None:
        for entry in entries:
            plan.seen += 1
            row = rows.pop(db_path(entry.path), None)
            if row is None:
                plan.jobs.append(Job(entry.path, entry.size, entry.mtime, root_id))
                continue
            same = row.size == entry.size and row.mtime == entry.mtime
            if same and row.state == "failed":
                plan.skipped_failed += 1
            elif same and (row.id in embedded or not self._model):
                plan.unchanged += 1
            else:
                plan.jobs.append(Job(entry.path, entry.size, entry.mtime, row.root_id, row.id, row.content_hash,
                                     force=same))

    def plan_roots(self, roots: list[Root]) -> Plan:
        """A full scan of the given roots."""
        plan = Plan()
        embedded = self._embedded()
        for root in roots:
            if not root_is_online(root, self._photos):
                plan.offline_roots.append(root.path)
                continue
            plan.scanned.append(Scope(root.id, None))
            rows = {r.path: r for r in self._photos.in_root(root.id)}
            entries = walk(root.path, on_skip=plan.skip(root.id))
            self._classify(plan, entries, rows, root.id, embedded)
            for row in rows.values():
                plan.miss(row)
        return plan

    def plan_paths(self, paths: set[str], roots: list[Root]) -> Plan:
        """An incremental scan of paths a watcher reported (files or folders)."""
        plan = Plan()
        embedded = self._embedded()

        def root_of(path: str) -> Root | None:
            best = None
            for root in roots:
                inside = path == root.path or is_within(path, root.path)
                if inside and (best is None or len(root.path) > len(best.path)):
                    best = root
            return best

        online: dict[int, bool] = {}
        for path in sorted(paths):
            root = root_of(path)
            if root is None or _in_excluded_dir(path, root.path):
                continue
            if root.id not in online:
                # An unmounted drive must not read as "every photo deleted".
                online[root.id] = root_is_online(root, self._photos)
                if not online[root.id]:
                    plan.offline_roots.append(root.path)
            if not online[root.id]:
                continue
            plan.scanned.append(Scope(root.id, path))
            rows = {r.path: r for r in self._photos.at_or_under(path)}
            if os.path.isdir(path):
                entries = list(walk(path, on_skip=plan.skip(root.id)))
            else:
                entry = stat_photo(path, on_skip=plan.skip(root.id))
                entries = [entry] if entry else []
            self._classify(plan, entries, rows, root.id, embedded)
            for row in rows.values():
                plan.miss(row)
        # A path reported twice (created, then modified) must be one job.
        unique: dict[str, Job] = {}
        for job in plan.jobs:
            unique[job.path] = job
        plan.jobs = list(unique.values())
        return plan


def _in_excluded_dir(path: str, root: str) -> bool:
    if path == root:
        return False
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    return any(is_excluded_dir(part) for part in parts[:-1]) or parts[-1].startswith(".")

