"""iCalendar (RFC 5545) for events, with the ``icalendar`` package: writing our events, reading feeds.

Writing rules:

* timed events: ``DTSTART;TZID=Asia/Tokyo:…`` with a ``VTIMEZONE`` for Asia/Tokyo
  (RFC 5545 3.2.19: every TZID used has its VTIMEZONE);
* no start time (unknown, or ``0:00`` in the source file): all-day, ``DTSTART;VALUE=DATE``
  and ``DTEND;VALUE=DATE`` the day *after* the last day (RFC 5545 3.6.1: DTEND is exclusive);
* a start time but no end time: ``DTEND`` is omitted for a one-day event (RFC 5545:
  the event then ends when it starts) and is midnight after the last day otherwise;
* ``LOCATION`` is the venue (場所名称); the address goes in ``DESCRIPTION`` and the
  coordinates in ``GEO``; ``CATEGORIES`` is the イベントジャンル; ``UID`` is stable per event.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from madoguchi.text import to_nfc

TOKYO = ZoneInfo("Asia/Tokyo")
PRODID = "-//madoguchi//events//JA"


def _bounds(event) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    if event.start_time is None:
        return event.start_date, event.end_date + dt.timedelta(days=1)
    start = dt.datetime.combine(event.start_date, event.start_time, tzinfo=TOKYO)
    if event.end_time is not None:
        return start, dt.datetime.combine(event.end_date, event.end_time, tzinfo=TOKYO)
    if event.end_date == event.start_date:
        return start, None
    return start, dt.datetime.combine(event.end_date + dt.timedelta(days=1), dt.time(0), tzinfo=TOKYO)


def event_component(event, *, host: str, page_url: str = "") -> icalendar.Event:
    """One ``VEVENT`` for an ``Event`` (see the module docstring for the rules)."""
    component = icalendar.Event()
    component.add("uid", f"event-{event.pk}@{host}")
    component.add("dtstamp", (event.modified or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    component.add("summary", event.title)
    start, end = _bounds(event)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    if event.place_name:
        component.add("location", event.place_name)
    lines = [event.summary or event.description]
    if event.address:
        lines.append(f"住所: {event.address}{' ' + event.building if event.building else ''}")
    if event.datetime_notes:
        lines.append(f"日時の注記: {event.datetime_notes}")
    if event.fee_details:
        lines.append(f"料金: {event.fee_details}")
    if event.contact_name or event.contact_phone:
        lines.append(f"問合せ: {event.contact_name} {event.contact_phone}".strip())
    lines.append(f"提供: {event.source_name}")
    component.add("description", "\n".join(line for line in lines if line))
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", (event.latitude, event.longitude))
    if event.category:
        component.add("categories", [event.category])
    url = event.url or event.content_url or page_url
    if url:
        component.add("url", url)
    if event.organizer:
        component.add("x-madoguchi-organizer", event.organizer)
    return component


def to_ical(events, *, host: str, name: str, page_url=lambda event: "") -> bytes:
    """A ``VCALENDAR`` of ``events`` as bytes (``text/calendar; charset=utf-8``).

    :param host: domain for the UIDs (``event-<pk>@<host>``)
    :param name: calendar name (``X-WR-CALNAME``)
    :param page_url: ``callable(event) → absolute URL`` used when the event has no URL of its own
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    for event in events:
        calendar.add_component(event_component(event, host=host, page_url=page_url(event)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _local(value) -> tuple[dt.date, dt.time | None]:
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=TOKYO) if value.tzinfo is None else value.astimezone(TOKYO)
        return value.date(), value.time().replace(microsecond=0)
    return value, None


def parse_ical(data: bytes) -> list[tuple[int, dict]]:
    """Events of an iCalendar file as ``(number of the VEVENT, fields)``, fields named as ``Event``'s.

    Times are converted to Asia/Tokyo (floating times are taken as Asia/Tokyo);
    an all-day ``DTEND`` (exclusive) becomes the last day. Recurrence rules are
    not expanded (the first occurrence is taken).

    :raises ValueError: the bytes are not an iCalendar file
    """
    calendar = icalendar.Calendar.from_ical(data)
    events = []
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        fields: dict = {"title": to_nfc(str(component.get("summary", "")).strip())}
        if component.get("dtstart") is None:
            events.append((number, fields))
            continue
        start = component.decoded("dtstart")
        fields["start_date"], fields["start_time"] = _local(start)
        if component.get("dtend") is not None:
            end = component.decoded("dtend")
        elif component.get("duration") is not None:
            end = start + component.decoded("duration")
        else:
            end = None
        if end is None:
            fields["end_date"], fields["end_time"] = fields["start_date"], None
        elif isinstance(end, dt.datetime):
            fields["end_date"], fields["end_time"] = _local(end)
            if fields["end_time"] == dt.time(0) and fields["end_date"] > fields["start_date"]:
                fields["end_date"] -= dt.timedelta(days=1)
                fields["end_time"] = None
        else:
            fields["end_date"] = max(fields["start_date"], end - dt.timedelta(days=1))
            fields["end_time"] = None
        for key, name in (("location", "place_name"), ("description", "description"), ("url", "url"),
                          ("uid", "source_id")):
            if component.get(key) is not None:
                fields[name] = to_nfc(str(component.get(key)).strip())
        categories = component.get("categories")
        if categories is not None:
            cats = categories if isinstance(categories, list) else [categories]
            names = [str(c) for cat in cats for c in getattr(cat, "cats", [cat])]
            if names:
                fields["category"] = to_nfc(names[0])
        geo = component.get("geo")
        if geo is not None:
            fields["latitude"], fields["longitude"] = float(geo.latitude), float(geo.longitude)
        events.append((number, fields))
    return events
