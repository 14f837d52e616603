"""The library's search: a query's look, its filters, the text in photos, videos' moments,
and (when asked) the sentence understood as who, where and when (core/search/understand.py).

The Library facade hands searches here; this module holds the order of the
steps, and each step lives with its owner: filters in core/db, the vector
indexes in core/index, text in core/text, people and places in their stores.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from core.db.frames import frames_index_name
from core.scoring import combine
from core.search import engine
from core.search.moments import merge as moments_merge
from core.search.query import SearchQuery, parse, split_phrases
from core.search.understand import OPTIONAL_KINDS, Lexicon, Understood, fold, understand
from core.text import store as text_store
from core.types import SearchHit

log = logging.getLogger(__name__)

FAVOURITES = ("favourites", "favorites", "favourite", "favorite")   # album names "favourites" means


class Searcher:
    def __init__(self, library):
        self._lib = library
        self.today = dt.date.today      # tests fix it, for relative dates
        self._lexicon: tuple | None = None   # (the database's data_version, Lexicon)

    # -- understanding ---------------------------------------------------
    def lexicon(self) -> Lexicon:
        """The names the library knows, with photo counts: people, and places at every level.

        Counting them takes about 250 ms at 100k photos, so the result is kept until the
        library's next write (a name given, a scan's batch, a setting changed)."""
        version = self._lib.db.data_version()
        if self._lexicon is None or self._lexicon[0] != version:
            self._lexicon = (version, self._read_lexicon())
        return self._lexicon[1]

    def _read_lexicon(self) -> Lexicon:
        lib = self._lib
        people = {fold(p.name): (p.name, p.photos) for p in lib.people.list() if p.name}
        places: dict[str, tuple[str, int]] = {}
        for count in lib.places.known_counts():
            for name in (count.city, count.region, count.country):
                if name:
                    key = fold(name)
                    places[key] = (name, places.get(key, (name, 0))[1] + count.photos)
        home = lib.settings.get("home") or None
        kinds = frozenset(["favourite"] if self._favourites() else []) | \
            frozenset(["document"] if text_store.any_document(lib.db) else [])
        return Lexicon(people, places, home, kinds)

    def _favourites(self) -> str | None:
        """The album that "favourites" means: one of that name (either spelling), if the library has it."""
        names = {fold(a.name): a.name for a in self._lib.organizer.albums.list()}
        return next((names[n] for n in FAVOURITES if n in names), None)

    def _kind_photos(self, kind: str) -> frozenset[int]:
        if kind == "favourite":
            album = self._favourites()
            return frozenset(m.photo_id for m in self._lib.organizer.albums.members(album)) if album else frozenset()
        return text_store.documents(self._lib.db)

    def understand(self, text: str) -> Understood:
        return understand(text, self.lexicon(), self.today())

    def photo_filter(self, query: SearchQuery, understood: Understood | None = None):
        """The photos a query's filters (and what was understood of it) let through."""
        lib = self._lib
        wanted = [query.person] if query.person else []
        wanted += list(understood.people) if understood else []
        among = query.among
        for person in wanted:
            ids = frozenset(lib.people.photo_ids(person))
            among = ids if among is None else among & ids
        places = [p for p in (query.place, understood and understood.place) if p]
        for place in places:
            at = lib.places.photos(place)
            among = at if among is None else among & at
        where = engine.photo_filter(query, among)
        if understood is None:
            return where
        excluded = frozenset().union(*(lib.people.photo_ids(p) for p in understood.without)) \
            if understood.without else None
        if understood.media:
            where = self.kind_filter(understood.media, where)
        return dataclasses.replace(where, excluded=excluded, spans=understood.spans, not_spans=understood.not_spans,
                                   hours=understood.hours, weekdays=understood.weekdays)

    def kind_filter(self, kind: str, where):
        """`where` narrowed to a kind the search box understands: a media type (videos, screenshots)
        or a set of photos (favourites, documents). The Library section browses them too."""
        if kind not in OPTIONAL_KINDS:
            return where if where.media else dataclasses.replace(where, media=kind)
        photos = self._kind_photos(kind)
        return dataclasses.replace(where, among=photos if where.among is None else where.among & photos)

    # -- searching -------------------------------------------------------
    def search(self, query: SearchQuery) -> list[SearchHit]:
        understood = None
        if query.understand and query.text:
            understood = self.understand(query.text)
            if understood.constrained:
                phrases = " ".join(f'"{p}"' for p in understood.phrases)
                query = dataclasses.replace(query, text=f"{understood.visual} {phrases}".strip())
            else:
                understood = None
        if understood is not None and not query.text and not query.like:
            return self._browse(query, understood)
        return self._ranked(query, understood)

    def _browse(self, query: SearchQuery, understood: Understood) -> list[SearchHit]:
        """Only constraints ("Alice in 2019"): their photos, newest first, not a ranking by look."""
        rows = self._lib.photos.timeline(self.photo_filter(query, understood), limit=query.top)
        found = self._lib.photos.hits([r.photo_id for r in rows])
        return [SearchHit(photo_id=r.photo_id, path=r.path, score=0.0, taken_at=found[r.photo_id].taken_at,
                          media=found[r.photo_id].media) for r in rows if r.photo_id in found]

    def _ranked(self, query: SearchQuery, understood: Understood | None) -> list[SearchHit]:
        from core.text.matching import TextSearch

        lib = self._lib
        model_name = lib.serving_model_name()
        rest, phrases = split_phrases(query.text)
        phrases += [query.text_in_photo] if query.text_in_photo else []
        text, typed_negatives = parse(rest)
        text = text or ("" if query.like else " ".join(phrases))   # only a phrase: rank its photos by it too
        positives = ([lib.text_vector(model_name, text)] if text else []) + \
                    [lib.image_vector(model_name, p) for p in query.like]
        negatives = [lib.text_vector(model_name, t) for t in (*typed_negatives, *query.negatives)] + \
                    [lib.image_vector(model_name, p) for p in query.unlike]
        vector = combine(positives, negatives)
        allowed = engine.allowed_ids(lib.photos, self.photo_filter(query, understood))
        texts = TextSearch(lib.db)
        if phrases:
            allowed = texts.only(phrases, allowed)
        index, frames = lib.index(model_name), lib.index(frames_index_name(model_name))
        ef = lib.settings.get("search_ef")
        pairs, moments, lifted = index.search(vector, query.top, allowed, ef=ef), {}, set()
        if frames.count:
            pairs, moments = moments_merge(model_name, vector, pairs, frames.search_videos(vector, 4 * query.top,
                                           allowed, ef), lib.photos.videos_among([p for p, _ in pairs]),
                                           frames.frames, query.top)
        if rest.strip() and not phrases and texts.any():
            pairs, lifted = texts.lift(parse(rest)[0], pairs, query.top, allowed,
                                       lambda ids: lib.vectors.scores(model_name, ids, vector))
        hits = engine.mark_likely(engine.to_hits(lib.photos, pairs, moments), index.typical_scores(vector))
        return engine.lifted_first(hits, lifted)
