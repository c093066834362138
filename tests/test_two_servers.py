"""More than one machine (issue #12, part 4): two ``madoguchi serve`` processes on two loopback ports and one
``madoguchi worker`` share PostgreSQL and an S3 bucket (moto in server mode); nothing is shared on disk (each
process has its own data directory, media root and Parquet cache).

* a version ingested through server A (CKAN ``resource_create`` → 202 → the worker) is served by server B
  within 1 s of the job's end, although B had the previous version in its caches;
* the staff draw requested on A and on B at the same moment runs once;
* two citizens booking one slot at the same moment, one through A and one through B: one booking.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from madoguchi.ckan.models import ApiToken

from .test_reservations_factories import NOW, make_facility, make_member, make_period, slot_at

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BUCKET = "madoguchi-two-servers"

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from loopback import free_port  # noqa: E402  (the benchmarks' and soak's helper)


def _wait(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    import boto3

    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket=BUCKET)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def cluster(s3, tmp_path):
    """Server A, server B and one worker on the test database and the bucket; yields their base URLs."""
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share PostgreSQL (the CI's second pass: DATABASE_URL=postgres://…)")
    s = connection.settings_dict
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith("MADOGUCHI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base_env.update({
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
                        f"{s['NAME']}",
        "MADOGUCHI_SECRET_KEY": settings.SECRET_KEY,  # sessions made here (force_login) are valid there
        "MADOGUCHI_STORAGE": "s3", "MADOGUCHI_S3_BUCKET": BUCKET,
        "MADOGUCHI_S3_ENDPOINT_URL": s3, "MADOGUCHI_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "MADOGUCHI_LOG_LEVEL": "ERROR", "MADOGUCHI_JOBS_LEASE_S": "30"})
    procs, urls = [], []

    def start(name: str, *args: str) -> subprocess.Popen:
        env = dict(base_env, MADOGUCHI_DATA_DIR=str(tmp_path / name), MADOGUCHI_MEDIA_ROOT=str(tmp_path / name / "m"))
        log = open(tmp_path / f"{name}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", *args], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    for name in ("a", "b"):
        port = free_port()
        start(name, "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}")
        urls.append(f"http://127.0.0.1:{port}")
    start("worker", "worker", "--interval", "0.1")
    for url in urls:
        _wait(lambda: _answers(url), 60, f"{url} to answer")
    try:
        yield urls
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v1/datasets", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _ckan(url: str, action: str, token: str, **kw) -> requests.Response:
    return requests.post(f"{url}/api/3/action/{action}", headers={"Authorization": token}, timeout=60, **kw)


def _ingest_through(url: str, token: str, name: str, body: bytes, resource_id: int | None = None) -> None:
    action, params = ("resource_update", {"id": resource_id}) if resource_id else \
        ("resource_create", {"package_id": "two", "name": "表"})
    answer = _ckan(url, action, token, data=params, files={"upload": (name, body, "text/csv")})
    assert answer.status_code in (200, 202), answer.text
    job = answer.json()["result"]["datastore_job"]["id"]

    def done():
        state = _ckan(url, "datastore_job_show", token, json={"id": job}).json()["result"]["state"]
        assert state != "failed", state
        return state == "done"

    _wait(done, 120, f"job {job}", interval=0.02)


def _records(url: str, rid: int) -> dict:
    return requests.get(f"{url}/api/v1/resources/{rid}/records", timeout=10).json()


def test_a_version_ingested_through_one_server_is_served_by_the_other_within_1_s(cluster):
    a, b = cluster
    staff = get_user_model().objects.create_user("two-clerk", password="x", is_staff=True)
    token = ApiToken.issue(staff, "two")[1]
    package = {"name": "two", "title": "二台の表", "owner_org": "two-city", "notes": "二台のサーバーで読む表"}
    created = _ckan(a, "package_create", token, json=package)
    if created.status_code != 200:  # the organization first
        from madoguchi.catalog import services as catalog

        catalog.ensure_organization("two-city", "二台市")
        created = _ckan(a, "package_create", token, json=package)
    assert created.status_code == 200, created.text
    _ingest_through(a, token, "v1.csv", "区,人数\n北,1\n".encode())
    from madoguchi.catalog.models import Resource

    rid = Resource.objects.get(dataset__slug="two").pk
    first = _records(b, rid)  # B reads v1 from the bucket and caches resource, index and results
    assert first["version"] == 1 and first["records"][0]["人数"] == 1

    _ingest_through(a, token, "v2.csv", "区,人数\n北,2\n南,3\n".encode(), resource_id=rid)
    ended = time.monotonic()
    second = _wait(lambda: (r := _records(b, rid))["version"] == 2 and r, 5, "B to serve version 2", interval=0.02)
    assert time.monotonic() - ended < 1.0
    assert [row["人数"] for row in second["records"]] == [2, 3]
    assert "二台の表" in requests.get(f"{b}/datasets/two/", timeout=10).text


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _post_both(urls: list[str], path: str, cookies: list[str]) -> list[int]:
    token = _get_new_csrf_string()
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = [0] * len(urls)

    def post(i: int) -> None:
        barrier.wait()
        statuses[i] = requests.post(f"{urls[i]}{path}", data={"csrfmiddlewaretoken": token, "applicant": "self"},
                                    cookies={"sessionid": cookies[i], "csrftoken": token},
                                    headers={"Referer": urls[i]}, allow_redirects=False, timeout=60).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_a_draw_requested_on_both_servers_at_once_runs_once(cluster):
    from madoguchi.reservations import services as reservations
    from madoguchi.reservations.models import Booking, LotteryEntry, LotteryPeriod

    tennis = make_facility("tennis")
    period = make_period()
    reservations.generate_slots([tennis], dt.date(2026, 7, 1), dt.date(2026, 7, 3))
    slot = slot_at(tennis, 1, 1, 9)
    for n in range(5):
        reservations.apply_entry(period, slot, make_member(f"抽選 {n}", email=f"draw{n}@example.jp"), now=NOW)
    LotteryPeriod.objects.filter(pk=period.pk).update(application_closes_at=timezone.now() - dt.timedelta(hours=2),
                                                      draw_at=timezone.now() - dt.timedelta(hours=1))
    staff = get_user_model().objects.create_user("draw-clerk", password="x", is_staff=True, is_superuser=True)
    cookie = _session_cookie(staff)
    statuses = _post_both(cluster, f"/reservations/staff/periods/{period.pk}/draw", [cookie, cookie])
    assert statuses == [302, 302], statuses  # both requests accepted (each queues the draw)
    _wait(lambda: LotteryPeriod.objects.get(pk=period.pk).drawn_at is not None, 60, "the draw")
    from django_tasks_db.models import DBTaskResult

    _wait(lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"],
                                                  task_path__endswith="draw_period").exists(), 60, "the queue")
    assert Booking.objects.filter(slot=slot).count() == 1  # one winner for the one slot
    draws = DBTaskResult.objects.filter(task_path__endswith="draw_period")
    assert draws.count() == 2 and all(d.status == "SUCCESSFUL" for d in draws)
    mails = DBTaskResult.objects.filter(task_path__endswith="send_mail_task")
    assert mails.count() == 5  # one result mail per applicant: the draw ran once
    assert LotteryEntry.objects.filter(period=period).count() == 5


def test_one_slot_booked_through_both_servers_at_once_gives_one_booking(cluster):
    from madoguchi.reservations import services as reservations
    from madoguchi.reservations.models import Booking, Slot

    facility = make_facility("race")
    day = timezone.localdate() + dt.timedelta(days=3)
    reservations.generate_slots([facility], day, day)
    slot = Slot.objects.filter(unit__facility=facility).order_by("start", "unit").first()
    cookies = []
    for n in range(2):
        member = make_member(f"競争 {n}", email=f"race{n}@example.jp")
        cookies.append(_session_cookie(member.user))
    statuses = _post_both(cluster, f"/reservations/slots/{slot.pk}/book", cookies)
    assert sorted(statuses) == [302, 409], statuses
    assert Booking.objects.filter(slot=slot).count() == 1
