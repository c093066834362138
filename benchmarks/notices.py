"""Benchmark: one notice to 60,000 subscribers per channel, with the workers killed midway (issue #17).

    .venv/bin/python benchmarks/notices.py [--subscribers 60000] [--workers 2] [--kill-at 0.4] [--no-kill]

What it does:

1. a temp data dir with the SQLite default database (migrated), ``--subscribers`` verified mail subscriptions
   and as many LINE ones to 防災 (bousai);
2. starts a local SMTP sink (aiosmtpd, in this process) that counts every accepted message by
   (Message-ID, recipient), and a local stand-in of the LINE Messaging API (``/v2/bot/message/multicast``)
   that checks the bearer token, enforces a rate limit (``--line-rate`` requests/s → 429 above it), honours
   ``X-Line-Retry-Key`` (a key seen before → 409) and counts recipients; line-bot-sdk's host points at it;
3. ``send_notice`` (batches of 500 → 120 tasks per channel), then ``--workers`` × ``madoguchi worker``;
4. when ``--kill-at`` of the mails have reached the sink: ``kill -9`` of every worker, then new workers
   (the lease, ``MADOGUCHI_JOBS_LEASE_S`` = 3 s, hands the killed tasks back to the queue);
5. waits until no delivery is queued; prints messages/s per channel, total time, per-channel totals at the
   sinks, duplicates (same Message-ID/recipient twice; LINE: same user id twice), and the database counts.

Exit status 0 when each channel has exactly ``--subscribers`` deliveries at its sink, 0 duplicates and nothing
failed; target: 60,000 mails within 2 minutes on this machine.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TOKEN = "bench-line-token-" + secrets.token_hex(8)

SETTINGS_SHIM = '''
import os
from madoguchi.settings import *  # noqa: F401,F403
from madoguchi.settings import DATA_DIR
DATA_DIR.mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["BENCH_SMTP_PORT"])
NOTICES_SITE_URL = "https://www.example.jp"
NOTICES_FROM_EMAIL = "notices@example.jp"
NOTICES_UNSUBSCRIBE_MAILTO = "unsubscribe@example.jp"
NOTICES_BATCH_SIZE = 500
NOTICES_DB_FLUSH_EVERY = 50
NOTICES_VERIFY_MAX_AGE_S = 172800
NOTICES_LINE_CHANNEL_SECRET = "bench-secret"
NOTICES_LINE_CHANNEL_ACCESS_TOKEN = os.environ["BENCH_LINE_TOKEN"]
NOTICES_LINE_API_HOST = os.environ["BENCH_LINE_HOST"]
NOTICES_LINE_MAX_REQUESTS_PER_S = float(os.environ["BENCH_LINE_CLIENT_RATE"])
NOTICES_LINE_DEFAULT_TOPIC = "bousai"
NOTICES_VAPID_PRIVATE_KEY = ""
NOTICES_VAPID_PUBLIC_KEY = ""
NOTICES_VAPID_SUBJECT = "mailto:webmaster@example.jp"
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd handler: counts (Message-ID, recipient) of accepted messages, with their times."""

    MID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)

    def __init__(self):
        self.counts: collections.Counter = collections.Counter()
        self.first = self.last = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content[:4000]
        m = self.MID.search(head)
        mid = m.group(1).decode() if m else "?"
        now = time.monotonic()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.counts[(mid, rcpt)] += 1
            self.first = self.first or now
            self.last = now
        return "250 Message accepted for delivery"

    def total(self) -> int:
        return sum(self.counts.values())


