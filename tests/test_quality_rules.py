"""Quality report (issue #3): machine-readability rules, completeness, duplicates, 5 stars.

Each rule is named by its check number in 総務省「統計表における機械判読可能なデータ作成に関する
表記方法」(2020) and must fail on the file that breaks it, naming column and file rows, and pass
on a clean file.
"""

from __future__ import annotations

import io

import pytest

from madoguchi.quality.services import quality_report

pytestmark = pytest.mark.django_db

# Row 1 is a title, the header is row 2; the 備考 cell of the data row on line 4 spans lines 4–5,
# so the following rows start on lines 6, 7, 8.
BAD_CSV = ("施設一覧（令和3年4月1日現在）\n"
           "NO,名称,種別,料金,備考\n"
           "1,①公園,公園,200,\n"
           "2,㈱テスト商店,学校,300,\"一行目\n二行目\"\n"
           "3,中央会館,公園・学校,100円,\n"
           "3,中央会館,公園・学校,100円,\n"
           "5,東会館,学校,400,\n").encode("utf-8")

CLEAN_CSV = ("NO,名称,種別,料金,全国地方公共団体コード\n"
             "1,中央公園,公園,200,222127\n"
             "2,東小学校,学校,300,222127\n"
             "3,西会館,会館,100,222127\n").encode("utf-8")


def rules_of(version) -> dict:
    return {r["id"]: r for r in quality_report(version)["rules"]}


def evidence(rule: dict) -> list[tuple]:
    return [(e["code"], e["column"], e["rows"], e["count"]) for e in rule["evidence"]]


def test_bad_csv__each_rule_fails_naming_column_and_rows(ingest):
    rules = rules_of(ingest(BAD_CSV, "bad.csv"))

    assert rules["header_first_row"]["result"] == "fail"
    assert rules["header_first_row"]["note"] == "見出しが 2 行目にあります"
    assert evidence(rules["header_first_row"]) == [("title_rows_skipped", None, [1], 1)]

    chars = rules["platform_dependent_characters"]
    assert (chars["number"], chars["result"]) == ("1-10", "fail")
    assert evidence(chars) == [("platform_dependent_characters", "名称", [3, 4], 2)]
    assert chars["evidence"][0]["characters"] == ["①", "㈱"]

    units = rules["numbers_without_text"]
    assert (units["number"], units["result"]) == ("1-3", "fail")
    assert evidence(units) == [("number_with_unit", "料金", [6, 7], 2)]
    assert units["evidence"][0]["examples"] == ["100円"]

    one = rules["one_value_per_cell"]
    assert (one["number"], one["result"]) == ("1-2", "fail")
    assert evidence(one) == [("several_values_in_cell", "種別", [6, 7], 2), ("line_break_in_cell", "備考", [4], 1)]


def test_bad_csv__completeness_and_duplicates(ingest):
    q = quality_report(ingest(BAD_CSV, "bad.csv"))
    empty = {c["column"]: (c["empty"], c["filled"]) for c in q["completeness"]}
    assert empty == {"NO": (0, 5), "名称": (0, 5), "種別": (0, 5), "料金": (0, 5), "備考": (4, 1)}
    assert q["duplicates"] == {"count": 1, "groups": 1, "rows": [7], "examples": [[6, 7]]}
    [ids] = q["duplicate_ids"]
    assert (ids["column"], ids["rows"], ids["count"]) == ("NO", [6, 7], 1)
    assert ids["examples"] == [{"value": "3", "rows": [6, 7]}]


