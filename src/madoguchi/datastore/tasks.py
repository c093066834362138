"""Background tasks of the datastore (Django's Tasks API, through ``jobs.services.retried_task``).

* ``ingest_job(job_id)`` — run an ``IngestJob`` (staff upload, CKAN ``resource_create``); 3 attempts,
  30 s backoff; after the last one the job is failed with the reason. Enqueue with
  ``services.enqueue_job``.
* ``cleanup(min_age_s, upload_days)`` — what ``madoguchi cleanup`` does, as a task
  (``madoguchi cleanup --enqueue``).
"""

from __future__ import annotations

from madoguchi.jobs.services import retried_task

from . import services


def _give_up(reason: str, job_id: str) -> None:
    services.fail_job(job_id, reason)


@retried_task(max_attempts=3, backoff_s=30, give_up=_give_up)
def ingest_job(job_id: str) -> dict | None:
    """Ingest the upload of ``IngestJob`` ``job_id``; returns ``services.job_status`` when it ends."""
    services.run_job(job_id)
    return services.job_status(job_id)


@retried_task(max_attempts=2, backoff_s=300)
def cleanup(min_age_s: float = 3600, upload_days: float = 30) -> dict:
    """Remove orphan version directories older than ``min_age_s`` and stale staff uploads.

    :returns: ``{"orphans": [paths], "uploads": [paths]}``
    """
    return {"orphans": services.remove_orphans(min_age_seconds=min_age_s),
            "uploads": services.remove_stale_uploads(max_age_days=upload_days)}
