"""Ingestion rules on small made-up files: encodings, header rows, types, formats.

Requirements: issue #2 (Ingestion). Each test asserts the typed values in the
published snapshot, read back through the datastore query service.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from madoguchi.datastore.reading.encoding import detect_encoding

from .conftest import records

POP_CSV = "町名,人口,世帯数,郵便番号,調査日\n大通東２丁目,\"1,234\",５６７,0600042,令和2年3月1日\n北1条西1丁目,89,40,0600001,R2.3.1\n"


def types(version) -> dict[str, str]:
    return {c["name"]: c["type"] for c in version.columns}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp"])
def test_ingest__encodings__detected_and_typed(ingest, encoding):
    v = ingest(POP_CSV.encode(encoding), "pop.csv")
    assert v.encoding == encoding
    assert types(v) == {"町名": "string", "人口": "integer", "世帯数": "integer", "郵便番号": "string", "調査日": "date"}
    rows = records(v)["records"]
    assert rows[0] == {"_id": 1, "町名": "大通東２丁目", "人口": 1234, "世帯数": 567, "郵便番号": "060-0042",
                       "調査日": "2020-03-01"}
    assert rows[1]["調査日"] == "2020-03-01"


def test_detect_encoding__short_cp932_file_is_not_misjudged():
    # 4 bytes of kanji: generic guessers often call this something else
    data = "区名\n中央\n".encode("cp932")
    assert detect_encoding(data)[0] == "cp932"


def test_detect_encoding__half_width_kana_cp932():
    data = "ｺﾞﾐ,ﾍﾟｯﾄﾎﾞﾄﾙ\n可燃,資源\n".encode("cp932")
    encoding, text = detect_encoding(data)
    assert text.startswith("ｺﾞﾐ")


def test_ingest__title_rows_before_header__skipped_and_reported(ingest):
    data = ("令和3年4月1日現在,町丁別人口,,\n\n区,町名,男,女\n中央区,大通東1丁目,10,12\n中央区,大通東2丁目,-,3\n").encode("cp932")
    v = ingest(data, "title.csv")
    assert [c["name"] for c in v.columns] == ["区", "町名", "男", "女"]
    assert v.report["reader"]["header_row"] == 3
    codes = {w["code"] for w in v.report["warnings"]}
    assert {"title_rows_skipped", "placeholder_as_empty", "empty_rows_dropped"} <= codes
    rows = records(v)["records"]
    assert rows[1]["男"] is None and rows[1]["女"] == 3


def test_ingest__leading_zeros_never_lost(ingest):
    data = "ID,市区町村コード,電話番号,数\n0095783,011002,011-211-2111,7\n0000001,222127,054-626-1111,8\n".encode()
    v = ingest(data, "codes.csv")
    assert types(v) == {"ID": "string", "市区町村コード": "string", "電話番号": "string", "数": "integer"}
    first = records(v)["records"][0]
    assert (first["ID"], first["市区町村コード"]) == ("0095783", "011002")


def test_ingest__code_named_column_without_leading_zero_stays_text(ingest):
    v = ingest("全国地方公共団体コード,名称\n222127,焼津市\n".encode(), "c.csv")
    assert types(v)["全国地方公共団体コード"] == "string"


def test_ingest__mostly_numbers__kept_as_text_and_reported(ingest):
    body = "".join(f"{i},{i * 10}\n" for i in range(1, 20)) + "20,不明\n"
    v = ingest(("no,値\n" + body).encode(), "m.csv")
    assert types(v)["値"] == "string"
    warning = next(w for w in v.report["warnings"] if w["code"] == "unparsed_values")
    assert warning["column"] == "値" and warning["rows"] == [21] and warning["count"] == 1
    assert records(v, filters={"no": 20})["records"][0]["値"] == "不明"


def test_ingest__decimal_boolean_time_datetime(ingest):
    data = ("緯度,経度,有効,開始,更新\n"
            "34.8659731,138.2975482,TRUE,9:30,2023-01-17 10:00:00\n"
            "34.1,138.1,false,18:00,2023-01-18 00:00:00\n").encode()
    v = ingest(data, "t.csv")
    assert types(v) == {"緯度": "number", "経度": "number", "有効": "boolean", "開始": "time", "更新": "datetime"}
    roles = {c["name"]: c["role"] for c in v.columns}
    assert roles["緯度"] == "latitude" and roles["経度"] == "longitude"
    first = records(v)["records"][0]
    assert first["緯度"] == pytest.approx(34.8659731)
    assert first["有効"] is True and first["開始"] == "09:30:00" and first["更新"] == "2023-01-17T10:00:00"


def test_ingest__midnight_datetimes_are_dates(ingest):
    v = ingest("許可日\n2023-01-17 00:00:00\n2023-02-01 00:00:00\n".encode(), "d.csv")
    assert types(v) == {"許可日": "date"}


def test_ingest__ragged_rows_lose_nothing(ingest):
    data = "a,b\n1,2\n3\n4,5,extra\n".encode()
    v = ingest(data, "ragged.csv")
    assert [c["name"] for c in v.columns] == ["a", "b", "column_3"]
    rows = records(v)["records"]
    assert rows[1]["b"] is None and rows[2]["column_3"] == "extra"
    codes = {w["code"]: w for w in v.report["warnings"]}
    assert codes["ragged_rows_extended"]["rows"] == [4]
    assert codes["ragged_rows_padded"]["rows"] == [3]


def test_ingest__empty_rows_and_columns_dropped(ingest):
    data = "a,,b,\n1,,2,\n,,,\n3,,4,\n".encode()
    v = ingest(data, "e.csv")
    assert [c["name"] for c in v.columns] == ["a", "b"]
    assert v.row_count == 2


def test_ingest__header_names_cleaned(ingest):
    v = ingest("生産年齢  人    口,0～ 4歳,_id,x,x\n1,2,3,4,5\n".encode(), "h.csv")
    assert [c["name"] for c in v.columns] == ["生産年齢人口", "0～4歳", "_id_original", "x", "x_2"]
    assert v.columns[0]["source_name"] == "生産年齢  人    口"


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_ingest__csv_dialects(ingest, delimiter):
    v = ingest(f"名前{delimiter}数\nあ{delimiter}1\nい{delimiter}2\n".encode(), "d.txt")
    assert types(v) == {"名前": "string", "数": "integer"}
    assert v.report["reader"]["delimiter"] == delimiter


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_ingest__xlsx_first_sheet_by_default_and_chosen_sheet(ingest, make_dataset):
    data = _xlsx({"４月": [["表題"], ["№", "許可日", "屋号"], [1, dt.datetime(2024, 4, 3), "店A"]],
                  "５月": [["№", "許可日", "屋号"], [1, dt.datetime(2024, 5, 9), "店B"], [2, "令和6年5月10日", "店C"]]})
    first = ingest(data, "p.xlsx")
    assert first.report["reader"]["sheet"] == "４月"
    assert records(first)["records"][0]["許可日"] == "2024-04-03"
    second = ingest(data, "p.xlsx", dataset=make_dataset("other", "別"), sheet="５月")
    assert types(second) == {"№": "integer", "許可日": "date", "屋号": "string"}
    assert [r["許可日"] for r in records(second)["records"]] == ["2024-05-09", "2024-05-10"]
    by_number = ingest(data, "p.xlsx", dataset=make_dataset("third", "三"), sheet=2)
    assert by_number.row_count == 2


def test_ingest__geojson_points_become_lat_lon(ingest):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [138.324286, 34.815168]},
         "properties": {"NO": 1, "施設・場所名": "一色浜防災広場", "津波": "1"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[138, 34], [139, 35]]},
         "properties": {"NO": 2, "施設・場所名": "避難路", "津波": ""}}]}
    v = ingest(json.dumps(doc, ensure_ascii=False).encode(), "s.geojson")
    rows = records(v)["records"]
    assert rows[0]["latitude"] == pytest.approx(34.815168) and rows[0]["longitude"] == pytest.approx(138.324286)
    assert json.loads(rows[1]["geometry"])["type"] == "LineString"
    assert {c["name"]: c["role"] for c in v.columns}["latitude"] == "latitude"


def test_ingest__json_nested_array_by_path(ingest):
    doc = {"metadata": {"title": "献立"}, "menus": [{"date": "2025-07-01", "nutrition": {"energy": 650.5}},
                                                   {"date": "2025-07-02", "nutrition": {"energy": 600}}]}
    v = ingest(json.dumps(doc).encode(), "m.json", json_path="menus")
    assert types(v) == {"date": "date", "nutrition.energy": "number"}
    assert records(v)["records"][1]["nutrition.energy"] == 600


def test_ingest__non_tabular_file_kept_without_table(ingest):
    v = ingest(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "plan.pdf")
    assert v.format == "pdf" and not v.has_table and v.row_count is None
