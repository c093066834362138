"""A typed table: the data columns from ``inference`` plus ``_id`` and ``_search``.

``type_table`` types every column of a ``RawTable`` (``inference.infer_column``)
and returns a ``TypedTable`` that yields Arrow record batches of
``ROW_GROUP_ROWS`` rows (= Parquet row groups, ``tablewriter``): ``_id`` (1-based
row number in the table, as CKAN), the data columns in file order, and
``_search`` (normalized text of all cells for full-text ``q``; hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.text import normalize_for_search

from .inference import TypedColumn, infer_column
from .reading.base import RawTable

SEARCH_SEPARATOR = "\u001f"
ROW_GROUP_ROWS = 1 << 16  # rows per batch (= Parquet row group, see snapshots.write_table)


class _Search:
    """``_search``: per row, the searchable form of every non-empty cell, joined by U+001F.

    Each distinct NFKC text of a column is folded once (``normalize_for_search``).
    """

    def __init__(self, norms: list[pa.Array]):
        self.folded, self.positions = [], []
        for norm in norms:
            if pa.types.is_dictionary(norm.type):
                uniq, index = norm.dictionary, norm.indices
            else:
                uniq = pc.unique(norm.drop_null())
                index = pc.index_in(norm, value_set=uniq)
            self.folded.append(pa.array([None if v is None else normalize_for_search(v) for v in uniq.to_pylist()],
                                        pa.string()))
            self.positions.append(index)
        # A row with no value in any column gets "". (binary_join_element_wise with
        # "skip" leaves such rows out of its result instead; possible only when
        # every column has an empty cell.)
        self.may_be_empty = all(f.null_count or p.null_count for f, p in zip(self.folded, self.positions))

    def rows(self, start: int, length: int) -> pa.Array:
        if not self.folded:
            return pa.array([""] * length, pa.string())
        parts = [f.take(p.slice(start, length)) for f, p in zip(self.folded, self.positions)]
        if self.may_be_empty:
            empty = parts[0].is_null()
            for part in parts[1:]:
                empty = pc.and_(empty, part.is_null())
            parts[0] = pc.if_else(empty, "", parts[0])
        return pc.binary_join_element_wise(*parts, SEARCH_SEPARATOR, null_handling="skip")


def _search_column(norms: list[pa.Array], length: int) -> pa.ChunkedArray:
    """The whole ``_search`` column for the ``normalized_text`` arrays of the columns."""
    search = _Search(norms)
    return pa.chunked_array([search.rows(start, ROW_GROUP_ROWS) for start in range(0, length, ROW_GROUP_ROWS)],
                            pa.string())


@dataclass
class TypedTable:
    """A typed table whose rows are made batch by batch (``batches``) or at once (``to_table``).

    The table has ``_id`` (1-based row number), the data columns in file order,
    then ``_search``.
    """

    typed: list[TypedColumn]
    num_rows: int

    @property
    def columns(self) -> list[dict]:
        """The data columns as ``{name, type, role, source_name}``."""
        return [c.meta for c in self.typed]

    @property
    def warnings(self) -> list[dict]:
        return [w for c in self.typed for w in c.warnings]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([("_id", pa.int64()), *((c.meta["name"], c.values.type) for c in self.typed),
                          ("_search", pa.string())])

    def batches(self, rows: int = ROW_GROUP_ROWS) -> Iterator[pa.RecordBatch]:
        """The table as record batches of ``rows`` rows (the last may be shorter)."""
        search = _Search([c.normalized for c in self.typed])
        schema = self.schema
        for start in range(0, self.num_rows, rows):
            length = min(rows, self.num_rows - start)
            ids = pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), length)), start)
            yield pa.RecordBatch.from_arrays([ids, *(c.rows(start, length) for c in self.typed),
                                              search.rows(start, length)], schema=schema)

    def to_table(self) -> pa.Table:
        if not self.num_rows:
            return self.schema.empty_table()
        return pa.Table.from_batches(list(self.batches()), schema=self.schema)


def type_table(raw: RawTable, progress=None, *, release: bool = False) -> TypedTable:
    """Type every column of ``raw`` (rows are made later, by ``TypedTable``).

    :param release: drop each column's text from ``raw`` once it is typed
        (``raw.rows`` / ``raw.columns`` are ``None`` afterwards), to keep memory low
    """
    if progress:
        progress(0.0)
    typed = []
    for j, name in enumerate(raw.header):
        if raw.columns is not None:
            cells = raw.columns[j]
            if release:
                raw.columns[j] = None
        else:
            cells = [r[j] for r in raw.rows]
        column = infer_column(name, cells, raw.row_numbers)
        del cells
        column.meta["source_name"] = raw.source_names[j] if j < len(raw.source_names) else name
        typed.append(column)
        if progress:
            progress((j + 1) / len(raw.header))
    n = raw.num_rows
    if release:
        raw.rows = raw.columns = None
    return TypedTable(typed=typed, num_rows=n)


def build_table(raw: RawTable, progress=None, *, release: bool = False) -> tuple[pa.Table, list[dict], list[dict]]:
    """Type every column of ``raw`` and make the table.

    :param release: as for ``type_table``
    :returns: ``(table, columns, warnings)``; ``table`` has ``_id``, the data
        columns in file order, then ``_search``; ``columns`` describes the data
        columns as ``{name, type, role, source_name}``.
    """
    typed = type_table(raw, progress, release=release)
    return typed.to_table(), typed.columns, typed.warnings
