"""Reservation endpoints of ``/api/v1/reservations/`` (open data: no personal data).

Facilities with their units, fees and opening hours; availability as
free/busy per slot; lottery periods with the committed seed hash, the seed
once revealed and links to the published anonymized entry list and results.

Errors: the API's one error body (``madoguchi.schemas.ErrorOut``):
``invalid_parameter`` (400; ``param`` is ``start``, ``days``, ``facility_type``),
``not_found`` (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from madoguchi.schemas import ErrorOut

from . import services
from .errors import ReservationError
from .models import Facility, LotteryPeriod

router = Router(tags=["reservations"])
ERRORS = {400: ErrorOut, 404: ErrorOut}
FacilityTypeCode = Literal["outdoor_sports", "indoor_sports", "civic_hall", "community_hall"]


class UnitOut(Schema):
    code: str
    name: str
    capacity: int
    slot_times: list[str]
    fee_weekday_yen: int
    fee_holiday_yen: int


class FacilityOut(Schema):
    slug: str
    name: str
    facility_type: str
    facility_type_label: str
    ward: str
    address: str
    latitude: float | None
    longitude: float | None
    capacity: int
    accessibility: list[str]
    accessibility_labels: list[str]
    opening_time: str
    closing_time: str
    closed_weekdays: list[int]
    holiday_rule: str
    closed_year_end: bool
    units: list[UnitOut]
    url: str
    availability_url: str


class SlotOut(Schema):
    id: int
    unit: str
    start: dt.datetime
    end: dt.datetime
    status: str
    fee_yen: int


class AvailabilityOut(Schema):
    ok: bool = True
    facility: str
    start: dt.date
    days: int
    statuses: dict[str, str]
    slots: list[SlotOut]


class PeriodOut(Schema):
    id: int
    title: str
    state: str
    facility_types: list[str]
    application_opens_at: dt.datetime
    application_closes_at: dt.datetime
    draw_at: dt.datetime
    usage_starts_on: dt.date
    usage_ends_on: dt.date
    rules: dict
    seed_sha256: str
    seed_committed_at: dt.datetime
    seed: str | None
    seed_revealed_at: dt.datetime | None
    entries_sha256: str | None
    entries_url: str | None
    results_url: str | None
    url: str


def _error(status: int, code: str, message: str, param: str | None = None) -> Status:
    return Status(status, ReservationError(code, message, param).as_body())


def facility_out(f: Facility) -> dict:
    return {
        "slug": f.slug, "name": f.name, "facility_type": f.facility_type,
        "facility_type_label": f.get_facility_type_display(), "ward": f.ward, "address": f.address,
        "latitude": f.latitude, "longitude": f.longitude, "capacity": f.capacity, "accessibility": f.accessibility,
        "accessibility_labels": f.accessibility_labels, "opening_time": f.opening_time.strftime("%H:%M"),
        "closing_time": f.closing_time.strftime("%H:%M"), "closed_weekdays": f.closed_weekdays,
        "holiday_rule": f.holiday_rule, "closed_year_end": f.closed_year_end,
        "units": [{"code": u.code, "name": u.name, "capacity": u.capacity, "slot_times": u.slot_times,
                   "fee_weekday_yen": u.fee_weekday_yen, "fee_holiday_yen": u.fee_holiday_yen}
                  for u in f.units.all()],
        "url": f.get_absolute_url(), "availability_url": reverse("api-v1:reservations-availability", args=[f.slug]),
    }


def period_out(p: LotteryPeriod) -> dict:
    drawn = p.drawn_at is not None
    return {
        "id": p.pk, "title": p.title, "state": p.state, "facility_types": p.facility_types,
        "application_opens_at": p.application_opens_at, "application_closes_at": p.application_closes_at,
        "draw_at": p.draw_at, "usage_starts_on": p.usage_starts_on, "usage_ends_on": p.usage_ends_on,
        "rules": p.effective_rules, "seed_sha256": p.seed_sha256, "seed_committed_at": p.seed_committed_at,
        "seed": p.revealed_seed, "seed_revealed_at": p.seed_revealed_at,
        "entries_sha256": p.entries_sha256 or None,
        "entries_url": reverse("reservations:period_file", args=[p.pk, "entries"]) if drawn else None,
        "results_url": reverse("reservations:period_file", args=[p.pk, "results"]) if drawn else None,
        "url": p.get_absolute_url(),
    }


@router.get("/facilities", response={200: list[FacilityOut], **ERRORS}, url_name="reservations-facilities")
def list_facilities(request, facility_type: FacilityTypeCode | None = None, ward: str = ""):
    """Facilities open for reservation. ``facility_type``: ``outdoor_sports``,
    ``indoor_sports``, ``civic_hall`` or ``community_hall``; ``ward``: 区名 (e.g. 中原区).
    Fees are yen per slot (``fee_holiday_yen`` on Saturdays, Sundays and national
    holidays); ``closed_weekdays`` 0 = Monday."""
    return [facility_out(f) for f in services.active_facilities(facility_type, ward or None)]


@router.get("/facilities/{slug}", response={200: FacilityOut, **ERRORS}, url_name="reservations-facility")
def get_facility(request, slug: str):
    """One facility with its units, fees and opening rules."""
    facility = services.active_facilities().filter(slug=slug).first()
    if facility is None:
        return _error(404, "not_found", f"施設「{slug}」はありません")
    return facility_out(facility)


@router.get("/facilities/{slug}/availability", response={200: AvailabilityOut, **ERRORS},
            url_name="reservations-availability")
def availability(request, slug: str, start: dt.date | None = None,
                 days: int = Query(7, ge=1, le=services.MAX_AVAILABILITY_DAYS)):
    """Free/busy of a facility's slots from ``start`` (YYYY-MM-DD, default today in
    Asia/Tokyo) for ``days`` days (1–31).

    ``status``: ``free`` (空き: book now), ``busy`` (予約済み), ``lottery``
    (抽選の対象: apply in the lottery), ``closed`` (受付停止), ``past``
    (受付終了). Open data: who booked is never shown.
    """
    facility = services.active_facilities().filter(slug=slug).first()
    if facility is None:
        return _error(404, "not_found", f"施設「{slug}」はありません")
    first = start or timezone.localdate()
    try:
        units, calendar = services.availability(facility, first, days)
    except ReservationError as exc:
        return Status(exc.status, exc.as_body())
    code = {u.pk: u.code for u in units}
    slots = [{"id": c["slot"].pk, "unit": code[c["slot"].unit_id], "start": timezone.localtime(c["slot"].start),
              "end": timezone.localtime(c["slot"].end), "status": c["status"], "fee_yen": c["slot"].fee_yen}
             for day in calendar for row in day.rows for c in row["cells"] if c]
    return {"facility": facility.slug, "start": first, "days": days,
            "statuses": {k: label for k, (_, label) in services.STATUSES.items()}, "slots": slots}


@router.get("/periods", response=list[PeriodOut], url_name="reservations-periods")
def list_periods(request):
    """Lottery periods, newest first: window, draw time, rules, the committed
    ``seed_sha256`` (published when the period is created, before its window
    closes), and after the draw the revealed ``seed`` and the published files."""
    return [period_out(p) for p in LotteryPeriod.objects.all()]


@router.get("/periods/{period_id}", response={200: PeriodOut, **ERRORS}, url_name="reservations-period")
def get_period(request, period_id: int):
    """One lottery period (see ``/periods``)."""
    period = LotteryPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return _error(404, "not_found", f"抽選期間 {period_id} はありません")
    return period_out(period)
