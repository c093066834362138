"""Issue #18 item 6: a confirmation step before cancel, withdraw and the staff draw (a GET page that
says what will happen and changes nothing; the POST does it), and no 取り消す button that cannot work
(``services.can_cancel``: citizens until 24 h before the start)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from madoguchi.reservations import services
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import Booking, Cancellation, EntryStatus, FacilityType, LotteryEntry, Slot

from .test_reservations_factories import citizen, make_facility, make_member  # noqa: F401  (fixture)

CALL_US = "開始24時間前を過ぎたため、ウェブでは取り消せません。施設にお電話ください"


def _today():
    return timezone.localdate()


def _first_slot(facility, **filters) -> Slot:
    return Slot.objects.filter(unit__facility=facility, **filters).order_by("start", "unit").first()


def _post_forms(html: str) -> list[str]:
    """The ``action`` of every ``method="post"`` form of the page but the menu's ログアウト."""
    return [a for a in re.findall(r'<form method="post" action="([^"]+)"', html) if not a.endswith("/logout/")]


@pytest.fixture
def court(db):
    """Slots from the day after tomorrow for 3 days (real time); the facility has a phone number."""
    facility = make_facility("court", name="中原区 テストコート", units=2, phone="044-200-1234")
    services.generate_slots([facility], _today() + dt.timedelta(days=2), _today() + dt.timedelta(days=4))
    return facility


def _booking_starting_in(court, member, delta: dt.timedelta) -> Booking:
    """A booking moved to start ``delta`` from now (the slot itself is days ahead)."""
    booking = services.book_slot(_first_slot(court, unit__code="u2").pk, member)
    start = timezone.now().replace(microsecond=0) + delta
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(hours=2))
    booking.refresh_from_db()
    return booking


# ---------------------------------------------------------------- the rule in one place


def test_can_cancel__until_exactly_24_hours_before_the_start(court):
    member = make_member("甲")
    booking = services.book_slot(_first_slot(court).pk, member)
    deadline = booking.start - dt.timedelta(hours=24)
    assert [services.can_cancel(booking, deadline + dt.timedelta(seconds=s)) for s in (-3600, -1, 0, 1, 3600)] == [
        True, True, True, False, False]
    # cancel_booking uses the same rule: refused one second after, done at the deadline itself
    with pytest.raises(ReservationError) as late:
        services.cancel_booking(booking.pk, member=member, now=deadline + dt.timedelta(seconds=1))
    assert late.value.code == "cancel_deadline" and "ウェブでは取り消せません" in late.value.message
    assert Booking.objects.get(pk=booking.pk).status == "active"
    cancelled = services.cancel_booking(booking.pk, member=member, now=deadline)
    assert cancelled.status == "cancelled"
    assert services.can_cancel(cancelled, deadline - dt.timedelta(days=1)) is False  # not active any more


# ---------------------------------------------------------------- cancel


def test_cancel__the_get_page_shows_the_booking_and_changes_nothing(client, court, citizen):
    booking = services.book_slot(_first_slot(court).pk, citizen)
    mine = client.get("/reservations/mine/").content.decode()
    # my page's 取り消す leads to the confirmation (a GET form: works without JavaScript)
    assert f'<form method="get" action="/reservations/bookings/{booking.pk}/cancel"' in mine
    assert f"/reservations/bookings/{booking.pk}/cancel" not in "".join(_post_forms(mine))

    response = client.get(f"/reservations/bookings/{booking.pk}/cancel")
    html = response.content.decode()
    assert response.status_code == 200
    start = timezone.localtime(booking.start)
    assert "この予約を取り消しますか" in html
    assert "中原区 テストコート 第1面" in html
    assert f"{start.year}年{start.month}月{start.day}日" in html and start.strftime("%H:%M") in html
    assert f"<dt>予約番号</dt><dd>{booking.pk}</dd>" in html
    assert _post_forms(html) == [f"/reservations/bookings/{booking.pk}/cancel"]
    assert re.search(r'<button type="submit">取り消す</button>\s*<a href="/reservations/mine/" class="rsv-back">戻る</a>',
                     html)
    booking.refresh_from_db()
    assert (booking.status, Cancellation.objects.count()) == ("active", 0)

    response = client.post(f"/reservations/bookings/{booking.pk}/cancel")
    booking.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/reservations/mine/")
    assert (booking.status, Cancellation.objects.count()) == ("cancelled", 1)


