"""Garbage-sorting endpoints of ``/api/v1/garbage/`` (ごみ分別).

Every error is the API's one error body (``madoguchi.schemas.ErrorOut``):
``invalid_parameter`` (400, ``param`` names ``q``, ``date``, ``limit``, or an ``area``
that several wards share), ``not_found`` (404, unknown ``city`` or ``area``),
``source_unavailable`` (503, the configured dataset is not published).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from ninja import Field, Path, Query, Router, Schema, Status

from madoguchi.schemas import ErrorOut

from . import services
from .errors import GarbageError

router = Router(tags=["garbage"])
CITY = Path(..., description="city slug from /garbage/cities", example="kawasaki")
AREA = Path(..., description="町名 label from /garbage/{city}/areas", example="川崎区 浅田")
ERRORS = {400: ErrorOut, 404: ErrorOut, 503: ErrorOut}


class GarbageCityOut(Schema):
    slug: str
    title: str
    dataset: str
    has_collection_days: bool


class GarbageCollectionOut(Schema):
    category: str
    schedule: str
    description: str
    next_dates: list[dt.date]
    warnings: list[str]


class GarbageMatchOut(Schema):
    name: str
    category: str
    notes: str
    category_description: list[str]
    score: float
    collection: GarbageCollectionOut | None = None
    via: str = Field("", description="the word searched instead of the query (a synonym or a name found "
                                     "inside it), empty when found as typed")


class GarbageAreaOut(Schema):
    label: str
    name: str
    group: str
    center: str


class GarbageSearchOut(Schema):
    ok: bool = True
    city: str
    query: str
    normalized: str
    found: bool
    date: dt.date
    area: GarbageAreaOut | None
    matches: list[GarbageMatchOut]
    candidates: list[GarbageMatchOut]


class GarbageAreaScheduleOut(Schema):
    ok: bool = True
    city: str
    date: dt.date
    area: GarbageAreaOut
    collections: list[GarbageCollectionOut]


ISO_DATE = {"pattern": r"^\d{4}-\d{2}-\d{2}$", "json_schema_extra": {"format": "date"},
            "description": "count collection days from this date, YYYY-MM-DD (default today, Asia/Tokyo)"}


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise GarbageError("invalid_parameter", f"日付は YYYY-MM-DD で指定してください: {value!r}", param="date") from None


class GarbageSearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=services.MAX_QUERY_CHARS, pattern=r"\S",
                   description="品目名 (item name), as typed", examples=["ぺっとぼとる"])
    area: str | None = Field(None, max_length=200, description="町名 label from /garbage/{city}/areas")
    date: str | None = Field(None, **ISO_DATE)
    limit: int = Field(10, ge=1, le=50)


class GarbageDateParams(Schema):
    date: str | None = Field(None, **ISO_DATE)


def _area(a) -> dict:
    return {"label": a.label, "name": a.name, "group": a.group, "center": a.center}


@router.get("/cities", response=list[GarbageCityOut], url_name="garbage-cities")
def cities(request):
    """Cities whose garbage-sorting data can be searched (``slug`` is the ``city`` of the other endpoints)."""
    out = []
    for s in services.list_sources():
        out.append({"slug": s.slug, "title": s.title, "dataset": s.dataset_slug,
                    "has_collection_days": bool(s.areas_resource)})
    return out


@router.get("/{city}/search", response={200: GarbageSearchOut, **ERRORS}, url_name="garbage-search")
def search(request, params: Query[GarbageSearchParams], city: str = CITY):
    """How to throw an item away.

    ``q``: item name as typed — hiragana/katakana/kanji, full/half width, long
    vowels and one-kana typos are folded (ペットボトル = ぺっとぼとる = ﾍﾟｯﾄﾎﾞﾄﾙ ≈ ペットボト).
    ``area``: a 町名 ``label`` from ``/garbage/{city}/areas``; with it every match
    carries ``collection`` (schedule as published, its Japanese description and the
    next three dates from ``date``, default today in Asia/Tokyo). ``limit``: 1–50.

    ``found`` is false when nothing matched: ``candidates`` then lists the closest
    items, and the query is counted for staff (``/garbage/staff/not-found/``).
    ``score`` is 0–100 (100 = same name). Source of the rules: the city's published
    dataset (5374.jp layout).
    """
    try:
        source = services.get_source(city)
        result = services.search(source, params.q, area=params.area or None, on=_date(params.date),
                                 limit=params.limit)
    except GarbageError as exc:
        return Status(exc.status, exc.as_body())
    return {"city": source.slug, "query": result.query, "normalized": result.normalized, "found": result.found,
            "date": result.on, "area": _area(result.area) if result.area else None,
            "matches": [asdict(m) for m in result.matches], "candidates": [asdict(m) for m in result.candidates]}


@router.get("/{city}/areas", response={200: list[GarbageAreaOut], **ERRORS}, url_name="garbage-areas")
def areas(request, city: str = CITY):
    """The city's 町名 (collection areas) in the dataset's order; empty when it has no collection days."""
    try:
        return [_area(a) for a in services.areas(services.get_source(city))]
    except GarbageError as exc:
        return Status(exc.status, exc.as_body())


@router.get("/{city}/areas/{area}", response={200: GarbageAreaScheduleOut, **ERRORS}, url_name="garbage-area")
def area_schedule(request, params: Query[GarbageDateParams], city: str = CITY, area: str = AREA):
    """Collection days of every category in one 町名, with the next three dates from ``date``
    (default today, Asia/Tokyo). Schedules follow the 5374.jp syntax: ``月 木`` weekly,
    ``水2 水4`` 2nd and 4th Wednesday, ``隔月20150112`` every other Monday from that week."""
    try:
        source = services.get_source(city)
        on = _date(params.date)
        chosen, collections = services.area_schedule(source, area, on=on)
    except GarbageError as exc:
        return Status(exc.status, exc.as_body())
    return {"city": source.slug, "date": on or services.today(), "area": _area(chosen),
            "collections": [asdict(c) for c in collections if c]}
