"""Neighbouring cities' event feeds merged by URL, deduplicated, marked with their source (issue #6, Events).

The "neighbouring cities" are a local ``http.server`` in a thread (never the internet): one serves a CSV
in the standard layout, one an iCalendar file, others fail in the ways real servers fail.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import icalendar
import pytest
from django.core.management import CommandError, call_command

from madoguchi.events import services
from madoguchi.events.ical import TOKYO
from madoguchi.events.models import Event, EventFeed

HEADER = "全国地方公共団体コード,ID,地方公共団体名,イベント名,開始日,終了日,開始時間,終了時間,場所名称,所在地_連結表記,説明,イベントジャンル\n".encode("cp932")
NEIGHBOUR_CSV = HEADER + (
    "221406,1,藤枝市,藤枝 朝ラー 食べ歩き,2026/9/6,2026/9/6,7:00,10:00,藤枝駅北口,静岡県藤枝市駅前1丁目,朝ラーメン,まつり・催し\n"
    "221406,2,藤枝市,いちまるマルシェ,2026/9/5,2026/9/6,9:00,15:00,,,焼津市と同じ催し,まつり・催し\n"
    "221406,3,藤枝市,読めない行,いつか,,,,,,,\n"
    "221406,4,藤枝市,ﾌﾙｰﾂｾﾞﾘｰ作り,2026-09-12,2026-09-12,9:30,12:00,大井川地域交流センター調理室,,表記違いの重複,\n"
).encode("cp932")


def ical_feed() -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//neighbour//JA")
    cal.add("version", "2.0")
    for uid, title, start, end, place in [
        ("a@shimada", "島田大祭 帯まつり", dt.datetime(2026, 10, 10, 10, tzinfo=TOKYO),
         dt.datetime(2026, 10, 10, 16, tzinfo=TOKYO), "大井神社"),
        ("b@shimada", "ばらの丘 秋のバラまつり", dt.date(2026, 10, 17), dt.date(2026, 10, 19), "ばらの丘公園"),
        ("c@shimada", "藤枝 朝ラー 食べ歩き", dt.datetime(2026, 9, 5, 22, tzinfo=dt.UTC),
         dt.datetime(2026, 9, 6, 1, tzinfo=dt.UTC), "藤枝駅北口"),  # = 7:00–10:00 JST: a duplicate of the CSV's
    ]:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("location", place)
        event.add("dtstamp", dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        cal.add_component(event)
    return cal.to_ical()


class Neighbours:
    """Routes: path → (status, content type, body, delay seconds)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, str, bytes, float]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, content_type, body, delay = routes.get(self.path, (404, "text/plain", b"not found", 0))
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def neighbours():
    server = Neighbours()
    server.routes["/fujieda/events.csv"] = (200, "text/csv", NEIGHBOUR_CSV, 0)
    server.routes["/shimada/events.ics"] = (200, "text/calendar; charset=utf-8", ical_feed(), 0)
    yield server
    server.close()


@pytest.fixture
def local_events(db):
    """This city's own events (焼津市's real file)."""
    from madoguchi.bundle.loader import FILES

    services.import_standard_csv((FILES / "yaizu-city" / "event_excerpt.csv").read_bytes())


def api(client, **params):
    return client.get("/api/v1/events", {"from": "2026-09-01", "to": "2026-10-31", **params}).json()["results"]


