"""Validation against the standard schemas: every schema has a conforming file (the real bundled
one where it exists, else a hand-written one in tests/files/standards/) and broken variants with
the exact expected errors; the real city files give the errors a reviewer would list; results
agree with frictionless's own row-by-row validation."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from frictionless import Resource, Schema, validate

from madoguchi.datastore.reading import read_table
from madoguchi.datastore.typedtable import type_table
from madoguchi.standards import services
from madoguchi.standards import validate as standards_validate

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "src/madoguchi/bundle/files/yaizu-city"
FIXTURES = ROOT / "tests/files/standards"
ROWS_2_21 = list(range(2, 22))

#: standard → its conforming file: the real bundled file where one exists
CONFORMING = {
    "aed-v1": BUNDLE / "222127_aed.csv",
    "care-service-v1": FIXTURES / "care-service-v1.csv",
    "medical-institution-v1": FIXTURES / "medical-institution-v1.csv",
    "cultural-property-v1": FIXTURES / "cultural-property-v1.csv",
    "tourism-v1": BUNDLE / "222127_tourism.csv",
    "event-v1": FIXTURES / "event-v1.csv",
    "public-wifi-v1": BUNDLE / "222127_public_wireless_lan.csv",
    "public-toilet-v1": FIXTURES / "public-toilet-v1.csv",
    "fire-water-v1": FIXTURES / "fire-water-v1.csv",
    "evacuation-space-v1": BUNDLE / "222127_evacuation_space.csv",
    "population-v1": FIXTURES / "population-v1.csv",
    "public-facility-v1": BUNDLE / "222127_public_facility.csv",
    "childcare-v1": BUNDLE / "222127_preschool.csv",
    "open-data-list-v1": FIXTURES / "open-data-list-v1.csv",
    "public-toilet-2024": BUNDLE / "222127_public_toilet.csv",
    "fire-water-2024": BUNDLE / "222127_fire_hydrant.csv",
    "event-2024": BUNDLE / "event_excerpt.csv",
}


def check(standard_id: str, data: bytes, file_name: str = "x.csv") -> dict:
    raw = read_table("csv", data, file=file_name, options={})
    row_numbers = raw.row_numbers
    return services.validate_table(standard_id, type_table(raw), row_numbers)


def errors(report: dict) -> list[tuple]:
    """``(field, code, constraint, rows, count)`` of the error items, in report order."""
    return [(e["field"], e["code"], e.get("constraint"), e["rows"], e["count"])
            for e in report["errors"] if e["severity"] == "error"]


def infos(report: dict) -> list[str]:
    return [e["field"] for e in report["errors"] if e["severity"] == "info"]


def phone(rows, count, field="電話番号"):
    return (field, "constraint-error", "pattern", rows, count)


# --- the real city files -----------------------------------------------------------------------------

#: What a reviewer lists for each bundled 焼津市 file (see the report for why each is right):
#: every 電話番号 is written "(054)626-1139" where the standard's form is 054-626-1139; the
#: evacuation flags are "○" where the standard says "1"; the preschool header spells コード with
#: U+2015; the tourism header writes 料金（基本） with full-width brackets, three facilities lack
#: 名称_カナ and three 連絡先電話番号 hold an e-mail address or "なし"; the events excerpt has the
#: Excel-mangled 法人番号 1.00E+12, no カナ, dates as 2026/4/2 and one "電話番号：" prefix.
REAL = {
    "aed-v1": [phone(ROWS_2_21, 82)],
    "evacuation-space-v1": [
        phone(ROWS_2_21, 31),
        ("災害種別_崖崩れ、土石流及び地滑り", "constraint-error", "enum", [27, 28, 29, 30, 31], 5),
        ("災害種別_地震", "constraint-error", "enum", ROWS_2_21, 26),
        ("災害種別_津波", "constraint-error", "enum", ROWS_2_21, 26),
        ("指定避難所との重複", "constraint-error", "enum", [27, 28, 29, 30, 31], 5),
    ],
    "childcare-v1": [
        ("都道府県コード又は市区町村コード", "incorrect-label", None, [], 1),
        phone(ROWS_2_21, 58),
        phone(ROWS_2_21, 50, "FAX番号"),
    ],
    "public-facility-v1": [],
    "public-wifi-v1": [phone(list(range(2, 19)), 17)],
    "tourism-v1": [
        ("料金(基本)", "incorrect-label", None, [], 1),
        ("料金(詳細)", "incorrect-label", None, [], 1),
        ("名称_カナ", "constraint-error", "required", [58, 77, 78], 3),
        phone([124, 176, 234], 3, "連絡先電話番号"),
    ],
    "public-toilet-2024": [],
    "fire-water-2024": [],
    "event-2024": [
        ("法人番号", "constraint-error", "pattern", ROWS_2_21, 23),
        ("イベント名_カナ", "constraint-error", "required", ROWS_2_21, 23),
        ("開始日", "type-error", None, ROWS_2_21, 23),
        ("終了日", "type-error", None, ROWS_2_21, 23),
        ("掲載開始日", "type-error", None, ROWS_2_21, 23),
        ("掲載終了日", "type-error", None, ROWS_2_21, 23),
        phone([22], 1, "連絡先電話番号"),
        ("場所名称", "constraint-error", "required", [2, 3, 6, 8, 9, 10, 11], 7),
        ("所在地_連結表記", "constraint-error", "required", [2, 3, 6, 7, 8, 9, 10, 11], 8),
    ],
}
TOURISM_EXTRA = ["区分1", "区分2", "休業日", "最大収容人数", "バリアフリー対応", "身障者用駐車場有り", "車イスでの入店可能",
                 "車イストイレあり", "多目的トイレあり", "バリアフリーその他", "バリアフリー詳細情報_他_備考", "HP有無", "焼津温泉",
                 "宿泊施設_部屋数", "宿泊施設_温泉", "タグ1", "タグ2", "タグ3", "ふるさと納税"]


@pytest.mark.parametrize("standard_id", sorted(REAL))
def test_real_file__gives_the_errors_a_reviewer_lists(standard_id):
    path = CONFORMING[standard_id]
    report = check(standard_id, path.read_bytes(), path.name)
    assert errors(report) == REAL[standard_id]
    assert report["valid"] is (not REAL[standard_id])
    assert report["error_count"] == sum(e[4] for e in REAL[standard_id])
    assert report["matched_fields"] == report["field_count"] == len(services.get_standard(standard_id).field_names)
    if standard_id != "tourism-v1":
        assert infos(report) == []


def test_real_tourism__city_columns_are_info_not_errors():
    report = check("tourism-v1", CONFORMING["tourism-v1"].read_bytes(), "222127_tourism.csv")
    extra = infos(report)
    assert extra[:-1] == TOURISM_EXTRA and len(extra) == 20  # + the unnamed trailing column
    first = next(e for e in report["errors"] if e["code"] == "extra-label")
    assert first["message"].startswith("列「区分1」は観光施設一覧の標準にない項目です")


def test_real_tourism_cp932_version__errors():
    path = BUNDLE / "222127_tourism_2025-04_cp932.csv"
    report = check("tourism-v1", path.read_bytes(), path.name)
    # 054?330?8283: the dash was lost to "?" when the file was saved as Shift_JIS
    assert errors(report) == [phone([78, 136, 175], 3, "連絡先電話番号")]
    item = report["errors"][-1]
    assert item["examples"] == ["なし", "E-mail:izumi@tsukiomou.com", "054?330?8283"]
    assert infos(report) == ["レコード番号", *TOURISM_EXTRA]


def test_preschool_label_error__names_both_spellings():
    report = check("childcare-v1", CONFORMING["childcare-v1"].read_bytes())
    label = report["errors"][0]
    assert label["message"] == ("列名「都道府県コ―ド又は市区町村コ―ド」が標準の表記「都道府県コード又は市区町村コード」と異なります: "
                                "「―」(U+2015) ではなく「ー」(U+30FC) (label differs from the standard's spelling)")
    # the column is still checked as the standard's field (its codes are 222127, which conform)
    assert report["matched_fields"] == 28


def test_messages__japanese_first_with_examples():
    report = check("aed-v1", CONFORMING["aed-v1"].read_bytes())
    item = report["errors"][0]
    assert item["message"] == ("「電話番号」の値が標準の形式「市外局番からハイフンで区切った半角数字 (例 054-626-1139)」に合いません"
                               "（例: 「(054)626-1139」、「(054)626-2171」、「(054)623-2554」） (pattern)")
    assert item["examples"] == ["(054)626-1139", "(054)626-2171", "(054)623-2554"]


# --- conforming files and broken variants, for every schema -----------------------------------------

class _Rows(list):
    """The records of a CSV file, remembering its line ending (so that rewritten files keep their row numbers)."""

    newline = "\n"


def _rows(path: Path) -> _Rows:
    data = path.read_bytes()
    rows = _Rows(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    rows.newline = "\r\n" if b"\r\n" in data else "\n"
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=getattr(rows, "newline", "\n")).writerows(rows)
    return out.getvalue().encode()


def _fixed_phones(rows: list[list[str]]) -> list[list[str]]:
    """The real file with its phone numbers written in the standard's form ((054)626-1139 → 054-626-1139)."""
    header = rows[0]
    cols = [j for j, h in enumerate(header) if h in ("電話番号", "FAX番号")]
    for row in rows[1:]:
        for j in cols:
            if row[j].startswith("("):
                row[j] = row[j][1:].replace(")", "-")
    return rows


