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

from core.paths import db_path, fs_path, is_within
from core.scanning.walker import is_excluded_dir, stat_photo, walk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Root:
    id: int
    path: str


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


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    missing: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # id -> (path, hash)
    seen: int = 0
    unchanged: int = 0
    skipped_failed: int = 0
    offline_roots: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str, int]] = field(default_factory=list)   # (path, why, root id): not photo files
    scanned: list[tuple[int, str | None]] = field(default_factory=list)  # (root id, path or None for all of it)

    def skip(self, root_id: int):
        return lambda path, why: self.skipped.append((path, why, root_id))


_ROW_SQL = "SELECT id, path, path_raw, root_id, size, mtime, content_hash, state FROM photos"


def root_is_online(root: Root, db) -> bool:
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
    if empty and db.scalar("SELECT 1 FROM photos WHERE root_id = ? LIMIT 1", (root.id,)):
        return False
    return True


class Planner:
    def __init__(self, db, model: str | None):
        self._db = db
        self._model = model

    def _embedded(self) -> set[int]:
        if not self._model:
            return set()
        return {r[0] for r in self._db.read("SELECT photo_id FROM embeddings WHERE model = ?", (self._model,))}

    def _classify(self, plan: Plan, entries, rows: dict[str, tuple], root_id_of, embedded: set[int]) -> None:
        for entry in entries:
            plan.seen += 1
            key = db_path(entry.path)
            row = rows.pop(key, None)
            if row is None:
                plan.jobs.append(Job(entry.path, entry.size, entry.mtime, root_id_of(entry.path)))
                continue
            photo_id, _, _, root_id, size, mtime, content_hash, state = row
            same = size == entry.size and mtime == entry.mtime
            if same and state == "failed":
                plan.skipped_failed += 1
            elif same and (photo_id in embedded or not self._model):
                plan.unchanged += 1
            else:
                plan.jobs.append(Job(entry.path, entry.size, entry.mtime, root_id, photo_id, content_hash,
                                     force=same))

    def plan_roots(self, roots: list[Root]) -> Plan:
        """A full scan of the given roots."""
        plan = Plan()
        embedded = self._embedded()
        for root in roots:
            if not root_is_online(root, self._db):
                plan.offline_roots.append(root.path)
                continue
            plan.scanned.append((root.id, None))
            rows = {r[1]: r for r in self._db.read(_ROW_SQL + " WHERE root_id = ?", (root.id,))}
            entries = walk(root.path, on_skip=plan.skip(root.id))
            self._classify(plan, entries, rows, lambda _p, rid=root.id: rid, embedded)
            for row in rows.values():
                plan.missing[row[0]] = (fs_path(row[1], row[2]), row[6])
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
                online[root.id] = root_is_online(root, self._db)
                if not online[root.id]:
                    plan.offline_roots.append(root.path)
            if not online[root.id]:
                continue
            key = db_path(path)
            plan.scanned.append((root.id, path))
            rows = {r[1]: r for r in self._db.read(
                _ROW_SQL + " WHERE path = ? OR (path >= ? AND path < ?)", (key, key + "/", key + "0"))}
            if os.path.isdir(path):
                entries = list(walk(path, on_skip=plan.skip(root.id)))
            else:
                entry = stat_photo(path, on_skip=plan.skip(root.id))
                entries = [entry] if entry else []
            self._classify(plan, entries, rows, lambda p, rid=root.id: rid, embedded)
            for row in rows.values():
                plan.missing[row[0]] = (fs_path(row[1], row[2]), row[6])
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

