"""The datastore on S3-compatible object storage (issue #12, part 3), against moto in server mode.

A local S3 server (moto's ``ThreadedMotoServer`` on a free loopback port) runs once
for this module; each test gets its own bucket and switches ``STORAGES["datastore"]``
to it through the same function the settings use (``MADOGUCHI_STORAGE=s3``).
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import time
import uuid
from pathlib import Path

import boto3
import openpyxl
import pyarrow.parquet as pq
import pytest

from madoguchi.catalog.models import Resource
from madoguchi.datastore import filecache, ingest as ingest_module, query, services, snapshots
from madoguchi.datastore.models import ResourceVersion
from madoguchi.settings import datastore_storage

CSV = ("区,町名,人口,調査日\n"
       "中央区,大通東1丁目,120,令和2年3月1日\n"
       "北区,北8条西1丁目,45,令和2年4月1日\n"
       "東区,=SUM(A1),8,令和2年4月1日\n").encode("cp932")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from loopback import free_port  # noqa: E402  (the benchmarks' and soak's helper)


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "避難所"
    ws.append(["名称", "収容人数"])
    ws.append(["第一小学校", 300])
    ws.append(["市民会館", 1200])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch, tmp_path):
    """Datastore storage switched to a fresh bucket; yields a boto3 client for checking it."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "ap-northeast-1"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"madoguchi-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="ap-northeast-1")
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    settings.STORAGES = {**settings.STORAGES, "datastore": datastore_storage({
        "MADOGUCHI_STORAGE": "s3", "MADOGUCHI_S3_BUCKET": bucket,
        "MADOGUCHI_S3_ENDPOINT_URL": moto_endpoint, "MADOGUCHI_S3_REGION": "ap-northeast-1"})}
    settings.DATASTORE_CACHE_DIR = tmp_path / "cache"
    client.bucket = bucket
    assert not snapshots.is_local()
    return client


def _keys(s3, prefix: str = "") -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket, Prefix=prefix)
    return {o["Key"] for page in pages for o in page.get("Contents", [])}


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _local_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in Path(media_root).rglob("*") if p.is_file())


