"""Booking first come, first served; no double booking (issue #7).

The database refuses a second active booking of one unit at one time
(conditional unique constraint), and 200 simultaneous HTTP requests for one
free slot give exactly one booking and 199 clear 「この枠はすでに予約されています」
— on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``).
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import IntegrityError, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from madoguchi.reservations import services
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import Booking, BookingStatus, Cancellation, Member, NoShow, Slot

from .test_reservations_factories import (  # noqa: F401  (fixtures)
    DRAW, NOW, gym, make_facility, make_member, period, slot_at, tennis)

ALREADY = "この枠はすでに予約されています"


@pytest.fixture
def free_slot(db):
    """A slot of tomorrow (real time) outside any lottery."""
    facility = make_facility("court")
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    services.generate_slots([facility], tomorrow, tomorrow)
    return Slot.objects.filter(unit__facility=facility).order_by("start", "unit").first()


def test_book_slot__books_and_mails_a_confirmation(free_slot, django_capture_on_commit_callbacks):
    member = make_member("予約 太郎", email="taro@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book_slot(free_slot.pk, member)
    assert (booking.unit_id, booking.start, booking.status, booking.fee_yen) == (
        free_slot.unit_id, free_slot.start, BookingStatus.ACTIVE, free_slot.fee_yen)
    assert [m.to for m in mail.outbox] == [["taro@example.jp"]]
    assert f"予約番号 {booking.pk}" in mail.outbox[0].body
    assert services.slot_with_status(free_slot.pk)[1] == "busy"


def _slot_past(ctx):
    slot = ctx["free_slot"]
    slot.start, slot.end = timezone.now() - dt.timedelta(hours=2), timezone.now() - dt.timedelta(hours=1)
    slot.save()
    return slot.pk, {}


def _closed(ctx):
    Slot.objects.filter(pk=ctx["free_slot"].pk).update(closed=True)
    return ctx["free_slot"].pk, {}


def _already(ctx):
    services.book_slot(ctx["free_slot"].pk, make_member("先客"))
    return ctx["free_slot"].pk, {}


def _in_lottery(ctx):
    return slot_at(ctx["tennis"], 1, 4, 9).pk, {"now": NOW}


def _not_representative(ctx):
    group = services.create_group(name="他人の団体", representative=make_member("代表"), members=[ctx["member"]])
    return ctx["free_slot"].pk, {"group": group}


def _inactive(ctx):
    Member.objects.filter(pk=ctx["member"].pk).update(active=False)
    ctx["member"].refresh_from_db()
    return ctx["free_slot"].pk, {}


@pytest.mark.parametrize("setup,code,message", [
    (lambda ctx: (999999, {}), "not_found", "枠 999999 はありません"),
    (_slot_past, "slot_past", "受付は終了しました"),
    (_closed, "slot_closed", "受付を停止しています"),
    (_already, "already_booked", ALREADY),
    (_in_lottery, "in_lottery", "抽選に申し込んでください"),
    (_not_representative, "not_representative", "代表者だけ"),
    (_inactive, "member_inactive", "利用者登録が無効"),
], ids=["unknown", "past", "closed", "already-booked", "in-lottery", "not-representative", "inactive"])
def test_book_slot__refused_with_clear_message_and_nothing_written(free_slot, period, tennis, setup, code, message):
    ctx = {"free_slot": free_slot, "tennis": tennis, "member": make_member("申込者")}
    slot_id, kw = setup(ctx)
    before = list(Booking.objects.values_list("pk", "status"))
    with pytest.raises(ReservationError) as caught:
        services.book_slot(slot_id, ctx["member"], **kw)
    assert (caught.value.code, caught.value.status == 409) == (code, code == "already_booked")
    assert message in caught.value.message
    assert list(Booking.objects.values_list("pk", "status")) == before


def test_database_refuses_a_second_active_booking_of_one_unit_and_time(free_slot):
    first = services.book_slot(free_slot.pk, make_member("甲"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(unit=free_slot.unit, slot=free_slot, start=free_slot.start, end=free_slot.end,
                               member=make_member("乙"), source="direct")
    assert list(Booking.objects.values_list("pk", flat=True)) == [first.pk]


def test_cancel__frees_the_slot_and_it_can_be_booked_again(free_slot):
    a, b = make_member("甲"), make_member("乙")
    first = services.book_slot(free_slot.pk, a)
    services.cancel_booking(first.pk, member=a, reason="雨天のため")
    second = services.book_slot(free_slot.pk, b)
    assert list(Booking.objects.order_by("pk").values_list("member__name", "status")) == [
        ("甲", BookingStatus.CANCELLED), ("乙", BookingStatus.ACTIVE)]
    assert Cancellation.objects.get().reason == "雨天のため" and second.status == BookingStatus.ACTIVE


@pytest.mark.parametrize("who,hours_before,code", [
    ("other", 48, "not_found"),
    ("self", 23, "cancel_deadline"),
])
def test_cancel__refused(free_slot, who, hours_before, code):
    owner = make_member("甲")
    booking = services.book_slot(free_slot.pk, owner)
    with pytest.raises(ReservationError) as caught:
        services.cancel_booking(booking.pk, member=owner if who == "self" else make_member("乙"),
                                now=booking.start - dt.timedelta(hours=hours_before))
    assert caught.value.code == code
    assert (Booking.objects.get().status, Cancellation.objects.count()) == (BookingStatus.ACTIVE, 0)


def test_cancel__staff_may_cancel_after_the_citizen_deadline(free_slot, admin_user):
    booking = services.book_slot(free_slot.pk, make_member("甲"))
    services.cancel_booking(booking.pk, by_user=admin_user, now=booking.start - dt.timedelta(hours=1))
    assert Cancellation.objects.get().cancelled_by == admin_user


def test_no_show__recorded_once_after_the_start(free_slot, admin_user):
    booking = services.book_slot(free_slot.pk, make_member("甲"))
    with pytest.raises(ReservationError) as early:
        services.record_no_show(booking.pk, by_user=admin_user, now=booking.start - dt.timedelta(minutes=1))
    services.record_no_show(booking.pk, by_user=admin_user, note="連絡なし", now=booking.start + dt.timedelta(hours=1))
    with pytest.raises(ReservationError) as twice:
        services.record_no_show(booking.pk, by_user=admin_user, now=booking.start + dt.timedelta(hours=2))
    assert (early.value.code, twice.value.code) == ("not_started", "already_recorded")
    assert list(NoShow.objects.values_list("booking_id", "note")) == [(booking.pk, "連絡なし")]


def test_lottery_slots_become_bookable_after_the_draw_if_nobody_won_them(period, tennis):
    entered, free = slot_at(tennis, 1, 4, 9), slot_at(tennis, 2, 4, 9)
    services.apply_entry(period, entered, make_member("甲"), now=NOW)
    services.run_draw(period, now=DRAW)
    after = DRAW + dt.timedelta(hours=1)
    assert services.slot_with_status(entered.pk, now=after)[1] == "busy"
    assert services.slot_with_status(free.pk, now=after)[1] == "free"
    booking = services.book_slot(free.pk, make_member("乙"), now=after)
    with pytest.raises(ReservationError) as caught:
        services.book_slot(entered.pk, make_member("丙"), now=after)
    assert (booking.slot_id, caught.value.code) == (free.pk, "already_booked")


# ---------------------------------------------------------------- pages


def test_book_page__requires_login(client, free_slot):
    response = client.post(f"/reservations/slots/{free_slot.pk}/book", {"applicant": "self"})
    assert response.status_code == 302 and response["Location"].startswith("/reservations/login/")
    assert not Booking.objects.exists()


def test_book_page__second_request_gets_409_already_booked(client, free_slot):
    for name in ("甲", "乙"):
        user = get_user_model().objects.create(username=name)
        make_member(name, with_user=False).__class__.objects.filter(name=name).update(user=user)
    client.force_login(get_user_model().objects.get(username="甲"))
    first = client.post(f"/reservations/slots/{free_slot.pk}/book", {"applicant": "self"})
    client.force_login(get_user_model().objects.get(username="乙"))
    second = client.post(f"/reservations/slots/{free_slot.pk}/book", {"applicant": "self"})
    assert (first.status_code, first["Location"]) == (302, "/reservations/mine/")
    assert second.status_code == 409 and ALREADY in second.content.decode()
    assert Booking.objects.get().member.name == "甲"


# ---------------------------------------------------------------- concurrency through HTTP

REQUESTS = 200
SERVER_CONCURRENCY = 40  # PostgreSQL's default max_connections is 100; each request thread holds one


@pytest.fixture
def bounded_server_threads(live_server, monkeypatch):
    """The live server answers every request in its own thread; cap how many run at
    once so 200 requests do not need 200 database connections (PostgreSQL allows 100).
    All 200 connections are still accepted at once (listen backlog raised from
    Django's 10) and race for the slot."""
    live_server.thread.httpd.socket.listen(REQUESTS + 56)
    gate = threading.BoundedSemaphore(SERVER_CONCURRENCY)
    original = ThreadedWSGIServer.process_request_thread

    def process_request_thread(self, request, client_address):
        with gate:
            original(self, request, client_address)

    monkeypatch.setattr(ThreadedWSGIServer, "process_request_thread", process_request_thread)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db(transaction=True)
def test_200_simultaneous_booking_requests__exactly_one_succeeds(live_server, bounded_server_threads):
    facility = make_facility("race")
    day = timezone.localdate() + dt.timedelta(days=3)
    services.generate_slots([facility], day, day)
    slot = Slot.objects.filter(unit__facility=facility).order_by("start", "unit").first()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"racer{i}", email=f"racer{i}@example.jp") for i in range(REQUESTS)])
    Member.objects.bulk_create([Member(user=u, name=f"利用者{i}", email=u.email) for i, u in enumerate(users)])
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    token = _get_new_csrf_string()
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "applicant": "self"}).encode()
    url = f"{live_server.url}/reservations/slots/{slot.pk}/book"
    opener = urllib.request.build_opener(_NoRedirect)
    start = threading.Barrier(REQUESTS)

    def post(session: str) -> tuple[int, str]:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded"})
        start.wait()
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(post, cookies))

    statuses = sorted(code for code, _ in answers)
    assert statuses == [302] + [409] * (REQUESTS - 1), statuses
    assert all(ALREADY in text for code, text in answers if code == 409)
    booking = Booking.objects.get(unit=slot.unit, start=slot.start)
    assert booking.status == BookingStatus.ACTIVE
    assert Booking.objects.count() == 1
