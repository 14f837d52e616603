"""What `photosift status` reports, as named values (the CLI prints them, `--json` dumps them)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from core.types import FileProblem


@dataclass(frozen=True)
class RootStatus:
    path: str
    online: bool
    photos: int
    last_scan_at: str | None


@dataclass(frozen=True)
class IndexHealth:
    model: str
    live: int                 # vectors in the search index
    in_sync: bool             # as many as SQLite holds
    search: str               # how a search is answered now, in words
    details: dict = field(default_factory=dict)   # the index's own report: state, counts, a build in progress

    @property
    def state(self) -> str:
        return self.details.get("state", "unknown")

    def to_json(self) -> dict:
        return dict(self.details, model=self.model, live=self.live, in_sync=self.in_sync, search=self.search)


@dataclass(frozen=True)
class LibraryStatus:
    library: str
    photos: int
    indexed: int
    failed: int
    states: dict[str, int]
    roots: tuple[RootStatus, ...]
    failures: tuple[FileProblem, ...]        # the first 50 by path, unless all were asked for
    skipped_count: int
    skipped: tuple[FileProblem, ...]
    active_model: str | None
    pending: int                             # indexed photos without a vector of the active model
    serving_model: str | None = None
    device: str | None = None
    index: IndexHealth | None = None
    faces: dict | None = None                # People counts, waiting, unavailable (why faces are off)
    text: dict | None = None                 # photos read, with text, waiting (text in photos)

    def to_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["roots"] = [dataclasses.asdict(r) for r in self.roots]
        out["failures"] = [{"path": f.path, "error": f.reason} for f in self.failures]
        out["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        out["index"] = self.index.to_json() if self.index else None
        return out
