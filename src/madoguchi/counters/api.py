"""Counter congestion endpoints of ``/api/v1/counters``: current state, push of readings, best times.

Push (ticket machines, office systems)::

    POST /api/v1/counters/readings
    Authorization: Bearer mdgc_…            (the office's token: `madoguchi counters issue-token OFFICE`)
    {"readings": [{"counter": "juminkiroku", "waiting": 12, "calling": 345}]}

Open pages receive each stored reading within about 0.2 s through ``/counters/stream`` (SSE).
"""

from __future__ import annotations

import datetime as dt
import json

from ninja import Field, Path, Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from madoguchi.schemas import ERRORS, SLUG_PATTERN, ErrorOut, OutSchema

from . import services
from .models import Counter

router = Router(tags=["counters"])


class StateOut(OutSchema):
    counter_id: int
    office: str = Field(description="office slug")
    office_name: str
    counter: str = Field(description="counter slug (unique within its office)")
    counter_name: str
    reading_id: int | None
    waiting: int | None = Field(description="待ち人数 (people waiting); null: nothing reported yet")
    calling: int | None = Field(description="呼出番号 (ticket number being called)")
    estimated_wait_min: int | None = Field(description="推定待ち時間, minutes (formula: counters.services)")
    estimate_basis: str | None = Field(description="`recent_rate` (called numbers of the last 60 min) or "
                                                    "`standard_time` (待ち人数 × 標準処理時間)")
    recorded_at: str | None = Field(description="ISO 8601, +09:00")
    stale: bool = Field(description="the latest reading is from an earlier day or older than 120 minutes "
                                    "(then no estimate is given)")
    open: bool = Field(description="the office takes visitors now (weekdays within its hours, not on national "
                                   "holidays or 12/29–1/3); when false no estimate is given")
    opening_hours: str = Field(description="the office's opening hours for people, e.g. "
                                           "「平日 8:30〜17:00（土日・祝日・年末年始を除く）」; empty if not entered "
                                           "(then ``open`` is always true)")


class StatesOut(OutSchema):
    counters: list[StateOut]


class PushOut(OutSchema):
    ok: bool = True
    office: str
    stored: list[StateOut]


class VisitTimeOut(OutSchema):
    weekday: int = Field(description="ISO weekday, 1 = Monday")
    weekday_name: str
    hour: int = Field(description="0–23, Asia/Tokyo; the slot is hour:00–hour:59")
    mean_waiting: float
    samples: int


class BestTimesOut(OutSchema):
    office: str
    counter: str
    since: dt.date
    until: dt.date
    best: VisitTimeOut | None
    best_by_weekday: list[VisitTimeOut]
    slots: list[VisitTimeOut]


@router.get("", response=StatesOut, url_name="counters")
def list_states(request):
    """The current state of every counter: 待ち人数, 呼出番号 and the estimated wait in minutes.

    Estimated wait: ⌈待ち人数 ÷ service rate⌉, the rate being the called numbers per minute over the
    last 60 minutes of the same day (at least 5 minutes and 1 person); otherwise 待ち人数 × the
    counter's 標準処理時間. Updates are also pushed live by ``GET /counters/stream`` (Server-Sent Events).
    """
    return {"counters": [s.as_dict() for s in services.current_states()]}


class OfficeToken(HttpBearer):
    """``Authorization: Bearer <office token>`` (documents the scheme in OpenAPI).

    Never refuses by itself: the handler checks the token, so that a missing or wrong token gets
    the API's error body (``unauthorized``, 401) like every other error.
    """

    def __call__(self, request):
        return {"authorization": request.headers.get("Authorization")}

    def authenticate(self, request, token):  # pragma: no cover (``__call__`` does not call it)
        return None


#: The request body, written out (the handler reads it itself, after checking the token).
PUSH_BODY_SCHEMA = {
    "type": "object", "required": ["readings"],
    "properties": {"readings": {
        "type": "array", "minItems": 1, "maxItems": services.MAX_READINGS_PER_PUSH,
        "items": {"type": "object", "required": ["counter", "waiting"], "properties": {
            "counter": {"type": "string", "description": "counter slug of the token's office", "example": "koseki"},
            "waiting": {"type": "integer", "minimum": 0, "maximum": services.MAX_WAITING, "description": "待ち人数"},
            "calling": {"type": "integer", "minimum": 0, "maximum": services.MAX_CALLING,
                        "description": "呼出番号 (optional)"}}}}},
}
_PUSH_OPENAPI = {"requestBody": {"required": True, "content": {"application/json": {"schema": PUSH_BODY_SCHEMA}}}}


@router.post("/readings", response={201: PushOut, 400: ErrorOut, 401: ErrorOut}, auth=OfficeToken(),
             openapi_extra=_PUSH_OPENAPI, url_name="counter_readings")
def push_readings(request):
    """Store readings of the counters of the office whose token is sent as ``Authorization: Bearer <token>``.

    All readings are stored or none; 400 names the item and field at fault (``readings[1].waiting``),
    401 means a missing or unknown token (tokens are per office; only their SHA-256 is kept).
    Every reading is kept and published daily as dataset ``counter-congestion``.
    """
    try:
        office = services.office_from_authorization(request.headers.get("Authorization"))
        stored = services.record_readings(office, _readings(request.body))
    except services.CounterError as exc:
        return Status(exc.http_status, exc.as_body())
    return Status(201, {"ok": True, "office": office.slug, "stored": [services.state_of(r).as_dict() for r in stored]})


def _readings(body: bytes) -> list:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise services.CounterError("invalid_parameter", "本文が JSON ではありません", "body") from None
    if isinstance(data, dict) and "readings" in data:
        data = data["readings"]
    elif isinstance(data, dict):
        data = [data]  # one reading without the envelope
    if not isinstance(data, list):
        raise services.CounterError("invalid_parameter", "{\"readings\": [...]} の形で送ってください", "readings")
    return data


@router.get("/{office}/{counter}/best-times", response={200: BestTimesOut, **ERRORS}, url_name="best_times")
def get_best_times(request, office: str = Path(..., pattern=SLUG_PATTERN, max_length=50, description="office slug"),
                   counter: str = Path(..., pattern=SLUG_PATTERN, max_length=50, description="counter slug")):
    """Mean 待ち人数 by weekday and hour (Asia/Tokyo) over the last 8 weeks, and the recommended slot
    (lowest mean among slots with at least 3 readings). 404 (``not_found``) for an unknown counter;
    400 when a slug has characters other than letters, digits, ``-`` and ``_``."""
    found = Counter.objects.select_related("office").filter(office__slug=office, slug=counter, active=True).first()
    if found is None:
        raise HttpError(404, f"窓口 {office}/{counter} はありません")
    return {"office": office, "counter": counter, **services.best_times(found).as_dict()}
