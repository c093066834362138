"""Normalization during ingestion (issue #3): each rule's before/after in the snapshot and its report item.

Every test goes through the real pipeline (``ingest`` fixture) and reads the
records back with ``search_records``; the report items are in
``version.report["fixes"]``. Rows in the report are 1-based file rows (the
header is row 1).
"""

from __future__ import annotations

import pytest

from madoguchi.datastore import snapshots
from madoguchi.datastore.reading import csvfast

from .conftest import records


def fixes(version) -> dict[tuple[str, str], dict]:
    return {(f["code"], f["column"]): f for f in version.report["fixes"]}


def column(version, name: str) -> list:
    return [r[name] for r in records(version, limit=1000)["records"]]


def types(version) -> dict[str, str]:
    return {c["name"]: c["type"] for c in version.columns}


# --------------------------------------------------------------------------- 和暦


def test_wareki__dates_become_iso_and_the_column_is_a_date(ingest):
    data = "名称,開設日\nA,令和元年5月1日\nB,R1.5.1\nC,平成31年4月30日\nD,H31/4/30\nE,昭和64年1月7日\nF,2020/3/1\n"
    v = ingest(data.encode(), "d.csv")
    assert types(v)["開設日"] == "date"
    assert column(v, "開設日") == ["2019-05-01", "2019-05-01", "2019-04-30", "2019-04-30", "1989-01-07", "2020-03-01"]
    fix = fixes(v)[("wareki_to_iso_date", "開設日")]
    assert fix["rows"] == [2, 3, 4, 5, 6] and fix["count"] == 5 and fix["fixed"] is True
    assert fix["examples"] == [{"before": "令和元年5月1日", "after": "2019-05-01"},
                               {"before": "R1.5.1", "after": "2019-05-01"},
                               {"before": "平成31年4月30日", "after": "2019-04-30"}]
    assert fix["message"].startswith("列「開設日」の和暦の日付を")


def test_wareki__full_width_digits_month_only_and_time(ingest):
    data = "更新日時,対象月\n令和２年３月１日 9:30,平成31年4月\nR2.3.2 10:00,令和元年12月\n"
    v = ingest(data.encode(), "d.csv")
    assert column(v, "更新日時") == ["2020-03-01T09:30:00", "2020-03-02T10:00:00"]
    assert types(v) == {"更新日時": "datetime", "対象月": "date"}
    assert fixes(v)[("wareki_to_iso_date", "対象月")]["examples"] == [
        {"before": "平成31年4月", "after": "2019-04"}, {"before": "令和元年12月", "after": "2019-12"}]


def test_wareki__free_text_and_impossible_dates_are_not_changed(ingest):
    data = ("備考,日付\n令和2年3月1日に開設,R2.2.30\n休館中,令和2年3月1日\n令和2年3月1日,令和2年3月2日\n"
            "駐車場あり,令和2年3月3日\n" + "".join(f"-,2020-03-{d:02d}\n" for d in range(4, 11)))
    v = ingest(data.encode(), "d.csv")
    assert column(v, "備考")[:4] == ["令和2年3月1日に開設", "休館中", "令和2年3月1日", "駐車場あり"]
    assert column(v, "日付")[:5] == ["R2.2.30", "2020-03-01", "2020-03-02", "2020-03-03", "2020-03-04"]
    assert types(v)["日付"] == "string"  # one cell is not a date: inference keeps the text (and reports it)
    assert not any(f["column"] == "備考" for f in v.report["fixes"])
    bad = fixes(v)[("invalid_date", "日付")]
    assert (bad["rows"], bad["count"], bad["fixed"]) == ([2], 1, False)
    assert bad["examples"] == [{"before": "R2.2.30", "after": "R2.2.30"}]


# --------------------------------------------------------------------------- full width, spaces


