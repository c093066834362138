"""JSON and GeoJSON readers: records → rows of text cells."""

from __future__ import annotations

import json

from ..errors import IngestError
from .base import RawTable, cell_text, warning
from .encoding import detect_encoding


def _load(data: bytes, file: str):
    encoding, text = detect_encoding(data, file=file)
    try:
        return encoding, json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"JSON の構文が壊れています: {exc.msg}", file=file, row=exc.lineno,
                          column=exc.colno, code="json") from None


def _flatten(record: dict, prefix: str = "", depth: int = 0) -> dict:
    out: dict = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            out.update(_flatten(value, name + ".", depth + 1))
        else:
            out[name] = value
    return out


def _records_to_table(records: list, *, file: str, info: dict, path: str) -> RawTable:
    header: list[str] = []
    index: dict[str, int] = {}
    flat_rows = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise IngestError(f"{path}[{i}] がオブジェクトではありません (records must be objects)",
                              file=file, row=i + 1, code="json")
        flat = _flatten(rec)
        for key in flat:
            if key not in index:
                index[key] = len(header)
                header.append(key)
        flat_rows.append(flat)
    rows = [[cell_text(f.get(k)) for k in header] for f in flat_rows]
    if not header:
        raise IngestError("レコードがありません (no records)", file=file, code="empty")
    return RawTable(header=header, rows=rows, row_numbers=list(range(1, len(rows) + 1)),
                    source_names=list(header), info=info)


def read_json(data: bytes, *, file: str = "", options: dict | None = None, progress=None) -> RawTable:
    """Read a JSON array of records, or the array at ``options['json_path']`` (dotted).

    Without a path, a top-level object with exactly one array of objects is
    read from that array. Nested objects become ``parent.child`` columns (two
    levels); arrays become JSON text. Row numbers are 1-based record indexes.

    :raises IngestError: ``json`` with line/column on a syntax error, or when no
        (or more than one) candidate array exists — the message names the keys.
    """
    options = options or {}
    encoding, doc = _load(data, file)
    path = options.get("json_path") or ""
    node = doc
    if path:
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise IngestError(f"JSON に「{path}」がありません", file=file, code="json_path")
            node = node[part]
    elif isinstance(doc, dict):
        candidates = [k for k, v in doc.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(candidates) != 1:
            raise IngestError("表にする配列を json_path で指定してください。候補: "
                              + (", ".join(candidates) or "なし"), file=file, code="json_path")
        path, node = candidates[0], doc[candidates[0]]
    if not isinstance(node, list):
        raise IngestError(f"「{path or '最上位'}」が配列ではありません (not an array of records)", file=file, code="json")
    return _records_to_table(node, file=file, path=path or "$",
                             info={"format": "json", "encoding": encoding, "json_path": path or "$"})


def read_geojson(data: bytes, *, file: str = "", options: dict | None = None, progress=None) -> RawTable:
    """Read a GeoJSON FeatureCollection (RFC 7946): properties → columns,
    Point geometry → ``latitude``/``longitude`` (WGS84), other geometries → ``geometry`` (GeoJSON text).

    :raises IngestError: ``geojson`` if the document is not a FeatureCollection.
    """
    encoding, doc = _load(data, file)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise IngestError("GeoJSON の FeatureCollection ではありません", file=file, code="geojson")
    records = []
    other = 0
    for feature in doc["features"]:
        props = dict((feature or {}).get("properties") or {})
        geom = (feature or {}).get("geometry") or {}
        if geom.get("type") == "Point" and len(geom.get("coordinates") or []) >= 2:
            lon, lat = geom["coordinates"][:2]
            props["latitude"], props["longitude"] = lat, lon
        elif geom:
            other += 1
            props["geometry"] = json.dumps(geom, ensure_ascii=False)
        records.append(props)
    table = _records_to_table(records, file=file, path="features",
                              info={"format": "geojson", "encoding": encoding, "features": len(records)})
    if other:
        table.warnings.append(warning("non_point_geometry", f"点以外の形状 {other} 件は geometry 列に GeoJSON として保存しました",
                                      count=other))
    return table
