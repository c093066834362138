"""Public API of the datastore app (other apps import from here only).

* ``ingest_file`` / ``IngestOptions`` — a file becomes a new published version
* ``search_records`` — filtered, sorted, paged records of a version
* ``all_records`` — every record of a version (for services that read a whole table)
* ``export_path`` — CSV/JSON/Parquet downloads of a version; ``filtered_export`` — of the rows a query selects
* ``remove_orphans`` — delete files no version references
* ``remove_stale_uploads`` — delete kept staff uploads no job will read again
* ``create_job`` / ``enqueue_job`` / ``rerun_job`` / ``job_status`` — ingestion as a background task
  (``datastore.tasks.ingest_job``): staff uploads and CKAN ``resource_create``
* ``run_job`` / ``fail_job`` — the task's body (progress saved for the browser) and its give-up
* ``register_table_check`` / ``register_assessor`` — other apps' checks run at ingestion
  (``datastore.hooks``; standards, quality and privacy register in their ``AppConfig.ready``)
* ``data_dictionary`` / ``save_data_dictionary`` / ``reingest`` — the data dictionary of a resource
  (per column label, notes, type override; CKAN's field ``info``), kept across versions; a changed type
  override re-ingests the current original file as a job. ``ingest_file`` applies the saved overrides.

Re-exported for other apps (they import no other datastore module):
``IngestError`` / ``QueryError`` (``errors``); ``open_file`` / ``read_bytes`` / ``local_path``
(``snapshots``: stored files by key); ``read_table`` / ``sniff_format`` (``reading``),
``TABULAR_FORMATS`` / ``row_numbers_at`` / ``warning`` (``reading.base``), ``normalize_table``
(``normalize``), ``type_table`` (``typedtable``): the reader pipeline as ingestion runs it;
``run_sql`` / ``referenced_tables`` / ``SqlError`` / ``SQL_MAX_ROWS`` (``sql``: read-only SQL).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import snapshots
from .errors import IngestError, QueryError  # noqa: F401
from .hooks import register_assessor, register_table_check  # noqa: F401
from .normalize import normalize_table  # noqa: F401
from .reading import read_table, sniff_format  # noqa: F401
from .reading.base import TABULAR_FORMATS, row_numbers_at, warning  # noqa: F401
from .snapshots import local_path, open_file, read_bytes  # noqa: F401
from .sql import SQL_MAX_ROWS, SqlError, referenced_tables, run_sql  # noqa: F401
from .typedtable import type_table  # noqa: F401
from .exports import FORMATS as EXPORT_FORMATS  # noqa: F401
from .exports import export_path, filtered_export  # noqa: F401
from .dictionary import (OVERRIDE_TYPES, DictionaryError, data_dictionary, ingest_file,  # noqa: F401
                         reingest, save_data_dictionary)
from .ingest import IngestOptions  # noqa: F401
from .query import search as search_records  # noqa: F401

log = logging.getLogger("madoguchi.datastore")

_DESCRIPTION = "_description"  # key in IngestJob.options: the new resource's description (not a reader option)
#: failure codes after which a job keeps its upload, so staff can act and re-run it
KEEP_UPLOAD_CODES = {"privacy_blocked", "type_override_unfit"}


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

    :returns: removed storage keys (``datastore/uploads/<job>.upload``)
    """
    import time

    from .models import IngestJob

    active = {str(pk) for pk in IngestJob.objects.filter(
        state__in=[IngestJob.State.QUEUED, IngestJob.State.RUNNING]).values_list("pk", flat=True)}
    limit = time.time() - max_age_days * 86400
    removed = []
    for key, job_id, modified in snapshots.list_uploads():  # local disk or the bucket
        if job_id in active or modified > limit:
            continue
        snapshots.delete_upload(key)
        removed.append(key)
    return removed


def remove_orphans(*, min_age_seconds: float = 0) -> list[str]:
    """Delete version directories and work directories that no ``ResourceVersion`` references.

    :param min_age_seconds: keep younger directories (an ingestion may be running)
    :returns: removed paths, relative to ``MEDIA_ROOT``
    """
    from .models import ResourceVersion

    referenced = {str(Path(p).parent.parent) for p in ResourceVersion.objects.values_list("original_path", flat=True)}
    return snapshots.remove_orphans(referenced, min_age_seconds=min_age_seconds)


class _AlreadyPublished(Exception):
    """Another attempt of the same ingestion job published first; this publication is rolled back."""


_publishing_job: contextvars.ContextVar = contextvars.ContextVar("publishing_job", default=None)


@receiver(post_save, sender="datastore.ResourceVersion", dispatch_uid="datastore-link-job-version")
def _link_job_version(sender, instance, created, **kwargs) -> None:
    """Inside ``ingest_file``'s publishing transaction: point the running job at its version.

    Conditional on the job having none yet, so a job publishes exactly one version even if two attempts
    run (a lost worker's and its retry): the second one raises and its publication is rolled back.
    """
    from .models import IngestJob

    job_id = _publishing_job.get()
    if created and job_id is not None and not IngestJob.objects.filter(
            pk=job_id, version__isnull=True).update(version=instance):
        raise _AlreadyPublished(job_id)


