"""Counter congestion: push API with per-office tokens, current state and estimated wait, staff entry,
best time to visit, and the daily open dataset queryable through the datastore API (issue #6, Counters)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from madoguchi.catalog.models import Dataset
from madoguchi.counters import services
from madoguchi.counters.models import Counter, CounterReading, Office

JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def wards(db):
    services.seed_demo(days=0)
    Office.objects.update(opens_at=None, closes_at=None)  # readings are pushed now, at any hour: always open
    return Office.objects.get(slug="nakahara")


@pytest.fixture
def token(wards):
    return services.issue_token(wards)


def push(client, body, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post("/api/v1/counters/readings", json.dumps(body) if not isinstance(body, bytes) else body,
                       content_type="application/json", **headers)


def at(day: str, hm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=JST)


# --- push API ---------------------------------------------------------------------------------------

def test_push__stores_readings_and_returns_the_state(client, wards, token):
    response = push(client, {"readings": [{"counter": "koseki", "waiting": 12, "calling": 345},
                                          {"counter": "hoken", "waiting": 0}]}, token)
    assert response.status_code == 201
    body = response.json()
    assert body["ok"] is True and body["office"] == "nakahara"
    assert [(s["counter"], s["waiting"], s["calling"]) for s in body["stored"]] == [("koseki", 12, 345), ("hoken", 0, None)]
    assert body["stored"][0]["estimated_wait_min"] == 12 * 10  # no rate yet: 待ち人数 × 標準処理時間 (10 min)
    assert body["stored"][0]["estimate_basis"] == "standard_time"
    assert list(CounterReading.objects.values_list("counter__slug", "waiting", "calling", "source")) == [
        ("koseki", 12, 345, "api"), ("hoken", 0, None, "api")]
    state = next(s for s in client.get("/api/v1/counters").json()["counters"] if s["office"] == "nakahara"
                 and s["counter"] == "koseki")
    assert (state["waiting"], state["calling"], state["stale"]) == (12, 345, False)


def test_push__single_reading_without_envelope(client, wards, token):
    assert push(client, {"counter": "kodomo", "waiting": "3"}, token).status_code == 201
    assert CounterReading.objects.get().waiting == 3


@pytest.mark.parametrize("authorization", [None, "", "Token abc", "Bearer", "Bearer wrong-token", "bearer  "])
def test_push__without_a_valid_token__401_and_nothing_written(client, wards, token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = push(client, {"readings": [{"counter": "koseki", "waiting": 1}]}, **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert CounterReading.objects.count() == 0


def test_push__token_of_another_office_cannot_write_this_office(client, wards, token):
    other = services.issue_token(Office.objects.get(slug="asao"))
    response = push(client, {"readings": [{"counter": "koseki", "waiting": 5}]}, other)
    assert response.status_code == 201 and response.json()["office"] == "asao"
    assert CounterReading.objects.get().counter.office.slug == "asao"


def test_token__only_a_hash_is_stored_and_reissuing_revokes(client, wards, token):
    wards.refresh_from_db()
    assert token.startswith("mdgc_") and token not in wards.token_hash
    assert wards.token_hash == hashlib.sha256(token.encode()).hexdigest()
    new = services.issue_token(wards)
    assert push(client, {"counter": "koseki", "waiting": 1}, token).status_code == 401
    assert push(client, {"counter": "koseki", "waiting": 1}, new).status_code == 201


@pytest.mark.parametrize("body,param", [
    ({"readings": [{"counter": "nope", "waiting": 1}]}, "readings[0].counter"),
    ({"readings": [{"counter": "koseki", "waiting": 1}, {"counter": "koseki", "waiting": -1}]}, "readings[1].waiting"),
    ({"readings": [{"counter": "koseki"}]}, "readings[0].waiting"),
    ({"readings": [{"counter": "koseki", "waiting": "たくさん"}]}, "readings[0].waiting"),
    ({"readings": [{"counter": "koseki", "waiting": 1.5}]}, "readings[0].waiting"),
    ({"readings": [{"counter": "koseki", "waiting": True}]}, "readings[0].waiting"),
    ({"readings": [{"counter": "koseki", "waiting": 20000}]}, "readings[0].waiting"),
    ({"readings": [{"counter": "koseki", "waiting": 1, "calling": -3}]}, "readings[0].calling"),
    ({"readings": ["koseki"]}, "readings[0]"),
    ({"readings": []}, "readings"),
    ({"readings": [{"counter": "koseki", "waiting": 1}] * 201}, "readings"),
    ({"readings": "koseki"}, "readings"),
    (b"{not json", "body"),
])
def test_push__invalid_reading__400_naming_it_and_nothing_written(client, wards, token, body, param):
    response = push(client, body, token)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and error["param"] == param and error["message"]
    assert CounterReading.objects.count() == 0


# --- estimated wait ------------------------------------------------------------------------------------

def reading(hm: str, waiting: int, calling: int | None, pk: int = 0) -> CounterReading:
    return CounterReading(pk=pk or None, recorded_at=at("2026-11-24", hm), waiting=waiting, calling=calling)


@pytest.mark.parametrize("window,latest,expected", [
    # 20 people called in 40 minutes = 0.5/min; 12 waiting → 24 min
    ([reading("09:00", 15, 100)], reading("09:40", 12, 120), (24, "recent_rate")),
    # ceil: 7 waiting at 0.5/min = 14; 5 at 0.5 = 10; 3 called in 10 min = 0.3/min, 4 waiting → 13.3 → 14
    ([reading("09:30", 9, 100)], reading("09:40", 4, 103), (14, "recent_rate")),
    # nobody called yet → 待ち人数 × 標準処理時間 (10)
    ([reading("09:00", 3, 100)], reading("09:40", 4, 100), (40, "standard_time")),
    # span under 5 minutes is not trusted
    ([reading("09:37", 3, 99)], reading("09:40", 4, 100), (40, "standard_time")),
    # no called numbers reported
    ([reading("09:00", 3, None)], reading("09:40", 4, None), (40, "standard_time")),
    # numbers restarted (machine reset) → standard time
    ([reading("09:00", 3, 500)], reading("09:40", 4, 2), (40, "standard_time")),
    # nobody waiting
    ([reading("09:00", 3, 100)], reading("09:40", 0, 110), (0, "recent_rate")),
])
def test_estimate_wait__formula(window, latest, expected):
    assert services.estimate_wait(latest, window + [latest], service_minutes=10) == expected


def test_current_state__rate_window_and_staleness(client, wards, monkeypatch):
    counter = Counter.objects.get(office=wards, slug="koseki")
    for hm, waiting, calling in [("08:00", 30, 1), ("09:00", 10, 50), ("09:30", 8, 62), ("10:00", 6, 70)]:
        services.record_readings(wards, [{"counter": "koseki", "waiting": waiting, "calling": calling}],
                                 at=at("2026-11-24", hm))
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-24", "10:05"))
    (state,) = services.current_states(Counter.objects.filter(pk=counter.pk))
    # window 9:00–10:00 (8:00 is outside the 60 minutes): 20 called in 60 min → 1/3 per min; 6 waiting → 18 min
    assert (state.reading.waiting, state.estimated_wait_min, state.estimate_basis, state.stale) == (
        6, 18, "recent_rate", False)
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-25", "08:45"))
    (state,) = services.current_states(Counter.objects.filter(pk=counter.pk))
    assert (state.reading.waiting, state.estimated_wait_min, state.stale) == (6, None, True)
    html = client.get("/counters/").content.decode()
    assert "11月24日 10:00</time>（古い情報）" in html


def test_current_states__three_queries_for_all_counters(wards, django_assert_num_queries):
    for slug in ("koseki", "hoken"):
        services.record_readings(wards, [{"counter": slug, "waiting": 2, "calling": 9}])
    with django_assert_num_queries(3):
        states = services.current_states()
    assert len(states) == 28 and sum(s.reading is not None for s in states) == 2


# --- pages -----------------------------------------------------------------------------------------------

def test_public_page__state_without_javascript(client, wards, token):
    push(client, {"readings": [{"counter": "koseki", "waiting": 7, "calling": 123}]}, token)
    html = client.get("/counters/").content.decode()
    assert html.count("<h2 id=\"office-") == 7
    for ward in ("川崎区", "幸区", "中原区", "高津区", "宮前区", "多摩区", "麻生区"):
        assert f"{ward}役所" in html
    koseki = Counter.objects.get(office=wards, slug="koseki")
    row = html[html.index(f'<tr data-counter="{koseki.pk}">'):]
    row = row[:row.index("</tr>")]
    assert "7人" in row and "123番" in row and "約70分" in row
    assert 'data-stream="/counters/stream"' in html and "counters/live.js" in html


def test_staff_page__records_a_reading(client, admin_user, wards):
    client.force_login(admin_user)
    counter = Counter.objects.get(office=wards, slug="hoken")
    response = client.post(f"/counters/staff/counters/{counter.pk}/record", {"waiting": "4", "calling": "88"}, follow=True)
    assert "中原区役所 保険年金課の状況を記録しました。" in response.content.decode()
    assert list(CounterReading.objects.values_list("waiting", "calling", "source")) == [(4, 88, "staff")]
    response = client.post(f"/counters/staff/counters/{counter.pk}/record", {"waiting": "-2"}, follow=True)
    assert "待ち人数 — 0 以上 10,000 以下で指定してください" in response.content.decode()
    assert CounterReading.objects.count() == 1


def test_staff_page__issues_a_token_shown_once(client, admin_user, wards):
    client.force_login(admin_user)
    html = client.post(f"/counters/staff/offices/{wards.pk}/token", follow=True).content.decode()
    token = html.split("前のトークンは使えなくなりました）: ")[1].split("<")[0].strip()
    assert services.office_for_token(token) == wards
    assert token not in client.get("/counters/staff/").content.decode()


def test_staff_pages__need_staff(client, wards):
    assert client.get("/counters/staff/").status_code == 302
    counter = Counter.objects.get(office=wards, slug="hoken")
    assert client.post(f"/counters/staff/counters/{counter.pk}/record", {"waiting": "4"}).status_code == 302
    assert CounterReading.objects.count() == 0


# --- best time to visit -----------------------------------------------------------------------------------

@pytest.fixture
def history(wards):
    counter = Counter.objects.get(office=wards, slug="koseki")
    for day, hm, waiting in [
        ("2026-11-23", "09:00", 10), ("2026-11-23", "09:30", 12), ("2026-11-23", "09:50", 8),  # Mon 9時: 10.0
        ("2026-11-25", "14:00", 1), ("2026-11-25", "14:20", 2), ("2026-11-25", "14:40", 3),  # Wed 14時: 2.0
        ("2026-11-25", "10:00", 0),  # Wed 10時: 0.0 but one reading only → not recommended
        ("2026-11-18", "14:10", 4), ("2026-11-18", "14:30", 2), ("2026-11-18", "14:50", 3),  # Wed 14時 too
        ("2026-11-26", "00:30", 9), ("2026-11-26", "00:40", 9), ("2026-11-26", "00:50", 9),  # Thu 0時 JST (Wed UTC)
        ("2026-09-01", "09:00", 0), ("2026-09-01", "09:10", 0), ("2026-09-01", "09:20", 0),  # older than 8 weeks
    ]:
        services.record_readings(wards, [{"counter": "koseki", "waiting": waiting}], at=at(day, hm))
    return counter


def test_best_times__means_by_weekday_and_hour_in_tokyo(history):
    best = services.best_times(history, today=dt.date(2026, 11, 27))
    means = {(s.weekday, s.hour): (round(s.mean_waiting, 2), s.samples) for s in best.slots.values()}
    assert means == {(1, 9): (10.0, 3), (3, 10): (0.0, 1), (3, 14): (2.5, 6), (4, 0): (9.0, 3)}
    assert (best.best.weekday, best.best.hour, best.best.label) == (3, 14, "水曜 14時台")
    assert {w: s.hour for w, s in best.best_by_weekday.items()} == {1: 9, 3: 14, 4: 0}


def test_best_times__api_and_page_with_table_and_svg(client, history, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 27))
    body = client.get("/api/v1/counters/nakahara/koseki/best-times").json()
    assert body["best"] == {"weekday": 3, "weekday_name": "水", "hour": 14, "mean_waiting": 2.5, "samples": 6}
    html = client.get("/counters/nakahara/koseki/").content.decode()
    assert "おすすめ: 水曜 14時台" in html
    assert '<svg class="chart" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert "水曜 14時台 平均 2.5 人。" in html  # the SVG's text alternative
    table = html[html.index('<caption id="table-caption">'):html.index("</table>", html.index('id="table-caption"'))]
    assert '<th scope="row">水曜</th>' in table and "★ 2.5" in table and '<th scope="col">14時台</th>' in table
    assert client.get("/api/v1/counters/nakahara/nope/best-times").status_code == 404


# --- daily open dataset ---------------------------------------------------------------------------------

def test_publish_day__history_queryable_through_the_datastore_api(client, history):
    assert "/datasets/counter-congestion/" not in client.get("/counters/").content.decode()
    version, created = services.publish_day(dt.date(2026, 11, 25))
    assert 'href="/datasets/counter-congestion/"' in client.get("/counters/").content.decode()
    assert created and version.row_count == 4
    dataset = Dataset.objects.get(slug="counter-congestion")
    assert version.resource.dataset == dataset and version.resource.name == "窓口混雑状況 2026-11-25"
    url = f"/api/v1/resources/{version.resource.pk}/records"
    body = client.get(url, {"sort": "記録日時"}).json()
    types = {f["id"]: f["type"] for f in body["fields"]}
    assert (types["記録日時"], types["日付"], types["待ち人数"]) == ("datetime", "date", "integer")
    assert [(r["記録日時"], r["区役所"], r["窓口コード"], r["待ち人数"]) for r in body["records"]] == [
        ("2026-11-25T10:00:00", "中原区役所", "koseki", 0), ("2026-11-25T14:00:00", "中原区役所", "koseki", 1),
        ("2026-11-25T14:20:00", "中原区役所", "koseki", 2), ("2026-11-25T14:40:00", "中原区役所", "koseki", 3)]
    hour14 = client.get(url, {"filters": json.dumps({"時": 14, "曜日": "水"})}).json()
    assert hour14["total"] == 3
    # the 00:30 JST readings belong to the 26th, not to the 25th (UTC)
    nextday, _ = services.publish_day(dt.date(2026, 11, 26))
    assert nextday.row_count == 3


def test_publish_day__same_day_twice__no_new_version_then_new_readings_new_version(history, wards):
    first, _ = services.publish_day(dt.date(2026, 11, 25))
    again, created = services.publish_day(dt.date(2026, 11, 25))
    assert (again.pk, created) == (first.pk, False)
    services.record_readings(wards, [{"counter": "hoken", "waiting": 5}], at=at("2026-11-25", "16:00"))
    newer, created = services.publish_day(dt.date(2026, 11, 25))
    assert created and newer.number == 2 and newer.row_count == 5


def test_command_publish_day(history):
    out = io.StringIO()
    call_command("counters", "publish-day", "--date", "2026-11-23", stdout=out)
    assert "counter-congestion / 窓口混雑状況 2026-11-23: 3 件、v1 を公開" in out.getvalue()
    with pytest.raises(CommandError, match="2026-11-22 の記録はありません"):
        call_command("counters", "publish-day", "--date", "2026-11-22")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("counters", "publish-day", "--date", "11/23")
    assert Dataset.objects.get(slug="counter-congestion").resources.count() == 1


def test_command_seed_demo_and_issue_token(db):
    out = io.StringIO()
    call_command("counters", "seed-demo", "--days", "7", stdout=out)
    assert Office.objects.count() == 7 and Counter.objects.count() == 28
    readings = CounterReading.objects.filter(source="demo").count()
    assert f"7 区役所・28 窓口を用意し、デモの記録 {readings} 件を作成しました" in out.getvalue()
    assert 28 * 5 * 52 >= readings >= 28 * 4 * 52  # 4–5 weekdays in 7 days, 8:30–17:00 every 10 min
    call_command("counters", "seed-demo", "--days", "7", stdout=io.StringIO())  # idempotent
    assert Office.objects.count() == 7 and CounterReading.objects.filter(source="demo").count() == readings
    out = io.StringIO()
    call_command("counters", "issue-token", "tama", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert services.office_for_token(token).name == "多摩区役所"
    with pytest.raises(CommandError, match="区役所「nowhere」はありません"):
        call_command("counters", "issue-token", "nowhere")


# --- opening hours: 受付時間外 ------------------------------------------------------------------

@pytest.mark.parametrize("moment,expected", [
    (dt.datetime(2026, 12, 4, 8, 29, tzinfo=JST), False),   # Friday, before 8:30
    (dt.datetime(2026, 12, 4, 8, 30, tzinfo=JST), True),
    (dt.datetime(2026, 12, 4, 16, 59, tzinfo=JST), True),
    (dt.datetime(2026, 12, 4, 17, 0, tzinfo=JST), False),   # closing time
    (dt.datetime(2026, 12, 5, 10, 0, tzinfo=JST), False),   # Saturday
    (dt.datetime(2026, 11, 23, 10, 0, tzinfo=JST), False),  # 勤労感謝の日 (a Monday in 2026)
    (dt.datetime(2026, 12, 29, 10, 0, tzinfo=JST), False),  # 年末年始 (a Tuesday)
    (dt.datetime(2027, 1, 4, 10, 0, tzinfo=JST), True),     # first working day
])
def test_is_open__weekdays_within_hours_not_holidays_nor_year_end(db, moment, expected):
    services.seed_demo(days=0)
    assert services.is_open(Office.objects.get(slug="nakahara"), moment) is expected


def test_closed_office__no_waiting_people_and_the_page_says_so(db, client, monkeypatch):
    """Off hours, yesterday's 17:00 reading must not show people waiting (issue #18)."""
    services.seed_demo(days=0)
    office = Office.objects.get(slug="nakahara")
    counter = office.counters.first()
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=JST)
    CounterReading.objects.create(counter=counter, waiting=12, calling=300,
                                  recorded_at=saturday - dt.timedelta(hours=17))
    monkeypatch.setattr(services.timezone, "now", lambda: saturday)
    state = next(s for s in services.current_states() if s.counter == counter)
    assert (state.open, state.estimated_wait_min, state.as_dict()["open"]) == (False, None, False)
    assert state.as_dict()["opening_hours"] == "平日 8:30〜17:00（土日・祝日・年末年始を除く）"
    page = client.get("/counters/").content.decode()
    assert "受付時間外" in page and "12人" not in page
