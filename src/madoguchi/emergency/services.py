"""Public API of emergency mode (緊急モード). Views, the command, the feed task and other apps call only this.

* ``import_xml`` — store one JMA XML message (parsed, or failed with the reason) and apply the rules
* ``apply_rules`` — match a parsed alert against the enabled ``Rule`` rows: a match switches emergency
  mode on (``activate``) and notifies 防災 subscribers at once or after staff confirm (``Dispatch``)
* ``confirm_dispatch`` / ``dismiss_dispatch`` — staff decide a pending notice
* ``notify_subscribers`` — the one call into the notices app (``send_notice``, imported lazily)
* ``set_mode`` / ``current_state`` / ``mode_log`` — switch the mode by hand (audit log) and read it
* ``fetch_feed`` / ``fetch_feeds_task`` — the JMA Atom feed, fetched as a retried task
* ``hazards`` / ``open_shelters`` / ``signage_context`` — what the emergency pages and the signage show

Only messages of status 通常 (not 訓練/試験) and info type other than 取消 trigger rules; every message is kept.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.jobs.services import retried_task

from . import conf, jma
from .models import Alert, Dispatch, ModeChange, Rule

log = logging.getLogger("madoguchi.emergency")

RAW_LIMIT = 1_000_000  # characters of a message kept for display


class EmergencyError(Exception):
    """A request that cannot be done: ``message`` is Japanese, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- importing ------------------------------------------------------------------------------------

def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def city_entries(report: jma.Report, codes: dict[str, list[str]] | None = None) -> list[dict]:
    """The area entries of ``report`` for the city's codes (``EMERGENCY_JMA_AREAS``), as dicts:
    ``{section, code, name, level, intensity, kinds: [names in force]}``."""
    codes = conf.areas() if codes is None else codes
    out = []
    for entry in report.areas:
        if entry.code in codes:
            out.append({"section": entry.section, "code": entry.code, "name": entry.name, "level": entry.level,
                        "intensity": entry.intensity, "kinds": [k.name for k in entry.active_kinds]})
    return out


def import_xml(data: bytes, *, source: str = Alert.Source.UPLOAD, name: str = "", feed_entry_id: str = "",
               user=None) -> Alert:
    """Store one JMA XML message and apply the rules. Never raises for bad input: a malformed, unsafe
    (DTD, entities, external references) or non-JMA document is stored with ``state=failed`` and the
    reason in ``failure``; a title the parser does not know is stored with ``category="unknown"``.

    :param data: the message as bytes (at most ``EMERGENCY_JMA_MAX_BYTES``, else failed)
    :param source: ``Alert.Source`` value; ``name``: file name or URL; ``feed_entry_id``: Atom entry id
    :returns: the stored ``Alert`` (``alert.dispatches`` holds what the rules decided)
    """
    alert = Alert(source=source, source_name=name[:500], feed_entry_id=feed_entry_id[:500],
                  sha256=hashlib.sha256(data).hexdigest())
    alert.raw = data[:RAW_LIMIT].decode("utf-8", errors="replace")
    try:
        if len(data) > conf.max_bytes():
            raise jma.JMAError(f"{conf.max_bytes():,} バイトを超えるため読みません")
        report = jma.parse(data)
    except jma.JMAError as exc:
        alert.state, alert.failure = Alert.State.FAILED, exc.reason
        alert.save()
        log.warning("JMA XML %s failed: %s", name, exc.reason)
        return alert
    alert.state = Alert.State.PARSED
    alert.category = report.category
    alert.control_title = report.control_title[:200]
    alert.status = report.status[:20]
    alert.info_type = report.info_type[:20]
    alert.title = (report.title or report.control_title)[:300]
    alert.headline = report.headline
    alert.report_datetime = report.report_datetime
    alert.editorial_office = report.editorial_office[:100]
    alert.event_id = report.event_id[:100]
    alert.max_intensity = report.max_intensity
    alert.parsed = report.as_dict()
    alert.city_areas = city_entries(report)
    alert.save()
    apply_rules(alert, user=user)
    return alert


