"""The ingestion pipeline: read → infer types → write snapshot → publish.

``ingest_file`` is the one entry point (CLI, staff upload, bundle loader and
later the CKAN ``resource_create`` all call it through ``services``).
"""

from __future__ import annotations

import errno
import gc
import hashlib
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import hooks, snapshots
from .normalize import normalize_table
from .errors import IngestError
from .typedtable import check_type_names, type_table
from .reading import read_table, sniff_format
from .reading.base import MEDIA_TYPES, TABULAR_FORMATS, is_zip
from .tablewriter import write_typed_table

log = logging.getLogger("madoguchi.ingest")
Progress = Callable[[str, float], None]

#: test hook: seconds to sleep after the snapshot is written, before publishing
#: (lets a test SIGKILL an ingestion at its most delicate point). Never set in production.
PAUSE_ENV = "MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S"
#: test hook: the same, after the files are under their final keys (uploaded to S3), before the row is committed
PAUSE_COMMITTED_ENV = "MADOGUCHI_TEST_PAUSE_BEFORE_ROW_S"


@dataclass
class IngestOptions:
    """Reader and typing options. ``sheet``: XLSX sheet name or 1-based index; ``json_path``:
    dotted path to the records array; ``encoding``/``delimiter``: skip detection.

    ``types``: ``{column name: Frictionless type}`` (``integer``, ``number``, ``boolean``, ``date``,
    ``datetime``, ``time``, ``string``) set by staff instead of inference; a cell that does not fit
    fails the ingestion (``IngestError`` code ``type_override_unfit``, nothing published) unless
    ``blank_unfit`` is true, which leaves such cells empty in the typed table (the original file keeps
    them; warning ``type_override_blanked`` lists rows and values).

    ``as_dict()`` is JSON and round-trips: ``IngestOptions(**options.as_dict()) == options``.
    """

    sheet: str | int | None = None
    json_path: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    types: dict[str, str] | None = None
    blank_unfit: bool = False

    def as_dict(self) -> dict:
        """The options that are set (``None``, ``""``, no types and ``blank_unfit=False`` left out)."""
        return {k: v for k, v in self.__dict__.items()
                if v not in (None, "") and not (k == "blank_unfit" and v is False) and not (k == "types" and not v)}


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
    :param progress: ``callable(stage, fraction 0..1)``; stages ``read``, ``types``, ``check``,
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
    check_type_names(options.types, file=file_name)  # before reading: a big file is not read for nothing
    raw = typed = None
    columns: list[dict] = []
    warnings: list[dict] = []
    checks: dict = {"fixes": [], "standard": None, "standard_suggestions": [], "privacy": []}
    work = snapshots.new_work_dir()
    final: str | None = None  # the version's key prefix, once its upload has started
    # The original file is written (and fsynced) and hashed on another thread
    # while this one reads and types the table.
    keeper = _OriginalWriter(work, file_name, data)
    try:
        if fmt in TABULAR_FORMATS:
            if progress:
                progress("read", 0.0)
            with _gc_paused():
                raw = read_table(fmt, data, file=file_name, options=options.as_dict(),
                                 progress=_stage(progress, "read", 0.0, 0.5))
                _check_width(raw, file_name)
                checks["fixes"] = normalize_table(raw, standard_id=dataset.standard or None)
                typed = type_table(raw, progress=_stage(progress, "types", 0.5, 0.8), release=True,
                                   types=options.types, blank_unfit=options.blank_unfit, file=file_name)
            columns = typed.columns
            warnings = raw.warnings + typed.warnings
            _check(checks, dataset=dataset, resource_name=resource_name, typed=typed, row_numbers=raw.row_numbers,
                   progress=progress)
        # The quality facts are computed on another thread while the snapshot is written
        # (both spend their time in Arrow/NumPy/Parquet code that releases the GIL).
        assessing = _Background(hooks.assess_all, fmt=fmt, data=data, file_name=file_name,
                                reader_info=dict(raw.info) if raw else {}, typed=typed,
                                report={**checks, "warnings": warnings}, row_numbers=raw.row_numbers if raw else None)
        if progress:
            progress("write", 0.85)
        original, sha256 = keeper.result()
        if typed is not None:
            write_typed_table(work, typed)  # the rows are made while they are written
        checks.update(assessing.result())  # registered assessors (quality: report["quality"])
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        if pause:
            time.sleep(pause)
        resource_id = _resource_for(dataset, resource_name, fmt, description).pk
        final = snapshots.version_key(resource_id, work)
        snapshots.commit_dir(work, resource_id)
    except OSError as exc:
        keeper.wait()
        shutil.rmtree(work, ignore_errors=True)
        if final is not None and not snapshots.is_local():
            _discard(final)  # part of the files may have been uploaded
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise IngestError("保存先のディスクがいっぱいです。公開中の版はそのままです。管理者に連絡してください "
                              "(no space left on the snapshot disk; nothing was published)",
                              file=file_name, code="disk_full") from exc
        raise
    except BaseException:
        keeper.wait()
        shutil.rmtree(work, ignore_errors=True)
        if final is not None and not snapshots.is_local():
            _discard(final)  # part of the files may have been uploaded
        raise
    try:
        pause = float(os.environ.get(PAUSE_COMMITTED_ENV, "0") or 0)
        if pause:
            time.sleep(pause)
        if progress:
            progress("publish", 0.95)
        version = _publish(dataset=dataset, resource_name=resource_name, final=final,
                           original=f"{final}/original/{original.name}", fmt=fmt, data=data, sha256=sha256,
                           file_name=file_name, raw=raw, typed=typed, columns=columns, warnings=warnings,
                           options=options, user=user, seconds=time.perf_counter() - started, checks=checks)
    except BaseException:
        _discard(final)
        raise
    if progress:
        progress("publish", 1.0)
    log.info("ingested %s → %s v%s (%s rows)", file_name, version.resource, version.number, version.row_count)
    return version


