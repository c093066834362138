"""和暦 (Japanese era dates): the one era table, the 和暦 patterns, parsing and display.

Every app reads and writes 和暦 through this module (issue #12); data and API stay ISO 8601
(DESIGN.md section 3), 和暦 is an input form and a display form.

Eras (first day = the day the era name took effect; last day = the day before the next):

=====  ==========  ==========  ===================================
era    first day   last day    letter / one-kanji abbreviation
=====  ==========  ==========  ===================================
明治   1868-01-25  1912-07-29  M / 明
大正   1912-07-30  1926-12-24  T / 大
昭和   1926-12-25  1989-01-07  S / 昭
平成   1989-01-08  2019-04-30  H / 平
令和   2019-05-01  (current)   R / 令
=====  ==========  ==========  ===================================

明治 before the Gregorian calendar: Japan adopted it on 明治6年1月1日 (1873-01-01; 明治5年12月3日
of the old calendar became that day). Months and days written in 明治元年–明治5年 are dates of
the old lunisolar calendar (天保暦) and cannot be converted by reading them as Gregorian, so they
are REJECTED (``WarekiError`` with code ``old_calendar``); a year alone (``明治元年``) is accepted
as the Gregorian year it is conventionally equated with (明治元年 = 1868). Display refuses dates
before 1873-01-01 for the same reason.

Accepted 和暦 forms (after NFKC, so full-width digits and letters are folded; spaces allowed
between the parts; year 1 is written ``元`` or ``1``):

* date: ``令和2年3月1日``, ``令和 02年05月01日``, ``令和元年5月1日``, ``R2.3.1``, ``r2/3/1``,
  ``R02-03-01``, ``H31.4.30``, ``平31.4.30``, ``令和2年3月1`` (no 日);
* year and month: ``平成31年4月``, ``R2.3``, ``令和元年12月``;
* year alone (``parse_wareki`` only): ``昭和64年``, ``令和元年`` — a letter needs the 年 (``R2`` is
  not a year);
* fiscal year (``parse_fiscal_year``): ``令和6年度``, ``R6年度``.

An era year outside its era (``大正20年``), a date outside its era (``昭和64年12月31日``,
``令和元年4月30日``, ``平成31年5月1日``) or a date that does not exist (``R2.2.30``) is an error
that says why; nothing is ever converted into the next era.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    """One era: ``name`` (明治), ``letter`` (M), ``abbreviation`` (明), first and last day
    (``last_day`` is ``None`` for the current era)."""

    name: str
    letter: str
    abbreviation: str
    first_day: dt.date
    last_day: dt.date | None

    @property
    def first_year(self) -> int:
        """The Gregorian year of 元年."""
        return self.first_day.year

    @property
    def last_year_in_era(self) -> int | None:
        """The last era year (大正 → 15), ``None`` for the current era."""
        return None if self.last_day is None else self.last_day.year - self.first_year + 1

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


def _eras(*rows) -> tuple[Era, ...]:
    eras = []
    for k, (name, letter, abbreviation, first_day) in enumerate(rows):
        nxt = rows[k + 1][3] if k + 1 < len(rows) else None
        eras.append(Era(name, letter, abbreviation, first_day, nxt - dt.timedelta(days=1) if nxt else None))
    return tuple(eras)


#: the only era table of the project, oldest first; each era ends the day before the next begins
ERAS: tuple[Era, ...] = _eras(
    ("明治", "M", "明", dt.date(1868, 1, 25)),
    ("大正", "T", "大", dt.date(1912, 7, 30)),
    ("昭和", "S", "昭", dt.date(1926, 12, 25)),
    ("平成", "H", "平", dt.date(1989, 1, 8)),
    ("令和", "R", "令", dt.date(2019, 5, 1)),
)
#: first day of the Gregorian calendar in Japan (明治6年1月1日); 明治 months/days before it are 旧暦
GREGORIAN_ADOPTED = dt.date(1873, 1, 1)

_BY_SPELLING = {spelling: era for era in ERAS for spelling in (era.name, era.letter, era.abbreviation)}

# ---------------------------------------------------------------- patterns (built from ERAS only)

_NAMES = "|".join(era.name for era in ERAS)
_ABBREVIATIONS = "".join(era.abbreviation for era in ERAS)
_LETTERS = "".join(era.letter for era in ERAS)
_FULL_WIDTH_LETTERS = "".join(chr(ord(c) + 0xFEE0) for c in _LETTERS + _LETTERS.lower())
_ERA = rf"(?P<era>{_NAMES}|[{_LETTERS}{_ABBREVIATIONS}])"
_YEAR = r"(?P<y>元|\d{1,2})"

#: a 和暦 date or year-month (NFKC text, whole text; ``re.IGNORECASE``)
WAREKI_DATE = re.compile(
    rf"^{_ERA}\s*{_YEAR}\s*(?:年|[./\-])\s*(?P<m>\d{{1,2}})\s*(?:月|[./\-])?\s*(?:(?P<d>\d{{1,2}})\s*日?)?$",
    re.IGNORECASE)
#: a 和暦 year alone (NFKC text, whole text)
WAREKI_YEAR = re.compile(rf"^{_ERA}\s*{_YEAR}\s*年$", re.IGNORECASE)
#: a 和暦 fiscal year (NFKC text, whole text)
WAREKI_FISCAL_YEAR = re.compile(rf"^{_ERA}\s*{_YEAR}\s*年度$", re.IGNORECASE)
#: a 西暦 date or year-month as Japanese files write it (NFKC text, whole text)
SEIREKI_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:年|[./\-])\s*(?P<m>\d{1,2})\s*(?:月|[./\-])?\s*(?:(?P<d>\d{1,2})\s*日?)?$")

#: RE2 (Arrow compute) pre-filter on raw cell text, before NFKC: the start of a 和暦 date
WAREKI_DATE_PREFIX_RE = (rf"^({_NAMES}|[{_LETTERS}{_LETTERS.lower()}{_FULL_WIDTH_LETTERS}{_ABBREVIATIONS}])"
                         r"\s*(元|[0-9０-９]{1,2})\s*(年|[./\-．／－])\s*[0-9０-９]{1,2}")
#: RE2 pre-filter on raw cell text, before NFKC: the start of a 西暦 date
SEIREKI_DATE_PREFIX_RE = r"^[0-9０-９]{4}\s*(年|[./\-．／－])\s*[0-9０-９]{1,2}"
#: RE2 search in NFKC text: an era year anywhere in a cell (``令和3年度``, ``2023年（令和5年）``), or a
#: whole abbreviated date (``R3.4.1``, ``平3.4.1``); used by the quality rule 1-11
ERA_YEAR_SEARCH_RE = (rf"(?:{_NAMES})\s*(?:元|[0-9]{{1,2}})\s*年|"
                      rf"^[{_LETTERS}{_LETTERS.lower()}{_ABBREVIATIONS}][0-9]{{1,2}}[./\-][0-9]{{1,2}}[./\-][0-9]{{1,2}}$")


# ---------------------------------------------------------------- parsing

class WarekiError(ValueError):
    """Text written as 和暦 that is not a real date.

    ``code``: ``outside_era`` (大正20年, 昭和64年12月31日, 令和元年4月30日), ``no_such_date``
    (R2.2.30, 令和2年13月), ``old_calendar`` (明治5年以前の月日); ``reason``: the Japanese
    message for users (``大正20年はありません（大正は15年まで）``); ``text``: the input.
    """

    def __init__(self, code: str, reason: str, text: str):
        self.code, self.reason, self.text = code, reason, text
        super().__init__(reason)


@dataclass(frozen=True)
class WarekiDate:
    """A parsed 和暦 value: ``era``, ``year_in_era`` (1 = 元年), Gregorian ``year``, ``month`` and
    ``day`` (``None`` when not written)."""

    era: Era
    year_in_era: int
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        """``"2019"``, ``"2019-05"`` or ``"2019-05-01"``, as precise as written."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def date(self) -> dt.date:
        """The date, day 1 of the month or year when not written (``平成31年4月`` → 2019-04-01,
        ``昭和64年`` → 1989-01-01), like ISO 8601 reduced precision."""
        return dt.date(self.year, self.month or 1, self.day or 1)