def _rule_matches(rule: Rule, entries: list[dict], category: str) -> list[dict]:
    if rule.category_list and category not in rule.category_list:
        return []
    if not rule.kind_list and not rule.min_intensity:
        return []
    codes = set(rule.code_list) or set(conf.areas())
    wanted = [_nfkc(k) for k in rule.kind_list]
    hits = []
    for entry in entries:
        if entry["code"] not in codes:
            continue
        ok_kind = not wanted or any(_nfkc(name) == w or _nfkc(name).startswith(w + ":")
                                    for name in entry["kinds"] for w in wanted)
        ok_int = not rule.min_intensity or jma.intensity_at_least(entry["intensity"], rule.min_intensity)
        if ok_kind and ok_int:
            hits.append(entry)
    return hits


def apply_rules(alert: Alert, *, user=None) -> list[Dispatch]:
    """Match ``alert`` against the enabled rules (see ``Rule``); once per (alert, rule).

    For a match: switch emergency mode on (``rule.activate``, if not already on) and record a
    ``Dispatch`` whose ``area_names`` are the 区 of the matched codes (``EMERGENCY_JMA_AREAS``); with
    ``notify=immediate`` the notice is queued now (``notify_subscribers``), with ``confirm`` it waits for
    staff (``confirm_dispatch``). Drills (訓練/試験) and cancellations (取消) match nothing.

    :returns: the new dispatches
    """
    if alert.state != Alert.State.PARSED or not alert.is_real or not alert.city_areas:
        return []
    made = []
    for rule in Rule.objects.filter(enabled=True):
        hits = _rule_matches(rule, alert.city_areas, alert.category)
        if not hits:
            continue
        area_map = conf.areas()
        names = list(dict.fromkeys(n for e in hits for n in area_map.get(e["code"], [])))
        state = Dispatch.State.NONE if rule.notify == Rule.Notify.NONE else Dispatch.State.PENDING
        try:
            with transaction.atomic():
                dispatch = Dispatch.objects.create(
                    alert=alert, rule=rule, rule_name=rule.name, area_codes=[e["code"] for e in hits],
                    area_names=names, levels=[f"{e['name']}: {e['level']}" for e in hits], state=state)
        except IntegrityError:
            continue
        made.append(dispatch)
        if rule.activate and current_state() is None:
            set_mode(True, reason=f"ルール「{rule.name}」に該当: {alert.title}", title=alert.title,
                     message=alert.headline, alert=alert, rule_name=rule.name)
        if rule.notify == Rule.Notify.IMMEDIATE:
            _send(dispatch, user=None)
    return made


def _send(dispatch: Dispatch, *, user) -> Dispatch:
    notice = notify_subscribers(dispatch.alert, dispatch=dispatch)
    dispatch.state = Dispatch.State.SENT
    dispatch.notice_ref = str(getattr(notice, "pk", "") or "")[:100]
    dispatch.decided_by, dispatch.decided_at = user, timezone.now()
    dispatch.save(update_fields=["state", "notice_ref", "decided_by", "decided_at"])
    return dispatch


def confirm_dispatch(dispatch_id: int, *, user) -> Dispatch:
    """Staff confirm a pending notice: it is queued now (once; a second confirm changes nothing).

    :raises EmergencyError: no such dispatch, or it is not pending
    """
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().filter(pk=dispatch_id).first()
        if dispatch is None:
            raise EmergencyError("その通知はありません")
        if dispatch.state != Dispatch.State.PENDING:
            raise EmergencyError(f"この通知は「{dispatch.get_state_display()}」です")
        return _send(dispatch, user=user)


def dismiss_dispatch(dispatch_id: int, *, user) -> Dispatch:
    """Staff decide not to send a pending notice.

    :raises EmergencyError: no such dispatch, or it is not pending
    """
    updated = Dispatch.objects.filter(pk=dispatch_id, state=Dispatch.State.PENDING).update(
        state=Dispatch.State.DISMISSED, decided_by=user, decided_at=timezone.now())
    if not updated:
        raise EmergencyError("確認待ちの通知ではありません")
    return Dispatch.objects.get(pk=dispatch_id)


