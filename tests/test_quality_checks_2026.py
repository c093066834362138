"""The 2026 machine-readability checks Q2 added (issue #19 part 1): each rule's check fails on a small file
that breaks it — naming column, file rows and example cells — and passes on one that keeps it.

Files are made here (CSV text, XLSX with openpyxl) and read through the real ingestion steps (read,
normalize, type), then ``quality.checks_2026.more_findings`` / ``quality.xlsxscan.scan_xlsx`` run on them.
"""

from __future__ import annotations

import io
import time

import openpyxl
from openpyxl.styles import Font, PatternFill

from madoguchi.datastore.services import (
    normalize_table,
    read_table,
    sniff_format,
    type_table,
)
from madoguchi.quality import checks, checks_2026
from madoguchi.quality.xlsxscan import scan_xlsx


def findings(data: bytes | str, name: str = "t.csv") -> dict[str, list[dict]]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    fmt = sniff_format(name, data[:8192])
    raw = read_table(fmt, data, file=name, options={})
    fixes = normalize_table(raw)
    typed = type_table(raw, release=True)
    cols = checks.columns_of(typed, raw.row_numbers)
    return checks_2026.more_findings(cols, typed=typed, reader_info=dict(raw.info),
                                report={"warnings": raw.warnings + typed.warnings, "fixes": fixes})


def brief(found: list[dict]) -> list[tuple]:
    return [(f["code"], f["column"], f["rows"], f["count"]) for f in found]


