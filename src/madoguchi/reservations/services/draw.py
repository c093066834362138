"""Running the draw of a period and publishing what makes it verifiable.

``run_draw`` does, in one transaction: the pre-draw check (invalid entries
are marked with their reason), the anonymized entry list (published CSV,
its SHA-256 stored), the draw itself by ``verify_draw.draw`` **on that very
CSV** (so the published script must reproduce it), the results, a Booking
for every winner (the unique constraint on active bookings makes a double
booking impossible), and the reveal of the seed. Notices go out after commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import notices, verify_draw
from ..errors import ReservationError
from ..models import (Booking, BookingSource, EntryStatus, LotteryEntry, LotteryPeriod, LotteryResult,
                      Outcome)
from .lottery import find_problems


@dataclass
class DrawSummary:
    period_id: int
    entries: int
    invalid: int
    won: int
    passed: int
    lost: int
    entries_sha256: str


def pseudonym(period: LotteryPeriod, entry: LotteryEntry) -> str:
    """The applicant's name in the published list: 16 hex digits of HMAC-SHA-256
    with the period's secret salt; the same applicant has the same pseudonym
    within one period only."""
    who = f"g{entry.group_id}" if entry.group_id else f"m{entry.member_id}"
    return hmac.new(bytes.fromhex(period.pseudonym_salt), who.encode(), hashlib.sha256).hexdigest()[:16]


def priority_rank(period: LotteryPeriod, code: str) -> int:
    """Rank of a priority class in the period's rules (0 first); no class = after all listed."""
    classes = period.effective_rules["priority_classes"]
    return classes.index(code) if code in classes else len(classes)


def anonymized_entries_csv(period: LotteryPeriod, entries) -> bytes:
    """The published entry list (UTF-8, LF; columns ``verify_draw.ENTRY_FIELDS``), entry id order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(verify_draw.ENTRY_FIELDS)
    for e in sorted(entries, key=lambda e: e.pk):
        slot = e.slot
        writer.writerow([e.pk, pseudonym(period, e), slot.pk, slot.unit.facility.slug, slot.unit.code,
                         timezone.localtime(slot.start).isoformat(), timezone.localtime(slot.end).isoformat(),
                         priority_rank(period, e.priority_class), e.preference])
    return out.getvalue().encode("utf-8")


def _save(path: str, data: bytes) -> str:
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(data))


def run_draw(period: LotteryPeriod, *, now: dt.datetime | None = None) -> DrawSummary:
    """Draw a whole period at once (rule: ``verify_draw`` module docstring).

    Raises ``ReservationError``: ``already_drawn``; ``too_early`` before the
    period's draw time (or while the window is open); ``already_booked`` if a
    winner's unit and time got an active booking some other way (nothing is
    written then). Returns counts and the SHA-256 of the published entry list.
    """
    now = now or timezone.now()
    given = period
    with transaction.atomic():
        period = LotteryPeriod.objects.select_for_update().get(pk=period.pk)
        if period.drawn_at is not None:
            raise ReservationError("already_drawn", f"「{period.title}」はすでに抽選済みです", "period")
        if now < period.draw_at or now < period.application_closes_at:
            raise ReservationError("too_early", f"抽選は {timezone.localtime(period.draw_at):%Y-%m-%d %H:%M} 以降に"
                                   "実行できます", "period")
        problems = find_problems(period)
        for p in problems:
            LotteryEntry.objects.filter(pk=p.entry_id).update(status=EntryStatus.INVALID, invalid_reason=p.message)
        entries = list(LotteryEntry.objects.filter(period=period, status=EntryStatus.ACTIVE)
                       .select_related("slot__unit__facility"))
        entries_csv = anonymized_entries_csv(period, entries)
        table = verify_draw.read_entries(io.StringIO(entries_csv.decode("utf-8")))
        result = verify_draw.draw(bytes.fromhex(period.seed_hex), table, period.effective_rules["keep_rule"])
        rows = result.rows(table)
        out = io.StringIO()
        verify_draw.write_results(rows, out)
        by_id = {e.pk: e for e in entries}
        winners = [by_id[r[0]] for r in rows if r[2] == "won"]
        bookings = [Booking(unit_id=e.slot.unit_id, slot=e.slot, start=e.slot.start, end=e.slot.end,
                            member_id=e.member_id, group_id=e.group_id, source=BookingSource.LOTTERY,
                            fee_yen=e.slot.fee_yen) for e in winners]
        try:
            with transaction.atomic():
                Booking.objects.bulk_create(bookings, batch_size=1000)
        except IntegrityError:
            raise ReservationError("already_booked", "当選枠の一部に別の予約があります。予約を確認してから抽選してください",
                                   "period") from None
        booking_of = {b.slot_id: b for b in bookings}
        LotteryResult.objects.bulk_create(
            [LotteryResult(entry_id=r[0], outcome=r[2], rank=r[3],
                           booking=booking_of.get(r[1]) if r[2] == "won" else None) for r in rows],
            batch_size=2000)
        base = f"reservations/periods/{period.pk}"
        period.entries_file = _save(f"{base}/entries.csv", entries_csv)
        period.entries_sha256 = hashlib.sha256(entries_csv).hexdigest()
        period.results_file = _save(f"{base}/results.csv", out.getvalue().encode("utf-8"))
        period.drawn_at = period.seed_revealed_at = now
        fields = ["entries_file", "entries_sha256", "results_file", "drawn_at", "seed_revealed_at"]
        period.save(update_fields=fields)
        for name in fields:  # the caller's object shows the draw too
            setattr(given, name, getattr(period, name))
        period_id = period.pk
        transaction.on_commit(lambda: notices.notify_draw_results(period_id))
    counts = {o: sum(1 for r in rows if r[2] == o) for o in Outcome.values}
    return DrawSummary(period_id=period.pk, entries=len(rows), invalid=len(problems), won=counts["won"],
                       passed=counts["passed"], lost=counts["lost"], entries_sha256=period.entries_sha256)


def enqueue_draw(period: LotteryPeriod):
    """Queue the draw of ``period`` as a background task (``reservations.tasks.draw_period``; run by
    ``madoguchi worker``, which then queues one mail task per applicant). Requested twice, it runs once:
    the second task finds the period drawn (``already_drawn``).

    :returns: the ``TaskResult`` (``id`` for ``/api/v1/jobs/<id>``; ``status``/``return_value`` when
        the backend ran it at once)
    """
    from ..tasks import draw_period

    return draw_period.enqueue(period.pk)


def published_file(period: LotteryPeriod, which: str) -> bytes:
    """The published ``entries`` or ``results`` CSV of a drawn period.

    Raises ``ReservationError`` ``not_drawn`` before the draw.
    """
    path = {"entries": period.entries_file, "results": period.results_file}[which]
    if not period.drawn_at or not path:
        raise ReservationError("not_drawn", "抽選の後に公開します", "period")
    with default_storage.open(path, "rb") as f:
        return f.read()


def verification_command(period: LotteryPeriod) -> str:
    """The command line that checks a drawn period with the published script."""
    return ("python -m madoguchi.reservations.verify_draw "
            f"--seed {period.revealed_seed or 'SEED'} --seed-hash {period.seed_sha256} "
            f"--entries entries.csv --entries-sha256 {period.entries_sha256 or 'SHA256'} "
            f"--keep-rule {period.effective_rules['keep_rule']} --results results.csv")

