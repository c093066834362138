"""``RawTable`` and format sniffing shared by all readers."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

TABULAR_FORMATS = ("csv", "xlsx", "geojson", "json")
MEDIA_TYPES = {
    "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json", "json": "application/json", "pdf": "application/pdf",
    "zip": "application/zip", "png": "image/png", "jpeg": "image/jpeg", "xls": "application/vnd.ms-excel",
    "txt": "text/plain",
}


@dataclass
class RawTable:
    """Rows of text cells as read from a file, before type inference.

    :param header: column names as spelled in the file (cleaned of spaces)
    :param rows: data rows, each a list of ``str | None`` as long as ``header``
    :param row_numbers: for each data row, its 1-based row number in the file
    :param source_names: the header cells exactly as written
    :param warnings: dicts ``{code, message, rows, column, count}``
    :param info: reader facts for the report (encoding, delimiter, sheet, header_row)
    """

    header: list[str]
    rows: list[list[str | None]]
    row_numbers: list[int]
    source_names: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    info: dict = field(default_factory=dict)


def warning(code: str, message: str, *, rows: list[int] | None = None, column: str | None = None,
            count: int | None = None) -> dict:
    """Build one report warning; ``rows`` is capped at 20 and ``count`` keeps the total."""
    rows = rows or []
    return {"code": code, "message": message, "column": column,
            "rows": rows[:20], "count": count if count is not None else len(rows)}


def sniff_format(name: str, head: bytes) -> str:
    """Return the format id of a file from its name and first bytes.

    Magic bytes win over the extension when they disagree for zip-based and
    PDF files; text files go by extension (``.csv``/``.txt``/``.tsv`` → csv,
    ``.geojson`` → geojson, ``.json`` → json unless it is a FeatureCollection).
    """
    ext = PurePath(name).suffix.lower().lstrip(".")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if ext in ("xlsx", "xlsm"):
        return "xlsx"
    if head.startswith(b"PK"):
        return "zip"
    if ext in ("csv", "tsv", "txt"):
        return "csv"
    if ext == "geojson":
        return "geojson"
    if ext == "json":
        return "geojson" if re.search(rb'"type"\s*:\s*"FeatureCollection"', head[:4096]) else "json"
    return ext or "bin"


def cell_text(value) -> str | None:
    """Turn a typed cell (from Excel or JSON) into the text the type inference reads.

    Integral floats lose ``.0``; datetimes at midnight become dates; dicts and
    lists become JSON text; ``None`` and ``""`` stay empty.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def is_zip(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return True
    except zipfile.BadZipFile:
        return False
