"""Collection-day schedules (5374.jp ``area_days`` syntax) against dates computed here.

Every cell of both bundled ``area_days.csv`` files is checked against an
independent computation (``calendar.monthcalendar`` for ``水2``, whole
fortnights from the anchor's week for ``隔月20150112``) from several start dates.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re

import pytest

from madoguchi.bundle.loader import FILES
from madoguchi.gomi.schedule import parse

WEEKDAYS = "月火水木金土日"
STARTS = [dt.date(2015, 1, 1), dt.date(2024, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 12, 30), dt.date(2031, 6, 9)]


def _cells() -> list[tuple[str, str, str]]:
    out = []
    for name, skip in (("kawasaki-5374/ja_area_days.csv", {"マスター", "地名", "センター"}),
                       ("hachioji-5374/area_days.csv", {"地名", "センター"})):
        with open(FILES / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                out += [(row["地名"], col, cell) for col, cell in row.items() if col not in skip]
    return out


def _dates_in(year: int, month: int, token: str) -> list[dt.date]:
    """Dates of one token in one month, computed without the service."""
    m = re.fullmatch(r"([月火水木金土日])([1-5])?", token)
    if m:
        wd = WEEKDAYS.index(m[1])
        weeks = [w[wd] for w in calendar.monthcalendar(year, month) if w[wd]]
        days = weeks if not m[2] else weeks[int(m[2]) - 1:int(m[2])]
        return [dt.date(year, month, d) for d in days]
    m = re.fullmatch(r"隔([月火水木金土日])(\d{4})(\d{2})(\d{2})", token)
    anchor = dt.date(int(m[2]), int(m[3]), int(m[4]))
    first = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(days=WEEKDAYS.index(m[1]))
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    # whole fortnights to the last collection day on or before the 1st (also before the anchor)
    first += dt.timedelta(days=14 * ((dt.date(year, month, 1) - first).days // 14))
    out, day = [], first
    while day <= last:
        if (day.year, day.month) == (year, month):
            out.append(day)
        day += dt.timedelta(days=14)
    return out


def _expected(cell: str, start: dt.date, count: int = 3) -> list[dt.date]:
    found: set[dt.date] = set()
    for k in range(3):
        y, m = divmod(start.month - 1 + k, 12)
        for token in cell.split():
            found.update(_dates_in(start.year + y, m + 1, token))
    return sorted(d for d in found if d >= start)[:count]


def _readable(cell: str) -> bool:
    try:
        for token in cell.split():
            m = re.fullmatch(r"隔.(\d{8})", token)
            if m:
                dt.date.fromisoformat(f"{m[1][:4]}-{m[1][4:6]}-{m[1][6:]}")
        return True
    except ValueError:
        return False


CELLS = _cells()


def test_every_published_cell__next_dates_match_an_independent_computation():
    assert len(CELLS) == 264 * 8 + 135 * 12
    checked = 0
    for town, column, cell in CELLS:
        if not cell.strip() or not _readable(cell):
            continue
        schedule = parse(cell)
        assert not schedule.unreadable, (town, column, cell)
        for start in STARTS:
            assert schedule.next_dates(start, 3) == _expected(cell, start), (town, column, cell, start)
        checked += 1
    assert checked > 3500


@pytest.mark.parametrize("cell, description", [
    ("月 木", "毎週月曜日・毎週木曜日"),
    ("水2 水4", "第2水曜日・第4水曜日"),
    ("隔月20150112", "隔週月曜日（2015-01-12 の週から）"),
    ("20150112", "2015-01-12"),
    ("", "収集なし"),
])
def test_parse__describes_each_form_in_japanese(cell, description):
    assert parse(cell).describe() == description


def test_parse__anchor_on_another_weekday_keeps_the_weekday_and_warns():
    """Hachioji's file has 隔火20150114 (2015-01-14 is a Wednesday) for 泉町 and others."""
    schedule = parse("隔火20150114")
    assert len(schedule.warnings) == 1 and "水曜日" in schedule.warnings[0]
    assert schedule.next_dates(dt.date(2015, 1, 1), 3) == [dt.date(2015, 1, 13), dt.date(2015, 1, 27),
                                                           dt.date(2015, 2, 10)]


def test_parse__an_anchor_that_is_no_date_is_unreadable_and_shown_as_written():
    """Hachioji's file has 隔金20150198 (no 98th day) for 寺町 and three more towns."""
    assert sum("隔金20150198" in cell for _, _, cell in CELLS) == 4
    schedule = parse("隔金20150198")
    assert schedule.rules == [] and schedule.unreadable == ["隔金20150198"]
    assert schedule.next_dates(dt.date(2026, 1, 1)) == []
    assert "読み取れません" in schedule.describe()


def test_next_dates__skip_suspended_days_and_run_out():
    schedule = parse("月 木")
    year_end = [(dt.date(2014, 12, 31), dt.date(2015, 1, 3))]
    assert schedule.next_dates(dt.date(2014, 12, 29), 3, year_end) == [
        dt.date(2014, 12, 29), dt.date(2015, 1, 5), dt.date(2015, 1, 8)]  # 1/1 (木) is skipped
    assert parse("20150112").next_dates(dt.date(2015, 1, 1), 3) == [dt.date(2015, 1, 12)]
    assert parse("20150112").next_dates(dt.date(2015, 1, 13), 3) == []
    assert parse("金5").next_dates(dt.date(2026, 1, 1), 2) == [dt.date(2026, 1, 30), dt.date(2026, 5, 29)]
