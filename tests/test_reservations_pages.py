"""Reservation pages, the open-data API, staff exports (xlsx/CSV read back),
notices, statistics and ``madoguchi reservations seed-demo`` (issue #7)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from madoguchi.reservations import notices, services
from madoguchi.reservations.models import (Booking, EntryStatus, Facility, FacilityType, LotteryEntry, LotteryPeriod,
                                           Member, Slot)

from .test_reservations_factories import citizen, make_facility, make_member  # noqa: F401  (fixture)

ROOT_README = __import__("pathlib").Path(__file__).resolve().parents[1] / "README.md"


def _today():
    return timezone.localdate()


@pytest.fixture
def court(db):
    """A facility with slots from the day after tomorrow for 3 days (real time)."""
    facility = make_facility("court", name="中原区 テストコート", units=2)
    services.generate_slots([facility], _today() + dt.timedelta(days=2), _today() + dt.timedelta(days=4))
    return facility


@pytest.fixture
def live_period(court):
    """A lottery open now (real time) for the court's slots 10–12 days ahead."""
    now = timezone.now()
    start = _today() + dt.timedelta(days=10)
    return services.create_period(
        title="テスト抽選", facility_types=[FacilityType.OUTDOOR_SPORTS], application_opens_at=now - dt.timedelta(days=1),
        application_closes_at=now + dt.timedelta(days=5), draw_at=now + dt.timedelta(days=5, hours=1),
        usage_starts_on=start, usage_ends_on=start + dt.timedelta(days=2), rules={"max_entries_per_individual": 1})


def _first_slot(facility, **filters) -> Slot:
    return Slot.objects.filter(unit__facility=facility, **filters).order_by("start", "unit").first()


# ---------------------------------------------------------------- API (open data)


def test_availability_api__free_and_busy_without_personal_data(client, court):
    slot = _first_slot(court)
    services.book_slot(slot.pk, make_member("予約 太郎", email="taro@example.jp"))
    start = (_today() + dt.timedelta(days=2)).isoformat()
    body = client.get(f"/api/v1/reservations/facilities/court/availability?start={start}&days=1").json()
    assert (body["ok"], body["facility"], body["start"], body["days"]) == (True, "court", start, 1)
    assert body["statuses"] == {"free": "空き", "busy": "予約済み", "lottery": "抽選", "closed": "受付停止",
                                "past": "受付終了"}
    assert len(body["slots"]) == 6
    first = body["slots"][0]
    assert (first["id"], first["unit"], first["status"]) == (slot.pk, "u1", "busy")
    assert first["start"] == timezone.localtime(slot.start).isoformat()
    assert [s["status"] for s in body["slots"][1:]] == ["free"] * 5
    text = str(body)
    assert "予約 太郎" not in text and "taro@" not in text and "member" not in text


@pytest.mark.parametrize("path,status,code,param", [
    ("/api/v1/reservations/facilities/court/availability?start=2026-13-01", 400, "invalid_parameter", "start"),
    ("/api/v1/reservations/facilities/court/availability?days=0", 400, "invalid_parameter", "days"),
    ("/api/v1/reservations/facilities/court/availability?days=32", 400, "invalid_parameter", "days"),
    ("/api/v1/reservations/facilities/court/availability?days=x", 400, "invalid_parameter", "days"),
    ("/api/v1/reservations/facilities/nowhere/availability", 404, "not_found", None),
    ("/api/v1/reservations/facilities?facility_type=pool", 400, "invalid_parameter", "facility_type"),
    ("/api/v1/reservations/periods/999", 404, "not_found", None),
])
def test_api__errors_use_the_one_error_body(client, court, path, status, code, param):
    response = client.get(path)
    body = response.json()
    assert response.status_code == status
    assert (body["ok"], body["error"]["code"], body["error"]["param"]) == (False, code, param)
    assert body["error"]["message"]