class LineStub:
    """The multicast endpoint of the LINE Messaging API: bearer token, rate limit, retry keys."""

    def __init__(self, rate_per_s: float):
        self.recipients: collections.Counter = collections.Counter()
        self.keys: set[str] = set()
        self.calls = self.refused_429 = self.refused_401 = self.conflicts_409 = 0
        self.first = self.last = None
        self.window: collections.deque = collections.deque()
        self.rate = rate_per_s
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, code: int, body: dict, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v2/bot/message/multicast":
                    return self._send(404, {"message": "Not found"})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    with stub.lock:
                        stub.refused_401 += 1
                    return self._send(401, {"message": "Authentication failed"})
                now = time.monotonic()
                key = self.headers.get("X-Line-Retry-Key", "")
                with stub.lock:
                    stub.calls += 1
                    while stub.window and stub.window[0] < now - 1:
                        stub.window.popleft()
                    if len(stub.window) >= stub.rate:
                        stub.refused_429 += 1
                        return self._send(429, {"message": "The API rate limit has been exceeded."})
                    stub.window.append(now)
                    if key and key in stub.keys:
                        stub.conflicts_409 += 1
                        return self._send(409, {"message": "The retry key is already accepted"},
                                          {"x-line-accepted-request-id": key})
                    body = json.loads(raw)
                    to = body.get("to") or []
                    if not 1 <= len(to) <= 500 or not body.get("messages"):
                        return self._send(400, {"message": "The request body has 1 error(s)"})
                    if key:
                        stub.keys.add(key)
                    for user in to:
                        stub.recipients[user] += 1
                    stub.first = stub.first or now
                    stub.last = now
                self._send(200, {"sentMessages": [{"id": str(stub.calls), "quoteToken": "q"}]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host = f"http://127.0.0.1:{self.server.server_port}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subscribers", type=int, default=60_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-at", type=float, default=0.4, help="share of mails at the sink when workers are killed")
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--line-rate", type=float, default=200, help="LINE stub: requests per second (LINE: 200)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-notices-bench-"))
    (tmp / "bench_notices_settings.py").write_text(SETTINGS_SHIM)
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port, data_size_limit=1_000_000)
    controller.start()
    line_stub = LineStub(args.line_rate)
    env = dict(os.environ, MADOGUCHI_DATA_DIR=str(tmp / "data"), DJANGO_SETTINGS_MODULE="bench_notices_settings",
               PYTHONPATH=os.pathsep.join([str(tmp), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
               MADOGUCHI_SECRET_KEY=secrets.token_urlsafe(40), MADOGUCHI_JOBS_LEASE_S="3",
               MADOGUCHI_RATE_LIMITS="off", BENCH_SMTP_PORT=str(smtp_port), BENCH_LINE_TOKEN=TOKEN,
               BENCH_LINE_HOST=line_stub.host,
               BENCH_LINE_CLIENT_RATE=str(max(args.line_rate / max(args.workers, 1), 1)))
    env.pop("DATABASE_URL", None)
    env.pop("MADOGUCHI_TASKS_BACKEND", None)
    os.environ.update(env)
    sys.path.insert(0, str(tmp))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from madoguchi.notices import services
    from madoguchi.notices.models import Delivery, Subscription, Topic

    t = time.monotonic()
    call_command("migrate", verbosity=0)
    n = args.subscribers
    bousai = Topic.objects.get(slug="bousai")
    subs = [Subscription(channel="mail", address=f"citizen{i:06d}@example.jp", verified=True) for i in range(n)]
    subs += [Subscription(channel="line", address=f"U{i:032x}", verified=True) for i in range(n)]
    Subscription.objects.bulk_create(subs, batch_size=5000)
    through = Subscription.topics.through
    through.objects.bulk_create([through(subscription_id=pk, topic_id=bousai.pk)
                                 for pk in Subscription.objects.values_list("pk", flat=True)], batch_size=5000)
    print(f"set-up: {2 * n:,} subscriptions in {time.monotonic() - t:.1f} s ({tmp})", flush=True)

    t0 = time.monotonic()
    notice = services.send_notice(title="【訓練】大雨特別警報", body="これは訓練です。川崎市に大雨特別警報が発表されました。",
                                  link="https://www.city.kawasaki.jp/", topic="bousai", source="benchmark")
    queued_s = time.monotonic() - t0
    print(f"send_notice: {notice.deliveries.count():,} deliveries queued in {queued_s:.1f} s", flush=True)
    connection.close()

    def spawn(i: int) -> subprocess.Popen:
        log = open(tmp / f"worker-{i}.log", "ab")
        return subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "worker", "--interval", "0.2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)

    workers = [spawn(i) for i in range(args.workers)]
    killed_at = None
    generation = args.workers
    deadline = time.monotonic() + 900
    last_poll = 0.0
    try:
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if not args.no_kill and killed_at is None and sink.total() >= args.kill_at * n:
                for w in workers:
                    w.send_signal(signal.SIGKILL)
                for w in workers:
                    w.wait(10)
                killed_at = (time.monotonic() - t0, sink.total(), sum(line_stub.recipients.values()))
                print(f"kill -9 of {len(workers)} workers at {killed_at[0]:.1f} s "
                      f"({killed_at[1]:,} mails, {killed_at[2]:,} LINE at the sinks); restarting", flush=True)
                workers = [spawn(generation + i) for i in range(args.workers)]
                generation += args.workers
            if time.monotonic() - last_poll < 2:  # the sink shares this process: poll the database rarely
                continue
            last_poll = time.monotonic()
            left = Delivery.objects.filter(notice=notice, status="queued").count()
            connection.close()
            if left == 0:
                break
        else:
            print("TIMEOUT", flush=True)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(20)
            except subprocess.TimeoutExpired:
                w.kill()
    total_s = time.monotonic() - t0
    time.sleep(0.5)  # the sink's last replies
    controller.stop()

    mail_total, mail_unique = sink.total(), len(sink.counts)
    mail_dupes = sum(c - 1 for c in sink.counts.values() if c > 1)
    line_total, line_unique = sum(line_stub.recipients.values()), len(line_stub.recipients)
    line_dupes = sum(c - 1 for c in line_stub.recipients.values() if c > 1)
    db = dict(collections.Counter(Delivery.objects.filter(notice=notice).values_list("channel", "status")))
    mail_s = (sink.last - sink.first) if sink.first else 0
    line_s = (line_stub.last - line_stub.first) if line_stub.first else 0
    print(f"mail: {mail_total:,} messages at the sink ({mail_unique:,} unique Message-ID/recipient, "
          f"{mail_dupes} duplicates) in {mail_s:.1f} s = {mail_total / mail_s if mail_s else 0:,.0f} messages/s")
    print(f"LINE: {line_total:,} recipients at the stub ({line_unique:,} unique, {line_dupes} duplicates) in "
          f"{line_s:.1f} s = {line_total / line_s if line_s else 0:,.0f} messages/s; {line_stub.calls} calls, "
          f"{line_stub.refused_429} × 429, {line_stub.conflicts_409} × 409 (retry key), {line_stub.refused_401} × 401")
    print(f"database: {db}")
    print(f"total: {total_s:.1f} s from send_notice to the last delivery (queueing {queued_s:.1f} s)"
          + (f"; workers killed at {killed_at[0]:.1f} s" if killed_at else "; no kill"))
    ok = (mail_unique == n and mail_dupes == 0 and line_unique == n and line_dupes == 0
          and db == {("mail", "sent"): n, ("line", "sent"): n})
    print("RESULT:", "PASS" if ok else "FAIL", "(target: 60,000 mails within 120 s:",
          f"{'met' if mail_s and mail_s <= 120 and n >= 60_000 else 'n/a or missed'})")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
