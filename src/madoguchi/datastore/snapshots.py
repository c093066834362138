"""Where version files live, how they are written atomically, read, and cleaned up.

Files go through the Django storage named ``datastore`` (``STORAGES``): local
disk under ``MEDIA_ROOT`` by default, an S3-compatible bucket when
``MADOGUCHI_STORAGE=s3``. A *key* is the path stored in the database and is the
same in both (under ``MEDIA_ROOT`` locally, the object key in the bucket)::

    datastore/tmp/<uuid>/               being written; always on local disk, never read by anyone
    datastore/v/<resource_id>/<uuid>/   complete: original/<file name>, table.parquet, export.<fmt>
    datastore/uploads/<job>.upload      a staff upload waiting for its ingestion job

A version is built in a local work directory. When all its files are written
and fsynced it is committed under its final key (``commit_dir``: one atomic
rename on local disk, an upload of each file to S3); the database row that
makes it visible is committed after that. A process killed at any point leaves
either a ``tmp`` directory or an unreferenced ``v`` prefix, both removed by
``remove_orphans``: ``madoguchi cleanup`` runs it (``madoguchi quickstart`` runs
that before serving; in production run it before starting the app servers and
from cron — leftovers are invisible to readers, they only take space).

Readers call ``local_path(key)`` (DuckDB/pyarrow need a path): the file itself
on local disk, else a copy in the read-through cache (``filecache``).
Downloads of originals stream from the storage (``open_file``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages

from . import filecache

TABLE_FILE = "table.parquet"
PREFIX = "datastore"
UPLOADS = f"{PREFIX}/uploads"


def storage():
    """The ``datastore`` storage (``STORAGES["datastore"]``)."""
    return storages["datastore"]


def is_local() -> bool:
    """True when the datastore storage is local disk (files are read in place)."""
    return isinstance(storage(), FileSystemStorage)


def root() -> Path:
    """The local ``MEDIA_ROOT/datastore`` (work dirs; with local storage, everything)."""
    return Path(settings.MEDIA_ROOT) / PREFIX


# --- writing a version --------------------------------------------------------------------------

def new_work_dir() -> Path:
    """Create and return a fresh private directory under ``datastore/tmp`` (local disk)."""
    path = root() / "tmp" / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def write_original(work: Path, name: str, data: bytes) -> Path:
    """Write the uploaded bytes unchanged to ``work/original/<name>`` (``name`` without any
    directory part, ``/`` or ``\\``; ``upload.bin`` if nothing is left)."""
    safe = Path(name.replace("\\", "/")).name
    if safe in ("", ".", ".."):
        safe = "upload.bin"
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


def version_key(resource_id: int, work: Path) -> str:
    """The key prefix ``commit_dir`` puts ``work`` under: ``datastore/v/<resource_id>/<uuid>``."""
    return f"{PREFIX}/v/{resource_id}/{work.name}"


def commit_dir(work: Path, resource_id: int) -> str:
    """Put a finished work directory under its final key; return that key prefix.

    Local storage: one atomic rename to ``datastore/v/<resource_id>/<uuid>``. Remote
    storage: every file is uploaded under that prefix, the table is kept in the read
    cache and the work directory removed. Either way nothing references the prefix
    until the caller commits the version row (on failure call ``discard``).

    :returns: ``"datastore/v/<resource_id>/<uuid>"``
    :raises OSError: local disk; the storage's errors (e.g. botocore) for S3 — the
        prefix may then hold part of the files: ``discard`` it
    """
    key = version_key(resource_id, work)
    if is_local():
        final = absolute(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work, final)
        return key
    st = storage()
    files = sorted(p for p in work.rglob("*") if p.is_file())
    for path in files:
        name = f"{key}/{path.relative_to(work).as_posix()}"
        with open(path, "rb") as fh:
            saved = st.save(name, File(fh))
        if saved != name:  # the database will name it; a storage that renames breaks that
            raise OSError(f"storage saved {name!r} as {saved!r}")
    table = work / TABLE_FILE
    if table.is_file():
        filecache.adopt(f"{key}/{TABLE_FILE}", table)  # the first query here needs no download
    shutil.rmtree(work, ignore_errors=True)
    return key


def discard(prefix: str) -> None:
    """Delete every file under key ``prefix`` (an unpublished or orphaned version)."""
    if is_local():
        shutil.rmtree(absolute(prefix), ignore_errors=True)
        return
    st = storage()
    for key in walk(prefix):
        st.delete(key)
    filecache.forget(prefix)


def write_derived(key: str, build: Callable[[object], None]) -> Path:
    """Return a local path of the derived file ``key`` (e.g. an export), building it once.

    ``build(fh)`` writes the content to an open binary file. The file is made under a
    temp name and renamed (local) or uploaded and then cached (remote), so concurrent
    callers at worst build it twice and readers never see half of it.
    """
    if is_local():
        target = absolute(key)
        if target.exists():
            return target
        directory = target.parent
    else:
        hit = filecache.lookup(key)
        if hit is not None:
            return hit
        if storage().exists(key):
            return filecache.fetch(storage(), key)
        directory = filecache.path_for(key).parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as fh:
            build(fh)
        if is_local():
            os.replace(tmp, target)
            return target
        with open(tmp, "rb") as fh:
            storage().save(key, File(fh))
        return filecache.adopt(key, Path(tmp)) or filecache.fetch(storage(), key)
    finally:
        Path(tmp).unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------------

def local_path(key: str) -> Path:
    """A local path of the immutable file ``key`` (a snapshot, an original, an export).

    Local storage: the file itself (no copy). Remote storage: a copy in the read-through
    cache, downloaded on first use (``filecache``).

    :raises FileNotFoundError: (or the storage's own error) no such key
    """
    if is_local():
        return absolute(key)
    return filecache.fetch(storage(), key)


def open_file(key: str):
    """An open binary file object reading ``key`` from the storage, streamed (for downloads).

    :raises FileNotFoundError: (or the storage's own error) no such key
    """
    if is_local():
        return open(absolute(key), "rb")
    handle = storage().open(key, "rb")
    obj = getattr(handle, "obj", None)  # django-storages S3: stream the body instead of spooling it
    if obj is not None and hasattr(obj, "get"):
        return obj.get()["Body"]
    return handle


def read_bytes(key: str) -> bytes:
    """The whole content of ``key`` (originals, for re-assessment)."""
    with open_file(key) as fh:
        return fh.read()


def relative(path: Path) -> str:
    """The key of a local ``path`` under ``MEDIA_ROOT``."""
    return str(Path(path).relative_to(settings.MEDIA_ROOT))


def absolute(rel: str) -> Path:
    """The local path of key ``rel`` under ``MEDIA_ROOT`` (meaningful for local storage
    and local work dirs only; readers use ``local_path``)."""
    return Path(settings.MEDIA_ROOT) / rel


def walk(prefix: str) -> list[str]:
    """Every file key under ``prefix`` (recursively, with the storage's ``listdir``)."""
    st = storage()
    try:
        dirs, files = st.listdir(prefix)
    except FileNotFoundError:
        return []
    keys = [f"{prefix}/{name}" for name in files]
    for d in dirs:
        keys += walk(f"{prefix}/{d}")
    return keys


def _listdirs(prefix: str) -> list[str]:
    try:
        return storage().listdir(prefix)[0]
    except FileNotFoundError:
        return []


def _age_seconds(prefix: str, now: float) -> float:
    """Seconds since anything under ``prefix`` was last written (0 for an empty prefix)."""
    if is_local():
        try:
            return now - absolute(prefix).stat().st_mtime
        except FileNotFoundError:
            return 0.0
    times = [storage().get_modified_time(key).timestamp() for key in walk(prefix)]
    return now - max(times) if times else 0.0


# --- clean-up ------------------------------------------------------------------------------------

def remove_orphans(referenced: set[str], *, min_age_seconds: float = 0) -> list[str]:
    """Delete local work dirs and version prefixes no database row references.

    :param referenced: version prefixes (``datastore/v/<resource>/<uuid>``) in use
    :param min_age_seconds: leave prefixes written to more recently than this (an
        ingestion may be running in another process); 0 removes all
    :returns: the keys (prefixes) removed
    """
    removed: list[str] = []
    now = time.time()
    tmp = root() / "tmp"
    if tmp.exists():
        for path in tmp.iterdir():
            if now - path.stat().st_mtime < min_age_seconds:
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(relative(path))
    versions = f"{PREFIX}/v"
    for res in _listdirs(versions):
        for name in _listdirs(f"{versions}/{res}"):
            key = f"{versions}/{res}/{name}"
            if key in referenced or _age_seconds(key, now) < min_age_seconds:
                continue
            discard(key)
            removed.append(key)
    return removed


# --- staff uploads -------------------------------------------------------------------------------

def upload_key(job_id) -> str:
    return f"{UPLOADS}/{job_id}.upload"


def save_upload(job_id, chunks: Iterable[bytes]) -> str:
    """Store an uploaded file (an iterable of byte chunks, e.g. ``UploadedFile.chunks()``)
    for ingestion job ``job_id``, where any worker can read it.

    :returns: its key (``datastore/uploads/<job_id>.upload``; store it in ``IngestJob.upload_path``)
    """
    key = upload_key(job_id)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        storage().save(key, File(spool, name=key))
    return key


def open_upload(key: str):
    """An open binary file object reading the upload ``key``.

    :raises FileNotFoundError: (or the storage's own error) it was deleted
    """
    return open_file(key)


def read_upload(key: str) -> bytes:
    """The bytes of the upload ``key`` (what ``ingest_file`` takes)."""
    return read_bytes(key)


def upload_exists(key: str) -> bool:
    return bool(key) and storage().exists(key)


def delete_upload(key: str) -> None:
    """Delete the upload ``key`` (no error if it is already gone)."""
    if key:
        storage().delete(key)


def list_uploads() -> list[tuple[str, str, float]]:
    """Every stored upload as ``(key, job id, modified time as a Unix timestamp)``, by key."""
    try:
        files = storage().listdir(UPLOADS)[1]
    except FileNotFoundError:
        return []
    out = []
    for name in sorted(files):
        if name.endswith(".upload"):
            key = f"{UPLOADS}/{name}"
            out.append((key, name[: -len(".upload")], storage().get_modified_time(key).timestamp()))
    return out