@pytest.mark.parametrize("standard_id", sorted(set(CONFORMING) - set(REAL)))
def test_hand_written_file__conforms(standard_id):
    report = check(standard_id, CONFORMING[standard_id].read_bytes())
    assert report["errors"] == []
    assert report["valid"] is True and report["error_count"] == 0
    assert report["matched_fields"] == report["field_count"]


def test_real_aed_with_phones_in_the_standard_form__conforms():
    report = check("aed-v1", _csv(_fixed_phones(_rows(CONFORMING["aed-v1"]))))
    assert report["valid"] is True and report["errors"] == []


def _set(rows, column, data_row, value):
    rows[data_row][rows[0].index(column)] = value


def _drop(rows, column):
    j = rows[0].index(column)
    for row in rows:
        del row[j]


#: standard → (mutations on the conforming file, the exact errors expected). Data row n is file row n + 1.
BROKEN = {
    "aed-v1": ([("drop", "名称"), ("set", "名称_カナ", 1, ""), ("set", "緯度", 2, "北緯34度"),
                ("set", "小児対応設備の有無", 3, "あり")],
               [("名称", "missing-label", None, [], 1), ("名称_カナ", "constraint-error", "required", [2], 1),
                ("緯度", "type-error", None, [3], 1), phone(ROWS_2_21, 82),
                ("小児対応設備の有無", "constraint-error", "enum", [4], 1)]),
    "care-service-v1": ([("drop", "実施サービス"), ("set", "電話番号", 2, ""), ("set", "定員", 3, "30名")],
                        [("実施サービス", "missing-label", None, [], 1),
                         ("電話番号", "constraint-error", "required", [3], 1), ("定員", "type-error", None, [4], 1)]),
    "medical-institution-v1": ([("set", "医療機関の種類", 1, "診療所"), ("set", "診療開始時間", 2, "9時"),
                                ("set", "病床数", 3, ""), ("set", "URL", 1, "www.example.jp")],
                               [("医療機関の種類", "constraint-error", "enum", [2], 1),
                                ("診療開始時間", "type-error", None, [3], 1),
                                ("病床数", "constraint-error", "required", [4], 1), ("URL", "type-error", None, [2], 1)]),
    "cultural-property-v1": ([("set", "種類", 1, "史跡"), ("set", "文化財指定日", 2, "平成2年3月20日"),
                              ("set", "経度", 1, "238.3")],
                             [("種類", "constraint-error", "enum", [2], 1),
                              ("経度", "constraint-error", "maximum", [2], 1),
                              ("文化財指定日", "type-error", None, [3], 1)]),
    # 説明 holds the multi-line cells: without it the same records start on earlier file rows
    "tourism-v1": ([("drop", "説明")],
                   [("料金(基本)", "incorrect-label", None, [], 1), ("料金(詳細)", "incorrect-label", None, [], 1),
                    ("説明", "missing-label", None, [], 1), ("名称_カナ", "constraint-error", "required", [48, 65, 66], 3),
                    phone([108, 151, 207], 3, "連絡先電話番号")]),
    "event-v1": ([("set", "開始日", 1, "2026/5/28"), ("set", "終了時間", 2, "10:00:00"), ("set", "料金(基本)", 1, "無料")],
                 [("開始日", "type-error", None, [2], 1), ("終了時間", "type-error", None, [3], 1),
                  ("料金(基本)", "type-error", None, [2], 1)]),
    "public-wifi-v1": ([("set", "NO", 2, "1000000004"), ("set", "都道府県コード又は市区町村コード", 3, "222128")],
                       [("都道府県コード又は市区町村コード", "check-digit-error", None, [4], 1),
                        ("NO", "unique-error", None, [3], 1), phone(list(range(2, 19)), 17)]),
    "public-toilet-v1": ([("drop", "多機能トイレ数"), ("set", "オストメイト設置トイレ有無", 1, "")],
                         [("多機能トイレ数", "missing-label", None, [], 1),
                          ("オストメイト設置トイレ有無", "constraint-error", "required", [2], 1)]),
    "fire-water-v1": ([("set", "種別", 1, "防火水槽"), ("set", "口径", 2, "150mm")],
                      [("種別", "constraint-error", "enum", [2], 1), ("口径", "type-error", None, [3], 1)]),
    "evacuation-space-v1": ([("drop", "災害種別_火山現象"), ("set", "市区町村コード", 1, "22212")],
                            [("災害種別_火山現象", "missing-label", None, [], 1), phone(ROWS_2_21, 31),
                             ("市区町村コード", "constraint-error", "pattern", [2], 1),
                             ("災害種別_崖崩れ、土石流及び地滑り", "constraint-error", "enum", [27, 28, 29, 30, 31], 5),
                             ("災害種別_地震", "constraint-error", "enum", ROWS_2_21, 26),
                             ("災害種別_津波", "constraint-error", "enum", ROWS_2_21, 26),
                             ("指定避難所との重複", "constraint-error", "enum", [27, 28, 29, 30, 31], 5)]),
    "population-v1": ([("set", "総人口", 1, "1,234"), ("set", "85歳以上の女性", 2, "x"), ("set", "調査年月日", 3, "")],
                      [("調査年月日", "constraint-error", "required", [4], 1), ("総人口", "type-error", None, [2], 1),
                       ("85歳以上の女性", "type-error", None, [3], 1)]),
    "public-facility-v1": ([("set", "名称_カナ", 5, ""), ("set", "緯度", 6, "")],
                           [("名称_カナ", "constraint-error", "required", [6], 1)]),
    "childcare-v1": ([("set", "種別", 1, "保育園"), ("set", "一時預かりの有無", 2, "○")],
                     [("都道府県コード又は市区町村コード", "incorrect-label", None, [], 1),
                      ("種別", "constraint-error", "enum", [2], 1), phone(ROWS_2_21, 58),
                      phone(ROWS_2_21, 50, "FAX番号"), ("一時預かりの有無", "constraint-error", "enum", [3], 1)]),
    "open-data-list-v1": ([("set", "分類", 1, "防災"), ("set", "最終更新日", 2, "")],
                          [("分類", "constraint-error", "enum", [2], 1),
                           ("最終更新日", "constraint-error", "required", [3], 1)]),
    "public-toilet-2024": ([("drop", "設置位置"), ("set", "車椅子使用者用トイレ有無", 1, "あり"), ("set", "町字ID", 2, "3000")],
                           [("設置位置", "missing-label", None, [], 1),
                            ("町字ID", "constraint-error", "pattern", [3], 1),
                            ("車椅子使用者用トイレ有無", "constraint-error", "enum", [2], 1)]),
    "fire-water-2024": ([("set", "種別", 1, ""), ("set", "経度", 2, "要確認"), ("set", "ID", 3, "1")],
                        [("ID", "unique-error", None, [4], 1), ("種別", "constraint-error", "required", [2], 1),
                         ("経度", "type-error", None, [3], 1)]),
    "event-2024": ([("drop", "開始時間"), ("set", "全国地方公共団体コード", 1, "22212７")],
                   [("開始時間", "missing-label", None, [], 1),
                    ("全国地方公共団体コード", "constraint-error", "pattern", [2], 1), *REAL["event-2024"]]),
}


