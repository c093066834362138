"""``madoguchi serve`` (issue #12, "Serving"): open live streams do not stall the site.

Starts ``madoguchi serve --workers 2`` as a subprocess on a SQLite file of its own (under
``tmp_path``, never the test database), opens 50 Server-Sent Event streams on
``/counters/stream``, then checks that the API and pages still answer at once and that a pushed
reading reaches every open stream. Under gunicorn sync workers (2 cores → 2 workers) the first
two streams would take every worker and nothing else would answer.
"""

from __future__ import annotations

import http.client
import json
import os
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
STREAMS = 50

SEED = r"""
import os, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from madoguchi.counters import services
from madoguchi.counters.models import Office
services.seed_demo(days=0)
print(services.issue_token(Office.objects.get(slug="takatsu")))
"""

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from loopback import free_port  # noqa: E402  (the benchmarks' and soak's helper)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    env = dict(os.environ, MADOGUCHI_DATA_DIR=str(tmp / "data"), DATABASE_URL=f"sqlite:///{tmp / 'serve.sqlite3'}",
               MADOGUCHI_LOG_LEVEL="ERROR", MADOGUCHI_ALLOWED_HOSTS="127.0.0.1,localhost",
               DJANGO_SETTINGS_MODULE="madoguchi.settings")
    for key in ("MADOGUCHI_TEST_DB", "MADOGUCHI_SERVE_WORKERS", "MADOGUCHI_SERVE_BIND"):
        env.pop(key, None)
    seeded = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    token = seeded.stdout.strip().splitlines()[-1]
    port = free_port()
    log = open(tmp / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "serve", "--workers", "2", "--bind",
                             f"127.0.0.1:{port}", "--timeout", "5"], env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, (tmp / "serve.log").read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert time.monotonic() < deadline, "madoguchi serve did not listen within 60 s"
            time.sleep(0.1)
    yield {"port": port, "token": token, "proc": proc}
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 10) -> tuple[int, dict, bytes, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body, headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data, time.monotonic() - started
    finally:
        conn.close()


def _open_stream(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /counters/stream?max_s=60 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    return s


def _read_until(socks: list[socket.socket], marker: bytes, timeout: float) -> dict[socket.socket, bytes]:
    """Read every socket until its data contains ``marker`` or ``timeout`` seconds pass; return what each read."""
    got = {s: b"" for s in socks}
    pending = set(socks)
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while pending and (left := deadline - time.monotonic()) > 0:
        for key, _ in sel.select(left):
            chunk = key.fileobj.recv(65536)
            got[key.fileobj] += chunk
            if marker in got[key.fileobj] or not chunk:
                pending.discard(key.fileobj)
                sel.unregister(key.fileobj)
    sel.close()
    return got


def test_50_open_streams_do_not_stall_the_site_and_a_push_reaches_them(server):
    port = server["port"]
    _request(port, "GET", "/api/v1/datasets")  # warm both workers' first request out of the timing
    _request(port, "GET", "/api/v1/datasets")
    streams = [_open_stream(port) for _ in range(STREAMS)]
    try:
        hello = _read_until(streams, b": connected", timeout=15)
        assert all(b"200 OK" in data and b"text/event-stream" in data and b": connected" in data
                   for data in hello.values()), [d[:200] for d in hello.values() if b": connected" not in d][:3]

        # the site answers while 50 streams are open
        status, _, body, seconds = _request(port, "GET", "/api/v1/datasets")
        assert status == 200 and isinstance(json.loads(body), dict)
        assert seconds < 2, f"/api/v1/datasets took {seconds:.2f} s with {STREAMS} open streams"
        status, headers, body, seconds = _request(port, "GET", "/counters/")
        assert status == 200 and "高津区役所" in body.decode() and seconds < 2
        status, headers, body, _ = _request(port, "HEAD", "/counters/")
        assert status == 200 and body == b"" and headers["content-type"].startswith("text/html")
        status, headers, body, _ = _request(port, "GET", "/static/counters/live.js")
        assert status == 200 and b"EventSource" in body

        # a pushed reading reaches every open stream within 2 s
        started = time.monotonic()
        status, _, body, _ = _request(port, "POST", "/api/v1/counters/readings",
                                      json.dumps({"readings": [{"counter": "koseki", "waiting": 7,
                                                                "calling": 101}]}).encode(),
                                      {"Authorization": f"Bearer {server['token']}",
                                       "Content-Type": "application/json"})
        assert status == 201, body
        got = _read_until(streams, b"event: reading", timeout=2)
        latency = time.monotonic() - started
        arrived = [data for data in got.values() if b"event: reading" in data]
        assert len(arrived) == STREAMS, f"{len(arrived)} of {STREAMS} streams got the reading within 2 s"
        data_line = next(line for line in arrived[0].split(b"\n") if line.startswith(b"data: "))
        data = json.loads(data_line[6:])
        assert (data["office"], data["counter"], data["waiting"], data["calling"]) == ("takatsu", "koseki", 7, 101)
        print(f"{STREAMS} streams: push → event on all of them in {latency * 1000:.0f} ms")
    finally:
        for s in streams:
            s.close()
    # closed streams are noticed and the server goes on answering
    status, _, _, seconds = _request(port, "GET", "/api/v1/datasets")
    assert status == 200 and seconds < 2
    assert server["proc"].poll() is None