def test_full_width__codes_and_numbers_only(ingest):
    data = ("町名,人口,施設コード,名称\n大通東２丁目,１，２３４,ＡＢ－０１,ＡＢＣマート\n"
            "北１条西,５６,CD-02,Ｓｉｅｓｔａ\n北２条西,7,Ｃ－３,Ｃａｆｅ２１\n北３条西,8,D-4,１Ｆ\n")
    v = ingest(data.encode(), "w.csv")
    assert column(v, "町名") == ["大通東２丁目", "北１条西", "北２条西", "北３条西"]
    assert column(v, "人口") == [1234, 56, 7, 8]
    assert column(v, "施設コード") == ["AB-01", "CD-02", "C-3", "D-4"]
    assert column(v, "名称") == ["ＡＢＣマート", "Ｓｉｅｓｔａ", "Ｃａｆｅ２１", "1F"]  # names stay as written
    found = fixes(v)
    assert found[("full_width_to_half_width", "人口")]["examples"] == [
        {"before": "１，２３４", "after": "1,234"}, {"before": "５６", "after": "56"}]
    assert found[("full_width_to_half_width", "施設コード")]["rows"] == [2, 4]
    assert found[("full_width_to_half_width", "名称")]["rows"] == [5]
    assert ("full_width_to_half_width", "町名") not in found


def test_spaces__trimmed_and_only_spaces_become_empty(ingest):
    body = "".join(f"名前{i}　,{i}\n" for i in range(30))
    v = ingest(("名称,数\n" + body + "\u3000 \u00a0,31\n\u00a0中央 ,32\n").encode(), "s.csv")
    names = column(v, "名称")
    assert names[:2] == ["名前0", "名前1"] and names[30:] == [None, "中央"]
    fix = fixes(v)[("spaces_trimmed", "名称")]
    assert fix["count"] == 32 and fix["rows"] == list(range(2, 22))
    assert fix["examples"][0] == {"before": "名前0\u3000", "after": "名前0"}
    assert ("spaces_trimmed", "数") not in fixes(v)


# --------------------------------------------------------------------------- coordinates


def test_coordinates__dms_to_decimal_degrees(ingest):
    data = ('名称,緯度,経度\nA,"34°52\'1.23""",138°19\'23.5"\nB,34度52分1.23秒,138度19分23.5秒\n'
            'C,"N34°52\'01""",E138°19′23.5″\nD,34.52.1.23,138.19.23.5\nE,34.8670083,138.3231944\n')
    v = ingest(data.encode(), "c.csv")
    assert types(v)["緯度"] == "number" and {c["name"]: c["role"] for c in v.columns}["経度"] == "longitude"
    assert column(v, "緯度") == pytest.approx([34.8670083, 34.8670083, 34.8669444, 34.8670083, 34.8670083])
    assert column(v, "経度") == pytest.approx([138.3231944] * 5)
    lat = fixes(v)[("dms_to_decimal_degrees", "緯度")]
    assert (lat["rows"], lat["count"]) == ([2, 3, 4, 5], 4)
    assert lat["examples"][0] == {"before": "34°52'1.23\"", "after": "34.8670083"}
    assert fixes(v)[("dms_to_decimal_degrees", "経度")]["examples"][2] == {"before": "E138°19′23.5″",
                                                                           "after": "138.3231944"}


def test_coordinates__swapped_rows_and_outside_japan(ingest):
    data = "名称,緯度,経度\nA,34.86,138.29\nB,138.30,34.87\nC,0,0\nD,51.5,-0.12\nE,35.1,\n"
    v = ingest(data.encode(), "c.csv")
    assert column(v, "緯度") == [34.86, 34.87, 0, 51.5, 35.1]
    assert column(v, "経度") == [138.29, 138.30, 0, -0.12, None]
    found = fixes(v)
    swapped = found[("lat_lon_swapped", "緯度")]
    assert (swapped["rows"], swapped["count"]) == ([3], 1)
    assert swapped["examples"] == [{"before": "138.30, 34.87", "after": "34.87, 138.30"}]
    assert found[("coordinate_outside_japan", "緯度")]["rows"] == [4, 5]
    outside = found[("coordinate_outside_japan", "経度")]
    assert (outside["rows"], outside["fixed"]) == ([4, 5], False)
    assert outside["examples"] == [{"before": "0", "after": "0"}, {"before": "-0.12", "after": "-0.12"}]


