"""Downloads of a version's table as CSV (UTF-8 with BOM), JSON and Parquet.

Exports are derived from the immutable snapshot, so each is written once,
beside it (``export.csv``, ``export.json``), atomically, and then served as a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import snapshots
from .query import jsonable

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


#: Cells that spreadsheet programs would run as formulas (OWASP "CSV injection").
FORMULA_START = r"^[=+\-@\t\r]"


def _table(version):
    table = pq.read_table(snapshots.absolute(version.snapshot_path))
    return table.drop_columns(["_search"])


def neutralize_formulas(table: pa.Table) -> pa.Table:
    """Prefix text cells that start with ``= + - @`` (or tab/CR) with ``'`` so Excel shows them as text.

    Only string columns are touched (numbers stay numbers); used for the CSV
    download, which is meant to be opened in Excel. JSON and Parquet keep the
    values exactly.
    """
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(i)
            risky = pc.match_substring_regex(column, FORMULA_START)
            quoted = pc.binary_join_element_wise(pa.scalar("'"), column, "")
            table = table.set_column(i, field, pc.if_else(risky, quoted, column))
    return table


def export_path(version, fmt: str) -> Path:
    """Return the path of the ``fmt`` export of ``version``, writing it on first use.

    ``csv``: UTF-8 with BOM (Excel opens it as UTF-8), header row, ``_id`` first,
    formula-like text cells prefixed with ``'`` (``neutralize_formulas``).
    ``json``: an array of records with ISO 8601 dates. ``parquet``: a copy without ``_search``.

    :raises ValueError: unknown format, or a version without a table
    """
    if fmt not in FORMATS or not version.snapshot_path:
        raise ValueError(fmt)
    snapshot = snapshots.absolute(version.snapshot_path)
    target = snapshot.parent / f"export.{fmt}"
    if target.exists():
        return target
    fd, tmp = tempfile.mkstemp(dir=snapshot.parent, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as fh:
            table = _table(version)
            if fmt == "csv":
                fh.write("\ufeff".encode())
                pacsv.write_csv(neutralize_formulas(table), fh)
            elif fmt == "json":
                fh.write(b"[")
                first = True
                for batch in table.to_batches(10_000):
                    for rec in batch.to_pylist():
                        fh.write((b"" if first else b",\n") + json.dumps(
                            {k: jsonable(v) for k, v in rec.items()}, ensure_ascii=False).encode())
                        first = False
                fh.write(b"]\n")
            else:
                pq.write_table(table, fh, compression="zstd")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
