"""LINE channel: the Messaging API through line-bot-sdk (v3).

* ``send_batch`` — multicast to ≤500 user ids per call with ``X-Line-Retry-Key`` = uuid5 of (notice, first
  delivery id of the call): a retried call that LINE had accepted answers 409 and is taken as sent; at most
  ``NOTICES_LINE_MAX_REQUESTS_PER_S`` calls a second per process; 429/5xx → retried with backoff.
* ``signature_ok`` — ``X-Line-Signature`` = base64(HMAC-SHA256(channel secret, body)).
* ``handle_events`` — follow (subscribe to 防災 + a topic menu), unfollow (delete), postback
  (``topic=<slug>`` / ``area=<name>`` toggles, ``menu=topics|areas``), text (answered by the FAQ assistant).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from urllib.parse import parse_qs

from django.conf import settings

from .. import services
from ..tasks import mark_failed, mark_sent

log = logging.getLogger("madoguchi.notices")
MULTICAST_MAX = 500
_rate_lock = threading.Lock()
_last_call = [0.0]


def signature_ok(body: bytes, signature: str) -> bool:
    if not signature or not settings.NOTICES_LINE_CHANNEL_SECRET:
        return False
    digest = hmac.new(settings.NOTICES_LINE_CHANNEL_SECRET.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), signature.strip())


def text(notice) -> str:
    link = services.click_url(notice, "line")
    out = f"【{notice.topic.name}】{notice.title}\n\n{notice.body.strip()}"
    if link:
        out += f"\n\n詳しくは: {link}"
    out += "\n\n配信の設定・停止はメニューの「配信設定」から。"
    return out[:5000]


def _config():
    from linebot.v3.messaging import Configuration

    return Configuration(host=settings.NOTICES_LINE_API_HOST, access_token=settings.NOTICES_LINE_CHANNEL_ACCESS_TOKEN)


def _pace() -> None:
    gap = 1.0 / settings.NOTICES_LINE_MAX_REQUESTS_PER_S
    with _rate_lock:
        wait = _last_call[0] + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        _last_call[0] = time.monotonic()


def retry_key(notice_id: int, first_delivery_id: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"madoguchi:notice:{notice_id}:line:{first_delivery_id}"))


def send_batch(notice, deliveries, journal) -> dict:
    """Multicast ``deliveries`` in calls of ≤500 user ids (see the module docstring)."""
    from linebot.v3.messaging import (
        ApiClient,
        MessagingApi,
        MulticastRequest,
        TextMessage,
    )
    from linebot.v3.messaging.exceptions import ApiException

    sent = failed = transient = 0
    reason = ""
    message = TextMessage(text=text(notice))
    with ApiClient(_config()) as client:
        api = MessagingApi(client)
        for i in range(0, len(deliveries), MULTICAST_MAX):
            chunk = deliveries[i:i + MULTICAST_MAX]
            ids = [d.pk for d in chunk]
            request = MulticastRequest(to=[d.subscription.address for d in chunk], messages=[message],
                                       notification_disabled=False,
                                       custom_aggregation_units=[f"notice{notice.pk}"])
            _pace()
            try:
                api.multicast(request, x_line_retry_key=retry_key(notice.pk, ids[0]))
            except ApiException as exc:
                if exc.status == 409:  # accepted by an earlier attempt with this retry key
                    mark_sent(ids)
                    sent += len(ids)
                elif exc.status in (429,) or (exc.status or 0) >= 500:
                    transient += len(ids)
                    reason = f"LINE {exc.status}: {exc.reason}"
                else:
                    mark_failed(ids, f"LINE {exc.status}: {(exc.body or exc.reason or '')[:200]}")
                    failed += len(ids)
                continue
            mark_sent(ids)
            sent += len(ids)
    return {"sent": sent, "failed": failed, "transient": transient, "reason": reason}


def fetch_statistics(notice) -> dict | None:
    """LINE's aggregate statistics of ``notice`` (custom aggregation unit ``notice<pk>``), stored in
    ``LineStat``; ``None`` when LINE has none (yet) or is not configured."""
    from linebot.v3.insight import ApiClient, Configuration, Insight

    from ..models import LineStat

    try:
        cfg = Configuration(host=settings.NOTICES_LINE_API_HOST, access_token=settings.NOTICES_LINE_CHANNEL_ACCESS_TOKEN)
        with ApiClient(cfg) as client:
            day = notice.created.strftime("%Y%m%d")
            res = Insight(client).get_statistics_per_unit(f"notice{notice.pk}", day, day)
    except Exception as exc:  # noqa: BLE001 - statistics are optional
        log.info("LINE statistics of notice %s: %s", notice.pk, exc)
        return None
    overview = res.overview
    stat, _ = LineStat.objects.update_or_create(notice=notice, defaults={
        "delivered": None, "unique_impressions": overview.unique_impression,
        "unique_clicks": overview.unique_click})
    return {"impressions": stat.unique_impressions, "clicks": stat.unique_clicks}


# --- webhook -------------------------------------------------------------------------------------------


def _reply(reply_token: str, message_text: str, quick: list[tuple[str, str]] | None = None) -> None:
    from linebot.v3.messaging import (
        ApiClient,
        MessagingApi,
        PostbackAction,
        QuickReply,
        QuickReplyItem,
        ReplyMessageRequest,
        TextMessage,
    )

    if not reply_token or not settings.NOTICES_LINE_CHANNEL_ACCESS_TOKEN:
        return
    quick_reply = None
    if quick:
        quick_reply = QuickReply(items=[QuickReplyItem(action=PostbackAction(label=label[:20], data=data,
                                                                             display_text=label))
                                        for label, data in quick[:13]])
    try:
        with ApiClient(_config()) as client:
            MessagingApi(client).reply_message(ReplyMessageRequest(
                reply_token=reply_token, messages=[TextMessage(text=message_text[:5000], quick_reply=quick_reply)]))
    except Exception as exc:  # noqa: BLE001 - a lost reply must not fail the webhook (LINE would resend)
        log.warning("LINE reply failed: %s", exc)


def topic_menu() -> list[tuple[str, str]]:
    from ..models import Topic

    return [(t.name, f"topic={t.slug}") for t in Topic.objects.filter(active=True)] + [("地域を選ぶ", "menu=areas")]


def area_menu() -> list[tuple[str, str]]:
    from ..models import Area

    return [(a.name, f"area={a.name}") for a in Area.objects.filter(kind="ward")]


def answer_text(question: str) -> str:
    """The FAQ assistant's answer to a LINE text message, or a link to the site."""
    from madoguchi.faq.services import ask

    answer = ask(question, channel="line")
    if answer.status == "answered" and answer.best is not None:
        return answer.best.entry.answer[:4500]
    if answer.message:
        return answer.message + "\n" + services.absolute("/faq/")
    return "お問い合わせは次のページからどうぞ。\n" + services.absolute("/faq/")