def test_csv_feed__merged_deduplicated_and_marked_with_its_source(client, neighbours, local_events):
    feed = services.register_feed(name="藤枝市 イベント一覧", url=neighbours.url("/fujieda/events.csv"))
    result = services.refresh_feed(feed)
    assert result.ok, result.message
    assert result.counts == {"read": 4, "merged": 1, "duplicates": 2, "unreadable": 1}
    assert result.unreadable[0]["row"] == 4 and result.unreadable[0]["column"] == "開始日"
    merged = [e for e in api(client) if e["source"]["kind"] == "feed"]
    assert [(e["title"], e["start"], e["place"]["name"]) for e in merged] == [
        ("藤枝 朝ラー 食べ歩き", "2026-09-06T07:00:00+09:00", "藤枝駅北口")]
    assert merged[0]["source"] == {"kind": "feed", "name": "藤枝市 イベント一覧", "url": feed.url}
    assert merged[0]["city_name"] == "藤枝市"
    # the duplicates stay listed once, as this city's own events
    titles = [e["title"] for e in api(client)]
    assert titles.count("いちまるマルシェ") == 1 and titles.count("フルーツゼリー作り") == 1
    assert "ﾌﾙｰﾂｾﾞﾘｰ作り" not in titles
    assert [e["title"] for e in api(client, source="feeds")] == ["藤枝 朝ラー 食べ歩き"]
    feed.refresh_from_db()
    assert feed.last_ok is True and "1 件を掲載" in feed.last_message


def test_ical_feed__times_in_tokyo_and_duplicates_across_feeds(client, neighbours, db):
    first = services.register_feed(name="藤枝市", url=neighbours.url("/fujieda/events.csv"))
    second = services.register_feed(name="島田市", url=neighbours.url("/shimada/events.ics"))
    results = services.refresh_feeds()
    assert [r.ok for r in results] == [True, True]
    assert results[1].counts == {"read": 3, "merged": 2, "duplicates": 1, "unreadable": 0}
    by_title = {e["title"]: e for e in api(client)}
    assert by_title["島田大祭 帯まつり"]["start"] == "2026-10-10T10:00:00+09:00"
    assert by_title["島田大祭 帯まつり"]["source"]["name"] == "島田市"
    rose = by_title["ばらの丘 秋のバラまつり"]
    assert (rose["all_day"], rose["start_date"], rose["end_date"]) == (True, "2026-10-17", "2026-10-18")
    assert by_title["藤枝 朝ラー 食べ歩き"]["source"]["name"] == "藤枝市"  # the feed registered first wins
    assert Event.objects.filter(feed=second).count() == 2 and Event.objects.filter(feed=first).count() == 3


def test_refresh__again__same_events_same_ids(neighbours, db):
    feed = services.register_feed(name="島田市", url=neighbours.url("/shimada/events.ics"))
    services.refresh_feed(feed)
    ids = set(Event.objects.values_list("pk", flat=True))
    services.refresh_feed(feed)
    assert set(Event.objects.values_list("pk", flat=True)) == ids


def test_refresh__event_removed_from_the_feed_is_removed_here(neighbours, db):
    feed = services.register_feed(name="藤枝市", url=neighbours.url("/fujieda/events.csv"))
    services.refresh_feed(feed)
    assert Event.objects.filter(feed=feed).count() == 3
    neighbours.routes["/fujieda/events.csv"] = (200, "text/csv", HEADER + (
        "221406,1,藤枝市,藤枝 朝ラー 食べ歩き,2026/9/6,2026/9/6,7:00,10:00,藤枝駅北口,,朝ラーメン,\n").encode("cp932"), 0)
    services.refresh_feed(feed)
    assert list(Event.objects.filter(feed=feed).values_list("title", flat=True)) == ["藤枝 朝ラー 食べ歩き"]


@pytest.mark.parametrize("route,message", [
    ((404, "text/plain", b"gone", 0), "エラー 404"),
    ((500, "text/plain", b"oops", 0), "エラー 500"),
    ((200, "text/calendar", b"BEGIN:VCALENDAR\nthis is not ical", 0), "iCalendar として読めません"),
    ((200, "text/csv", "名前,日付\nx,y\n".encode(), 0), "イベント一覧の標準形式ではありません"),
    ((200, "text/csv", NEIGHBOUR_CSV, 2.0), "取得できません"),  # slower than the timeout
    ((200, "text/csv", NEIGHBOUR_CSV * 40, 0), "バイトを超える"),  # max_bytes=10,000
])
def test_refresh__bad_feed__previous_events_kept_and_error_recorded(neighbours, db, route, message):
    feed = services.register_feed(name="藤枝市", url=neighbours.url("/fujieda/events.csv"))
    assert services.refresh_feed(feed).ok
    before = sorted(Event.objects.values_list("pk", "title"))
    neighbours.routes["/fujieda/events.csv"] = route
    result = services.refresh_feed(feed, timeout_s=0.5, max_bytes=10_000)
    assert result.ok is False and message in result.message
    feed.refresh_from_db()
    assert feed.last_ok is False and message in feed.last_message
    assert sorted(Event.objects.values_list("pk", "title")) == before


