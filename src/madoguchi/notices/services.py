"""Public API of the notices app (issue #17 parts 1–3); other apps import only this module.

* ``send_notice(title=, body=, link=, topic=, areas=, channels=, source=, send_at=)`` → ``Notice`` — queue one
  delivery per (notice, subscription, channel) to the verified subscribers of ``topic`` whose areas meet
  ``areas``; deliveries go out in batch tasks of ``NOTICES_BATCH_SIZE`` (``tasks.deliver_batch``).
* ``queue_notice(notice)`` — the same for a notice staff wrote (or at its ``send_at``).
* ``subscribe_mail`` / ``verify_mail`` / ``unsubscribe`` / ``subscribe_webpush`` — subscriptions; tokens are
  signed (``make_token`` / ``read_token``).
* ``handle_line_webhook(body, signature, remote_addr=)`` — follow/unfollow/postback/text of the LINE webhook
  (``channels.line``); raises ``BadSignature`` for a forged call (recorded in ``WebhookRecord``).
* ``reach(notice)`` — per channel: queued, sent, failed, clicked; LINE statistics when fetched.
* ``click_url(notice, channel)`` / ``record_click(token)`` — the counted redirect ``/notices/r/<token>``.

Delivery order (idempotency, documented in ``tasks.deliver_batch``): a ``Delivery`` row per (notice,
subscription, channel) exists *before* anything is sent (unique constraint); a batch sends only rows still
``queued`` and marks each ``sent`` right after the channel accepted it (mail and Web Push: an append-only
journal line first, then the database), so a retry after a killed worker skips what was sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import (
    CHANNELS,
    Area,
    Click,
    Delivery,
    Notice,
    Subscription,
    Topic,
    WebhookRecord,
)

log = logging.getLogger("madoguchi.notices")
CHANNEL_NAMES = tuple(c for c, _ in CHANNELS)
SALT = "madoguchi.notices"
BadSignature = signing.BadSignature


class NoticeError(ValueError):
    """Bad input (message in Japanese; ``field`` names the form field)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


# --- tokens and URLs -----------------------------------------------------------------------------------


def make_token(kind: str, pk: int) -> str:
    """A signed, URL-safe token for ``kind`` ("verify" | "unsub" | "click") and an id."""
    return signing.dumps([kind, pk], salt=SALT, compress=False)


def read_token(token: str, kind: str, *, max_age_s: float | None = None) -> int:
    """The id in ``token`` of ``kind``; raises ``BadSignature`` (also when expired or of another kind)."""
    value = signing.loads(token, salt=SALT, max_age=max_age_s)
    if not isinstance(value, list) or len(value) != 2 or value[0] != kind:
        raise BadSignature("wrong token kind")
    return value[1]


def absolute(path: str) -> str:
    """``NOTICES_SITE_URL`` + ``path`` (links in mail, LINE and Web Push leave the site)."""
    return settings.NOTICES_SITE_URL.rstrip("/") + path


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("notices:unsubscribe", args=[make_token("unsub", subscription.pk)]))


def click_url(notice: Notice, channel: str) -> str:
    """The counted redirect to ``notice.link`` for ``channel`` ("" when the notice has no link)."""
    if not notice.link:
        return ""
    return absolute(reverse("notices:click", args=[make_token("click", f"{notice.pk}:{channel}")]))


def record_click(token: str) -> str:
    """Count a click of a ``click_url``; returns the notice's link. Raises ``BadSignature``/``Notice.DoesNotExist``."""
    value = signing.loads(token, salt=SALT)
    if not isinstance(value, list) or value[0] != "click":
        raise BadSignature("wrong token kind")
    notice_id, channel = str(value[1]).split(":", 1)
    notice = Notice.objects.get(pk=int(notice_id))
    Click.objects.create(notice=notice, channel=channel if channel in CHANNEL_NAMES else "mail")
    return notice.link


# --- subscriptions -------------------------------------------------------------------------------------


def _topics(slugs: Iterable[str]) -> list[Topic]:
    slugs = list(slugs)
    found = list(Topic.objects.filter(slug__in=slugs, active=True))
    if not found:
        raise NoticeError("トピックを 1 つ以上選んでください", "topics")
    return found


def _areas(names: Iterable[str]) -> list[Area]:
    return list(Area.objects.filter(name__in=list(names)))


