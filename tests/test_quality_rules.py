"""Quality report (issues #3, #19): machine-readability rules, completeness, duplicates, 5 stars.

Each rule is named by its official ID in デジタル庁「行政データにおける機械可読性に関するルール」(2026)
and must fail on the file that breaks it, naming column and file rows, and pass on a clean file
(more per-rule cases: tests/test_quality_2026.py).
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
           "5,東会館,学校,400,\n").encode()

CLEAN_CSV = ("NO,名称,種別,料金,全国地方公共団体コード\n"
             "1,中央公園,公園,200,222127\n"
             "2,東小学校,学校,300,222127\n"
             "3,西会館,会館,100,222127\n").encode()


def rules_of(version) -> dict:
    return {r["id"]: r for r in quality_report(version)["rules"]}


def evidence(rule: dict) -> list[tuple]:
    return [(e["code"], e["column"], e["rows"], e["count"]) for e in rule["evidence"]]


def test_bad_csv__each_rule_fails_naming_column_and_rows(ingest):
    rules = rules_of(ingest(BAD_CSV, "bad.csv"))

    header = rules["L3-01"]
    assert (header["result"], header["published"]) == ("fail", "pass")  # the title row is not published
    assert header["note"].startswith("見出しが 2 行目にあります")
    assert evidence(header) == [("title_rows_skipped", None, [1], 1)]

    chars = rules["L1-08"]
    assert (chars["cross_reference_2020"], chars["result"], chars["published"]) == ("1-10", "fail", "fail")
    assert evidence(chars) == [("platform_dependent_characters", "名称", [3, 4], 2)]
    assert chars["evidence"][0]["characters"] == ["①", "㈱"]

    units = rules["L2-01"]
    assert (units["cross_reference_2020"], units["result"]) == ("1-3", "fail")
    assert evidence(units) == [("number_with_unit", "料金", [6, 7], 2)]
    assert units["evidence"][0]["examples"] == ["100円"]

    one = rules["L1-07"]
    assert (one["cross_reference_2020"], one["result"]) == ("1-2", "fail")
    assert evidence(one) == [("several_values_in_cell", "種別", [6, 7], 2)]
    assert evidence(rules["L1-14"]) == [("line_break_in_record", "備考", [4], 1)]


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
    mine = {  # the rules checked without helper checks (quality.checks_2026.more_findings)
        "L1-01": "pass", "L1-03": "pass", "L1-05": "pass", "L1-06": "pass", "L1-07": "pass", "L1-08": "pass",
        "L1-10": "not_applicable", "L1-11": "not_applicable", "L1-12": "not_applicable",
        "L1-13": "not_applicable", "L1-14": "pass", "L1-15": "pass", "L2-01": "pass", "L2-03": "pass",
        "L2-06": "not_applicable", "L3-01": "pass", "L3-02": "manual", "L3-04": "manual", "L3-05": "pass",
        "L3-06": "pass", "L3-07": "not_applicable", "L3-08": "manual",
    }
    assert {k: results[k] for k in mine} == mine
    assert "fail" not in results.values()
    assert (q["summary"]["failed"], q["summary"]["score"]) == (0, 100)
    assert q["duplicates"]["count"] == 0 and q["duplicate_ids"] == []
    assert q["assessed"] is True


def test_cp932_csv__encoding_named_under_l3_08(ingest):
    rules = rules_of(ingest(CLEAN_CSV.decode("utf-8").encode("cp932"), "sjis.csv"))
    assert rules["L3-08"]["result"] == "manual"
    assert rules["L3-08"]["note"].endswith("（このファイルの文字コード: cp932）")


def test_era_years__rule_1_11_fails_and_names_rows(ingest):
    data = "年度,件数\n令和3年度,10\n令和4年度,12\n2023年度（令和5年度）,9\n".encode()
    rule = rules_of(ingest(data, "era.csv"))["L3-05"]
    assert (rule["cross_reference_2020"], rule["result"], rule["published"]) == ("1-11", "fail", "fail")
    era = [e for e in rule["evidence"] if e["code"] == "era_date"]
    assert [(e["column"], e["rows"], e["count"]) for e in era] == [("年度", [2, 3], 2)]


def test_era_dates_converted__rule_fails_and_lists_the_fix(ingest):
    data = "日付,件数\n令和3年4月1日,10\n令和3年5月1日,12\n".encode()
    rule = rules_of(ingest(data, "era.csv"))["L3-05"]
    assert (rule["result"], rule["published"]) == ("fail", "pass")
    assert [f["code"] for f in rule["fixes"]] == ["wareki_to_iso_date"]
    assert rule["note"].startswith("公開した表では修正済みです")


def test_repeated_header_and_blank_row__split_and_layout_fail(ingest):
    data = "名称,人数\n中央,10\n東,12\n\n名称,人数\n西,9\n".encode()
    rules = rules_of(ingest(data, "split.csv"))
    split = rules["L1-03"]
    assert [(e["code"], e["rows"], e["repaired"]) for e in split["evidence"]] == [
        ("repeated_header", [5], False), ("empty_rows_in_table", [4], True)]
    assert (split["result"], split["published"]) == ("fail", "fail")  # the blank row is dropped, the header stays


def test_wrong_local_government_code__fails_with_rows(ingest):
    data = "全国地方公共団体コード,名称\n222127,焼津市\n222128,誤り\n".encode()
    rule = rules_of(ingest(data, "codes.csv"))["L3-06"]
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
    merged = rules["L1-12"]
    assert (merged["cross_reference_2020"], merged["result"]) == ("1-4", "fail")
    assert merged["evidence"][0]["cells"] == ["A2:A3"] and merged["evidence"][0]["sheet"] == "施設"
    assert "A2:A3" in merged["evidence"][0]["message"]
    formulas = rules["L2-06"]
    assert (formulas["result"], formulas["published"]) == ("fail", "pass")  # the published table holds values
    assert formulas["evidence"][0]["cells"] == ["C5"]
    assert rules["L1-10"]["result"] == "pass"


def test_xlsx_without_merges__rule_1_4_passes(ingest):
    rules = rules_of(ingest(_xlsx(), "plain.xlsx"))
    assert (rules["L1-12"]["result"], rules["L2-06"]["result"]) == ("pass", "pass")


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
    assert {r["id"]: r["result"] for r in pdf["rules"]}["L1-01"] == "fail"
    assert (pdf["summary"]["level"], pdf["summary"]["score"]) == (0, 0)  # L1-01 is FATAL


def test_version_ingested_before_quality_checks__assessed_from_its_original(ingest):
    version = ingest(BAD_CSV, "bad.csv")
    version.report.pop("quality")
    q = quality_report(version)
    rule = {r["id"]: r for r in q["rules"]}["L1-08"]
    assert q["assessed"] is True
    assert evidence(rule) == [("platform_dependent_characters", "名称", [3, 4], 2)]


def test_version_without_quality_facts__cell_rules_not_assessed(ingest):
    version = ingest(CLEAN_CSV, "clean.csv")
    version.report.pop("quality")
    q = quality_report(version, assess_missing=False)
    results = {r["id"]: r["result"] for r in q["rules"]}
    assert q["assessed"] is False
    assert results["L1-08"] == "not_assessed"
    assert results["L3-01"] == "pass"  # from the reader's report
    assert q["summary"]["level"] == 0  # 未評価 rules block the level


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
    rule = rules_of(ingest(buf.getvalue(), "chart.xlsx"))["L1-10"]
    assert (rule["cross_reference_2020"], rule["result"]) == ("1-8", "fail")
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
