"""A dataset as a Frictionless Data Package (``datapackage.json``).

Follows Data Package v2 (https://datapackage.org/) and stays readable as v1
(frictionless-py 5 validates both): package properties ``name``, ``id``,
``title``, ``description``, ``homepage``, ``licenses``, ``sources``,
``contributors``, ``keywords``, ``created`` (plus ``modified``, an extension);
one data resource per catalog resource.

A resource whose current version has a table is a *tabular data resource*:
its fields carry the data dictionary (staff's label and notes as ``title`` and ``description``);
its ``path`` is the absolute URL of the CSV export (``catalog:download`` …
``csv``), described by a Table Schema that matches what
``datastore.exports`` writes with ``pyarrow.csv.write_csv``:

* header row; ``_id`` (integer, primary key) first, then the data columns;
* UTF-8 with a byte order mark. Declared as ``"encoding": "utf-8"`` (the IANA
  name the spec asks for): frictionless-py, like any UTF-8 decoder that
  follows the Unicode standard, drops the BOM (it reads ``utf-8`` + BOM as
  ``utf-8-sig``), so the first label is ``_id``;
* nulls and empty strings are both empty cells (``missingValues: [""]``);
* booleans ``true``/``false``; dates ``YYYY-MM-DD`` (the default format);
* times and datetimes as Arrow writes them, with a space between date and time
  and milliseconds when the snapshot stores them (Parquet keeps time and
  timestamp columns in milliseconds): e.g. ``08:30:00.000`` and
  ``2024-01-02 03:04:05.000``, so their fields get a strptime ``format``
  (``%H:%M:%S.%f``, ``%Y-%m-%d %H:%M:%S.%f``) derived from the snapshot's
  Arrow schema.

A resource without a table (a PDF, a ZIP …) is listed with ``path`` to the
original file, its ``bytes`` and ``hash``, and no schema. A resource without
any published version is left out.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
from django.urls import reverse
from django.utils import timezone

from madoguchi.datastore.services import data_dictionary, local_path

from .models import Dataset, Resource

PROFILE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"

#: catalog licence id → SPDX / Open Definition licence id (Data Package ``licenses[].name``)
SPDX_IDS = {"cc-by-4.0": "CC-BY-4.0", "cc-zero": "CC0-1.0", "mpl-2.0": "MPL-2.0", "mit": "MIT",
            "other-closed": "other-closed"}

#: Table Schema field name of the row id the exports put first
ID_FIELD = "_id"
#: columns of the snapshot that are not exported
NOT_EXPORTED = {"_search"}
#: ``role`` of a column (``ResourceVersion.columns``) → ``rdfType`` of its field
ROLE_RDF_TYPES = {"latitude": "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
                  "longitude": "http://www.w3.org/2003/01/geo/wgs84_pos#long"}


def resource_name(resource: Resource) -> str:
    """The Data Package name of ``resource``: ``resource-<id>`` (``^[a-z0-9._-]+$``, unique in a package)."""
    return f"resource-{resource.pk}"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


def build_datapackage(dataset: Dataset, base_url: str) -> dict:
    """The Data Package descriptor of ``dataset``.

    :param dataset: a public dataset (the caller checks visibility)
    :param base_url: ``scheme://host`` every URL is made absolute with
    :returns: a JSON-able dict::

        {"$schema", "name": slug, "id": dataset URL, "title", "description", "homepage",
         "created", "modified", "keywords": [tag], "licenses": [{name, path, title}],
         "sources": [{title, path}], "contributors": [{title, path, email, roles: ["publisher"]}],
         "resources": [{name, title, path, format, mediatype, encoding, schema, …}]}
    """
    base = base_url.rstrip("/")

    def url(name: str, *args) -> str:
        return base + reverse(f"catalog:{name}", args=args)

    homepage = url("dataset", dataset.slug)
    org = dataset.organization
    package: dict = {
        "$schema": PROFILE_V2,
        "name": dataset.slug,
        "id": homepage,
        "title": dataset.title,
    }
    if dataset.description:
        package["description"] = dataset.description
    package["homepage"] = homepage
    package["created"] = _iso(dataset.created)
    if dataset.modified:
        package["modified"] = _iso(dataset.modified)
    keywords = [tag.name for tag in dataset.tags.all()]
    if keywords:
        package["keywords"] = keywords
    lic = dataset.license
    if lic is not None:
        entry = {"name": SPDX_IDS.get(lic.id, lic.id), "title": lic.title}
        if lic.url:
            entry["path"] = lic.url
        package["licenses"] = [entry]
    if dataset.source_url or dataset.attribution:
        source = {"title": dataset.attribution or org.title}
        if dataset.source_url:
            source["path"] = dataset.source_url
        package["sources"] = [source]
    publisher = {"title": org.title, "roles": ["publisher"]}
    if org.url:
        publisher["path"] = org.url
    if org.email:
        publisher["email"] = org.email
    package["contributors"] = [publisher]
    resources = dataset.resources.select_related("current_version").order_by("position", "id")
    package["resources"] = [r for r in (_resource(dataset, res, url) for res in resources) if r]
    return package


def _resource(dataset: Dataset, resource: Resource, url) -> dict | None:
    version = resource.current_version
    if version is None:
        return None
    entry: dict = {"name": resource_name(resource), "title": resource.name}
    if resource.description:
        entry["description"] = resource.description
    original = url("original", dataset.slug, resource.pk, version.number)
    if not version.has_table:
        entry.update({"type": "file", "path": original, "format": (version.format or resource.format).lower(),
                      "mediatype": version.media_type, "bytes": version.original_bytes,
                      "hash": f"sha256:{version.sha256}"})
        return entry
    entry.update({
        "type": "table",
        "path": url("download", dataset.slug, resource.pk, "csv"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"header": True, "delimiter": ",", "quoteChar": '"', "doubleQuote": True},
        "schema": table_schema(version, dictionary=data_dictionary(resource)),
        "sources": [{"title": version.original_name, "path": original}],
    })
    return entry


def table_schema(version, dictionary: list[dict] | None = None) -> dict:
    """Table Schema (v1/v2) of the CSV export of ``version`` (a ``ResourceVersion`` with a table).

    :param dictionary: the resource's data dictionary (``datastore.services.data_dictionary``): a
        column's label and notes become its field's ``title`` and ``description``
    :returns: ``{"fields": [{"name", "type", "format"?, "title"?, "description"?, …}], "primaryKey": ["_id"],
        "missingValues": [""]}``, fields in the export's column order
    """
    described = {e["id"]: e for e in dictionary or []}
    meta = {c["name"]: c for c in version.columns}
    try:
        arrow = [f for f in pq.read_schema(local_path(version.snapshot_path)) if f.name not in NOT_EXPORTED]
    except OSError:  # snapshot missing: describe what the export of a Parquet snapshot writes
        arrow = None
    if arrow is None:
        fields = [{"name": ID_FIELD, "type": "integer"}]
        fields += [_default_field(c["name"], c["type"]) for c in version.columns]
    else:
        fields = [_arrow_field(f) for f in arrow]
    for field in fields:
        role = (meta.get(field["name"]) or {}).get("role")
        if role in ROLE_RDF_TYPES:
            field["rdfType"] = ROLE_RDF_TYPES[role]
        entry = described.get(field["name"]) or {}
        if entry.get("label"):
            field["title"] = entry["label"]
        if entry.get("notes"):
            field["description"] = entry["notes"]
    return {"fields": fields, "primaryKey": [ID_FIELD], "missingValues": [""]}


def _seconds_format(unit: str) -> str | None:
    return {"s": "", "ms": ".%f", "us": ".%f"}.get(unit)


def _arrow_field(field: pa.Field) -> dict:
    """Table Schema field for one Arrow column, with the format ``pyarrow.csv.write_csv`` writes it in."""
    t = field.type
    out: dict = {"name": field.name}
    if pa.types.is_integer(t):
        out["type"] = "integer"
    elif pa.types.is_floating(t) or pa.types.is_decimal(t):
        out["type"] = "number"
    elif pa.types.is_boolean(t):
        out.update(type="boolean", trueValues=["true"], falseValues=["false"])
    elif pa.types.is_date(t):
        out["type"] = "date"
    elif pa.types.is_timestamp(t):
        fraction = _seconds_format(t.unit)
        out["type"] = "datetime"
        out["format"] = "any" if fraction is None else f"%Y-%m-%d %H:%M:%S{fraction}{'%z' if t.tz else ''}"
    elif pa.types.is_time(t):
        fraction = _seconds_format(t.unit)
        out["type"] = "time"
        out["format"] = "any" if fraction is None else f"%H:%M:%S{fraction}"
    else:
        out["type"] = "string"
    return out


def _default_field(name: str, kind: str) -> dict:
    """Field for a column type of ``ResourceVersion.columns`` when the snapshot cannot be read."""
    field = {"name": name, "type": kind}
    if kind == "datetime":
        field["format"] = "%Y-%m-%d %H:%M:%S.%f"
    elif kind == "time":
        field["format"] = "%H:%M:%S.%f"
    elif kind == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    return field
