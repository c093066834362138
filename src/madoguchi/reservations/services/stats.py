"""Usage statistics (利用状況) for staff and the KPI app: per facility and per type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from .. import schedule
from ..models import Booking, BookingStatus, Cancellation, Facility, FacilityType, LotteryEntry, NoShow, Slot


@dataclass
class UsageRow:
    """One facility (or type total): ``slots`` offered (not closed), ``booked``
    active bookings, ``utilization_percent`` = booked / slots × 100 (one
    decimal), ``cancellations`` and ``no_shows`` of bookings starting in the
    range, ``entries`` lottery entries (any status) for slots in the range."""

    key: str
    label: str
    facility_type: str
    slots: int = 0
    booked: int = 0
    cancellations: int = 0
    no_shows: int = 0
    entries: int = 0

    @property
    def utilization_percent(self) -> float:
        return round(100.0 * self.booked / self.slots, 1) if self.slots else 0.0

    @property
    def entries_per_slot(self) -> float:
        return round(self.entries / self.slots, 1) if self.slots else 0.0


def _count(qs, field: str) -> dict:
    return dict(qs.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def usage_statistics(start: dt.date, end: dt.date) -> tuple[list[UsageRow], list[UsageRow]]:
    """Statistics for slots starting from ``start`` to ``end`` (dates, inclusive).

    Returns ``(per facility, per facility type)``; counts only, no personal data.
    Six aggregate queries whatever the number of facilities.
    """
    first = dt.datetime.combine(start, dt.time.min, schedule.TOKYO)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, schedule.TOKYO)
    fac = "unit__facility"
    slots = _count(Slot.objects.filter(start__gte=first, start__lt=last, closed=False), fac)
    booked = _count(Booking.objects.filter(start__gte=first, start__lt=last, status=BookingStatus.ACTIVE), fac)
    cancels = _count(Cancellation.objects.filter(booking__start__gte=first, booking__start__lt=last),
                     "booking__unit__facility")
    no_shows = _count(NoShow.objects.filter(booking__start__gte=first, booking__start__lt=last),
                      "booking__unit__facility")
    entries = _count(LotteryEntry.objects.filter(slot__start__gte=first, slot__start__lt=last),
                     "slot__unit__facility")
    rows = []
    for f in Facility.objects.order_by("facility_type", "ward", "name"):
        rows.append(UsageRow(key=f.slug, label=f.name, facility_type=f.facility_type, slots=slots.get(f.pk, 0),
                             booked=booked.get(f.pk, 0), cancellations=cancels.get(f.pk, 0),
                             no_shows=no_shows.get(f.pk, 0), entries=entries.get(f.pk, 0)))
    totals = []
    for code, label in FacilityType.choices:
        mine = [r for r in rows if r.facility_type == code]
        totals.append(UsageRow(key=code, label=label, facility_type=code,
                               **{k: sum(getattr(r, k) for r in mine)
                                  for k in ("slots", "booked", "cancellations", "no_shows", "entries")}))
    return rows, totals
