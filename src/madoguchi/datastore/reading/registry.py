"""Registry of table readers by format id (the extension point for new formats)."""

from __future__ import annotations

from typing import Callable

from .base import RawTable
from .csvfile import read_csv
from .jsonfile import read_geojson, read_json
from .xlsxfile import read_xlsx

Reader = Callable[..., RawTable]
READERS: dict[str, Reader] = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json, "geojson": read_geojson}


def read_table(fmt: str, data: bytes, *, file: str = "", options: dict | None = None, progress=None) -> RawTable:
    """Dispatch to the reader registered for ``fmt``; ``KeyError`` if none is."""
    return READERS[fmt](data, file=file, options=options, progress=progress)
