"""Shared by the events modules: the error type, the duplicate key and the derived fields of an event."""

from __future__ import annotations

import datetime as dt

from madoguchi.errors import ServiceError
from madoguchi.text import normalize_for_search

from . import standard
from .models import Event


class EventError(ServiceError):
    """A request on events cannot be carried out. Nothing was written.

    :param code: ``invalid`` (400), ``forbidden`` (403), ``state`` (409: not allowed in this state)
    :param message: for people, Japanese
    :param param: the field at fault, if any
    """

    STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "state": 409}


# --- keys and derived fields ------------------------------------------------------------------

def _compact(text: str) -> str:
    return normalize_for_search(text).replace(" ", "")


def dedup_key(title: str, start_date: dt.date, start_time: dt.time | None, place_name: str) -> str:
    """The duplicate key of an event: normalized title | start (date, and time if known) | normalized venue.

    Normalization is ``normalize_for_search`` without spaces, so width, kana and
    spacing differences between cities' files do not matter.
    """
    start = start_date.isoformat() + (f"T{start_time:%H:%M}" if start_time else "")
    return f"{_compact(title)}|{start}|{_compact(place_name)}"[:900]


def refresh_derived(event: Event) -> None:
    """Set ``area`` (from the address, if empty), ``dedup_key`` and ``search_text`` before saving."""
    if not event.area:
        event.area = standard.derive_area(event.address)
    event.dedup_key = dedup_key(event.title, event.start_date, event.start_time, event.place_name)
    event.search_text = normalize_for_search(" ".join(filter(None, [
        event.title, event.title_kana, event.title_en, event.subtitle, event.summary, event.description,
        event.keywords.replace(";", " "), event.category, event.event_type, event.place_name, event.address,
        event.area, event.organizer, event.contact_name, event.target, event.city_name,
        event.feed.name if event.feed_id else ""])))
