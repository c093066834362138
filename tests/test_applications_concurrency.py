"""100 simultaneous posts of one submission (one ``client_token``) → exactly one application, and every
answer carries the same reference — on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from madoguchi.applications.models import Application, StatusChange
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

from .test_applications import DEFINITION, answers, token

REQUESTS = 100
SERVER_CONCURRENCY = 40  # PostgreSQL's default max_connections is 100; each request thread holds one


@pytest.fixture
def bounded_server_threads(live_server, monkeypatch):
    """All connections are accepted at once (backlog raised) and race; at most SERVER_CONCURRENCY run at once."""
    live_server.thread.httpd.socket.listen(REQUESTS + 28)
    gate = threading.BoundedSemaphore(SERVER_CONCURRENCY)
    original = ThreadedWSGIServer.process_request_thread

    def process_request_thread(self, request, client_address):
        with gate:
            original(self, request, client_address)

    monkeypatch.setattr(ThreadedWSGIServer, "process_request_thread", process_request_thread)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_100_simultaneous_posts_of_one_token__one_application_same_reference(live_server, bounded_server_threads):
    form = Form.objects.create(slug="race-form", title="競争届", department="市民課", published=True)
    eforms.save_version(form, DEFINITION, None)
    body = json.dumps({"form": "race-form", "data": answers(), "email": "a@example.jp",
                       "client_token": token(7)}).encode()
    start = threading.Barrier(REQUESTS)

    def post(_i: int) -> tuple[int, dict]:
        request = urllib.request.Request(f"{live_server.url}/api/v1/applications", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers_ = list(pool.map(post, range(REQUESTS)))

    statuses = sorted(code for code, _ in answers_)
    assert statuses == [200] * (REQUESTS - 1) + [201], statuses
    references = {body["reference"] for _, body in answers_}
    assert len(references) == 1
    assert [b["secret"] is not None for code, b in answers_ if code == 201] == [True]
    assert all(b["secret"] is None for code, b in answers_ if code == 200)
    assert Application.objects.count() == 1
    assert Application.objects.get().reference == references.pop()
    assert StatusChange.objects.count() == 1
