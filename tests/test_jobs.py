"""Background tasks (issue #12, part 1): retries with backoff, the worker lease, ingestion as a task,
CKAN ``resource_create`` answering 202, and ``kill -9`` of a worker mid-ingestion."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ckanapi
import pytest
import requests
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.ckan.models import ApiToken
from madoguchi.datastore import services as datastore
from madoguchi.datastore.models import IngestJob, ResourceVersion
from madoguchi.jobs import services as jobs
from madoguchi.jobs.models import WorkerHeartbeat
from madoguchi.jobs.worker import RetryingWorker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CALLS: list[str] = []
GIVEN_UP: list[tuple] = []
CSV = "町名,人口\n大通東1丁目,10\n大通東2丁目,20\n".encode("cp932")


@jobs.retried_task(max_attempts=3, backoff_s=10)
def flaky(name: str) -> str:
    CALLS.append(name)
    if len(CALLS) < 3:
        raise ConnectionError(f"boom {len(CALLS)}")
    return f"ok {name}"


def _record_give_up(reason: str, *args, **kwargs) -> None:
    GIVEN_UP.append((reason, args, kwargs))


@jobs.retried_task(max_attempts=2, backoff_s=5, give_up=_record_give_up)
def always_fails(n: int) -> None:
    raise ValueError(f"bad {n}")


@pytest.fixture
def queue(settings):
    """The database backend (the real queue) instead of the suite's immediate one."""
    settings.TASKS = DB_TASKS
    CALLS.clear()
    GIVEN_UP.clear()


def _work_once(worker_id: str = "test-worker") -> None:
    """What ``madoguchi worker --once`` does, in this process: run every ready task, then return."""
    RetryingWorker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                   max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run()


def _make_ready(task_id) -> None:
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_retried_task__fails_twice_then_succeeds__backoff_doubles(queue):
    result = flaky.enqueue("a")
    backoffs = []
    for attempt in (1, 2):
        before = timezone.now()
        _work_once()
        row = DBTaskResult.objects.get(pk=result.id)
        assert (row.status, len(row.worker_ids)) == ("READY", attempt)
        assert f"ConnectionError: boom {attempt}" in row.traceback
        backoffs.append(round((row.run_after - before).total_seconds()))
        _work_once()  # not due yet: nothing runs
        assert len(CALLS) == attempt
        _make_ready(result.id)
    assert backoffs == [10, 20]
    _work_once()
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == "ok a" and result.attempts == 3
    assert CALLS == ["a", "a", "a"]
    assert jobs.task_status(result.id) | {"enqueued_at": None, "started_at": None, "finished_at": None,
                                           "run_after": None} == {
        "id": result.id, "kind": "task", "task": "tests.test_jobs.flaky", "state": "done", "attempts": 3,
        "enqueued_at": None, "started_at": None, "finished_at": None, "run_after": None,
        "error": None, "result": "ok a"}


@pytest.mark.django_db(transaction=True)
def test_retried_task__last_attempt_fails__failed_with_reason_and_give_up_runs_once(queue):
    result = always_fails.enqueue(7)
    _work_once()
    assert GIVEN_UP == [] and DBTaskResult.objects.get(pk=result.id).status == "READY"
    _make_ready(result.id)
    _work_once()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and len(row.worker_ids) == 2 and "ValueError: bad 7" in row.traceback
    assert GIVEN_UP == [("ValueError: bad 7", (7,), {})]
    assert jobs.task_status(result.id)["error"] == "ValueError: bad 7"


def test_retried_task__immediate_backend__one_attempt_then_give_up(db):
    GIVEN_UP.clear()
    result = always_fails.enqueue(1)
    assert result.status == "FAILED" and GIVEN_UP == [("ValueError: bad 1", (1,), {})]


def _claimed_by(result_id, worker_id: str, *, started_ago_s: float) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=result_id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - dt.timedelta(seconds=started_ago_s))
    return DBTaskResult.objects.get(pk=row.pk)


@pytest.mark.django_db(transaction=True)
def test_lease__task_of_dead_worker_requeued_then_failed_after_max_attempts(queue, settings):
    settings.JOBS_LEASE_S = 30
    jobs.beat("dead", now=timezone.now() - dt.timedelta(seconds=120))
    jobs.beat("alive")
    lost = always_fails.enqueue(1)
    busy = always_fails.enqueue(2)
    _claimed_by(lost.id, "dead", started_ago_s=100)
    _claimed_by(busy.id, "alive", started_ago_s=100)  # a long task of a live worker: left alone

    assert jobs.reap_lost() == [(lost.id, "requeued")]
    row = DBTaskResult.objects.get(pk=lost.id)
    assert row.status == "READY" and "ワーカーが応答しなくなりました (worker lost)" in row.traceback
    assert 4 <= (row.run_after - timezone.now()).total_seconds() <= 5  # its backoff
    assert DBTaskResult.objects.get(pk=busy.id).status == "RUNNING"
    assert jobs.reap_lost() == []  # nothing twice

    _claimed_by(lost.id, "dead", started_ago_s=100)  # the 2nd (last) attempt dies too
    assert jobs.reap_lost() == [(lost.id, "failed")]
    row = DBTaskResult.objects.get(pk=lost.id)
    assert row.status == "FAILED" and row.finished_at is not None
    assert row.exception_class_path == "madoguchi.jobs.services.WorkerLost"
    assert row.traceback.startswith(jobs.WORKER_LOST_MESSAGE)
    assert GIVEN_UP == [(jobs.WORKER_LOST_MESSAGE, (1,), {})]
    assert not DBTaskResult.objects.filter(status="RUNNING").exclude(pk=busy.id).exists()

    jobs.forget_worker("alive")  # a worker that stopped (heartbeat gone) is lost as well
    assert jobs.reap_lost() == [(busy.id, "requeued")]