def subscribe_mail(email: str, *, topics: Iterable[str], areas: Iterable[str] = ()) -> Subscription:
    """Start (or change) a mail subscription; the address gets a signed confirmation link and receives
    nothing else before it is opened (double opt-in). Raises ``NoticeError``."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from madoguchi.jobs.services import send_mail_later

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise NoticeError("メールアドレスの形式が正しくありません", "email") from None
    topic_rows, area_rows = _topics(topics), _areas(areas)
    with transaction.atomic():
        sub, _ = Subscription.objects.get_or_create(channel="mail", address=email.lower())
        sub.topics.set(topic_rows)
        sub.areas.set(area_rows)
    link = absolute(reverse("notices:verify", args=[make_token("verify", sub.pk)]))
    send_mail_later("【川崎市】お知らせメールの登録確認",
                    "お知らせメールの登録を受け付けました。\n次のリンクを開くと登録が完了します"
                    f"（{settings.NOTICES_VERIFY_MAX_AGE_S // 3600} 時間有効）。\n\n{link}\n\n"
                    "心当たりがない場合は、このメールを破棄してください。登録されません。", [email])
    return sub


def verify_mail(token: str) -> Subscription:
    """Mark the mail subscription of a confirmation token verified. Raises ``BadSignature`` /
    ``Subscription.DoesNotExist``."""
    pk = read_token(token, "verify", max_age_s=settings.NOTICES_VERIFY_MAX_AGE_S)
    sub = Subscription.objects.get(pk=pk, channel="mail")
    if not sub.verified:
        sub.verified = True
        sub.save(update_fields=["verified"])
    return sub


def unsubscribe(token: str) -> bool:
    """Delete the subscription of an unsubscribe token (one click; no session). ``False`` when it was
    already gone; raises ``BadSignature`` for a forged token."""
    pk = read_token(token, "unsub")
    deleted, _ = Subscription.objects.filter(pk=pk).delete()
    return bool(deleted)


def subscribe_webpush(endpoint: str, keys: dict, *, topics: Iterable[str], areas: Iterable[str] = ()) -> Subscription:
    """Record a browser's Push subscription (``endpoint`` https URL, ``keys`` p256dh/auth)."""
    if not str(endpoint).startswith("https://") or not isinstance(keys, dict) \
            or not keys.get("p256dh") or not keys.get("auth"):
        raise NoticeError("プッシュ通知の登録情報が正しくありません", "endpoint")
    topic_rows, area_rows = _topics(topics), _areas(areas)
    with transaction.atomic():
        sub, _ = Subscription.objects.update_or_create(
            channel="webpush", address=endpoint,
            defaults={"keys": {"p256dh": str(keys["p256dh"]), "auth": str(keys["auth"])}, "verified": True})
        sub.topics.set(topic_rows)
        sub.areas.set(area_rows)
    return sub


def line_follow(user_id: str) -> Subscription:
    """A LINE user followed the city's account: a subscription to 防災 (the default) until they choose."""
    sub, created = Subscription.objects.get_or_create(channel="line", address=user_id, defaults={"verified": True})
    if created:
        sub.topics.set(Topic.objects.filter(slug=settings.NOTICES_LINE_DEFAULT_TOPIC, active=True))
    return sub


def line_unfollow(user_id: str) -> None:
    """A LINE user blocked/unfollowed: the subscription is deleted."""
    Subscription.objects.filter(channel="line", address=user_id).delete()


def line_toggle(user_id: str, kind: str, value: str) -> str:
    """A postback ``topic=<slug>`` / ``area=<name>``: toggle it; returns the reply text."""
    sub = line_follow(user_id)
    if kind == "topic":
        topic = Topic.objects.filter(slug=value, active=True).first()
        if topic is None:
            return "そのトピックはありません。"
        if sub.topics.filter(pk=topic.pk).exists():
            sub.topics.remove(topic)
            return f"「{topic.name}」の配信を停止しました。"
        sub.topics.add(topic)
        return f"「{topic.name}」を配信します。"
    if kind == "area":
        area = Area.objects.filter(name=value).first()
        if area is None:
            return "その地域はありません。"
        if sub.areas.filter(pk=area.pk).exists():
            sub.areas.remove(area)
            return f"地域「{area.name}」を外しました。"
        sub.areas.add(area)
        return f"地域「{area.name}」を追加しました。"
    return "操作を認識できませんでした。"


