"""Garbage sorting search through HTTP on the bundled real data (issue #6, Done when 1).

Expected categories are read straight from the bundled CSV files, never from
the service. Collection dates are computed here from the published schedule
cells with a calendar walk of the test's own.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from madoguchi.bundle.loader import FILES, load_bundle
from madoguchi.gomi import services as gomi
from madoguchi.gomi.models import GarbageSource, MissedQuery

KAWASAKI, HACHIOJI = "kawasaki-garbage-sorting", "hachioji-garbage-sorting"
TARGETS = {"kawasaki": FILES / "kawasaki-5374/ja_target.csv", "hachioji": FILES / "hachioji-5374/target.csv"}
AREA_DAYS = {"kawasaki": FILES / "kawasaki-5374/ja_area_days.csv", "hachioji": FILES / "hachioji-5374/area_days.csv"}
SPELLINGS = ["ペットボトル", "ぺっとぼとる", "ﾍﾟｯﾄﾎﾞﾄﾙ", "ペットボト"]
WEEKDAYS = "月火水木金土日"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def garbage(db):
    load_bundle(only={KAWASAKI, HACHIOJI})
    return {s.slug: s for s in gomi.install_default_sources()}


def search(client, city: str, q: str, **params):
    return client.get(f"/api/v1/garbage/{city}/search", {"q": q, **params})


@pytest.mark.parametrize("city", ["kawasaki", "hachioji"])
def test_search__four_spellings_of_petbottle_reach_the_same_answer(client, garbage, city):
    answers = []
    for q in SPELLINGS:
        r = search(client, city, q)
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["ok"] is True and body["found"] is True, (q, body)
        answers.append([(m["name"], m["category"]) for m in body["matches"]])
    assert answers[1:] == answers[:1] * 3
    published = {row["name"].strip(): row["type"].strip() for row in read_csv(TARGETS[city])}
    top_name, top_category = answers[0][0]
    assert top_name.startswith("ペットボトル")
    assert top_category == published[top_name]
    # the PET-bottle category of each city, as published
    assert top_category == {"kawasaki": "空き缶・ペットボトル", "hachioji": "ペットボトル"}[city]


@pytest.mark.parametrize("city", ["kawasaki", "hachioji"])
def test_search__every_published_item_returns_its_published_category(client, garbage, city):
    """Every item with a unique name, searched by that name: through HTTP for every 10th,
    through the service for all (HTTP for all would take seconds)."""
    rows = [r for r in read_csv(TARGETS[city]) if r["name"].strip()]
    counts = Counter(r["name"].strip() for r in rows)
    unique = [(r["name"].strip(), r["type"].strip()) for r in rows if counts[r["name"].strip()] == 1]
    assert len(unique) > 300
    for name, category in unique[::10]:
        body = search(client, city, name, limit=50).json()
        assert body["found"] and body["matches"][0]["score"] == 100, name
        assert (name, category) in [(m["name"], m["category"]) for m in body["matches"] if m["score"] == 100]
    source = garbage[city]
    for name, category in unique:
        result = gomi.search(source, name, limit=50, log=False)
        assert result.found and result.matches[0].score == 100, name
        assert (name, category) in [(m.name, m.category) for m in result.matches if m.score == 100], name


def test_search__kanji_and_kana_and_typos(client, garbage):
    def top(city, q):
        body = search(client, city, q).json()
        return body["matches"][0]["name"] if body["found"] else None

    assert top("kawasaki", "あきかん") == top("kawasaki", "空き缶") == top("kawasaki", "空缶")
    assert top("kawasaki", "あきかん").startswith("空き缶")
    assert top("kawasaki", "でんしれんじ").startswith("電子レンジ")
    assert top("kawasaki", "かさ") == "傘"
    assert top("hachioji", "こーひーめーかー") == top("hachioji", "コーヒーメーカ") == "コーヒーメーカー"
    assert top("hachioji", "ペットボトリ") == "ペットボトル"  # one wrong kana
    assert top("hachioji", "でんち") == "電池（乾電池）"  # kana finds the kanji name


def test_search__unknown_item_gives_candidates_and_is_counted_for_staff(client, garbage, django_user_model):
    body = search(client, "hachioji", "ドローン").json()
    assert body["found"] is False and body["matches"] == []
    assert 1 <= len(body["candidates"]) <= 5
    search(client, "hachioji", "ﾄﾞﾛｰﾝ")  # same word, other width: the same counter
    row = MissedQuery.objects.get()
    assert (row.source.slug, row.normalized, row.text, row.count) == ("hachioji", "どろん", "ﾄﾞﾛｰﾝ", 2)
    search(client, "hachioji", "ペットボトル")  # found: not counted
    assert MissedQuery.objects.count() == 1

    assert client.get("/garbage/staff/not-found/").status_code == 302  # staff only
    staff = django_user_model.objects.create_user("shokuin", password="pw", is_staff=True)
    client.force_login(staff)
    page = client.get("/garbage/staff/not-found/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ﾄﾞﾛｰﾝ" in html and '<td class="num">2</td>' in html and "八王子市" in html


def _nth_weekdays(year: int, month: int, weekday: int) -> list[dt.date]:
    cal = calendar.Calendar()
    return [d for d in cal.itermonthdates(year, month) if d.month == month and d.weekday() == weekday]


def _expected_kawasaki(cell: str, start: dt.date, count: int = 3) -> list[dt.date]:
    """``月 木`` / ``水2 水4`` by listing each month's weekdays (independent of the service)."""
    out: set[dt.date] = set()
    for token in cell.split():
        wd = WEEKDAYS.index(token[0])
        for k in range(3):
            y, m = divmod(start.month - 1 + k, 12)
            days = _nth_weekdays(start.year + y, m + 1, wd)
            out.update(days if len(token) == 1 else days[int(token[1]) - 1:int(token[1])])
    return sorted(d for d in out if d >= start)[:count]