@pytest.mark.django_db(transaction=True)
def test_lease__recent_task_of_a_worker_without_heartbeat_waits_for_the_lease(queue, settings):
    settings.JOBS_LEASE_S = 30
    result = always_fails.enqueue(1)
    _claimed_by(result.id, "gone", started_ago_s=5)
    assert jobs.reap_lost() == []
    assert jobs.reap_lost(now=timezone.now() + dt.timedelta(seconds=31)) == [(result.id, "requeued")]


@pytest.mark.django_db
def test_heartbeat__one_row_per_worker_updated(settings):
    jobs.beat("w1", now=timezone.now() - dt.timedelta(seconds=50))
    jobs.beat("w1")
    row = WorkerHeartbeat.objects.get()
    assert row.pid == os.getpid() and (timezone.now() - row.seen_at).total_seconds() < 5
    assert row.started_at < row.seen_at


def test_send_mail_later__goes_through_the_mail_task(db):
    result = jobs.send_mail_later("件名", "本文", ["a@example.jp", ""])
    assert result.status == "SUCCESSFUL"
    assert [(m.subject, m.to) for m in mail.outbox] == [("件名", ["a@example.jp"])]
    assert jobs.send_mail_later("件名", "本文", []) is None


@pytest.mark.django_db(transaction=True)
def test_send_mail_later__queued_then_sent_by_the_worker(queue):
    jobs.send_mail_later("件名", "本文", ["a@example.jp"])
    assert mail.outbox == []
    _work_once()
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]


# --- ingestion as a task -------------------------------------------------------------------------


def _job(dataset, data: bytes = CSV, name: str = "pop.csv") -> IngestJob:
    return datastore.create_job(dataset=dataset, resource_name="人口", original_name=name, chunks=[data])


@pytest.mark.django_db(transaction=True)
def test_ingest_job__queued_then_run_by_the_worker__upload_removed(queue, make_dataset, client, admin_user):
    job = _job(make_dataset("pop", "人口"))
    datastore.enqueue_job(job)
    assert datastore.job_status(job.pk)["state"] == "queued"
    _work_once()
    status = datastore.job_status(job.pk)
    assert status["state"] == "done" and status["version"] == 1 and status["error"] is None
    assert ResourceVersion.objects.count() == 1
    assert not datastore.snapshots.upload_exists(job.upload_path)
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 403
    client.force_login(admin_user)
    body = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert body["state"] == "done" and body["resource_id"] == status["resource_id"]
    assert client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_ingest_job__run_again_after_publishing__no_second_version(make_dataset):
    job = _job(make_dataset("pop", "人口"))
    datastore.enqueue_job(job)  # immediate backend: done
    IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.RUNNING)  # as if the worker died here
    datastore.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and ResourceVersion.objects.count() == 1 and job.version.number == 1


def test_ingest_job__two_attempts_publishing_at_once__one_version(make_dataset, monkeypatch, media_root):
    real = datastore.ingest_file
    published = []

    def twice(**kw):  # a second attempt publishes while this one is in flight
        published.append(real(**kw))
        return real(**kw)

    monkeypatch.setattr(datastore, "ingest_file", twice)
    job = _job(make_dataset("pop", "人口"))
    datastore.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.version == published[0]
    assert ResourceVersion.objects.count() == 1
    tables = list((Path(media_root) / "datastore").rglob("table.parquet"))
    assert [str(p.relative_to(media_root)) for p in tables] == [published[0].snapshot_path]


BAD_JSON = b'[{"a": 1},\n {"a": 2,,}]'


def test_ingest_job__bad_file__failed_with_file_row_column_not_retried(make_dataset):
    job = _job(make_dataset("pop", "人口"), BAD_JSON, "bad.json")
    result = datastore.enqueue_job(job)
    status = datastore.job_status(job.pk)
    assert status["state"] == "failed"
    assert (status["error"]["file"], status["error"]["row"], status["error"]["column"]) == ("bad.json", 2, 10)
    assert status["error"]["text"].startswith("bad.json 2行目 列 10: JSON の構文が壊れています")
    assert DBTaskResult.objects.count() == 0 and result  # immediate backend: no queue row, one attempt