def create_job(*, dataset, resource_name: str, original_name: str, chunks: Iterable[bytes], options: dict | None = None,
               user=None, description: str = ""):
    """Store an upload and make its ``IngestJob`` (state ``queued``); ``enqueue_job`` starts it.

    :param chunks: the file's bytes in chunks (e.g. ``UploadedFile.chunks()``)
    :param options: reader options (``IngestOptions`` fields: ``sheet``, ``json_path``…)
    :param description: the resource's description, if the ingestion creates it
    :returns: the saved ``IngestJob``
    """
    from .models import IngestJob

    options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    if description:
        options[_DESCRIPTION] = description
    job = IngestJob(dataset=dataset, original_name=original_name, resource_name=resource_name, options=options,
                    created_by=user if getattr(user, "pk", None) else None)
    job.upload_path = snapshots.save_upload(job.pk, chunks)
    job.save()
    return job


def enqueue_job(job) -> str:
    """Queue the ingestion task of ``job`` (``datastore.tasks.ingest_job``, 3 attempts); returns the task id.

    With the immediate task backend (tests) the job has run when this returns.
    """
    from .tasks import ingest_job

    return ingest_job.enqueue(str(job.pk)).id


def rerun_job(job, *, blank_unfit: bool = False) -> str:
    """Queue a failed job again on its kept upload (after a privacy override, or with ``blank_unfit``:
    cells that do not fit a type override become empty); returns the task id."""
    from .models import IngestJob

    update = {"state": IngestJob.State.QUEUED, "error": None, "progress": 0, "stage": ""}
    if blank_unfit:
        job.options = {**job.options, "blank_unfit": True}
        update["options"] = job.options
    IngestJob.objects.filter(pk=job.pk).update(**update)
    return enqueue_job(job)


def job_status(job_id) -> dict | None:
    """An ``IngestJob`` as a dict, or ``None`` if there is none with that id.

    Keys: ``id``, ``kind`` ("ingest"), ``state`` (``queued`` | ``running`` | ``done`` | ``failed``),
    ``stage``, ``progress`` (percent), ``dataset`` (slug), ``resource_name``, ``resource_id`` and
    ``version`` (number) once done, ``error`` (``IngestError.as_dict()``: ``message``, ``file``, ``row``,
    ``column``, ``code``… or null).
    """
    from .models import IngestJob

    try:
        job = IngestJob.objects.select_related("dataset", "version").filter(pk=job_id).first()
    except ValidationError:  # not a UUID
        return None
    if job is None:
        return None
    return {"id": str(job.pk), "kind": "ingest", "state": job.state, "stage": job.stage, "progress": job.progress,
            "dataset": job.dataset.slug, "resource_name": job.resource_name,
            "resource_id": job.version.resource_id if job.version else None,
            "version": job.version.number if job.version else None, "error": job.error}


def run_job(job_id) -> None:
    """Run an ``IngestJob``: ingest its upload, saving stage and percent as it goes (the body of the
    ``datastore.tasks.ingest_job`` task; may run again after a lost worker or a failed attempt).

    A job publishes at most one version: if it already has one (an earlier attempt published it) the
    job is just marked done; the version is linked to the job in the publishing transaction.
    A bad file (``IngestError``) fails the job with ``error`` = ``IngestError.as_dict()`` (file, row,
    column) and is not retried; the upload is then removed, except a privacy-blocked one (kept so staff
    can override and re-run it) and one whose type override did not fit (kept so staff can publish it
    with the unfit cells blank, ``rerun_job(job, blank_unfit=True)``).

    :raises Exception: anything unexpected (the job goes back to ``queued``; the task retries it and
        ``fail_job`` runs after the last attempt). The upload is kept for the retry.
    """
    from .models import IngestJob

    job = IngestJob.objects.select_related("dataset", "created_by").get(pk=job_id)
    if job.version_id is not None:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.DONE, progress=100, error=None)
        snapshots.delete_upload(job.upload_path)
        return
    last = {"p": -1}

    def progress(stage: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last["p"]:
            last["p"] = percent
            IngestJob.objects.filter(pk=job.pk).update(stage=stage, progress=percent)

    IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.RUNNING)
    options = dict(job.options)
    description = options.pop(_DESCRIPTION, "")
    token = _publishing_job.set(job.pk)
    try:
        ingest_file(dataset=job.dataset, resource_name=job.resource_name,
                    data=snapshots.read_upload(job.upload_path), file_name=job.original_name,
                    options=IngestOptions(**options), user=job.created_by, progress=progress, description=description)
    except _AlreadyPublished:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.DONE, progress=100, error=None)
    except IngestError as exc:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.FAILED, error=exc.as_dict())
        if exc.code not in KEEP_UPLOAD_CODES:
            snapshots.delete_upload(job.upload_path)
        return
    except Exception as exc:
        log.warning("ingest job %s: attempt failed: %s", job.pk, exc)
        IngestJob.objects.filter(pk=job.pk).update(
            state=IngestJob.State.QUEUED, stage="retry",
            error={"code": "internal", "message": f"再試行します (will retry): {exc}", "text": str(exc)})
        raise
    else:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.DONE, progress=100, error=None)
    finally:
        _publishing_job.reset(token)
    snapshots.delete_upload(job.upload_path)


def fail_job(job_id, reason: str) -> None:
    """Mark a job failed after its last attempt (``reason``: the error, or the lost-worker message);
    a job that published meanwhile is left done. Its upload is removed."""
    from .models import IngestJob

    job = IngestJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    if job.version_id is not None:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.DONE, progress=100, error=None)
    else:
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.FAILED, error={
            "code": "internal", "message": f"取り込みに失敗しました: {reason}", "text": reason})
    snapshots.delete_upload(job.upload_path)
