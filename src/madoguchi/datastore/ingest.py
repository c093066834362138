"""The ingestion pipeline: read → infer types → write snapshot → publish.

``ingest_file`` is the one entry point (CLI, staff upload, bundle loader and
later the CKAN ``resource_create`` all call it through ``services``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import snapshots
from .errors import IngestError
from .inference import build_table
from .reading import read_table, sniff_format
from .reading.base import MEDIA_TYPES, TABULAR_FORMATS, is_zip

log = logging.getLogger("madoguchi.ingest")
Progress = Callable[[str, float], None]

#: test hook: seconds to sleep after the snapshot is written, before publishing
#: (lets a test SIGKILL an ingestion at its most delicate point). Never set in production.
PAUSE_ENV = "MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S"


@dataclass
class IngestOptions:
    """Reader options. ``sheet``: XLSX sheet name or 1-based index; ``json_path``:
    dotted path to the records array; ``encoding``/``delimiter``: skip detection."""

    sheet: str | int | None = None
    json_path: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


def _stage(progress: Progress | None, name: str, lo: float, hi: float):
    if progress is None:
        return None
    return lambda fraction: progress(name, lo + (hi - lo) * fraction)


def ingest_file(*, dataset, resource_name: str, data: bytes, file_name: str, options: IngestOptions | None = None,
                user=None, progress: Progress | None = None, description: str = ""):
    """Ingest one file as a new version of resource ``resource_name`` of ``dataset``.

    The resource is created if it does not exist. On success the new version is
    published (``Resource.current_version``) in one transaction; on any error
    nothing is published and the previous version stays current.

    :param data: the file's bytes (kept unchanged as the downloadable original)
    :param file_name: the name as uploaded (its extension helps detect the format)
    :param progress: ``callable(stage, fraction 0..1)``; stages ``read``, ``types``,
        ``write``, ``publish``
    :returns: the published ``ResourceVersion``
    :raises IngestError: the file cannot be read (message names file, row, column)
    """
    options = options or IngestOptions()
    started = time.perf_counter()
    if not data:
        raise IngestError("ファイルが空です (the file is empty)", file=file_name, code="empty")
    fmt = sniff_format(file_name, data[:8192])
    if fmt == "xlsx" and not is_zip(data):
        raise IngestError("XLSX として読めません。ファイルが壊れているか、Excel ファイルではありません (not a zip container)",
                          file=file_name, code="not_xlsx")
    if fmt == "xls":
        raise IngestError("古い Excel 形式 (.xls) は読めません。.xlsx か CSV で保存し直してください",
                          file=file_name, code="xls")
    raw = table = None
    columns: list[dict] = []
    warnings: list[dict] = []
    if fmt in TABULAR_FORMATS:
        if progress:
            progress("read", 0.0)
        raw = read_table(fmt, data, file=file_name, options=options.as_dict(),
                         progress=_stage(progress, "read", 0.0, 0.5))
        table, columns, type_warnings = build_table(raw, progress=_stage(progress, "types", 0.5, 0.85))
        warnings = raw.warnings + type_warnings
    work = snapshots.new_work_dir()
    try:
        if progress:
            progress("write", 0.85)
        original = snapshots.write_original(work, file_name, data)
        if table is not None:
            snapshots.write_table(work, table)
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        if pause:
            time.sleep(pause)
        final = snapshots.commit_dir(work, _resource_for(dataset, resource_name, fmt, description).pk)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        if progress:
            progress("publish", 0.95)
        version = _publish(dataset=dataset, resource_name=resource_name, final=final,
                           original=final / "original" / original.name, fmt=fmt, data=data,
                           file_name=file_name, raw=raw, table=table, columns=columns, warnings=warnings,
                           options=options, user=user, seconds=time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    if progress:
        progress("publish", 1.0)
    log.info("ingested %s → %s v%s (%s rows)", file_name, version.resource, version.number, version.row_count)
    return version


def _resource_for(dataset, name: str, fmt: str, description: str):
    from madoguchi.catalog.models import Resource

    position = dataset.resources.count()
    resource, _ = Resource.objects.get_or_create(
        dataset=dataset, name=name,
        defaults={"format": fmt.upper(), "position": position, "description": description})
    return resource


@transaction.atomic
def _publish(*, dataset, resource_name, final: Path, original: Path, fmt, data, file_name, raw, table, columns,
             warnings, options, user, seconds):
    from madoguchi.catalog.models import Resource
    from madoguchi.catalog.services import reindex_dataset

    from .models import ResourceVersion

    resource = Resource.objects.select_for_update().get(dataset=dataset, name=resource_name)
    number = (resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    info = dict(raw.info) if raw else {}
    report = {
        "file": file_name, "format": fmt, "bytes": len(data), "seconds": round(seconds, 3),
        "rows": table.num_rows if table is not None else None,
        "columns": columns, "warnings": warnings, "reader": info, "options": options.as_dict(),
    }
    version = ResourceVersion.objects.create(
        resource=resource, number=number, original_name=file_name,
        original_path=snapshots.relative(original), original_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
        format=fmt, encoding=info.get("encoding") or "",
        snapshot_path=snapshots.relative(final / snapshots.TABLE_FILE) if table is not None else "",
        row_count=table.num_rows if table is not None else None, columns=columns, report=report,
        created_by=user if (user is not None and getattr(user, "pk", None)) else None,
    )
    resource.current_version = version
    resource.format = fmt.upper()
    resource.save(update_fields=["current_version", "format"])
    dataset.modified = timezone.now()
    dataset.save(update_fields=["modified"])
    reindex_dataset(dataset)
    return version
