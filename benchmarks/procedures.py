"""Benchmark: bulky-waste requests (粗大ごみ収集申込, issue #14) against a real server on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:54331/bench .venv/bin/python benchmarks/procedures.py \
        [--requests 10000] [--clients 64] [--workers 2] [--threads 4] [--areas 30] [--days 20] [--capacity 12] [--retry 0.1]

Without ``DATABASE_URL`` it starts a throwaway PostgreSQL cluster under a temp dir (``/usr/lib/postgresql/15/bin``,
as user ``postgres`` when run as root) on port 54331, and removes it afterwards.

What it does:

1. migrates a fresh database, installs the bulky form, one flat fee (アイロン台 400 円 = two 200 円 処理券) and
   ``--areas`` collection areas that collect every day, ``--capacity`` places a day; the bookable dates are the
   ``--days`` days from the cut-off (today + 2);
2. starts ``madoguchi serve`` (uvicorn, ``--workers`` processes, rate limits off, mail queued in the database);
3. ``--clients`` threads (one keep-alive connection each) send ``--requests`` ``POST /api/v1/bulky-waste/requests``
   for a random area and date; a ``--retry`` share repeats an earlier request's body and ``client_token``
   (a client retrying after a lost answer). Places (areas × days × capacity) are fewer than distinct requests,
   so some are refused;
4. prints requests/s and p50/p90/p99 latency, then checks (exit 1 on failure):
   0 lost (every 2xx reference is in the database), 0 duplicates (one application per token, every answer of a
   token names the same reference), no day over capacity (and ``booked`` equals the requests stored for it),
   every refused request answered 409 ``already_booked`` for a day that is full, no other status.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 54331

SEED = r"""
import sys, datetime as dt
import django; django.setup()
from django.utils import timezone
from madoguchi.bulky import services
from madoguchi.bulky.models import CollectionArea, FeeRule
areas, days, capacity = map(int, sys.argv[1:4])
services.install_form()
FeeRule.objects.get_or_create(source="kameoka", item="アイロン台", defaults={"kind": "flat", "yen": 400})
start = timezone.localdate() + dt.timedelta(days=2)
for i in range(areas):
    a = CollectionArea.objects.create(source="kameoka", name=f"地区{i + 1:02d}", weekdays="月火水木金土日",
                                      daily_capacity=capacity, cutoff_days=2)
    services.ensure_days(a, start, start + dt.timedelta(days=days - 1))
