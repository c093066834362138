"""SIGKILL of an ingestion in a separate process (issue #2, Done when 3).

The previous version stays served, nothing partial is visible, and
``madoguchi cleanup`` removes what the killed process left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from madoguchi.catalog.models import Resource
from madoguchi.datastore import services
from madoguchi.datastore.models import ResourceVersion

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _big_csv(path: Path, rows: int) -> None:
    lines = ["町名,年齢,人口"] + [f"大通東{i % 50}丁目,{i % 100},\"{i:,}\"" for i in range(rows)]
    path.write_bytes("\n".join(lines).encode("cp932"))


def _spawn(tmp_path: Path, media_root, file: Path, extra_env: dict) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=_database_url(), MADOGUCHI_MEDIA_ROOT=str(media_root),
               MADOGUCHI_DATA_DIR=str(tmp_path / "data"), **extra_env)
    return subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "ingest", str(file), "--dataset", "pop",
                             "--resource", "人口", "--no-progress"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def v1(ingest, make_dataset):
    return ingest("町名,年齢,人口\n大通東1丁目,0,10\n".encode("cp932"), "v1.csv",
                  dataset=make_dataset("pop", "人口"), resource="人口")


def _assert_v1_still_served(client, v1, media_root):
    resource = Resource.objects.get(pk=v1.resource_id)
    assert resource.current_version_id == v1.pk
    assert list(ResourceVersion.objects.filter(resource=resource).values_list("number", flat=True)) == [1]
    body = client.get(f"/api/v1/resources/{resource.pk}/records").json()
    assert body["version"] == 1 and body["total"] == 1 and body["records"][0]["人口"] == 10
    published_dirs = {p for p in (Path(media_root) / "datastore" / "v").rglob("table.parquet")}
    assert published_dirs == {Path(media_root) / v1.snapshot_path}


def test_sigkill_after_snapshot_written__old_version_served_and_cleanup(client, v1, media_root, tmp_path):
    big = tmp_path / "big.csv"
    _big_csv(big, 20_000)
    proc = _spawn(tmp_path, media_root, big, {"MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S": "60"})
    tmp_dir = Path(media_root) / "datastore" / "tmp"
    try:
        _wait_for(lambda: any(tmp_dir.glob("*/table.parquet")) or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    partial = list(tmp_dir.glob("*/table.parquet"))
    assert len(partial) == 1  # the killed process's snapshot exists, but nothing points at it
    _assert_v1_still_served(client, v1, media_root)
    removed = services.remove_orphans()
    assert len(removed) == 1 and removed[0].startswith("datastore/tmp/")
    assert not any(tmp_dir.iterdir())
    _assert_v1_still_served(client, v1, media_root)


def test_sigkill_while_reading__old_version_served(client, v1, media_root, tmp_path):
    big = tmp_path / "big.csv"
    _big_csv(big, 400_000)
    proc = _spawn(tmp_path, media_root, big, {})
    time.sleep(1.5)  # python start-up + reading 400k rows: killed midway
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    if not alive:
        pytest.fail("ingestion finished before it could be killed; make the file bigger")
    _assert_v1_still_served(client, v1, media_root)
    services.remove_orphans()
    leftovers = [p for p in (Path(media_root) / "datastore").rglob("*") if p.is_file()]
    assert {str(p.relative_to(media_root)) for p in leftovers} == {v1.snapshot_path, v1.original_path}


def test_cli_ingest_completes_in_subprocess(client, v1, media_root, tmp_path):
    """The same subprocess path, not killed: the new version is published."""
    big = tmp_path / "big.csv"
    _big_csv(big, 1000)
    proc = _spawn(tmp_path, media_root, big, {})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "v2" in out.decode() and "1000 rows" in out.decode()
    body = client.get(f"/api/v1/resources/{v1.resource_id}/records", {"limit": 1, "offset": 999}).json()
    assert body["version"] == 2 and body["records"][0]["人口"] == 999