def test_facilities_api__lists_units_fees_and_accessibility(client, court):
    make_facility("hall", facility_type=FacilityType.CIVIC_HALL, units=1, accessibility=["elevator"])
    body = client.get("/api/v1/reservations/facilities?facility_type=civic_hall").json()
    assert [f["slug"] for f in body] == ["hall"]
    hall = body[0]
    assert (hall["accessibility"], hall["accessibility_labels"]) == (["elevator"], ["エレベーター"])
    assert hall["units"][0] == {"code": "u1", "name": "第1面", "capacity": 10, "slot_times": [
        "09:00-11:00", "11:00-13:00", "13:00-15:00"], "fee_weekday_yen": 1000, "fee_holiday_yen": 1300}
    assert hall["availability_url"] == "/api/v1/reservations/facilities/hall/availability"


# ---------------------------------------------------------------- citizen pages


def test_facility_page__calendar_is_a_table_with_text_not_colour_only(client, court):
    slot = _first_slot(court)
    services.book_slot(slot.pk, make_member("甲"))
    start = timezone.localtime(slot.start).date()
    html = client.get(f"/reservations/facilities/court/?start={start.isoformat()}").content.decode()
    assert '<th scope="col">第1面</th>' in html and '<th scope="row">09:00〜11:00</th>' in html
    assert "× 予約済み" in html and "○ 空き" in html
    free = _first_slot(court, unit__code="u2")
    assert f'href="/reservations/slots/{free.pk}/"' in html
    assert f'href="/reservations/slots/{slot.pk}/"' not in html  # booked: no link


def test_facility_page__shows_national_holidays_by_name(client, db):
    facility = make_facility("hol", units=1)
    services.generate_slots([facility], dt.date(2026, 7, 20), dt.date(2026, 7, 20))
    html = client.get("/reservations/facilities/hol/?start=2026-07-19").content.decode()
    assert "祝日 海の日" in html and "－ 受付終了" in html


def test_index_page__filters_by_type_and_ward(client, court):
    make_facility("hall", name="多摩区 テストホール", facility_type=FacilityType.CIVIC_HALL, ward="多摩区")
    html = client.get("/reservations/?ward=多摩区").content.decode()
    assert "多摩区 テストホール" in html and "中原区 テストコート" not in html


def test_slot_page__anonymous_sees_login_link_member_sees_form(client, court, citizen):
    slot = _first_slot(court)
    assert "この枠を予約する" in client.get(f"/reservations/slots/{slot.pk}/").content.decode()
    client.logout()
    html = client.get(f"/reservations/slots/{slot.pk}/").content.decode()
    assert "この枠を予約する" not in html and "/reservations/login/?next=" in html


def test_apply_page__enters_the_lottery_and_my_page_lists_it(client, court, citizen, live_period):
    slot = _first_slot(court, lottery_period=live_period)
    response = client.post(f"/reservations/slots/{slot.pk}/apply", {"applicant": "self", "preference": ""})
    entry = LotteryEntry.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/reservations/mine/")
    assert (entry.member, entry.slot, entry.status, entry.preference) == (citizen, slot, EntryStatus.ACTIVE, 1)
    mine = client.get("/reservations/mine/").content.decode()
    assert f"申込番号 {entry.pk}" in mine and "テスト抽選" in mine and "申込中" in mine


def test_apply_page__limit_message_is_shown_and_nothing_written(client, court, citizen, live_period):
    first, second = Slot.objects.filter(lottery_period=live_period).order_by("start", "unit")[:2]
    client.post(f"/reservations/slots/{first.pk}/apply", {"applicant": "self"})
    response = client.post(f"/reservations/slots/{second.pk}/apply", {"applicant": "self"})
    assert response.status_code == 400
    assert "個人の申込は 1 回の抽選につき 1 件までです（すでに 1 件申し込んでいます）" in response.content.decode()
    assert LotteryEntry.objects.count() == 1


def test_apply_page__requires_login(client, court, live_period):
    slot = _first_slot(court, lottery_period=live_period)
    response = client.post(f"/reservations/slots/{slot.pk}/apply", {"applicant": "self"})
    assert response.status_code == 302 and response["Location"].startswith("/reservations/login/")
    assert not LotteryEntry.objects.exists()


