"""Rule results of one version: each of the 30 official rules (``quality.rules.RULES``) judged from the
stored facts (``report["quality"]``) and the rest of the ingestion report (the level reached and the score
of the results: ``scoring``).

Every rule gets two results: ``result`` for the file as the city uploaded it (元のファイル) and
``published`` for the table madoguchi publishes (公開した表: CSV/JSON after normalization). They differ
where normalization repaired the failure (和暦 → 西暦, full-width digits, layout spaces, title rows,
blank rows, formulas → values); the repairs are listed in ``fixes``.

Used at ingestion (the results, level and score stored for the dashboard and the KPI) and at view time
(the report page and JSON, so improved rules apply to old versions too).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from madoguchi.datastore.services import warning

from .rules import (
    FAIL,
    MANUAL,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    OLD_FINDING_IDS,
    PASS,
    RESULT_LABELS,
    RULES,
    SOURCE,
)
from .stars import RDF_FORMATS
from .xlsxscan import FORMAT_LABELS

TABLE_FORMATS = {"csv", "tsv", "xlsx"}
CSV_FORMATS = {"csv", "tsv"}
STRUCTURED_FORMATS = {"json", "geojson", "xml", "ods", "parquet", *RDF_FORMATS}

#: fix codes (``report["fixes"]``) by the rule whose violation they concern (exact codes). A fix with
#: ``fixed: true`` means the original file broke the rule and the published table no longer does; one with
#: ``fixed: false`` was only reported (left as written), so the published table still breaks the rule.
FIX_RULES = {
    "L1-06": ("spaces_trimmed",),
    "L2-01": ("full_width_to_half_width",),
    "L3-05": ("wareki_to_iso_date", "invalid_date", "wareki_outside_era"),
    "L3-06": ("local_government_code_check_digit_added", "local_government_code_leading_zero_restored"),
}
#: evidence codes whose cause is gone from the published table (dropped or converted at ingestion)
REPAIRED_CODES = {
    "L1-03": {"empty_rows_dropped", "empty_columns_dropped", "empty_rows_in_table", "empty_columns_in_table"},
    "L1-06": {"spaces_in_names"},
    "L2-06": {"formulas"},
    "L3-01": {"title_rows_skipped"},
}
#: rules judged only from the findings of ``checks_2026.more_findings`` (helper checks keyed by official id)
FINDING_RULES = ("L1-02", "L1-04", "L1-09", "L2-02", "L2-04", "L2-05", "L3-03", "L3-09")
#: L3-07: a later version's columns differ notably when at least this share of the previous version's
#: columns is missing or has another type (columns only added never count)
FORMAT_CHANGE_SHARE = 0.2

_NUMERIC_TYPES = {"integer", "number"}
_UNIT_IN_NAME = re.compile(r"[（(［\[【].+[）)］\]】]|単位|(?:人|円|千円|万円|件|世帯|戸|台|回|枚|本|冊|%|率|歳|m|km|㎡|kg|t|"
                           r"時間|分|秒|日|か月|ヶ月|年|箇所|か所|ヵ所|校|園|施設|床|頭|匹|g|L|ha|a|cm|mm)$", re.IGNORECASE)
_NO_UNIT_NEEDED = re.compile(r"緯度|経度|lat|lon|コード|code|番号|^no\.?$|^id$|郵便|電話|年度?$|^年$|^月$|^日$", re.IGNORECASE)
_SYMBOLS_ONLY = re.compile(r"^[\W_]+$")
_CODE_NAME = re.compile(r"コード|code|区分|種別|分類", re.IGNORECASE)
_PHYSICAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NOTE_FIXED = "公開した表では修正済みです (取り込み時に修正。元のファイルは修正されていません)"


def _fixes_for(rule_id: str, fixes: list[dict]) -> list[dict]:
    codes = FIX_RULES.get(rule_id, ())
    return [f for f in fixes or [] if f.get("code") in codes]


def _findings(facts: dict | None) -> dict[str, list[dict]]:
    """The stored findings by official rule id (facts of schema version 1 used other keys)."""
    stored = (facts or {}).get("findings") or {}
    if int((facts or {}).get("schema_version") or 0) >= 2:
        return stored
    return {OLD_FINDING_IDS[k]: v for k, v in stored.items() if k in OLD_FINDING_IDS}


def evaluate_rules(facts: dict | None, report: dict, *, previous: dict | None | bool = False) -> list[dict]:
    """Every official rule with its results on one version.

    :param facts: ``report["quality"]`` (``None`` for a version ingested before quality checks: the rules
        that need the cells are ``not_assessed``); facts of schema version 1 (old rule keys) are mapped
    :param report: the version's report (``format``, ``reader``, ``warnings``, ``columns``, ``fixes``)
    :param previous: for L3-07, the previous version of the same resource as ``{"number", "columns"}``;
        ``None`` for a first version (対象外); ``False`` when not known (未評価, e.g. at ingestion)
    :returns: ``[{"id", "level", "name", "text", "cross_reference_2020", "applies_to", "severity",
        "deduction", "result" / "published" (pass|fail|not_applicable|not_assessed|manual),
        "label" / "published_label" (〇 × 対象外 未評価 要確認), "evidence": [finding (+ "repaired": bool)],
        "fixes": [fix], "note"}]``
    """
    fmt = (report.get("format") or "").lower()
    tabular = bool(report.get("columns")) or bool(facts and facts.get("tabular"))
    reader = report.get("reader") or {}
    warnings = report.get("warnings") or []
    fixes = report.get("fixes") or []
    columns = report.get("columns") or []
    findings = _findings(facts)
    current = int((facts or {}).get("schema_version") or 0) >= 2
    out = []
    for rule in RULES:
        evidence: list[dict] = []
        note = ""
        related = _fixes_for(rule.id, fixes)
        result = None
        if rule.id == "L1-01":
            if fmt in TABLE_FORMATS:
                result = PASS
            elif fmt in STRUCTURED_FORMATS:
                result, note = PASS, f"{fmt.upper()} は構造化データの形式です"
            else:
                result, note = FAIL, (f"{fmt.upper() or '不明な形式'} は機械が直接読み取れる形式ではありません。"
                                      "CSV か Excel (.xlsx) で公開してください")
        elif rule.applies_to == "xlsx" and fmt != "xlsx":
            result, note = NOT_APPLICABLE, "【Excel】の項目です。Excel ファイルではありません"
        elif rule.applies_to == "csv" and fmt not in CSV_FORMATS:
            result, note = NOT_APPLICABLE, "【CSV】の項目です。CSV ファイルではありません"
        elif rule.applies_to == "xlsx":
            result, evidence, note = _xlsx_rule(rule.id, facts, findings)
        elif not tabular:
            result, note = NOT_APPLICABLE, "表のデータではありません"
        elif rule.id == "L3-01":
            header_row = reader.get("header_row")
            if header_row is None:
                result, note = NOT_APPLICABLE, "見出し行のない形式 (JSON など) です"
            elif int(header_row) == 1:
                result = PASS
            else:
                result = FAIL
                evidence = [w for w in warnings if w.get("code") == "title_rows_skipped"] or [
                    warning("title_rows_skipped", f"見出しが {header_row} 行目にあります")]
                note = f"見出しが {header_row} 行目にあります"
        elif rule.id == "L1-05":
            unnamed = [c["name"] for c in columns if not (c.get("source_name") or "").strip()]
            coded = [c["source_name"] for c in columns if _SYMBOLS_ONLY.match((c.get("source_name") or "").strip() or "x")]
            if unnamed:
                evidence.append(warning("unnamed_columns", "項目名のない列があります: " + "、".join(unnamed[:20]),
                                        count=len(unnamed)))
            if coded:
                evidence.append(warning("symbol_column_names", "記号だけの項目名があります: " + "、".join(
                    f"「{n}」" for n in coded[:20]), count=len(coded)))
            result = FAIL if evidence else PASS
        elif rule.id == "L2-03":
            names = [(c.get("source_name") or "").strip() for c in columns]
            repeated = sorted(n for n, k in Counter(names).items() if n and k > 1)
            if repeated and rule.id not in findings:  # else the helper check reported them
                evidence.append(warning("repeated_names", "同じ項目名の列があります: " + "、".join(repeated[:20]),
                                        count=len(repeated)))
            result, evidence = _with_findings(findings, rule.id, evidence, required=False)
        elif rule.id == "L1-03":
            if not current:  # facts of schema version 2 hold these in the helper check's findings
                evidence = [w for w in warnings if w.get("code") in ("empty_rows_dropped", "empty_columns_dropped")]
            result, evidence = _with_findings(findings, rule.id, evidence, required=True)
            sheets = reader.get("sheets") or []
            if len(sheets) > 1:
                note = (f"ブックに {len(sheets)} 枚のシートがあり、「{reader.get('sheet')}」だけを公開しています。"
                        "1つの表が複数のシートに分かれていないか確認してください")
        elif rule.id == "L1-06":
            spaced = [c for c in columns if c.get("source_name") and c["source_name"] != c.get("name")
                      and any(ch.isspace() for ch in c["source_name"])]
            if spaced:
                evidence.append({**warning("spaces_in_names", "列名にスペースがあります: " + "、".join(
                    f"「{c['source_name']}」" for c in spaced[:20]), count=len(spaced)),
                    "repaired": not any(any(ch.isspace() for ch in c.get("name") or "") for c in spaced)})
            if fmt not in CSV_FORMATS:  # a line break in an Excel cell lays the text out (in a CSV it is L1-14)
                evidence += [f for f in findings.get("L1-07") or [] if f.get("code") == "line_break_in_cell"]
            result, evidence = _with_findings(findings, rule.id, evidence, required=False)
        elif rule.id == "L1-07":
            if facts is None or "L1-07" not in findings:
                result = NOT_ASSESSED
            else:
                evidence = [f for f in findings["L1-07"] if f.get("code") != "line_break_in_cell"]
                result = FAIL if evidence else PASS
        elif rule.id == "L1-14":
            if facts is None or "L1-07" not in findings and "L1-14" not in findings:
                result = NOT_ASSESSED
            else:
                if "L1-14" not in findings:
                    evidence = [f for f in findings.get("L1-07") or [] if f.get("code") == "line_break_in_cell"]
                result, evidence = _with_findings(findings, rule.id, evidence, required=False)
                if evidence:
                    note = "引用符で囲めば CSV として読めますが、1行1データにしてください"
        elif rule.id == "L1-15":
            if "L1-15" not in findings:  # the helper check reads the same warnings
                evidence = [{**w, "message": w.get("message", "") + "（カンマを含む値が引用符で囲まれていない可能性があります）"}
                            for w in warnings if w.get("code") in ("ragged_rows_extended", "ragged_rows_padded")]
            result, evidence = _with_findings(findings, rule.id, evidence, required=False)
        elif rule.id == "L3-02":
            coded = [c["name"] for c in columns if _CODE_NAME.search(c.get("name") or "")]
            result = MANUAL
            note = ("コード表が別添されているかはファイルからは判定できません。コードの意味を説明する表を"
                    "データセットに添付しているか確認してください")
            if coded:
                note += "（コード・区分の列: " + "、".join(coded[:10]) + "）"
        elif rule.id == "L3-04":
            result, evidence, note = _units(columns)
        elif rule.id == "L3-06":
            area = (facts or {}).get("area")
            if facts is None or area is None:
                result = NOT_ASSESSED
            else:
                evidence = list(findings.get("L3-06") or [])
                if evidence or related:
                    result = FAIL
                elif area["code_columns"] or area["name_columns"]:
                    result = PASS
                    note = "地域の列: " + "、".join(area["code_columns"] + area["name_columns"])
                else:
                    result, note = NOT_APPLICABLE, "地域を表す列はありません"
        elif rule.id == "L3-07":
            result, evidence, note = _format_change(columns, previous)
        elif rule.id == "L3-08":
            result = MANUAL
            note = ("項目の定義・算出方法・更新履歴・文字コードとBOMの有無は、ファイルではなくデータセットの説明や"
                    "別添資料に書くものなので、担当者が確認してください")
            enc = reader.get("encoding")
            if enc and fmt in CSV_FORMATS:
                note += f"（このファイルの文字コード: {enc}）"
        else:  # rules judged from the stored findings
            result, evidence = _with_findings(findings, rule.id, evidence, required=True)
        if result is None:
            result = NOT_ASSESSED
        if result != NOT_ASSESSED and related and result in (PASS, FAIL):
            result = FAIL  # the original broke the rule: normalization had to fix it
        published = result
        if result == FAIL:
            open_evidence = [e for e in evidence if not _repaired(rule.id, e, related)]
            unfixed = [f for f in related if not f.get("fixed", True)]
            published = FAIL if open_evidence or unfixed else PASS
            evidence = [{**e, "repaired": _repaired(rule.id, e, related)} for e in evidence]
            if published == PASS:
                note = (note + " — " if note else "") + NOTE_FIXED
        out.append({"id": rule.id, "level": rule.level, "name": rule.name, "text": rule.text,
                    "cross_reference_2020": rule.cross_reference_2020, "applies_to": rule.applies_to,
                    "severity": rule.severity, "deduction": rule.deduction, "source": SOURCE,
                    "result": result, "label": RESULT_LABELS[result],
                    "published": published, "published_label": RESULT_LABELS[published],
                    "evidence": evidence, "fixes": related, "note": note})
    return out


def _with_findings(findings: dict, rule_id: str, evidence: list[dict], *, required: bool) -> tuple[str, list[dict]]:
    """Result from ``evidence`` plus the stored findings of ``rule_id`` (duplicates dropped); 未評価 when the
    findings are ``required`` but absent."""
    if rule_id not in findings and required:
        return NOT_ASSESSED, []
    merged = list(evidence)
    seen = {(e.get("code"), e.get("column"), tuple(e.get("rows") or ())) for e in merged}
    for f in findings.get(rule_id) or []:
        key = (f.get("code"), f.get("column"), tuple(f.get("rows") or ()))
        if key not in seen:
            seen.add(key)
            merged.append(f)
    return (FAIL if merged else PASS), merged


def _repaired(rule_id: str, finding: dict, fixes: list[dict]) -> bool:
    if "repaired" in finding and finding.get("code") == "spaces_in_names":
        return bool(finding["repaired"])
    if finding.get("code") in REPAIRED_CODES.get(rule_id, ()):
        return True
    if rule_id == "L3-05" and finding.get("code") == "era_date":
        return any(f.get("code") == "wareki_to_iso_date" and f.get("column") == finding.get("column") for f in fixes)
    return False


def _xlsx_rule(rule_id: str, facts: dict | None, findings: dict) -> tuple[str, list[dict], str]:
    scan = (facts or {}).get("xlsx")
    if not scan:
        return NOT_ASSESSED, [], ""
    sheet = scan.get("sheet") or ""
    if rule_id == "L1-12":
        if not scan["merged_count"]:
            return PASS, [], ""
        return FAIL, [{"code": "merged_cells", "column": None, "rows": [], "count": scan["merged_count"],
                       "cells": scan["merged"], "sheet": scan.get("sheet"),
                       "message": f"シート「{sheet}」に結合セルが {scan['merged_count']} 個あります: "
                                  + "、".join(scan["merged"])}], ""
    if rule_id == "L2-06":
        if not scan["formula_count"]:
            return PASS, [], ""
        return FAIL, [{"code": "formulas", "column": None, "rows": [], "count": scan["formula_count"],
                       "cells": scan["formula_cells"], "sheet": scan.get("sheet"),
                       "message": f"数式のセルが {scan['formula_count']} 個あります: " + "、".join(scan["formula_cells"])}], \
            "公開した表 (CSV・JSON) は計算結果の値です"
    if rule_id == "L1-10":
        if scan["objects"]:
            return FAIL, [{"code": "objects", "column": None, "rows": [], "count": 1, "cells": [],
                           "sheet": scan.get("sheet"), "message": "図形・グラフ・画像などのオブジェクトがあります"}], ""
        return PASS, [], ""
    if rule_id == "L1-13":
        if "hidden" not in scan:
            return _with_findings(findings, rule_id, [], required=True) + ("",)
        hidden = scan["hidden"] or {}
        evidence, note = [], ""
        for h in ([hidden] if isinstance(hidden, dict) else hidden):
            rows, cols = list(h.get("rows") or []), list(h.get("columns") or [])
            n_rows, n_cols = int(h.get("row_count") or len(rows)), int(h.get("column_count") or len(cols))
            if n_rows or n_cols:
                parts = ([f"行 {n_rows} 行（{', '.join(map(str, rows[:20]))}{' ほか' if n_rows > len(rows) else ''}）"]
                         if n_rows else []) + \
                        ([f"列 {n_cols} 列（{', '.join(cols[:20])}{' ほか' if n_cols > len(cols) else ''}）"]
                         if n_cols else [])
                evidence.append({"code": "hidden_rows_columns", "column": None, "rows": rows[:20],
                                 "count": n_rows + n_cols, "cells": cols[:20], "sheet": h.get("sheet") or sheet,
                                 "message": f"シート「{h.get('sheet') or sheet}」に非表示の" + "と".join(parts)
                                            + "があります。不要なら削除してください"})
            if h.get("sheets"):
                note = "非表示のシートがあります: " + "、".join(h["sheets"][:10]) + "（不要なら削除してください）"
        return _with_findings(findings, rule_id, evidence, required=False) + (note,)
    if rule_id == "L1-11":
        if "formatting" not in scan:
            return _with_findings(findings, rule_id, [], required=True) + ("",)
        evidence = []
        for f in scan["formatting"] or []:
            kinds = "・".join(FORMAT_LABELS.get(k, k) for k in f.get("kinds") or [])
            rows = list(f.get("rows") or [])
            evidence.append({"code": "formatting_carries_meaning", "column": f.get("column"), "rows": rows[:20],
                             "count": int(f.get("count") or len(rows)), "sheet": f.get("sheet") or sheet,
                             "message": f"シート「{f.get('sheet') or sheet}」の {f.get('column')} 列で、{kinds}"
                                        "によって値を区別しているセルがあります。区別は文字で別の列に入力してください"})
        return _with_findings(findings, rule_id, evidence, required=False) + ("",)
    return NOT_ASSESSED, [], ""


def _units(columns: list[dict]) -> tuple[str, list[dict], str]:
    """L3-04, in part: numeric columns whose name states no unit. Units may be written elsewhere (a note,
    the dataset's description), so the rule is never failed from the file: 〇 when every numeric column
    names its unit, 要確認 with the columns otherwise."""
    numeric = [c for c in columns if c.get("type") in _NUMERIC_TYPES
               and not _NO_UNIT_NEEDED.search(unicodedata.normalize("NFKC", c.get("name") or ""))]
    if not numeric:
        return NOT_APPLICABLE, [], "単位の必要な数値の列はありません"
    missing = [c["name"] for c in numeric if not _UNIT_IN_NAME.search(unicodedata.normalize("NFKC", c["name"]))]
    if not missing:
        return PASS, [], "数値の列の項目名に単位があります"
    return MANUAL, [warning("unit_not_in_name", "項目名に単位のない数値の列があります: " + "、".join(missing[:20]),
                            count=len(missing))], \
        "単位が項目名にありません。別の列・注記・データセットの説明に単位を書いているか確認してください"


def _format_change(columns: list[dict], previous: dict | None | bool) -> tuple[str, list[dict], str]:
    """L3-07: this version's columns against the previous version's (names and types)."""
    if previous is False:
        return NOT_ASSESSED, [], "前の版との比較は表示時に行います"
    if previous is None:
        return NOT_APPLICABLE, [], "最初の版です"
    before = {c["name"]: c.get("type") for c in previous.get("columns") or []}
    after = {c["name"]: c.get("type") for c in columns}
    if not before or not after:
        return NOT_APPLICABLE, [], "比べる表の列がありません"
    removed = [n for n in before if n not in after]
    added = [n for n in after if n not in before]
    widened = {("integer", "number")}
    retyped = [n for n in before if n in after and before[n] != after[n] and (before[n], after[n]) not in widened]
    number = previous.get("number")
    changed = len(removed) + len(retyped)
    evidence = []
    if removed:
        evidence.append(warning("columns_removed", f"第{number}版にあった列がありません: " + "、".join(removed[:20]),
                                count=len(removed)))
    if retyped:
        evidence.append(warning("columns_retyped", "型が変わった列があります: " + "、".join(
            f"{n}（{before[n]} → {after[n]}）" for n in retyped[:20]), count=len(retyped)))
    if added:
        evidence.append(warning("columns_added", f"第{number}版になかった列があります: " + "、".join(added[:20]),
                                count=len(added)))
    if changed and changed >= FORMAT_CHANGE_SHARE * len(before):
        return FAIL, evidence, (f"第{number}版から列が大きく変わりました。変更が必要な場合は変更履歴を"
                                "データセットの説明に書いてください")
    note = f"第{number}版と比べました" + ("（列の追加・変更は小さな範囲です）" if evidence else "（列は同じです）")
    return PASS, evidence, note


def with_format_change(stored: list[dict], columns: list[dict], previous: dict | None) -> list[dict]:
    """Stored rule results (``[{id, level, result, published, deduction}]``) with L3-07 judged now."""
    result = _format_change(columns, previous)[0]
    return [{**r, "result": result, "published": result} if r["id"] == "L3-07" else r for r in stored]
