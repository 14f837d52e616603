"""`photosift places`: the places in the library, and a place's photos."""
from __future__ import annotations

from core.db.photos import PhotoFilter
from core.output import print_json


def _tree(counts) -> list[dict]:
    """Countries, their regions, their cities, each with a photo count, largest first."""
    countries: dict[str, dict] = {}
    for c in counts:
        country = countries.setdefault(c.country, {"country": c.country, "photos": 0, "regions": {}})
        country["photos"] += c.photos
        region = country["regions"].setdefault(c.region, {"region": c.region, "photos": 0, "cities": []})
        region["photos"] += c.photos
        if c.city:
            region["cities"].append({"city": c.city, "photos": c.photos})
    out = []
    for country in sorted(countries.values(), key=lambda x: (-x["photos"], x["country"])):
        regions = sorted(country["regions"].values(), key=lambda x: (-x["photos"], x["region"] or ""))
        for region in regions:
            region["cities"].sort(key=lambda x: (-x["photos"], x["city"]))
        out.append(dict(country, regions=regions))
    return out


def cmd_places(args, lib) -> int:
    places = lib.places
    if (args.action or "list") == "list":
        tree = _tree(places.counts())
        if args.json:
            print_json(tree)
            return 0
        if not tree:
            print("no photos with a known place (none has GPS coordinates near a town)")
        for country in tree:
            print(f"{country['photos']:7d}  {country['country']}")
            for region in country["regions"]:
                if region["region"]:
                    print(f"{region['photos']:7d}    {region['region']}")
                for city in region["cities"]:
                    print(f"{city['photos']:7d}      {city['city']}")
        return 0
    if args.action == "trips":
        trips = places.trips(lib.photos.dated(), lib.settings.get("home"))
        if args.json:
            print_json([t.to_json() for t in trips])
            return 0
        if not trips:
            print("no trips: no run of days with photos far from home (set `photosift config home CITY`)")
        for t in trips:
            print(f"{len(t.photo_ids):5d}  {t.name}" + (f"  ({', '.join(t.places[:6])})" if t.places else ""))
        return 0
    matches = places.matches(args.place)
    ids = frozenset().union(*(m.photo_ids for m in matches))
    rows = lib.photos.timeline(PhotoFilter(among=ids))[:args.top]
    if args.json:
        print_json([{"photo_id": r.photo_id, "path": r.path, "score": None, "taken_at": r.date, "likely": True}
                    for r in rows])
        return 0
    for m in matches:
        where = f" ({m.country})" if m.country and m.level != "country" else ""
        print(f"{m.name}{where}: {m.level}, {len(m.photo_ids)} photos")
    for r in rows:
        print(f"{(r.date or '')[:10]:10s}  {r.path}")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("places", help="where photos were taken: countries, regions and cities, named offline")
    p.add_argument("--json", action="store_true")
    t = p.add_subparsers(dest="action", metavar="ACTION")
    t.add_parser("list", help="places with photo counts, by country, region and city")
    s = t.add_parser("show", help="a place's photos, newest first")
    s.add_argument("place", help="a city, region or country (case and accents do not matter)")
    s.add_argument("--top", type=int, default=1000, metavar="N")
    t.add_parser("trips", help="runs of days far from home, named by where they went")
    p.set_defaults(organize=cmd_places)
