"""Bulky-waste endpoints of ``/api/v1/bulky-waste/`` (粗大ごみ収集申込).

``GET /fees?q=`` the fee table; ``GET /areas``; ``GET /days?area=`` the dates with a place left;
``POST /requests`` a request (JSON; ``client_token`` 16–64 chars makes it idempotent: 201 the first time,
200 with the same application afterwards, no ``secret`` then). Errors: the API's one error body —
``invalid_parameter`` (400, ``param`` names the field), ``not_found`` (404), ``conflict`` (409: the day is
(``already_booked``) the day is full — ``param`` ``date`` —; (``conflict``) a 処理券 was used — ``param`` ``tickets`` —, the cut-off has passed, or the form is outside its period).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from madoguchi.errors import ServiceError, code_of
from madoguchi.schemas import ErrorOut

from . import services

router = Router(tags=["bulky-waste"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FeeOut(Schema):
    id: int
    item: str
    kind: str
    yen: int | None
    tiers: list[dict]


class AreaOut(Schema):
    id: int
    name: str
    weekdays: str
    cutoff_days: int


class DayOut(Schema):
    date: dt.date
    left: int


class ItemIn(Schema):
    item: str = Field(..., description="item name from /fees")
    size: str = Field("", description="tier label when the fee depends on size")
    count: int = 1


class RequestIn(Schema):
    client_token: str
    area: str = Field(..., description="area name (町名) or id from /areas")
    date: str = Field(..., description="collection date YYYY-MM-DD (checked by the service, so that an invalid "
                                       "date is answered in Japanese naming 収集日)", json_schema_extra={"format": "date"})
    items: list[ItemIn]
    tickets: list[str] = Field(..., description="処理券 numbers, 6–12 digits, 200 円 each")
    address: str
    phone: str
    email: str


class RequestOut(Schema):
    reference: str
    secret: str | None
    created: bool
    date: dt.date
    area: str
    total_yen: int


class FeesParams(Schema):
    q: str = ""


class DaysParams(Schema):
    area: str = Field(..., min_length=1, max_length=200, pattern=r"\S",
                      description="area name (町名) or id from /areas")


#: the service's own codes as API codes (``madoguchi.errors.ERROR_CODES``)
API_CODES = {"full": "already_booked", "ticket_used": "conflict", "too_late": "conflict", "invalid": "invalid_parameter",
             "form_closed": "conflict"}  # not ``code_of(409)``, which is ``already_booked``


def _error(exc: ServiceError):
    code = API_CODES.get(exc.code, exc.code if exc.code in ("invalid_parameter", "not_found") else code_of(exc.status))
    return Status(exc.status, exc.as_body(code))


@router.get("/fees", response=list[FeeOut], url_name="bulky-fees")
def fees(request, params: Query[FeesParams]):
    """The bulky-waste fee table (items that need staff review left out); ``q`` filters by item name."""
    return [FeeOut(id=r.pk, item=r.item, kind=r.kind, yen=r.yen, tiers=r.tiers)
            for r in services.fee_table(services.SOURCE, params.q)]


@router.get("/areas", response=list[AreaOut], url_name="bulky-areas")
def areas(request):
    """The collection areas (町名) with their bulky-collection weekdays and cut-off (days before the date)."""
    return [AreaOut(id=a.pk, name=a.name, weekdays=a.weekdays, cutoff_days=a.cutoff_days)
            for a in services.areas(services.SOURCE)]


@router.get("/days", response={200: list[DayOut], **ERRORS}, url_name="bulky-days")
def days(request, params: Query[DaysParams]):
    """The dates of ``area`` (name or id) that can still be booked, with the places left."""
    try:
        area = services.get_area(services.SOURCE, params.area)
    except ServiceError as exc:
        return _error(exc)
    return Status(200, [DayOut(date=d.date, left=d.capacity - d.booked) for d in services.available_days(area)])


@router.post("/requests", response={200: RequestOut, 201: RequestOut, **ERRORS}, url_name="bulky-requests")
def create_request(request, body: RequestIn):
    """Submit a request: 201 with ``reference`` and ``secret`` (shown once); the same ``client_token`` again
    answers 200 with the same reference and no secret. 409 ``already_booked`` when the day is full, 409
    ``conflict`` for a used 処理券 or a date past the cut-off; nothing is stored then."""
    try:
        req, created, secret = services.apply(
            area=body.area, date=body.date, items=[i.dict() for i in body.items], address=body.address,
            phone=body.phone, email=body.email, tickets=body.tickets, client_token=body.client_token)
    except ServiceError as exc:
        return _error(exc)
    return Status(201 if created else 200, RequestOut(reference=req.application.reference, secret=secret,
                                                      created=created, date=req.day.date, area=req.area.name,
                                                      total_yen=req.total_yen))
