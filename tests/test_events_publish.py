"""Events published as JSON (partner API), iCalendar (RFC 5545), RSS 2.0 and standard CSV (issue #6, Events).

Data: 焼津市's real event file, imported through ``import_standard_csv``. Every query names its
date range, so the results do not depend on the day the tests run.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import icalendar
import pytest

from madoguchi.bundle.loader import FILES
from madoguchi.events import services
from madoguchi.events.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")
SEPTEMBER = {"from": "2026-09-01", "to": "2026-09-30"}


@pytest.fixture
def yaizu(db):
    services.import_standard_csv((FILES / "yaizu-city" / "event_excerpt.csv").read_bytes())


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["title"] for e in response.json()["results"]]


# --- JSON partner API ----------------------------------------------------------------------------

def test_api__date_range__events_overlapping_it_in_start_order(client, yaizu):
    body = client.get("/api/v1/events", {"from": "2026-09-12", "to": "2026-09-13"}).json()
    got = [(e["title"], e["start_date"]) for e in body["results"]]
    # includes long-running events that started earlier (overlap, not only "starts within")
    assert ("焼津駅前通り商店街小石川ナイトマルシェ", "2026-09-12") in got
    assert ("フルーツゼリー作り", "2026-09-12") in got
    assert ("【特別展】焼津/YAIDZU、心の避暑地ー八雲と家族の夏日記", "2025-09-28") not in got  # ended 9/6
    assert ("手話奉仕員養成講座【満員につき受付終了】", "2026-04-02") in got
    starts = [(e["start_date"], e["start_time"] or "") for e in body["results"]]
    assert starts == sorted(starts)
    assert body["count"] == len(got) == 7


def test_api__event_fields_follow_the_standard(client, yaizu):
    event = next(e for e in client.get("/api/v1/events", {**SEPTEMBER, "q": "フルーツゼリー"}).json()["results"])
    assert event["start"] == "2026-09-12T09:30:00+09:00" and event["end"] == "2026-09-12T12:00:00+09:00"
    assert event["all_day"] is False and event["fee_details"] == "1,000円（当日支払い）"
    assert event["place"] == {"name": "大井川地域交流センター調理室", "address": "静岡県焼津市宗高900番地", "building": "",
                              "area": "", "latitude": None, "longitude": None}
    assert event["keywords"] == ["お菓子作り", "フルーツゼリー", "子ども", "講座", "大井川地域交流センター"]
    assert event["source"] == {"kind": "local", "name": "焼津市", "url": ""}
    assert event["city_code"] == "222127" and event["page_url"] == f"/events/{event['id']}/"
    one = client.get(f"/api/v1/events/{event['id']}").json()
    assert one == event


def test_api__unknown_time_is_an_all_day_event(client, yaizu):
    e = client.get("/api/v1/events", {"from": "2026-10-24", "to": "2026-10-24", "q": "花火"}).json()["results"][0]
    assert (e["start_time"], e["end_time"], e["all_day"], e["start"], e["end"]) == (
        None, None, True, "2026-10-24", "2026-10-24")


@pytest.mark.parametrize("q,expected", [
    ("まるしぇ", {"いちまるマルシェ", "焼津駅前通り商店街小石川ナイトマルシェ"}),  # hiragana finds katakana
    ("ﾏﾙｼｪ 焼津駅前", {"焼津駅前通り商店街小石川ナイトマルシェ"}),  # half width, AND of terms
    ("小泉八雲記念館", {"やぎりんトリオ・ケルティカ×渡辺麻衣ーアリッシュコンサートー",  # 連絡先名称
                      "【特別展】焼津/YAIDZU、心の避暑地ー八雲と家族の夏日記"}),
    ("宗高", {"フルーツゼリー作り", "健康見える化コーナーイベント！自律神経を整える体操", "だっこしておんぶしての会"}),  # address
    ("存在しないことば", set()),
])
def test_api__free_text_uses_normalize_for_search(client, yaizu, q, expected):
    assert set(titles(client.get("/api/v1/events", {**SEPTEMBER, "q": q}))) == expected


def test_api__category_and_area_filters(client, yaizu, staff_event):
    kids = titles(client.get("/api/v1/events", {"from": "2026-09-01", "to": "2026-12-31", "category": "こども・子育て"}))
    assert kids == ["だっこしておんぶしての会", "うたって、おどって、音あそび", "ハロウィン体験講座ージャック・オ・ランタンづくりー"]
    ward = titles(client.get("/api/v1/events", {**SEPTEMBER, "area": "中原区"}))
    assert ward == ["中原区の防災フェア"]
    by_address = titles(client.get("/api/v1/events", {**SEPTEMBER, "area": "宗高", "q": "ゼリー"}))
    assert by_address == ["フルーツゼリー作り"]


def test_api__without_dates__upcoming_events_inside_their_listing_period(db, settings):
    today = dt.date.today()

    def make(title, start, end, **kw):
        Event.objects.create(title=title, start_date=start, end_date=end, state=Event.State.PUBLISHED, **kw)

    make("これから", today + dt.timedelta(days=3), today + dt.timedelta(days=3))
    make("開催中", today - dt.timedelta(days=2), today + dt.timedelta(days=2))
    make("終わった", today - dt.timedelta(days=5), today - dt.timedelta(days=1))
    make("掲載前", today + dt.timedelta(days=9), today + dt.timedelta(days=9), listed_from=today + dt.timedelta(days=1))
    make("掲載終了", today + dt.timedelta(days=9), today + dt.timedelta(days=9), listed_until=today - dt.timedelta(days=1))
    make("下書き", today, today).__class__  # noqa: B018
    Event.objects.filter(title="下書き").update(state=Event.State.DRAFT)
    got = [e.title for e in services.search_events(services.EventQuery(today=today))]
    assert got == ["開催中", "これから"]


def test_api__to_before_from__an_empty_range(client, yaizu):
    body = client.get("/api/v1/events", {"from": "2026-09-30", "to": "2026-09-01"}).json()
    assert (body["count"], body["results"]) == (0, [])


@pytest.mark.parametrize("params,param", [
    ({"from": "2026-02-30"}, "from"),
    ({"to": "来週"}, "to"),
    ({"to": ""}, "to"),
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
    ({"offset": -1}, "offset"),
    ({"source": "somewhere"}, "source"),
])
def test_api__invalid_parameter__400_naming_it(client, yaizu, params, param):
    response = client.get("/api/v1/events", params)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "invalid_parameter"
    assert body["error"]["param"] == param and body["error"]["message"]


@pytest.mark.parametrize("event_id,status,code", [("999999", 404, "not_found"), ("0", 400, "invalid_parameter"),
                                                   ("99999999999999999999", 400, "invalid_parameter"),
                                                   ("abc", 400, "invalid_parameter")])
def test_api__unknown_event__404_bad_id__400(client, yaizu, event_id, status, code):
    response = client.get(f"/api/v1/events/{event_id}")
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["error"]["code"] == code


def test_api__unpublished_event__404(client, staff_event):
    staff_event.state = Event.State.DRAFT
    staff_event.save()
    assert client.get(f"/api/v1/events/{staff_event.pk}").status_code == 404
    assert client.get("/api/v1/events", SEPTEMBER).json()["count"] == 0


# --- iCalendar -------------------------------------------------------------------------------------

@pytest.fixture
def staff_event(db, admin_user):
    event = services.create_event({
        "title": "中原区の防災フェア", "start_date": dt.date(2026, 9, 19), "end_date": dt.date(2026, 9, 19),
        "start_time": dt.time(10, 0), "end_time": dt.time(15, 30), "description": "起震車と消火体験",
        "place_name": "中原区役所 1階ロビー", "address": "神奈川県川崎市中原区小杉町3-245",
        "latitude": 35.5759, "longitude": 139.6594, "category": "防災"}, user=admin_user)
    return services.publish_event(event, user=admin_user)


def parse_calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_ical__parses_and_round_trips_titles_times_and_locations(client, yaizu, staff_event):
    calendar = parse_calendar(client.get("/events/calendar.ics", SEPTEMBER))
    events = {str(c["summary"]): c for c in calendar.walk("VEVENT")}
    expected = list(services.search_events(services.EventQuery(date_from=dt.date(2026, 9, 1),
                                                                date_to=dt.date(2026, 9, 30))))
    assert set(events) == {e.title for e in expected} and len(events) == len(expected) == 17
    for event in expected:
        component = events[event.title]
        start = component.decoded("dtstart")
        if event.start_time is None:
            assert start == event.start_date and not isinstance(start, dt.datetime)
        else:
            assert start == dt.datetime.combine(event.start_date, event.start_time, tzinfo=TOKYO)
            assert start.tzinfo.key == "Asia/Tokyo" and start.utcoffset() == dt.timedelta(hours=9)
            assert component["dtstart"].params["TZID"] == "Asia/Tokyo"
        if event.start_time and event.end_time:
            assert component.decoded("dtend") == dt.datetime.combine(event.end_date, event.end_time, tzinfo=TOKYO)
        assert str(component.get("location", "")) == event.place_name
    fair = events["中原区の防災フェア"]
    assert fair.decoded("dtstart") == dt.datetime(2026, 9, 19, 10, 0, tzinfo=TOKYO)
    assert fair.decoded("dtend") == dt.datetime(2026, 9, 19, 15, 30, tzinfo=TOKYO)
    assert str(fair["location"]) == "中原区役所 1階ロビー"
    assert (fair["geo"].latitude, fair["geo"].longitude) == (35.5759, 139.6594)
    assert "住所: 神奈川県川崎市中原区小杉町3-245" in str(fair["description"])
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert len({str(c["uid"]) for c in calendar.walk("VEVENT")}) == 17


def test_ical__all_day_event_uses_date_values_with_exclusive_end(client, yaizu):
    calendar = parse_calendar(client.get("/events/calendar.ics", {"from": "2026-04-01", "to": "2026-04-30",
                                                                  "q": "手話"}))
    (course,) = calendar.walk("VEVENT")
    assert course["dtstart"].params.get("VALUE") == "DATE" or not isinstance(course.decoded("dtstart"), dt.datetime)
    assert course.decoded("dtstart") == dt.date(2026, 4, 2)
    assert course.decoded("dtend") == dt.date(2027, 3, 19)  # last day 2027-03-18, exclusive end
    assert b"DTSTART;VALUE=DATE:20260402" in client.get("/events/calendar.ics", {"from": "2026-04-01",
                                                                                 "to": "2026-04-30",
                                                                                 "q": "手話"}).content


def test_ical__multi_day_with_times__ends_on_last_day(client, yaizu):
    calendar = parse_calendar(client.get("/events/calendar.ics", {**SEPTEMBER, "q": "陶芸"}))
    (show,) = calendar.walk("VEVENT")
    assert show.decoded("dtstart") == dt.datetime(2026, 9, 16, 13, 0, tzinfo=TOKYO)
    assert show.decoded("dtend") == dt.datetime(2026, 9, 20, 12, 0, tzinfo=TOKYO)


# --- RSS and CSV -----------------------------------------------------------------------------------

def test_rss__valid_rss2_with_the_filtered_events(client, yaizu):
    response = client.get("/events/feed.rss", {**SEPTEMBER, "category": "こども・子育て"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["だっこしておんぶしての会（2026年9月15日 10:00〜10:30）",
                                                   "うたって、おどって、音あそび（2026年9月26日 10:00〜11:00）"]
    assert items[0].findtext("link").startswith("http://testserver/events/")
    assert items[0].findtext("category") == "こども・子育て"
    assert "子育て支援センターとまとぴあホール" in items[0].findtext("description")


def test_csv__standard_layout_reads_back_through_the_importer(client, yaizu):
    response = client.get("/events/events.csv", SEPTEMBER)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert len(header) == 80 and header[:5] == ["全国地方公共団体コード", "法人番号", "ID", "地方公共団体名", "イベント名"]
    rows, unreadable, _ = services.parse_standard_csv(response.content)
    assert unreadable == []
    published = {(e.title, e.start_date, e.start_time, e.place_name) for e in services.search_events(
        services.EventQuery(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 9, 30)))}
    assert {(f["title"], f["start_date"], f.get("start_time"), f.get("place_name", "")) for _, f in rows} == published


# --- pages -----------------------------------------------------------------------------------------

def test_page__list_filters_and_links_keep_the_query(client, yaizu):
    response = client.get("/events/", {**SEPTEMBER, "q": "マルシェ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "条件に合うイベント：2 件" in html
    assert "いちまるマルシェ" in html and "2026年9月5日 9:00〜2026年9月6日 15:00" in html
    assert 'href="/events/calendar.ics?q=%E3%83%9E%E3%83%AB%E3%82%B7%E3%82%A7&amp;from=2026-09-01&amp;to=2026-09-30"' in html


def test_page__bad_date_in_filter__shown_not_500(client, yaizu):
    response = client.get("/events/", {"from": "2026-99-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "日付を正しく入力してください。" in html and 'aria-invalid="true"' in html
    assert "これからのイベント" in html  # the bad filter is dropped, not applied


def test_page__detail_of_published_event(client, yaizu):
    event = Event.objects.get(source_id="19825")
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "【市制75周年】第51回焼津海上花火大会" in html and "2026年10月24日（時刻未定）" in html
    assert "焼津漁港新港地区（打ち上げ場所：焼津外港南防波堤）" in html