def _year_label(era: Era, n: int) -> str:
    return f"{era.name}{'元' if n == 1 else n}年"


def _check(era: Era, n: int, month: int | None, day: int | None, text: str) -> WarekiDate:
    """The ``WarekiDate`` of era year ``n`` (month, day) or ``WarekiError`` saying why not."""
    label = _year_label(era, n)
    spelled = label + (f"{month}月" if month is not None else "") + (f"{day}日" if day is not None else "")
    last_n = era.last_year_in_era
    if n < 1 or (last_n is not None and n > last_n):
        until = f"（{era.name}は{last_n}年まで）" if last_n is not None and n > last_n else ""
        raise WarekiError("outside_era", f"{label}はありません{until}", text)
    year = era.first_year + n - 1
    if month is None:
        return WarekiDate(era, n, year)
    if not 1 <= month <= 12:
        raise WarekiError("no_such_date", f"{spelled}はありません（月は1～12）", text)
    if day is not None:
        try:
            first = last = dt.date(year, month, day)
        except ValueError:
            raise WarekiError("no_such_date", f"{spelled}はありません（{month}月に{day}日はありません）", text) from None
    else:
        first = dt.date(year, month, 1)
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    if first < GREGORIAN_ADOPTED:
        raise WarekiError("old_calendar", f"{spelled}は旧暦の日付のため西暦に換算できません"
                                          f"（新暦は明治6年1月1日から）", text)
    if last < era.first_day:
        start = era.first_day
        raise WarekiError("outside_era", f"{spelled}はありません（{label}は{start.month}月{start.day}日から）", text)
    if era.last_day is not None and first > era.last_day:
        end = era.last_day
        raise WarekiError("outside_era", f"{spelled}はありません（{label}は{end.month}月{end.day}日まで）", text)
    return WarekiDate(era, n, year, month, day)


