"""Column type inference: ``RawTable`` → typed Arrow table + column metadata.

Types are Frictionless Table Schema type names: ``integer``, ``number``,
``boolean``, ``date``, ``datetime``, ``time``, ``string``. Rules:

* a column gets a type only if *every* non-empty cell reads as that type;
  if most (≥ 90 %, ≥ 5 cells) but not all do, it stays ``string`` — the text
  is kept as written — and the report lists the cells that did not read;
* numbers may use thousands commas and full-width digits (NFKC first);
  the symbols of Japanese statistics tables (``-`` 該当なし, ``x`` 秘匿,
  ``…`` 不詳) alone in a cell mean "no value" and become empty in numeric,
  date and time columns (reported with their rows);
* a code never loses its leading zero: a column with any value like ``0095783``
  or whose name says code/number/phone/postal (コード, 番号, 電話, 郵便, ID)
  stays ``string``;
* dates: ISO, ``2020/3/1``, ``2020年3月1日`` and 和暦 (see ``madoguchi.wareki``; 和暦 outside
  its era is not a date, so such a column stays ``string``); a
  ``YYYY-MM-DD 00:00:00`` column is a date, other times make it ``datetime``;
* ``緯度``/``lat``/``latitude`` and ``経度``/``lon``/``lng``/``longitude``
  number columns in range get ``role`` latitude/longitude.

``typedtable`` assembles the typed columns into a table with ``_id`` and ``_search``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.wareki import parse_japanese_date

from .reading.base import row_numbers_at, warning

INT_RE = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)$"
NUM_RE = r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)$"
LEADING_ZERO_RE = r"^[+-]?0\d"
PLACEHOLDERS = ["-", "‐", "−", "―", "ー", "—", "–", "x", "X", "×", "…", "***", "*"]
CODE_NAME = re.compile(r"コ[ー―‐－-]ド|番号|電話|郵便|fax|^id$|id$|^no\.?$|code|tel|zip", re.IGNORECASE)
CODE_NAME_EXCEPT = re.compile(r"^no$", re.IGNORECASE)
LAT_NAME = re.compile(r"緯度|^lat$|^latitude$|^y座標$", re.IGNORECASE)
LON_NAME = re.compile(r"経度|^lon$|^lng$|^long$|^longitude$|^x座標$", re.IGNORECASE)
DATETIME_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
TRUE, FALSE = {"true", "yes"}, {"false", "no"}
MOSTLY = 0.9

ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
               "datetime": pa.timestamp("s"), "time": pa.time32("s"), "string": pa.string()}


def _parse_datetime(s: str):
    m = DATETIME_RE.match(s)
    if not m:
        return None
    try:
        return dt.datetime(*(int(g or 0) for g in m.groups()))
    except ValueError:
        return None


def _parse_time(s: str):
    m = TIME_RE.match(s)
    if not m:
        return None
    try:
        return dt.time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        return None


_NULL_STRING = pa.scalar(None, pa.string())
_PLACEHOLDER_SET = pa.array(PLACEHOLDERS)
_BOOLEAN_SET = pa.array(sorted(TRUE | FALSE))
_TRUE_SET = pa.array(sorted(TRUE))
_PARSED_TYPES = {"date": pa.date32(), "datetime": pa.timestamp("us"), "time": pa.time64("us")}


def _rows_where(mask: pa.Array, row_numbers, limit: int = 20) -> list[int]:
    idx = pc.indices_nonzero(mask.fill_null(False)).slice(0, limit).to_pylist()
    return row_numbers_at(row_numbers, idx)


class _Distinct:
    """A column as its distinct texts (``values``) and, per row, the index of its text.

    Every rule is evaluated once per distinct text; ``count`` weighs a per-text
    mask by how many rows hold each text, and ``rows`` / ``expand`` give the
    per-row result, so the outcome is the same as evaluating every row.
    """

    def __init__(self, cells):
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks()
        elif not isinstance(cells, pa.Array):
            cells = pa.array(cells, type=pa.string())
        if not pa.types.is_dictionary(cells.type):
            cells = pc.dictionary_encode(cells)
        counts = pc.value_counts(cells.indices)
        used = counts.field("values")
        if used.null_count:
            keep = pc.is_valid(used)
            counts, used = counts.filter(keep), used.filter(keep)
        if len(used) != len(cells.dictionary):  # some texts are in no row: keep only used ones
            cells = pc.dictionary_encode(cells.dictionary_decode())
            counts = pc.value_counts(cells.indices)
            counts = counts.filter(pc.is_valid(counts.field("values")))
            used = counts.field("values")
        self.indices = cells.indices
        self.values = cells.dictionary.cast(pa.string())
        # rows per text, aligned with ``values``
        self.counts = counts.field("counts").take(pc.sort_indices(used))
        # few texts (a wide table of short columns): counting in Python is cheaper
        self._few = self.counts.to_pylist() if len(self.counts) <= 64 else None

    def count(self, mask: pa.Array) -> int:
        """Number of rows whose text is true in ``mask`` (null counts as false)."""
        if self._few is not None:
            return sum(n for m, n in zip(mask.to_pylist(), self._few) if m)
        return pc.sum(self.counts.filter(mask)).as_py() or 0

    def expand(self, per_value: pa.Array) -> pa.Array:
        """The per-text array ``per_value`` as one value per row (null rows stay null)."""
        return per_value.take(self.indices)

    def first_row(self, mask: pa.Array) -> int:
        """Index of the first row whose text is true in ``mask``."""
        return pc.index(self.expand(mask.fill_null(False)), True).as_py()


@dataclass
class TypedColumn:
    """One typed column: the typed value of each distinct text, and per row which one.

    :param meta: ``{name, type, role}`` (``source_name`` is added by ``type_table``)
    :param warnings: the column's type warnings
    :param values: typed value per distinct text (Arrow type of ``meta["type"]``)
    :param indices: per row, the index into ``values`` (null: an empty cell)
    :param normalized: per row, the NFKC text used for ``_search`` (dictionary array)
    """

    meta: dict
    warnings: list[dict]
    values: pa.Array
    indices: pa.Array
    normalized: pa.DictionaryArray

    def rows(self, start: int = 0, length: int | None = None) -> pa.Array:
        """The typed values of rows ``start`` … ``start + length`` (all rows by default)."""
        indices = self.indices if start == 0 and length is None else self.indices.slice(start, length)
        return self.values.take(indices)


def infer_column(name: str, cells, row_numbers) -> TypedColumn:
    """Infer the type of one column and convert it.

    Every rule is applied once per distinct text of the column; the typed
    values of the rows are ``TypedColumn.rows()``.

    :param cells: the column's text cells: a list of ``str | None`` or an Arrow
        string / dictionary-of-string array
    :param row_numbers: file row number of each cell (list, range or int64 array)
    """
    col = _Distinct(cells)
    trimmed = pc.utf8_trim_whitespace(col.values)
    trimmed = pc.if_else(pc.equal(trimmed, ""), _NULL_STRING, trimmed)
    norm = pc.utf8_normalize(trimmed, "NFKC")
    normalized = pa.DictionaryArray.from_arrays(col.indices, norm)
    warnings: list[dict] = []
    meta = {"name": name, "type": "string", "role": None}
    present = pc.is_valid(norm)
    n_present = col.count(present)

    def typed(values: pa.Array) -> TypedColumn:
        return TypedColumn(meta, warnings, values, col.indices, normalized)

    def as_text() -> TypedColumn:
        return typed(pc.utf8_normalize(trimmed, "NFC"))

    if n_present == 0:
        return as_text()

    placeholder = pc.is_in(norm, value_set=_PLACEHOLDER_SET)
    candidates = pc.if_else(placeholder, _NULL_STRING, norm)
    valid = pc.is_valid(candidates)
    n_cand = col.count(valid)
    n_placeholder = n_present - n_cand
    code_like = bool(CODE_NAME.search(name)) and not CODE_NAME_EXCEPT.match(name)

    def share(regex: str) -> tuple[int, pa.Array]:
        ok = pc.match_substring_regex(candidates, regex)
        return col.count(ok), ok

    if n_cand:
        n_int, _ = share(INT_RE)
        n_num, num_ok = share(NUM_RE)
        n_lead, _ = share(LEADING_ZERO_RE)
        if n_num == n_cand and (n_lead or code_like):
            if n_lead:
                warnings.append(warning("leading_zero_kept", f"列「{name}」は先頭に 0 のある値があるため文字列 (コード) として保存しました",
                                        column=name, count=n_lead))
        elif n_num == n_cand:
            kind = "integer" if n_int == n_cand else "number"
            digits = pc.replace_substring(candidates, ",", "")
            try:
                values = pc.cast(digits, ARROW_TYPES[kind])
            except (pa.ArrowInvalid, OverflowError):
                values = None
            if values is not None:
                meta["type"] = kind
                if n_placeholder:
                    warnings.append(_placeholder_warning(name, col.expand(placeholder), n_placeholder, row_numbers))
                _set_role(meta, name, values)
                return typed(values)
        elif n_num >= MOSTLY * n_cand and n_num >= 5:
            bad = pc.and_(valid, pc.invert(num_ok.fill_null(True)))
            warnings.append(_mostly_warning(name, "数値", n_cand - n_num, col.expand(bad), row_numbers))

    lowered = pc.utf8_lower(norm)
    n_bool = col.count(pc.is_in(lowered, value_set=_BOOLEAN_SET))
    if n_bool == n_present:
        meta["type"] = "boolean"
        return typed(pc.if_else(present, pc.is_in(lowered, value_set=_TRUE_SET), pa.scalar(None, pa.bool_())))

    if not code_like and n_cand:
        sample = candidates[col.indices[col.first_row(valid)].as_py()].as_py()
        texts = candidates.to_pylist()
        for kind, parse in (("date", parse_japanese_date), ("datetime", _parse_datetime), ("time", _parse_time)):
            if kind == "date" and not re.search(r"\d", sample):
                continue
            if kind != "date" and ":" not in sample:
                continue
            parsed = [None if t is None else parse(t) for t in texts]
            failed = pc.and_(valid, pa.array([p is None for p in parsed], pa.bool_()))
            n_failed = col.count(failed)
            if n_failed == 0:
                if n_placeholder:
                    warnings.append(_placeholder_warning(name, col.expand(placeholder), n_placeholder, row_numbers))
                if kind == "datetime" and all(v.time() == dt.time(0) for v in parsed if v is not None):
                    kind, parsed = "date", [v.date() if v else None for v in parsed]
                meta["type"] = kind
                return typed(pa.array(parsed, _PARSED_TYPES[kind]).cast(ARROW_TYPES[kind]))
            if n_cand - n_failed >= MOSTLY * n_cand and n_cand - n_failed >= 5:
                label = {"date": "日付", "datetime": "日時", "time": "時刻"}[kind]
                warnings.append(_mostly_warning(name, label, n_failed, col.expand(failed), row_numbers))
                break
    return as_text()


def _placeholder_warning(name: str, mask: pa.Array, count: int, row_numbers) -> dict:
    return warning("placeholder_as_empty", f"列「{name}」の「-」「x」などの記号だけのセル {count} 件は値なしとしました",
                   column=name, rows=_rows_where(mask, row_numbers), count=count)


def _mostly_warning(name: str, label: str, n_bad: int, bad_mask: pa.Array, row_numbers) -> dict:
    return warning("unparsed_values",
                   f"列「{name}」は{label}のようですが、{n_bad} 件が{label}として読めないため、列を文字列のまま保存しました",
                   column=name, rows=_rows_where(bad_mask, row_numbers), count=n_bad)


def _set_role(meta: dict, name: str, values: pa.Array) -> None:
    lat, lon = LAT_NAME.search(name), LON_NAME.search(name)
    if not (lat or lon):
        return
    lo, hi = pc.min_max(values).values()
    lo, hi = lo.as_py(), hi.as_py()
    if lo is None:
        return
    if lat and -90 <= lo and hi <= 90:
        meta["role"] = "latitude"
    elif lon and -180 <= lo and hi <= 180:
        meta["role"] = "longitude"


#: the types a column can be set to (``IngestOptions.types``, ``#object_type_xsd``)
TYPES = tuple(ARROW_TYPES)


def _parse_as(kind: str):
    """Text (NFKC, trimmed, not a placeholder) → value of ``kind``, or ``None`` if it does not fit."""
    if kind == "integer":
        def parse_int(t):
            v = int(t.replace(",", "")) if re.match(INT_RE, t) else None
            return v if v is not None and -(1 << 63) <= v < (1 << 63) else None
        return parse_int
    if kind == "number":
        return lambda t: float(t.replace(",", "")) if re.match(NUM_RE, t) else None
    if kind == "boolean":
        return lambda t: (t.lower() in TRUE) if t.lower() in TRUE | FALSE else None
    if kind == "date":
        def parse_date(t):
            d = parse_japanese_date(t)
            if d is None:
                v = _parse_datetime(t)
                d = v.date() if v is not None and v.time() == dt.time(0) else None
            return d
        return parse_date
    if kind == "datetime":
        def parse_datetime(t):
            v = _parse_datetime(t)
            if v is None:
                d = parse_japanese_date(t)
                v = dt.datetime(d.year, d.month, d.day) if d else None
            return v
        return parse_datetime
    if kind == "time":
        return _parse_time
    raise ValueError(kind)


@dataclass
class Coerced:
    """A column converted to a chosen type: ``column`` (cells that do not fit are empty), and the
    cells that did not fit: ``count`` (rows), ``rows`` (file rows, first 20), ``values`` (their
    texts, first 20 distinct)."""

    column: TypedColumn
    count: int
    rows: list[int]
    values: list[str]


def coerce_column(name: str, cells, row_numbers, kind: str) -> Coerced:
    """Convert one column to type ``kind`` (a Frictionless name in ``TYPES``) whatever inference would say.

    Placeholders (``-``, ``x`` …) are empty in non-string columns, as in inference;
    cells that do not read as ``kind`` become empty and are counted in the result.

    :param cells: as for ``infer_column``
    :raises ValueError: ``kind`` is not one of ``TYPES``
    """
    if kind not in TYPES:
        raise ValueError(kind)
    col = _Distinct(cells)
    trimmed = pc.utf8_trim_whitespace(col.values)
    trimmed = pc.if_else(pc.equal(trimmed, ""), _NULL_STRING, trimmed)
    norm = pc.utf8_normalize(trimmed, "NFKC")
    normalized = pa.DictionaryArray.from_arrays(col.indices, norm)
    meta = {"name": name, "type": kind, "role": None}
    warnings: list[dict] = []
    if kind == "string":
        return Coerced(TypedColumn(meta, warnings, pc.utf8_normalize(trimmed, "NFC"), col.indices, normalized),
                       0, [], [])
    placeholder = pc.is_in(norm, value_set=_PLACEHOLDER_SET).fill_null(False)
    candidates = pc.if_else(placeholder, _NULL_STRING, norm)
    parse = _parse_as(kind)
    parsed = [None if t is None else parse(t) for t in candidates.to_pylist()]
    unfit = pc.and_(pc.is_valid(candidates), pa.array([p is None for p in parsed], pa.bool_()))
    n_placeholder = col.count(placeholder)
    if n_placeholder:
        warnings.append(_placeholder_warning(name, col.expand(placeholder), n_placeholder, row_numbers))
    if kind in ("date", "datetime", "time"):
        values = pa.array(parsed, _PARSED_TYPES[kind]).cast(ARROW_TYPES[kind])
    else:
        values = pa.array(parsed, ARROW_TYPES[kind])
    if kind in ("integer", "number"):
        _set_role(meta, name, values)
    count = col.count(unfit)
    bad_values = [v for v, bad in zip(trimmed.to_pylist(), unfit.to_pylist()) if bad][:20]
    return Coerced(TypedColumn(meta, warnings, values, col.indices, normalized), count,
                   _rows_where(col.expand(unfit), row_numbers), bad_values)
