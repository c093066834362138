"""Collection-day schedules of the 5374.jp layout (``area_days.csv`` cells).

A cell holds tokens separated by spaces; each token is one rule:

==================  ==========================================  ===========================
token               meaning                                     used by
==================  ==========================================  ===========================
``月``              every Monday (月火水木金土日)                 5374.jp (all cities)
``水2``             the 2nd Wednesday of each month (1–5)        Kawasaki, Kameoka (``水2 水4``)
``Mon`` ``Wed2``    the same in English (Mon Tue Wed Thu Fri     Kawasaki ``en-US_area_days.csv``
                    Sat Sun, case-insensitive)
``隔月20150112``    every other Monday, in the weeks of          Hachioji (Code for Hachioji)
                    2015-01-12, 2015-01-26, … (anchor YYYYMMDD)
``20150112``        that one date (irregular collection)         5374.jp (``不定期``)
``:4 6 8 10 12 2``  month list: the rules before it (back to     5374.jp LOCALIZE.md (茨城町版),
                    the previous month list or the cell's        ``水1:6 7 11 12 1 2 3 水2:4 5
                    start) apply only in these months            8 9 10`` (issue #13)
``*1``              see remark 1 of ``remarks.csv``              5374.jp (渋谷区版)
==================  ==========================================  ===========================

Month lists: ``火2 金4:4 6 8 10 12 2`` is the 2nd Tuesday and the 4th Friday of the
even months; ``水1:6 7 11 12 1 2 3 水2:4 5 8 9 10`` is the 1st Wednesday in June, July,
November–March and the 2nd Wednesday in the other months. The months follow the
colon separated by spaces (``水1:6 7``), ``、`` or ``,``; ``月`` after a number is allowed
(``6月``). The cell is NFKC-normalised first, so full-width digits and ``：`` work.

For the biweekly form the weekday letter decides the day and the anchor decides
the week: collection is on that weekday in every second week (Monday–Sunday)
counted from the week of the anchor (before the anchor as well as after it). Where the anchor itself falls on another
weekday (Hachioji's published file has ``隔火20150114``, a Wednesday) the rule is
kept and a warning says so; an anchor that is no date (``隔金20150198``) makes the
token unreadable, shown as written.

National holidays do not move collection days in this format; the collection
centres' breaks (``center.csv``) are passed to ``Schedule.next_dates`` as ``suspended``.

Sources: 5374.jp ``area_days.csv`` format (codeforkanazawa-org/5374 LOCALIZE.md),
Code for Kawasaki and Code for Hachioji data (``bundle/files/*/PROVENANCE.md``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

WEEKDAYS = "月火水木金土日"  # date.weekday() order
_ENGLISH = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TOKEN = re.compile(r"^(?:(?P<wd>[月火水木金土日]|mon|tue|wed|thu|fri|sat|sun)(?P<nth>[1-5])?"
                    r"|隔(?P<bwd>[月火水木金土日])(?P<anchor>\d{8})|(?P<date>\d{8})|\*(?P<remark>\d+))$",
                    re.IGNORECASE)
_MONTH = re.compile(r"^(\d{1,2})月?$")
_MONTH_SEP = re.compile(r"[、,，・]")
#: how far ahead next dates are looked for, in days
HORIZON_DAYS = 400
#: the same for a cell with month lists (a 5th Friday in January can be 6 years away)
MONTH_LIST_HORIZON_DAYS = 11 * 366


@dataclass(frozen=True)
class Rule:
    """One token: ``kind`` is ``weekly``, ``monthly`` (nth weekday), ``biweekly`` or ``date``;
    ``months`` (1–12) limits the rule to those months (None: every month)."""

    kind: str
    token: str
    weekday: int | None = None
    nth: int | None = None
    anchor: dt.date | None = None
    months: frozenset[int] | None = None

    def matches(self, day: dt.date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        if self.kind == "date":
            return day == self.anchor
        if day.weekday() != self.weekday:
            return False
        if self.kind == "monthly":
            return (day.day - 1) // 7 + 1 == self.nth
        if self.kind == "biweekly":
            week0 = self.anchor - dt.timedelta(days=self.anchor.weekday())
            week = day - dt.timedelta(days=day.weekday())
            return ((week - week0).days // 7) % 2 == 0
        return True

    def describe(self) -> str:
        wd = f"{WEEKDAYS[self.weekday]}曜日" if self.weekday is not None else ""
        if self.kind == "weekly":
            text = f"毎週{wd}"
        elif self.kind == "monthly":
            text = f"第{self.nth}{wd}"
        elif self.kind == "biweekly":
            text = f"隔週{wd}（{self.anchor.isoformat()} の週から）"
        else:
            text = self.anchor.isoformat()
        if self.months is not None:
            text += f"（{_months_text(self.months)}）"
        return text


def _months_text(months: frozenset[int]) -> str:
    """``6・7・11・12・1・2・3月`` → sorted from April (the Japanese fiscal year) as written cells do."""
    ordered = sorted(months, key=lambda m: (m - 4) % 12)
    return "・".join(str(m) for m in ordered) + "月"


@dataclass
class Schedule:
    """A parsed cell: its ``rules``, the raw ``text``, tokens it could not read, warnings,
    and the ids of ``remarks.csv`` rows it refers to (``*1``)."""

    text: str
    rules: list[Rule] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rules and not self.unreadable

    def describe(self) -> str:
        """Japanese description, e.g. ``毎週月曜日・毎週木曜日``, ``第2水曜日・第4水曜日`` or
        ``第1水曜日（6・7・11・12・1・2・3月）・第2水曜日（4・5・8・9・10月）``."""
        parts = [r.describe() for r in self.rules] + [f"「{t}」(読み取れません)" for t in self.unreadable]
        parts += [f"注意事項{r}を参照" for r in self.remarks]
        return "・".join(parts) if parts else "収集なし"

    def next_dates(self, start: dt.date, count: int = 3,
                   suspended: list[tuple[dt.date, dt.date]] = ()) -> list[dt.date]:
        """The next ``count`` collection days on or after ``start``.

        :param start: first day to consider (Asia/Tokyo date)
        :param suspended: inclusive ``(first, last)`` date ranges without collection
            (the 5374 ``center.csv`` year-end breaks)
        :returns: ascending dates, fewer than ``count`` if the rules run out within
            ``HORIZON_DAYS`` days (``MONTH_LIST_HORIZON_DAYS`` for a cell with month lists)
        """
        if not self.rules:
            return []
        out = []
        horizon = MONTH_LIST_HORIZON_DAYS if any(r.months is not None for r in self.rules) else HORIZON_DAYS
        for offset in range(horizon):
            try:
                day = start + dt.timedelta(days=offset)
            except OverflowError:  # past 9999-12-31
                break
            if any(a <= day <= b for a, b in suspended):
                continue
            if any(r.matches(day) for r in self.rules):
                out.append(day)
                if len(out) >= count:
                    break
        return out


def _date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _rule(token: str, schedule: Schedule) -> Rule | None:
    """The rule of one token (without month list), None if unreadable (remarks are recorded)."""
    m = _TOKEN.match(token)
    if not m:
        return None
    if m["wd"]:
        wd = m["wd"].lower()
        weekday = _ENGLISH[wd] if wd in _ENGLISH else WEEKDAYS.index(wd)
        nth = int(m["nth"]) if m["nth"] else None
        return Rule("monthly" if nth else "weekly", token, weekday, nth)
    if m["bwd"]:
        anchor = _date(m["anchor"])
        if anchor is None:
            return None
        weekday = WEEKDAYS.index(m["bwd"])
        if anchor.weekday() != weekday:
            schedule.warnings.append(
                f"「{token}」: 起点日 {anchor.isoformat()} は{WEEKDAYS[anchor.weekday()]}曜日です。"
                f"{WEEKDAYS[weekday]}曜日として、その週から隔週で数えています。")
        return Rule("biweekly", token, weekday, anchor=anchor)
    if m["date"]:
        day = _date(m["date"])
        return Rule("date", token, anchor=day) if day else None
    schedule.remarks.append(m["remark"])
    return Rule("remark", token)


def parse(text: str | None) -> Schedule:
    """Parse one ``area_days`` cell (see module docstring). Never raises: tokens it
    cannot read go to ``unreadable`` (a month list with a number outside 1–12
    makes its rules unreadable, shown as written).

    >>> [r.describe() for r in parse("水2 水4").rules]
    ['第2水曜日', '第4水曜日']
    >>> parse("水1:6 7 水2:4 5").describe()
    '第1水曜日（6・7月）・第2水曜日（4・5月）'
    """
    schedule = Schedule(text=(text or "").strip())
    cell = unicodedata.normalize("NFKC", schedule.text)
    cell = re.sub(r"\s*:\s*", ":", cell)  # 水1 : 6 7 → 水1:6 7
    group: list[tuple[str, Rule | None]] = []  # rules since the last month list
    months: list[str] | None = None  # month words of the list being read

    def close() -> None:
        nonlocal group, months
        if months is not None:
            numbers = [int(_MONTH.match(w)[1]) if _MONTH.match(w) else 0 for w in months]
            if not numbers or not all(1 <= n <= 12 for n in numbers):
                schedule.unreadable.append(" ".join(t for t, _ in group) + ":" + " ".join(months))
                group, months = [], None
                return
            else:
                group = [(t, r and (r if r.kind == "remark" else Rule(r.kind, r.token, r.weekday, r.nth, r.anchor,
                                                                       frozenset(numbers))))
                         for t, r in group]
        for token, rule in group:
            if rule is None:
                schedule.unreadable.append(token)
            elif rule.kind != "remark":
                schedule.rules.append(rule)
        group, months = [], None

    for word in cell.split():
        if months is not None and ":" not in word and all(_MONTH.match(w) for w in _MONTH_SEP.split(word) if w):
            months += [w for w in _MONTH_SEP.split(word) if w]
            continue
        if months is not None:
            close()
        token, colon, rest = word.partition(":")
        if token:
            group.append((token, _rule(token, schedule)))
        if colon:
            months = [w for w in _MONTH_SEP.split(rest) if w]
    close()
    return schedule