def _apply(rows, mutations):
    for mutation in mutations:
        if mutation[0] == "drop":
            _drop(rows, mutation[1])
        else:
            _set(rows, *mutation[1:])
    return rows


@pytest.mark.parametrize("standard_id", sorted(BROKEN))
def test_broken_variant__gives_exactly_the_expected_errors(standard_id):
    mutations, expected = BROKEN[standard_id]
    report = check(standard_id, _csv(_apply(_rows(CONFORMING[standard_id]), mutations)))
    assert errors(report) == expected
    assert report["valid"] is False
    assert report["error_count"] == sum(e[4] for e in expected)


def test_every_standard_has_a_conforming_file_and_a_broken_variant():
    ids = [s.id for s in services.all_standards()]
    assert sorted(CONFORMING) == sorted(ids) == sorted(BROKEN)


def test_rows_are_capped_at_20_and_count_keeps_the_total():
    rows = _rows(CONFORMING["aed-v1"])
    report = check("aed-v1", _csv(rows))
    item = report["errors"][0]
    assert len(item["rows"]) == 20 and item["count"] == 82


# --- frictionless is the reference ------------------------------------------------------------------

def _frictionless_cell_errors(standard_id: str, path_or_data, tmp_path) -> set[tuple]:
    """frictionless's own row-by-row validation of the file, with the standard's fields in the file's column order."""
    data = path_or_data if isinstance(path_or_data, bytes) else path_or_data.read_bytes()
    # madoguchi checks cells as the ingestion stores them: without leading/trailing spaces
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
    data = _csv(rows)
    (tmp_path / "t.csv").write_bytes(data)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    standard = services.get_standard(standard_id)
    matched, _ = standards_validate.match_columns(standard, [{"name": h} for h in header])
    by_column = {j: name for name, j in matched.items()}
    by_name = {f["name"]: f for f in standard.fields}
    fields = [{**by_name[by_column[j]], "name": h} if j in by_column else {"name": h, "type": "string"}
              for j, h in enumerate(header)]
    schema = Schema.from_descriptor({"fields": fields, "missingValues": [""]})
    report = validate(Resource(path="t.csv", basepath=str(tmp_path), schema=schema, encoding="utf-8-sig"),
                      limit_errors=100_000)
    found = set()
    for error in report.tasks[0].errors:
        if error.type in ("type-error", "constraint-error", "unique-error"):
            kind = None if error.type != "constraint-error" else error.note.split('"')[1]
            found.add((by_column[header.index(error.field_name)], error.type, kind, error.row_number))
    return found


