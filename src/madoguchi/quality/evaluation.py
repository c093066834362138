"""Rule results of one version: every rule of ``quality.rules.RULES`` judged from the stored facts
(``report["quality"]``) and the rest of the ingestion report, and the overall score.

Used at ingestion (the score stored for the staff dashboard) and at view time (the report page and
JSON, so improved rules apply to old versions too).
"""

from __future__ import annotations

from madoguchi.datastore.services import warning

from .rules import FAIL, MANUAL, NOT_APPLICABLE, NOT_ASSESSED, PASS, RESULT_LABELS, RULES
from .stars import RDF_FORMATS

TABLE_FORMATS = {"csv", "tsv", "xlsx"}
STRUCTURED_FORMATS = {"json", "geojson", "xml", "ods", "parquet", *RDF_FORMATS}
#: fix codes (``report["fixes"]``) by the rule whose violation they repaired; matched as substrings
FIX_RULES = {
    "numbers_without_text": ("unit",),
    "platform_dependent_characters": ("platform", "dependent", "circled", "halfwidth_kana", "half_width_kana"),
    "western_calendar": ("wareki", "invalid_date"),
    "layout_spaces": ("spaces", "newline"),
    "local_government_code": ("local_government",),
}


def _result(findings: list[dict]) -> str:
    return FAIL if findings else PASS


def _fixes_for(rule_id: str, fixes: list[dict]) -> list[dict]:
    keys = FIX_RULES.get(rule_id, ())
    return [f for f in fixes or [] if any(k in str(f.get("code", "")).lower() for k in keys)]


def evaluate_rules(facts: dict | None, report: dict) -> list[dict]:
    """Every rule of ``quality.rules.RULES`` with its result on one version.

    :param facts: ``report["quality"]`` (``None`` for a version ingested before quality checks:
        the rules that need the cells are ``not_assessed``)
    :param report: the version's report (``format``, ``reader``, ``warnings``, ``columns``, ``fixes``)
    :returns: ``[{"id", "number", "text", "source", "result" (pass|fail|not_applicable|not_assessed|manual),
        "label" (〇 × 対象外 未評価 要確認), "evidence": [finding], "fixes": [fix], "note"}]``
    """
    fmt = (report.get("format") or "").lower()
    tabular = bool(report.get("columns")) or bool(facts and facts.get("tabular"))
    reader = report.get("reader") or {}
    warnings = report.get("warnings") or []
    fixes = report.get("fixes") or []
    findings = (facts or {}).get("findings") or {}
    out = []
    for rule in RULES:
        evidence: list[dict] = []
        note = ""
        related = _fixes_for(rule.id, fixes)
        if not rule.checkable:
            result, note = MANUAL, "ファイルからは判定できません。担当者が確認してください。"
        elif rule.id == "file_format":
            if fmt in TABLE_FORMATS:
                result = PASS
            elif fmt in STRUCTURED_FORMATS:
                result, note = PASS, f"{fmt.upper()} は構造化データの形式です"
            else:
                result, note = FAIL, f"{fmt.upper() or '不明な形式'} は機械判読可能な表形式ではありません。CSV か Excel で公開してください"
        elif rule.id in ("merged_cells", "formulas", "objects"):
            result, evidence, note = _xlsx_rule(rule.id, fmt, facts)
        elif rule.id == "encoding":
            enc = (reader.get("encoding") or "").lower()
            if fmt not in ("csv", "tsv"):
                result, note = NOT_APPLICABLE, "CSV 以外のファイルです"
            elif enc.replace("_", "-").startswith("utf-8") or enc in ("ascii", "utf8"):
                result, note = PASS, f"文字コード {reader.get('encoding')}"
            else:
                result = FAIL
                note = (f"文字コード {reader.get('encoding') or '不明'} です。UTF-8 で保存してください "
                        "(madoguchi の CSV ダウンロードは UTF-8 に変換済み)")
        elif not tabular:
            result, note = NOT_APPLICABLE, "表のデータではありません"
        elif rule.id == "header_first_row":
            header_row = reader.get("header_row")
            if header_row is None:
                result, note = NOT_APPLICABLE, "見出し行のない形式 (JSON など) です"
            elif int(header_row) == 1:
                result = PASS
            else:
                result = FAIL
                evidence = [w for w in warnings if w.get("code") in ("title_rows_skipped",)]
                note = f"見出しが {header_row} 行目にあります"
        elif rule.id == "layout_spaces":
            evidence = [w for w in warnings if w.get("code") in ("empty_rows_dropped", "empty_columns_dropped")]
            spaced = [c for c in report.get("columns") or []
                      if c.get("source_name") and c["source_name"] != c.get("name") and any(ch.isspace() for ch in c["source_name"])]
            if spaced:
                evidence.append(warning("spaces_in_names", "列名にスペースがあります: " + "、".join(
                    f"「{c['source_name']}」" for c in spaced[:20]), count=len(spaced)))
            result = FAIL if evidence or related else PASS
        elif rule.id == "column_names":
            cols = report.get("columns") or []
            unnamed = [c["name"] for c in cols if not (c.get("source_name") or "").strip()]
            names = [(c.get("source_name") or "").strip() for c in cols]
            from collections import Counter  # names.count() per name was quadratic: 100,000 columns took minutes
            repeated = sorted(n for n, k in Counter(names).items() if n and k > 1)
            if unnamed:
                evidence.append(warning("unnamed_columns", "項目名のない列があります: " + "、".join(unnamed[:20]),
                                        count=len(unnamed)))
            if repeated:
                evidence.append(warning("repeated_names", "同じ項目名の列があります: " + "、".join(repeated[:20]),
                                        count=len(repeated)))
            result = _result(evidence)
        elif rule.id == "area_codes":
            area = (facts or {}).get("area")
            if facts is None or area is None:
                result = NOT_ASSESSED
            elif area["code_columns"] or area["name_columns"]:
                result = PASS
                note = "地域の列: " + "、".join(area["code_columns"] + area["name_columns"])
            else:
                result, note = NOT_APPLICABLE, "地域を表す列はありません"
        elif rule.id == "local_government_code":
            area = (facts or {}).get("area")
            if facts is None or area is None:
                result = NOT_ASSESSED
            elif not area["code_columns"]:
                result, note = NOT_APPLICABLE, "全国地方公共団体コードの列はありません"
            else:
                evidence = findings.get(rule.id) or []
                result = FAIL if evidence or related else PASS
        elif rule.id == "not_split":
            if facts is None:
                result = NOT_ASSESSED
            else:
                evidence = list(findings.get(rule.id) or [])
                result = _result(evidence)
            sheets = reader.get("sheets") or []
            if len(sheets) > 1:
                note = (f"ブックに {len(sheets)} 枚のシートがあり、「{reader.get('sheet')}」だけを公開しています。"
                        "1つの表が複数のシートに分かれていないか確認してください")
        else:  # the cell checks stored by assess()
            if facts is None or rule.id not in findings:
                result = NOT_ASSESSED
            else:
                evidence = findings[rule.id]
                result = FAIL if evidence or related else PASS
        if any(f.get("fixed", True) for f in related) and result == FAIL and not note:
            note = "取り込み時に修正済みです (公開中の CSV・JSON は修正後のデータです。元のファイルは修正されていません)"
        out.append({"id": rule.id, "number": rule.number, "text": rule.text, "source": rule.source,
                    "result": result, "label": RESULT_LABELS[result], "evidence": evidence, "fixes": related,
                    "note": note})
    return out