def _expected_biweekly(anchor: dt.date, start: dt.date, count: int = 3) -> list[dt.date]:
    """``隔月20150112``: the anchor plus whole fortnights."""
    k = max(0, -(-(start - anchor).days // 14))
    return [anchor + dt.timedelta(days=14 * (k + i)) for i in range(count)]


def test_search__collection_days_kawasaki_nth_weekday(client, garbage):
    row = next(r for r in read_csv(AREA_DAYS["kawasaki"]) if r["地名"] == "浅田")
    assert row["小物金属"] == "水2 水4" and row["マスター"] == "1"  # 川崎区
    for start in (dt.date(2026, 1, 1), dt.date(2026, 3, 12), dt.date(2027, 12, 23)):
        body = search(client, "kawasaki", "アイロン", area="川崎区 浅田", date=start.isoformat()).json()
        iron = next(m for m in body["matches"] if m["name"] == "アイロン")
        assert iron["category"] == "小物金属"
        c = iron["collection"]
        assert (c["schedule"], c["description"]) == ("水2 水4", "第2水曜日・第4水曜日")
        assert c["next_dates"] == [d.isoformat() for d in _expected_kawasaki("水2 水4", start)]
    assert body["area"] == {"label": "川崎区 浅田", "name": "浅田", "group": "川崎区", "center": "南部生活環境事業所"}


def test_search__collection_days_hachioji_biweekly_anchor(client, garbage):
    row = next(r for r in read_csv(AREA_DAYS["hachioji"]) if r["地名"] == "暁町１〜３丁目")
    assert row["ペットボトル"] == "隔月20150112"
    anchor = dt.date(2015, 1, 12)
    for start in (dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2030, 7, 15)):
        body = search(client, "hachioji", "ぺっとぼとる", area="暁町１〜３丁目", date=start.isoformat()).json()
        c = body["matches"][0]["collection"]
        assert c["schedule"] == "隔月20150112" and c["description"].startswith("隔週月曜日")
        assert c["next_dates"] == [d.isoformat() for d in _expected_biweekly(anchor, start)]
        assert all(dt.date.fromisoformat(d).weekday() == 0 for d in c["next_dates"])


def test_area_schedule__every_category_of_one_area(client, garbage):
    r = client.get("/api/v1/garbage/kawasaki/areas/川崎区 浅田", {"date": "2026-03-01"})
    assert r.status_code == 200
    body = r.json()
    row = next(r for r in read_csv(AREA_DAYS["kawasaki"]) if r["地名"] == "浅田")
    got = {c["category"]: c["schedule"] for c in body["collections"]}
    assert got == {k: v for k, v in row.items() if k not in ("マスター", "地名", "センター")}
    weekly = next(c for c in body["collections"] if c["category"] == "普通ごみ")
    assert weekly["next_dates"] == [d.isoformat() for d in _expected_kawasaki("月 木", dt.date(2026, 3, 1))]
    areas = client.get("/api/v1/garbage/kawasaki/areas").json()
    assert len(areas) == len(read_csv(AREA_DAYS["kawasaki"])) == 264
    assert {a["label"] for a in areas if a["name"] == "梶ヶ谷"} == {"高津区 梶ヶ谷", "宮前区 梶ヶ谷"}


@pytest.mark.parametrize("path, params, status, code, param", [
    ("/api/v1/garbage/kawasaki/search", {"q": ""}, 400, "invalid_parameter", "q"),
    ("/api/v1/garbage/kawasaki/search", {"q": "あ" * 101}, 400, "invalid_parameter", "q"),
    ("/api/v1/garbage/kawasaki/search", {"q": "　 "}, 400, "invalid_parameter", "q"),
    ("/api/v1/garbage/kawasaki/search", {"q": "傘", "area": "存在しない町"}, 404, "not_found", "area"),
    ("/api/v1/garbage/kawasaki/search", {"q": "傘", "area": "梶ヶ谷"}, 400, "invalid_parameter", "area"),
    ("/api/v1/garbage/kawasaki/search", {"q": "傘", "date": "2026/13/01"}, 400, "invalid_parameter", "date"),
    ("/api/v1/garbage/kawasaki/search", {"q": "傘", "limit": "0"}, 400, "invalid_parameter", "limit"),
    ("/api/v1/garbage/kawasaki/search", {"q": "存在しない品目ですよ", "area": "存在しない町"}, 404,
     "not_found", "area"),
    ("/api/v1/garbage/osaka/search", {"q": "傘"}, 404, "not_found", "city"),
    ("/api/v1/garbage/kawasaki/areas/存在しない町", {}, 404, "not_found", "area"),
    ("/api/v1/garbage/kawasaki/areas/川崎区 浅田", {"date": "tomorrow"}, 400, "invalid_parameter", "date"),
])
def test_search__bad_input_names_the_parameter_and_writes_nothing(client, garbage, path, params, status, code, param):
    r = client.get(path, params)
    assert r.status_code == status
    body = r.json()
    assert body["ok"] is False
    assert (body["error"]["code"], body["error"]["param"]) == (code, param)
    assert body["error"]["message"]
    assert MissedQuery.objects.count() == 0


def test_search__city_with_its_own_layout_and_a_misconfigured_one(client, ingest, make_dataset):
    """A city's own CSV layout (品目, 分別区分, 出し方) works by naming its columns."""
    dataset = make_dataset("test-gomi", title="ごみ分別（テスト市）")
    ingest("品目,分別区分,出し方\nペットボトル,資源物,キャップを外す\n蛍光灯,有害ごみ,割らずに出す\n".encode(),
           "gomi.csv", dataset=dataset, resource="分別表")
    GarbageSource.objects.create(slug="test", title="テスト市", dataset_slug="test-gomi", items_resource="分別表",
                                 item_column="品目", category_column="分別区分", notes_column="出し方")
    body = search(client, "test", "けいこうとう").json()
    assert [(m["name"], m["category"], m["notes"]) for m in body["matches"]] == [("蛍光灯", "有害ごみ", "割らずに出す")]

    GarbageSource.objects.create(slug="broken", title="壊れた市", dataset_slug="test-gomi", items_resource="分別表")
    r = search(client, "broken", "傘")
    assert r.status_code == 503
    err = r.json()["error"]
    assert err["code"] == "source_unavailable" and "name" in err["message"] and "品目" in err["message"]
    GarbageSource.objects.create(slug="gone", title="無い市", dataset_slug="no-such-dataset", items_resource="x")
    assert search(client, "gone", "傘").json()["error"]["code"] == "source_unavailable"


def test_page__search_without_javascript(client, garbage):
    r = client.get("/garbage/", {"city": "kawasaki", "q": "ぺっとぼとる", "area": "川崎区 浅田"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>ごみの分け方・出し方" in html
    assert "ペットボトル（飲料、酒、みりん類、しょうゆ、酢など）" in html and "空き缶・ペットボトル" in html
    assert "川崎区 浅田の収集日" in html and 'scope="row"' in html
    assert r.cookies["gomi_area_kawasaki"].value  # the area is remembered
    again = client.get("/garbage/", {"city": "kawasaki", "q": "傘"})
    assert "次回:" in again.content.decode()  # collection days from the remembered area
    client.cookies["gomi_area_kawasaki"] = quote("消えた町")  # remembered, no longer in the data: forgotten
    stale = client.get("/garbage/", {"city": "kawasaki", "q": "傘"})
    assert stale.status_code == 200 and stale.cookies["gomi_area_kawasaki"].value == ""
    bad = client.get("/garbage/", {"city": "kawasaki", "q": "傘", "area": "存在しない町"})
    assert bad.status_code == 404 and "存在しない町" in bad.content.decode()
    hachioji = client.get("/garbage/", {"city": "hachioji", "q": "ドローン"}).content.decode()
    assert "見つかりませんでした" in hachioji and "近い品目" in hachioji


def test_cities__lists_the_configured_sources(client, garbage):
    body = client.get("/api/v1/garbage/cities").json()
    assert [(c["slug"], c["title"], c["dataset"], c["has_collection_days"]) for c in body] == [
        ("kawasaki", "川崎市", KAWASAKI, True), ("hachioji", "八王子市", HACHIOJI, True),
        ("kameoka", "亀岡市", "kameoka-garbage-sorting", True)]  # configured; its data is not loaded here


def test_search__query_count_is_fixed_once_the_snapshot_is_cached(client, garbage, django_assert_num_queries):
    search(client, "kawasaki", "傘")  # parses the snapshots once
    with django_assert_num_queries(3):  # the source, its resources, the synonyms
        assert search(client, "kawasaki", "ぺっとぼとる", area="川崎区 浅田").json()["found"]
