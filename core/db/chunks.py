"""Splitting long id lists for `IN (...)`: SQLite caps the bound parameters of one statement."""
from __future__ import annotations

from typing import Iterator, Sequence

CHUNK = 900   # under SQLite's old default limit of 999 parameters, with room for a few more


def chunked(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def marks(chunk: Sequence) -> str:
    """The placeholders of one chunk: `?,?,?`."""
    return ",".join("?" * len(chunk))
