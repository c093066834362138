"""Display forms of fiscal years and values (data and API stay ISO / plain numbers).

* ``fy_label(2019)`` → ``"2019年度"``; ``fy_wareki(2019)`` → ``"令和元年度"``;
  ``fy_code(2019)`` → ``"FY2019"`` (the form the plan files use).
* ``fmt_value(Decimal("226491"))`` → ``"226,491"``; ``Decimal("13.60")`` → ``"13.6"``; ``None`` → ``"—"``.

A fiscal year (年度) runs April–March and is named by the year it starts in; the
era of a fiscal year is the era on 1 May of that year, as offices write it
(FY2019 = 令和元年度, FY2018 = 平成30年度).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from madoguchi.wareki import format_fiscal_year

DASH = "—"


def current_fiscal_year(today: dt.date | None = None) -> int:
    """The fiscal year ``today`` falls in (April–March)."""
    today = today or dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year ``year``: (``year``-04-01, ``year+1``-03-31)."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def fy_code(year: int | None) -> str:
    return f"FY{year}" if year is not None else ""


def fy_label(year: int | None) -> str:
    return f"{year}年度" if year is not None else DASH


def fy_wareki(year: int | None) -> str:
    """``2019`` → ``"令和元年度"`` (``madoguchi.wareki.format_fiscal_year``); ``None`` → ``—``."""
    if year is None:
        return DASH
    try:
        return format_fiscal_year(year)
    except ValueError:  # before 1873: no 和暦 in the Gregorian calendar
        return f"{year}年度"


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def plain_number(value) -> int | float | None:
    """A value as an int when whole, else a float (for JSON and xlsx cells)."""
    value = to_decimal(value)
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def fmt_value(value) -> str:
    """Thousands separators, no trailing zeros; ``None`` → ``—``."""
    value = to_decimal(value)
    if value is None:
        return DASH
    if value == value.to_integral_value():
        return f"{int(value):,}"
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}.{frac}" if whole not in ("-0",) else f"-0.{frac}"
