"""Freshness: is a dataset updated as often as its update frequency promises?

Periods follow the DCAT-AP frequency ids of ``catalog.models.UpdateFrequency``:
DAILY 1 day, WEEKLY 7 days, MONTHLY 1 calendar month, QUARTERLY 3 months,
ANNUAL 12 months; IRREG (不定期) and NEVER (更新なし) have no due date and are
never stale. A dataset is *due* one period after its last update and *stale*
once the grace after the due date has passed too (``GRACE_DAYS``: the time a
department reasonably needs to publish the new figures — 1 day for daily,
2 days for weekly, 7 days for monthly, 14 for quarterly, 30 for annual data).

The last update is ``Dataset.modified`` (set when a version is published),
else ``Dataset.issued``; a dataset never published counts from its creation.
Dates are calendar dates in ``settings.TIME_ZONE`` (Asia/Tokyo).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Dataset, UpdateFrequency

#: period of each frequency as (months, days)
PERIODS = {
    UpdateFrequency.DAILY: (0, 1), UpdateFrequency.WEEKLY: (0, 7), UpdateFrequency.MONTHLY: (1, 0),
    UpdateFrequency.QUARTERLY: (3, 0), UpdateFrequency.ANNUAL: (12, 0),
}
GRACE_DAYS = {
    UpdateFrequency.DAILY: 1, UpdateFrequency.WEEKLY: 2, UpdateFrequency.MONTHLY: 7,
    UpdateFrequency.QUARTERLY: 14, UpdateFrequency.ANNUAL: 30,
}


def add_period(day: dt.date, months: int, days: int) -> dt.date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day) plus ``days``."""
    if months:
        y, m = divmod(day.month - 1 + months, 12)
        year, month = day.year + y, m + 1
        day = day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
    return day + dt.timedelta(days=days)


def last_updated(dataset: Dataset) -> dt.date | None:
    """The date of the last publication (``modified``, else ``issued``), in local time."""
    if dataset.modified is not None:
        return timezone.localtime(dataset.modified).date()
    return dataset.issued


def freshness(dataset: Dataset, today: dt.date | None = None) -> dict:
    """Freshness of ``dataset`` on ``today`` (local date by default).

    :returns: ``{"frequency": id, "frequency_label": "毎月", "last_updated": date | None,
        "due": date | None (None for IRREG/NEVER), "grace_days": int, "stale": bool,
        "days_overdue": int (days past ``due``, 0 if not stale)}``
    """
    today = today or timezone.localdate()
    freq = dataset.update_frequency
    try:
        label = UpdateFrequency(freq).label
    except ValueError:
        label = freq or "未設定"
    updated = last_updated(dataset)
    out = {"frequency": freq, "frequency_label": label, "last_updated": updated, "due": None,
           "grace_days": 0, "stale": False, "days_overdue": 0}
    if freq not in PERIODS:
        return out
    base = updated or (timezone.localtime(dataset.created).date() if dataset.created else today)
    due = add_period(base, *PERIODS[freq])
    grace = GRACE_DAYS[freq]
    stale = today > due + dt.timedelta(days=grace)
    out.update(due=due, grace_days=grace, stale=stale, days_overdue=(today - due).days if stale else 0)
    return out


def stale_datasets(today: dt.date | None = None, *, include_private: bool = True) -> list[Dataset]:
    """Active datasets past their due date and grace, most overdue first.

    Each has ``.freshness`` (the dict of ``freshness``) set.
    """
    today = today or timezone.localdate()
    qs = catalog.visible_datasets(include_private).filter(update_frequency__in=list(PERIODS))
    stale = []
    for d in qs:
        d.freshness = freshness(d, today)
        if d.freshness["stale"]:
            stale.append(d)
    stale.sort(key=lambda d: (-d.freshness["days_overdue"], d.title))
    return stale
