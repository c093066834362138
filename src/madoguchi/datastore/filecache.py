"""Local read-through cache of immutable datastore files kept in remote storage.

DuckDB and pyarrow read Parquet from a local path. When the ``datastore``
storage is not local disk (S3), ``fetch`` downloads a file once to
``DATASTORE_CACHE_DIR/<key>`` (a temp name, then an atomic rename, so a reader
never sees half a file) and returns that path. Keys name immutable files
(``datastore/v/<resource>/<uuid>/…``), so a cached copy never goes stale.
The cache is bounded by ``DATASTORE_CACHE_MAX_MB``: after each download the
least recently used files go (a hit marks a file used by its mtime); files
used in the last ``KEEP_RECENT_S`` seconds are never evicted, so a file a
query has just been handed is not deleted under it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

#: a file used this recently is neither evicted nor re-touched
KEEP_RECENT_S = 60.0

_evict_lock = threading.Lock()


def cache_root() -> Path:
    return Path(settings.DATASTORE_CACHE_DIR)


def path_for(key: str) -> Path:
    """The cache path of storage ``key``.

    :raises ValueError: a key that would leave the cache directory
    """
    root = cache_root().resolve()
    path = (root / key).resolve()
    if root not in path.parents:
        raise ValueError(f"bad storage key {key!r}")
    return path


def lookup(key: str) -> Path | None:
    """The cached copy of ``key`` (marked used), or ``None``."""
    path = path_for(key)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    if time.time() - mtime > KEEP_RECENT_S:
        try:
            os.utime(path)
        except FileNotFoundError:  # evicted meanwhile
            return None
    return path


def fetch(storage, key: str) -> Path:
    """Local path of ``key`` of ``storage``, downloaded on first use.

    :raises FileNotFoundError: (or the storage's own error) the key does not exist
    """
    hit = lookup(key)
    if hit is not None:
        return hit
    target = path_for(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".dl-")
    try:
        with os.fdopen(fd, "wb") as out:
            _download(storage, key, out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    evict(keep=target)
    return target


def adopt(key: str, local_file: Path) -> Path | None:
    """Move a just-uploaded local file into the cache as ``key`` (no download later).

    :returns: the cache path, or ``None`` when it could not be moved (other filesystem)
    """
    target = path_for(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(local_file, target)
    except OSError:
        return None
    evict(keep=target)
    return target


def forget(prefix: str) -> None:
    """Drop cached copies of every key under ``prefix`` (a deleted version)."""
    path = path_for(prefix)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def evict(*, keep: Path | None = None) -> list[Path]:
    """Delete least recently used files until the cache fits ``DATASTORE_CACHE_MAX_MB``.

    :returns: the files deleted
    """
    limit = settings.DATASTORE_CACHE_MAX_MB * 1024 * 1024
    with _evict_lock:
        files = []
        for dirpath, _dirs, names in os.walk(cache_root()):
            for name in names:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _m, size, _p in files)
        removed = []
        now = time.time()
        for mtime, size, path in sorted(files, key=lambda f: f[0]):
            if total <= limit:
                break
            if name_is_temp(path) and now - mtime > 3600:  # left by a killed download
                path.unlink(missing_ok=True)
                total -= size
                continue
            if path == keep or name_is_temp(path) or now - mtime < KEEP_RECENT_S:
                continue
            path.unlink(missing_ok=True)
            total -= size
            removed.append(path)
        return removed


def name_is_temp(path: Path) -> bool:
    return path.name.startswith(".dl-")


def _download(storage, key: str, out) -> None:
    """Copy ``key`` into the open binary file ``out``: with django-storages' S3 file object
    straight from S3 (managed, ranged transfer), else through ``storage.open``."""
    with storage.open(key, "rb") as src:
        obj = getattr(src, "obj", None)
        if obj is not None and hasattr(obj, "download_fileobj"):
            obj.download_fileobj(out, Config=getattr(storage, "transfer_config", None))
        else:
            shutil.copyfileobj(src, out, 1 << 20)