def handle_line_webhook(body: bytes, signature: str, *, remote_addr: str = "") -> int:
    """Check ``X-Line-Signature`` and handle the events; returns the number handled.

    :raises BadSignature: forged or missing signature (a ``WebhookRecord`` is written)
    """
    from .channels import line

    if not line.signature_ok(body, signature):
        WebhookRecord.objects.create(remote_addr=remote_addr[:64], reason="X-Line-Signature が一致しません"
                                     if signature else "X-Line-Signature がありません", body_bytes=len(body))
        log.warning("LINE webhook with a bad signature from %s", remote_addr)
        raise BadSignature("bad LINE signature")
    return line.handle_events(body)


# --- sending -------------------------------------------------------------------------------------------


def _matching(notice: Notice) -> list[tuple[int, str]]:
    """(subscription id, channel) of the verified subscribers ``notice`` goes to."""
    subs = Subscription.objects.filter(verified=True, topics=notice.topic)
    if notice.channels:
        subs = subs.filter(channel__in=notice.channels)
    if notice.areas:
        names = list(notice.areas)
        wanted = Area.objects.filter(Q(name__in=names) | Q(parent__name__in=names) | Q(children__name__in=names))
        subs = subs.annotate(n_areas=Count("areas", distinct=True)).filter(
            Q(n_areas=0) | Q(areas__in=wanted))
    return list(subs.values_list("pk", "channel").distinct())


def queue_notice(notice: Notice) -> int:
    """Create the deliveries of ``notice`` and enqueue its batch tasks now; returns the deliveries made.

    Safe to call twice: existing (notice, subscription, channel) rows are kept (unique constraint)."""
    from .tasks import _maybe_done, deliver_batch

    targets = _matching(notice)
    Delivery.objects.bulk_create([Delivery(notice=notice, subscription_id=s, channel=c) for s, c in targets],
                                 batch_size=2000, ignore_conflicts=True)
    Notice.objects.filter(pk=notice.pk).update(state=Notice.State.QUEUED, queued_at=timezone.now())
    notice.state = Notice.State.QUEUED
    size = settings.NOTICES_BATCH_SIZE
    batches: dict[str, list[list[int]]] = {}
    for channel in CHANNEL_NAMES:
        ids = list(Delivery.objects.filter(notice=notice, channel=channel, status=Delivery.Status.QUEUED)
                   .order_by("pk").values_list("pk", flat=True))
        batches[channel] = [ids[i:i + size] for i in range(0, len(ids), size)]
    for i in range(max((len(b) for b in batches.values()), default=0)):  # channels take turns: LINE users
        for channel in CHANNEL_NAMES:                                    # do not wait for every mail
            if i < len(batches[channel]):
                chunk = batches[channel][i]
                deliver_batch.enqueue(notice.pk, channel, chunk[0], chunk[-1])
    _maybe_done(notice.pk)
    notice.refresh_from_db(fields=["state"])
    return len(targets)


def send_notice(*, title: str, body: str, link: str = "", topic: str, areas: list[str] | None = None,
                channels: list[str] | None = None, source: str = "", send_at: dt.datetime | None = None,
                created_by=None) -> Notice:
    """Queue a notice to the verified subscribers of ``topic`` (slug, e.g. "bousai").

    :param areas: 区/町丁 names; a subscriber matches when one of their areas is one of these (or a ward of
        a listed town, or a town of a listed ward) or when they chose no area; ``None`` = everyone
    :param channels: subset of "mail", "line", "webpush"; ``None`` = every channel subscribers chose
    :param send_at: aware datetime; later than now → sent then (a deferred task), else now
    :returns: the ``Notice`` (``state`` "queued", or "scheduled")
    :raises NoticeError: unknown topic or channel, empty title/body
    """
    topic_row = Topic.objects.filter(slug=topic).first()
    if topic_row is None:
        raise NoticeError(f"トピック {topic!r} はありません", "topic")
    bad = [c for c in channels or [] if c not in CHANNEL_NAMES]
    if bad:
        raise NoticeError(f"チャネル {bad} はありません ({', '.join(CHANNEL_NAMES)})", "channels")
    if not title.strip() or not body.strip():
        raise NoticeError("件名と本文を入力してください", "title")
    notice = Notice.objects.create(title=title[:120], body=body, link=link, topic=topic_row, areas=list(areas or []),
                                   channels=list(channels or []), source=source[:80], send_at=send_at,
                                   created_by=created_by)
    schedule(notice)
    return notice