def _era(spelling: str) -> Era:
    return _BY_SPELLING.get(spelling) or _BY_SPELLING[spelling.upper()]


def _n(year_text: str) -> int:
    return 1 if year_text == "元" else int(year_text)


def parse_wareki(text: str) -> WarekiDate | None:
    """Parse a 和暦 date, year-month or year (forms in the module docstring).

    ``"令和元年5月1日"`` → ``WarekiDate(令和, 1, 2019, 5, 1)`` (``.iso`` = ``"2019-05-01"``);
    ``"昭和64年"`` → year 1989 (``.iso`` = ``"1989"``).

    :returns: ``None`` when ``text`` is not written as 和暦 (西暦, free text, ``令和6年度``)
    :raises WarekiError: it is written as 和暦 but names no real day in that era
        (``大正20年``, ``平成31年5月1日``, ``R2.2.30``), with ``code`` and ``reason``
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    m = WAREKI_DATE.match(s)
    if m:
        return _check(_era(m["era"]), _n(m["y"]), int(m["m"]), int(m["d"]) if m["d"] else None, text)
    m = WAREKI_YEAR.match(s)
    if m:
        return _check(_era(m["era"]), _n(m["y"]), None, None, text)
    return None


def parse_fiscal_year(text: str) -> int | None:
    """A 和暦 fiscal year (年度, April–March, named by the year it starts in) → that year.

    ``"令和6年度"`` → 2024, ``"令和元年度"`` → 2019, ``"平成31年度"`` → 2019 (offices wrote both).
    A fiscal year exists in an era when the era covers one of its days (``昭和64年度`` does not:
    昭和 ended 1989-01-07, before FY1989 began).

    :returns: ``None`` when ``text`` is not a 和暦 fiscal year
    :raises WarekiError: ``大正20年度``, ``昭和64年度`` (code ``outside_era``)
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    m = WAREKI_FISCAL_YEAR.match(s)
    if not m:
        return None
    era, n = _era(m["era"]), _n(m["y"])
    last_n = None
    if era.last_day is not None:  # the last fiscal year that began in the era
        end = era.last_day
        last_n = (end.year if end >= dt.date(end.year, 4, 1) else end.year - 1) - era.first_year + 1
    if n < 1 or (last_n is not None and n > last_n):
        until = f"（{era.name}は{last_n}年度まで）" if last_n is not None and n > last_n else ""
        raise WarekiError("outside_era", f"{_year_label(era, n)}度はありません{until}", text)
    return era.first_year + n - 1


