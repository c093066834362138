"""Quality reports on the official 2026 machine-readability rules (issue #19): the catalogue of 30 rules,
results per rule (元のファイル / 公開した表), level and score, L3-07 across versions, old stored facts,
the API, the staff dashboard and the KPI metric.

The rules checked by helper checks (``quality.checks_2026.more_findings``: L1-02, L1-04, L1-09, L1-11, L1-13,
L2-02, L2-04, L2-05, L3-03, L3-09) have their passing/failing files in tests/test_quality_checks_2026.py.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from madoguchi.quality import services
from madoguchi.quality.evaluation import evaluate_rules
from madoguchi.quality.scoring import level_of, score_points, summary_of
from madoguchi.quality.rules import RULES, RULES_BY_ID

SHARED = Path(__file__).resolve().parents[2] / "shared/data/standards/machine-readability-rules-2026"

GOOD = "名称,人数\n中央会館,1\n東会館,2\n".encode()


def rules_of(version, **kw) -> dict:
    return {r["id"]: r for r in services.quality_report(version, **kw)["rules"]}


# ---------------------------------------------------------------- the catalogue


def test_catalogue__the_30_official_rules_in_order():
    assert len(RULES) == 30
    assert [r.id for r in RULES] == ([f"L1-{i:02d}" for i in range(1, 16)] + [f"L2-{i:02d}" for i in range(1, 7)]
                                     + [f"L3-{i:02d}" for i in range(1, 10)])
    assert all(r.level == int(r.id[1]) for r in RULES)
    assert RULES_BY_ID["L1-08"].name == "機種依存文字を使用していないか"
    assert RULES_BY_ID["L1-12"].cross_reference_2020 == "1-4" and RULES_BY_ID["L1-02"].cross_reference_2020 == ""
    assert [r.id for r in RULES if r.applies_to == "xlsx"] == ["L1-10", "L1-11", "L1-12", "L1-13", "L2-06"]
    assert [r.id for r in RULES if r.applies_to == "csv"] == ["L1-14", "L1-15"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the official rule files are not next to the repository")
def test_catalogue__ids_names_levels_texts_equal_the_official_files():
    official = json.loads((SHARED / "machine-readability-rules.json").read_text(encoding="utf-8"))
    assert [(r.id, r.name, f"Level{r.level}", r.text) for r in RULES] == [
        (o["id"], o["name"], o["level"], o["description"]) for o in official]
    with open(SHARED / "machine-readability-rules.csv", encoding="utf-8-sig", newline="") as f:
        names = [(row["ID"], row["ルール名称"]) for row in csv.DictReader(f)]
    assert [(r.id, r.name) for r in RULES] == names
    with open(SHARED / "rule_scoring_table.csv", encoding="utf-8-sig", newline="") as f:
        table = {row["ルールID"]: (row["重大度"], row["違反時の減点幅"]) for row in csv.DictReader(f)}
    assert {r.id: (r.severity, "強制0点" if r.deduction is None else f"-{r.deduction}") for r in RULES} == table


# ---------------------------------------------------------------- level and score


def crafted(**results) -> list[dict]:
    """Rule results as ``evaluate_rules`` gives them: every rule 〇 unless named (``L2_04="fail"``)."""
    out = []
    for r in RULES:
        result = results.get(r.id.replace("-", "_"), "pass")
        out.append({"id": r.id, "level": r.level, "deduction": r.deduction, "result": result, "published": result})
    return out


@pytest.mark.parametrize("results, level, score", [
    ({}, 3, 100),
    ({"L1_09": "fail"}, 0, 98),                                    # MINOR -2 blocks level 1
    ({"L2_04": "fail"}, 1, 60),                                    # CRITICAL -40
    ({"L2_05": "fail", "L2_06": "fail"}, 1, 40),                   # MAJOR -30 twice
    ({"L3_02": "manual", "L3_04": "manual", "L3_08": "manual"}, 3, 100),  # 要確認 does not block
    ({"L1_10": "not_applicable", "L1_14": "not_applicable"}, 3, 100),
    ({"L2_04": "not_assessed"}, 1, 100),                           # 未評価 blocks, is not scored
    ({"L3_07": "fail", "L3_06": "fail"}, 2, 70),
    ({"L1_01": "fail"}, 0, 0),                                     # FATAL
    ({"L3_01": "fail"}, 2, 0),                                     # FATAL at level 3
    ({"L2_04": "fail", "L2_05": "fail", "L1_03": "fail", "L1_05": "fail"}, 0, 10),
    ({"L2_04": "fail", "L2_05": "fail", "L2_06": "fail", "L1_05": "fail"}, 0, 0),  # not below 0
])
def test_level_and_score_on_crafted_results(results, level, score):
    rules = crafted(**results)
    assert (level_of(rules), score_points(rules)) == (level, score)


def test_summary__counts_blocking_rules_and_names_the_score_source():
    s = summary_of(crafted(L2_04="fail", L2_02="not_assessed", L3_02="manual"))
    assert (s["level"], s["score"], s["failed"], s["manual"], s["not_assessed"]) == (1, 60, 1, 1, 1)
    assert s["blocking"] == ["L2-02", "L2-04"]
    assert "デジタル庁" in s["score_source"] and "一つの実装の選択" in s["score_source"]
    assert score_points(crafted(**{r.id.replace("-", "_"): "manual" for r in RULES})) is None


# ---------------------------------------------------------------- per-rule files (rules with existing checks)


@pytest.mark.parametrize("rule_id, bad, code", [
    ("L1-03", "名称,人数\nA,1\nB,2\n名称,人数\nC,3\n", "repeated_header"),
    ("L1-05", "名称,,人数\nA,x,1\nB,y,2\n", "unnamed_columns"),
    ("L1-05", "名称,※,人数\nA,x,1\nB,y,2\n", "symbol_column_names"),
    ("L1-06", "名　称,人数\nA,1\nB,2\n", "spaces_in_names"),
    ("L1-07", "名称,種別\nA,公園\nB,学校\nC,公園・学校\n", "several_values_in_cell"),
    ("L1-08", "名称,人数\n①会館,1\nB,2\n", "platform_dependent_characters"),
    ("L1-14", '名称,備考\nA,"一行目\n二行目"\nB,なし\n', "line_break_in_record"),
    ("L1-15", "名称,住所\nA,川崎市,中原区\nB,川崎市\n", "unquoted_delimiter"),
    ("L2-01", "名称,料金\nA,100円\nB,200円\nC,300\n", "number_with_unit"),
    ("L2-03", "名称,人数,人数\nA,1,2\nB,3,4\n", "duplicate_column_name"),
    ("L3-01", "施設の一覧\n名称,人数\nA,1\nB,2\n", "title_rows_skipped"),
    ("L3-05", "年度,件数\n令和3年度,1\n令和4年度,2\n", "era_date"),
    ("L3-06", "全国地方公共団体コード,名称\n222127,焼津市\n222128,誤り\n", "invalid_local_government_code"),
])
def test_csv_rule__passing_and_failing_file(ingest, make_dataset, rule_id, bad, code):
    good = ("全国地方公共団体コード,名称\n222127,焼津市\n".encode() if rule_id == "L3-06" else GOOD)
    assert rules_of(ingest(good, "good.csv", dataset=make_dataset("good")))[rule_id]["result"] == "pass"
    rule = rules_of(ingest(bad.encode(), "bad.csv", dataset=make_dataset("bad")))[rule_id]
    assert rule["result"] == "fail" and rule["label"] == "×"
    assert code in [e["code"] for e in rule["evidence"]]


def test_l1_01__pdf_fails_json_passes(ingest, make_dataset):
    assert rules_of(ingest(b"%PDF-1.4\n", "a.pdf", dataset=make_dataset("p")))["L1-01"]["result"] == "fail"
    data = json.dumps([{"名称": "A", "人数": 1}], ensure_ascii=False).encode()
    assert rules_of(ingest(data, "a.json", dataset=make_dataset("j")))["L1-01"]["result"] == "pass"


def test_manual_rules__reported_with_the_reason(ingest):
    rules = rules_of(ingest("名称,面積\nA,1.5\nB,2.5\n".encode(), "a.csv"))
    assert (rules["L3-02"]["result"], rules["L3-02"]["label"]) == ("manual", "要確認")
    assert "コード表が別添されているかはファイルからは判定できません" in rules["L3-02"]["note"]
    assert rules["L3-08"]["result"] == "manual" and "更新履歴" in rules["L3-08"]["note"]
    units = rules["L3-04"]
    assert units["result"] == "manual" and "単位が項目名にありません" in units["note"]
    assert [(e["code"], e["message"]) for e in units["evidence"]] == [
        ("unit_not_in_name", "項目名に単位のない数値の列があります: 面積")]


def test_l3_04__units_in_every_numeric_name_pass(ingest):
    rule = rules_of(ingest("名称,面積（㎡）,人口（人）\nA,1.5,3\nB,2.5,4\n".encode(), "a.csv"))["L3-04"]
    assert rule["result"] == "pass"


def test_excel_rules_on_csv_and_csv_rules_on_excel_are_not_applicable(ingest, make_dataset):
    from openpyxl import Workbook

    on_csv = rules_of(ingest(GOOD, "a.csv", dataset=make_dataset("c")))
    assert {k: on_csv[k]["label"] for k in ("L1-10", "L1-11", "L1-12", "L1-13", "L2-06")} == dict.fromkeys(
        ("L1-10", "L1-11", "L1-12", "L1-13", "L2-06"), "対象外")
    assert on_csv["L1-12"]["note"].startswith("【Excel】の項目です")
    wb = Workbook()
    wb.active.append(["名称", "人数"])
    wb.active.append(["A", 1])
    buf = io.BytesIO()
    wb.save(buf)
    on_xlsx = rules_of(ingest(buf.getvalue(), "a.xlsx", dataset=make_dataset("x")))
    assert (on_xlsx["L1-14"]["result"], on_xlsx["L1-15"]["result"]) == ("not_applicable", "not_applicable")
    assert on_xlsx["L1-14"]["note"].startswith("【CSV】の項目です")
    assert (on_xlsx["L1-12"]["result"], on_xlsx["L2-06"]["result"], on_xlsx["L1-10"]["result"]) == ("pass",) * 3


def test_xlsx_hidden_rows__l1_13_fails_naming_the_rows(ingest):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "施設"
    for row in (["名称", "人数"], ["A", 1], ["B", 2], ["C", 3]):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    rule = rules_of(ingest(buf.getvalue(), "hidden.xlsx"))["L1-13"]
    assert rule["result"] == "fail"
    assert [(e["code"], e["sheet"], e["rows"]) for e in rule["evidence"]] == [("hidden_rows_columns", "施設", [3])]


def test_xlsx_scan_facts__l1_11_and_l1_13_evaluated_from_the_scan():
    scan = {"sheet": "表", "merged": [], "merged_count": 0, "formula_cells": [], "formula_count": 0, "objects": False,
            "hidden": {"sheet": "表", "rows": [], "row_count": 0, "columns": ["C"], "column_count": 1, "sheets": []},
            "formatting": [{"sheet": "表", "column": "B", "rows": [3, 5], "count": 2, "kinds": ["fill"]}]}
    facts = {"schema_version": 2, "tabular": True, "findings": {}, "xlsx": scan}
    rules = {r["id"]: r for r in evaluate_rules(facts, {"format": "xlsx", "columns": [{"name": "a"}]})}
    assert rules["L1-13"]["result"] == "fail" and rules["L1-13"]["evidence"][0]["cells"] == ["C"]
    assert rules["L1-11"]["result"] == "fail"
    assert "セルの色" in rules["L1-11"]["evidence"][0]["message"] and rules["L1-11"]["evidence"][0]["rows"] == [3, 5]
    clean = {**scan, "hidden": {**scan["hidden"], "columns": [], "column_count": 0}, "formatting": []}
    rules = {r["id"]: r for r in evaluate_rules({**facts, "xlsx": clean}, {"format": "xlsx", "columns": [{"name": "a"}]})}
    assert (rules["L1-13"]["result"], rules["L1-11"]["result"]) == ("pass", "pass")


# ---------------------------------------------------------------- fixes: 元のファイル / 公開した表


def test_fixes__published_table_meets_the_rule_and_lists_what_was_fixed(ingest, client, make_dataset):
    data = "施設の一覧\n名称,開設日,定員\n  中央会館,令和3年4月1日,１００\n東会館,令和4年5月1日,50\n".encode()
    v = ingest(data, "fix.csv", dataset=make_dataset("fix"))
    rules = rules_of(v)
    got = {k: (rules[k]["result"], rules[k]["published"], [f["code"] for f in rules[k]["fixes"]])
           for k in ("L3-01", "L3-05", "L2-01", "L1-06")}
    assert got == {"L3-01": ("fail", "pass", []), "L3-05": ("fail", "pass", ["wareki_to_iso_date"]),
                   "L2-01": ("fail", "pass", ["full_width_to_half_width"]), "L1-06": ("fail", "pass", ["spaces_trimmed"])}
    assert rules["L3-01"]["evidence"][0]["repaired"] is True
    summary = services.quality_report(v)["summary"]
    assert summary["score"] == 0 and summary["published_score"] == 100  # L3-01 and L2-01 are FATAL in the table
    html = client.get(f"/datasets/fix/resources/{v.resource_id}/quality/").content.decode()
    l305 = html.split('id="rule-L3-05"')[1].split("</li>\n</ol>")[0].split('<li class="rule"')[0]
    assert ('元のファイル: <span class="result result-fail">×</span> ／ 公開した表: '
            '<span class="result result-pass">〇</span>') in l305
    assert "公開した表で修正: 列「開設日」の和暦の日付を西暦の ISO 8601 形式" in l305


# ---------------------------------------------------------------- L3-07 across versions


def test_l3_07__format_change_between_versions(ingest, make_dataset):
    d = make_dataset("monthly")
    first = ingest("名称,人数,住所\nA,1,川崎市\n".encode(), "a.csv", dataset=d)
    assert rules_of(first)["L3-07"]["result"] == "not_applicable"
    same = ingest("名称,人数,住所\nB,2,横浜市\n".encode(), "a.csv", dataset=d)
    rule = rules_of(same)["L3-07"]
    assert (rule["result"], rule["note"]) == ("pass", "第1版と比べました（列は同じです）")
    changed = ingest("名称,件数\nC,3\n".encode(), "a.csv", dataset=d)
    rule = rules_of(changed)["L3-07"]
    assert rule["result"] == "fail"
    assert [(e["code"], e["message"]) for e in rule["evidence"]] == [
        ("columns_removed", "第2版にあった列がありません: 人数、住所"), ("columns_added", "第2版になかった列があります: 件数")]
    retyped = ingest("名称,件数\nD,多数\n".encode(), "a.csv", dataset=d)
    assert [e["code"] for e in rules_of(retyped)["L3-07"]["evidence"]] == ["columns_retyped"]
    assert "件数（integer → string）" in rules_of(retyped)["L3-07"]["evidence"][0]["message"]


# ---------------------------------------------------------------- old stored facts


def _as_v1(facts: dict) -> dict:
    old = {v: k for k, v in {"platform_dependent_characters": "L1-08", "one_value_per_cell": "L1-07",
                             "numbers_without_text": "L2-01", "western_calendar": "L3-05",
                             "local_government_code": "L3-06", "not_split": "L1-03"}.items()}
    v1 = copy.deepcopy(facts)
    v1["schema_version"] = 1
    v1["findings"] = {old[k]: f for k, f in v1["findings"].items() if k in old}
    v1["rules"] = [{"id": "platform_dependent_characters", "result": "fail"}]
    v1["score"], v1["grade"] = 80, "B"
    for k in ("level", "published_level", "published_score"):
        v1.pop(k, None)
    return v1


def test_old_facts__evaluated_by_their_old_keys_or_assessed_again(ingest):
    v = ingest("名称,人数\n①会館,1\nB,2\n".encode(), "a.csv")
    v.report["quality"] = _as_v1(v.report["quality"])
    v.save(update_fields=["report"])
    mapped = rules_of(v, assess_missing=False)
    assert mapped["L1-08"]["result"] == "fail" and mapped["L1-08"]["evidence"][0]["rows"] == [2]
    assert mapped["L1-07"]["result"] == "pass" and mapped["L1-02"]["result"] == "not_assessed"
    again = services.quality_report(v)  # re-assessed from the kept original, not stored
    assert {r["id"]: r["result"] for r in again["rules"]}["L1-08"] == "fail"
    v.refresh_from_db()
    assert v.report["quality"]["schema_version"] == 1


# ---------------------------------------------------------------- API


def test_api__level_score_rules_evidence_fixes(client, ingest, make_dataset):
    v = ingest("名称,人数\n①会館,1\nB,2\n".encode(), "a.csv", dataset=make_dataset("api"))
    body = client.get(f"/api/v1/resources/{v.resource_id}/quality").json()
    assert [r["id"] for r in body["rules"]] == [r.id for r in RULES]
    rule = next(r for r in body["rules"] if r["id"] == "L1-08")
    assert set(rule) >= {"id", "level", "name", "text", "cross_reference_2020", "applies_to", "severity", "deduction",
                         "result", "label", "published", "published_label", "evidence", "fixes", "note"}
    assert (rule["level"], rule["result"], rule["severity"], rule["deduction"]) == (1, "fail", "CRITICAL", 10)
    assert rule["evidence"][0]["rows"] == [2] and rule["evidence"][0]["repaired"] is False
    s = body["summary"]
    assert s["level"] == 0 and s["score"] <= 90 and "L1-08" in s["blocking"]
    assert body["rules_source_url"].startswith("https://") and "デジタル庁" in body["rules_source"]


# ---------------------------------------------------------------- dashboard and KPI


def _store(version, **results):
    version.report["quality"]["rules"] = [{k: r[k] for k in ("id", "level", "result", "published", "deduction")}
                                          for r in crafted(**results)]
    version.save(update_fields=["report"])


@pytest.fixture
def four_resources(ingest, make_dataset):
    from madoguchi.catalog import services as catalog

    other = catalog.ensure_organization("other", "別の課")
    a, b = make_dataset("a", title="A"), catalog.ensure_dataset("b", title="B", organization=other)
    _store(ingest(GOOD, "1.csv", dataset=a, resource="r1"))                      # level 3
    _store(ingest(GOOD, "2.csv", dataset=a, resource="r2"), L2_04="fail")        # level 1
    _store(ingest(GOOD, "3.csv", dataset=b, resource="r3"), L1_08="fail")        # level 0
    old = ingest(GOOD, "4.csv", dataset=b, resource="r4")
    old.report["quality"] = _as_v1(old.report["quality"])                        # 未評価
    old.save(update_fields=["report"])
    _store(ingest(GOOD, "5.csv", dataset=make_dataset("p", private=True), resource="r5"))  # not public


def test_dashboard__levels_per_organisation_and_most_failed_rules(admin_client, four_resources):
    d = services.dashboard()
    assert [(o["organization"], o["counts"], o["unassessed"], o["total"]) for o in d["levels"]] == [
        ("テスト市 情報政策課", [0, 1, 0, 2], 0, 3), ("別の課", [1, 0, 0, 0], 1, 2)]  # staff see private datasets
    assert [(f["id"], f["count"]) for f in d["failing_rules"]] == [("L1-08", 1), ("L2-04", 1)]
    assert [x["level"] for x in d["worst"]] == [0, 1, 3, 3]
    html = admin_client.get("/staff/quality/").content.decode()
    levels = html.split('id="levels-h"')[1].split('id="failing-h"')[0]
    assert ('<th scope="row">別の課</th><td class="num">1</td><td class="num">0</td><td class="num">0</td>'
            '<td class="num">0</td><td class="num">1</td><td class="num">2</td>') in levels
    assert "<td>L2-04</td><th scope=\"row\">選択肢回答が標準化されているか</th>" in html


def test_metric__share_of_public_resources_at_level_1(four_resources):
    from madoguchi.plans.services import metric_value

    today = dt.date(2026, 12, 5)
    assert metric_value("quality.resources_level1_share", 2026, today=today) == 50  # 2 of 4 public
    assert metric_value("quality.resources_level1_share", 2025, today=today) is None


def test_metric__none_without_public_resources(db):
    from madoguchi.plans.services import metric_value

    assert metric_value("quality.resources_level1_share", 2026, today=dt.date(2026, 12, 5)) is None


def test_clean_csv__reaches_level_3_with_full_score(ingest):
    q = services.quality_report(ingest("名称,定員（人）\n中央会館,100\n東会館,50\n".encode(), "clean.csv"))
    s = q["summary"]
    assert (s["level"], s["score"], s["published_level"], s["failed"], s["not_assessed"]) == (3, 100, 3, 0, 0)
    assert {r["id"] for r in q["rules"] if r["result"] == "manual"} == {"L3-02", "L3-08"}


def test_page__level_score_source_rule_text_and_manual_reason(client, ingest, make_dataset):
    v = ingest("名称,人数\n①会館,1\nB,2\n".encode(), "a.csv", dataset=make_dataset("page"))
    html = client.get(f"/datasets/page/resources/{v.resource_id}/quality/").content.decode()
    assert "元のファイル：レベル0（レベル1に未到達） ／ 公開した表：レベル0" in html
    assert "元のファイル 90 点 ／ 公開した表 90 点" in html and "rule_scoring_table.csv" in html
    assert "次のレベルに必要な項目: L1-08。" in html
    assert [h.split("</h3>")[0] for h in html.split('<h3 id="rules-level')[1:]] == ['1">レベル1', '2">レベル2',
                                                                                   '3">レベル3']
    l302 = html.split('id="rule-L3-02"')[1].split("</li>")[0]
    assert "要確認</span>" in l302 and "コード表が別添されているかはファイルからは判定できません" in l302
    assert "<details><summary>ルール本文</summary><p>コード表記された選択肢の意味が不明確な場合" in l302
    assert "2020年ルールの 1-10" in html.split('id="rule-L1-08"')[1].split('<li class="rule"')[0]


def test_page__old_facts_say_some_rules_are_not_assessed(client, ingest, make_dataset, monkeypatch):
    v = ingest(GOOD, "a.csv", dataset=make_dataset("old"))
    v.report["quality"] = _as_v1(v.report["quality"])
    v.save(update_fields=["report"])
    monkeypatch.setattr(services, "assess_stored_version", lambda version: None)  # the original is gone
    html = client.get(f"/datasets/old/resources/{v.resource_id}/quality/").content.decode()
    assert "2026年のルールによる評価の前に取り込まれたため" in html
    assert '<span class="result result-not_assessed">未評価</span>' in html.split('id="rule-L1-09"')[1]
