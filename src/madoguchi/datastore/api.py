"""Datastore endpoints of ``/api/v1/``: resource metadata, records, versions, reports."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from madoguchi.catalog.api import ColumnOut, ResourceSummary, resource_summary
from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Resource
from madoguchi.schemas import DB_INT_MAX, ERRORS, OutSchema, Text

from . import services

router = Router(tags=["datastore"])

#: Example id in the OpenAPI document: the first resource ``madoguchi quickstart`` (or any fresh database
#: loaded from the bundle) creates.
EXAMPLE_RESOURCE_ID = 1


def _resource_id_param():
    return Path(..., ge=1, examples=[EXAMPLE_RESOURCE_ID], description="Resource id (``id`` in a dataset's "
                                                                         "``resources``)")


class FieldOut(OutSchema):
    id: str = Field(description="Column name; ``_id`` is the 1-based row number")
    type: str = Field(description="Frictionless type: string, integer, number, boolean, date, datetime, time")


class RecordsOut(OutSchema):
    resource_id: int
    version: int = Field(description="Number of the version queried (the published one)")
    fields: list[FieldOut] = Field(description="The columns returned, in order")
    records: list[dict[str, Any]] = Field(
        description="One object per row, column → value: integers and numbers as JSON numbers, dates and times "
                    "ISO 8601 text, booleans, text; null for an empty cell")
    total: int | None = Field(description="Rows matching over all pages; null if ``include_total=false``")
    limit: int
    offset: int


class RecordsQuery(Schema):
    filters: Text | SkipJsonSchema[None] = Field(
        None, description='JSON object, column → value or list of values, e.g. {"区":"中央区"}',
        examples=['{"_id": [1, 2]}'])
    q: Text | SkipJsonSchema[None] = Field(None, description="Full-text search words (all must appear in the row)")
    sort: Text | SkipJsonSchema[None] = Field(None, description='"col [asc|desc], col2 …"; default ``_id``',
                                              examples=["_id desc"])
    limit: int = Field(settings.DATASTORE_DEFAULT_LIMIT_ROWS, ge=0, le=settings.DATASTORE_MAX_LIMIT_ROWS,
                       description="Rows to return")
    offset: int = Field(0, ge=0, le=DB_INT_MAX, description="Rows to skip")
    fields: Text | SkipJsonSchema[None] = Field(None, description='Columns to return, "col,col2"; default all',
                                                examples=["_id"])
    include_total: bool = Field(True, description="Count all matching rows (``total``)")


class VersionOut(OutSchema):
    number: int = Field(description="1, 2, … in order of publication")
    created: dt.datetime
    original_name: str = Field(description="File name as uploaded")
    original_bytes: int
    sha256: str = Field(description="Of the original file, hex")
    format: str = Field(description="Format read, lower case: csv, xlsx, json, geojson, pdf …")
    encoding: str = Field(description="Text encoding detected (``utf-8``, ``cp932`` …); empty for binary formats")
    rows: int | None = Field(description="Null if not tabular")
    current: bool = Field(description="Whether this is the published version")


class DictionaryColumnOut(ColumnOut):
    label: str = Field(description="Display name written by staff (data dictionary); empty if none")
    description: str = Field(description="What the column holds, written by staff (data dictionary); empty if none")
    type_override: str | None = Field(description="Type set by staff instead of inference (``type`` then follows "
                                                   "it); null if inferred")


class ResourceDetail(ResourceSummary):
    columns: list[DictionaryColumnOut] = Field(
        description="Columns of the published version, in order, with the data dictionary (empty if not tabular)")
    dataset: str = Field(description="Slug of the dataset")
    versions: list[VersionOut] = Field(description="Newest first")


# Reports are stored JSON and outlive the code that wrote them: keys added later pass through (``extra``), and
# defaults stand in for keys an old report lacks (the output always has them, hence ``required`` in OpenAPI).
class ReportColumn(ColumnOut):
    model_config = ConfigDict(extra="allow")

    role: str | None = Field(None, description="``latitude`` / ``longitude`` for coordinate columns, else null")
    source_name: str = Field(description="The column's heading in the file, before clean-up")


class ReportWarning(OutSchema):
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable machine code, e.g. ``leading_zero_kept``, ``placeholder_as_empty``")
    message: str = Field(description="For people (Japanese)")
    column: str | None = Field(None, description="Column concerned, if any")
    rows: list[int] = Field([], description="Row numbers in the file (at most 20)")
    count: int = Field(0, description="Rows concerned in all")


class FixExample(OutSchema):
    before: str | None = Field(description="The cell as written (null: empty)")
    after: str | None = Field(description="The cell as published (null: empty)")


class ReportFix(ReportWarning):
    fixed: bool = Field(True, description="True: the value was changed; false: reported, left as written")
    examples: list[FixExample] = Field([], description="Up to three values before and after")


class ReportOut(OutSchema):
    """What ingestion found in a file; more keys may be added."""

    model_config = ConfigDict(extra="allow")

    file: str = Field(description="File name as uploaded")
    format: str
    bytes: int
    seconds: float | None = Field(description="Time the ingestion took")
    rows: int | None = Field(description="Null if not tabular")
    columns: list[ReportColumn]
    warnings: list[ReportWarning]
    reader: dict[str, Any] = Field(description="What the reader detected: ``encoding``, ``delimiter``, "
                                               "``header_row``, ``sheet`` …")
    options: dict[str, Any] = Field(description="Ingestion options given by staff")
    fixes: list[ReportFix] = Field(
        description="Normalizations applied (``wareki_to_iso_date``, ``phone_number_formatted`` …) or values "
                    "reported but left as written (``fixed`` false), each with column, rows and ``examples`` "
                    "[{before, after}]; the original file is unchanged")
    standard: dict[str, Any] | None = Field(
        description="Conformance to the declared standard: ``{standard, title, valid, error_count, errors: "
                    "[{field, code, message, rows, count}]}``; null if the dataset declares none")
    standard_suggestions: list[dict[str, Any]] = Field(
        description="When no standard is declared: the closest ones ``[{standard, title, score, matched, "
                    "missing_required}]``")
    privacy: list[dict[str, Any]] = Field(
        description="Privacy gate findings ``[{kind, column, rows, count, severity, blocking, message, "
                    "override}]`` (published only if none blocks or each is overridden)")


def _resource(request, resource_id: int) -> Resource:
    r = catalog.visible_resource(request.user, resource_id) if 1 <= resource_id <= DB_INT_MAX else None
    if r is None:
        raise HttpError(404, f"リソース {resource_id} はありません")
    return r


@router.get("/resources/{resource_id}", response={200: ResourceDetail, **ERRORS}, url_name="resource")
def get_resource(request, resource_id: int = _resource_id_param()):
    """A resource: columns with types and data dictionary (label, description), row count, download URLs and
    all versions (newest first).

    404 (``not_found``) if unknown or in a private dataset; 400 if ``resource_id`` is not a positive integer.
    """
    r = _resource(request, resource_id)
    out = resource_summary(r)
    dictionary = {e["id"]: e for e in services.data_dictionary(r)}
    for column in out["columns"]:
        entry = dictionary.get(column["name"]) or {}
        column.update(label=entry.get("label", ""), description=entry.get("notes", ""),
                      type_override=entry.get("type_override") or None)
    out["dataset"] = r.dataset.slug
    out["versions"] = [
        {"number": v.number, "created": v.created, "original_name": v.original_name, "original_bytes": v.original_bytes,
         "sha256": v.sha256, "format": v.format, "encoding": v.encoding, "rows": v.row_count,
         "current": v.pk == r.current_version_id}
        for v in r.versions.order_by("-number")]
    return out


@router.get("/resources/{resource_id}/records", response={200: RecordsOut, 304: None, **ERRORS}, url_name="records")
def get_records(request, response: HttpResponse, params: Query[RecordsQuery],
                resource_id: int = _resource_id_param()):
    """Records of the published version of a resource, typed.

    * ``filters``: JSON object, column → value or list of values (equality; 和暦 accepted for dates),
      e.g. ``{"区":"中央区"}``
    * ``q``: full-text; every term must appear in the row (kana, width and case folded)
    * ``sort``: ``"col desc, col2"``; ``fields``: ``"col,col2"``; ``limit`` 0–1000 (default 100); ``offset``
    * ``include_total``: count all matches (``total``)

    Values: integers and numbers as JSON numbers, dates/times ISO 8601, booleans, text.
    400 (``invalid_parameter``) names the parameter at fault (unknown column, value of the wrong type,
    limit too large; ``resource_id`` if the resource has no table, e.g. a PDF).
    404 (``not_found``) if the resource is unknown or has no published version.

    Caching: every answer carries an ``ETag`` (version + query) and
    ``Cache-Control: public, max-age=60`` (``private, no-cache`` for a private
    dataset); a request with a matching ``If-None-Match`` gets 304 without the query being run.
    """
    r = _resource(request, resource_id)
    if r.current_version is None:
        raise HttpError(404, "公開された版がありません")
    etag = records_etag(r.current_version, request.GET)
    response["ETag"] = etag
    response["Cache-Control"] = RECORDS_CACHE_CONTROL_PRIVATE if r.dataset.private else RECORDS_CACHE_CONTROL
    response["Vary"] = "Cookie, Authorization"
    if etag in _if_none_match(request):
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Vary"):
            not_modified[header] = response[header]
        return not_modified
    result = services.search_records(r.current_version, filters=params.filters, q=params.q, sort=params.sort,
                                     limit=params.limit, offset=params.offset, fields=params.fields,
                                     include_total=params.include_total)
    return {"resource_id": r.pk, "version": r.current_version.number, **result}


#: A published version never changes; what changes is which version is current,
#: so shared caches may keep a page briefly and then revalidate with the ETag.
RECORDS_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=60"
RECORDS_CACHE_CONTROL_PRIVATE = "private, no-cache"


def records_etag(version, query) -> str:
    """A strong ETag for a records page: the version (id and file hash) and the query parameters.

    Parameters are sorted, so ``?a=1&b=2`` and ``?b=2&a=1`` share one tag.
    """
    items = sorted((k, v) for k in query for v in query.getlist(k))
    digest = hashlib.blake2b(repr((version.pk, version.sha256, items)).encode(), digest_size=12).hexdigest()
    return f'"r{version.pk}-{digest}"'


def _if_none_match(request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


@router.get("/resources/{resource_id}/versions/{number}/report", response={200: ReportOut, **ERRORS},
            url_name="report")
def get_report(request, resource_id: int = _resource_id_param(),
               number: int = Path(..., ge=1, examples=[1], description="Version number")):
    """The ingestion report of one version: rows, columns and types, every warning with rows and column.

    404 (``not_found``) if the resource or the version is unknown.
    """
    r = _resource(request, resource_id)
    v = r.versions.filter(number=number).first() if number <= DB_INT_MAX else None
    if v is None:
        raise HttpError(404, f"版 {number} はありません")
    # Every report has these keys; the version's own fields stand in should an old one lack some.
    base = {"file": v.original_name, "format": v.format, "bytes": v.original_bytes, "seconds": None,
            "rows": v.row_count, "columns": [], "warnings": [], "reader": {}, "options": {}, "fixes": [],
            "standard": None, "standard_suggestions": [], "privacy": []}
    report = {**base, **(v.report or {})}
    report["columns"] = [{"role": None, "source_name": c.get("name", ""), **c} for c in report["columns"]]
    return report