def wareki_to_iso(text: str) -> str | None:
    """The ISO 8601 text of a 和暦 date or year-month; ``None`` for anything else.

    ``令和元年5月1日`` → ``"2019-05-01"``, ``H31/4/30`` → ``"2019-04-30"``, ``平成31年4月`` →
    ``"2019-04"``. ``None`` for 西暦 dates, a year alone (``令和2年``), free text and 和暦 that
    names no real day (``大正20年1月1日``, ``R2.2.30``: ``parse_wareki`` says why).
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    if not WAREKI_DATE.match(s):
        return None
    try:
        return parse_wareki(s).iso
    except WarekiError:
        return None


def parse_date(text: str) -> dt.date | None:
    """A date as Japanese files write it → ``date``: 和暦 (date or year-month) or 西暦
    (``2020-03-01``, ``2020/3/1``, ``2020年3月1日``, ``2020.3.1``, ``2020/03`` → day 1).

    :returns: ``None`` when ``text`` is not a date (``2020.3`` is a number, ``令和2年`` a year)
    :raises WarekiError: 和暦 that names no real day (``大正20年1月1日``, ``R2.2.30``)
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    if WAREKI_DATE.match(s):
        return parse_wareki(s).date
    m = SEIREKI_DATE.match(s)
    if not m:
        return None
    if m["d"] is None and "年" not in s and "." in s:
        return None  # "2020.3" is a number, not March 2020
    try:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"] or 1))
    except ValueError:
        return None


def parse_day(text: str) -> dt.date | None:
    """A whole date (year, month AND day written) → ``date``, as a form's date field needs: like ``parse_date``
    but ``None`` for a year-month (``2020/03``, ``令和2年3月``). ``令和元年5月1日``, ``R1.5.1``, ``2019-05-01``.

    :raises WarekiError: 和暦 that names no real day
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    if WAREKI_DATE.match(s):
        w = parse_wareki(s)
        return w.date if w.day is not None else None
    m = SEIREKI_DATE.match(s)
    return parse_date(s) if m and m["d"] is not None else None


def parse_japanese_date(text: str) -> dt.date | None:
    """Like ``parse_date``, but ``None`` for impossible 和暦 as well (type inference, lenient
    readers); a year-month gives its first day (``平成31年4月`` → 2019-04-01).

    >>> parse_japanese_date("R2.3.1")
    datetime.date(2020, 3, 1)
    >>> parse_japanese_date("大正20年1月1日") is None
    True
    """
    try:
        return parse_date(text)
    except WarekiError:
        return None


# ---------------------------------------------------------------- display

def era_of(day: dt.date) -> Era:
    """The era ``day`` falls in.

    :raises ValueError: ``day`` is before 明治6年1月1日 (1873-01-01, see module docstring)
    """
    if day < GREGORIAN_ADOPTED:
        raise ValueError(f"{day.isoformat()} は新暦 (1873-01-01) より前のため和暦で表せません")
    return next(era for era in reversed(ERAS) if era.first_day <= day)


def format_wareki(day: dt.date | str) -> str:
    """An ISO date (``date`` or ``"2019-05-01"``) as 和暦 for display: ``"令和元年5月1日"``.

    :raises ValueError: not an ISO date, or before 1873-01-01
    """
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    era = era_of(day)
    return f"{_year_label(era, day.year - era.first_year + 1)}{day.month}月{day.day}日"


def format_fiscal_year(year: int) -> str:
    """Fiscal year ``year`` (April ``year`` – March ``year+1``) as 和暦: ``2019`` → ``"令和元年度"``,
    ``2018`` → ``"平成30年度"``, ``1989`` → ``"平成元年度"``. The era of a fiscal year is the era on
    1 May of its first year, as offices write it (so FY2019 is 令和元年度, FY1926 大正15年度).

    :raises ValueError: ``year`` before 1873
    """
    era = era_of(dt.date(year, 5, 1))
    return f"{_year_label(era, year - era.first_year + 1)}度"