def schedule(notice: Notice) -> None:
    """Queue ``notice`` now, or at its ``send_at`` when that is in the future and the task backend can defer."""
    from django_tasks import task_backends

    from .tasks import queue_notice_task

    if notice.send_at and notice.send_at > timezone.now() and task_backends["default"].supports_defer:
        Notice.objects.filter(pk=notice.pk).update(state=Notice.State.SCHEDULED)
        notice.state = Notice.State.SCHEDULED
        queue_notice_task.using(run_after=notice.send_at).enqueue(notice.pk)
        return
    queue_notice(notice)


def reach(notice: Notice) -> dict:
    """Per channel ``{"queued", "sent", "failed", "clicked"}`` and ``"total"``; ``"line"`` also has
    ``delivered`` / ``impressions`` / ``line_clicks`` when LINE's statistics were fetched (else None).
    Mail has no "opened" (no tracking pixels); clicks are the counted redirects."""
    out: dict = {}
    rows = Delivery.objects.filter(notice=notice).values("channel", "status").annotate(n=Count("pk"))
    for channel in CHANNEL_NAMES:
        out[channel] = {"queued": 0, "sent": 0, "failed": 0, "clicked": 0}
    for row in rows:
        out[row["channel"]][row["status"]] = row["n"]
    for row in Click.objects.filter(notice=notice).values("channel").annotate(n=Count("pk")):
        out[row["channel"]]["clicked"] = row["n"]
    stat = getattr(notice, "line_stat", None) if hasattr(notice, "line_stat") else None
    out["line"].update({"delivered": stat.delivered if stat else None,
                        "impressions": stat.unique_impressions if stat else None,
                        "line_clicks": stat.unique_clicks if stat else None})
    out["total"] = {k: sum(out[c][k] for c in CHANNEL_NAMES) for k in ("queued", "sent", "failed", "clicked")}
    return out


def failures(notice: Notice, limit: int = 50) -> list[dict]:
    """The failed deliveries of ``notice`` with their reasons (no addresses)."""
    return list(Delivery.objects.filter(notice=notice, status=Delivery.Status.FAILED)
                .values("pk", "channel", "reason")[:limit])


def preview(notice: Notice) -> dict:
    """What each channel would send: ``{"mail": {"subject", "body", "headers"}, "line": {"text"},
    "webpush": {"title", "body", "url"}}`` (with a placeholder unsubscribe link)."""
    from .channels import line, mail, webpush

    return {"mail": mail.preview(notice), "line": {"text": line.text(notice)}, "webpush": webpush.payload(notice)}


__all__ = [
    "BadSignature",
    "NoticeError",
    "click_url",
    "handle_line_webhook",
    "make_token",
    "preview",
    "queue_notice",
    "reach",
    "read_token",
    "record_click",
    "send_notice",
    "subscribe_mail",
    "subscribe_webpush",
    "unsubscribe",
    "verify_mail",
]


#: the topics and areas a new installation starts with (migration 0002 installed the same; staff add more)
DEFAULT_TOPICS = [("bousai", "防災", "気象警報・地震・避難の情報"), ("event", "イベント", "市の催し"),
                  ("kosodate", "子育て", ""), ("gomi", "ごみ", "収集日の変更など"),
                  ("shisetsu", "施設予約", "抽選結果・予約の案内"), ("keikaku", "計画・指標", "市の計画と指標の公表")]
DEFAULT_WARDS = ["川崎区", "幸区", "中原区", "高津区", "宮前区", "多摩区", "麻生区"]


def install_defaults() -> None:
    """Make sure the default topics and wards exist (idempotent; rows staff edited are left alone) — for a
    database emptied since the migration ran, e.g. by a transactional test."""
    for i, (slug, name, desc) in enumerate(DEFAULT_TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": desc, "order": i})
    for i, name in enumerate(DEFAULT_WARDS):
        Area.objects.get_or_create(name=name, defaults={"kind": "ward", "order": i})
