"""Collection-day schedules of the 5374.jp layout (``area_days.csv`` cells).

A cell holds tokens separated by spaces; each token is one rule:

============  ==========================================  =========================
token         meaning                                     used by
============  ==========================================  =========================
``月``        every Monday (月火水木金土日)                 5374.jp (all cities)
``水2``       the 2nd Wednesday of each month (1–5)        Kawasaki (``水2 水4``)
``隔月20150112``  every other Monday, in the weeks of       Hachioji (Code for Hachioji)
              2015-01-12, 2015-01-26, … (anchor YYYYMMDD)
``20150112``  that one date (irregular collection)         5374.jp (``不定期``)
============  ==========================================  =========================

For the biweekly form the weekday letter decides the day and the anchor decides
the week: collection is on that weekday in every second week (Monday–Sunday)
counted from the week of the anchor (before the anchor as well as after it). Where the anchor itself falls on another
weekday (Hachioji's published file has ``隔火20150114``, a Wednesday) the rule is
kept and a warning says so; an anchor that is no date (``隔金20150198``) makes the
token unreadable, shown as written.

Sources: 5374.jp ``area_days.csv`` format (codeforjapan/5374 README), Code for
Kawasaki and Code for Hachioji data (``bundle/files/*/PROVENANCE.md``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

WEEKDAYS = "月火水木金土日"  # date.weekday() order
_TOKEN = re.compile(r"^(?:(?P<wd>[月火水木金土日])(?P<nth>[1-5])?|隔(?P<bwd>[月火水木金土日])(?P<anchor>\d{8})|(?P<date>\d{8}))$")
#: how far ahead next dates are looked for, in days
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Rule:
    """One token: ``kind`` is ``weekly``, ``monthly`` (nth weekday), ``biweekly`` or ``date``."""

    kind: str
    token: str
    weekday: int | None = None
    nth: int | None = None
    anchor: dt.date | None = None

    def matches(self, day: dt.date) -> bool:
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
            return f"毎週{wd}"
        if self.kind == "monthly":
            return f"第{self.nth}{wd}"
        if self.kind == "biweekly":
            return f"隔週{wd}（{self.anchor.isoformat()} の週から）"
        return self.anchor.isoformat()


@dataclass
class Schedule:
    """A parsed cell: its ``rules``, the raw ``text``, tokens it could not read and warnings."""

    text: str
    rules: list[Rule] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rules and not self.unreadable

    def describe(self) -> str:
        """Japanese description, e.g. ``毎週月曜日・毎週木曜日`` or ``第2水曜日・第4水曜日``."""
        parts = [r.describe() for r in self.rules] + [f"「{t}」(読み取れません)" for t in self.unreadable]
        return "・".join(parts) if parts else "収集なし"

    def next_dates(self, start: dt.date, count: int = 3,
                   suspended: list[tuple[dt.date, dt.date]] = ()) -> list[dt.date]:
        """The next ``count`` collection days on or after ``start``.

        :param start: first day to consider (Asia/Tokyo date)
        :param suspended: inclusive ``(first, last)`` date ranges without collection
            (the 5374 ``center.csv`` year-end breaks)
        :returns: ascending dates, fewer than ``count`` if the rules run out within
            ``HORIZON_DAYS`` days
        """
        if not self.rules:
            return []
        out = []
        for offset in range(HORIZON_DAYS):
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


def parse(text: str | None) -> Schedule:
    """Parse one ``area_days`` cell (see module docstring). Never raises: tokens it
    cannot read go to ``unreadable``.

    >>> [r.describe() for r in parse("水2 水4").rules]
    ['第2水曜日', '第4水曜日']
    """
    schedule = Schedule(text=(text or "").strip())
    for token in schedule.text.replace("\u3000", " ").split():
        m = _TOKEN.match(token)
        if not m:
            schedule.unreadable.append(token)
        elif m["wd"]:
            nth = int(m["nth"]) if m["nth"] else None
            schedule.rules.append(Rule("monthly" if nth else "weekly", token, WEEKDAYS.index(m["wd"]), nth))
        elif m["bwd"]:
            anchor = _date(m["anchor"])
            if anchor is None:
                schedule.unreadable.append(token)
                continue
            weekday = WEEKDAYS.index(m["bwd"])
            if anchor.weekday() != weekday:
                schedule.warnings.append(
                    f"「{token}」: 起点日 {anchor.isoformat()} は{WEEKDAYS[anchor.weekday()]}曜日です。"
                    f"{WEEKDAYS[weekday]}曜日として、その週から隔週で数えています。")
            schedule.rules.append(Rule("biweekly", token, weekday, anchor=anchor))
        else:
            day = _date(m["date"])
            if day is None:
                schedule.unreadable.append(token)
            else:
                schedule.rules.append(Rule("date", token, anchor=day))
    return schedule