def test_refresh__server_down__error_recorded(db):
    feed = services.register_feed(name="どこか", url="http://127.0.0.1:9/events.csv")
    result = services.refresh_feed(feed, timeout_s=1)
    assert result.ok is False and "取得できません" in result.message
    assert Event.objects.count() == 0


@pytest.mark.parametrize("fields,param", [
    ({"name": "x", "url": "file:///etc/passwd"}, "url"),
    ({"name": "x", "url": "ftp://example.jp/e.csv"}, "url"),
    ({"name": "", "url": "https://example.jp/e.csv"}, "name"),
    ({"name": "x", "url": "https://example.jp/e.csv", "format": "xml"}, "format"),
])
def test_register_feed__invalid__nothing_written(db, fields, param):
    with pytest.raises(services.EventError) as exc:
        services.register_feed(**fields)
    assert exc.value.param == param
    assert EventFeed.objects.count() == 0


def test_register_feed__duplicate_url_refused(db):
    services.register_feed(name="a", url="https://example.jp/e.csv")
    with pytest.raises(services.EventError, match="登録済み"):
        services.register_feed(name="b", url="https://example.jp/e.csv")
    assert EventFeed.objects.count() == 1


def test_staff_page__register_and_refresh(client, admin_user, neighbours):
    client.force_login(admin_user)
    response = client.post("/events/staff/feeds/", {"name": "島田市", "url": neighbours.url("/shimada/events.ics"),
                                                    "format": "auto"}, follow=True)
    html = response.content.decode()
    assert "島田市: 3 件を読み、3 件を掲載、重複 0 件、読めない行 0 件" in html
    feed = EventFeed.objects.get()
    neighbours.routes["/shimada/events.ics"] = (503, "text/plain", b"busy", 0)
    html = client.post(f"/events/staff/feeds/{feed.pk}/refresh", follow=True).content.decode()
    assert "島田市: サーバーがエラー 503 を返しました" in html
    assert Event.objects.filter(feed=feed).count() == 3


def test_command_fetch_feeds__reports_each_feed(neighbours, db):
    services.register_feed(name="島田市", url=neighbours.url("/shimada/events.ics"))
    services.register_feed(name="なくなった市", url=neighbours.url("/nowhere.csv"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 件のフィードを取得できませんでした"):
        call_command("events", "fetch-feeds", stdout=out)
    assert "島田市" in out.getvalue() and "3 件を掲載" in out.getvalue()
    assert "なくなった市" in out.getvalue() and "エラー 404" in out.getvalue()


def test_our_own_ical_and_csv_are_valid_feeds_for_a_neighbour(live_server, transactional_db):
    """Wide-area sharing both ways: a neighbour running madoguchi can merge our outputs."""
    from madoguchi.bundle.loader import FILES

    services.import_standard_csv((FILES / "yaizu-city" / "event_excerpt.csv").read_bytes())
    for path in ("/events/calendar.ics?from=2026-09-01&to=2026-09-30", "/events/events.csv?from=2026-09-01&to=2026-09-30"):
        body, content_type = services_fetch(live_server.url + path)
        from madoguchi.events.feeds import read_feed

        rows, unreadable = read_feed(body, content_type=content_type, url=path)
        assert unreadable == [] and len(rows) == 16
        assert {f["title"] for _, f in rows} >= {"いちまるマルシェ", "フルーツゼリー作り"}


def services_fetch(url: str):
    from madoguchi.events.feeds import fetch

    return fetch(url, timeout_s=5, max_bytes=5_000_000)