def test_cancel__the_get_page_of_someone_elses_or_a_cancelled_booking_goes_back(client, court, citizen):
    other = services.book_slot(_first_slot(court).pk, make_member("乙"))
    response = client.get(f"/reservations/bookings/{other.pk}/cancel", follow=True)
    assert response.redirect_chain == [("/reservations/mine/", 302)]
    assert f"予約番号 {other.pk} の予約はありません" in response.content.decode()
    assert Booking.objects.get(pk=other.pk).status == "active"


def test_cancel__login_required_for_the_confirmation(client, court):
    booking = services.book_slot(_first_slot(court).pk, make_member("甲"))
    response = client.get(f"/reservations/bookings/{booking.pk}/cancel")
    assert response.status_code == 302 and response["Location"].startswith("/reservations/login/")


def test_my_page__no_cancel_button_within_24_hours_but_the_phone(client, court, citizen):
    far = services.book_slot(_first_slot(court).pk, citizen)
    near = _booking_starting_in(court, citizen, dt.timedelta(hours=23, minutes=59))
    html = client.get("/reservations/mine/").content.decode()
    assert f'action="/reservations/bookings/{far.pk}/cancel"' in html
    assert f"/reservations/bookings/{near.pk}/cancel" not in html
    assert html.count(CALL_US) == 1
    assert '（中原区 テストコート <a href="tel:0442001234">044-200-1234</a>）' in html
    # its confirmation page says the same and has no form that would fail
    page = client.get(f"/reservations/bookings/{near.pk}/cancel").content.decode()
    assert CALL_US in page and _post_forms(page) == []
    assert Booking.objects.get(pk=near.pk).status == "active"


def test_my_page__a_booking_a_little_more_than_24_hours_ahead_still_has_its_button(client, court, citizen):
    booking = _booking_starting_in(court, citizen, dt.timedelta(hours=24, minutes=5))
    html = client.get("/reservations/mine/").content.decode()
    assert f'action="/reservations/bookings/{booking.pk}/cancel"' in html and CALL_US not in html


def test_my_page__the_message_has_no_phone_when_the_facility_has_none(client, court, citizen):
    court.phone = ""
    court.save(update_fields=["phone"])
    _booking_starting_in(court, citizen, dt.timedelta(hours=2))
    html = client.get("/reservations/mine/").content.decode()
    assert f"{CALL_US}。" in html and "tel:" not in html


# ---------------------------------------------------------------- withdraw


@pytest.fixture
def live_period(court):
    now = timezone.now()
    start = _today() + dt.timedelta(days=10)
    return services.create_period(
        title="テスト抽選", facility_types=[FacilityType.OUTDOOR_SPORTS], application_opens_at=now - dt.timedelta(days=1),
        application_closes_at=now + dt.timedelta(days=5), draw_at=now + dt.timedelta(days=5, hours=1),
        usage_starts_on=start, usage_ends_on=start + dt.timedelta(days=2))


