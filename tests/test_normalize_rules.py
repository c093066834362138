"""Normalization rules one cell at a time, and ``normalize_table`` on both ``RawTable`` forms.

The column form (Arrow arrays, dictionary-encoded or not, used for large CSVs)
must give exactly the fixes and cells the row form gives.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from madoguchi.datastore.normalize import normalize_table
from madoguchi.datastore.normalizing import cells
from madoguchi.datastore.normalizing.columns import INVALID
from madoguchi.datastore.normalizing.coordinates import dms_to_decimal
from madoguchi.datastore.reading.base import RawTable
from madoguchi.wareki import parse_japanese_date, wareki_to_iso


@pytest.mark.parametrize("text, expected", [
    ("令和元年5月1日", "2019-05-01"), ("R1.5.1", "2019-05-01"), ("平成31年4月30日", "2019-04-30"),
    ("H31/4/30", "2019-04-30"), ("昭和64年1月7日", "1989-01-07"), ("令和２年３月１日", "2020-03-01"),
    ("平成元年1月8日", "1989-01-08"), ("平成31年4月", "2019-04"), ("r2-3-1", "2020-03-01"),
    ("令和 02年05月01日", "2020-05-01"), ("R2.2.30", None), ("2020-03-01", None), ("令和2年", None), ("備考", None),
])
def test_wareki_to_iso(text, expected):
    assert wareki_to_iso(text) == expected


def test_parse_japanese_date__still_reads_iso_and_wareki():
    assert parse_japanese_date("2019-05-01") == parse_japanese_date("令和元年5月1日")
    assert parse_japanese_date("2019-04").isoformat() == "2019-04-01"


@pytest.mark.parametrize("text, expected", [
    ("令和2年3月1日 9:30", "2020-03-01 09:30"), ("R2.3.1 10:00:05", "2020-03-01 10:00:05"),
    ("令和2年13月1日", INVALID), ("令和2年3月1日に開設", INVALID),
])
def test_wareki_date__with_time_and_invalid(text, expected):
    assert cells.wareki_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("34°52'1.23\"", "34.8670083"), ("34度52分1.23秒", "34.8670083"), ("N34°52'01\"", "34.8669444"),
    ("138.19.23.5", "138.3231944"), ("138:19:23.5", "138.3231944"), ("E138°19′23.5″", "138.3231944"),
    ("34°52'", "34.8666667"), ("北緯34度52分1.23秒", "34.8670083"), ("34°52'1.23\"S", "-34.8670083"),
    ("３４°５２′１．２３″", "34.8670083"), ("34.8670083", "34.8670083"), ("不明", "不明"),
    ("34°61'00\"", INVALID), ("34°52'60\"", INVALID),
])
def test_dms_to_decimal(text, expected):
    assert dms_to_decimal(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("4250000", "425-0000"), ("425-0000", "425-0000"), ("〒425-0000", "425-0000"), ("〒 ４２５－００００", "425-0000"),
    ("425ー0000", "425-0000"), ("425-00", INVALID), ("42500001", INVALID), ("焼津市", INVALID),
])
def test_postal_code(text, expected):
    assert cells.postal_code(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("(054)626-1139", "054-626-1139"), ("0546261139", "054-626-1139"), ("054 626 1139", "054-626-1139"),
    ("０５４－６２６－１１３９", "054-626-1139"), ("054ー626ー1139", "054-626-1139"), ("0962-82-8433", "096-282-8433"),
    ("+81 54-626-1139", "054-626-1139"), ("546261139", "054-626-1139"),  # Excel dropped the 0
    ("0120-123-456", "0120-123-456"), ("03(1234)5678", "03-1234-5678"),
    ("054-626-1111 内線123", "054-626-1111 内線123"),
    ("TEL 0546261139／FAX 0546262222", "TEL 054-626-1139／FAX 054-626-2222"),
    ("626-1139", INVALID), ("054?330?8283", INVALID), ("E-mail:a@example.jp", INVALID),
    ("054-626-1139、626-2222", INVALID), ("054-626-1111(内線1234)", "054-626-1111(内線1234)"),
])
def test_phone_number(text, expected):
    assert cells.phone_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("222127", "222127"), ("22212", "222127"), ("01100", "011002"), ("1100", "011002"), ("222128", INVALID),
    ("221", INVALID), ("２２２１２７", "222127"), ("11002", "110027"), ("2221271", INVALID),
])
def test_local_government_code(text, expected):
    assert cells.local_government_code(text) == expected


def test_local_government_code__leading_zero_back_in_a_column_of_6_digit_codes():
    assert cells.local_government_code("11002", six_digit_column=True) == "011002"
    assert cells.local_government_code("22212", six_digit_column=True) == "222127"  # 022212 is no valid code


@pytest.mark.parametrize("text, expected", [
    ("１２３", "123"), ("１，２３４．５", "1,234.5"), ("ＡＢ－０１", "AB-01"), ("１Ｆ", "1F"),
    ("Ｓｉｅｓｔａ", "Ｓｉｅｓｔａ"), ("Ｃａｆｅ２１", "Ｃａｆｅ２１"), ("大通東２丁目", "大通東２丁目"), ("１２　３", "１２　３"),
])
def test_to_half_width(text, expected):
    assert cells.to_half_width(text) == expected


# --------------------------------------------------------------------------- both RawTable forms

HEADER = ["名称", "郵便番号", "電話番号", "緯度", "経度", "全国地方公共団体コード", "開設日", "数"]
ROWS = [
    ["\u3000焼津市役所 ", "4250000", "(054)626-1139", "34°52'1.23\"", "138.19.23.5", "22212", "令和元年5月1日", "１２３"],
    ["ＡＢＣマート", "〒４２５－００７１", "0546261139", "138.3", "34.8", "222128", "H31/4/30", "45"],
    ["  ", "425-00", None, "N34度52分1秒", "1.0", "011002", "平成31年4月", "6"],
    ["焼津市役所", "4250000", "(054)626-1139", "34.8", "138.3", "22212", "令和元年5月1日", None],
] * 15
EXPECTED_ROW_1 = ["焼津市役所", "425-0000", "054-626-1139", "34.8670083", "138.3231944", "222127", "2019-05-01", "123"]


def _rows_table() -> RawTable:
    return RawTable(header=list(HEADER), rows=[list(r) for r in ROWS], row_numbers=range(3, 3 + len(ROWS)))


def _column_table(form: str) -> RawTable:
    columns = []
    for j in range(len(HEADER)):
        cells_j = [r[j] for r in ROWS]
        if form == "string":
            columns.append(pa.array(cells_j, pa.string()))
        elif form == "chunked":
            columns.append(pa.chunked_array([pa.array(cells_j[:7], pa.string()), pa.array(cells_j[7:], pa.string())]))
        else:  # dictionary with an unused text and a duplicated one, as a reader may leave it
            dictionary = ["unused", *dict.fromkeys(c for c in cells_j if c is not None)]
            dictionary.append(dictionary[1])
            indices = [None if c is None else (len(dictionary) - 1 if i % 2 and c == dictionary[1]
                                               else dictionary.index(c)) for i, c in enumerate(cells_j)]
            columns.append(pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(dictionary)))
    return RawTable(header=list(HEADER), rows=None, columns=columns,
                    row_numbers=pa.array(range(3, 3 + len(ROWS)), pa.int64()))


def _cells(raw: RawTable) -> list[list]:
    if raw.rows is not None:
        return raw.rows
    return [list(r) for r in zip(*(c.to_pylist() for c in raw.columns))]


@pytest.mark.parametrize("form", ["string", "chunked", "dictionary"])
def test_normalize_table__column_form_equals_row_form(form):
    by_rows, by_columns = _rows_table(), _column_table(form)
    fixes = normalize_table(by_rows)
    assert normalize_table(by_columns) == fixes
    assert _cells(by_columns) == _cells(by_rows)
    assert all(len(c) == len(ROWS) for c in by_columns.columns)
    assert by_rows.rows[0] == EXPECTED_ROW_1
    assert by_rows.rows[2][:4] == [None, "425-00", None, "34.8669444"]
    assert by_rows.rows[1][3:5] == ["34.8", "138.3"]  # swapped
    summary = {(f["code"], f["column"]): (f["count"], f["rows"][:3]) for f in fixes}
    assert summary == {
        ("spaces_trimmed", "名称"): (30, [3, 5, 7]),
        ("postal_code_formatted", "郵便番号"): (45, [3, 4, 6]),
        ("invalid_postal_code", "郵便番号"): (15, [5, 9, 13]),
        ("phone_number_formatted", "電話番号"): (45, [3, 4, 6]),
        ("dms_to_decimal_degrees", "緯度"): (30, [3, 5, 7]),
        ("lat_lon_swapped", "緯度"): (15, [4, 8, 12]),
        ("dms_to_decimal_degrees", "経度"): (15, [3, 7, 11]),
        ("coordinate_outside_japan", "経度"): (15, [5, 9, 13]),
        ("local_government_code_check_digit_added", "全国地方公共団体コード"): (30, [3, 6, 7]),
        ("invalid_local_government_code", "全国地方公共団体コード"): (15, [4, 8, 12]),
        ("wareki_to_iso_date", "開設日"): (60, [3, 4, 5]),
        ("full_width_to_half_width", "数"): (15, [3, 7, 11]),
    }
    assert all(len(f["rows"]) == min(20, f["count"]) and len(f["examples"]) <= 3 for f in fixes)


def test_normalize_table__clean_columns_are_left_as_they_are():
    column = pa.array(["中央区", "北区"] * 10).dictionary_encode()
    dates = pa.array(["2024-04-01"] * 20).dictionary_encode()
    raw = RawTable(header=["区名", "調査日"], rows=None, columns=[column, dates], row_numbers=range(2, 22))
    assert normalize_table(raw) == []
    assert raw.columns[0] is column and raw.columns[1] is dates


def test_normalize_table__many_distinct_phone_numbers_check_only_the_unusual_ones(monkeypatch):
    from madoguchi.datastore import normalizing

    rows = [["0962-82-8433"], ["(054)626-1139"], ["626-1139"]]
    raw = RawTable(header=["電話番号"], rows=[list(r) for r in rows], row_numbers=[2, 3, 4])
    assert [f["code"] for f in normalize_table(raw)] == ["phone_number_formatted", "invalid_phone_number"]
    assert raw.rows == [["096-282-8433"], ["054-626-1139"], ["626-1139"]]
    monkeypatch.setattr(normalizing, "PHONE_CHECK_ALL_MAX", 2)
    raw = RawTable(header=["電話番号"], rows=[list(r) for r in rows], row_numbers=[2, 3, 4])
    fixes = normalize_table(raw)
    assert raw.rows == [["0962-82-8433"], ["054-626-1139"], ["626-1139"]]  # written 0AA-BBB-CCCC: trusted
    assert [(f["code"], f["rows"]) for f in fixes] == [("phone_number_formatted", [3]), ("invalid_phone_number", [4])]
