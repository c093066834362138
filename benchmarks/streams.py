"""Live streams under load (issue #12): the records API with 0 and with 200 open ``/counters/stream``.

    .venv/bin/python benchmarks/streams.py                  # 200 streams, 10 s of wrk each, 32 connections
    .venv/bin/python benchmarks/streams.py --streams 200 --duration 5 --rows 50000
    .venv/bin/python benchmarks/streams.py --engine gunicorn-uvicorn   # the same under gunicorn's uvicorn worker
    .venv/bin/python benchmarks/streams.py --engine gunicorn-sync      # the old server (streams take every worker)

Builds a throwaway site (``soak_server.Site``: SQLite, a generated population table), starts
``madoguchi serve`` (workers = cores) on a free loopback port and measures the records API
(``/api/v1/resources/<id>/records``, a filtered + sorted page of 100) with wrk (Python threads if
wrk is missing): once with no stream open, once with ``--streams`` Server-Sent Event streams open
on ``/counters/stream`` (raw sockets, read by one thread; a reading is pushed every second so the
streams carry events, not only keep-alives). Prints req/s, p50 and p99 of both and PASS when
p99 with streams ≤ 2 × p99 without (and every stream stayed open and got every reading).
Load generator and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loopback import free_port, parse_wrk, wait_http
from soak_server import GUNICORN, PY, ROOT, Server, Site

PUSHER = r"""
import os, sys, time, django
django.setup()
from madoguchi.counters import services
from madoguchi.counters.models import Office
services.seed_demo(days=0)
office = Office.objects.get(slug="takatsu")
print("ready", flush=True)
n = 0
while sys.stdin.readline():  # one reading per line read; EOF ends
    n += 1
    services.record_readings(office, [{"counter": "koseki", "waiting": n % 50, "calling": n}])
    print(n, flush=True)