def xlsx(rows: list[list], *, style=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for r in rows:
        ws.append(r)
    if style:
        style(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CLEAN = ("地区,人口,世帯数,調査日\n"
         "北区,100,50,2024-04-01\n"
         "南区,0,0,2024-04-01\n"
         "東区,300,120,2024-04-01\n"
         "西区,-,-,2024-04-01\n")


def test_clean_file__every_rule_checked_and_met():
    found = findings(CLEAN)
    assert set(found) == set(checks_2026.MORE_FINDINGS_RULES)
    assert {k: v for k, v in found.items() if v and k != "L3-03"} == {}
    assert [f["examples"] for f in found["L3-03"]] == [["-"], ["-"]]  # symbols (see its own test)


# ---------------------------------------------------------------- L1-02, L1-03, L1-04


def test_l1_02__second_table_below_the_first():
    bad = ("地区,人口,世帯数\n北区,100,50\n南区,200,60\n\n"
           "表2 年齢別,,\n年齢,男,女\n0-4,10,12\n5-9,11,13\n")
    [f] = findings(bad)["L1-02"]
    assert (f["code"], f["rows"], f["count"]) == ("several_tables", [5], 1)
    assert "5行目から別の表" in f["message"]
    assert findings("地区,人口,世帯数\n北区,100,50\n南区,200,60\n東区,300,70\n")["L1-02"] == []


def test_l1_02_and_l1_03__xlsx_sheet_with_two_tables_and_a_blank_column():
    rows = [["地区", None, "人口", "世帯数"], ["北区", None, 100, 50], ["南区", None, 200, 60], [],
            ["年齢", None, "男", "女"], ["0-4", None, 10, 12], ["5-9", None, 11, 13]]
    found = findings(xlsx(rows), "t.xlsx")
    assert brief(found["L1-02"]) == [("several_tables", None, [5], 1)]
    assert brief(found["L1-03"]) == [("empty_rows_in_table", None, [4], 1), ("empty_columns_in_table", None, [], 1)]
    assert found["L1-02"][0]["sheet"] == "表"


def test_l1_03__blank_rows_columns_and_repeated_header_split_the_table():
    bad = "地区,,人口\n北区,,100\n\n南区,,200\n地区,,人口\n東区,,300\n"
    got = brief(findings(bad)["L1-03"])
    assert ("repeated_header", None, [5], 1) in got
    assert ("empty_rows_in_table", None, [3], 1) in got
    assert ("empty_columns_in_table", None, [], 1) in got
    assert findings("地区,人口\n北区,100\n南区,200\n")["L1-03"] == []


def test_l1_04__notes_below_the_table():
    bad = "地区,人口,世帯数\n北区,100,50\n南区,200,60\n※ 令和6年4月1日現在,,\n出典：住民基本台帳,,\n"
    [f] = findings(bad)["L1-04"]
    assert (f["code"], f["rows"], f["count"]) == ("notes_in_table", [4, 5], 2)
    assert f["examples"] == ["※ 令和6年4月1日現在", "出典：住民基本台帳"]
    assert findings(CLEAN)["L1-04"] == []
    # a ※ remark inside a full data row is data (a 備考 column), not a note outside the table
    assert findings("地区,人口,備考\n北区,100,※ 休館中\n南区,200,改修\n")["L1-04"] == []


def test_l1_04__note_in_a_column_without_name():
    bad = "地区,人口,\n北区,100,単位：人\n南区,200,\n東区,300,\n"
    [f] = findings(bad)["L1-04"]
    assert (f["code"], f["rows"], f["examples"]) == ("note_beside_table", [2], ["単位：人"])


# ---------------------------------------------------------------- L1-09


def test_l1_09__blank_and_zero_mixed():
    bad = "地区,人口\n北区,100\n南区,0\n東区,\n西区,5\n"
    [f] = findings(bad)["L1-09"]
    assert (f["code"], f["column"], f["rows"], f["count"], f["zeros"]) == ("blank_and_zero", "人口", [4], 1, 1)
    assert findings("地区,人口\n北区,100\n南区,0\n東区,-\n")["L1-09"] == []


def test_l1_09__count_column_with_blanks_and_no_zero():
    bad = "地区,件数\n北区,3\n南区,\n東区,2\n"
    [f] = findings(bad)["L1-09"]
    assert (f["code"], f["rows"]) == ("blank_for_zero", [3])
    # a measurement with a missing value (not a count, no 0) is not judged
    assert findings("地区,面積\n北区,3.5\n南区,\n東区,2.1\n")["L1-09"] == []


# ---------------------------------------------------------------- L1-14, L1-15 (CSV only)


def test_l1_14__line_break_in_a_csv_record():
    bad = '名称,備考\n北公園,"一行目\n二行目"\n南公園,なし\n'
    [f] = findings(bad)["L1-14"]
    assert (f["code"], f["column"], f["rows"], f["examples"]) == ("line_break_in_record", "備考", [2], ["一行目↵二行目"])
    assert findings("名称,備考\n北公園,一行目\n")["L1-14"] == []


def test_l1_15__comma_not_quoted():
    bad = "名称,金額\n北公園,1,200\n南公園,300\n"
    [f] = findings(bad)["L1-15"]
    assert (f["code"], f["rows"], f["count"]) == ("unquoted_delimiter", [2], 1)
    assert findings('名称,金額\n北公園,"1,200"\n南公園,300\n')["L1-15"] == []


def test_csv_rules_are_not_returned_for_xlsx():
    found = findings(xlsx([["名称", "備考"], ["北公園", "一行目\n二行目"]]), "t.xlsx")
    assert "L1-14" not in found and "L1-15" not in found
    assert found["L1-02"] == []


# ---------------------------------------------------------------- L2-02 … L2-05


def test_l2_02__omitted_repeated_values():
    bad = "区,町,人口\n北区,一丁目,10\n,二丁目,20\n,三丁目,30\n南区,一丁目,40\n,二丁目,50\n"
    [f] = findings(bad)["L2-02"]
    assert (f["code"], f["column"], f["rows"], f["count"]) == ("omitted_repeated_values", "区", [3, 4, 6], 3)
    good = "区,町,人口\n北区,一丁目,10\n北区,二丁目,20\n北区,三丁目,30\n南区,一丁目,40\n南区,二丁目,50\n"
    assert findings(good)["L2-02"] == []
    # a sparse 備考 column right of a full column is not a grouping column
    assert findings("名称,備考,定員\nA,休館,1\nB,,2\nC,,3\nD,改修,4\nE,,5\n")["L2-02"] == []


def test_l2_03__duplicate_column_names():
    [f] = findings("名称,人口,人口\nA,1,2\n")["L2-03"]
    assert (f["code"], f["column"], f["count"]) == ("duplicate_column_name", "人口", 2)
    assert findings("名称,人口\nA,1\n")["L2-03"] == []


def test_l2_03__header_split_over_two_rows():
    bad = "地区,人口,人口,世帯\n,男,女,総数\n北区,10,12,9\n南区,11,13,8\n東区,5,6,4\n"
    got = brief(findings(bad)["L2-03"])
    assert got == [("duplicate_column_name", "人口", [], 2), ("header_in_two_rows", None, [2], 1)]
    assert findings(CLEAN)["L2-03"] == []


def test_l2_04__variant_spellings_of_one_choice():
    bad = "名称,駐車場\nA,有\nB,有り\nC,あり\nD,無\nE,無\nF,有\nG,ﾅｼ\nH,有\n"
    [f] = findings(bad)["L2-04"]
    assert (f["code"], f["column"], f["rows"], f["count"]) == ("choice_variants", "駐車場", [3, 4, 8], 3)
    assert "「有」「有り」「あり」" in f["message"] and "「無」「ﾅｼ」" in f["message"]
    good = "名称,駐車場\nA,有\nB,有\nC,無\nD,無\nE,有\nF,無\n"
    assert findings(good)["L2-04"] == []


def test_l2_05__other_with_detail_in_the_choice_column():
    bad = "名称,種別\nA,公園\nB,学校\nC,その他（集会所）\nD,公園\nE,その他:倉庫\n"
    [f] = findings(bad)["L2-05"]
    assert (f["code"], f["column"], f["rows"], f["count"]) == ("other_with_detail", "種別", [4, 6], 2)
    assert f["examples"] == ["その他（集会所）", "その他:倉庫"]  # as written
    good = "名称,種別,種別_その他\nA,公園,\nB,学校,\nC,その他,集会所\nD,公園,\nE,その他,倉庫\n"
    assert findings(good)["L2-05"] == []


# ---------------------------------------------------------------- L3-03, L3-05, L3-09


def test_l3_03__symbols_in_a_numeric_column_need_a_definition():
    bad = "地区,人口\n北区,100\n南区,x\n東区,***\n西区,5\n"
    [f] = findings(bad)["L3-03"]
    assert (f["code"], f["column"], f["rows"], f["count"]) == ("special_symbols", "人口", [3, 4], 2)
    assert f["symbols"] == ["***", "x"]
    assert findings("地区,人口\n北区,100\n南区,0\n")["L3-03"] == []


def test_l3_05__era_without_western_year_and_mixed_notations():
    era = "年度,件数\n令和4年度,1\n令和5年度,2\n令和6年度,3\n"
    assert [f["code"] for f in findings(era)["L3-05"]] == ["era_date"]
    mixed = "名称,開催日\nA,2024-04-01\nB,2024/4/2\nC,2024-04-03\nD,2024-04-04\n"
    [f] = findings(mixed)["L3-05"]
    assert (f["code"], f["column"], f["rows"], f["count"]) == ("mixed_time_notation", "開催日", [3], 1)
    assert f["notations"] == ["ISO 8601 (2024-04-01)", "スラッシュ区切り (2024/4/1)"]
    good = "年度,件数\n2022年度,1\n2023年度,2\n令和6年度(2024年度),3\n"
    assert findings(good)["L3-05"] == [] or all(f["code"] == "mixed_time_notation" for f in findings(good)["L3-05"])
    assert findings("名称,開催日\nA,2024-04-01\nB,2024-04-02\n")["L3-05"] == []


def test_l3_09__wide_table_by_years_months_ages():
    wide = "地区,2021年,2022年,2023年\n北区,1,2,3\n南区,4,5,6\n"
    [f] = findings(wide)["L3-09"]
    assert (f["code"], f["columns"], f["standard_layout"]) == ("wide_layout", ["2021年", "2022年", "2023年"], False)
    assert "年が列方向に並ぶ横持ち" in f["message"]
    ages = "地区,0～4歳,5～9,10～14,100歳以上\n北区,1,2,3,4\n"  # as 熊本市 writes them
    assert findings(ages)["L3-09"][0]["columns"] == ["0～4歳", "5～9", "10～14", "100歳以上"]
    long = "地区,年,人口\n北区,2021,1\n北区,2022,2\n北区,2023,3\n"
    assert findings(long)["L3-09"] == []


def test_l3_09__columns_of_a_declared_standard_are_marked():
    wide = "地区,2021年,2022年,2023年\n北区,1,2,3\n"
    raw = read_table("csv", wide.encode(), file="t.csv", options={})
    typed = type_table(raw, release=True)
    cols = checks.columns_of(typed, raw.row_numbers)
    [f] = checks_2026.wide_layout(cols, {"standard": {"matched_fields": 4, "errors": []}})
    assert f["standard_layout"] is True and "標準データセット" in f["message"]


# ---------------------------------------------------------------- L1-11, L1-13 (xlsxscan)


def _styled(ws):
    for c in ws[1]:
        c.font = Font(bold=True)  # a bold header is not data formatting
    ws["B4"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["C6"].font = Font(color="FF0000", bold=True)
    ws["A5"].font = Font(color="FF000000")  # black is no formatting
    ws["A7"].fill = PatternFill("solid", fgColor="FFFFFFFF")  # nor is a white fill


ROWS = [["名称", "人数", "区分"]] + [[f"施設{i}", i * 3, "A"] for i in range(10)]


def test_l1_11__formatting_that_tells_values_apart():
    scan = scan_xlsx(xlsx(ROWS, style=_styled), "表")
    got = [(f["column"], f["rows"], f["count"], f["kinds"]) for f in scan["formatting"]]
    assert got == [("B", [4], 1, ["fill"]), ("C", [6], 1, ["font_color", "bold"])]
    assert scan["formatting"][0]["sheet"] == "表"
    assert scan_xlsx(xlsx(ROWS, style=lambda ws: [setattr(c, "font", Font(bold=True)) for c in ws[1]]),
                     "表")["formatting"] == []


def test_l1_11__banded_rows_and_the_given_header_row():
    def banded(ws):
        for r in range(3, 12, 2):
            for c in ws[r]:
                c.fill = PatternFill("solid", fgColor="DDDDDD")
    assert scan_xlsx(xlsx(ROWS, style=banded), "表")["formatting"] == []

    def title(ws):
        ws.insert_rows(1)
        ws["A1"] = "施設一覧"
        ws["A1"].font = Font(bold=True, size=16)
        ws["B5"].font = Font(bold=True)
    scan = scan_xlsx(xlsx(ROWS, style=title), "表", header_row=2)
    assert [(f["column"], f["rows"], f["kinds"]) for f in scan["formatting"]] == [("B", [5], ["bold"])]


def test_l1_11__many_chunks_give_the_same_cells(monkeypatch):
    """Past the first chunk, (column, style) pairs are counted in bulk: the result must not change."""
    from madoguchi.quality import xlsxscan

    plain, red = Font(name="MS Gothic", size=10), Font(name="MS Gothic", size=10, color="FF0000")
    rows = [["名称", "人数", "区分"]] + [[f"施設{i}", i, "A"] for i in range(3000)]

    def style(ws):
        for row in ws.iter_rows(min_row=2):
            for c in row:
                c.font = plain
        for ref in ("B10", "B2500", "C2990"):
            ws[ref].font = red
        ws["A2000"].fill = PatternFill("solid", fgColor="FFFF00")
    data = xlsx(rows, style=style)
    whole = scan_xlsx(data, "表")["formatting"]
    monkeypatch.setattr(xlsxscan, "CHUNK_BYTES", 16384)
    chunked = scan_xlsx(data, "表")["formatting"]
    assert chunked == whole
    assert [(f["column"], f["rows"], f["kinds"]) for f in whole] == [
        ("A", [2000], ["fill"]), ("B", [10, 2500], ["font_color"]), ("C", [2990], ["font_color"])]
    hidden = scan_xlsx(xlsx(rows, style=lambda ws: setattr(ws.row_dimensions[2900], "hidden", True)), "表")["hidden"]
    assert hidden["rows"] == [2900]


def test_l1_13__hidden_rows_columns_and_sheets():
    def hide(ws):
        ws.row_dimensions[8].hidden = True
        ws.column_dimensions["C"].hidden = True
        ws.parent.create_sheet("作業用").sheet_state = "hidden"
    scan = scan_xlsx(xlsx(ROWS, style=hide), "表")
    assert scan["hidden"] == {"sheet": "表", "rows": [8], "row_count": 1, "columns": ["C"], "column_count": 1,
                              "sheets": ["作業用"]}
    clean = scan_xlsx(xlsx(ROWS), "表")["hidden"]
    assert (clean["rows"], clean["columns"], clean["sheets"]) == ([], [], [])


def test_l1_13__collapsed_outline_group_is_hidden():
    def group(ws):
        ws.row_dimensions.group(3, 5, hidden=True, outline_level=1)
    scan = scan_xlsx(xlsx(ROWS, style=group), "表")
    assert scan["hidden"]["rows"] == [3, 4, 5]


def test_xlsx_findings_name_the_sheet():
    found = findings(xlsx([["地区", "人口"], ["北区", 0], ["南区", None], ["東区", 3]]), "t.xlsx")
    [f] = found["L1-09"]
    assert (f["sheet"], f["column"], f["rows"]) == ("表", "人口", [3])


def test_a_failing_check_leaves_only_its_rule_out(monkeypatch):
    def broken(cols):
        raise RuntimeError("boom")
    monkeypatch.setattr(checks_2026, "_CHECKS_2026", [("L2-03", lambda c, r, i: broken(c), False),
                                                 *[c for c in checks_2026._CHECKS_2026 if c[0] != "L2-03"]])
    found = findings(CLEAN)
    assert "L2-03" not in found and found["L1-09"] == []


# ---------------------------------------------------------------- speed


def test_more_findings_on_100k_rows_is_fast():
    n = 100_000
    lines = ["地区,年度,人口,世帯数,種別,備考,調査日"]
    kinds = ["公園", "学校", "会館", "その他"]
    for i in range(n):
        lines.append(f"区{i % 50},{2000 + i % 20}年度,{i % 997},{'' if i % 11 == 0 else i % 13},{kinds[i % 4]},"
                     f"{'メモ' + str(i) if i % 7 == 0 else ''},2024-{1 + i % 12:02d}-{1 + i % 28:02d}")
    raw = read_table("csv", ("\n".join(lines) + "\n").encode(), file="big.csv", options={})
    normalize_table(raw)
    typed = type_table(raw, release=True)
    cols = checks.columns_of(typed, raw.row_numbers)
    report = {"warnings": raw.warnings + typed.warnings}
    checks_2026.more_findings(cols, typed=typed, reader_info=dict(raw.info), report=report)  # warm up
    t = time.perf_counter()
    found = checks_2026.more_findings(cols, typed=typed, reader_info=dict(raw.info), report=report)
    elapsed = time.perf_counter() - t
    assert [f["code"] for f in found["L1-09"]] == ["blank_and_zero"]
    assert elapsed < 1.0, elapsed  # measured ≈ 0.1–0.2 s; the budget is 0.5 s, with room for a busy machine