def test_apply_page__cannot_enter_for_a_group_one_does_not_represent(client, court, citizen, live_period):
    other = services.create_group(name="よその団体", representative=make_member("代表"), members=[citizen])
    slot = _first_slot(court, lottery_period=live_period)
    response = client.post(f"/reservations/slots/{slot.pk}/apply", {"applicant": f"group-{other.pk}"})
    assert response.status_code == 400 and not LotteryEntry.objects.exists()


def test_my_page__cancel_a_booking(client, court, citizen):
    booking = services.book_slot(_first_slot(court).pk, citizen)
    html = client.get("/reservations/mine/").content.decode()
    assert f'action="/reservations/bookings/{booking.pk}/cancel"' in html
    response = client.post(f"/reservations/bookings/{booking.pk}/cancel")
    booking.refresh_from_db()
    assert response.status_code == 302 and booking.status == "cancelled"


def test_register_page__creates_login_and_member(client, db):
    response = client.post("/reservations/register/", {
        "email": "New@Example.jp", "name": "宮前 三郎", "name_kana": "みやまえ さぶろう", "ward": "宮前区",
        "password1": "kawasaki-2026-pass", "password2": "kawasaki-2026-pass"})
    assert (response.status_code, response["Location"]) == (302, "/reservations/mine/")
    member = Member.objects.get()
    assert (member.name, member.email, member.ward, member.user.username) == (
        "宮前 三郎", "new@example.jp", "宮前区", "new@example.jp")
    client.logout()
    again = client.post("/reservations/register/", {"email": "new@example.jp", "name": "x",
                                                    "password1": "a-B-3-long!", "password2": "a-B-3-long!"})
    assert again.status_code == 200 and "すでに登録されています" in again.content.decode()
    assert Member.objects.count() == 1


def test_login_page__logs_in_and_goes_to_my_page(client, db):
    user = get_user_model().objects.create_user("hanako@example.jp", password="kawasaki-2026-pass")
    services.register_member(user=user, name="多摩 花子")
    response = client.post("/reservations/login/", {"username": "hanako@example.jp", "password": "kawasaki-2026-pass"})
    assert (response.status_code, response["Location"]) == (302, "/reservations/mine/")


# ---------------------------------------------------------------- staff pages and exports


@pytest.fixture
def past_period(court, django_capture_on_commit_callbacks):
    """A period whose window and draw time are over (real time), with 3 entries, drawn."""
    base = timezone.now() - dt.timedelta(days=3)
    start = _today() + dt.timedelta(days=2)
    period = services.create_period(
        title="終わった抽選", facility_types=[FacilityType.OUTDOOR_SPORTS], application_opens_at=base - dt.timedelta(days=1),
        application_closes_at=base + dt.timedelta(days=1), draw_at=base + dt.timedelta(days=1, hours=1),
        usage_starts_on=start, usage_ends_on=start, now=base)
    slot = _first_slot(court, lottery_period=period)
    people = [make_member(n, email=f"{i}@example.jp") for i, n in enumerate(("甲山 一", "乙川 二", "丙野 三"))]
    for person in people:
        services.apply_entry(period, slot, person, now=base)
    group = services.create_group(name="丁町内会", representative=people[0], members=[people[1]])
    services.apply_entry(period, _first_slot(court, lottery_period=period, unit__code="u2"), people[0], group=group,
                         now=base)
    return period


def test_staff_pages__require_staff(client, court):
    for path in ("/reservations/staff/", "/reservations/staff/stats/", "/reservations/staff/periods/new/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_draw_page__runs_the_draw_and_reveals_the_seed(admin_client, past_period,
                                                             django_capture_on_commit_callbacks):
    page = admin_client.get(f"/reservations/staff/periods/{past_period.pk}/").content.decode()
    assert "抽選を実行して結果とシードを公開する" in page and "問題のある申込はありません" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/reservations/staff/periods/{past_period.pk}/draw")
    past_period.refresh_from_db()
    assert response.status_code == 302 and past_period.revealed_seed == past_period.seed_hex
    assert sorted(m.to[0] for m in mail.outbox) == ["0@example.jp", "1@example.jp", "2@example.jp"]
    assert Booking.objects.filter(source="lottery").count() == 2