def _discard(prefix: str) -> None:
    """Delete an unpublished version's files; if that fails too, ``remove_orphans`` will."""
    try:
        snapshots.discard(prefix)
    except Exception:
        log.warning("could not delete unpublished %s (cleanup will)", prefix, exc_info=True)


class _OriginalWriter:
    """Write the uploaded bytes to ``work/original/`` and hash them, on a thread.

    ``result()`` waits and returns ``(path, sha256 hex)`` or raises what the
    thread raised; ``wait()`` only waits (before the work directory is removed).
    """

    def __init__(self, work: Path, file_name: str, data: bytes):
        self._path: Path | None = None
        self._sha256 = ""
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work, file_name, data),
                                        name="madoguchi-write-original", daemon=True)
        self._thread.start()

    def _run(self, work: Path, file_name: str, data: bytes) -> None:
        try:
            self._path = snapshots.write_original(work, file_name, data)
            self._sha256 = hashlib.sha256(data).hexdigest()
        except BaseException as exc:  # handed to the ingesting thread by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> tuple[Path, str]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._path, self._sha256


class _Background:
    """Run ``fn(**kwargs)`` on a thread; ``result()`` waits and returns it or raises what it raised."""

    def __init__(self, fn, **kwargs):
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, kwargs), name="madoguchi-ingest-helper",
                                        daemon=True)
        self._thread.start()

    def _run(self, fn, kwargs) -> None:
        try:
            self._value = fn(**kwargs)
        except BaseException as exc:  # handed to the ingesting thread by result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector (re-entrant, thread-safe).

    Reading and typing create millions of short-lived objects and no reference
    cycles; full collections triggered by them only cost time.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _check_width(raw, file_name: str) -> None:
    """Refuse a table wider than ``DATASTORE_MAX_COLUMNS`` before any per-column work.

    :raises IngestError: code ``too_many_columns``
    """
    from django.conf import settings

    limit = settings.DATASTORE_MAX_COLUMNS
    if len(raw.header) > limit:
        raise IngestError(f"列が多すぎます ({len(raw.header):,} 列)。{limit:,} 列までの表にしてください "
                          f"(too many columns; the limit is {limit:,}, as Excel's)",
                          file=file_name, row=raw.info.get("header_row"), code="too_many_columns")


def _check(checks: dict, *, dataset, resource_name: str, typed, row_numbers, progress: Progress | None) -> None:
    """The registered table checks (``datastore.hooks``), before anything is written: standard
    conformance or suggestions (standards app), then the privacy gate (privacy app).

    :raises IngestError: a check stopped publishing (``PrivacyBlocked``: personal data found and
        not overridden on a public dataset)
    """
    if progress:
        progress("check", 0.8)
    for check in hooks.table_checks():
        check(checks, dataset=dataset, resource_name=resource_name, typed=typed, row_numbers=row_numbers)


def _resource_for(dataset, name: str, fmt: str, description: str):
    from madoguchi.catalog.models import Resource

    position = dataset.resources.count()
    resource, _ = Resource.objects.get_or_create(
        dataset=dataset, name=name,
        defaults={"format": fmt.upper(), "position": position, "description": description})
    return resource


@transaction.atomic
def _publish(*, dataset, resource_name, final: str, original: str, fmt, data, file_name, raw, typed, columns,
             warnings, options, user, seconds, sha256: str | None = None, checks: dict | None = None):
    from madoguchi.catalog.models import Resource
    from madoguchi.catalog.services import reindex_dataset

    from .models import ResourceVersion

    resource = Resource.objects.select_for_update().get(dataset=dataset, name=resource_name)
    number = (resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    info = dict(raw.info) if raw else {}
    report = {
        "file": file_name, "format": fmt, "bytes": len(data), "seconds": round(seconds, 3),
        "rows": typed.num_rows if typed is not None else None,
        "columns": columns, "warnings": warnings, "reader": info, "options": options.as_dict(),
        **(checks or {}),
    }
    if info.get("metadata"):
        # offered by the file (RDF-style #license, #attribution_name …); the Dataset is not changed
        report["metadata"] = info["metadata"]
    version = ResourceVersion.objects.create(
        resource=resource, number=number, original_name=file_name,
        original_path=original, original_bytes=len(data),
        sha256=sha256 or hashlib.sha256(data).hexdigest(), media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
        format=fmt, encoding=info.get("encoding") or "",
        snapshot_path=f"{final}/{snapshots.TABLE_FILE}" if typed is not None else "",
        row_count=typed.num_rows if typed is not None else None, columns=columns, report=report,
        created_by=user if (user is not None and getattr(user, "pk", None)) else None,
    )
    resource.current_version = version
    resource.format = fmt.upper()
    resource.save(update_fields=["current_version", "format"])
    dataset.modified = timezone.now()
    dataset.save(update_fields=["modified"])
    reindex_dataset(dataset)
    return version