"""


def start_server(site: Site, engine: str, workers: int) -> Server:
    """Start the server under test on a free loopback port; wait until it answers."""
    port = free_port()
    log = open(site.tmp / f"{engine}-{port}.log", "w")
    if engine == "serve":
        cmd = [PY, "-m", "madoguchi.cli", "serve", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--timeout", "10"]
    elif engine == "gunicorn-uvicorn":
        cmd = [GUNICORN, "madoguchi.asgi:application", "-k", "uvicorn.workers.UvicornWorker", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    else:  # gunicorn-sync: the old production set-up
        cmd = [GUNICORN, "madoguchi.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "300",
               "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=site.env, cwd=ROOT, stdout=log, stderr=log)
    server = Server(proc, port, workers)
    site.servers.append(server)
    wait_http(server.base + "/api/v1/datasets?limit=1", timeout=90)
    return server


def load(url: str, *, connections: int, seconds: int) -> dict:
    """``{rps, p50, p99 (ms), errors, generator}`` of ``seconds`` of load on one URL."""
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
                             capture_output=True, text=True, check=True).stdout
        return {**parse_wrk(out), "generator": "wrk"}
    from soak_load import python_load

    base, _, path = url.partition("/api/")
    r = python_load(base, ["/api/" + path], connections=connections, seconds=seconds)
    return {"rps": r.rps, "p50": r.p50_ms, "p99": r.p99_ms, "errors": r.non_2xx + r.socket_errors,
            "generator": "python threads"}


class Streams:
    """``n`` open SSE connections read by one thread; counts readings received and streams that ended."""

    def __init__(self, port: int, n: int):
        self.socks: list[socket.socket] = []
        self.readings = {}
        self.ended = 0
        self.sel = selectors.DefaultSelector()
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(b"GET /counters/stream?max_s=300 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Accept: text/event-stream\r\n\r\n")
            s.setblocking(False)
            self.socks.append(s)
            self.readings[s] = 0
            self.sel.register(s, selectors.EVENT_READ)
        self.connected = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        seen_connected = set()
        while not self._stop.is_set():
            for key, _ in self.sel.select(0.2):
                s = key.fileobj
                try:
                    chunk = s.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.ended += 1
                    self.sel.unregister(s)
                    continue
                if s not in seen_connected and b": connected" in chunk:
                    seen_connected.add(s)
                    self.connected += 1
                self.readings[s] += chunk.count(b"event: reading")

    def wait_connected(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.connected < len(self.socks):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.connected} of {len(self.socks)} streams connected in {timeout} s")
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self.socks:
            s.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per measurement")
    parser.add_argument("--connections", type=int, default=32, help="load generator connections")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the generated population table")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements without and with streams")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engine", choices=["serve", "gunicorn-uvicorn", "gunicorn-sync"], default="serve")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-streams-"))
    site = Site(tmp)
    pusher = None
    try:
        info = site.seed(rows=args.rows, datasets=10)
        pusher = subprocess.Popen([PY, "-c", PUSHER], env={**site.env, "DJANGO_SETTINGS_MODULE": "madoguchi.settings"},
                                  cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert pusher.stdout.readline().strip() == "ready"
        server = start_server(site, args.engine, args.workers)
        query = urllib.parse.urlencode({"filters": json.dumps({"区名": "中央区", "性別": "女"}, ensure_ascii=False),
                                        "sort": "人口 desc", "limit": 100})
        url = f"{server.base}/api/v1/resources/{info['resource']}/records?{query}"
        load(url, connections=args.connections, seconds=2)  # warm-up: caches, connections, imports

        bases, loadeds, ended, received, pushed = [], [], 0, [], []
        for _ in range(args.rounds):  # alternate, so that other load on the machine hits both alike
            bases.append(load(url, connections=args.connections, seconds=args.duration))
            streams = Streams(server.port, args.streams)
            streams.wait_connected(timeout=30 if args.engine != "gunicorn-sync" else 5)
            stop_push = threading.Event()
            pushed_now = []

            def push_every_second(stop_push=stop_push, pushed_now=pushed_now):
                while not stop_push.wait(1):
                    pusher.stdin.write("\n")
                    pusher.stdin.flush()
                    pushed_now.append(int(pusher.stdout.readline()))

            pushing = threading.Thread(target=push_every_second, daemon=True)
            pushing.start()
            loadeds.append(load(url, connections=args.connections, seconds=args.duration))
            stop_push.set()
            pushing.join(5)
            time.sleep(0.5)  # the last push reaches the streams (the hub polls every 200 ms)
            streams.close()
            ended += streams.ended
            received += [n - len(pushed_now) for n in streams.readings.values()]  # 0: got every reading
            pushed.append(len(pushed_now))
    except RuntimeError as e:
        print(f"{args.engine}: {e}  FAIL")
        return 1
    finally:
        if pusher is not None:
            pusher.stdin.close()
            pusher.wait(10)
        site.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    base = {k: median(bases, k) for k in ("rps", "p50", "p99")} | {"errors": sum(r["errors"] for r in bases)}
    loaded = {k: median(loadeds, k) for k in ("rps", "p50", "p99")} | {"errors": sum(r["errors"] for r in loadeds)}
    cores = os.cpu_count() or 1
    print(f"records API, filter + sort page of 100 ({args.engine}, {args.workers} workers, {cores} cores, "
          f"{args.connections} conns, {bases[0]['generator']}, {args.rounds} alternating rounds of {args.duration} s; "
          f"medians)")
    print(f"{'':28s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}   p99 of each round")
    print(f"{'no stream open':28s} {base['rps']:8.0f} {base['p50']:8.1f} {base['p99']:8.1f} {base['errors']:7d}   "
          + " ".join(f"{r['p99']:.0f}" for r in bases))
    print(f"{f'{args.streams} open streams':28s} {loaded['rps']:8.0f} {loaded['p50']:8.1f} {loaded['p99']:8.1f} "
          f"{loaded['errors']:7d}   " + " ".join(f"{r['p99']:.0f}" for r in loadeds))
    ok_streams = ended == 0 and all(n >= 1 for n in pushed) and set(received) == {0}
    print(f"streams: {args.streams} open per round, {ended} ended early; readings pushed {sum(pushed)} (one a second); "
          f"streams that missed one: {sum(1 for n in received if n)}")
    ratio = loaded["p99"] / base["p99"] if base["p99"] else float("inf")
    ok = ratio <= 2 and ok_streams and loaded["errors"] == 0 and base["errors"] == 0
    print(f"p99 with streams / without: {ratio:.2f} (≤ 2)  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