def test_withdraw__the_get_page_shows_the_entry_and_changes_nothing(client, court, citizen, live_period):
    slot = _first_slot(court, lottery_period=live_period)
    entry = services.apply_entry(live_period, slot, citizen, preference=1)
    mine = client.get("/reservations/mine/").content.decode()
    assert f'<form method="get" action="/reservations/entries/{entry.pk}/withdraw"' in mine

    html = client.get(f"/reservations/entries/{entry.pk}/withdraw").content.decode()
    start = timezone.localtime(slot.start)
    assert "この抽選申込を取り消しますか" in html and "テスト抽選" in html
    assert "中原区 テストコート 第1面" in html and f"{start.month}月{start.day}日" in html
    assert f"<dt>申込番号</dt><dd>{entry.pk}</dd>" in html
    assert _post_forms(html) == [f"/reservations/entries/{entry.pk}/withdraw"]
    assert ">取り消す</button>" in html and '<a href="/reservations/mine/" class="rsv-back">戻る</a>' in html
    assert LotteryEntry.objects.get(pk=entry.pk).status == EntryStatus.ACTIVE

    response = client.post(f"/reservations/entries/{entry.pk}/withdraw")
    assert response.status_code == 302
    assert LotteryEntry.objects.get(pk=entry.pk).status == EntryStatus.WITHDRAWN
    # withdrawn: the confirmation page is gone, back to my page with the reason
    again = client.get(f"/reservations/entries/{entry.pk}/withdraw", follow=True)
    assert again.redirect_chain == [("/reservations/mine/", 302)]
    assert f"申込番号 {entry.pk} の有効な申込はありません" in again.content.decode()


# ---------------------------------------------------------------- the staff draw


@pytest.fixture
def closed_period(court):
    """Window and draw time over (real time), 3 active entries, not drawn yet."""
    base = timezone.now() - dt.timedelta(days=3)
    start = _today() + dt.timedelta(days=2)
    period = services.create_period(
        title="終わった抽選", facility_types=[FacilityType.OUTDOOR_SPORTS], application_opens_at=base - dt.timedelta(days=1),
        application_closes_at=base + dt.timedelta(days=1), draw_at=base + dt.timedelta(days=1, hours=1),
        usage_starts_on=start, usage_ends_on=start, now=base)
    slot = _first_slot(court, lottery_period=period)
    for i, name in enumerate(("甲山 一", "乙川 二", "丙野 三")):
        services.apply_entry(period, slot, make_member(name, email=f"{i}@example.jp"), now=base)
    return period


def test_draw__the_staff_page_leads_to_a_confirmation_that_draws_nothing(admin_client, closed_period,
                                                                        django_capture_on_commit_callbacks):
    url = f"/reservations/staff/periods/{closed_period.pk}/draw"
    page = admin_client.get(f"/reservations/staff/periods/{closed_period.pk}/").content.decode()
    assert f'<form method="get" action="{url}">' in page and url not in "".join(_post_forms(page))

    html = admin_client.get(url).content.decode()
    assert "抽選を実行しますか" in html and "終わった抽選" in html
    assert "有効 3 件" in html and "抽選は取り消せません" in html
    assert _post_forms(html) == [url]
    assert re.search(rf'<button type="submit">実行する</button>\s*<a href="/reservations/staff/periods/'
                     rf'{closed_period.pk}/" class="rsv-back">戻る</a>', html)
    closed_period.refresh_from_db()
    assert closed_period.drawn_at is None and not Booking.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    closed_period.refresh_from_db()
    assert response.status_code == 302 and closed_period.drawn_at is not None
    assert Booking.objects.filter(source="lottery").count() == 1
    # drawn: the confirmation page is not offered again
    again = admin_client.get(url, follow=True)
    assert "すでに抽選済みです" in again.content.decode()
    assert not any("/draw" in f for f in _post_forms(again.content.decode()))


def test_draw__no_submit_before_the_draw_time(admin_client, live_period):
    html = admin_client.get(f"/reservations/staff/periods/{live_period.pk}/draw").content.decode()
    assert "の後に実行できます" in html and "実行する</button>" not in html
    assert not any("/draw" in f for f in _post_forms(html))


def test_draw__the_confirmation_is_for_staff_only(client, citizen, closed_period):
    response = client.get(f"/reservations/staff/periods/{closed_period.pk}/draw")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
