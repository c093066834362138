"""Retention (保存期間) of applications (issue #14 point 5): delete them after ``retain_until``, keep statistics.

* ``purge_expired(*, today=None)`` — applications in a final status (完了 / 却下 / 取下げ) whose
  ``retain_until`` has passed are first counted into ``ApplicationStat(form, year, channel)`` (``year`` is the
  fiscal year, April–March, of ``submitted_at`` in local time), then deleted with their files (from storage,
  after the commit), status history, corrections and notes; expired drafts are deleted too. ``AccessLog`` rows
  stay: they keep the reference and lose the link. Applications still being processed are never deleted.
* ``purge_expired_applications`` — the same as a retried task (``madoguchi purge_applications`` runs it from
  cron daily, or enqueue it).
* ``fiscal_year_of(moment)`` — the fiscal year of a datetime (local time) or date.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from madoguchi.jobs.services import retried_task

from .files import delete_draft, delete_files
from .models import AccessLog, Application, ApplicationFile, ApplicationStat, Draft
from .status import FINAL

log = logging.getLogger("madoguchi.applications")


def fiscal_year_of(moment: dt.datetime | dt.date) -> int:
    """2026-03-31 → 2025; 2026-04-01 → 2026 (datetimes in local time)."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.year if day.month >= 4 else day.year - 1


def expired(today: dt.date | None = None):
    """Applications past their ``retain_until`` (before ``today``) and in a final status."""
    today = today or timezone.localdate()
    return Application.objects.filter(retain_until__lt=today, status__in=list(FINAL))


def purge_expired(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Count then delete expired applications (see the module docstring).

    :returns: ``{"applications": n, "files": n, "drafts": n}`` deleted
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(expired(today).select_for_update().values_list("pk", flat=True))
        apps = Application.objects.filter(pk__in=ids)
        counts: dict[tuple[int, int, str], int] = {}
        for form_id, submitted_at, channel in apps.values_list("form_id", "submitted_at", "channel"):
            key = (form_id, fiscal_year_of(submitted_at), channel)
            counts[key] = counts.get(key, 0) + 1
        for (form_id, year, channel), n in sorted(counts.items()):
            stat, _ = ApplicationStat.objects.select_for_update().get_or_create(
                form_id=form_id, year=year, channel=channel)
            stat.count += n
            stat.save(update_fields=["count"])
        for log_row in AccessLog.objects.filter(application_id__in=ids, reference="").select_related("application"):
            log_row.reference = log_row.application.reference
            log_row.save(update_fields=["reference"])
        files = list(ApplicationFile.objects.filter(application_id__in=ids).exclude(file="")
                     .values_list("file", flat=True))
        n_files = ApplicationFile.objects.filter(application_id__in=ids).count()
        n_apps = apps.count()
        apps.delete()
        old_drafts = list(Draft.objects.filter(expires_at__lt=now))
        for draft in old_drafts:  # with the files uploaded to it
            delete_draft(draft)
        drafts = len(old_drafts)
        transaction.on_commit(lambda: delete_files(files))
    if n_apps:
        log.info("purged %d applications (%d files), %d drafts", n_apps, n_files, drafts)
    return {"applications": n_apps, "files": n_files, "drafts": drafts}


def live_counts(first: dt.date, last: dt.date):
    """``(form_id, channel, count)`` of live applications submitted between two local dates (inclusive)."""
    return (Application.objects.filter(submitted_at__date__gte=first, submitted_at__date__lte=last)
            .order_by().values_list("form_id", "channel").annotate(n=Count("pk")))


@retried_task(max_attempts=3, backoff_s=300)
def purge_expired_applications() -> dict:
    """The retried task of ``purge_expired`` (run daily); returns its counts."""
    return purge_expired()
