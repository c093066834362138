"""Merging neighbouring cities' event feeds (広域連携): fetch by URL, read, deduplicate, store.

A feed is a CSV in the standard event layout or an iCalendar file, at an
http(s) URL registered by staff (``EventFeed``). ``refresh_feed`` fetches it
with ``urllib`` (timeout ``EVENTS_FEED_TIMEOUT_S``, at most
``EVENTS_FEED_MAX_BYTES``), reads it, and in one transaction makes the feed's
stored events equal to the file's, except duplicates:

* an event whose duplicate key (normalized title | start | normalized venue,
  ``services.dedup_key``) equals that of an event of this city (any state but
  rejected) or of another feed is not stored — the city's own entry, or the
  feed registered first, wins;
* stored feed events are published, marked with their feed (``Event.feed``,
  shown as 提供元 and ``source`` in the API).

A fetch or read failure changes nothing but the feed's ``last_*`` fields, so
the events of the last good fetch stay listed. ``refresh_feed_task`` is the same
as a background task (the staff page queues it; ``madoguchi worker`` runs it).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.jobs.services import retried_task

from . import ical, standard
from .importing import parse_standard_csv
from .models import Event, EventFeed
from .records import EventError, dedup_key, refresh_derived

log = logging.getLogger("madoguchi.events")

_TRUNCATE = {f.name: f.max_length for f in Event._meta.fields if getattr(f, "max_length", None)}


@dataclass
class FeedResult:
    """Outcome of one refresh. ``counts``: ``{read, merged, duplicates, unreadable}``."""

    feed: EventFeed
    ok: bool
    message: str
    counts: dict = field(default_factory=dict)
    unreadable: list[dict] = field(default_factory=list)


def fetch(url: str, *, timeout_s: float, max_bytes: int) -> tuple[bytes, str]:
    """GET ``url``: ``(body, content type)``.

    :raises EventError: ``invalid`` for a non-http(s) URL; ``fetch`` when the server
        cannot be reached, answers an error status, is slower than ``timeout_s`` or
        sends more than ``max_bytes``
    """
    if not url.startswith(("http://", "https://")):
        raise EventError("invalid", "http(s) の URL ではありません", "url")
    request = urllib.request.Request(url, headers={"User-Agent": "madoguchi-events/1 (+feed merge)",
                                                   "Accept": "text/csv, text/calendar, */*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (scheme checked above)
            body = response.read(max_bytes + 1)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise EventError("fetch", f"サーバーがエラー {exc.code} を返しました") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EventError("fetch", f"取得できません（{reason}）") from None
    if len(body) > max_bytes:
        raise EventError("fetch", f"{max_bytes:,} バイトを超えるため取り込みません")
    return body, content_type


def read_feed(body: bytes, *, content_type: str = "", url: str = "", format: str = "auto"
              ) -> tuple[list[tuple[int, dict]], list[dict]]:
    """Events of a feed body as ``(rows, unreadable)``; rows are ``(number, Event fields)``.

    ``format`` ``auto`` takes iCalendar when the body starts with ``BEGIN:VCALENDAR``
    (or the type/URL says calendar), else the standard CSV layout.

    :raises EventError: ``invalid`` (param ``file``) when the body is neither
    """
    head = body.lstrip(b"\xef\xbb\xbf \r\n\t")[:15].upper()
    is_ical = format == "ical" or (format == "auto" and (
        head.startswith(b"BEGIN:VCALENDAR") or "calendar" in content_type or url.lower().endswith(".ics")))
    if not is_ical:
        rows, unreadable, _ = parse_standard_csv(body)
        return rows, unreadable
    try:
        events = ical.parse_ical(body)
    except ValueError as exc:
        raise EventError("invalid", f"iCalendar として読めません（{exc}）", "file") from None
    rows, unreadable = [], []
    for number, fields in events:
        try:
            if not fields.get("title"):
                raise standard.RowError("SUMMARY", "件名 (SUMMARY) がありません")
            if "start_date" not in fields:
                raise standard.RowError("DTSTART", "開始日時 (DTSTART) がありません")
            standard.check_dates(fields)
        except standard.RowError as exc:
            unreadable.append({"row": number, "id": fields.get("source_id", ""), "column": exc.column,
                               "message": exc.message})
            continue
        rows.append((number, fields))
    return rows, unreadable


def refresh_feed(feed: EventFeed, *, timeout_s: float | None = None, max_bytes: int | None = None) -> FeedResult:
    """Fetch ``feed`` and merge its events (see the module docstring). Never raises for a bad feed:
    the outcome is returned and saved on the feed (``last_ok``, ``last_message``, ``last_counts``)."""
    timeout_s = timeout_s or settings.EVENTS_FEED_TIMEOUT_S
    max_bytes = max_bytes or settings.EVENTS_FEED_MAX_BYTES
    try:
        body, content_type = fetch(feed.url, timeout_s=timeout_s, max_bytes=max_bytes)
        rows, unreadable = read_feed(body, content_type=content_type, url=feed.url, format=feed.format)
    except EventError as exc:
        log.warning("feed %s (%s): %s", feed.pk, feed.url, exc.message)
        EventFeed.objects.filter(pk=feed.pk).update(last_fetched=timezone.now(), last_ok=False,
                                                    last_message=exc.message)
        feed.refresh_from_db()
        return FeedResult(feed, False, exc.message)
    counts = _merge(feed, rows)
    counts.update(read=len(rows) + len(unreadable), unreadable=len(unreadable))
    message = (f"{counts['read']} 件を読み、{counts['merged']} 件を掲載、重複 {counts['duplicates']} 件、"
               f"読めない行 {counts['unreadable']} 件")
    EventFeed.objects.filter(pk=feed.pk).update(last_fetched=timezone.now(), last_ok=True, last_message=message,
                                                last_counts=counts)
    feed.refresh_from_db()
    return FeedResult(feed, True, message, counts, unreadable)


@retried_task(max_attempts=3, backoff_s=60)
def refresh_feed_task(feed_id: int) -> dict:
    """``refresh_feed`` as a background task (the staff feeds page queues it). A feed that cannot be
    fetched or read is recorded on the feed and not retried; only unexpected errors are.

    :returns: ``{"ok", "message"}``
    """
    result = refresh_feed(EventFeed.objects.get(pk=feed_id))
    return {"ok": result.ok, "message": result.message}


@transaction.atomic
def _merge(feed: EventFeed, rows: list[tuple[int, dict]]) -> dict:
    taken = set(Event.objects.exclude(feed=feed).exclude(state=Event.State.REJECTED)
                .values_list("dedup_key", flat=True))
    stored = {e.dedup_key: e for e in Event.objects.filter(feed=feed)}
    keep, merged, duplicates = set(), 0, 0
    now = timezone.now()
    for _, fields in rows:
        fields = {k: (v[:_TRUNCATE[k]] if isinstance(v, str) and k in _TRUNCATE else v) for k, v in fields.items()}
        key = dedup_key(fields["title"], fields["start_date"], fields.get("start_time"), fields.get("place_name", ""))
        if key in taken or key in keep:
            duplicates += 1
            continue
        event = stored.get(key) or Event(feed=feed, origin=Event.Origin.FEED, state=Event.State.PUBLISHED,
                                         published_at=now)
        for name in set(standard.COLUMN_FIELDS.values()) | {"area"}:
            setattr(event, name, fields.get(name, Event._meta.get_field(name).get_default()))
        event.feed = feed
        refresh_derived(event)
        event.save()
        keep.add(event.dedup_key)
        merged += 1
    Event.objects.filter(feed=feed).exclude(dedup_key__in=keep).delete()
    return {"merged": merged, "duplicates": duplicates}
