"""Public API of the events app (other apps, views, API and commands call only these).

* ``create_event`` / ``update_event`` — staff or a community group member writes an event
* ``submit_event`` / ``publish_event`` / ``reject_event`` — the review workflow
  (draft → submitted → published | rejected → submitted …)
* ``search_events`` — published events by date range, area, category, free text (pages, API, iCal, RSS)
* ``import_standard_csv`` — a file in the standard layout becomes published events (``standard.py``)
* ``refresh_feed`` / ``refresh_feeds`` — merge neighbouring cities' feeds (``feeds.py``)

Errors are ``EventError`` with a stable ``code`` and the ``param`` (field) at fault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from madoguchi.text import search_terms, to_nfc

from . import standard
from .importing import ImportReport, import_standard_csv, parse_standard_csv  # noqa: F401
from .models import CommunityGroup, Event, EventFeed
from .records import EventError, dedup_key, refresh_derived  # noqa: F401

#: Fields a person may set through the forms and the API (the rest are set by the workflow).
EDITABLE_FIELDS = (
    "title", "title_kana", "title_en", "subtitle", "category", "event_type", "start_date", "end_date",
    "start_time", "end_time", "datetime_notes", "summary", "description", "fee_basic", "fee_details", "target",
    "capacity", "capacity_notes", "place_name", "address", "building", "area", "latitude", "longitude", "access",
    "parking", "organizer", "contact_name", "contact_phone", "contact_extension", "application_deadline",
    "application_method", "application_url", "url", "keywords", "listed_from", "listed_until", "notes",
)
#: Fields an event must have (standard: イベント名, 開始日, 終了日, 説明, 場所名称 are required).
REQUIRED_FIELDS = ("title", "start_date", "end_date", "description", "place_name")
_TEXT_FIELDS = {f.name for f in Event._meta.fields if f.get_internal_type() in ("CharField", "TextField", "URLField")}


def _clean(data: dict, *, partial: bool = False, base: Event | None = None) -> dict:
    """Check and normalize event fields from a form or the API; unknown names are errors."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise EventError("invalid", f"「{name}」は設定できない項目です", name)
    clean = {}
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            value = to_nfc((value or "").strip())
        clean[name] = value
    merged = {name: getattr(base, name) for name in EDITABLE_FIELDS} if base else {}
    merged.update(clean)
    if not merged.get("end_date") and merged.get("start_date"):
        merged["end_date"] = clean["end_date"] = merged["start_date"]
    for name in REQUIRED_FIELDS:
        if not merged.get(name) and (not partial or name in clean):
            label = Event._meta.get_field(name).verbose_name
            raise EventError("invalid", f"{label}を入力してください", name)
    try:
        standard.check_dates(merged)
    except standard.RowError as exc:
        raise EventError("invalid", exc.message, exc.column) from None
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = merged.get(name)
        if value is not None and not -limit <= value <= limit:
            raise EventError("invalid", f"{Event._meta.get_field(name).verbose_name}は ±{limit} の範囲です", name)
    if (merged.get("latitude") is None) != (merged.get("longitude") is None):
        raise EventError("invalid", "緯度と経度は両方入力してください", "longitude")
    for name in ("fee_basic", "capacity"):
        if merged.get(name) is not None and merged[name] < 0:
            raise EventError("invalid", "0 以上の数を入力してください", name)
    return clean


# --- permissions --------------------------------------------------------------------------------

def groups_of(user) -> QuerySet:
    """Active community groups ``user`` belongs to."""
    if not getattr(user, "is_authenticated", False):
        return CommunityGroup.objects.none()
    return CommunityGroup.objects.filter(members=user, active=True)


def can_edit(user, event: Event) -> bool:
    """Staff edit any local event; a group member edits the group's events while draft or rejected."""
    if event.feed_id:
        return False
    if getattr(user, "is_staff", False):
        return True
    return (event.group_id is not None and event.state in (Event.State.DRAFT, Event.State.REJECTED)
            and groups_of(user).filter(pk=event.group_id).exists())


# --- writing and the review workflow ------------------------------------------------------------

@transaction.atomic
def create_event(data: dict, *, user, group: CommunityGroup | None = None) -> Event:
    """Create a draft event.

    Staff create events of the city (``group`` None, origin ``staff``); a member of
    an active ``group`` creates the group's events (origin ``group``), which staff
    review before publication.

    :param data: ``EDITABLE_FIELDS`` values (dates as ``date``, times as ``time`` or None)
    :raises EventError: ``forbidden`` if ``user`` may not write for ``group``; ``invalid`` naming the field
    """
    if group is None and not getattr(user, "is_staff", False):
        raise EventError("forbidden", "イベントを登録できるのは職員と登録団体のメンバーです")
    if group is not None and not groups_of(user).filter(pk=group.pk).exists():
        raise EventError("forbidden", f"「{group.name}」のメンバーではありません", "group")
    clean = _clean(data)
    event = Event(**clean, group=group, created_by=user,
                  origin=Event.Origin.GROUP if group else Event.Origin.STAFF, state=Event.State.DRAFT)
    refresh_derived(event)
    event.save()
    return event


