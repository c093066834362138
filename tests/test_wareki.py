"""和暦 (madoguchi.wareki): era boundaries, the accepted forms, impossible dates and display (issue #12).

Also the callers: normalization reports 和暦 outside its era and leaves the cell as written,
the events import refuses the row, a records filter says why, the plans display is unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest

from madoguchi import wareki
from madoguchi.datastore.errors import QueryError
from madoguchi.events import services as events
from madoguchi.plans.display import fy_wareki
from madoguchi.wareki import (ERAS, WarekiError, format_fiscal_year, format_wareki, parse_date, parse_fiscal_year,
                              parse_japanese_date, parse_wareki, wareki_to_iso)

from .conftest import records

D = dt.date


def iso(text: str) -> str:
    value = parse_wareki(text)
    assert value is not None, text
    return value.iso


def error(text: str) -> WarekiError:
    with pytest.raises(WarekiError) as exc:
        parse_wareki(text)
    return exc.value


# --------------------------------------------------------------------------- the table


def test_table__each_era_ends_the_day_before_the_next():
    assert [(e.name, e.letter, e.abbreviation, e.first_day) for e in ERAS] == [
        ("明治", "M", "明", D(1868, 1, 25)), ("大正", "T", "大", D(1912, 7, 30)), ("昭和", "S", "昭", D(1926, 12, 25)),
        ("平成", "H", "平", D(1989, 1, 8)), ("令和", "R", "令", D(2019, 5, 1))]
    assert [e.last_day for e in ERAS] == [D(1912, 7, 29), D(1926, 12, 24), D(1989, 1, 7), D(2019, 4, 30), None]
    assert [e.last_year_in_era for e in ERAS] == [45, 15, 64, 31, None]


# --------------------------------------------------------------------------- boundaries, every era

@pytest.mark.parametrize("first, last, after, after_reason", [
    # 明治: dates are read from 明治6年1月1日, the first day of the Gregorian calendar (see below)
    ("明治6年1月1日", "明治45年7月29日", "明治45年7月30日", "明治45年7月30日はありません（明治45年は7月29日まで）"),
    ("大正元年7月30日", "大正15年12月24日", "大正15年12月25日", "大正15年12月25日はありません（大正15年は12月24日まで）"),
    ("昭和元年12月25日", "昭和64年1月7日", "昭和64年1月8日", "昭和64年1月8日はありません（昭和64年は1月7日まで）"),
    ("平成元年1月8日", "平成31年4月30日", "平成31年5月1日", "平成31年5月1日はありません（平成31年は4月30日まで）"),
])
def test_boundaries__first_and_last_day_read__the_day_after_is_an_error(first, last, after, after_reason):
    era = next(e for e in ERAS if first.startswith(e.name))
    expected_first = max(era.first_day, wareki.GREGORIAN_ADOPTED)
    assert parse_wareki(first).date == expected_first
    assert parse_wareki(last).date == era.last_day
    e = error(after)
    assert (e.code, e.reason, e.text) == ("outside_era", after_reason, after)
    assert parse_japanese_date(after) is None and wareki_to_iso(after) is None


@pytest.mark.parametrize("before, reason", [
    ("大正元年7月29日", "大正元年7月29日はありません（大正元年は7月30日から）"),
    ("昭和元年12月24日", "昭和元年12月24日はありません（昭和元年は12月25日から）"),
    ("平成元年1月7日", "平成元年1月7日はありません（平成元年は1月8日から）"),
    ("令和元年4月30日", "令和元年4月30日はありません（令和元年は5月1日から）"),
])
def test_boundaries__the_day_before_the_first_is_an_error(before, reason):
    e = error(before)
    assert (e.code, e.reason) == ("outside_era", reason)


def test_reiwa__first_day_and_no_end():
    assert iso("令和元年5月1日") == "2019-05-01"
    assert iso("令和99年12月31日") == "2117-12-31"  # the current era has no last day


def test_meiji__old_calendar_months_rejected_year_alone_accepted():
    """明治元年–5年 months and days are 旧暦 (lunisolar) dates: rejected, not read as Gregorian."""
    e = error("明治5年12月31日")
    assert e.code == "old_calendar"
    assert e.reason == "明治5年12月31日は旧暦の日付のため西暦に換算できません（新暦は明治6年1月1日から）"
    assert error("明治元年1月25日").code == "old_calendar"
    assert error("明治5年12月").code == "old_calendar"
    assert iso("明治元年") == "1868" and iso("明治5年") == "1872"
    assert iso("明治6年1月") == "1873-01"
    with pytest.raises(ValueError):
        format_wareki(D(1872, 12, 31))


# --------------------------------------------------------------------------- the examples

@pytest.mark.parametrize("text, reason", [
    ("大正20年", "大正20年はありません（大正は15年まで）"),
    ("大正20年1月1日", "大正20年はありません（大正は15年まで）"),
    ("明治60年", "明治60年はありません（明治は45年まで）"),
    ("昭和64年12月31日", "昭和64年12月31日はありません（昭和64年は1月7日まで）"),
    ("平成32年4月1日", "平成32年はありません（平成は31年まで）"),
    ("令和0年5月1日", "令和0年はありません"),
])
def test_impossible_era_years_and_dates(text, reason):
    e = error(text)
    assert (e.code, e.reason) == ("outside_era", reason)
    assert parse_japanese_date(text) is None
    if "月" in text:  # a year alone is not a date for parse_date
        with pytest.raises(WarekiError):
            parse_date(text)


@pytest.mark.parametrize("text, reason", [
    ("R2.2.30", "令和2年2月30日はありません（2月に30日はありません）"),
    ("令和2年13月1日", "令和2年13月1日はありません（月は1～12）"),
])
def test_days_no_calendar_has(text, reason):
    e = error(text)
    assert (e.code, e.reason) == ("no_such_date", reason)


# --------------------------------------------------------------------------- year and year-month forms

@pytest.mark.parametrize("text, expected", [
    ("昭和64年", "1989"), ("平成元年", "1989"), ("平成31年", "2019"), ("令和元年", "2019"), ("大正15年", "1926"),
    ("昭和元年", "1926"), ("明治45年", "1912"), ("大正元年", "1912"), ("Ｈ３１年", "2019"),
    ("昭和64年1月", "1989-01"), ("平成元年1月", "1989-01"), ("平成31年4月", "2019-04"), ("令和元年5月", "2019-05"),
    ("大正15年12月", "1926-12"), ("昭和元年12月", "1926-12"), ("H31.4", "2019-04"),
])
def test_year_and_month_forms_at_the_boundaries(text, expected):
    assert iso(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("昭和65年", "昭和65年はありません（昭和は64年まで）"),
    ("平成32年", "平成32年はありません（平成は31年まで）"),
    ("昭和64年2月", "昭和64年2月はありません（昭和64年は1月7日まで）"),
    ("平成31年5月", "平成31年5月はありません（平成31年は4月30日まで）"),
    ("令和元年4月", "令和元年4月はありません（令和元年は5月1日から）"),
    ("大正元年6月", "大正元年6月はありません（大正元年は7月30日から）"),
])
def test_year_and_month_forms__outside_the_era(text, reason):
    assert error(text).reason == reason


def test_year_alone_is_not_a_date_for_the_date_readers():
    assert parse_japanese_date("昭和64年") is None and wareki_to_iso("令和2年") is None
    assert parse_wareki("R2") is None  # a letter needs 年 to be a year


# --------------------------------------------------------------------------- spellings

@pytest.mark.parametrize("text", [
    "令和元年5月1日", "令和1年5月1日", "令和 元年 5月 1日", "令和01年05月01日", "R1.5.1", "r1.5.1", "R元.5.1", "R1/5/1",
    "R01-05-01", "令1.5.1", "令元年5月1日", "令和元年5月1", "令和元年5.1", "Ｒ１．５．１", "令和元年５月１日", "ｒ１／５／１",
    " 令和元年5月1日　",
])
def test_spellings_of_one_day(text):
    assert iso(text) == "2019-05-01"


@pytest.mark.parametrize("text, expected", [
    ("M45.7.29", "1912-07-29"), ("T1.7.30", "1912-07-30"), ("S64.1.7", "1989-01-07"), ("H1.1.8", "1989-01-08"),
    ("明45.7.29", "1912-07-29"), ("大1.7.30", "1912-07-30"), ("昭64.1.7", "1989-01-07"), ("平1.1.8", "1989-01-08"),
    ("令1.5.1", "2019-05-01"), ("ｓ６４．１．７", "1989-01-07"),
])
def test_abbreviations_of_every_era(text, expected):
    assert iso(text) == expected


@pytest.mark.parametrize("text", ["2020-03-01", "令和", "令和6年度", "令和2年3月1日に開設", "平成", "R", "12345", "",
                                  "令和6年1月1日～令和11年12月31日", "最大2年"])
def test_not_wareki(text):
    assert parse_wareki(text) is None


def test_parse_date__seireki_forms_too():
    assert [parse_date(t) for t in ("2020-03-01", "2020/3/1", "2020年3月1日", "2020.3.1", "2020/03", "2020.3")] == [
        D(2020, 3, 1), D(2020, 3, 1), D(2020, 3, 1), D(2020, 3, 1), D(2020, 3, 1), None]


# --------------------------------------------------------------------------- fiscal years

@pytest.mark.parametrize("text, expected", [
    ("令和6年度", 2024), ("令和元年度", 2019), ("平成31年度", 2019), ("平成元年度", 1989), ("昭和63年度", 1988),
    ("大正15年度", 1926), ("昭和元年度", 1926), ("R6年度", 2024), ("令和６年度", 2024), ("令和6年", None),
])
def test_parse_fiscal_year(text, expected):
    assert parse_fiscal_year(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("昭和64年度", "昭和64年度はありません（昭和は63年度まで）"),  # 昭和 ended 1989-01-07, before FY1989 began
    ("大正20年度", "大正20年度はありません（大正は15年度まで）"),
    ("平成32年度", "平成32年度はありません（平成は31年度まで）"),
])
def test_parse_fiscal_year__outside_the_era(text, reason):
    with pytest.raises(WarekiError) as exc:
        parse_fiscal_year(text)
    assert exc.value.reason == reason


# --------------------------------------------------------------------------- display

@pytest.mark.parametrize("day, expected", [
    (D(1873, 1, 1), "明治6年1月1日"), (D(1912, 7, 29), "明治45年7月29日"), (D(1912, 7, 30), "大正元年7月30日"),
    (D(1926, 12, 24), "大正15年12月24日"), (D(1926, 12, 25), "昭和元年12月25日"), (D(1989, 1, 7), "昭和64年1月7日"),
    (D(1989, 1, 8), "平成元年1月8日"), (D(2019, 4, 30), "平成31年4月30日"), (D(2019, 5, 1), "令和元年5月1日"),
    ("2026-04-02", "令和8年4月2日"),
])
def test_format_wareki(day, expected):
    assert format_wareki(day) == expected


def test_format_and_parse_round_trip_every_day_from_1873_to_2040():
    day, end, checked = D(1873, 1, 1), D(2040, 12, 31), 0
    while day <= end:
        assert parse_wareki(format_wareki(day)).date == day
        day += dt.timedelta(days=1)
        checked += 1
    assert checked == (end - D(1873, 1, 1)).days + 1


def _old_fy_wareki(year: int) -> str:  # plans.display.fy_wareki before issue #12
    for era, first in (("令和", 2019), ("平成", 1989), ("昭和", 1926)):
        if year >= first:
            n = year - first + 1
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{year}年度"


def test_fiscal_year_display__plans_output_unchanged_from_fy1927():
    assert [fy_wareki(y) for y in range(1927, 2201)] == [_old_fy_wareki(y) for y in range(1927, 2201)]
    assert (fy_wareki(2019), fy_wareki(2018), fy_wareki(1989), fy_wareki(1988)) == (
        "令和元年度", "平成30年度", "平成元年度", "昭和63年度")
    assert fy_wareki(None) == "—"
    # the era of a fiscal year is the era on 1 May of its first year: FY1926 was 大正15年度 (no 昭和 until 12/25)
    assert (format_fiscal_year(1926), fy_wareki(1925), fy_wareki(1912)) == ("大正15年度", "大正14年度", "明治45年度")
    for year in range(1873, 2118):  # era years have at most two digits: 令和99年度 = FY2117
        assert parse_fiscal_year(format_fiscal_year(year)) == year


# --------------------------------------------------------------------------- callers

def test_normalization__outside_era_reported_with_rows_and_left_as_written(ingest):
    data = ("名称,開設日\nA,令和元年5月1日\nB,平成31年5月1日\nC,昭和64年1月7日\nD,大正20年1月1日\nE,R2.3.1\n"
            "F,R2.3.2\nG,R2.3.3\nH,R2.3.4\nI,R2.3.5\nJ,R2.3.6\nK,R2.3.7\nL,R2.3.8\nM,R2.3.9\nN,R2.3.10\nO,R2.3.11\n"
            "P,R2.3.12\nQ,R2.3.13\nR,R2.3.14\nS,R2.3.15\nT,R2.3.16\nU,R2.2.30\n")
    v = ingest(data.encode(), "d.csv")
    cells = [r["開設日"] for r in records(v, limit=100)["records"]]
    assert cells[:5] == ["2019-05-01", "平成31年5月1日", "1989-01-07", "大正20年1月1日", "2020-03-01"]
    assert cells[-1] == "R2.2.30"
    by_code = {(f["code"], f["column"]): f for f in v.report["fixes"]}
    out = by_code[("wareki_outside_era", "開設日")]
    assert (out["rows"], out["count"], out["fixed"]) == ([3, 5], 2, False)
    assert out["examples"] == [{"before": "平成31年5月1日", "after": "平成31年5月1日"},
                               {"before": "大正20年1月1日", "after": "大正20年1月1日"}]
    assert out["message"].startswith("列「開設日」に元号の期間にない和暦の日付があります（例: 平成31年5月1日はありません（平成31年は4月30日まで））")
    bad = by_code[("invalid_date", "開設日")]
    assert (bad["rows"], bad["count"]) == ([22], 1)
    fixed = by_code[("wareki_to_iso_date", "開設日")]
    assert fixed["count"] == 18 and 3 not in fixed["rows"] and 5 not in fixed["rows"]


def test_normalization__a_time_after_an_outside_era_date_is_reported_too(ingest):
    data = "日時\n" + "".join(f"令和2年3月{d}日 9:30\n" for d in range(1, 20)) + "昭和64年1月8日 10:00\n"
    v = ingest(data.encode(), "d.csv")
    cells = [r["日時"] for r in records(v, limit=100)["records"]]
    assert cells[-1] == "昭和64年1月8日 10:00"
    out = {f["code"]: f for f in v.report["fixes"]}["wareki_outside_era"]
    assert (out["rows"], out["count"]) == ([21], 1)


def test_records_filter__outside_era_says_why(ingest):
    v = ingest("名称,開設日\nA,2019-05-01\nB,2019-04-30\n".encode(), "d.csv")
    assert [r["名称"] for r in records(v, filters={"開設日": "令和元年5月1日"})["records"]] == ["A"]
    with pytest.raises(QueryError) as exc:
        records(v, filters={"開設日": "平成31年5月1日"})
    assert exc.value.param == "filters"
    assert "平成31年5月1日はありません（平成31年は4月30日まで）" in str(exc.value)


EVENT_HEADER = "イベント名,開始日,終了日,掲載終了日,場所名称"


@pytest.mark.parametrize("row, column, reason", [
    ("朝市,平成31年5月1日,2026/9/5,,広場", "開始日", "平成31年5月1日はありません（平成31年は4月30日まで）"),
    ("朝市,2026/9/5,令和元年4月30日,,広場", "終了日", "令和元年4月30日はありません（令和元年は5月1日から）"),
    ("朝市,2026/9/5,2026/9/5,大正20年1月1日,広場", "掲載終了日", "大正20年はありません（大正は15年まで）"),
])
def test_events_import__outside_era_date_is_a_row_error(db, row, column, reason):
    data = "\n".join([EVENT_HEADER, "夕市,R8.9.5,R8.9.5,,広場", row, ""]).encode()
    report = events.import_standard_csv(data, file_name="x.csv")
    assert (report.read, report.created, len(report.unreadable)) == (2, 1, 1)
    bad = report.unreadable[0]
    assert bad["row"] == 3 and bad["column"] == column and reason in bad["message"]


def test_plans__a_wareki_fiscal_year_is_refused_with_the_reason():
    from madoguchi.plans.services import _not_a_year

    assert _not_a_year("令和6年度") == "年度は西暦で指定してください (令和6年度 は 2024)"
    assert "大正は15年度まで" in _not_a_year("大正20年度")
    assert "整数で指定してください" in _not_a_year("来年")


@pytest.mark.parametrize("text,expected", [
    ("令和元年5月1日", "2019-05-01"), ("R1.5.1", "2019-05-01"), ("2019-05-01", "2019-05-01"),
    ("２０２６年１２月５日", "2026-12-05"), ("2020/03", None), ("令和2年3月", None), ("2026-02-30", None), ("", None)])
def test_parse_day__a_whole_date_only(text, expected):
    """Forms' date fields (eforms) take 元年 and full-width digits but not a year-month."""
    day = wareki.parse_day(text)
    assert (day.isoformat() if day else None) == expected
