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
from pathlib import Path

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


# --- month lists on weekday(-of-month) entries (issue #13 part 7) -----------------------------

MONTH_LIST = "水1:6 7 11 12 1 2 3 水2:4 5 8 9 10"


def _month_list_expected(start: dt.date, count: int) -> list[dt.date]:
    """The first Wednesday in Jun, Jul, Nov–Mar and the second in the other months, from
    ``calendar.monthcalendar`` (independent of the service)."""
    out = []
    year, month = start.year, start.month
    while len(out) < count:
        nth = 1 if month in (6, 7, 11, 12, 1, 2, 3) else 2
        wednesdays = [w[2] for w in calendar.monthcalendar(year, month) if w[2]]
        day = dt.date(year, month, wednesdays[nth - 1])
        if day >= start:
            out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def test_month_list__next_dates_across_a_year_end():
    schedule = parse(MONTH_LIST)
    assert not schedule.unreadable and len(schedule.rules) == 2
    assert schedule.describe() == "第1水曜日（6・7・11・12・1・2・3月）・第2水曜日（4・5・8・9・10月）"
    assert schedule.next_dates(dt.date(2026, 12, 3), 4) == [  # 12/2 is the 1st Wednesday: gone
        dt.date(2027, 1, 6), dt.date(2027, 2, 3), dt.date(2027, 3, 3), dt.date(2027, 4, 14)]
    for start in [*STARTS, dt.date(2027, 12, 31), dt.date(2028, 2, 29), dt.date(2030, 3, 31)]:
        assert schedule.next_dates(start, 12) == _month_list_expected(start, 12), start


def test_month_list__one_list_for_every_entry_before_it_as_in_the_5374_readme():
    """5374.jp LOCALIZE.md: ``火2 金4:4 6 8 10 12 2`` = 2nd Tuesday and 4th Friday of the even months."""
    schedule = parse("火2 金4:4 6 8 10 12 2")
    got = schedule.next_dates(dt.date(2026, 11, 1), 6)
    assert got == [dt.date(2026, 12, 8), dt.date(2026, 12, 25), dt.date(2027, 2, 9), dt.date(2027, 2, 26),
                   dt.date(2027, 4, 13), dt.date(2027, 4, 23)]
    assert schedule.describe() == "第2火曜日（4・6・8・10・12・2月）・第4金曜日（4・6・8・10・12・2月）"


@pytest.mark.parametrize("cell, start, expected", [
    # 5th Friday only in the listed months (Jan 2027 has 1/29, Apr 2027 4/30, Jan 2028 none)
    ("金5:1 4", dt.date(2026, 12, 1), [dt.date(2027, 1, 29), dt.date(2027, 4, 30)]),
    # none in 2028; a month list looks further ahead than 400 days
    ("金5:1 4", dt.date(2027, 5, 1), "computed"),
    ("月:12", dt.date(2026, 12, 29), [dt.date(2027, 12, 6), dt.date(2027, 12, 13)]),  # weekly, one month
    ("木1：１２ ３", dt.date(2026, 12, 4), [dt.date(2027, 3, 4), dt.date(2027, 12, 2)]),  # full-width
    ("木1: 12、3月", dt.date(2026, 12, 4), [dt.date(2027, 3, 4), dt.date(2027, 12, 2)]),
    ("Wed1:6 7 Wed2:4 5", dt.date(2027, 3, 1), [dt.date(2027, 4, 14), dt.date(2027, 5, 12)]),
    ("月 木 *1", dt.date(2026, 12, 31), [dt.date(2026, 12, 31), dt.date(2027, 1, 4)]),  # remark reference
])
def test_month_list__other_spellings(cell, start, expected):
    if expected == "computed":  # 5th Fridays of January and April, by calendar.monthcalendar
        fridays = {(y, m): [w[4] for w in calendar.monthcalendar(y, m) if w[4]] for y in range(2027, 2040) for m in (1, 4)}
        expected = sorted(d for d in (dt.date(y, m, f[4]) for (y, m), f in fridays.items() if len(f) == 5)
                          if d >= start)[:2]
        assert expected[0].year >= 2029
    schedule = parse(cell)
    assert schedule.unreadable == [] and schedule.next_dates(start, 2) == expected


def test_month_list__a_month_that_is_no_month_is_unreadable_and_shown_as_written():
    schedule = parse("水1:13 14 木")
    assert schedule.unreadable == ["水1:13 14"] and [r.token for r in schedule.rules] == ["木"]
    assert "「水1:13 14」(読み取れません)" in schedule.describe()
    assert parse("7").unreadable == ["7"]  # a month without an entry
    assert parse("月 木 *1").remarks == ["1"] and parse("月 木 *1").describe().endswith("注意事項1を参照")


REAL = Path("/work/shared/data/real")


def _real_files() -> list[Path]:
    """Every 5374 area_days file: the bundled ones, and the real files kept outside the repo when present."""
    return sorted(FILES.glob("*5374*/*area_days.csv")) + sorted(REAL.glob("*5374*/*area_days.csv"))


def _rows(path: Path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    return list(csv.DictReader(text.splitlines()))


def test_real_files__every_cell_is_readable():
    """No 「読み取れません」 for any published cell except 隔金20150198 (no such date; Hachioji)."""
    meta = {"_id", "地名", "センター", "マスター", "Master", "Name", "Center"}
    cells = unreadable = 0
    for path in _real_files():
        for row in _rows(path):
            for column, cell in row.items():
                if column in meta:
                    continue
                cells += 1
                schedule = parse(cell)
                if schedule.unreadable:
                    assert schedule.unreadable == ["隔金20150198"], (path, column, cell)
                    unreadable += 1
                else:
                    assert schedule.rules or not cell.strip(), (path, column, cell)
    assert cells >= 264 * 8 * 2 + 135 * 12
    assert unreadable == 4 * len([p for p in _real_files() if p.parent.name == "hachioji-5374"])


def test_real_files__english_cells_give_the_dates_of_the_japanese_ones():
    """Kawasaki's en-US_area_days.csv (``Mon Thu``, ``Wed2 Wed4``) is the same table as ja_area_days.csv."""
    ja = _rows(FILES / "kawasaki-5374/ja_area_days.csv")
    en = _rows(FILES / "kawasaki-5374/en-US_area_days.csv")
    assert len(ja) == len(en) == 264
    for jrow, erow in zip(ja, en):
        jcells, ecells = list(jrow.values())[3:], list(erow.values())[3:]
        assert len(jcells) == len(ecells) == 8
        for jcell, ecell in zip(jcells, ecells):
            for start in STARTS[:3]:
                assert parse(ecell).next_dates(start, 3) == parse(jcell).next_dates(start, 3), (jcell, ecell)