def _ours(standard_id: str, data: bytes, monkeypatch) -> set[tuple]:
    monkeypatch.setattr(standards_validate, "MAX_ROWS", 10**9)
    raw = read_table("csv", data, file="t.csv", options={})
    # frictionless numbers rows by record (header = 1), so do we here
    report = services.validate_table(standard_id, type_table(raw), range(2, raw.num_rows + 2))
    return {(e["field"], e["code"], e.get("constraint"), row) for e in report["errors"]
            if e["code"] in ("type-error", "constraint-error", "unique-error") for row in e["rows"]}


@pytest.mark.parametrize("standard_id", sorted(BROKEN))
def test_cell_errors__are_those_frictionless_finds_row_by_row(standard_id, tmp_path, monkeypatch):
    mutations, _ = BROKEN[standard_id]
    data = _csv(_apply(_rows(CONFORMING[standard_id]), mutations))
    reference = _frictionless_cell_errors(standard_id, data, tmp_path)
    assert reference  # the variant is broken for frictionless too
    assert _ours(standard_id, data, monkeypatch) == reference


# --- through the ingestion pipeline -------------------------------------------------------------------

@pytest.mark.django_db
def test_ingest__declared_standard_is_validated_into_the_report(ingest, make_dataset):
    # The pipeline validates the *normalized* table: the normalization step rewrites (054)626-1139 as
    # 054-626-1139 (reported under "fixes"), so the published AED table conforms.
    version = ingest(CONFORMING["aed-v1"].read_bytes(), "222127_aed.csv", dataset=make_dataset(standard="aed-v1"))
    report = version.report["standard"]
    assert report["standard"] == "aed-v1" and report["title"] == "AED設置箇所一覧" and report["generation"] == "v1"
    assert "phone_number_formatted" in [f["code"] for f in version.report["fixes"]]
    assert report["valid"] is True and report["error_count"] == 0 and report["errors"] == []
    assert report["matched_fields"] == report["field_count"] == 22
    assert version.report["standard_suggestions"] == []
    json.dumps(version.report)  # stored as JSON


