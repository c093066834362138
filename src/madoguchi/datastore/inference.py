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
* dates: ISO, ``2020/3/1``, ``2020年3月1日`` and 和暦 (see ``wareki``); a
  ``YYYY-MM-DD 00:00:00`` column is a date, other times make it ``datetime``;
* ``緯度``/``lat``/``latitude`` and ``経度``/``lon``/``lng``/``longitude``
  number columns in range get ``role`` latitude/longitude.

Every table gets ``_id`` (1-based row number in the table, as CKAN) and
``_search`` (normalized text of all cells for full-text ``q``; hidden).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.text import normalize_for_search

from .reading.base import RawTable, warning
from .wareki import parse_japanese_date

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


def _rows_where(mask: pa.Array, row_numbers: list[int], limit: int = 20) -> list[int]:
    idx = pc.indices_nonzero(mask.fill_null(False)).to_pylist()[:limit]
    return [row_numbers[i] for i in idx]


def _map_unique(norm: pa.Array, parse) -> tuple[pa.Array, pa.Array]:
    """Parse each distinct value once; return (values parsed per row, mask of failures)."""
    uniq = pc.unique(norm.drop_null())
    parsed = [parse(v) for v in uniq.to_pylist()]
    ok = pa.array([p is not None for p in parsed])
    positions = pc.index_in(norm, value_set=uniq)
    values = pa.array(parsed).take(positions)
    failed = pc.and_(pc.is_valid(norm), pc.invert(ok.take(positions).fill_null(True)))
    return values, failed


def infer_column(name: str, cells: list[str | None], row_numbers: list[int]) -> tuple[pa.Array, dict, list[dict], pa.Array]:
    """Infer the type of one column and convert it.

    :returns: ``(array, meta, warnings, normalized_text)`` where ``meta`` is
        ``{name, type, role}`` and ``normalized_text`` is the NFKC text used for ``_search``.
    """
    raw = pa.array(cells, type=pa.string())
    trimmed = pc.utf8_trim_whitespace(raw)
    trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    norm = pc.utf8_normalize(trimmed, "NFKC")
    warnings: list[dict] = []
    meta = {"name": name, "type": "string", "role": None}
    present = pc.is_valid(norm)
    n_present = pc.sum(present).as_py() or 0
    text = pc.utf8_normalize(trimmed, "NFC")
    if n_present == 0:
        return text, meta, warnings, norm

    placeholder = pc.is_in(norm, value_set=pa.array(PLACEHOLDERS))
    candidates = pc.if_else(placeholder, pa.scalar(None, pa.string()), norm)
    n_cand = pc.sum(pc.is_valid(candidates)).as_py() or 0
    n_placeholder = n_present - n_cand
    code_like = bool(CODE_NAME.search(name)) and not CODE_NAME_EXCEPT.match(name)

    def share(regex: str) -> tuple[int, pa.Array]:
        ok = pc.match_substring_regex(candidates, regex)
        return pc.sum(ok).as_py() or 0, ok

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
                    warnings.append(_placeholder_warning(name, placeholder, n_placeholder, row_numbers))
                _set_role(meta, name, values)
                return values, meta, warnings, norm
        elif n_num >= MOSTLY * n_cand and n_num >= 5:
            bad = pc.and_(pc.is_valid(candidates), pc.invert(num_ok.fill_null(True)))
            warnings.append(_mostly_warning(name, "数値", n_cand - n_num, bad, row_numbers))

    lowered = pc.utf8_lower(norm)
    n_bool = pc.sum(pc.is_in(lowered, value_set=pa.array(sorted(TRUE | FALSE)))).as_py() or 0
    if n_bool == n_present:
        meta["type"] = "boolean"
        values = pc.if_else(present, pc.is_in(lowered, value_set=pa.array(sorted(TRUE))), pa.scalar(None, pa.bool_()))
        return values, meta, warnings, norm

    if not code_like and n_cand:
        sample = candidates.drop_null().slice(0, 1).to_pylist()[0]
        for kind, parse in (("date", parse_japanese_date), ("datetime", _parse_datetime), ("time", _parse_time)):
            if kind == "date" and not re.search(r"\d", sample):
                continue
            if kind != "date" and ":" not in sample:
                continue
            values, failed = _map_unique(candidates, parse)
            n_failed = pc.sum(failed).as_py() or 0
            if n_failed == 0:
                if n_placeholder:
                    warnings.append(_placeholder_warning(name, placeholder, n_placeholder, row_numbers))
                if kind == "datetime" and all(v.time() == dt.time(0) for v in pc.unique(values.drop_null()).to_pylist()):
                    kind, values = "date", pa.array([v.date() if v else None for v in values.to_pylist()], pa.date32())
                meta["type"] = kind
                return values.cast(ARROW_TYPES[kind]), meta, warnings, norm
            if n_cand - n_failed >= MOSTLY * n_cand and n_cand - n_failed >= 5:
                label = {"date": "日付", "datetime": "日時", "time": "時刻"}[kind]
                warnings.append(_mostly_warning(name, label, n_failed, failed, row_numbers))
                break
    return text, meta, warnings, norm


