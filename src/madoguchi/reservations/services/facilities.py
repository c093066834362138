"""Facilities and slots: slot generation from opening hours, availability (空き状況)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import schedule
from ..errors import ReservationError
from ..models import BookableUnit, Booking, BookingStatus, Facility, LotteryPeriod, Slot

#: Availability statuses: code → (symbol, Japanese label). Symbol and text, never colour alone.
STATUSES = {
    "free": ("○", "空き"),
    "busy": ("×", "予約済み"),
    "lottery": ("△", "抽選"),
    "closed": ("－", "受付停止"),
    "past": ("－", "受付終了"),
}
MAX_AVAILABILITY_DAYS = 31
#: Dates the calendar and API accept (outside, time zone arithmetic would overflow).
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def active_facilities(facility_type: str | None = None, ward: str | None = None) -> QuerySet:
    """Facilities open for reservation, optionally of one type and ward."""
    qs = Facility.objects.filter(active=True).prefetch_related("units")
    if facility_type:
        qs = qs.filter(facility_type=facility_type)
    if ward:
        qs = qs.filter(ward=ward)
    return qs


def is_facility_closed(facility: Facility, day: dt.date) -> bool:
    return schedule.is_closed(day, closed_weekdays=facility.closed_weekdays, holiday_rule=facility.holiday_rule,
                              closed_year_end=facility.closed_year_end, closed_dates=facility.closed_dates)


def generate_slots(facilities, start: dt.date, end: dt.date, *, period: LotteryPeriod | None = None) -> int:
    """Create the missing slots of ``facilities`` from ``start`` to ``end`` (dates, inclusive).

    Opening days by each facility's rules (closed weekdays, holidays from
    ``jpholiday``, year end, extra dates); times from each unit's
    ``slot_times`` within opening hours; fee by 平日 / 土日祝. Existing slots
    are kept. If ``period`` is given, the new and existing slots without
    bookings in the range are offered in that lottery. Returns the number of
    slots created. Raises ``ReservationError`` (``invalid_range``) if
    ``end < start`` or the range is longer than 400 days.
    """
    if end < start or (end - start).days > 400:
        raise ReservationError("invalid_range", f"期間 {start}〜{end} が正しくありません（400 日以内）", "start")
    created = 0
    with transaction.atomic():
        for facility in facilities:
            units = list(facility.units.all())
            existing = set(Slot.objects.filter(unit__facility=facility, start__date__gte=start - dt.timedelta(days=1),
                                               start__date__lte=end + dt.timedelta(days=1))
                           .values_list("unit_id", "start"))
            new = []
            for day in schedule.days(start, end):
                if is_facility_closed(facility, day):
                    continue
                rest = schedule.is_rest_day(day)
                for unit in units:
                    for a, b in schedule.slot_times_on(day, unit.slot_times, facility.opening_time,
                                                       facility.closing_time):
                        if (unit.pk, a) not in existing:
                            new.append(Slot(unit=unit, start=a, end=b, lottery_period=period,
                                            fee_yen=unit.fee_holiday_yen if rest else unit.fee_weekday_yen))
            Slot.objects.bulk_create(new, batch_size=2000)
            created += len(new)
        if period is not None:
            first = dt.datetime.combine(start, dt.time.min, schedule.TOKYO)
            last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, schedule.TOKYO)
            (Slot.objects.filter(unit__facility__in=[f.pk for f in facilities], start__gte=first, start__lt=last,
                                 lottery_period__isnull=True)
             .exclude(bookings__status=BookingStatus.ACTIVE).update(lottery_period=period))
    return created


def slot_status(slot: Slot, booked: bool, now: dt.datetime) -> str:
    """``free`` | ``busy`` | ``lottery`` | ``closed`` | ``past`` (see ``STATUSES``)."""
    if slot.closed:
        return "closed"
    if booked:
        return "busy"
    if slot.start <= now:
        return "past"
    if slot.lottery_period_id and slot.lottery_period.drawn_at is None:
        return "lottery"
    return "free"


@dataclass
class DayAvailability:
    """One day of a facility's calendar: ``rows`` = one per time of day, each
    ``{"label": "09:00〜11:00", "cells": [cell per unit or None]}``; a cell is
    ``{"slot", "status", "symbol", "label"}``."""

    date: dt.date
    holiday: str | None
    rest_day: bool
    closed: bool
    rows: list = field(default_factory=list)


def availability(facility: Facility, start: dt.date, days: int = 7, now: dt.datetime | None = None):
    """A facility's slots from ``start`` for ``days`` days (≤ 31), with status.

    Returns ``(units, [DayAvailability])``. No personal data: a booked slot is
    only ``busy``. Raises ``ReservationError`` (``invalid_parameter``, param
    ``days``) for days outside 1–31, (param ``start``) for a start outside 2000–2099.
    """
    if not EARLIEST_DATE <= start <= LATEST_DATE:
        raise ReservationError("invalid_parameter", f"start は {EARLIEST_DATE}〜{LATEST_DATE} の日付で指定してください",
                               "start")
    if not 1 <= days <= MAX_AVAILABILITY_DAYS:
        raise ReservationError("invalid_parameter", f"days は 1 以上 {MAX_AVAILABILITY_DAYS} 以下で指定してください",
                               "days")
    now = now or timezone.now()
    units = list(facility.units.all())
    first = dt.datetime.combine(start, dt.time.min, schedule.TOKYO)
    last = first + dt.timedelta(days=days)
    slots = list(Slot.objects.filter(unit__facility=facility, start__gte=first, start__lt=last)
                 .select_related("lottery_period", "unit").order_by("start", "unit__position"))
    booked = set(Booking.objects.filter(unit__facility=facility, start__gte=first, start__lt=last,
                                        status=BookingStatus.ACTIVE).values_list("unit_id", "start"))
    by_day: dict[dt.date, dict] = {}
    for slot in slots:
        local = slot.start.astimezone(schedule.TOKYO)
        status = slot_status(slot, (slot.unit_id, slot.start) in booked, now)
        symbol, label = STATUSES[status]
        key = (local.time(), slot.end.astimezone(schedule.TOKYO).time())
        by_day.setdefault(local.date(), {}).setdefault(key, {})[slot.unit_id] = {
            "slot": slot, "status": status, "symbol": symbol, "label": label}
    out = []
    for day in schedule.days(start, start + dt.timedelta(days=days - 1)):
        times = by_day.get(day, {})
        rows = [{"label": f"{a:%H:%M}〜{b:%H:%M}", "cells": [cells.get(u.pk) for u in units]}
                for (a, b), cells in sorted(times.items())]
        out.append(DayAvailability(date=day, holiday=schedule.holiday_name(day), rest_day=schedule.is_rest_day(day),
                                   closed=is_facility_closed(facility, day), rows=rows))
    return units, out


def slot_with_status(slot_id: int, now: dt.datetime | None = None) -> tuple[Slot, str]:
    """One slot (with unit, facility, lottery period) and its status. ``not_found`` if unknown."""
    slot = (Slot.objects.select_related("unit__facility", "lottery_period").filter(pk=slot_id).first())
    if slot is None:
        raise ReservationError("not_found", f"枠 {slot_id} はありません", "slot")
    booked = Booking.objects.filter(unit_id=slot.unit_id, start=slot.start, status=BookingStatus.ACTIVE).exists()
    return slot, slot_status(slot, booked, now or timezone.now())


def ensure_facility(slug: str, *, units: list[dict], **fields) -> Facility:
    """Create or update a facility and its units (idempotent; demo data and CLI).

    ``units``: ``[{"code", "name", "capacity", "slot_times", "fee_weekday_yen", "fee_holiday_yen"}]``;
    every ``slot_times`` entry is checked (``ReservationError`` ``invalid_slot_time``).
    """
    for i, unit in enumerate(units):
        for text in unit.get("slot_times", []):
            try:
                schedule.parse_slot_time(text)
            except ValueError as exc:
                raise ReservationError("invalid_slot_time", str(exc), f"units[{i}].slot_times") from None
    with transaction.atomic():
        facility, _ = Facility.objects.update_or_create(slug=slug, defaults=fields)
        for position, unit in enumerate(units):
            BookableUnit.objects.update_or_create(facility=facility, code=unit["code"],
                                                  defaults={**unit, "position": position})
    return facility