def test_settings__local_by_default_s3_by_environment():
    assert datastore_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = datastore_storage({"MADOGUCHI_STORAGE": "s3", "MADOGUCHI_S3_BUCKET": "b",
                            "MADOGUCHI_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "MADOGUCHI_S3_REGION": "r"})
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (s3["OPTIONS"]["bucket_name"], s3["OPTIONS"]["endpoint_url"], s3["OPTIONS"]["region_name"]) == (
        "b", "http://127.0.0.1:9000", "r")
    from django.core.exceptions import ImproperlyConfigured
    for bad in ({"MADOGUCHI_STORAGE": "s3"}, {"MADOGUCHI_STORAGE": "ftp"}):
        with pytest.raises(ImproperlyConfigured):
            datastore_storage(bad)


def test_csv_and_xlsx__ingested_queried_exported_downloaded_from_s3(s3, ingest, make_dataset, client, media_root,
                                                                     settings):
    dataset = make_dataset()
    v_csv = ingest(CSV, "町丁別人口.csv", dataset=dataset, resource="人口")
    v_xlsx = ingest(_xlsx(), "避難所.xlsx", dataset=dataset, resource="避難所")
    prefix_csv = v_csv.snapshot_path.rsplit("/", 1)[0]
    assert v_csv.original_path == f"{prefix_csv}/original/町丁別人口.csv"
    assert _keys(s3) == {v_csv.original_path, v_csv.snapshot_path, v_xlsx.original_path, v_xlsx.snapshot_path}
    # nothing of the versions on the app server's disk (work dirs gone)
    assert _local_files(media_root) == []

    # records: first from the table cached at ingestion, then (cache emptied) downloaded again
    for _ in range(2):
        body = client.get(f"/api/v1/resources/{v_csv.resource_id}/records", {"sort": "人口 desc"}).json()
        assert [(r["町名"], r["人口"], r["調査日"]) for r in body["records"]] == [
            ("大通東1丁目", 120, "2020-03-01"), ("北8条西1丁目", 45, "2020-04-01"), ("=SUM(A1)", 8, "2020-04-01")]
        assert body["total"] == 3
        filecache.forget("datastore")
        query._cache.clear()  # the result cache would answer without reading the file
    xlsx_rows = client.get(f"/api/v1/resources/{v_xlsx.resource_id}/records").json()["records"]
    assert [(r["名称"], r["収容人数"]) for r in xlsx_rows] == [("第一小学校", 300), ("市民会館", 1200)]
    assert filecache.lookup(v_xlsx.snapshot_path) is not None  # read through the local cache

    # exports: built once, stored beside the snapshot in the bucket
    urls = client.get(f"/api/v1/resources/{v_csv.resource_id}").json()["downloads"]
    csv_text = _body(client.get(urls["csv"])).decode("utf-8-sig")
    assert csv_text.splitlines()[0].split(",") == ['"_id"', '"区"', '"町名"', '"人口"', '"調査日"']
    assert "'=SUM(A1)" in csv_text  # formula neutralized as on local disk
    table = pq.read_table(io.BytesIO(_body(client.get(urls["parquet"]))))
    assert table.num_rows == 3 and table.column("人口").to_pylist() == [120, 45, 8]
    assert {f"{prefix_csv}/export.csv", f"{prefix_csv}/export.parquet"} <= _keys(s3)
    filecache.forget("datastore")
    again = _body(client.get(urls["csv"])).decode("utf-8-sig")  # from the bucket, not rebuilt
    assert again == csv_text

    # the original, streamed from the bucket, byte for byte
    response = client.get(urls["original"])
    assert response.status_code == 200 and response["Content-Length"] == str(len(CSV))
    assert hashlib.sha256(_body(response)).hexdigest() == hashlib.sha256(CSV).hexdigest() == v_csv.sha256
    xlsx_original = client.get(f"/datasets/{dataset.slug}/resources/{v_xlsx.resource_id}/versions/1/original")
    assert hashlib.sha256(_body(xlsx_original)).hexdigest() == v_xlsx.sha256
    assert client.get(urls["original"], HTTP_IF_NONE_MATCH=f'"{v_csv.sha256}"').status_code == 304

    # the SQL sandbox reads the same snapshots
    from madoguchi.datastore.sql import run_sql
    result = run_sql(f'SELECT sum("人口") AS n FROM "{v_csv.resource_id}"', {str(v_csv.resource_id): v_csv})
    assert result.records == [{"n": 173}]

    # orphans: a version prefix nobody references goes, published ones (and exports) stay
    stray = f"datastore/v/{v_csv.resource_id}/{uuid.uuid4().hex}"
    s3.put_object(Bucket=s3.bucket, Key=f"{stray}/table.parquet", Body=b"x")
    assert services.remove_orphans(min_age_seconds=3600) == []
    assert services.remove_orphans() == [stray]
    assert _keys(s3, stray) == set()
    assert {v_csv.snapshot_path, v_csv.original_path, f"{prefix_csv}/export.csv"} <= _keys(s3)


def test_failed_publish__nothing_visible_and_uploaded_keys_deleted(s3, ingest, make_dataset, monkeypatch, client):
    v1 = ingest(CSV, "a.csv", resource="r")

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ingest_module, "_publish", boom)
    with pytest.raises(RuntimeError):
        ingest(b"x,y\n1,2\n", "b.csv", dataset=v1.resource.dataset, resource="r")
    assert list(ResourceVersion.objects.values_list("number", flat=True)) == [1]
    assert _keys(s3, "datastore/v/") == {v1.original_path, v1.snapshot_path}
    assert client.get(f"/api/v1/resources/{v1.resource_id}/records").json()["total"] == 3


def test_killed_between_upload_and_publish__invisible_then_removed_by_cleanup(s3, ingest, monkeypatch, client,
                                                                              media_root):
    v1 = ingest(CSV, "a.csv", resource="r")
    # a process killed after the upload and before the commit runs no clean-up at all
    monkeypatch.setattr(ingest_module, "_discard", lambda prefix: None)
    monkeypatch.setattr(ingest_module, "_publish", lambda **kw: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        ingest(b"x,y\n1,2\n", "b.csv", dataset=v1.resource.dataset, resource="r")
    left = _keys(s3, "datastore/v/") - {v1.original_path, v1.snapshot_path}
    assert len(left) == 2 and {k.rsplit("/", 1)[1] for k in left} == {"b.csv", "table.parquet"}
    assert Resource.objects.get(pk=v1.resource_id).current_version_id == v1.pk
    assert client.get(f"/api/v1/resources/{v1.resource_id}/records").json()["total"] == 3

    assert services.remove_orphans(min_age_seconds=3600) == []  # could still be an ingestion running
    removed = services.remove_orphans()
    assert removed == [next(iter(left)).split("/original/")[0].split("/table.parquet")[0]]
    assert _keys(s3, "datastore/v/") == {v1.original_path, v1.snapshot_path}
    assert _local_files(media_root) == []


def test_staff_uploads__saved_read_listed_deleted_in_the_bucket(s3):
    key = snapshots.save_upload("job-1", iter([b"a,b\n", b"1,2\n"]))
    assert key == "datastore/uploads/job-1.upload"
    assert _keys(s3, "datastore/uploads/") == {key}
    assert snapshots.upload_exists(key) and not snapshots.upload_exists("datastore/uploads/none.upload")
    assert snapshots.read_upload(key) == b"a,b\n1,2\n"
    with snapshots.open_upload(key) as fh:
        assert fh.read(4) == b"a,b\n"
    [(listed, job, modified)] = snapshots.list_uploads()
    assert (listed, job) == (key, "job-1") and abs(modified - time.time()) < 120
    snapshots.delete_upload(key)
    assert _keys(s3) == set() and not snapshots.upload_exists(key)


def test_local_storage__uploads_keep_todays_paths(media_root, settings):
    assert snapshots.is_local()
    key = snapshots.save_upload("job-2", [b"x"])
    assert (Path(media_root) / "datastore" / "uploads" / "job-2.upload").read_bytes() == b"x"
    assert snapshots.local_path(key) == Path(media_root) / key  # used in place, no copy
    assert [k for k, _j, _m in snapshots.list_uploads()] == [key]
    snapshots.delete_upload(key)
    assert not snapshots.upload_exists(key)


def test_cache__bounded_least_recently_used_go_first(settings, tmp_path):
    settings.DATASTORE_CACHE_DIR = tmp_path / "cache"
    settings.DATASTORE_CACHE_MAX_MB = 1
    old = time.time() - 3600
    paths = {}
    for i, name in enumerate(["a", "b", "c"]):
        path = filecache.path_for(f"datastore/v/1/{name}/table.parquet")
        path.parent.mkdir(parents=True)
        path.write_bytes(b"\0" * 400_000)
        os.utime(path, (old + i, old + i))
        paths[name] = path
    assert filecache.lookup("datastore/v/1/a/table.parquet") == paths["a"]  # a is now the most recent
    removed = filecache.evict()
    assert removed == [paths["b"]] and paths["a"].exists() and paths["c"].exists()
    with pytest.raises(ValueError):
        filecache.path_for("../../etc/passwd")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkill_after_upload_before_commit__invisible_then_removed_by_cleanup(s3, ingest, make_dataset, client,
                                                                               moto_endpoint, media_root, tmp_path):
    """A real ``madoguchi ingest`` process on S3, SIGKILLed when its files are in the bucket
    and its version row is not committed yet."""
    import signal
    import subprocess
    import sys

    from django.db import connection

    v1 = ingest(CSV, "v1.csv", dataset=make_dataset("pop", "人口"), resource="人口")
    db = connection.settings_dict
    url = (f"sqlite:///{db['NAME']}" if connection.vendor == "sqlite" else
           f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    big = tmp_path / "big.csv"
    big.write_bytes("\n".join(["町名,人口"] + [f"町{i},{i}" for i in range(20_000)]).encode())
    env = dict(os.environ, DATABASE_URL=url, MADOGUCHI_MEDIA_ROOT=str(media_root),
               MADOGUCHI_DATA_DIR=str(tmp_path / "data"), MADOGUCHI_STORAGE="s3", MADOGUCHI_S3_BUCKET=s3.bucket,
               MADOGUCHI_S3_ENDPOINT_URL=moto_endpoint, MADOGUCHI_S3_REGION="ap-northeast-1",
               **{ingest_module.PAUSE_COMMITTED_ENV: "60"})
    proc = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "ingest", str(big), "--dataset", "pop",
                             "--resource", "人口", "--no-progress"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    published = {v1.original_path, v1.snapshot_path}
    try:
        deadline = time.monotonic() + 60
        while len(_keys(s3, "datastore/v/") - published) < 2 and proc.poll() is None:
            assert time.monotonic() < deadline, "the ingestion never uploaded its files"
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = _keys(s3, "datastore/v/") - published
    assert {k.rsplit("/", 1)[1] for k in left} == {"big.csv", "table.parquet"}
    assert list(ResourceVersion.objects.values_list("number", flat=True)) == [1]
    assert client.get(f"/api/v1/resources/{v1.resource_id}/records").json()["total"] == 3
    removed = services.remove_orphans()
    assert removed == [min(left).split("/original/")[0]]
    assert _keys(s3, "datastore/v/") == published
