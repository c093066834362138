"""CKAN DataStore read actions: ``datastore_search``, ``datastore_info`` and ``datastore_search_sql``.

Fields carry the data dictionary as CKAN does: ``{"id", "type", "info": {"label", "notes",
"type_override"}}`` (``info`` only on columns staff described; ``type_override`` in CKAN type names).

``datastore_search`` answers like CKAN: ``fields`` (``_id`` first, CKAN type
names), ``records`` (``records_format`` objects | lists | csv | tsv), ``total``,
``_links`` (``start``/``next`` with offsets, as CKAN ≤ 2.11) and, when the order
is the default ``_id``, ``next_page``: an opaque keyset token to pass back as
``next_page`` for the following rows without an offset scan (CKAN 2.12 style).
"""

from __future__ import annotations

import base64
import csv
import io
import json

from django.urls import reverse

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore
from madoguchi.datastore.services import SQL_MAX_ROWS, SqlError, referenced_tables, run_sql

from .actions_catalog import _resource
from .dictize import CKAN_TYPES
from .errors import NotFound, ValidationError
from .params import as_bool, as_int, as_json, as_list, required
from .registry import action

RECORD_FORMATS = ("objects", "lists", "csv", "tsv")
SQL_TYPES = {"BIGINT": "int8", "INTEGER": "int4", "HUGEINT": "numeric", "SMALLINT": "int2", "DOUBLE": "float8",
             "FLOAT": "float4", "DECIMAL": "numeric", "VARCHAR": "text", "BOOLEAN": "bool", "DATE": "date",
             "TIME": "time", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz"}


def _token(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def _untoken(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["after"])
    except Exception:  # noqa: BLE001 - any malformed token is the caller's error
        raise ValidationError("next_page: 不正なトークンです", next_page=["Invalid token"]) from None


def _sort_text(value) -> str | None:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value or None


@action("datastore_search")
def datastore_search(ctx, data):
    """Search the rows of a resource's table.

    ``resource_id`` (required), ``filters`` (dict: column → value or list), ``q``
    (text, or dict column → text), ``fields`` (list or comma text), ``sort``
    (``"col desc, col2"``), ``limit`` (default 100, ≤ 1000), ``offset``,
    ``distinct``, ``include_total`` (default true), ``records_format``
    (objects | lists | csv | tsv), ``next_page`` (token from a previous answer).
    Errors: 404 unknown resource; 409 Validation Error naming the field.
    """
    resource_id = str(required(data, "resource_id"))
    resource = _resource(ctx, resource_id)
    version = resource.current_version
    if version is None or not version.has_table:
        raise NotFound(f"リソース {resource_id} には表データがありません (no DataStore table)")
    records_format = data.get("records_format") or "objects"
    if records_format not in RECORD_FORMATS:
        raise ValidationError("records_format が不正です", records_format=[f"One of {', '.join(RECORD_FORMATS)}"])
    fields = as_list(data, "fields") or None
    sort = _sort_text(as_json(data, "sort"))
    limit = as_int(data, "limit", 100, maximum=1000)
    offset = as_int(data, "offset", 0)
    after = _untoken(str(data["next_page"])) if data.get("next_page") else None
    if after is not None and sort not in (None, "_id", "_id asc"):
        raise ValidationError("next_page は既定の並び順 (_id) でだけ使えます", next_page=["Only with sort by _id"])
    try:
        result = datastore.search_records(
            version, filters=as_json(data, "filters"), q=as_json(data, "q"), sort=sort, limit=limit,
            offset=offset, fields=fields, include_total=as_bool(data, "include_total", True),
            distinct=as_bool(data, "distinct"), after_id=after)
    except datastore.QueryError as exc:
        raise ValidationError(f"{exc.param}: {exc.message}", **{exc.param: [exc.message]}) from None
    out_fields = ckan_fields(resource, result["fields"])
    names = [f["id"] for f in result["fields"]]
    records = result["records"]
    if records_format == "lists":
        records = [[r[n] for n in names] for r in records]
    elif records_format in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if records_format == "csv" else "\t", lineterminator="\n")
        writer.writerows([[r[n] for n in names] for r in records])
        records = buf.getvalue()
    base = reverse("ckan:action", args=["datastore_search"])
    out = {"resource_id": resource_id, "fields": out_fields, "records": records, "records_format": records_format,
           "limit": limit, "include_total": as_bool(data, "include_total", True), "total_was_estimated": False,
           "_links": {"start": f"{base}?resource_id={resource_id}",
                      "next": f"{base}?resource_id={resource_id}&offset={offset + limit}"}}
    if offset:
        out["offset"] = offset
    if result["total"] is not None:
        out["total"] = result["total"]
    for key in ("filters", "q", "sort", "distinct"):
        if data.get(key) not in (None, ""):
            out[key] = as_json(data, key)
    if fields:
        out["fields_requested"] = fields
    if sort in (None, "_id", "_id asc") and len(result["records"]) == limit and "_id" in names and limit:
        out["next_page"] = _token(result["records"][-1]["_id"])
    return out


def ckan_fields(resource, fields: list[dict]) -> list[dict]:
    """CKAN ``fields`` for ``fields`` (``[{id, type}]``, Frictionless types) of ``resource``, with ``info``
    from its data dictionary where staff wrote any."""
    dictionary = {e["id"]: e for e in datastore.data_dictionary(resource)}
    out = []
    for f in fields:
        field = {"id": f["id"], "type": CKAN_TYPES.get(f["type"], "text")}
        entry = dictionary.get(f["id"])
        if entry and (entry["label"] or entry["notes"] or entry["type_override"]):
            field["info"] = {"label": entry["label"], "notes": entry["notes"],
                             "type_override": CKAN_TYPES.get(entry["type_override"], "")}
        out.append(field)
    return out


@action("datastore_info")
def datastore_info(ctx, data):
    """The columns of a resource's table and its row count (CKAN 2.10+ shape):
    ``{"meta": {"id", "count", "table_type", "version"}, "fields": [{"id", "type", "info"?, "schema"}],
    "schema": {id: type}}`` (``schema`` as in CKAN ≤ 2.9). ``id`` (or ``resource_id``) required;
    404 if unknown or without a table. ``info`` is the data dictionary (label, notes, type_override)."""
    resource_id = str(data.get("id") or required(data, "resource_id"))
    resource = _resource(ctx, resource_id)
    version = resource.current_version
    if version is None or not version.has_table:
        raise NotFound(f"リソース {resource_id} には表データがありません (no DataStore table)")
    fields = ckan_fields(resource, [{"id": c["name"], "type": c["type"]} for c in version.columns])
    for field in fields:
        field["schema"] = {"native_type": field["type"], "is_index": False, "notnull": False}
    return {"meta": {"id": resource_id, "count": version.row_count, "table_type": "BASE TABLE",
                     "version": version.number},
            "fields": fields, "schema": {f["id"]: f["type"] for f in fields}}


@action("datastore_search_sql")
def datastore_search_sql(ctx, data):
    """Run one read-only SELECT over published public resources, named by resource id.

    ``sql``: e.g. ``SELECT "区", sum("人口") FROM "12" GROUP BY 1``. Rejected with a
    409 Validation Error (field ``sql``): several statements, anything but SELECT
    (writes, DDL, COPY, ATTACH, INSTALL/LOAD, SET, PRAGMA), table functions and
    file paths (``read_csv``, ``read_parquet`` …), unknown, unpublished or private
    resources. Time limit 5 s, at most 10,000 rows (``records_truncated``).
    """
    sql = str(required(data, "sql"))
    try:
        tables = referenced_tables(sql)
        versions = {}
        for name in tables:
            if not name or not name.isdigit() or len(name) > 18:
                raise SqlError(f"表「{name}」はありません。表名には公開リソースの ID を使ってください")
            resource = catalog.visible_resources(None).filter(pk=int(name)).first()  # public ones only, also for staff
            version = resource.current_version if resource else None
            if version is None or not version.has_table:
                raise SqlError(f"表「{name}」はありません (unknown, unpublished or private resource)")
            versions[name] = version
        result = run_sql(sql, versions, max_rows=SQL_MAX_ROWS)
    except SqlError as exc:
        raise ValidationError(exc.message, sql=[exc.message]) from None
    fields = [{"id": f["id"], "type": SQL_TYPES.get(f["type"].split("(")[0], "text")} for f in result.fields]
    return {"sql": sql, "fields": fields, "records": result.records,
            "records_truncated": result.truncated}