def handle_events(body: bytes) -> int:
    """Handle the events of a (signature-checked) webhook body; returns how many were handled."""
    try:
        events = json.loads(body.decode("utf-8")).get("events", [])
    except (ValueError, AttributeError):
        return 0
    handled = 0
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        source = event.get("source") or {}
        user_id = source.get("userId") if source.get("type") == "user" else None
        token = event.get("replyToken", "")
        kind = event.get("type")
        if kind == "follow" and user_id:
            services.line_follow(user_id)
            _reply(token, "友だち追加ありがとうございます。防災情報をお届けします。ほかに受け取りたい情報を選んでください。",
                   topic_menu())
        elif kind == "unfollow" and user_id:
            services.line_unfollow(user_id)
        elif kind == "postback" and user_id:
            data = parse_qs((event.get("postback") or {}).get("data", ""))
            if data.get("menu") == ["areas"]:
                _reply(token, "お住まいの区を選んでください（もう一度選ぶと外れます）。", area_menu())
            elif data.get("menu") == ["topics"]:
                _reply(token, "受け取りたい情報を選んでください（もう一度選ぶと停止します）。", topic_menu())
            elif "topic" in data:
                _reply(token, services.line_toggle(user_id, "topic", data["topic"][0]), topic_menu())
            elif "area" in data:
                _reply(token, services.line_toggle(user_id, "area", data["area"][0]))
            else:
                continue
        elif kind == "message" and (event.get("message") or {}).get("type") == "text":
            _reply(token, answer_text((event.get("message") or {}).get("text", "")))
        else:
            continue
        handled += 1
    return handled
