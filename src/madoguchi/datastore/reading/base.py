"""``RawTable`` and format sniffing shared by all readers."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Sequence

import pyarrow as pa

TABULAR_FORMATS = ("csv", "xlsx", "geojson", "json")
MEDIA_TYPES = {
    "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json", "json": "application/json", "pdf": "application/pdf",
    "zip": "application/zip", "png": "image/png", "jpeg": "image/jpeg", "xls": "application/vnd.ms-excel",
    "txt": "text/plain",
}


@dataclass
class RawTable:
    """Text cells as read from a file, before type inference.

    The cells come either as rows (``rows``, from the row-wise readers) or as
    columns (``columns``, from the column-wise CSV reader for large files); the
    type inference reads both the same way.

    :param header: column names as spelled in the file (cleaned of spaces)
    :param rows: data rows, each a list of ``str | None`` as long as ``header``;
        ``None`` when the table holds ``columns``
    :param row_numbers: for each data row, its 1-based row number in the file
        (a list, a ``range``, or an int64 ``pyarrow.Array``)
    :param source_names: the header cells exactly as written
    :param warnings: dicts ``{code, message, rows, column, count}``
    :param info: reader facts for the report (encoding, delimiter, sheet, header_row)
    :param columns: one Arrow string (or dictionary-of-string) array per header
        name, each ``num_rows`` long; ``None`` when the table holds ``rows``
    """

    header: list[str]
    rows: list[list[str | None]] | None
    row_numbers: Sequence[int] | pa.Array
    source_names: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    columns: list | None = None

    @property
    def num_rows(self) -> int:
        return len(self.row_numbers)

    def row_numbers_at(self, indexes: list[int]) -> list[int]:
        """The file row numbers of the data rows at ``indexes`` (0-based) as ints."""
        return row_numbers_at(self.row_numbers, indexes)


def row_numbers_at(row_numbers, indexes: list[int]) -> list[int]:
    """``[row_numbers[i] for i in indexes]`` as Python ints, for any form of ``row_numbers``."""
    if isinstance(row_numbers, (pa.Array, pa.ChunkedArray)):
        return row_numbers.take(pa.array(indexes, pa.int64())).to_pylist() if indexes else []
    return [int(row_numbers[i]) for i in indexes]


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
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError):  # damaged headers (soak fuzz)
        return False
