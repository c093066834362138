"""SIGKILL of the server after an application was stored but before the answer left (issue #14 point 3):
the client sees a broken connection, the application is in the database ("stored before acknowledged"),
and the retry with the same ``client_token`` on the restarted server answers 200 with the same reference."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from madoguchi.applications.models import Application
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

from .test_applications import DEFINITION, answers, token

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from loopback import free_port


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _serve(tmp_path: Path, port: int, name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="tests.applications_kill_settings",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
               MADOGUCHI_SECRET_KEY=settings.SECRET_KEY, MADOGUCHI_DATA_DIR=str(tmp_path / "data"),
               MADOGUCHI_MEDIA_ROOT=str(tmp_path / "media"), MADOGUCHI_TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
               MADOGUCHI_RATE_LIMITS="off", MADOGUCHI_LOG_LEVEL="ERROR")
    log = open(tmp_path / f"{name}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "serve", "--workers", "1", "--bind",
                             f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / f"{name}.log").read_text()
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/forms", timeout=2)
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("the server did not answer")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_killed_after_store__stored_and_the_retry_answers_the_same_reference(tmp_path):
    form = Form.objects.create(slug="kill-form", title="停止試験届", department="市民課", published=True)
    eforms.save_version(form, DEFINITION, None)
    port = free_port()
    body = {"form": "kill-form", "data": answers(), "email": "a@example.jp", "client_token": token(9)}
    url = f"http://127.0.0.1:{port}/api/v1/applications"

    first = _serve(tmp_path, port, "first")
    try:
        with pytest.raises(requests.ConnectionError):
            requests.post(url, json=body, headers={"X-Test-Die-After-Store": "1"}, timeout=30)
        first.wait(timeout=20)
        assert first.returncode == -signal.SIGKILL
    finally:
        _stop(first)
    stored = Application.objects.get()  # stored before it was acknowledged
    assert stored.client_token == token(9)

    second = _serve(tmp_path, port, "second")
    try:
        retry = requests.post(url, json=body, timeout=30)
    finally:
        _stop(second)
    assert retry.status_code == 200, retry.text
    assert retry.json()["reference"] == stored.reference and retry.json()["secret"] is None
    assert Application.objects.count() == 1