print(start.isoformat())
"""

CHECK = r"""
import json, sys
import django; django.setup()
from django.db.models import Count
from madoguchi.applications.models import Application
from madoguchi.bulky.models import BulkyRequest, CollectionDay
refs = json.load(open(sys.argv[1]))
stored = set(Application.objects.values_list("reference", flat=True))
days = list(CollectionDay.objects.annotate(n=Count("requests")).values("area__name", "date", "capacity", "booked", "n"))
print(json.dumps({
    "applications": Application.objects.count(), "requests": BulkyRequest.objects.count(),
    "tokens": Application.objects.values("client_token").distinct().count(),
    "lost": sorted(set(refs) - stored),
    "over": [d for d in days if d["booked"] > d["capacity"] or d["booked"] != d["n"]],
    "full": sorted(f"{d['area__name']}|{d['date']}" for d in days if d["booked"] == d["capacity"]),
}, default=str))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(tmp: Path) -> tuple[str, callable]:
    data = tmp / "pg"
    data.mkdir()
    as_pg = (lambda cmd: ["su", "postgres", "-c", " ".join(map(str, cmd))]) if os.geteuid() == 0 else (lambda c: c)
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres"), shutil.chown(data, "postgres")
    subprocess.run(as_pg([PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(as_pg([PG_BIN / "pg_ctl", "-D", data, "-w", "-l", tmp / "pg.log", "-o",
                          f"'-p {PG_PORT} -k {tmp} -c max_connections=300 -c fsync=off'", "start"]),
                   check=True, capture_output=True)
    subprocess.run([PG_BIN / "psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-c",
                    "create database bench"], check=True, capture_output=True)

    def stop():
        subprocess.run(as_pg([PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "stop"]), capture_output=True, check=False)
    return f"postgres://postgres@127.0.0.1:{PG_PORT}/bench", stop


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=10_000)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--workers", type=int, default=2, help="`madoguchi serve` processes (production: one per core)")
    p.add_argument("--threads", type=int, default=None, help="threads per worker (default MADOGUCHI_SERVE_THREADS, 4)")
    p.add_argument("--areas", type=int, default=30)
    p.add_argument("--days", type=int, default=20)
    p.add_argument("--capacity", type=int, default=12)
    p.add_argument("--retry", type=float, default=0.1, help="share of requests that repeat an earlier one")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-procedures-"))
    stop_pg = None
    server = None
    try:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            url, stop_pg = start_postgres(tmp)
        env = dict(os.environ, DATABASE_URL=url, MADOGUCHI_DATA_DIR=str(tmp / "data"), MADOGUCHI_RATE_LIMITS="off",
                   MADOGUCHI_LOG_LEVEL="ERROR", MADOGUCHI_ALLOWED_HOSTS="127.0.0.1,localhost",
                   PYTHONPATH=str(ROOT / "src"), DJANGO_SETTINGS_MODULE="madoguchi.settings")
        (tmp / "data").mkdir()
        subprocess.run([PY, "-m", "madoguchi.cli", "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)
        start = subprocess.run([PY, "-c", SEED, str(args.areas), str(args.days), str(args.capacity)], env=env,
                               check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1]
        port = free_port()
        log = (tmp / "server.log").open("w")
        server = subprocess.Popen([PY, "-m", "madoguchi.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", str(args.workers),
                                   *(["--threads", str(args.threads)] if args.threads else [])], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=log)
        wait_http(f"http://127.0.0.1:{port}/api/v1/bulky-waste/areas", 90)

        import datetime as dt
        first = dt.date.fromisoformat(start)
        rng = random.Random(args.seed)
        bodies: list[dict] = []
        plan: list[int] = []  # index into bodies, per request
        for i in range(args.requests):
            if bodies and rng.random() < args.retry:
                plan.append(rng.randrange(len(bodies)))
                continue
            n = len(bodies)
            bodies.append({"client_token": f"bench-{args.seed}-{n:08d}", "area": f"地区{rng.randrange(args.areas) + 1:02d}",
                           "date": (first + dt.timedelta(days=rng.randrange(args.days))).isoformat(),
                           "items": [{"item": "アイロン台", "count": 1}],
                           "tickets": [f"{n:08d}1", f"{n:08d}2"], "address": "亀岡市安町野々神8",
                           "phone": "0771-22-3131", "email": f"bench{n}@example.jp"})
            plan.append(n)
        results: list = [None] * len(plan)
        cursor = iter(range(len(plan)))
        lock = threading.Lock()

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    break
                body = json.dumps(bodies[plan[i]]).encode()
                t0 = time.perf_counter()
                for _attempt in range(3):
                    try:
                        conn.request("POST", "/api/v1/bulky-waste/requests", body,
                                     {"Content-Type": "application/json", "Accept-Language": "ja"})
                        r = conn.getresponse()
                        data = r.read()
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                else:
                    results[i] = (0, time.perf_counter() - t0, {})
                    continue
                results[i] = (r.status, time.perf_counter() - t0, json.loads(data or b"{}"))
            conn.close()

        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        lat = sorted(r[1] * 1000 for r in results)
        q = statistics.quantiles(lat, n=100)
        statuses: dict[int, int] = {}
        for r in results:
            statuses[r[0]] = statuses.get(r[0], 0) + 1
        print(f"{len(results)} requests ({len(bodies)} distinct tokens), {args.clients} clients, {args.workers} workers, "
              f"{args.areas}×{args.days} days × {args.capacity} = {args.areas * args.days * args.capacity} places; "
              f"{os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"{len(results) / wall:.0f} requests/s over {wall:.1f} s; latency ms p50 {q[49]:.1f} p90 {q[89]:.1f} "
              f"p99 {q[98]:.1f} max {lat[-1]:.1f}")
        print("statuses:", dict(sorted(statuses.items())))

        by_token: dict[str, set] = {}
        refused: list[dict] = []
        bad = []
        for i, (status, _, body) in enumerate(results):
            token_body = bodies[plan[i]]
            if status in (200, 201):
                by_token.setdefault(token_body["client_token"], set()).add(body["reference"])
            elif status == 409 and body.get("error", {}).get("code") == "already_booked":
                refused.append(token_body)
            else:
                bad.append((status, body))
        refs = sorted({r for s in by_token.values() for r in s})
        (tmp / "refs.json").write_text(json.dumps(refs))
        check = json.loads(subprocess.run([PY, "-c", CHECK, str(tmp / "refs.json")], env=env, check=True,
                                          capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
        full = set(check["full"])
        problems = {
            "lost (2xx reference not in the database)": len(check["lost"]),
            "duplicates (tokens answered with two references)": sum(len(s) > 1 for s in by_token.values()),
            "duplicates (applications beyond one per token)": check["applications"] - len(by_token),
            "days over capacity or booked != requests": len(check["over"]),
            "409 for a day that is not full": sum(f"{b['area']}|{b['date']}" not in full for b in refused),
            "other statuses (not 200/201/409)": len(bad),
        }
        print(f"stored: {check['applications']} applications, {check['requests']} bulky requests, "
              f"{len(full)} full days; refused (409): {len(refused)}")
        for name, n in problems.items():
            print(f"  {'OK ' if n == 0 else 'FAIL'} {name}: {n}")
        if bad:
            print("  first other answers:", bad[:3])
        return 0 if not any(problems.values()) else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if stop_pg is not None:
            stop_pg()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