def test_clean_csv__every_checkable_rule_passes(ingest):
    q = quality_report(ingest(CLEAN_CSV, "clean.csv"))
    results = {r["id"]: r["result"] for r in q["rules"]}
    assert results == {
        "file_format": "pass", "one_value_per_cell": "pass", "numbers_without_text": "pass",
        "merged_cells": "not_applicable", "layout_spaces": "pass", "column_names": "pass",
        "formulas": "not_applicable", "objects": "not_applicable", "units_stated": "manual",
        "platform_dependent_characters": "pass", "western_calendar": "pass", "area_codes": "pass",
        "not_split": "pass", "header_first_row": "pass", "encoding": "pass", "local_government_code": "pass",
    }
    assert q["summary"] == {"score": 100, "grade": "A", "passed": 12, "failed": 0}
    assert q["duplicates"]["count"] == 0 and q["duplicate_ids"] == []
    assert q["assessed"] is True


def test_cp932_csv__encoding_rule_fails(ingest):
    rules = rules_of(ingest(CLEAN_CSV.decode("utf-8").encode("cp932"), "sjis.csv"))
    assert rules["encoding"]["result"] == "fail"
    assert rules["encoding"]["note"].startswith("文字コード cp932 です")


def test_era_years__rule_1_11_fails_and_names_rows(ingest):
    data = "年度,件数\n令和3年度,10\n令和4年度,12\n2023年度（令和5年度）,9\n".encode("utf-8")
    rule = rules_of(ingest(data, "era.csv"))["western_calendar"]
    assert (rule["number"], rule["result"]) == ("1-11", "fail")
    era = [e for e in rule["evidence"] if e["code"] == "era_date"]
    assert [(e["column"], e["rows"], e["count"]) for e in era] == [("年度", [2, 3], 2)]


def test_era_dates_converted__rule_fails_and_lists_the_fix(ingest):
    data = "日付,件数\n令和3年4月1日,10\n令和3年5月1日,12\n".encode("utf-8")
    rule = rules_of(ingest(data, "era.csv"))["western_calendar"]
    assert rule["result"] == "fail"
    assert [f["code"] for f in rule["fixes"]] == ["wareki_to_iso_date"]
    assert rule["note"].startswith("取り込み時に修正済みです")


def test_repeated_header_and_blank_row__split_and_layout_fail(ingest):
    data = "名称,人数\n中央,10\n東,12\n\n名称,人数\n西,9\n".encode("utf-8")
    rules = rules_of(ingest(data, "split.csv"))
    assert evidence(rules["not_split"]) == [("repeated_header", None, [5], 1)]
    assert [(e["code"], e["rows"]) for e in rules["layout_spaces"]["evidence"]] == [("empty_rows_dropped", [4])]


def test_wrong_local_government_code__fails_with_rows(ingest):
    data = "全国地方公共団体コード,名称\n222127,焼津市\n222128,誤り\n".encode("utf-8")
    rule = rules_of(ingest(data, "codes.csv"))["local_government_code"]
    assert rule["result"] == "fail"
    assert evidence(rule) == [("invalid_local_government_code", "全国地方公共団体コード", [3], 1)]