def notify_subscribers(alert: Alert, *, dispatch: Dispatch | None = None):
    """Queue a notice of ``alert`` to the 防災 subscribers (topic ``EMERGENCY_NOTICE_TOPIC``) of the
    affected areas, through ``madoguchi.notices.services.send_notice`` (imported here, lazily).

    :param dispatch: the rule's decision; its ``area_names`` are the areas (none given → the 区 of the
        alert's city entries; no city entry → everyone)
    :returns: the notices app's ``Notice``
    """
    from madoguchi.notices.services import send_notice

    area_map = conf.areas()
    if dispatch is not None:
        areas = list(dispatch.area_names)
        levels = list(dispatch.levels)
    else:
        areas = list(dict.fromkeys(n for e in alert.city_areas for n in area_map.get(e["code"], [])))
        levels = [f"{e['name']}: {e['level']}" for e in alert.city_areas if e["level"]]
    body = "\n".join([alert.headline, "", *levels, "", f"発表: {alert.editorial_office}"]).strip()
    from django.urls import reverse

    return send_notice(title=f"【防災】{alert.title}", body=body, link=reverse("emergency:alert", args=[alert.pk]),
                       topic=conf.topic(), areas=areas or None, source=f"emergency:alert:{alert.pk}")


# --- the mode -------------------------------------------------------------------------------------

def current_state() -> ModeChange | None:
    """The active emergency state (the latest ``ModeChange`` if it switched the mode on), or ``None``."""
    latest = ModeChange.objects.select_related("alert").order_by("-at", "-pk").first()
    return latest if latest is not None and latest.active else None


def set_mode(active: bool, *, reason: str, user=None, title: str = "", message: str = "", alert: Alert | None = None,
             rule_name: str = "") -> ModeChange:
    """Switch emergency mode on or off; every switch is logged (who, when, why).

    :raises EmergencyError: no reason given
    """
    reason = (reason or "").strip()
    if not reason:
        raise EmergencyError("理由を入力してください")
    if active and not title:
        title = "緊急モード"
    return ModeChange.objects.create(active=active, reason=reason, user=user, title=title[:200], message=message,
                                     alert=alert, rule_name=rule_name[:100])


def mode_log(limit: int = 50) -> list[ModeChange]:
    return list(ModeChange.objects.select_related("user", "alert")[:limit])


# --- the feed -------------------------------------------------------------------------------------

