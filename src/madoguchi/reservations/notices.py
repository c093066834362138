"""Notice hook: tell applicants their results (and other events) over channels.

A channel is a function ``send(member, subject, body, *, event)``
registered under a string id; ``notify`` calls every channel named in the
setting ``RESERVATIONS_NOTICE_CHANNELS`` (default ``("mail",)``). The built-in
``mail`` channel queues a retried mail task (``jobs.services.send_mail_later``;
Django's mail API inside, ``EMAIL_BACKEND``; tests run tasks at once with the
locmem backend), so a draw queues one mail task per applicant. Add a channel (LINE, SMS, the future ``notices`` app)::

    from madoguchi.reservations import notices

    @notices.register("line")
    def send_line(member, subject, body, *, event):
        ...

A failing channel is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Callable

from django.conf import settings
from django.utils import timezone

from madoguchi.jobs.services import send_mail_later

logger = logging.getLogger("madoguchi.reservations.notices")

CHANNELS: dict[str, Callable] = {}


def register(name: str):
    """Decorator: register a channel under ``name``. Raises ``ValueError`` if taken."""
    def wrap(fn):
        if name in CHANNELS and CHANNELS[name] is not fn:
            raise ValueError(f"notice channel {name!r} is already registered")
        CHANNELS[name] = fn
        return fn
    return wrap


@register("mail")
def send_by_mail(member, subject: str, body: str, *, event: str) -> None:
    """Queue a mail to the member's address (skipped when it has none)."""
    if member.email:
        send_mail_later(subject, body, [member.email])


def notify(member, subject: str, body: str, *, event: str) -> int:
    """Send one notice over every configured channel; returns how many channels sent it."""
    sent = 0
    for name in settings.RESERVATIONS_NOTICE_CHANNELS:
        channel = CHANNELS.get(name)
        if channel is None:
            logger.error("unknown notice channel %r", name)
            continue
        try:
            channel(member, subject, body, event=event)
            sent += 1
        except Exception as exc:  # one broken channel must not stop the others
            logger.warning("notice channel %r failed for member %s: %s", name, member.pk, exc,
                           exc_info=logger.isEnabledFor(logging.DEBUG))
    return sent


def notify_draw_results(period_id: int) -> int:
    """One notice per applicant (a group's goes to its representative) listing
    every entry with its result. Returns the number of notices."""
    from .models import LotteryPeriod, LotteryResult

    period = LotteryPeriod.objects.get(pk=period_id)
    by_member = defaultdict(list)
    results = (LotteryResult.objects.filter(entry__period=period)
               .select_related("entry__member", "entry__group", "entry__slot__unit__facility", "booking")
               .order_by("entry__pk"))
    for r in results:
        by_member[r.entry.member].append(r)
    for member, rows in by_member.items():
        lines = [f"{member.name} 様", "", f"「{period.title}」の抽選結果をお知らせします。", ""]
        for r in rows:
            e, slot = r.entry, r.entry.slot
            who = f"（{e.group.name}）" if e.group_id else ""
            start = timezone.localtime(slot.start)
            lines.append(f"申込番号 {e.pk}{who}: {slot.unit.facility.name} {slot.unit.name} "
                         f"{start:%Y-%m-%d %H:%M}〜{timezone.localtime(slot.end):%H:%M} → {r.get_outcome_display()}"
                         + (f"（予約番号 {r.booking_id}）" if r.booking_id else ""))
        lines += ["", f"抽選の検証方法と乱数シード: /reservations/lottery/{period.pk}/"]
        won = sum(1 for r in rows if r.outcome == "won")
        notify(member, f"【抽選結果】{period.title}（当選 {won} 件）", "\n".join(lines), event="draw_results")
    return len(by_member)


def notify_booking(booking, *, event: str) -> int:
    """Confirm a booking (``event="booked"``) or its cancellation (``"cancelled"``)."""
    start = timezone.localtime(booking.start)
    what = {"booked": "予約を受け付けました", "cancelled": "予約を取り消しました"}[event]
    body = (f"{booking.member.name} 様\n\n{what}。\n予約番号 {booking.pk}: {booking.unit.facility.name} "
            f"{booking.unit.name} {start:%Y-%m-%d %H:%M}〜{timezone.localtime(booking.end):%H:%M}\n"
            f"使用料 {booking.fee_yen:,} 円\n")
    return notify(booking.member, f"【施設予約】{what}（予約番号 {booking.pk}）", body, event=event)