def _xlsx_rule(rule_id: str, fmt: str, facts: dict | None) -> tuple[str, list[dict], str]:
    if fmt != "xlsx":
        return NOT_APPLICABLE, [], "Excel ファイルではありません" if fmt not in ("csv", "tsv") else "CSV にはありません"
    scan = (facts or {}).get("xlsx")
    if not scan:
        return NOT_ASSESSED, [], ""
    if rule_id == "merged_cells":
        if not scan["merged_count"]:
            return PASS, [], ""
        return FAIL, [{"code": "merged_cells", "column": None, "rows": [], "count": scan["merged_count"],
                       "cells": scan["merged"],
                       "message": f"シート「{scan.get('sheet') or ''}」に結合セルが {scan['merged_count']} 個あります: "
                                  + "、".join(scan["merged"])}], ""
    if rule_id == "formulas":
        if not scan["formula_count"]:
            return PASS, [], ""
        return FAIL, [{"code": "formulas", "column": None, "rows": [], "count": scan["formula_count"],
                       "cells": scan["formula_cells"],
                       "message": f"数式のセルが {scan['formula_count']} 個あります: " + "、".join(scan["formula_cells"])}], \
            "公開中の CSV・JSON は計算結果の値です"
    if scan["objects"]:
        return FAIL, [{"code": "objects", "column": None, "rows": [], "count": 1, "cells": [],
                       "message": "図形・グラフ・画像などのオブジェクトがあります"}], ""
    return PASS, [], ""


def score_of(rules: list[dict], standard: dict | None) -> dict:
    """Overall score: the share of checked rules passed (0–100), 10 points less when the declared
    standard has errors; grade A (≥ 90), B (≥ 75), C (≥ 50), D.

    :returns: ``{"score": int | None, "grade": str | None, "passed": n, "failed": n}`` (``None`` when no
        rule could be checked)
    """
    passed = sum(1 for r in rules if r["result"] == PASS)
    failed = sum(1 for r in rules if r["result"] == FAIL)
    if not passed + failed:
        return {"score": None, "grade": None, "passed": 0, "failed": 0}
    score = round(100 * passed / (passed + failed))
    if standard and not standard.get("valid", True):
        score = max(0, score - 10)
    grade = "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 50 else "D"
    return {"score": score, "grade": grade, "passed": passed, "failed": failed}
