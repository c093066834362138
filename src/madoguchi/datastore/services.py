"""Public API of the datastore app (other apps import from here only).

* ``ingest_file`` / ``IngestOptions`` — a file becomes a new published version
* ``search_records`` — filtered, sorted, paged records of a version
* ``all_records`` — every record of a version (for services that read a whole table)
* ``export_path`` — CSV/JSON/Parquet downloads of a version
* ``remove_orphans`` — delete files no version references
* ``remove_stale_uploads`` — delete kept staff uploads no job will read again
* ``run_job`` / ``run_job_in_thread`` — run a staff ``IngestJob``, progress saved for the browser
"""

from __future__ import annotations

import logging
from pathlib import Path

import threading

from django.db import close_old_connections, connections

from . import snapshots
from .errors import IngestError, QueryError  # noqa: F401
from .exports import FORMATS as EXPORT_FORMATS  # noqa: F401
from .exports import export_path  # noqa: F401
from .ingest import IngestOptions, ingest_file  # noqa: F401
from .query import search as search_records  # noqa: F401

log = logging.getLogger("madoguchi.datastore")


def all_records(version, fields: list[str]) -> list[dict]:
    """Every record of a published version in ``_id`` order, ``_id`` plus ``fields``.

    Pages through ``search_records`` with the keyset (``after_id``), so each page
    is a bounded query; results of the immutable snapshot are cached by it.
    """
    from django.conf import settings

    out: list[dict] = []
    after = 0
    page = settings.DATASTORE_MAX_LIMIT_ROWS
    while True:
        chunk = search_records(version, fields=["_id", *fields], limit=page, after_id=after,
                               include_total=False)["records"]
        out.extend(chunk)
        if len(chunk) < page:
            return out
        after = chunk[-1]["_id"]


def remove_stale_uploads(*, max_age_days: float = 30) -> list[str]:
    """Delete staff uploads (``uploads/<job>.upload``) no job will read again.

    A job that is queued or running keeps its upload. A finished job's upload is
    normally deleted by ``run_job``; one blocked by the privacy gate is kept so
    staff can override and re-run it — for ``max_age_days``. Uploads of
    unknown jobs (a deleted job) go after the same time.

    :returns: removed paths, relative to ``MEDIA_ROOT``
    """
    import time

    from .models import IngestJob

    folder = snapshots.root() / "uploads"
    if not folder.is_dir():
        return []
    active = {str(pk) for pk in IngestJob.objects.filter(
        state__in=[IngestJob.State.QUEUED, IngestJob.State.RUNNING]).values_list("pk", flat=True)}
    limit = time.time() - max_age_days * 86400
    removed = []
    for path in sorted(folder.glob("*.upload")):
        if path.stem in active or path.stat().st_mtime > limit:
            continue
        path.unlink(missing_ok=True)
        removed.append(snapshots.relative(path))
    return removed


def remove_orphans(*, min_age_seconds: float = 0) -> list[str]:
    """Delete version directories and work directories that no ``ResourceVersion`` references.

    :param min_age_seconds: keep younger directories (an ingestion may be running)
    :returns: removed paths, relative to ``MEDIA_ROOT``
    """
    from .models import ResourceVersion

    referenced = {str(Path(p).parent.parent) for p in ResourceVersion.objects.values_list("original_path", flat=True)}
    return snapshots.remove_orphans(referenced, min_age_seconds=min_age_seconds)


def run_job(job_id) -> None:
    """Run an ``IngestJob``: ingest its upload, saving stage and percent as it goes.

    Errors are stored on the job (``error`` = ``IngestError.as_dict()``); the
    uploaded temp file is removed either way.
    """
    from .models import IngestJob

    job = IngestJob.objects.select_related("dataset").get(pk=job_id)
    upload = snapshots.absolute(job.upload_path)
    last = {"p": -1}

    def progress(stage: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last["p"]:
            last["p"] = percent
            IngestJob.objects.filter(pk=job.pk).update(stage=stage, progress=percent)

    IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.RUNNING)
    keep = False  # a privacy-blocked upload is kept so staff can override and re-run it
    try:
        version = ingest_file(dataset=job.dataset, resource_name=job.resource_name, data=upload.read_bytes(),
                              file_name=job.original_name, options=IngestOptions(**job.options),
                              user=job.created_by, progress=progress)
    except IngestError as exc:
        keep = exc.code == "privacy_blocked"
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.FAILED, error=exc.as_dict())
    except Exception as exc:  # report, never leave a job "running" forever
        log.exception("ingest job %s failed", job.pk)
        IngestJob.objects.filter(pk=job.pk).update(
            state=IngestJob.State.FAILED, error={"code": "internal", "message": str(exc), "text": str(exc)})
    else:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.DONE, progress=100, version=version)
    finally:
        if not keep:
            upload.unlink(missing_ok=True)


def run_job_in_thread(job_id) -> None:
    """Start ``run_job`` in a daemon thread with its own database connection."""

    def target():
        close_old_connections()
        try:
            run_job(job_id)
        finally:
            connections.close_all()

    threading.Thread(target=target, name=f"ingest-{job_id}", daemon=True).start()