@transaction.atomic
def update_event(event: Event, data: dict, *, user) -> Event:
    """Change fields of an event (``can_edit`` rules); a rejected group event goes back to draft.

    :raises EventError: ``forbidden``; ``invalid`` naming the field
    """
    if not can_edit(user, event):
        raise EventError("forbidden", "このイベントは編集できません（公開済み・審査中の団体イベントは職員だけが編集できます）")
    clean = _clean(data, partial=True, base=event)
    for name, value in clean.items():
        setattr(event, name, value)
    if event.state == Event.State.REJECTED and not user.is_staff:
        event.state = Event.State.DRAFT
    refresh_derived(event)
    event.save()
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def submit_event(event: Event, *, user) -> Event:
    """A group member sends a draft (or a corrected rejected) event to staff review → ``submitted``.

    :raises EventError: ``forbidden`` (not a member of the event's group), ``state`` (not draft/rejected)
    """
    event = _locked(event)
    if event.group_id is None or not groups_of(user).filter(pk=event.group_id).exists():
        raise EventError("forbidden", "この団体のイベントではありません")
    if event.state not in (Event.State.DRAFT, Event.State.REJECTED):
        raise EventError("state", f"{event.get_state_display()}のイベントは審査に出せません")
    event.state, event.submitted_at, event.review_note = Event.State.SUBMITTED, timezone.now(), ""
    event.save(update_fields=["state", "submitted_at", "review_note", "modified"])
    return event


@transaction.atomic
def publish_event(event: Event, *, user) -> Event:
    """Staff publish a draft or submitted event → ``published`` (shown on pages, API, iCal, RSS).

    :raises EventError: ``forbidden`` (not staff), ``state`` (already published, or rejected)
    """
    if not getattr(user, "is_staff", False):
        raise EventError("forbidden", "公開できるのは職員です")
    event = _locked(event)
    if event.state not in (Event.State.DRAFT, Event.State.SUBMITTED):
        raise EventError("state", f"{event.get_state_display()}のイベントは公開できません")
    event.state, event.reviewed_by, event.published_at = Event.State.PUBLISHED, user, timezone.now()
    event.save(update_fields=["state", "reviewed_by", "published_at", "modified"])
    transaction.on_commit(lambda: announce_event(event, user=user))
    return event


#: the notices topic of newly published events (notices app, issue #17)
NOTICE_TOPIC = "event"


def announce_event(event: Event, *, user=None):
    """Tell the subscribers of the イベント topic (in the event's ward, or all when it has none) that an event
    was published: one notice through ``notices.services.send_notice`` (queued as tasks). Returns the notice,
    or ``None`` when the topic does not exist (nothing is sent; logged)."""
    import logging

    from madoguchi.notices import services as notices

    from .syndication import when_text

    body = "\n".join(p for p in (when_text(event), event.place_name, event.summary or event.description[:200]) if p)
    try:
        return notices.send_notice(title=f"イベント: {event.title}"[:120], body=body or event.title,
                                   link=event.get_absolute_url(), topic=NOTICE_TOPIC,
                                   areas=[event.area] if event.area else None, source="events", created_by=user)
    except notices.NoticeError as exc:
        logging.getLogger("madoguchi.events").warning("event %s not announced: %s", event.pk, exc)
        return None


@transaction.atomic
def reject_event(event: Event, *, user, note: str) -> Event:
    """Staff send a submitted event back to its group with a reason → ``rejected``.

    :raises EventError: ``forbidden`` (not staff), ``invalid`` (no reason, param ``note``), ``state``
    """
    if not getattr(user, "is_staff", False):
        raise EventError("forbidden", "差し戻せるのは職員です")
    note = to_nfc((note or "").strip())
    if not note:
        raise EventError("invalid", "差戻しの理由を入力してください", "note")
    event = _locked(event)
    if event.state != Event.State.SUBMITTED:
        raise EventError("state", f"{event.get_state_display()}のイベントは差し戻せません")
    event.state, event.reviewed_by, event.review_note = Event.State.REJECTED, user, note
    event.save(update_fields=["state", "reviewed_by", "review_note", "modified"])
    return event


