"""Where version files live, how they are written atomically, and orphan clean-up.

Layout under ``MEDIA_ROOT``::

    datastore/tmp/<uuid>/               being written (never read by anyone)
    datastore/v/<resource_id>/<uuid>/   complete: original/<file name>, table.parquet

A version directory is renamed from ``tmp/`` into ``v/`` (one atomic rename on
one filesystem) only when all its files are written and fsynced; the database
row that makes it visible is committed after that. A process killed at any
point leaves either a ``tmp`` directory or an unreferenced ``v`` directory,
both removed by ``remove_orphans``: ``madoguchi cleanup`` runs it (``madoguchi quickstart``
runs that before serving; in production run it before starting the app servers and
from cron — leftovers are invisible to readers, they only take disk space).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

TABLE_FILE = "table.parquet"


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "datastore"


def new_work_dir() -> Path:
    """Create and return a fresh private directory under ``datastore/tmp``."""
    path = root() / "tmp" / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def write_original(work: Path, name: str, data: bytes) -> Path:
    """Write the uploaded bytes unchanged to ``work/original/<name>``."""
    safe = Path(name).name or "upload.bin"
    target = work / "original" / safe
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return target


def write_table(work: Path, table: pa.Table) -> Path:
    """Write ``table`` as ``work/table.parquet`` (zstd, 64k-row groups), fsynced."""
    target = work / TABLE_FILE
    pq.write_table(table, target, compression="zstd", row_group_size=65536)
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    return target


def commit_dir(work: Path, resource_id: int) -> Path:
    """Move a finished work directory to its final place; return the final path."""
    final = root() / "v" / str(resource_id) / work.name
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, final)
    return final


def relative(path: Path) -> str:
    return str(path.relative_to(settings.MEDIA_ROOT))


def absolute(rel: str) -> Path:
    return Path(settings.MEDIA_ROOT) / rel


def remove_orphans(referenced: set[str], *, min_age_seconds: float = 0) -> list[str]:
    """Delete work dirs and version dirs no database row references.

    :param referenced: relative paths (as stored) of version directories in use
    :param min_age_seconds: leave directories younger than this (an ingestion may
        be running in another process); 0 removes all
    :returns: the relative paths removed
    """
    removed: list[str] = []
    now = time.time()
    candidates = []
    tmp = root() / "tmp"
    if tmp.exists():
        candidates += list(tmp.iterdir())
    versions = root() / "v"
    if versions.exists():
        candidates += [d for res in versions.iterdir() for d in res.iterdir()
                       if relative(d) not in referenced]
    for path in candidates:
        if now - path.stat().st_mtime < min_age_seconds:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(relative(path))
    return removed