# --------------------------------------------------------------------------- postal codes, phone numbers


def test_postal_codes__hyphenated_and_invalid_reported(ingest):
    data = "名称,郵便番号\nA,4250000\nB,425-0071\nC,〒425-0036\nD,４２５－００２２\nE,425-00\nF,\n"
    v = ingest(data.encode(), "p.csv")
    assert column(v, "郵便番号") == ["425-0000", "425-0071", "425-0036", "425-0022", "425-00", None]
    found = fixes(v)
    assert found[("postal_code_formatted", "郵便番号")]["rows"] == [2, 4]
    assert found[("full_width_to_half_width", "郵便番号")]["examples"] == [{"before": "４２５－００２２",
                                                                            "after": "425-0022"}]
    assert found[("postal_code_formatted", "郵便番号")]["examples"][1] == {"before": "〒425-0036", "after": "425-0036"}
    bad = found[("invalid_postal_code", "郵便番号")]
    assert (bad["rows"], bad["count"], bad["fixed"]) == ([6], 1, False)


def test_phone_numbers__national_format_extensions_and_invalid(ingest, make_dataset):
    data = ("名称,電話番号,FAX番号\nA,(054)626-1139,054-626-1139\nB,0546261139,０５４－６２６－２１５５\n"
            "C,054 626 1139,\nD,054-626-1111（内線123）,626-1139\nE,054-626-1111、054-626-2222,#7119\n"
            "F,090-1234-5678,0120-123-456\nG,電話：0546261139,ー\nH,054-626-1139・0546262222,なし\n")
    v = ingest(data.encode(), "t.csv", dataset=make_dataset(private=True))  # a mobile number: not public
    assert column(v, "電話番号") == ["054-626-1139", "054-626-1139", "054-626-1139", "054-626-1111（内線123）",
                                   "054-626-1111、054-626-2222", "090-1234-5678", "電話：054-626-1139",
                                   "054-626-1139・054-626-2222"]
    assert column(v, "FAX番号") == ["054-626-1139", "054-626-2155", None, "626-1139", "#7119", "0120-123-456",
                                  "ー", "なし"]  # "ー" / "なし" mean "no number": not reported
    found = fixes(v)
    tel = found[("phone_number_formatted", "電話番号")]
    assert (tel["rows"], tel["count"]) == ([2, 3, 4, 8, 9], 5)
    assert tel["examples"][2] == {"before": "054 626 1139", "after": "054-626-1139"}
    assert tel["examples"][0] == {"before": "(054)626-1139", "after": "054-626-1139"}
    fax = found[("invalid_phone_number", "FAX番号")]
    assert (fax["rows"], fax["count"], fax["fixed"]) == ([5, 6], 2, False)
    assert ("invalid_phone_number", "電話番号") not in found


# --------------------------------------------------------------------------- 全国地方公共団体コード


def test_local_government_code__check_digit_added_and_wrong_ones_reported(ingest):
    data = ("全国地方公共団体コード,法人番号,建物コード,名称\n22212,8000020222127,0012345,焼津市\n"
            "222127,8000020222127,0012346,焼津市\n222128,8000020222127,0012347,焼津市\n０１１００２,1,2,札幌市\n")
    v = ingest(data.encode(), "g.csv")
    assert column(v, "全国地方公共団体コード") == ["222127", "222127", "222128", "011002"]
    assert column(v, "法人番号") == ["8000020222127", "8000020222127", "8000020222127", "1"]
    assert column(v, "建物コード") == ["0012345", "0012346", "0012347", "2"]
    found = fixes(v)
    added = found[("local_government_code_check_digit_added", "全国地方公共団体コード")]
    assert (added["rows"], added["examples"]) == ([2], [{"before": "22212", "after": "222127"}])
    bad = found[("invalid_local_government_code", "全国地方公共団体コード")]
    assert (bad["rows"], bad["count"], bad["fixed"]) == ([4], 1, False)
    assert found[("full_width_to_half_width", "全国地方公共団体コード")]["rows"] == [5]
    assert {f["column"] for f in v.report["fixes"]} == {"全国地方公共団体コード"}


