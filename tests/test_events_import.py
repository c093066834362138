"""Events in the standard layout: importing 焼津市's real event file (issue #6, Events).

The file is ``bundle/files/yaizu-city/event_excerpt.csv`` (自治体標準オープンデータセット イベント一覧,
80 columns); its real defects are listed in the bundle's PROVENANCE.md.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from madoguchi.bundle.loader import FILES
from madoguchi.events import services, standard
from madoguchi.events.models import Event

YAIZU = FILES / "yaizu-city" / "event_excerpt.csv"
V1_HEADER = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,イベント名,イベント名_カナ,イベント名_英語,開始日,終了日,"
             "開始時間,終了時間,開始日時特記事項,説明,料金(基本),料金(詳細),連絡先名称,連絡先電話番号,連絡先内線番号,主催者,"
             "場所名称,住所,方書,緯度,経度,アクセス方法,駐車場情報,定員,参加申込終了日,参加申込終了時間,参加申込方法,URL,備考")


@pytest.fixture
def imported(db):
    return services.import_standard_csv(YAIZU.read_bytes(), file_name=YAIZU.name)


def by_id(source_id: str) -> Event:
    return Event.objects.get(city_code="222127", source_id=source_id)


def test_import__real_yaizu_file__every_row_published(imported):
    assert (imported.read, imported.created, imported.updated, imported.unreadable) == (23, 23, 0, [])
    assert Event.objects.filter(state=Event.State.PUBLISHED, origin=Event.Origin.IMPORT).count() == 23
    e = by_id("20920")
    assert e.title == "フルーツゼリー作り"
    assert (e.start_date, e.end_date) == (dt.date(2026, 9, 12), dt.date(2026, 9, 12))
    assert (e.start_time, e.end_time) == (dt.time(9, 30), dt.time(12, 0))
    assert e.fee_details == "1,000円（当日支払い）"  # quoted field with a comma
    assert e.place_name == "大井川地域交流センター調理室" and e.address == "静岡県焼津市宗高900番地"
    assert e.city_name == "焼津市" and e.contact_phone == "054-622-3111"


def test_import__real_defects_are_repaired_and_reported(imported):
    warnings = {(w["code"], w["column"]): w for w in imported.warnings}
    # 法人番号 1.00E+12: the digits are lost, so nothing is stored
    assert warnings[("corporate_number_mangled", "法人番号")]["count"] == 23
    assert set(Event.objects.values_list("corporate_number", flat=True)) == {""}
    # 0:00 means "unknown": the fireworks (19825) are an all-day event
    fireworks = by_id("19825")
    assert (fireworks.start_time, fireworks.end_time, fireworks.all_day) == (None, None, True)
    assert warnings[("time_unknown", "開始時間")]["rows"] == [2, 14]
    # 2037/12/31 is "no end" for 掲載終了日
    assert by_id("18315").listed_until is None and by_id("18770").listed_until == dt.date(2026, 12, 31)
    assert warnings[("sentinel_date", "掲載終了日")]["count"] == 3
    # "電話番号：054-247-3823" → the number
    assert by_id("20958").contact_phone == "054-247-3823"
    assert warnings[("phone_prefix", "連絡先電話番号")]["rows"] == [22]


def test_import__coordinates_categories_and_derived_fields(imported):
    e = by_id("21043")
    assert (e.latitude, e.longitude) == (34.84135136, 138.3261646)
    assert e.category == "こども・子育て" and e.application_url == "https://logoform.jp/form/tWbQ/1690439"
    assert e.keywords == "幼児;あそび;音楽;運動"
    assert "港地域交流せんたー" in e.search_text  # katakana folded to hiragana for matching
    assert e.dedup_key == "うたって、おどって、音あそび|2026-09-26T10:00|港地域交流せんたー2階和室"


def test_import__twice__updates_instead_of_duplicating(imported):
    again = services.import_standard_csv(YAIZU.read_bytes(), file_name=YAIZU.name)
    assert (again.created, again.updated) == (0, 23)
    assert Event.objects.count() == 23


def test_import__old_v1_layout_with_wareki_dates(db):
    row = ("221007,1,静岡県,静岡市,駿府城公園まつり,スンプジョウコウエンマツリ,,令和8年10月3日,R8.10.4,午前10時,16:00,,"
           "お城の秋まつり,無料,,静岡市観光課,TEL:054-221-1111,,静岡市,駿府城公園,静岡市葵区駿府城公園1-1,,34.98,138.38,"
           ",,\"1,000人\",,,,https://example.jp/e/1,")
    report = services.import_standard_csv(f"{V1_HEADER}\n{row}\n".encode("cp932"), file_name="v1.csv")
    assert (report.created, report.unreadable) == (1, [])
    e = Event.objects.get()
    assert (e.start_date, e.end_date, e.start_time, e.end_time) == (
        dt.date(2026, 10, 3), dt.date(2026, 10, 4), dt.time(10, 0), dt.time(16, 0))
    assert (e.city_code, e.source_id, e.city_name, e.title_kana) == ("221007", "1", "静岡市", "スンプジョウコウエンマツリ")
    assert (e.fee_basic, e.capacity, e.contact_phone, e.area) == (0, 1000, "054-221-1111", "葵区")


GOOD = {"イベント名": "朝市", "開始日": "2026/9/5", "終了日": "2026/9/5", "開始時間": "9:00", "終了時間": "11:00",
        "場所名称": "駅前広場"}


@pytest.mark.parametrize("change,column,message", [
    ({"イベント名": ""}, "イベント名", "イベント名がありません"),
    ({"開始日": ""}, "開始日", "開始日がありません"),
    ({"開始日": "来週の土曜"}, "開始日", "日付として読めません"),
    ({"終了日": "2026/13/1"}, "終了日", "日付として読めません"),
    ({"終了日": "2026/9/4"}, "終了日", "開始日 2026-09-05 より前です"),
    ({"終了時間": "8:00"}, "終了時間", "開始時間 09:00 より前です"),
])
def test_import__unreadable_row__reported_with_line_and_column_others_imported(db, change, column, message):
    header = list(GOOD)
    bad = {**GOOD, **change, "イベント名": change.get("イベント名", "不正な行")}
    lines = [",".join(header), ",".join(GOOD[h] for h in header), ",".join(bad[h] for h in header),
             ",".join({**GOOD, "イベント名": "夕市"}[h] for h in header)]
    report = services.import_standard_csv(("\n".join(lines) + "\n").encode(), file_name="x.csv")
    assert report.read == 3 and report.created == 2
    assert len(report.unreadable) == 1
    row = report.unreadable[0]
    assert row["row"] == 3 and row["column"] == column and message in row["message"]
    assert sorted(Event.objects.values_list("title", flat=True)) == ["夕市", "朝市"]


@pytest.mark.parametrize("data,message", [
    (b"name,date\nx,2026-01-01\n", "イベント名"),
    (b"", "イベント名"),
    (b"\xff\xfe\xfa\xfb\x81", "文字コード"),
])
def test_import__not_an_event_file__error_and_nothing_written(db, data, message):
    with pytest.raises(services.EventError, match=message) as exc:
        services.import_standard_csv(data, file_name="bad.csv")
    assert exc.value.param == "file"
    assert Event.objects.count() == 0


def test_command_import_standard__reports_counts_and_defects(db):
    out = io.StringIO()
    call_command("events", "import-standard", str(YAIZU), stdout=out)
    text = out.getvalue()
    assert "event_excerpt.csv: 23 行を読み、新規 23 件・更新 0 件、読めない行 0 件" in text
    assert "法人番号:" in text and "指数表記" in text and "(23 行: 2, 3," in text
    assert "0:00 は「未定」" in text


def test_command_import_standard__unreadable_rows_listed(db, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("ID,イベント名,開始日\n7,よい行,2026-09-01\n8,わるい行,いつか\n", encoding="utf-8")
    out = io.StringIO()
    call_command("events", "import-standard", str(path), stdout=out)
    assert "読めない行 1 件" in out.getvalue()
    assert "3行目 (ID 8) 開始日: 日付として読めません: 「いつか」" in out.getvalue()
    with pytest.raises(CommandError, match="ファイルがありません"):
        call_command("events", "import-standard", str(tmp_path / "none.csv"))


@pytest.mark.parametrize("number,ok", [("7000012050002", True), ("7000012050003", False), ("700001205000", False)])
def test_corporate_number_check_digit(number, ok):
    assert standard.corporate_number_ok(number) is ok


@pytest.mark.parametrize("address,municipality,area", [
    ("神奈川県川崎市中原区小杉町3-245", "", "中原区"),
    ("川崎市幸区戸手本町1-11-1", "", "幸区"),
    ("", "川崎市麻生区", "麻生区"),
    ("静岡県焼津市本町5丁目6-1", "焼津市", ""),
    ("東京都千代田区霞が関1-1", "", "千代田区"),
])
def test_derive_area(address, municipality, area):
    assert standard.derive_area(address, municipality) == area


@pytest.mark.parametrize("text,time", [("9:00", dt.time(9)), ("09:30", dt.time(9, 30)), ("１３：３０", dt.time(13, 30)),
                                       ("午後1時30分", dt.time(13, 30)), ("10時", dt.time(10)), ("25:00", None),
                                       ("未定", None)])
def test_parse_time(text, time):
    assert standard.parse_time(text) == time
