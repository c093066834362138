"""Downloads of a version's table as CSV (UTF-8 with BOM), JSON and Parquet.

Exports are derived from the immutable snapshot, so each is written once,
beside it (``export.csv``, ``export.json``), atomically, and then served as a file
(with remote storage: uploaded once, then served from the local read cache).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import snapshots
from .query import jsonable

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


from madoguchi.spreadsheet import FORMULA_START  # noqa: E402  (the one CSV-injection rule)


def _table(version):
    table = pq.read_table(snapshots.local_path(version.snapshot_path))
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


def export_key(version, fmt: str) -> str:
    """The storage key of the ``fmt`` export of ``version``: ``export.<fmt>`` beside its snapshot."""
    return f"{version.snapshot_path.rsplit('/', 1)[0]}/export.{fmt}"


def export_path(version, fmt: str) -> Path:
    """Return a local path of the ``fmt`` export of ``version``, writing it on first use.

    ``csv``: UTF-8 with BOM (Excel opens it as UTF-8), header row, ``_id`` first,
    formula-like text cells prefixed with ``'`` (``neutralize_formulas``).
    ``json``: an array of records with ISO 8601 dates. ``parquet``: a copy without ``_search``.
    The export is stored beside the snapshot (``export_key``; uploaded once with remote
    storage, then read from the local cache) — see ``snapshots.write_derived``.

    :raises ValueError: unknown format, or a version without a table
    """
    if fmt not in FORMATS or not version.snapshot_path:
        raise ValueError(fmt)

    return snapshots.write_derived(export_key(version, fmt), lambda fh: write_table(_table(version), fmt, fh))


def write_table(table: pa.Table, fmt: str, fh) -> None:
    """Write ``table`` to the binary file ``fh`` in the download format ``fmt`` (see ``export_path``)."""
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


def filtered_export(version, fmt: str, *, filters=None, q=None, sort=None):
    """The rows ``filters``/``q``/``sort`` select (the same query as ``/api/v1/resources/<id>/records``),
    all of them, in the download format ``fmt``, as a temporary file positioned at its start (in memory up
    to 16 MiB, then on disk). Not cached: each query is its own file.

    :raises QueryError: a bad filter, query or sort (names the parameter)
    :raises ValueError: unknown format
    """
    import tempfile

    from .query import filtered_table

    if fmt not in FORMATS:
        raise ValueError(fmt)
    table = filtered_table(version, filters=filters, q=q, sort=sort)
    fh = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)
    write_table(table, fmt, fh)
    fh.seek(0)
    return fh