@pytest.mark.django_db(transaction=True)
def test_ingest_job__unexpected_error__retried_then_failed_with_reason(queue, make_dataset, monkeypatch):
    monkeypatch.setattr(datastore, "ingest_file", lambda **kw: (_ for _ in ()).throw(OSError("disk gone")))
    job = _job(make_dataset("pop", "人口"))
    task_id = datastore.enqueue_job(job)
    for attempt in (1, 2, 3):
        _work_once()
        _make_ready(task_id)
        state = IngestJob.objects.get(pk=job.pk).state
        assert state == ("failed" if attempt == 3 else "queued")
    job.refresh_from_db()
    assert "disk gone" in job.error["message"] and DBTaskResult.objects.get(pk=task_id).status == "FAILED"
    assert not datastore.snapshots.upload_exists(job.upload_path)


@pytest.mark.django_db(transaction=True)
def test_ckan_resource_create__202_then_poll_the_job_with_ckanapi(queue, live_server, make_dataset):
    make_dataset("pop", "人口")
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    ckan = ckanapi.RemoteCKAN(live_server.url, apikey=ApiToken.issue(user, "test")[1])
    response = requests.post(f"{live_server.url}/api/3/action/resource_create",
                             headers={"Authorization": ApiToken.issue(user, "raw")[1]},
                             data={"package_id": "pop", "name": "町丁別"}, files={"upload": ("pop.csv", CSV)})
    assert response.status_code == 202 and response.json()["success"] is True
    res = ckan.action.resource_create(package_id="pop", name="人口", upload=("pop.csv", io.BytesIO(CSV)))  # ckanapi: 202 is fine
    job = res["datastore_job"]
    assert res["id"] is None and res["name"] == "人口" and job["state"] == "queued"
    assert job["url"] == f"{live_server.url}/api/v1/jobs/{job['id']}"
    assert ckan.action.datastore_job_show(id=job["id"])["state"] == "queued"
    _work_once()
    shown = ckan.action.datastore_job_show(id=job["id"])
    assert shown["state"] == "done" and shown["version"] == 1
    rows = ckan.action.datastore_search(resource_id=shown["resource_id"])["records"]
    assert [(r["町名"], r["人口"]) for r in rows] == [("大通東1丁目", 10), ("大通東2丁目", 20)]

    bad = ckan.action.resource_create(package_id="pop", name="壊れた", upload=("bad.json", io.BytesIO(BAD_JSON)))
    _work_once()
    shown = ckan.action.datastore_job_show(id=bad["datastore_job"]["id"])
    assert shown["state"] == "failed" and shown["resource_id"] is None
    assert (shown["error"]["file"], shown["error"]["row"], shown["error"]["column"]) == ("bad.json", 2, 10)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(live_server.url).action.datastore_job_show(id=job["id"])
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_job_show(id="00000000-0000-0000-0000-000000000000")


# --- kill -9 of a worker mid-ingestion ----------------------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(tmp_path: Path, media_root, name: str, extra_env: dict) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "MADOGUCHI_TASKS_BACKEND"}
    env.update(DATABASE_URL=_database_url(), MADOGUCHI_MEDIA_ROOT=str(media_root),
               MADOGUCHI_DATA_DIR=str(tmp_path / "data"), MADOGUCHI_JOBS_LEASE_S="2", **extra_env)
    with open(tmp_path / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "worker", "--interval", "0.1",
                                 "--worker-id", name], env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_ingestion__second_worker_retries__one_version_nothing_running(
        queue, make_dataset, media_root, tmp_path):
    lines = ["町名,年齢,人口"] + [f"大通東{i % 50}丁目,{i % 100},{i}" for i in range(20_000)]
    job = _job(make_dataset("pop", "人口"), "\n".join(lines).encode("cp932"), "big.csv")
    task_id = datastore.enqueue_job(job)
    first = _worker(tmp_path, media_root, "first", {"MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S": "60"})
    second = None
    try:
        _wait_for(lambda: IngestJob.objects.get(pk=job.pk).stage == "write" or first.poll() is not None, 60,
                  "the first worker to reach the write stage")
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert DBTaskResult.objects.get(pk=task_id).status == "RUNNING"  # what the dead worker left
        second = _worker(tmp_path, media_root, "second", {})
        _wait_for(lambda: IngestJob.objects.get(pk=job.pk).state in ("done", "failed") or second.poll() is not None,
                  90, "the second worker to finish the job")
        assert second.poll() is None, (tmp_path / "second.log").read_text()
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    job.refresh_from_db()
    row = DBTaskResult.objects.get(pk=task_id)
    assert job.state == "done", job.error
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["first", "second"]
    assert ResourceVersion.objects.filter(resource__dataset__slug="pop").count() == 1
    assert job.version.row_count == 20_000
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    assert not WorkerHeartbeat.objects.filter(pk="second").exists()  # it stopped cleanly