@pytest.mark.django_db
def test_ingest__evacuation_flags_written_as_circles_are_reported(ingest, make_dataset):
    version = ingest(CONFORMING["evacuation-space-v1"].read_bytes(), "222127_evacuation_space.csv",
                     dataset=make_dataset(standard="evacuation-space-v1"))
    report = version.report["standard"]
    assert report["valid"] is False
    assert [e for e in errors(report) if e[1] != "constraint-error" or e[2] != "pattern"] == REAL["evacuation-space-v1"][1:]


@pytest.mark.django_db
def test_ingest__broken_variant_reports_its_errors(ingest, make_dataset):
    mutations, expected = BROKEN["fire-water-2024"]
    data = _csv(_apply(_rows(CONFORMING["fire-water-2024"]), mutations))
    version = ingest(data, "fire.csv", dataset=make_dataset(standard="fire-water-2024"))
    assert errors(version.report["standard"]) == expected
    assert version.row_count == 193  # the table is published all the same


@pytest.mark.django_db
def test_ingest__without_a_declaration_suggests_the_closest_standard(ingest):
    version = ingest(CONFORMING["aed-v1"].read_bytes(), "222127_aed.csv")
    assert version.report["standard"] is None
    best = version.report["standard_suggestions"][0]
    assert best["standard"] == "aed-v1" and best["score"] == 1.0 and best["missing_required"] == []