def _get(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise EmergencyError("http(s) の URL ではありません")
    request = urllib.request.Request(url, headers={"User-Agent": "madoguchi-emergency/1 (+JMA XML)"})
    limit = conf.max_bytes()
    try:
        with urllib.request.urlopen(request, timeout=conf.timeout_s()) as response:
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise EmergencyError(f"サーバーがエラー {exc.code} を返しました") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise EmergencyError(f"取得できません（{getattr(exc, 'reason', exc)}）") from None
    if len(body) > limit:
        raise EmergencyError(f"{limit:,} バイトを超えるため読みません")
    return body


@dataclass
class FeedResult:
    """``imported``: new alerts; ``skipped``: entries already stored or by other offices."""

    url: str
    imported: list[Alert]
    skipped: int
    errors: list[str]


def fetch_feed(url: str) -> FeedResult:
    """Fetch a JMA Atom feed and import its new entries (by the offices of ``EMERGENCY_JMA_FEED_OFFICES``;
    an entry already stored, by id, is not fetched again). A message that cannot be fetched is listed in
    ``errors`` and tried again at the next fetch.

    :raises EmergencyError: the feed itself cannot be fetched or is not an Atom feed
    """
    try:
        entries = jma.parse_feed(_get(url))
    except jma.JMAError as exc:
        raise EmergencyError(exc.reason) from None
    offices = set(conf.feed_offices())
    seen = set(Alert.objects.filter(feed_entry_id__in=[e.id for e in entries]).values_list("feed_entry_id", flat=True))
    imported, skipped, errors = [], 0, []
    for entry in entries:
        if entry.id in seen or (offices and entry.author not in offices) or not entry.url:
            skipped += 1
            continue
        try:
            data = _get(entry.url)
        except EmergencyError as exc:
            errors.append(f"{entry.url}: {exc.message}")
            continue
        imported.append(import_xml(data, source=Alert.Source.FEED, name=entry.url, feed_entry_id=entry.id))
    return FeedResult(url, imported, skipped, errors)


def feed_urls() -> list[str]:
    """The configured JMA Atom feeds (``EMERGENCY_JMA_FEED_URLS``)."""
    return list(conf.feed_urls())


@retried_task(max_attempts=3, backoff_s=30)
def fetch_feeds_task(urls: list[str] | None = None) -> dict:
    """``fetch_feed`` for each URL (default ``EMERGENCY_JMA_FEED_URLS``) as a background task; a feed that
    cannot be fetched is retried (with backoff) by raising after the others were read.

    :returns: ``{url: {"imported": n, "skipped": n, "errors": [...]}}``
    """
    out, failed = {}, []
    for url in urls or conf.feed_urls():
        try:
            result = fetch_feed(url)
        except EmergencyError as exc:
            failed.append(f"{url}: {exc.message}")
            continue
        out[url] = {"imported": len(result.imported), "skipped": result.skipped, "errors": result.errors}
    if failed:
        raise EmergencyError("; ".join(failed))
    return out


# --- what the pages show --------------------------------------------------------------------------

def hazards(limit: int = 20) -> list[Alert]:
    """The information in force for the city, newest first: of the real messages (通常) of the last 3 days
    with an entry for the city's areas, the newest per series (category and event id, else category and
    issuing office) — a later message replaces an earlier one, a 取消 or a message with nothing in force
    for the city removes it."""
    since = timezone.now() - timezone.timedelta(days=3)
    qs = (Alert.objects.filter(state=Alert.State.PARSED, status="通常", received_at__gte=since)
          .exclude(city_areas=[]).defer("raw", "parsed"))
    seen, out = set(), []
    for alert in qs[:500]:
        key = (alert.category, alert.event_id or alert.editorial_office)
        if key in seen:
            continue
        seen.add(key)
        if alert.info_type != "取消" and any(e.get("level") for e in alert.city_areas):
            out.append(alert)
    return out[:limit]


def open_shelters() -> dict:
    """Open shelters from the shelters service: ``{"updated", "open": [site dicts]}`` (empty on error)."""
    from madoguchi.shelters import services as shelters

    try:
        return shelters.open_status()
    except Exception:  # a broken source must not take the emergency page down
        log.exception("open shelters unavailable")
        return {"updated": None, "open": []}


def emergency_context() -> dict:
    """Context of the emergency content (home partial, /emergency/, signage)."""
    return {"emergency": current_state(), "hazards": hazards(), "shelters": open_shelters(),
            "official_links": conf.official_links()}


def signage_context() -> dict:
    """Context of /signage/: the emergency content in emergency mode, else upcoming events and counter
    congestion; ``refresh_s`` the reload interval (``EMERGENCY_SIGNAGE_REFRESH_*``)."""
    state = current_state()
    ctx = {"emergency": state, "refresh_s": conf.signage_refresh_s(state is not None), "now": timezone.localtime()}
    if state is not None:
        ctx.update(emergency_context())
        return ctx
    from madoguchi.counters import services as counters
    from madoguchi.events import services as events

    try:
        ctx["events"] = list(events.search_events()[:8])
    except Exception:
        log.exception("events unavailable")
        ctx["events"] = []
    try:
        ctx["counters"] = [s for s in counters.current_states() if s.reading is not None][:12]
    except Exception:
        log.exception("counters unavailable")
        ctx["counters"] = []
    return ctx


__all__ = [
    "EmergencyError",
    "apply_rules",
    "city_entries",
    "confirm_dispatch",
    "current_state",
    "dismiss_dispatch",
    "emergency_context",
    "feed_urls",
    "fetch_feed",
    "fetch_feeds_task",
    "hazards",
    "import_xml",
    "mode_log",
    "notify_subscribers",
    "open_shelters",
    "set_mode",
    "signage_context",
]
