"""Web Push channel: VAPID through pywebpush; an expired subscription (404/410) is deleted."""

from __future__ import annotations

import json

from django.conf import settings

from .. import services
from ..tasks import mark_failed, mark_sent


def payload(notice) -> dict:
    return {"title": notice.title, "body": notice.body.strip()[:300],
            "url": services.click_url(notice, "webpush") or services.absolute("/notices/")}


def send_batch(notice, deliveries, journal) -> dict:
    """One push per delivery: push → journal → ``sent``; 404/410 → ``failed`` ("expired") and the
    subscription deleted; 429/5xx/network → left queued (``transient``); other 4xx → ``failed``."""
    from pywebpush import WebPushException, webpush

    from ..models import Subscription

    data = json.dumps(payload(notice), ensure_ascii=False)
    sent = failed = transient = 0
    reason = ""
    with journal:
        for d in deliveries:
            sub = d.subscription
            try:
                webpush(subscription_info={"endpoint": sub.address, "keys": sub.keys}, data=data,
                        vapid_private_key=settings.NOTICES_VAPID_PRIVATE_KEY,
                        vapid_claims={"sub": settings.NOTICES_VAPID_SUBJECT}, ttl=86400, timeout=10)
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    mark_failed([d.pk], f"Web Push {status}: 購読の期限切れ (削除しました)")
                    Subscription.objects.filter(pk=sub.pk).delete()
                    failed += 1
                elif status is None or status == 429 or status >= 500:
                    transient += 1
                    reason = f"Web Push {status}: {exc}"[:300]
                else:
                    mark_failed([d.pk], f"Web Push {status}: {exc}"[:300])
                    failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 - network: retry later
                transient += 1
                reason = f"{type(exc).__name__}: {exc}"[:300]
                continue
            journal.accepted(d.pk)
            mark_sent([d.pk])
            sent += 1
    return {"sent": sent, "failed": failed, "transient": transient, "reason": reason}
