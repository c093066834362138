"""Evacuation sites read from the published datasets named by ``ShelterSource`` rows.

Each row of a source becomes a ``Record``; records of the same city with the
same name (compared with ``madoguchi.text.normalize_for_search``, spaces removed)
within ``MERGE_DISTANCE_M`` of each other are one ``Site`` — a school that is
both a 指定緊急避難場所 and a 指定避難所, or the city's own list of a site the
GSI file also has. A site takes position, address and key from its first
record in source order, and the union of the kinds and disaster flags of all.

Snapshots are immutable, so the site list is cached per (source settings,
version ids); rows without a valid position are skipped and counted.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field


from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore
from madoguchi.text import normalize_for_search

from .errors import ShelterError
from .geo import haversine_m, valid_position
from .models import DISASTERS

MERGE_DISTANCE_M = 200.0
CACHE_SIZE = 8


@dataclass
class Record:
    """One row of one source."""

    key: str
    source: str  # ShelterSource.slug
    dataset: str
    resource: str
    row: int
    name: str
    address: str
    lat: float
    lon: float
    kind: str
    disasters: frozenset[str]


@dataclass
class Site:
    """One place people can go to; ``key`` identifies it for the open state."""

    key: str
    name: str
    address: str
    lat: float
    lon: float
    city: str
    kinds: list[str] = field(default_factory=list)
    disasters: set[str] = field(default_factory=set)
    records: list[Record] = field(default_factory=list)

    @property
    def member_keys(self) -> list[str]:
        return [r.key for r in self.records]

    def disaster_codes(self) -> list[str]:
        """This site's disaster codes in ``DISASTERS`` order."""
        return [code for code, _ in DISASTERS if code in self.disasters]


@dataclass
class SiteList:
    sites: list[Site]
    skipped: dict[str, int]  # source slug → rows without a valid position
    by_key: dict[str, Site]


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()




def _flag(value, true_values: set[str]) -> bool:
    if value is None:
        return False
    return unicodedata.normalize("NFKC", str(value)).strip() in true_values


def _text(value) -> str:
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


def _version_of(source, resources: dict):
    resource = resources.get((source.dataset_slug, source.resource_name))
    version = resource.current_version if resource else None
    if version is None or not version.has_table:
        raise ShelterError("source_unavailable", f"{source.title}: データセット「{source.dataset_slug}」の"
                           f"リソース「{source.resource_name}」が公開されていません (設定を確認してください)",
                           status=503)
    return version


def _records(source, version) -> tuple[list[Record], int]:
    flag_columns = sorted({c for cols in (source.disaster_columns or {}).values() for c in cols})
    wanted = [c for c in (source.id_column, source.name_column, source.address_column, source.lat_column,
                          source.lon_column) if c] + flag_columns
    present = {c["name"] for c in version.columns}
    missing = [c for c in dict.fromkeys(wanted) if c not in present]
    if missing:
        raise ShelterError("source_unavailable", f"{source.title}: 列 {'、'.join(missing)} がありません", status=503)
    true_values = {unicodedata.normalize("NFKC", str(v)).strip() for v in (source.true_values or [])}
    out, skipped = [], 0
    for rec in datastore.all_records(version, list(dict.fromkeys(wanted))):
        lat, lon = rec.get(source.lat_column), rec.get(source.lon_column)
        name = _text(rec.get(source.name_column))
        if not name or not valid_position(lat, lon):
            skipped += 1
            continue
        ident = _text(rec.get(source.id_column)) if source.id_column else ""
        disasters = frozenset(code for code, cols in (source.disaster_columns or {}).items()
                              if any(_flag(rec.get(c), true_values) for c in cols))
        out.append(Record(key=ident or f"{source.dataset_slug}#{rec['_id']}", source=source.slug,
                          dataset=source.dataset_slug, resource=source.resource_name, row=rec["_id"], name=name,
                          address=_text(rec.get(source.address_column)), lat=float(lat), lon=float(lon),
                          kind=source.kind, disasters=disasters))
    return out, skipped


def _merge_key(name: str) -> str:
    return normalize_for_search(name).replace(" ", "")


def load(sources: list) -> SiteList:
    """Sites of *sources* (``ShelterSource`` rows in order), merged and cached.

    :raises ShelterError: ``source_unavailable`` (503) when a source's resource or
        one of its columns is not published
    """
    names = {(s.dataset_slug, s.resource_name) for s in sources}
    resources = {(r.dataset.slug, r.name): r for r in catalog.visible_resources(None)
                 .filter(dataset__slug__in={d for d, _ in names})}
    versions = [(s, _version_of(s, resources)) for s in sources]
    key = tuple((s.pk, s.updated, v.pk, v.sha256) for s, v in versions)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    sites: list[Site] = []
    groups: dict[tuple[str, str], list[Site]] = {}
    skipped: dict[str, int] = {}
    for source, version in versions:
        records, skipped[source.slug] = _records(source, version)
        for rec in records:
            group = groups.setdefault((source.city, _merge_key(rec.name)), [])
            site = next((s for s in group if haversine_m(s.lat, s.lon, rec.lat, rec.lon) <= MERGE_DISTANCE_M), None)
            if site is None:
                site = Site(key=rec.key, name=rec.name, address=rec.address, lat=rec.lat, lon=rec.lon, city=source.city)
                group.append(site)
                sites.append(site)
            site.records.append(rec)
            if rec.kind not in site.kinds:
                site.kinds.append(rec.kind)
            site.disasters |= rec.disasters
            if not site.address and rec.address:
                site.address = rec.address
    result = SiteList(sites=sites, skipped=skipped, by_key={k: s for s in sites for k in s.member_keys})
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result
