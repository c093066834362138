"""Datastore endpoints of ``/api/v1/``: resource metadata, records, versions, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from madoguchi.catalog.api import ResourceSummary, resource_summary
from madoguchi.catalog.models import Resource
from madoguchi.schemas import ErrorOut

from . import services

router = Router(tags=["datastore"])


class FieldOut(Schema):
    id: str
    type: str


class RecordsOut(Schema):
    resource_id: int
    version: int
    fields: list[FieldOut]
    records: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int


class RecordsQuery(Schema):
    filters: str | None = None
    q: str | None = None
    sort: str | None = None
    limit: int | None = None
    offset: int | None = None
    fields: str | None = None
    include_total: bool = True


class VersionOut(Schema):
    number: int
    created: dt.datetime
    original_name: str
    original_bytes: int
    sha256: str
    format: str
    encoding: str
    rows: int | None
    current: bool


class ResourceDetail(ResourceSummary):
    dataset: str
    versions: list[VersionOut]


def _resource(request, resource_id: int) -> Resource:
    r = Resource.objects.select_related("dataset", "current_version").filter(pk=resource_id).first()
    if r is None or (r.dataset.private and not request.user.is_staff):
        raise HttpError(404, f"リソース {resource_id} はありません")
    return r


@router.get("/resources/{resource_id}", response={200: ResourceDetail, 404: ErrorOut}, url_name="resource")
def get_resource(request, resource_id: int):
    """A resource: columns with types, row count, download URLs and all versions (newest first)."""
    r = _resource(request, resource_id)
    out = resource_summary(r)
    out["dataset"] = r.dataset.slug
    out["versions"] = [
        {"number": v.number, "created": v.created, "original_name": v.original_name, "original_bytes": v.original_bytes,
         "sha256": v.sha256, "format": v.format, "encoding": v.encoding, "rows": v.row_count,
         "current": v.pk == r.current_version_id}
        for v in r.versions.order_by("-number")]
    return out


@router.get("/resources/{resource_id}/records", response={200: RecordsOut, 400: ErrorOut, 404: ErrorOut},
            url_name="records")
def get_records(request, resource_id: int, params: Query[RecordsQuery]):
    """Records of the published version of a resource, typed.

    * ``filters``: JSON object, column → value or list of values (equality; 和暦 accepted for dates),
      e.g. ``{"区":"中央区"}``
    * ``q``: full-text; every term must appear in the row (kana, width and case folded)
    * ``sort``: ``"col desc, col2"``; ``fields``: ``"col,col2"``; ``limit`` 0–1000 (default 100); ``offset``
    * ``include_total``: count all matches (``total``)

    Values: integers and numbers as JSON numbers, dates/times ISO 8601, booleans, text.
    400 names the parameter at fault (unknown column, value of the wrong type, limit too large).
    """
    r = _resource(request, resource_id)
    if r.current_version is None:
        raise HttpError(404, "公開された版がありません")
    result = services.search_records(r.current_version, filters=params.filters, q=params.q, sort=params.sort,
                                     limit=params.limit, offset=params.offset, fields=params.fields,
                                     include_total=params.include_total)
    return {"resource_id": r.pk, "version": r.current_version.number, **result}


@router.get("/resources/{resource_id}/versions/{number}/report", response={200: dict[str, Any], 404: ErrorOut},
            url_name="report")
def get_report(request, resource_id: int, number: int):
    """The ingestion report of one version: rows, columns and types, every warning with rows and column."""
    r = _resource(request, resource_id)
    v = r.versions.filter(number=number).first()
    if v is None:
        raise HttpError(404, f"版 {number} はありません")
    return v.report
