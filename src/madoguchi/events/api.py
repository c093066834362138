"""Events endpoints of ``/api/v1/`` (partner API): published events with filters, one event.

The same events are published as iCalendar (``/events/calendar.ics``), RSS 2.0
(``/events/feed.rss``) and CSV in the standard layout (``/events/events.csv``),
taking the same query parameters.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic.json_schema import SkipJsonSchema

from madoguchi.schemas import DB_INT_MAX, ERRORS, OutSchema, Text

from . import services
from .ical import TOKYO
from .models import Event

router = Router(tags=["events"])
MAX_LIMIT = 500


class PlaceOut(OutSchema):
    name: str = Field(description="場所名称 (venue)")
    address: str = Field(description="所在地_連結表記")
    building: str = Field(description="建物名等(方書)")
    area: str = Field(description="区・地域 (ward or district; the `area` filter)")
    latitude: float | None = Field(description="WGS84 decimal degrees")
    longitude: float | None


class ContactOut(OutSchema):
    name: str
    phone: str
    extension: str


class ApplicationOut(OutSchema):
    deadline: dt.date | None
    method: str
    url: str


class SourceOut(OutSchema):
    kind: str = Field(description="`local` (this city: staff, community groups, imported files) or `feed` "
                                  "(a neighbouring city's feed)")
    name: str = Field(description="提供元: the feed's name, or the city name")
    url: str = Field(description="the feed URL (empty for local events)")


class EventOut(OutSchema):
    id: int
    title: str = Field(description="イベント名")
    title_kana: str
    title_en: str
    category: str = Field(description="イベントジャンル")
    event_type: str
    start_date: dt.date
    end_date: dt.date
    start_time: str | None = Field(description="HH:MM, Asia/Tokyo; null when not known (all-day)")
    end_time: str | None
    all_day: bool
    start: str = Field(description="ISO 8601: date (all-day) or date-time with +09:00")
    end: str
    datetime_notes: str
    summary: str
    description: str
    fee_basic: int | None = Field(description="料金(基本), yen")
    fee_details: str
    target: str
    capacity: int | None
    capacity_notes: str
    place: PlaceOut
    organizer: str
    contact: ContactOut
    application: ApplicationOut
    url: str
    content_url: str
    keywords: list[str]
    listed_from: dt.date | None = Field(description="掲載開始日")
    listed_until: dt.date | None = Field(description="掲載終了日 (null: no end)")
    city_code: str
    city_name: str
    source: SourceOut
    page_url: str
    modified: dt.datetime


class EventList(OutSchema):
    count: int
    limit: int
    offset: int
    results: list[EventOut]


class EventFilters(Schema):
    date_from: Text | SkipJsonSchema[None] = Field(
        None, alias="from", max_length=10, examples=["2026-09-01"], json_schema_extra={"format": "date"},
        description="events ending on or after this day (YYYY-MM-DD)")
    date_to: Text | SkipJsonSchema[None] = Field(
        None, alias="to", max_length=10, examples=["2026-09-30"], json_schema_extra={"format": "date"},
        description="events starting on or before this day (YYYY-MM-DD); before ``from`` gives no events")
    area: Text | SkipJsonSchema[None] = Field(None, max_length=100, description="ward or district, e.g. 中原区")
    category: Text | SkipJsonSchema[None] = Field(None, max_length=100,
                                                  description="イベントジャンル, e.g. こども・子育て")
    q: Text | SkipJsonSchema[None] = Field(None, max_length=200,
                                           description="free text; every term must occur (かな/カナ, width folded)")
    source: Text | SkipJsonSchema[None] = Field(
        None, json_schema_extra={"enum": ["local", "feeds"]},
        description="``local`` (this city) or ``feeds`` (neighbouring cities); default both")
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"events per response, 1–{MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=1_000_000)


def _date(value: str | None, param: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise services.EventError("invalid", f"YYYY-MM-DD の日付で指定してください（「{value}」）", param) from None


def _iso(date: dt.date, time: dt.time | None) -> str:
    if time is None:
        return date.isoformat()
    return dt.datetime.combine(date, time, tzinfo=TOKYO).isoformat()


def event_dict(event: Event) -> dict:
    """The JSON form of an event (``EventOut``)."""
    end_time = event.end_time if event.start_time is not None else None
    return {
        "id": event.pk, "title": event.title, "title_kana": event.title_kana, "title_en": event.title_en,
        "category": event.category, "event_type": event.event_type,
        "start_date": event.start_date, "end_date": event.end_date,
        "start_time": event.start_time.strftime("%H:%M") if event.start_time else None,
        "end_time": end_time.strftime("%H:%M") if end_time else None, "all_day": event.all_day,
        "start": _iso(event.start_date, event.start_time), "end": _iso(event.end_date, end_time),
        "datetime_notes": event.datetime_notes, "summary": event.summary, "description": event.description,
        "fee_basic": event.fee_basic, "fee_details": event.fee_details, "target": event.target,
        "capacity": event.capacity, "capacity_notes": event.capacity_notes,
        "place": {"name": event.place_name, "address": event.address, "building": event.building,
                  "area": event.area, "latitude": event.latitude, "longitude": event.longitude},
        "organizer": event.organizer,
        "contact": {"name": event.contact_name, "phone": event.contact_phone, "extension": event.contact_extension},
        "application": {"deadline": event.application_deadline, "method": event.application_method,
                        "url": event.application_url},
        "url": event.url, "content_url": event.content_url,
        "keywords": [k.strip() for k in event.keywords.split(";") if k.strip()],
        "listed_from": event.listed_from, "listed_until": event.listed_until,
        "city_code": event.city_code, "city_name": event.city_name,
        "source": {"kind": "feed" if event.feed_id else "local", "name": event.source_name,
                   "url": event.feed.url if event.feed_id else ""},
        "page_url": event.get_absolute_url(), "modified": event.modified,
    }


def query_from(filters: EventFilters) -> services.EventQuery:
    """The service query of the API filters. :raises EventError: a date that is not YYYY-MM-DD"""
    return services.EventQuery(date_from=_date(filters.date_from, "from"), date_to=_date(filters.date_to, "to"),
                               area=filters.area, category=filters.category, q=filters.q, source=filters.source)


def _error(exc: services.EventError) -> Status:
    code = "invalid_parameter" if exc.code == "invalid" else exc.code
    return Status(exc.http_status, exc.as_body(code))


@router.get("", response={200: EventList, 400: ERRORS[400]}, url_name="events")
def list_events(request, filters: Query[EventFilters]):
    """Published events (this city's and merged neighbouring cities'), by start date and time.

    * ``from``/``to``: events overlapping the date range (inclusive, Asia/Tokyo); ``to`` before
      ``from`` gives no events. Without both, the events not yet ended today and inside their
      掲載期間 (掲載開始日–掲載終了日).
    * ``area``: 区・地域 exactly, or a part of the address (``中原区``, ``宗高``)
    * ``category``: イベントジャンル exactly; ``q``: every term occurs (title, kana, description,
      venue, address, organizer …), かな/カナ and width folded; ``source``: ``local`` | ``feeds``
    * ``limit`` 1–500 (default 100), ``offset``

    Field names follow the standard event dataset (自治体標準オープンデータセット イベント一覧).
    400 (``invalid_parameter``) names the parameter at fault (a bad date, ``limit`` out of range …).
    """
    try:
        qs = services.search_events(query_from(filters))
    except services.EventError as exc:
        return _error(exc)
    page = list(qs[filters.offset:filters.offset + filters.limit])
    return {"count": qs.count(), "limit": filters.limit, "offset": filters.offset,
            "results": [event_dict(e) for e in page]}


@router.get("/{event_id}", response={200: EventOut, **ERRORS}, url_name="event")
def get_event(request, event_id: int = Path(..., ge=1, le=DB_INT_MAX, description="Event id")):
    """One published event. 404 (``not_found``) if unknown or not published; 400 for an id that is not
    a positive integer."""
    event = services.published_events().filter(pk=event_id).first()
    if event is None:
        raise HttpError(404, f"イベント {event_id} はありません")
    return event_dict(event)