def _placeholder_warning(name: str, mask: pa.Array, count: int, row_numbers: list[int]) -> dict:
    return warning("placeholder_as_empty", f"列「{name}」の「-」「x」などの記号だけのセル {count} 件は値なしとしました",
                   column=name, rows=_rows_where(mask, row_numbers), count=count)


def _mostly_warning(name: str, label: str, n_bad: int, bad_mask: pa.Array, row_numbers: list[int]) -> dict:
    return warning("unparsed_values",
                   f"列「{name}」は{label}のようですが、{n_bad} 件が{label}として読めないため、列を文字列のまま保存しました",
                   column=name, rows=_rows_where(bad_mask, row_numbers), count=n_bad)


def _set_role(meta: dict, name: str, values: pa.Array) -> None:
    lo, hi = pc.min_max(values).values()
    lo, hi = lo.as_py(), hi.as_py()
    if lo is None:
        return
    if LAT_NAME.search(name) and -90 <= lo and hi <= 90:
        meta["role"] = "latitude"
    elif LON_NAME.search(name) and -180 <= lo and hi <= 180:
        meta["role"] = "longitude"


def _search_column(norms: list[pa.Array], length: int) -> pa.Array:
    folded = []
    for norm in norms:
        uniq = pc.unique(norm.drop_null())
        mapped = pa.array([normalize_for_search(v) for v in uniq.to_pylist()], pa.string())
        folded.append(mapped.take(pc.index_in(norm, value_set=uniq)))
    if not folded:
        return pa.array([""] * length, pa.string())
    return pc.binary_join_element_wise(*folded, "\u001f", null_handling="skip")


def build_table(raw: RawTable, progress=None) -> tuple[pa.Table, list[dict], list[dict]]:
    """Type every column of ``raw``.

    :returns: ``(table, columns, warnings)``; ``table`` has ``_id``, the data
        columns in file order, then ``_search``; ``columns`` describes the data
        columns as ``{name, type, role, source_name}``.
    """
    n = len(raw.rows)
    transposed = list(zip(*raw.rows)) if n else [() for _ in raw.header]
    arrays, columns, warnings, norms = [], [], [], []
    for j, name in enumerate(raw.header):
        cells = list(transposed[j]) if n else []
        array, meta, col_warnings, norm = infer_column(name, cells, raw.row_numbers)
        meta["source_name"] = raw.source_names[j] if j < len(raw.source_names) else name
        arrays.append(array)
        columns.append(meta)
        warnings.extend(col_warnings)
        norms.append(norm)
        if progress:
            progress((j + 1) / (len(raw.header) + 1))
    names = ["_id"] + [c["name"] for c in columns] + ["_search"]
    table = pa.Table.from_arrays(
        [pa.array(range(1, n + 1), pa.int64()), *arrays, _search_column(norms, n)], names=names)
    return table, columns, warnings


def nfkc(text: str) -> str:
    """NFKC-normalize a filter value the same way cells were read."""
    return unicodedata.normalize("NFKC", text).strip()
