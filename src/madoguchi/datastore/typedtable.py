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

from .errors import IngestError
from .inference import LEADING_ZERO_RE, TYPES, TypedColumn, coerce_column, infer_column
from .reading.base import RawTable, warning

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


def check_type_names(types: dict[str, str] | None, *, file: str = "") -> None:
    """Every type of ``types`` is one of ``inference.TYPES`` (checked before a file is read, and again by
    ``check_types``). :raises IngestError: ``type_override_unknown_type``"""
    for key, kind in (types or {}).items():
        if kind not in TYPES:
            raise IngestError(f"列「{key}」の型「{kind}」は指定できません。{', '.join(TYPES)} のどれかにしてください "
                              "(unknown type)", file=file, column=key, code="type_override_unknown_type")


def check_types(raw: RawTable, types: dict[str, str] | None, *, file: str = "") -> dict[str, str]:
    """The type overrides ``{column name or name as written: type}`` keyed by ``raw``'s column names.

    :raises IngestError: ``type_override_unknown_type`` (not a Frictionless type of ``inference.TYPES``),
        ``type_override_unknown_column`` (no such column; the message lists the columns)
    """
    check_type_names(types, file=file)
    out: dict[str, str] = {}
    for key, kind in (types or {}).items():
        if key in raw.header:
            out[key] = kind
            continue
        at = [j for j, s in enumerate(raw.source_names) if s == key]
        if not at:
            raise IngestError(f"型を指定した列「{key}」がありません。列: {', '.join(raw.header)} (unknown column)",
                              file=file, column=key, code="type_override_unknown_column")
        out[raw.header[at[0]]] = kind
    return out


def type_table(raw: RawTable, progress=None, *, release: bool = False, types: dict[str, str] | None = None,
               blank_unfit: bool = False, file: str = "") -> TypedTable:
    """Type every column of ``raw`` (rows are made later, by ``TypedTable``).

    A column's type comes from, in order: ``types`` (staff's override); the file's declared
    type (``raw.info["metadata"]["declared_types"]``, RDF-style ``#object_type_xsd``) when every
    cell fits it (and a declared number keeps no leading zero: such codes are inferred as text),
    else a ``declared_type_unfit`` warning and inference; inference
    (``inference.infer_column``).

    :param release: drop each column's text from ``raw`` once it is typed
        (``raw.rows`` / ``raw.columns`` are ``None`` afterwards), to keep memory low
    :param types: ``{column: Frictionless type}`` (see ``check_types``)
    :param blank_unfit: cells that do not fit an overridden type become empty (warning
        ``type_override_blanked`` with rows and values) instead of failing
    :raises IngestError: ``type_override_unfit`` (cells do not fit and not ``blank_unfit``: the message
        names the column, count and first rows), or as ``check_types``
    """
    if progress:
        progress(0.0)
    overrides = check_types(raw, types, file=file)
    declared = dict((raw.info.get("metadata") or {}).get("declared_types") or {})
    typed = []
    for j, name in enumerate(raw.header):
        if raw.columns is not None:
            cells = raw.columns[j]
            if release:
                raw.columns[j] = None
        else:
            cells = [r[j] for r in raw.rows]
        if name in overrides:
            column = _override(name, cells, raw.row_numbers, overrides[name], blank_unfit=blank_unfit, file=file)
        elif name in declared:
            column = _declared(name, cells, raw.row_numbers, declared[name])
        else:
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


def _override(name: str, cells, row_numbers, kind: str, *, blank_unfit: bool, file: str) -> TypedColumn:
    coerced = coerce_column(name, cells, row_numbers, kind)
    column = coerced.column
    if coerced.count and not blank_unfit:
        rows = "、".join(map(str, coerced.rows[:5]))
        values = "、".join(f"「{v}」" for v in coerced.values[:5])
        raise IngestError(f"列「{name}」を {kind} にする指定ですが、{coerced.count} 件のセルが {kind} として読めません "
                          f"({rows}行目など: {values})。値を直すか、合わないセルを空欄にする指定をしてください。"
                          f"公開中の版はそのままです (cells do not fit the type override)",
                          file=file, row=coerced.rows[0] if coerced.rows else None, column=name,
                          code="type_override_unfit")
    column.warnings.insert(0, warning("type_override_applied", f"列「{name}」は指定どおり {kind} として保存しました "
                                      "(type override)", column=name, count=0))
    if coerced.count:
        w = warning("type_override_blanked",
                    f"列「{name}」の {kind} として読めないセル {coerced.count} 件を、指定どおり型付きの表では空欄にしました。"
                    "元のファイルには残っています (cells that do not fit the type override left empty)",
                    column=name, rows=coerced.rows, count=coerced.count)
        w["values"] = coerced.values
        column.warnings.append(w)
    return column


def _declared(name: str, cells, row_numbers, kind: str) -> TypedColumn:
    coerced = coerce_column(name, cells, row_numbers, kind)
    texts = coerced.column.normalized.dictionary
    if kind in ("integer", "number") and pc.any(pc.match_substring_regex(texts, LEADING_ZERO_RE)).as_py():
        return infer_column(name, cells, row_numbers)  # a code never loses its leading zero (``leading_zero_kept``)
    if not coerced.count:
        return coerced.column
    column = infer_column(name, cells, row_numbers)
    w = warning("declared_type_unfit",
                f"列「{name}」はファイルで {kind} と宣言されていますが、{coerced.count} 件のセルが合わないため、"
                f"型を値から推定しました (declared type does not fit; inferred instead)",
                column=name, rows=coerced.rows, count=coerced.count)
    w["values"] = coerced.values
    column.warnings.insert(0, w)
    return column


def build_table(raw: RawTable, progress=None, *, release: bool = False) -> tuple[pa.Table, list[dict], list[dict]]:
    """Type every column of ``raw`` and make the table.

    :param release: as for ``type_table``
    :returns: ``(table, columns, warnings)``; ``table`` has ``_id``, the data
        columns in file order, then ``_search``; ``columns`` describes the data
        columns as ``{name, type, role, source_name}``.
    """
    typed = type_table(raw, progress, release=release)
    return typed.to_table(), typed.columns, typed.warnings
