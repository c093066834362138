"""Tasks of the notices app: queue a scheduled notice, deliver one batch of one channel.

Step order of ``deliver_batch`` (why a killed worker leaves nobody without and nobody with two messages):

1. the ``Delivery`` rows exist before any task (unique (notice, subscription, channel));
2. ids the journal says were accepted but the database still has ``queued`` are marked ``sent`` first;
3. only rows still ``queued`` in the batch's id range are sent;
4. per message: send → journal line (mail, Web Push) → ``sent`` in the database (in chunks of
   ``NOTICES_DB_FLUSH_EVERY``, and at the end); LINE: one multicast of ≤500 ids with a retry key derived from
   the batch (``X-Line-Retry-Key``: LINE refuses a second acceptance with 409, taken as sent) → ``sent``;
5. a permanent refusal (SMTP 5xx, LINE 400, Web Push 404/410) is ``failed`` with its reason at once; a
   transient one leaves the row ``queued`` and the task raises → retried with backoff; after the last
   attempt ``give_up`` marks what is left ``failed`` with the reason.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from madoguchi.jobs.services import retried_task

from .models import Delivery, Notice


def _give_up(reason: str, notice_id: int, channel: str, first_id: int, last_id: int) -> None:
    Delivery.objects.filter(notice_id=notice_id, channel=channel, pk__gte=first_id, pk__lte=last_id,
                            status=Delivery.Status.QUEUED).update(status=Delivery.Status.FAILED,
                                                                  reason=reason[:300])
    _maybe_done(notice_id)


def _maybe_done(notice_id: int) -> None:
    if not Delivery.objects.filter(notice_id=notice_id, status=Delivery.Status.QUEUED).exists():
        Notice.objects.filter(pk=notice_id, state=Notice.State.QUEUED).update(state=Notice.State.DONE)


def mark_sent(ids: list[int]) -> None:
    if ids:
        with transaction.atomic():
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.SENT, sent_at=timezone.now())


def mark_failed(ids: list[int], reason: str) -> None:
    if ids:
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.FAILED, reason=reason[:300])


class TransientFailure(Exception):
    """Some messages of the batch were refused for now (4xx, 429, network): the task is retried."""


@retried_task(max_attempts=6, backoff_s=5, give_up=_give_up)
def deliver_batch(notice_id: int, channel: str, first_id: int, last_id: int) -> dict:
    """Send the still-queued deliveries of ``notice_id`` on ``channel`` with ids in [first_id, last_id].

    :returns: ``{"sent": n, "failed": n, "skipped": n}`` (skipped: already sent by an earlier attempt)
    :raises TransientFailure: some were refused for now (retry); network errors propagate (retry)
    """
    from .channels import line, mail, webpush
    from .journal import Journal

    notice = Notice.objects.select_related("topic").get(pk=notice_id)
    rows = Delivery.objects.filter(notice_id=notice_id, channel=channel, pk__gte=first_id, pk__lte=last_id)
    journal = Journal(notice_id, channel)
    done_before = journal.read()
    if done_before:
        mark_sent([i for i in rows.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True)
                   if i in done_before])
    todo = list(rows.filter(status=Delivery.Status.QUEUED).select_related("subscription").order_by("pk"))
    skipped = rows.count() - len(todo)
    gone = [d.pk for d in todo if d.subscription is None]
    mark_failed(gone, "購読が削除されました")
    todo = [d for d in todo if d.subscription is not None]
    sender = {"mail": mail.send_batch, "line": line.send_batch, "webpush": webpush.send_batch}[channel]
    result = sender(notice, todo, journal)
    _maybe_done(notice_id)
    if result.get("transient"):
        raise TransientFailure(f"{result['transient']} 件が一時的に送れませんでした: {result.get('reason', '')}")
    return {"sent": result["sent"], "failed": result["failed"] + len(gone), "skipped": max(skipped, 0)}


@retried_task(max_attempts=3, backoff_s=30)
def queue_notice_task(notice_id: int) -> int:
    """Queue a scheduled notice at its ``send_at``; returns the deliveries made."""
    from .services import queue_notice

    notice = Notice.objects.get(pk=notice_id)
    if notice.state != Notice.State.SCHEDULED:
        return 0
    return queue_notice(notice)
