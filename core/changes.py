"""What a write changed, so each view decides for itself whether to refresh.

As Anki's OpChanges: an operation (a scan, naming a person, a vocabulary
edit) says what kind of data it changed, and a screen compares that with
what it shows, instead of the caller naming every view to refresh.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    photos: bool = False      # photos added, removed, moved or changed
    folders: bool = False     # roots added or removed, or gone offline
    tags: bool = False        # a photo's tags or the vocabulary
    albums: bool = False
    people: bool = False      # faces, people, names
    model: bool = False       # the active or serving model

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name)
                          for f in dataclasses.fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))

    def touches(self, *kinds: str) -> bool:
        return any(getattr(self, kind) for kind in kinds)


NOTHING = Changes()
PHOTOS = Changes(photos=True)
FOLDERS = Changes(folders=True, photos=True)
TAGS = Changes(tags=True)
ALBUMS = Changes(albums=True)
PEOPLE = Changes(people=True)
SETTINGS = Changes(model=True, folders=True, photos=True)