@transaction.atomic
def unpublish_event(event: Event, *, user) -> Event:
    """Staff take a published local event off the public pages → ``draft``."""
    if not getattr(user, "is_staff", False):
        raise EventError("forbidden", "公開を取り下げられるのは職員です")
    event = _locked(event)
    if event.state != Event.State.PUBLISHED or event.feed_id:
        raise EventError("state", "公開中の本市のイベントだけ取り下げられます")
    event.state = Event.State.DRAFT
    event.save(update_fields=["state", "modified"])
    return event


# --- reading --------------------------------------------------------------------------------------

@dataclass
class EventQuery:
    """Filters of ``search_events``.

    ``date_from``/``date_to``: events overlapping the range (inclusive), Asia/Tokyo dates;
    when neither is given, the events not yet ended today and inside their 掲載期間
    (掲載開始日–掲載終了日). ``area``: ward or district (matches 区・地域 exactly, or
    occurs in the address); ``category``: イベントジャンル exactly; ``q``: every term
    occurs in title, kana, description, venue, address, organizer… after
    ``normalize_for_search`` (かな/カナ, width, case folded); ``source``: ``local``
    (this city) or ``feeds`` (neighbouring cities), default both.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    area: str | None = None
    category: str | None = None
    q: str | None = None
    source: str | None = None
    today: dt.date | None = None


def published_events() -> QuerySet:
    return Event.objects.filter(state=Event.State.PUBLISHED).select_related("feed", "group")


def search_events(query: EventQuery | None = None) -> QuerySet:
    """Published events matching ``query`` (see ``EventQuery``), ordered by start date and time, then title.

    ``date_to`` before ``date_from`` is an empty range: no events.

    :raises EventError: ``invalid`` (param ``source``) for an unknown source
    """
    query = query or EventQuery()
    qs = published_events()
    if query.date_from and query.date_to and query.date_to < query.date_from:
        return qs.none()
    if query.date_from is None and query.date_to is None:
        today = query.today or timezone.localdate()
        qs = qs.filter(end_date__gte=today).filter(Q(listed_from__isnull=True) | Q(listed_from__lte=today)).filter(
            Q(listed_until__isnull=True) | Q(listed_until__gte=today))
    if query.date_from:
        qs = qs.filter(end_date__gte=query.date_from)
    if query.date_to:
        qs = qs.filter(start_date__lte=query.date_to)
    if query.area:
        area = to_nfc(query.area.strip())
        qs = qs.filter(Q(area=area) | Q(address__contains=area))
    if query.category:
        qs = qs.filter(category=to_nfc(query.category.strip()))
    for term in search_terms(query.q):
        qs = qs.filter(search_text__contains=term)
    if query.source == "local":
        qs = qs.filter(feed__isnull=True)
    elif query.source == "feeds":
        qs = qs.filter(feed__isnull=False)
    elif query.source not in (None, ""):
        raise EventError("invalid", "source は local か feeds です", "source")
    return qs.order_by("start_date", "start_time", "title", "pk")


def facet_values() -> dict[str, list[str]]:
    """Distinct categories and areas of published events, for filter menus."""
    qs = published_events().order_by()
    return {
        "category": sorted(set(qs.exclude(category="").values_list("category", flat=True))),
        "area": sorted(set(qs.exclude(area="").values_list("area", flat=True))),
    }


# --- neighbouring cities' feeds -----------------------------------------------------------------

def refresh_feed(feed: EventFeed, **kw):
    """Fetch ``feed`` and merge its events; see ``feeds.refresh_feed``."""
    from .feeds import refresh_feed as refresh

    return refresh(feed, **kw)


def refresh_feeds(**kw) -> list:
    """``refresh_feed`` for every active feed, in registration order (earlier feeds win duplicates)."""
    return [refresh_feed(feed, **kw) for feed in EventFeed.objects.filter(active=True).order_by("pk")]


@transaction.atomic
def register_feed(*, name: str, url: str, format: str = EventFeed.Format.AUTO) -> EventFeed:
    """Staff register a neighbouring city's feed URL (http or https).

    :raises EventError: ``invalid`` naming ``url`` (not http(s), or already registered) or ``format``
    """
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        raise EventError("invalid", "http:// か https:// で始まる URL を入力してください", "url")
    if EventFeed.objects.filter(url=url).exists():
        raise EventError("invalid", "この URL は登録済みです", "url")
    if format not in EventFeed.Format.values:
        raise EventError("invalid", "形式は auto, csv, ical のどれかです", "format")
    if not (name or "").strip():
        raise EventError("invalid", "名称を入力してください", "name")
    return EventFeed.objects.create(name=to_nfc(name.strip()), url=url, format=format)
