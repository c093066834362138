"""POI codes (issue #19 part 4): the standard schemas' POIコード column is checked against the GIF POI code
table copied into ``standards/sources/gif-poi-codes.csv``; invalid codes are errors whose message names
the POI (or 大分類) meant."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from madoguchi.datastore.reading import read_table
from madoguchi.datastore.typedtable import type_table
from madoguchi.standards import poi, services

ROOT = Path(__file__).resolve().parents[1]
TOURISM = ROOT / "src/madoguchi/bundle/files/yaizu-city/222127_tourism.csv"
GIF_XLSX = ROOT.parent / "shared/data/standards/gif-code-lists/491-3-1_POIコード表.xlsx"


def test_table__650_four_digit_codes_with_name_and_category():
    codes = poi.poi_codes()
    assert len(codes) == 650
    assert all(len(c) == 4 and c.isdigit() for c in codes)
    assert codes["0101"] == {"code": "0101", "name": "山", "category": "地形",
                             "description": "山、岳、峰、、山脈、山地、高地、高山域・亜高山域　等。"}
    assert poi.label("2710") == "2710 = コンビニエンスストア（商業施設（食物））"
    assert poi.categories()["01"] == "地形"


@pytest.mark.skipif(not GIF_XLSX.exists(), reason="../shared GIF code lists not present")
def test_table__equals_the_gif_source_sheet():
    import openpyxl

    wb = openpyxl.load_workbook(GIF_XLSX, read_only=True)
    rows = list(wb["POIコード（180110）"].iter_rows(values_only=True))[1:]
    source = {f"{int(r[1]):04d}" if isinstance(r[1], (int, float)) else str(r[1]).strip(): (r[2].strip(), r[0].strip())
              for r in rows}
    assert {c: (e["name"], e["category"]) for c, e in poi.poi_codes().items()} == source


@pytest.mark.parametrize("text, expected", [
    ("0101", (True, None)),
    ("０１０１", (True, None)),            # full-width digits are the same code
    ("0101;1203", (True, None)),          # several codes in one cell
    ("", (True, None)),
    ("101", (False, "0101 = 山（地形）")),  # leading zero lost
    ("0150", (False, "大分類 01 = 地形 (0101〜0199)")),
    ("9999", (False, None)),
    ("山", (False, None)),
    ("0101;1234", (False, "大分類 12 = 国の機関等 (1201〜1299)")),
])
def test_check__valid_codes_and_suggestions(text, expected):
    assert poi.check(text) == expected


def _tourism_with_poi(values: list[str]) -> bytes:
    rows = list(csv.reader(io.StringIO(TOURISM.read_bytes().decode("utf-8-sig"), newline="")))
    j = rows[0].index("POIコード")
    for i, v in enumerate(values, start=1):
        rows[i][j] = v
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _poi_errors(data: bytes, rows_of: list | None = None) -> list[dict]:
    raw = read_table("csv", data, file="t.csv", options={})
    if rows_of is not None:
        rows_of.extend(raw.row_numbers)
    report = services.validate_table("tourism-v1", type_table(raw), raw.row_numbers)
    return [e for e in report["errors"] if e["code"] == "poi-code-error"]


def test_validate__tourism_poi_codes_are_checked():
    numbers: list[int] = []
    [e] = _poi_errors(_tourism_with_poi(["0101", "101", "9999", "1008", "0150"]), numbers)
    # file rows of the 2nd, 3rd and 5th data rows (the file has multi-line cells)
    assert (e["field"], e["severity"], e["rows"], e["count"]) == ("POIコード", "error",
                                                                  [numbers[1], numbers[2], numbers[4]], 3)
    assert e["examples"] == ["101", "9999", "0150"]
    assert "「101」→「0101 = 山（地形）」" in e["message"] and "「9999」" in e["message"]
    assert e["suggestions"] == [{"value": "101", "suggestion": "0101 = 山（地形）"},
                                {"value": "0150", "suggestion": "大分類 01 = 地形 (0101〜0199)"}]


def test_validate__valid_or_empty_poi_codes_pass():
    assert _poi_errors(_tourism_with_poi(["0101", "1008", "2710"])) == []
    assert _poi_errors(TOURISM.read_bytes()) == []  # the real file leaves POIコード empty


def test_validate__public_facility_schema_has_the_check_too():
    standard = services.get_standard("public-facility-v1")
    assert any(poi.POI_FIELD.search(n) for n in standard.field_names)