def _xlsx(merge: str | None = None, formula: bool = False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "施設"
    ws.append(["区", "施設名", "定員"])
    ws.append(["中央区", "中央会館", 100])
    ws.append([None, "中央公民館", 50])
    ws.append(["東区", "東会館", 80])
    if merge:
        ws.merge_cells(merge)
    if formula:
        ws["C5"] = "=SUM(C2:C4)"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_merged_cells__rule_1_4_fails_naming_the_range(ingest):
    rules = rules_of(ingest(_xlsx(merge="A2:A3", formula=True), "merged.xlsx"))
    merged = rules["merged_cells"]
    assert (merged["number"], merged["result"]) == ("1-4", "fail")
    assert merged["evidence"][0]["cells"] == ["A2:A3"]
    assert "A2:A3" in merged["evidence"][0]["message"]
    assert rules["formulas"]["result"] == "fail" and rules["formulas"]["evidence"][0]["cells"] == ["C5"]
    assert rules["objects"]["result"] == "pass"


def test_xlsx_without_merges__rule_1_4_passes(ingest):
    rules = rules_of(ingest(_xlsx(), "plain.xlsx"))
    assert (rules["merged_cells"]["result"], rules["formulas"]["result"]) == ("pass", "pass")


@pytest.mark.parametrize("file_name, data, license_id, stars", [
    ("clean.csv", CLEAN_CSV, "cc-by-4.0", 3),
    ("plain.xlsx", None, "cc-by-4.0", 3),
    ("report.pdf", b"%PDF-1.4\n% a scanned table\n", "cc-by-4.0", 1),
    ("clean.csv", CLEAN_CSV, "other-closed", 0),
])
def test_star_rating(ingest, make_dataset, file_name, data, license_id, stars):
    dataset = make_dataset("stars", license_id=license_id)
    q = quality_report(ingest(data or _xlsx(), file_name, dataset=dataset))
    assert q["star_rating"] == stars
    assert [s["met"] for s in q["stars"]] == [i < stars for i in range(5)]


def test_star_rating__reasons_and_next_step(ingest, make_dataset):
    xlsx = quality_report(ingest(_xlsx(), "plain.xlsx", dataset=make_dataset("x")))
    assert "CSV・JSON でも配信" in xlsx["stars"][2]["reason"]
    assert xlsx["next_star"].startswith("データを RDF で公開")
    pdf = quality_report(ingest(b"%PDF-1.4\n", "report.pdf", dataset=make_dataset("p")))
    assert pdf["next_star"] == "PDF や画像ではなく CSV や Excel で表のデータを公開する"
    assert {r["id"]: r["result"] for r in pdf["rules"]}["file_format"] == "fail"


def test_version_ingested_before_quality_checks__assessed_from_its_original(ingest):
    version = ingest(BAD_CSV, "bad.csv")
    version.report.pop("quality")
    q = quality_report(version)
    rule = {r["id"]: r for r in q["rules"]}["platform_dependent_characters"]
    assert q["assessed"] is True
    assert evidence(rule) == [("platform_dependent_characters", "名称", [3, 4], 2)]


def test_version_without_quality_facts__cell_rules_not_assessed(ingest):
    version = ingest(CLEAN_CSV, "clean.csv")
    version.report.pop("quality")
    q = quality_report(version, assess_missing=False)
    results = {r["id"]: r["result"] for r in q["rules"]}
    assert q["assessed"] is False
    assert results["platform_dependent_characters"] == "not_assessed"
    assert results["header_first_row"] == "pass"  # from the reader's report


def test_xlsx_with_a_chart__rule_1_8_fails(ingest):
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    wb = load_workbook(io.BytesIO(_xlsx()))
    ws = wb.active
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    ws.add_chart(chart, "E2")
    buf = io.BytesIO()
    wb.save(buf)
    rule = rules_of(ingest(buf.getvalue(), "chart.xlsx"))["objects"]
    assert (rule["number"], rule["result"]) == ("1-8", "fail")
    assert rule["evidence"][0]["message"] == "図形・グラフ・画像などのオブジェクトがあります"


def test_xlsx_scan__same_result_whatever_the_chunk_size(monkeypatch):
    from openpyxl import Workbook

    from madoguchi.quality import xlsxscan

    wb = Workbook()
    ws = wb.active
    for i in range(1, 3001):
        ws.append([f"名称{i}", i, f"=B{i}*2" if i % 500 == 0 else i])
    for i in range(10, 3000, 400):
        ws.merge_cells(f"D{i}:E{i}")
    buf = io.BytesIO()
    wb.save(buf)
    whole = xlsxscan.scan_xlsx(buf.getvalue(), "Sheet")
    assert whole["formula_count"] == 6 and whole["formula_cells"] == ["C500", "C1000", "C1500", "C2000", "C2500", "C3000"]
    assert whole["merged_count"] == 8
    assert sorted(whole["merged"]) == sorted(f"D{i}:E{i}" for i in range(10, 3000, 400))
    monkeypatch.setattr(xlsxscan, "CHUNK_BYTES", 97)
    assert xlsxscan.scan_xlsx(buf.getvalue(), "Sheet") == whole
