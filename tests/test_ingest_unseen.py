"""Files from cities we have not seen (issue #13 parts 1–3 and the ingestion half of part 4).

Every file is a bundled file (Sapporo population, Yaizu AED list) re-saved the way
other cities publish: RDF-style ``#`` metadata rows (LinkData), month-first and
day-first dates, Excel serial dates, both coordinates in one field, a numeric
column with two bad cells out of 600. Values are asserted through the datastore.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from madoguchi.datastore import services as datastore
from madoguchi.datastore.errors import IngestError
from madoguchi.datastore.reading import csvfast
from madoguchi.datastore.reading.shape import clean_name

from .conftest import records

BUNDLE = Path(__file__).resolve().parents[1] / "src/madoguchi/bundle/files"
WARD = BUNDLE / "sapporo-population/jounen202010_ward.csv"
JOU = BUNDLE / "sapporo-population/jou202104.csv"
AED = BUNDLE / "yaizu-city/222127_aed.csv"


def read_grid(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]


def to_csv(rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def types(version) -> dict[str, str]:
    return {c["name"]: c["type"] for c in version.columns}


def codes(version) -> dict[str, dict]:
    return {w["code"]: w for w in version.report["warnings"]}


def fixes(version) -> dict[tuple[str, str], dict]:
    return {(f["code"], f["column"]): f for f in version.report["fixes"]}


# ---------------------------------------------------------------- 1. metadata rows

LICENSE = "https://creativecommons.org/licenses/by/4.0/deed.ja"


def ward_linkdata(*, glued: bool = False, comment: bool = False, xsd_for=None) -> tuple[bytes, list[str], list]:
    """The Sapporo ward population table as LinkData writes it; returns (bytes, header, data rows)."""
    grid = read_grid(WARD)
    header = ["totalPopulation" if h == "人口" else clean_name(h) for h in grid[0]]  # "0～ 4歳" → "0～4歳"
    body = grid[1:]
    xsd = [(xsd_for or {}).get(h, "xsd:string" if j < 2 else "xsd:integer") for j, h in enumerate(header)]
    iris = [f"http://example.org/sapporo/{j}" for j in range(len(header))]
    top = [["# 札幌市 年齢別人口 (令和2年10月1日現在)"]] if comment else []
    top += [["#LINK"], ["#lang", "ja"], ["#attribution_name", "札幌市"], ["#license", LICENSE],
            ["#file_name", "jounen202010_ward"], ["#download_from", "https://www.city.sapporo.jp/"]]
    if glued:
        top += [[f"#property {header[0]}", *header[1:]], [f"#object_type_xsd {xsd[0]}", *xsd[1:]],
                [f"#property_context {iris[0]}", *iris[1:]]]
        rows = body
    else:
        top += [["#property", *header], ["#object_type_xsd", *xsd], ["#property_context", *iris]]
        rows = [["", *r] for r in body]
    return to_csv(top + rows), header, body


def test_metadata_rows__population_table_typed_from_declared_types(ingest):
    data, header, body = ward_linkdata(comment=True)
    v = ingest(data, "jounen202010_ward_linkdata.csv")
    assert [c["name"] for c in v.columns] == header  # no "#property" column, no subject column
    t = types(v)
    assert t["区"] == t["区分"] == "string"
    assert t["totalPopulation"] == "integer"
    assert {t[h] for h in header[2:]} == {"integer"}  # every age band
    assert v.row_count == len(body)
    rows = records(v, limit=2)["records"]
    assert rows[0]["区"] == "全市" and rows[0]["totalPopulation"] == 1961682 and rows[0]["0～4歳"] == 66746
    assert rows[1]["totalPopulation"] == int(body[1][2])
    meta = v.report["metadata"]
    assert meta["license"] == LICENSE and meta["attribution_name"] == "札幌市" and meta["lang"] == "ja"
    assert meta["declared_types"]["totalPopulation"] == "integer"
    assert meta["property_context"]["totalPopulation"] == "http://example.org/sapporo/2"
    w = codes(v)
    assert LICENSE in w["metadata_rows_read"]["message"] and "札幌市" in w["metadata_rows_read"]["message"]
    assert w["comment_rows_skipped"]["rows"] == [1]
    assert w["metadata_rows_read"]["rows"] == list(range(2, 11))
    assert v.report["reader"]["header_row"] == 8
    assert v.resource.dataset.license != LICENSE  # offered, not applied


def test_metadata_rows__marker_glued_to_first_name__same_table(ingest):
    data, header, body = ward_linkdata(glued=True)
    v = ingest(data, "glued.csv")
    assert [c["name"] for c in v.columns] == header
    assert types(v)["totalPopulation"] == "integer" and v.row_count == len(body)
    assert records(v, limit=1)["records"][0]["区"] == "全市"


def test_metadata_rows__declared_string_wins__unfit_declared_type_falls_back(ingest):
    data, _, _ = ward_linkdata(xsd_for={"年少人口": "xsd:string", "区分": "xsd:integer"})
    v = ingest(data, "declared.csv")
    t = types(v)
    assert t["年少人口"] == "string"  # declared, and every value fits a string
    assert records(v, limit=1)["records"][0]["年少人口"] == "218302"
    assert t["区分"] == "string"  # declared integer, values are ward names: inferred instead
    w = codes(v)["declared_type_unfit"]
    assert w["column"] == "区分" and w["count"] == len(read_grid(WARD)) - 1 and w["rows"][0] == 10


def test_metadata_rows__tab_separated_linkdata_with_subject_column(ingest):
    text = ("#LINK\n#lang\tja\n#attribution_name\t松本市\n#license\thttp://creativecommons.org/licenses/by/3.0/deed.ja\n"
            "#property\t名称\t収容人数\t緯度\t経度\n#object_type_xsd\txsd:string\txsd:int\txsd:double\txsd:double\n"
            "#property_context\tname\tcapacity\tlat\tlon\n"
            "\t第一小学校\t300\t36.2380\t137.9720\n\t第二小学校\t250\t36.2410\t137.9650\n")
    v = ingest(text.encode("utf-8"), "linkdata.txt")
    assert [c["name"] for c in v.columns] == ["名称", "収容人数", "緯度", "経度"]
    assert types(v) == {"名称": "string", "収容人数": "integer", "緯度": "number", "経度": "number"}
    assert {c["name"]: c["role"] for c in v.columns}["緯度"] == "latitude"
    assert records(v)["records"][1]["収容人数"] == 250
    assert v.report["metadata"]["attribution_name"] == "松本市"


def test_metadata_rows__declared_integer_code_keeps_leading_zero(ingest):
    text = "#property,区画,人口\n#object_type_xsd,xsd:integer,xsd:integer\n,0012,5\n,0345,6\n"
    v = ingest(text.encode(), "codes.csv")
    assert types(v) == {"区画": "string", "人口": "integer"}
    assert records(v)["records"][0]["区画"] == "0012"


def test_metadata_rows__large_file__same_result_as_small(ingest):
    grid = read_grid(JOU)
    header, body = grid[1], grid[2:]
    times = csvfast.FAST_MIN_CHARS // len(to_csv(body).decode()) + 1
    big = [r for _ in range(times) for r in body]
    top = [["#attribution_name", "札幌市"], ["#property", *header],
           ["#object_type_xsd", "xsd:string", "xsd:string", *["xsd:integer"] * (len(header) - 2)]]
    data = to_csv(top + [["", *r] for r in big])
    assert len(data.decode()) > csvfast.FAST_MIN_CHARS
    v = ingest(data, "big.csv")
    assert v.row_count == len(big)
    assert types(v) == {"区別": "string", "町条丁目": "string", "世帯数": "integer", "総数": "integer", "男": "integer",
                        "女": "integer"}
    first = records(v, limit=1)["records"][0]
    assert (first["町条丁目"], first["総数"]) == ("大通東２丁目", 276)


def test_metadata_rows__xlsx(ingest):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["#attribution_name", "札幌市"], ["#license", LICENSE], ["#property", "区", "totalPopulation"],
                ["#object_type_xsd", "xsd:string", "xsd:integer"], [None, "中央区", 239858], [None, "北区", 285000]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    v = ingest(buf.getvalue(), "pop.xlsx")
    assert types(v) == {"区": "string", "totalPopulation": "integer"}
    assert records(v)["records"][1]["totalPopulation"] == 285000
    assert v.report["metadata"]["license"] == LICENSE


def test_header_starting_with_hash_is_a_header(ingest):
    v = ingest("#,名称,人口\n1,中央区,10\n2,北区,20\n".encode(), "hash.csv")
    assert [c["name"] for c in v.columns] == ["#", "名称", "人口"]
    assert "comment_rows_skipped" not in codes(v) and "metadata" not in v.report


# ---------------------------------------------------------------- 2. dates

def aed_with(extra: dict, *, drop=()) -> tuple[bytes, list[list[str]]]:
    """The Yaizu AED list (82 rows) with extra columns ``{name: function(i) -> text}``."""
    grid = read_grid(AED)
    keep = [j for j, h in enumerate(grid[0]) if h not in drop]
    rows = [[grid[0][j] for j in keep] + list(extra)]
    for i, r in enumerate(grid[1:]):
        rows.append([r[j] for j in keep] + [f(i, r) for f in extra.values()])
    return to_csv(rows), rows


def test_dates__month_first_day_first_ambiguous(ingest):
    data, rows = aed_with({
        "設置日": lambda i, r: f"6/{i % 30 + 1}/2023",  # second part > 12: M/D/YYYY
        "点検日": lambda i, r: f"{i % 30 + 1}/7/2023",  # first part > 12: D/M/YYYY
        "更新日": lambda i, r: f"{i % 12 + 1}/{i % 12 + 1}/2024",  # fits both: left as text
    })
    v = ingest(data, "aed_dates.csv")
    t = types(v)
    assert t["設置日"] == "date" and t["点検日"] == "date" and t["更新日"] == "string"
    recs = records(v, limit=30)["records"]
    assert [r["設置日"] for r in recs[:2]] == ["2023-06-01", "2023-06-02"]
    assert recs[29]["設置日"] == "2023-06-30"
    assert recs[12]["点検日"] == "2023-07-13" and recs[0]["点検日"] == "2023-07-01"
    assert recs[1]["更新日"] == "2/2/2024"
    f = fixes(v)
    md = f[("month_day_year_to_iso_date", "設置日")]
    assert md["count"] == len(rows) - 1 and md["examples"][0] == {"before": "6/1/2023", "after": "2023-06-01"}
    dm = f[("day_month_year_to_iso_date", "点検日")]
    assert dm["examples"][0] == {"before": "1/7/2023", "after": "2023-07-01"}
    amb = f[("ambiguous_date_order", "更新日")]
    assert amb["fixed"] is False and amb["count"] == len(rows) - 1 and amb["examples"][0]["before"] == "1/1/2024"


def test_dates__excel_serials_only_under_a_date_name(ingest):
    data, _ = aed_with({"日付": lambda i, r: str(45078 + i), "件数": lambda i, r: str(45078 + i)})
    v = ingest(data, "aed_serial.csv")
    t = types(v)
    assert t["日付"] == "date" and t["件数"] == "integer"
    first = records(v, limit=1)["records"][0]
    assert first["日付"] == "2023-06-01" and first["件数"] == 45078
    item = fixes(v)[("excel_serial_to_iso_date", "日付")]
    assert item["examples"][0] == {"before": "45078", "after": "2023-06-01"} and item["count"] == 82
    assert not any(c == "件数" for _, c in fixes(v))


# ---------------------------------------------------------------- 3. coordinates in one field

def test_coordinates__lat_lon_in_one_field__split(ingest):
    data, rows = aed_with({"位置": lambda i, r: f"{r[8]},{r[9]}"}, drop=("緯度", "経度"))
    v = ingest(data, "aed_latlon.csv")
    cols = {c["name"]: c for c in v.columns}
    names = [c["name"] for c in v.columns]
    assert names[-3:] == ["位置", "位置_緯度", "位置_経度"]
    assert cols["位置"]["type"] == "string"
    assert (cols["位置_緯度"]["type"], cols["位置_緯度"]["role"]) == ("number", "latitude")
    assert (cols["位置_経度"]["type"], cols["位置_経度"]["role"]) == ("number", "longitude")
    first = records(v, limit=1)["records"][0]
    assert first["位置"] == "34.866918,138.323171"
    assert (first["位置_緯度"], first["位置_経度"]) == (34.866918, 138.323171)
    item = fixes(v)[("coordinates_split", "位置")]
    assert item["count"] == len(rows) - 1 and item["examples"][0]["after"] == "34.866918, 138.323171"


def test_coordinates__lon_lat_in_one_field__order_from_japan_box(ingest):
    # lon,lat as many GIS exports write it; row 3 (file row 4) written the other way round
    data, _ = aed_with({"座標": lambda i, r: f"{r[8]}, {r[9]}" if i == 2 else f"{r[9]}, {r[8]}"},
                       drop=("緯度", "経度"))
    v = ingest(data, "aed_lonlat.csv")
    recs = records(v, limit=3)["records"]
    assert (recs[0]["座標_緯度"], recs[0]["座標_経度"]) == (34.866918, 138.323171)
    assert recs[2]["座標_緯度"] < 46 < recs[2]["座標_経度"]
    assert recs[0]["座標"] == "138.323171, 34.866918"  # kept as written
    assert fixes(v)[("lat_lon_swapped", "座標")]["rows"] == [4]


def test_coordinates__number_lists_are_not_split(ingest):
    v = ingest("名称,値\nA,\"1,234\"\nB,\"12.5,13.5\"\nC,\"2.5,3.5\"\n".encode(), "nums.csv")
    assert [c["name"] for c in v.columns] == ["名称", "値"]


# ---------------------------------------------------------------- 4. type override

def jou_600_with_two_bad_cells() -> tuple[bytes, list[list[str]]]:
    grid = read_grid(JOU)
    rows = [grid[1]] + [list(r) for r in grid[2:602]]
    rows[100][3], rows[450][3] = "不明", "約300"  # 総数; file rows 102 and 452 (title row, header)
    return to_csv([grid[0]] + rows), rows


def test_override__default_keeps_string_with_unparsed_values(ingest):
    data, _ = jou_600_with_two_bad_cells()
    v = ingest(data, "jou.csv")
    assert v.row_count == 600 and types(v)["総数"] == "string"
    w = codes(v)["unparsed_values"]
    assert (w["column"], w["count"], w["rows"]) == ("総数", 2, [102, 452])


def test_override__unfit_cells_fail__previous_version_stays_current(ingest, make_dataset):
    data, _ = jou_600_with_two_bad_cells()
    ds = make_dataset()
    v1 = ingest(data, "jou.csv", dataset=ds)
    with pytest.raises(IngestError) as err:
        ingest(data, "jou.csv", dataset=ds, types={"総数": "integer"})
    exc = err.value
    assert exc.code == "type_override_unfit" and exc.column == "総数" and exc.row == 102
    assert "2 件" in exc.message and "102" in exc.message and "「不明」" in exc.message
    v1.resource.refresh_from_db()
    assert v1.resource.current_version_id == v1.pk and v1.resource.versions.count() == 1


def test_override__blank_unfit__cells_empty_and_listed(ingest):
    data, _ = jou_600_with_two_bad_cells()
    v = ingest(data, "jou.csv", types={"総数": "integer"}, blank_unfit=True)
    assert types(v)["総数"] == "integer" and types(v)["男"] == "integer"
    recs = records(v, limit=600)["records"]
    assert recs[99]["総数"] is None and recs[449]["総数"] is None
    assert recs[0]["総数"] == 276 and sum(r["総数"] is None for r in recs) == 2
    w = codes(v)["type_override_blanked"]
    assert (w["column"], w["count"], w["rows"]) == ("総数", 2, [102, 452])
    assert sorted(w["values"]) == sorted(["不明", "約300"])
    assert v.report["options"] == {"types": {"総数": "integer"}, "blank_unfit": True}
    assert "不明" in data.decode()  # the original file keeps them (stored unchanged)


def test_override__string_over_a_numeric_column(ingest):
    v = ingest("区,人口\n中央区,10\n北区,20\n".encode(), "s.csv", types={"人口": "string"})
    assert types(v)["人口"] == "string" and records(v)["records"][0]["人口"] == "10"


@pytest.mark.parametrize("types_, code", [({"ない列": "integer"}, "type_override_unknown_column"),
                                          ({"人口": "int"}, "type_override_unknown_type")])
def test_override__unknown_column_or_type(ingest, types_, code):
    with pytest.raises(IngestError) as err:
        ingest("区,人口\n中央区,10\n".encode(), "s.csv", types=types_)
    assert err.value.code == code and err.value.column == next(iter(types_))


def test_ingest_options__as_dict_round_trips_through_json():
    options = datastore.IngestOptions(sheet=2, types={"総数": "integer", "日付": "date"}, blank_unfit=True)
    stored = json.loads(json.dumps(options.as_dict()))
    assert datastore.IngestOptions(**stored) == options
    assert datastore.IngestOptions().as_dict() == {}


def test_cli__type_and_blank_unfit(make_dataset, tmp_path):
    make_dataset("pop", "人口")
    data, _ = jou_600_with_two_bad_cells()
    path = tmp_path / "jou.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="type_override_unfit|読めません"):
        call_command("ingest", str(path), "--dataset", "pop", "--type", "総数=integer", "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("ingest", str(path), "--dataset", "pop", "--type", "総数=integer", "--type", "男=number",
                 "--blank-unfit", "--no-progress", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "総数: integer" in text and "男: number" in text and "空欄にしました" in text
    with pytest.raises(CommandError, match="列名=型"):
        call_command("ingest", str(path), "--dataset", "pop", "--type", "総数", "--no-progress")