# --------------------------------------------------------------------------- the original, both reader paths

MIXED = ("名称,郵便番号,電話番号,緯度,経度,全国地方公共団体コード,開設日,人数,備考\n"
         + "".join(f"施設{i} ,{4250000 + i},054626{1100 + i},{'138.3' if i % 7 == 0 else '34.8'},"
                   f"{'34.8' if i % 7 == 0 else '138.3'},22212,{'令和元年5月1日' if i % 2 else 'H31.4.30'},"
                   f"{str(i).translate(str.maketrans('0123456789', '０１２３４５６７８９'))},"
                   f"令和{i % 5 + 1}年に改修\n" for i in range(60)))


def test_original_file_is_kept_unchanged(ingest, media_root):
    data = MIXED.encode("cp932")
    v = ingest(data, "mixed.csv")
    assert v.report["fixes"]
    assert (media_root / v.original_path).read_bytes() == data
    assert snapshots.absolute(v.original_path).read_bytes() == data
    assert v.report["fixes"][0]["code"] == "spaces_trimmed"


def test_column_wise_and_row_wise_readers_give_the_same_fixes(ingest, make_dataset, monkeypatch):
    data = MIXED.encode("cp932")
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 0)
    fast = ingest(data, "mixed.csv", dataset=make_dataset("fast", "速"))
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 10**12)
    slow = ingest(data, "mixed.csv", dataset=make_dataset("slow", "遅"))
    assert fast.report["fixes"] == slow.report["fixes"]
    assert records(fast, limit=100)["records"] == records(slow, limit=100)["records"]
    found = fixes(slow)
    assert [f["code"] for f in slow.report["fixes"]] == [
        "spaces_trimmed", "postal_code_formatted", "phone_number_formatted", "lat_lon_swapped",
        "local_government_code_check_digit_added", "wareki_to_iso_date", "full_width_to_half_width"]
    assert found[("lat_lon_swapped", "緯度")]["rows"] == [2, 9, 16, 23, 30, 37, 44, 51, 58]
    assert found[("spaces_trimmed", "名称")]["count"] == 60 and len(found[("spaces_trimmed", "名称")]["rows"]) == 20
    first = records(slow, limit=1)["records"][0]
    assert first == {"_id": 1, "名称": "施設0", "郵便番号": "425-0000", "電話番号": "054-626-1100", "緯度": 34.8,
                     "経度": 138.3, "全国地方公共団体コード": "222127", "開設日": "2019-04-30", "人数": 0,
                     "備考": "令和1年に改修"}


def test_local_government_code__leading_zero_lost_by_excel_and_header_spelled_with_u2015(ingest):
    data = "都道府県コ―ド又は市区町村コ―ド,名称\n011002,札幌市\n12025,函館市\n41009,仙台市\n222127,焼津市\n"
    v = ingest(data.encode(), "g.csv")
    name = "都道府県コ―ド又は市区町村コ―ド"
    assert column(v, name) == ["011002", "012025", "041009", "222127"]
    restored = fixes(v)[("local_government_code_leading_zero_restored", name)]
    assert (restored["rows"], restored["count"], restored["fixed"]) == ([3, 4], 2, True)
    assert restored["examples"] == [{"before": "12025", "after": "012025"}, {"before": "41009", "after": "041009"}]
