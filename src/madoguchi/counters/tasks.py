"""Background tasks of the counters app (Django's Tasks API).

* ``publish_day_task(day)`` — ``services.publish_day`` of one day (``YYYY-MM-DD``; default yesterday),
  queued by ``madoguchi counters publish-day --enqueue`` (or a scheduler).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from madoguchi.jobs.services import retried_task


@retried_task(max_attempts=3, backoff_s=60)
def publish_day_task(day: str | None = None) -> dict:
    """:returns: ``{"resource_id", "version", "rows", "created"}``"""
    from . import services

    date = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    version, created = services.publish_day(date)
    return {"resource_id": version.resource_id, "version": version.number, "rows": version.row_count,
            "created": created}
