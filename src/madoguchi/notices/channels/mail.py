"""Mail channel: Django's mail API, one SMTP connection per batch (``get_connection`` + ``send_messages``).

Every message carries RFC 8058 one-click unsubscribe headers (``List-Unsubscribe`` with an https URL and a
mailto, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``) and a Message-ID derived from the delivery
(``<notice-N.delivery-M@domain>``), so a sink can tell duplicates apart.
"""

from __future__ import annotations

import smtplib
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from .. import services
from ..tasks import mark_failed, mark_sent


def _domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.NOTICES_SITE_URL).hostname or "localhost"


def headers(unsub_url: str, token: str, delivery_id: int | None, notice_id: int) -> dict:
    """The RFC 8058 headers (and Message-ID) of one message."""
    mailto = f"mailto:{settings.NOTICES_UNSUBSCRIBE_MAILTO}?subject={quote('unsubscribe ' + token)}"
    h = {"List-Unsubscribe": f"<{unsub_url}>, <{mailto}>",
         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
         "List-Id": f"madoguchi notices <notices.{_domain()}>",
         "Auto-Submitted": "auto-generated"}
    if delivery_id is not None:
        h["Message-ID"] = f"<notice-{notice_id}.delivery-{delivery_id}@{_domain()}>"
    return h


def body(notice, unsub_url: str, link: str | None = None) -> str:
    link = services.click_url(notice, "mail") if link is None else link
    parts = [notice.body.strip()]
    if link:
        parts.append(f"詳しくは: {link}")
    parts.append(f"―――\n川崎市 お知らせ配信（{notice.topic.name}）\n配信停止（ワンクリック）: {unsub_url}")
    return "\n\n".join(parts) + "\n"


def message(notice, delivery, connection=None, *, link: str | None = None) -> EmailMessage:
    sub = delivery.subscription
    token = services.make_token("unsub", sub.pk)
    unsub_url = services.absolute(reverse("notices:unsubscribe", args=[token]))
    return EmailMessage(subject=notice.title, body=body(notice, unsub_url, link), to=[sub.address],
                        from_email=settings.NOTICES_FROM_EMAIL, connection=connection,
                        headers=headers(unsub_url, token, delivery.pk, notice.pk))


def preview(notice) -> dict:
    unsub_url = services.absolute("/notices/u/<配信停止トークン>/")
    return {"subject": notice.title, "body": body(notice, unsub_url),
            "headers": headers(unsub_url, "<token>", None, notice.pk)}


def _code(exc: Exception) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return min(codes) if codes else 0
    return getattr(exc, "smtp_code", 0) or 0


def send_batch(notice, deliveries, journal) -> dict:
    """Send each delivery over one SMTP connection. Per message: ``send_messages`` → journal line →
    ``sent`` (database, every ``NOTICES_DB_FLUSH_EVERY`` messages). SMTP 5xx → ``failed`` with the reply;
    4xx → left queued (``transient``); a lost connection raises (the task is retried)."""
    sent = failed = transient = 0
    reason = ""
    pending: list[int] = []
    flush = settings.NOTICES_DB_FLUSH_EVERY
    link = services.click_url(notice, "mail")
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        with journal:
            for d in deliveries:
                try:
                    connection.send_messages([message(notice, d, connection, link=link)])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    code = _code(exc)
                    text = f"SMTP {code}: {exc}"[:300]
                    if code >= 500:
                        mark_failed([d.pk], text)
                        failed += 1
                    else:
                        transient += 1
                        reason = text
                    continue
                journal.accepted(d.pk)
                pending.append(d.pk)
                sent += 1
                if len(pending) >= flush:
                    mark_sent(pending)
                    pending = []
    finally:
        mark_sent(pending)
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass
    return {"sent": sent, "failed": failed, "transient": transient, "reason": reason}