def test_staff_exports__xlsx_and_csv_read_back(admin_client, past_period):
    services.run_draw(past_period)
    entries = list(LotteryEntry.objects.select_related("result", "slot").order_by("pk"))
    xlsx = admin_client.get(f"/reservations/staff/periods/{past_period.pk}/results.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["抽選結果"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == services.exports.RESULT_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["申込番号"]] for r in rows[1:]] == [e.pk for e in entries]
    assert [r[col["結果"]] for r in rows[1:]] == [e.result.get_outcome_display() for e in entries]
    assert rows[1][col["申込者"]] == "甲山 一" and rows[4][col["申込者"]] == "丁町内会"
    assert rows[4][col["申込者の区分"]] == "団体" and rows[4][col["団体番号"]] == entries[3].group_id
    assert rows[1][col["利用日"]].date() == timezone.localtime(entries[0].slot.start).date()

    response = admin_client.get(f"/reservations/staff/periods/{past_period.pk}/results.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(r["申込番号"]) for r in table] == [e.pk for e in entries]
    assert [r["抽選順位"] for r in table] == [str(e.result.rank) for e in entries]
    assert [r["予約番号"] for r in table] == [str(e.result.booking_id or "") for e in entries]
    assert table[0]["利用日"] == timezone.localtime(entries[0].slot.start).date().isoformat()


def test_staff_period_new__commits_the_seed_hash(admin_client, court):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = admin_client.post("/reservations/staff/periods/new/", {
        "title": "新しい抽選", "facility_types": ["outdoor_sports"],
        "application_opens_at": now.strftime(fmt), "application_closes_at": (now + dt.timedelta(days=3)).strftime(fmt),
        "draw_at": (now + dt.timedelta(days=3, hours=2)).strftime(fmt),
        "usage_starts_on": (now + dt.timedelta(days=5)).date().isoformat(),
        "usage_ends_on": (now + dt.timedelta(days=6)).date().isoformat(),
        "max_entries_per_individual": 3, "max_entries_per_group": 6, "max_outdoor_sports": 2,
        "min_group_members": 0, "keep_rule": "earliest"})
    period = LotteryPeriod.objects.get()
    assert response.status_code == 302
    assert period.rules["keep_rule"] == "earliest" and period.rules["max_entries_per_facility_type"] == {
        "outdoor_sports": 2}
    assert len(period.seed_sha256) == 64 and period.seed_committed_at < period.application_closes_at
    assert period.slots.count() == 2 * 3 * 2  # 2 units × 3 slots × 2 days


def test_staff_period_new__error_is_shown_on_the_field(admin_client, court):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = admin_client.post("/reservations/staff/periods/new/", {
        "title": "x", "facility_types": ["outdoor_sports"], "application_opens_at": now.strftime(fmt),
        "application_closes_at": (now + dt.timedelta(days=3)).strftime(fmt),
        "draw_at": (now + dt.timedelta(days=1)).strftime(fmt),
        "usage_starts_on": (now + dt.timedelta(days=5)).date().isoformat(),
        "usage_ends_on": (now + dt.timedelta(days=6)).date().isoformat(),
        "max_entries_per_individual": 3, "max_entries_per_group": 6, "min_group_members": 0,
        "keep_rule": "preference"})
    assert response.status_code == 200 and "抽選日時は申込締切以後にしてください" in response.content.decode()
    assert not LotteryPeriod.objects.exists()


def test_staff_facility_page__cancel_and_no_show(admin_client, court):
    slot = _first_slot(court)
    booking = services.book_slot(slot.pk, make_member("甲"))
    day = timezone.localtime(slot.start).date().isoformat()
    html = admin_client.get(f"/reservations/staff/facilities/court/?date={day}").content.decode()
    assert f"/reservations/staff/bookings/{booking.pk}/cancel" in html
    admin_client.post(f"/reservations/staff/bookings/{booking.pk}/cancel")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_stats__counts_and_utilization_with_chart_and_table(admin_client, court):
    slots = list(Slot.objects.filter(unit__facility=court).order_by("start", "unit"))
    for slot in slots[:3]:
        services.book_slot(slot.pk, make_member("甲"))
    services.cancel_booking(Booking.objects.first().pk)
    start, end = _today() + dt.timedelta(days=2), _today() + dt.timedelta(days=4)
    rows, totals = services.usage_statistics(start, end)
    court_row = next(r for r in rows if r.key == "court")
    assert (court_row.slots, court_row.booked, court_row.cancellations, court_row.utilization_percent) == (
        18, 2, 1, 11.1)
    assert next(t for t in totals if t.key == "outdoor_sports").booked == 2
    html = admin_client.get(f"/reservations/staff/stats/?start={start}&end={end}").content.decode()
    assert "<svg" in html and "屋外スポーツ施設 11.1%" in html
    assert re.search(r'<th scope="row">中原区 テストコート</th><td class="num">18</td><td class="num">2</td>', html)


# ---------------------------------------------------------------- notices and the demo command


def test_notice_channels__registry_calls_each_configured_channel(settings, db):
    seen = []

    @notices.register("test-channel")
    def record(member, subject, body, *, event):
        seen.append((member.name, subject, event))

    @notices.register("broken-channel")
    def broken(member, subject, body, *, event):
        raise RuntimeError("down")

    settings.RESERVATIONS_NOTICE_CHANNELS = ["broken-channel", "test-channel", "mail"]
    member = make_member("甲", email="kou@example.jp")
    try:
        assert notices.notify(member, "件名", "本文", event="test") == 2
    finally:
        del notices.CHANNELS["test-channel"], notices.CHANNELS["broken-channel"]
    assert seen == [("甲", "件名", "test")] and [m.to for m in mail.outbox] == [["kou@example.jp"]]
    with pytest.raises(ValueError):
        notices.register("mail")(lambda *a, **k: None)


def test_seed_demo_command__creates_sample_facilities_and_an_open_lottery(db):
    out = io.StringIO()
    call_command("reservations", "seed-demo", "--users", stdout=out)
    again = io.StringIO()
    call_command("reservations", "seed-demo", stdout=again)
    assert Facility.objects.count() == 5
    assert set(Facility.objects.values_list("facility_type", flat=True)) == set(FacilityType.values)
    assert len(set(Facility.objects.values_list("ward", flat=True))) == 5
    period = LotteryPeriod.objects.get()
    assert period.state == "open" and period.slots.exists()
    assert "新しい枠 0 件" in again.getvalue() and "利用者ログイン: demo-citizen / " in out.getvalue()
    assert Member.objects.get(user__username="demo-citizen").represented_groups.get().memberships.count() == 3


def test_readme_documents_the_reservations_command():
    assert "madoguchi reservations seed-demo" in ROOT_README.read_text()


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31"])
def test_availability__dates_far_away_are_refused_not_crashing(client, court, start):
    body = client.get(f"/api/v1/reservations/facilities/court/availability?start={start}").json()
    assert (body["ok"], body["error"]["param"]) == (False, "start")
    assert client.get(f"/reservations/facilities/court/?start={start}").status_code == 200


def test_lottery_page__says_how_to_apply_and_links_the_facilities(client, court, live_period):
    from django.urls import reverse

    """Issue #18: the lottery page links where to apply (the facilities of its types), in plain words; the
    hashes and the verification command sit behind 「詳しく」."""
    body = client.get(reverse("reservations:period", args=[live_period.pk])).content.decode()
    assert "申込を受け付けています" in body and "抽選に申し込む" in body
    assert f'href="{reverse("reservations:facility", args=[court.slug])}"' in body
    details = body.index("<details>")
    assert body.index("SHA-256") > details and body.index("BLAKE2b") > details
