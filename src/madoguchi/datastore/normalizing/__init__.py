"""Normalization of what city files commonly get wrong, before type inference.

``normalize_table(raw)`` fixes the cells of a ``RawTable`` in place and
returns one report item per (fix, column) — the ingestion report's ``fixes``.
The snapshot gets the fixed values; the original file is kept unchanged.
Rules (issue #3), in order, per column:

1. ``spaces_trimmed`` — leading/trailing half- and full-width spaces, tabs and
   NBSP removed in every cell; a cell of only spaces becomes empty;
2. ``full_width_to_half_width`` — a cell that is entirely a code or a number
   after NFKC (digits, ASCII letters, ``- . , : / ( ) +``) is written in ASCII;
   free text (names, addresses) keeps its full-width characters;
3. by column name:

   * 全国地方公共団体コード columns: a 5-digit code gets its check digit
     (``local_government_code_check_digit_added``), a 6-digit code whose
     leading zero was lost gets it back (``local_government_code_leading_zero_restored``);
     a wrong one is reported (``invalid_local_government_code``);
   * 郵便番号 / 〒 / postal / zip: ``NNN-NNNN`` (``postal_code_formatted``;
     ``invalid_postal_code``);
   * 電話 / FAX / tel: national format with hyphens via ``phonenumbers``
     (``phone_number_formatted``; ``invalid_phone_number``);
   * 緯度 / 経度 (``inference.LAT_NAME`` / ``LON_NAME``): degrees-minutes-seconds
     → decimal degrees (``dms_to_decimal_degrees``), swapped rows
     (``lat_lon_swapped``), outside Japan (``coordinate_outside_japan``);
   * any other column whose cells are dates (≥ 90 % of its non-empty cells
     look like dates): 和暦 → ISO 8601 (``wareki_to_iso_date``; ``invalid_date``); 和暦 outside
     its era (``大正20年1月1日``, ``平成31年5月1日``; ``madoguchi.wareki``) is reported and left
     as written (``wareki_outside_era``);
   * such a column of ``N/N/YYYY`` dates: day/month order inferred from the values and
     converted to ISO (``month_day_year_to_iso_date``, ``day_month_year_to_iso_date``) or
     reported (``ambiguous_date_order``, ``inconsistent_date_order``), and Excel serial
     dates in a column named as a date (``excel_serial_to_iso_date``), see ``dates``;

0. before the rules, a column of ``"lat,lon"`` / ``"lon,lat"`` pairs gets two new columns
   ``<name>_緯度`` / ``<name>_経度`` after it (``coordinates_split``, ``coordinates.split_pairs``),
   which then go through the 緯度/経度 rules.

Report item: ``{code, message, column, rows (file rows, ≤ 20), count (rows),
examples: [{before, after}] (≤ 3), fixed}``; ``fixed`` is false for values
that are only reported (left as written).

Speed: each rule looks at a column's distinct texts through a vectorized
pre-filter (Arrow compute) and runs Python only on the texts it selects;
rows are touched only for columns that change.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.codes import LOCAL_GOVERNMENT_CODE_COLUMN, PREFECTURE_CODE_COLUMN
from madoguchi.wareki import WarekiError

from ..inference import LAT_NAME, LON_NAME, MOSTLY, PLACEHOLDERS
from ..reading.base import RawTable
from . import cells
from .columns import Column, value_items
from .coordinates import convert_dms, split_pairs, swap_and_check
from .dates import MESSAGES as DATE_MESSAGES
from .dates import day_month_order, excel_serials

POSTAL_NAME = re.compile(r"郵便番号|〒|postal|zip", re.IGNORECASE)
PHONE_NAME = re.compile(r"電話|fax|ファクシミリ|ファックス|ファクス|(?<![a-z])tel(?![a-z])|telephone", re.IGNORECASE)
_PLACEHOLDER_SET = pa.array(PLACEHOLDERS)
PHONE_CHECK_ALL_MAX = 20_000
#: cells meaning "none" in a code column: left alone, not reported as invalid codes
NO_VALUE = pa.array([*PLACEHOLDERS, "なし", "無し", "無", "該当なし", "不明", "未定", "非公開", "－", "ｰ"])

FIXES = {  # code → (message with {column}, fixed)
    "spaces_trimmed": ("列「{column}」のセルの前後の空白 (全角・半角) を取り除きました (leading/trailing spaces removed)",
                       True),
    "full_width_to_half_width": ("列「{column}」の全角の数字・英字・記号を半角にしました "
                                 "(full-width digits and letters in codes/numbers made half-width)", True),
    "wareki_to_iso_date": ("列「{column}」の和暦の日付を西暦の ISO 8601 形式 (YYYY-MM-DD) にしました "
                           "(Japanese era dates converted to ISO 8601)", True),
    "invalid_date": ("列「{column}」の和暦の日付として読めない値があります。そのままにしました "
                     "(not a valid Japanese era date; left as written)", False),
    "wareki_outside_era": ("列「{column}」に元号の期間にない和暦の日付があります（例: {reason}）。そのままにしました "
                           "(Japanese era date outside its era; left as written)", False),
    "postal_code_formatted": ("列「{column}」の郵便番号を「123-4567」の形にしました (postal codes written as NNN-NNNN)",
                              True),
    "invalid_postal_code": ("列「{column}」に 7 桁でない郵便番号があります。そのままにしました "
                            "(postal code is not 7 digits; left as written)", False),
    "phone_number_formatted": ("列「{column}」の電話番号を市外局番からハイフン区切りの形 (054-626-1139) にしました "
                               "(phone numbers written in the national format with hyphens)", True),
    "invalid_phone_number": ("列「{column}」に電話番号として正しくない、または読み取れない値があります。そのままにしました "
                             "(not a valid Japanese phone number; left as written)", False),
    "local_government_code_check_digit_added": (
        "列「{column}」の 5 桁の全国地方公共団体コードに検査数字を付けて 6 桁にしました "
        "(check digit appended to 5-digit local government codes)", True),
    "local_government_code_leading_zero_restored": (
        "列「{column}」の先頭の 0 が落ちた全国地方公共団体コードに 0 を戻しました "
        "(leading zero restored to local government codes)", True),
    "invalid_local_government_code": ("列「{column}」の全国地方公共団体コードの検査数字が合わないか、桁数が違います。"
                                      "そのままにしました (invalid local government code; left as written)", False),
}

FIXES.update(DATE_MESSAGES)


def normalize_table(raw: RawTable, *, standard_id: str | None = None) -> list[dict]:
    """Fix common mistakes in ``raw`` in place (``raw.rows`` or ``raw.columns``); return the fixes.

    :param standard_id: the dataset's declared standard (not used by the rules yet;
        the column-name rules already cover the 自治体標準オープンデータセット names)
    :returns: ``[{"code", "message", "column", "rows", "count", "examples": [{"before", "after"}], "fixed"}]``,
        one item per (rule, column), in column order
    """
    if not raw.header or not raw.num_rows:
        return []
    items: list[dict] = []
    lat_cols: list[Column] = []
    lon_cols: list[Column] = []
    columns: list[Column] = []
    items += split_pairs(raw, skip=lambda name: bool(LAT_NAME.search(unicodedata.normalize("NFKC", name))
                                                     or LON_NAME.search(unicodedata.normalize("NFKC", name))))
    for j, name in enumerate(raw.header):
        col = Column(raw, j)
        columns.append(col)
        key = unicodedata.normalize("NFKC", name)
        items += _spaces(col)
        items += _by_filter(col, cells.FULL_WIDTH_CODE_RE, cells.to_half_width, "full_width_to_half_width", None)
        if LOCAL_GOVERNMENT_CODE_COLUMN.search(key) and not PREFECTURE_CODE_COLUMN.search(key):
            items += _local_government_codes(col)
        elif POSTAL_NAME.search(key):
            items += _by_filter(col, cells.POSTAL_OK_RE, cells.postal_code, "postal_code_formatted",
                                "invalid_postal_code", select_matching=False)
        elif PHONE_NAME.search(key):
            # every number is checked with phonenumbers (~30 µs each); in a column of very many
            # distinct numbers, only those not already written 0AA-BBB-CCCC
            written_ok = cells.PHONE_OK_RE if len(col.values) > PHONE_CHECK_ALL_MAX else None
            items += _by_filter(col, written_ok, cells.phone_number, "phone_number_formatted", "invalid_phone_number",
                                select_matching=False)
        elif LAT_NAME.search(key):
            items += convert_dms(col)
            lat_cols.append(col)
        elif LON_NAME.search(key):
            items += convert_dms(col)
            lon_cols.append(col)
        else:
            items += _wareki(col)
            items += day_month_order(col)
            items += excel_serials(col)
    for k in range(max(len(lat_cols), len(lon_cols))):
        items += swap_and_check(lat_cols[k] if k < len(lat_cols) else None,
                                lon_cols[k] if k < len(lon_cols) else None)
    for col in columns:
        col.write_back()
    order = {name: j for j, name in enumerate(raw.header)}
    return sorted(items, key=lambda it: order.get(it["column"], -1))


def _item(col: Column, code: str, found: dict, **fields) -> list[dict]:
    message, fixed = FIXES[code]
    return value_items(col, code, message.format(column=col.name, **fields), found, fixed=fixed)


def _spaces(col: Column) -> list[dict]:
    trimmed = pc.utf8_trim(col.values, cells.SPACES)
    changed = pc.not_equal(trimmed, col.values).fill_null(False)
    positions = pc.indices_nonzero(changed).to_pylist()
    if not positions:
        return []
    fixed, _ = col.apply(positions, lambda text: text.strip(cells.SPACES) or None)
    return _item(col, "spaces_trimmed", {p: (before, after or "") for p, (before, after) in fixed.items()})


def _by_filter(col: Column, pattern: str | None, rule, fix_code: str, invalid_code: str | None, *,
               select_matching: bool = True) -> list[dict]:
    """Run ``rule`` on the texts that match ``pattern`` (or, ``select_matching=False``, do not match it;
    ``None``: all texts)."""
    values = col.values
    if pattern is None:
        selected = pc.is_valid(values)
    else:
        matched = pc.match_substring_regex(values, pattern)
        selected = matched if select_matching else pc.invert(matched)
    if invalid_code:
        selected = pc.and_(selected, pc.invert(pc.is_in(values, value_set=NO_VALUE)))
    positions = pc.indices_nonzero(selected.fill_null(False)).to_pylist()
    if not positions:
        return []
    fixed, invalid = col.apply(positions, rule)
    return _item(col, fix_code, fixed) + (_item(col, invalid_code, invalid) if invalid_code else [])


def _local_government_codes(col: Column) -> list[dict]:
    """全国地方公共団体コード: complete 4/5-digit codes, report wrong ones (``cells.local_government_code``)."""
    values = col.values
    selected = pc.invert(pc.is_in(values, value_set=NO_VALUE)).fill_null(False)
    positions = pc.indices_nonzero(selected).to_pylist()
    if not positions:
        return []
    short = np.asarray(pc.match_substring_regex(values, r"^\s*[0-9０-９]{4,5}\s*$").fill_null(False))
    six_digit_column = False
    if short.any():  # rows are counted only when some code is short
        six = np.asarray(pc.match_substring_regex(values, r"^\s*[0-9０-９]{6}\s*$").fill_null(False))
        six_digit_column = bool(col.counts[six].sum() >= col.counts[short].sum())
    fixed, invalid = col.apply(positions, lambda t: cells.local_government_code(t, six_digit_column=six_digit_column))
    restored = {p: f for p, f in fixed.items() if f[1] == "0" + unicodedata.normalize("NFKC", f[0]).strip()}
    added = {p: f for p, f in fixed.items() if p not in restored}
    return (_item(col, "local_government_code_check_digit_added", added)
            + _item(col, "local_government_code_leading_zero_restored", restored)
            + _item(col, "invalid_local_government_code", invalid))


def _wareki(col: Column) -> list[dict]:
    """和暦 → ISO in a column whose cells are dates: 和暦 that read as dates (or as dates outside
    their era) plus 西暦-looking dates are ≥ 90 % of the cells that are not empty or a placeholder
    (``-``). 和暦 outside its era is reported (``wareki_outside_era``), never converted."""
    values = col.values
    wareki = pc.match_substring_regex(values, cells.WAREKI_LIKE_RE).fill_null(False)
    if not pc.any(wareki).as_py():
        return []
    positions = pc.indices_nonzero(wareki).to_pylist()
    texts = col.texts(positions)
    converted = {t: cells.wareki_date(t) for t in texts}
    outside = {t: v for t, v in converted.items() if isinstance(v, WarekiError)}
    dates = np.asarray(pc.match_substring_regex(values, cells.SEIREKI_LIKE_RE).fill_null(False)).copy()
    dates[[p for p, t in zip(positions, texts) if converted[t] is not cells.INVALID]] = True
    ignored = pc.or_(pc.is_in(values, value_set=_PLACEHOLDER_SET), pc.equal(values, "")).fill_null(True)
    counts = col.counts
    if counts[dates].sum() < MOSTLY * counts[~np.asarray(ignored)].sum():
        return []
    fixed, invalid = col.apply(positions, lambda t: cells.INVALID if t in outside else converted[t])
    out_of_era = {p: f for p, f in invalid.items() if f[0] in outside}
    invalid = {p: f for p, f in invalid.items() if p not in out_of_era}
    reason = outside[out_of_era[min(out_of_era)][0]].reason if out_of_era else ""
    return (_item(col, "wareki_to_iso_date", fixed) + _item(col, "invalid_date", invalid)
            + _item(col, "wareki_outside_era", out_of_era, reason=reason))