# --- suggestions ----------------------------------------------------------------------------------------

def _header(path: Path) -> list[str]:
    return _rows(path)[0]


def test_suggest__yaizu_aed_header_is_aed_v1_first():
    result = services.suggest_standards(_header(CONFORMING["aed-v1"]))
    assert [s["standard"] for s in result] == ["aed-v1", "public-facility-v1", "childcare-v1"]
    assert result[0] == {"standard": "aed-v1", "title": "AED設置箇所一覧", "generation": "v1", "score": 1.0,
                         "matched": services.get_standard("aed-v1").field_names, "missing_required": []}
    assert 0 < result[1]["score"] < 1


@pytest.mark.parametrize("standard_id", ["childcare-v1", "evacuation-space-v1", "public-toilet-2024", "fire-water-2024",
                                         "event-2024", "tourism-v1", "public-wifi-v1", "population-v1",
                                         "medical-institution-v1", "open-data-list-v1"])
def test_suggest__each_conforming_header_suggests_its_own_standard_first(standard_id):
    assert services.suggest_standards(_header(CONFORMING[standard_id]))[0]["standard"] == standard_id


def test_suggest__folds_spelling_and_lists_missing_required():
    result = services.suggest_standards(["都道府県コ―ド又は市区町村コ―ド", "名称", "住所", "緯度", "経度", "設置位置", "小児対応設備の有無"])
    assert result[0]["standard"] == "aed-v1"
    assert result[0]["matched"] == ["都道府県コード又は市区町村コード", "名称", "住所", "緯度", "経度", "設置位置", "小児対応設備の有無"]
    assert result[0]["missing_required"] == ["名称_カナ"]


