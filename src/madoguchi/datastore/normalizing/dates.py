"""Dates written day/month/year or month/day/year, and Excel serial dates in CSV.

* **Order of day and month**, decided per column from its values (``N/N/YYYY``,
  also with ``-`` or ``.``): when some second part is above 12 (``6/30/2023``) the
  column is month-first (M/D/YYYY, as Excel writes in a US locale); when some
  first part is (``30/6/2023``) it is day-first (D/M/YYYY). Either way every such
  cell becomes ISO 8601 (``month_day_year_to_iso_date`` / ``day_month_year_to_iso_date``).
  When every value fits both orders the column is left as written
  (``ambiguous_date_order``, type ``string``), and when both parts exceed 12 in
  different rows it is left as written too (``inconsistent_date_order``).
  A cell that names no day (``2/30/2023``) is reported (``invalid_date``).
* **Excel serial dates**: a column whose name says date (``DATE_NAME``: 日, 年月日,
  日付, date; not 日数 / 曜日) and whose every value is an integer from
  ``SERIAL_RANGE`` (1954-10-03 … 2119-01-08) is days since 1899-12-30 (Excel's
  1900 date system, its leap-year bug included) → ISO (``excel_serial_to_iso_date``).
  Under any other name such integers stay numbers.

YYYY/M/D and 和暦 are read elsewhere (``inference``, ``madoguchi.wareki``).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..inference import MOSTLY, PLACEHOLDERS
from .columns import INVALID, Column, value_items

NUMERIC_DATE_RE = r"^\s*[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}\s*$"
_PARTS = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")
DATE_NAME = re.compile(r"日|date", re.IGNORECASE)
NOT_DATE_NAME = re.compile(r"日数|曜日|日目", re.IGNORECASE)
SERIAL_RANGE = (20000, 80000)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_IGNORED = pa.array([*PLACEHOLDERS, ""])

MESSAGES = {  # code → (message with {column}, fixed)
    "month_day_year_to_iso_date": ("列「{column}」の日付を 月/日/年 の順と判断し、ISO 8601 (YYYY-MM-DD) にしました "
                                   "(month-first dates M/D/YYYY converted to ISO 8601)", True),
    "day_month_year_to_iso_date": ("列「{column}」の日付を 日/月/年 の順と判断し、ISO 8601 (YYYY-MM-DD) にしました "
                                   "(day-first dates D/M/YYYY converted to ISO 8601)", True),
    "ambiguous_date_order": ("列「{column}」の日付は 月/日/年 とも 日/月/年 とも読めるため、文字列のままにしました "
                             "(day/month order cannot be decided; left as text)", False),
    "inconsistent_date_order": ("列「{column}」の日付に 月/日/年 と 日/月/年 が混ざっているため、文字列のままにしました "
                                "(both day-first and month-first dates; left as text)", False),
    "excel_serial_to_iso_date": ("列「{column}」の Excel のシリアル値 (1899-12-30 からの日数) を ISO 8601 の日付にしました "
                                 "(Excel serial dates converted to ISO 8601)", True),
    "invalid_numeric_date": ("列「{column}」に日付として存在しない値があります。そのままにしました "
                             "(not a valid date; left as written)", False),
}


def _item(col: Column, code: str, found: dict) -> list[dict]:
    message, fixed = MESSAGES[code]
    return value_items(col, code, message.format(column=col.name), found, fixed=fixed)


def _countable(col: Column) -> np.ndarray:
    """Per distinct text: not empty and not a placeholder."""
    ignored = pc.is_in(pc.utf8_trim_whitespace(col.values), value_set=_IGNORED).fill_null(True)
    return ~np.asarray(ignored)


def day_month_order(col: Column) -> list[dict]:
    """Infer the day/month order of a column of ``N/N/YYYY`` dates and convert it (module docstring)."""
    matched = np.asarray(pc.match_substring_regex(col.values, NUMERIC_DATE_RE).fill_null(False))
    if not matched.any():
        return []
    counts = col.counts
    if counts[matched].sum() < MOSTLY * counts[_countable(col)].sum():
        return []
    positions = np.flatnonzero(matched).tolist()
    parts = {p: tuple(map(int, _PARTS.fullmatch(t).groups())) for p, t in zip(positions, col.texts(positions))}
    first_big = any(a > 12 for a, _, _ in parts.values())
    second_big = any(b > 12 for _, b, _ in parts.values())
    if first_big == second_big:
        code = "inconsistent_date_order" if first_big else "ambiguous_date_order"
        return _item(col, code, {p: (t, t) for p, t in zip(positions, col.texts(positions))})
    month_first = second_big

    def iso(text: str):
        a, b, year = map(int, _PARTS.fullmatch(text).groups())
        month, day = (a, b) if month_first else (b, a)
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return INVALID

    fixed, invalid = col.apply(positions, iso)
    code = "month_day_year_to_iso_date" if month_first else "day_month_year_to_iso_date"
    return _item(col, code, fixed) + _item(col, "invalid_numeric_date", invalid)


def is_date_name(name: str) -> bool:
    """Does the column name say the column holds dates (日, 年月日, 日付, date; not 日数, 曜日)?"""
    return bool(DATE_NAME.search(name)) and not NOT_DATE_NAME.search(name)


def excel_serials(col: Column) -> list[dict]:
    """Excel serial dates → ISO in a column named as a date (module docstring); ``[]`` otherwise."""
    if not is_date_name(col.name):
        return []
    countable = _countable(col)
    if not countable.any():
        return []
    integer = np.asarray(pc.match_substring_regex(col.values, r"^\s*[0-9]{5}\s*$").fill_null(False))
    if (countable & ~integer).any():
        return []
    positions = np.flatnonzero(integer).tolist()
    numbers = [int(t) for t in col.texts(positions)]
    if not all(SERIAL_RANGE[0] <= n <= SERIAL_RANGE[1] for n in numbers):
        return []
    fixed, _ = col.apply(positions, lambda t: (EXCEL_EPOCH + dt.timedelta(days=int(t))).isoformat())
    return _item(col, "excel_serial_to_iso_date", fixed)
