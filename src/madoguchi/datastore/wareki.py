"""Japanese dates: 和暦 (era years) and the date spellings Japanese files use.

Era first days are the dates of the era-name changes (元号法 / 政令):
明治 1868-01-25 (as year 1 reckoning: 1868), 大正 1912-07-30, 昭和 1926-12-25,
平成 1989-01-08, 令和 2019-05-01. Year 1 is written 元年 as well as 1.
Accepted forms (full-width digits are folded first by NFKC):

    令和2年3月1日  令和 02年05月01日  令和元年5月1日  平成31年4月 (→ day 1)
    R2.3.1  H31.4.30  R2/3/1  R02-03-01
    2020-03-01  2020/3/1  2020年3月1日  2020.3.1  2020/03 (→ day 1)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

ERA_START_YEAR = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_WAREKI = re.compile(
    r"^(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*(?P<y>元|\d{1,2})\s*(?:年|[./\-])\s*"
    r"(?P<m>\d{1,2})\s*(?:月|[./\-])?\s*(?:(?P<d>\d{1,2})\s*日?)?$",
    re.IGNORECASE,
)
_SEIREKI = re.compile(
    r"^(?P<y>\d{4})\s*(?:年|[./\-])\s*(?P<m>\d{1,2})\s*(?:月|[./\-])?\s*(?:(?P<d>\d{1,2})\s*日?)?$"
)


def parse_japanese_date(text: str) -> dt.date | None:
    """Parse a Japanese or ISO-like date string; return ``None`` if it is not one.

    Month-only values (``平成31年4月``) give the first day of the month. Invalid
    calendar dates (``R2.2.30``) and a year outside the era (``平成32年`` is
    accepted as 2020 the way offices write it; ``昭和100年`` is rejected) give
    ``None``.

    >>> parse_japanese_date("R2.3.1")
    datetime.date(2020, 3, 1)
    >>> parse_japanese_date("令和元年5月1日")
    datetime.date(2019, 5, 1)
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _WAREKI.match(s)
    if m:
        era = m["era"]
        era = ERA_LETTERS.get(era.upper(), era)
        year_in_era = 1 if m["y"] == "元" else int(m["y"])
        if year_in_era < 1 or year_in_era > 64:
            return None
        year = ERA_START_YEAR[era] + year_in_era - 1
    else:
        m = _SEIREKI.match(s)
        if not m:
            return None
        year = int(m["y"])
        if m["d"] is None and "年" not in s and "." in s:
            return None  # "2020.3" is a number, not March 2020
    try:
        return dt.date(year, int(m["m"]), int(m["d"] or 1))
    except ValueError:
        return None


def wareki_to_iso(text: str) -> str | None:
    """The ISO 8601 text of a 和暦 date, or ``None`` if ``text`` is not one.

    ``令和元年5月1日`` → ``"2019-05-01"``, ``H31/4/30`` → ``"2019-04-30"``;
    written without a day (``平成31年4月``) → ``"2019-04"``. 西暦 dates give
    ``None`` (they are not 和暦); so do impossible dates (``R2.2.30``).
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _WAREKI.match(s)
    if not m:
        return None
    date = parse_japanese_date(s)
    if date is None:
        return None
    return date.isoformat() if m["d"] is not None else date.isoformat()[:7]