def test_suggest__unrelated_columns_suggest_nothing():
    assert services.suggest_standards(["品目", "分別区分", "注意点"]) == []
    assert services.suggest_standards([]) == []
    assert len(services.suggest_standards(_header(CONFORMING["aed-v1"]), limit=1)) == 1


# --- the bundled datasets that declare a standard, through the whole pipeline -------------------------

#: After normalization (phone numbers rewritten as 054-626-1139, spaces trimmed — listed under "fixes")
#: what remains of REAL is what the published table still gets wrong.
PIPELINE = {
    "yaizu-aed": ("aed-v1", []),
    "yaizu-evacuation-space": ("evacuation-space-v1", REAL["evacuation-space-v1"][1:]),
    "yaizu-preschool": ("childcare-v1", REAL["childcare-v1"][:1]),
    "yaizu-public-facility": ("public-facility-v1", []),
    "yaizu-public-wireless-lan": ("public-wifi-v1", []),
    "yaizu-tourism": ("tourism-v1", REAL["tourism-v1"]),
    "yaizu-public-toilet": ("public-toilet-2024", []),
    "yaizu-fire-hydrant": ("fire-water-2024", []),
    "yaizu-events": ("event-2024", REAL["event-2024"]),
}


def _bundle_datasets() -> dict:
    import tomllib

    spec = tomllib.loads((ROOT / "src/madoguchi/bundle/datasets.toml").read_text(encoding="utf-8"))
    return {d["slug"]: d for d in spec["dataset"]}


def test_bundle__declares_the_standard_of_each_file_that_follows_one():
    declared = {slug: d["standard"] for slug, d in _bundle_datasets().items() if d.get("standard")}
    assert declared == {slug: sid for slug, (sid, _) in PIPELINE.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(PIPELINE))
def test_bundle__declared_standard_report_after_ingestion(slug, ingest, make_dataset):
    standard_id, expected = PIPELINE[slug]
    spec = _bundle_datasets()[slug]
    file = spec["resource"][0]["file"]
    dataset = make_dataset(slug, standard=standard_id, private=True)  # private: no privacy gate in the way
    version = ingest((ROOT / "src/madoguchi/bundle/files" / file).read_bytes(), Path(file).name, dataset=dataset)
    report = version.report["standard"]
    assert errors(report) == expected
    assert report["valid"] is (not expected)


@pytest.mark.parametrize("column, expected", [
    (["1", " 1", "2", "", "", "2"], [("ID", "unique-error", None, [3, 7], 2)]),  # " 1" is 1 once trimmed; blanks never clash
    (["a", "b", "", ""], []),
])
def test_unique__compares_trimmed_values_and_ignores_blank_cells(column, expected):
    data = "種別,ID\n" + "".join(f"消火栓,{v}\n" for v in column)
    assert errors(check("fire-water-2024", data.encode())) == expected


def test_local_government_code__wrong_check_digit():
    data = "全国地方公共団体コード,種別\n222127,消火栓\n222128,消火栓\n２２２１２７,消火栓\n"
    assert errors(check("fire-water-2024", data.encode())) == [
        ("全国地方公共団体コード", "constraint-error", "pattern", [4], 1),  # full-width digits are not the standard's form
        ("全国地方公共団体コード", "check-digit-error", None, [3], 1)]
