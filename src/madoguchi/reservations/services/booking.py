"""Bookings first come, first served (先着順予約), cancellations and no-shows.

No double booking: the database refuses a second *active* booking of one
unit at one start (``booking_unique_active_unit_start``), so of two
concurrent requests for one slot exactly one commits, on SQLite and on
PostgreSQL; the loser gets ``already_booked``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import notices
from ..errors import ReservationError
from ..models import Booking, BookingSource, BookingStatus, Cancellation, Group, Member, NoShow, Slot
from .facilities import slot_status

#: Citizens may cancel until this many hours before the start (staff at any time).
CANCEL_DEADLINE_HOURS = 24
ALREADY_BOOKED = "この枠はすでに予約されています"


def book_slot(slot_id: int, member: Member, *, group: Group | None = None, source: str = BookingSource.DIRECT,
              now: dt.datetime | None = None) -> Booking:
    """Book a free slot for ``member`` (or for ``group``, by its representative).

    Raises ``ReservationError`` and writes nothing: ``not_found`` (no such
    slot), ``member_inactive``, ``not_representative``, ``slot_closed``,
    ``slot_past`` (started already), ``in_lottery`` (offered in a lottery not
    yet drawn: apply there), ``already_booked`` (status 409,
    「この枠はすでに予約されています」).
    """
    now = now or timezone.now()
    if not member.active:
        raise ReservationError("member_inactive", "利用者登録が無効になっています", "member")
    if group is not None and group.representative_id != member.pk:
        raise ReservationError("not_representative", f"団体「{group.name}」の予約は代表者だけができます", "group")
    with transaction.atomic():
        slot = Slot.objects.select_related("unit", "lottery_period").filter(pk=slot_id).first()
        if slot is None:
            raise ReservationError("not_found", f"枠 {slot_id} はありません", "slot")
        taken = Booking.objects.filter(unit_id=slot.unit_id, start=slot.start, status=BookingStatus.ACTIVE).exists()
        status = slot_status(slot, taken, now)
        if status == "busy":
            raise ReservationError("already_booked", ALREADY_BOOKED, "slot")
        if status == "closed":
            raise ReservationError("slot_closed", "この枠は受付を停止しています", "slot")
        if status == "past":
            raise ReservationError("slot_past", "この枠の受付は終了しました", "slot")
        if status == "lottery":
            raise ReservationError("in_lottery", f"この枠は抽選「{slot.lottery_period.title}」の対象です。"
                                   "抽選に申し込んでください", "slot")
        try:
            with transaction.atomic():
                booking = Booking.objects.create(unit_id=slot.unit_id, slot=slot, start=slot.start, end=slot.end,
                                                 member=member, group=group, source=source, fee_yen=slot.fee_yen)
        except IntegrityError:
            raise ReservationError("already_booked", ALREADY_BOOKED, "slot") from None
        transaction.on_commit(lambda: notices.notify_booking(booking, event="booked"))
    return booking


def can_cancel(booking: Booking, now: dt.datetime | None = None) -> bool:
    """Whether a citizen may still cancel ``booking`` on the web at ``now`` (aware; default now).

    True when the booking is active and ``now`` is at or before
    ``CANCEL_DEADLINE_HOURS`` (24) hours before its start: exactly 24 h before
    is still allowed, one second later is not. The one place of the rule:
    ``cancel_booking`` refuses with ``cancel_deadline`` when this is False, and
    my page shows its 取り消す button only when it is True. Staff are not bound
    by it (``cancel_booking(member=None)``).
    """
    now = now or timezone.now()
    return (booking.status == BookingStatus.ACTIVE
            and now <= booking.start - dt.timedelta(hours=CANCEL_DEADLINE_HOURS))


def cancel_booking(booking_id: int, *, member: Member | None = None, by_user=None, reason: str = "",
                   now: dt.datetime | None = None) -> Booking:
    """Cancel a booking; the slot is free again at once.

    ``member`` given (a citizen): only the booking's member or the group's
    representative, and only until ``CANCEL_DEADLINE_HOURS`` before the
    start. ``member=None``: staff, any time before the end. Raises
    ``ReservationError``: ``not_found``, ``not_active`` (already cancelled),
    ``cancel_deadline``, ``slot_past``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("group").filter(pk=booking_id).first()
        if booking is None or (member is not None and booking.member_id != member.pk
                               and not (booking.group and booking.group.representative_id == member.pk)):
            raise ReservationError("not_found", f"予約番号 {booking_id} の予約はありません", "booking")
        if booking.status != BookingStatus.ACTIVE:
            raise ReservationError("not_active", "この予約はすでに取り消されています", "booking")
        if member is not None and not can_cancel(booking, now):
            raise ReservationError("cancel_deadline", f"利用開始の {CANCEL_DEADLINE_HOURS} 時間前を過ぎたため、"
                                   "ウェブでは取り消せません。施設にお電話ください", "booking")
        if booking.end <= now:
            raise ReservationError("slot_past", "利用時間が過ぎた予約は取り消せません", "booking")
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
        Cancellation.objects.create(booking=booking, cancelled_at=now, reason=reason[:300],
                                    cancelled_by=by_user if getattr(by_user, "pk", None) else None)
        transaction.on_commit(lambda: notices.notify_booking(booking, event="cancelled"))
    return booking


def record_no_show(booking_id: int, *, by_user=None, note: str = "", now: dt.datetime | None = None) -> NoShow:
    """Staff record that an active booking was not used (無断不使用).

    Raises ``ReservationError``: ``not_found``, ``not_active`` (cancelled),
    ``not_started`` (before the start), ``already_recorded``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None:
            raise ReservationError("not_found", f"予約番号 {booking_id} の予約はありません", "booking")
        if booking.status != BookingStatus.ACTIVE:
            raise ReservationError("not_active", "取り消された予約です", "booking")
        if now < booking.start:
            raise ReservationError("not_started", "利用開始前には記録できません", "booking")
        if NoShow.objects.filter(booking=booking).exists():
            raise ReservationError("already_recorded", "すでに記録されています", "booking")
        return NoShow.objects.create(booking=booking, recorded_at=now, note=note[:300],
                                     recorded_by=by_user if getattr(by_user, "pk", None) else None)


def bookings_of(member: Member, *, active_only: bool = True) -> QuerySet:
    """A member's bookings (own and of the groups it represents), soonest first."""
    from django.db.models import Q

    qs = Booking.objects.filter(Q(member=member) | Q(group__representative=member))
    if active_only:
        qs = qs.filter(status=BookingStatus.ACTIVE)
    return qs.select_related("unit__facility", "group").order_by("start").distinct()
