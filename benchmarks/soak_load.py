"""Load generators for the soak suite: ``wrk`` with a URL mix (Lua), or Python threads; an RSS sampler.

``python_load`` keeps every request's end time and status, so the worker-kill
phase can tell errors before and after the kill. ``wrk_load`` is used for the
full 64-connection run when ``wrk`` is installed (a Python client on the same
cores would be the bottleneck).
"""

from __future__ import annotations

import http.client
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from loopback import parse_wrk
from pathlib import Path

from soak_server import rss_mib


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    generator: str
    statuses: dict = field(default_factory=dict)
    #: (end time monotonic, status or exception name) of failed requests (python_load only)
    failures: list = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"{self.requests:,} requests in {self.seconds:.0f} s ({self.rps:,.0f} req/s, {self.generator}), "
                f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, non-2xx {self.non_2xx}, "
                f"socket errors {self.socket_errors}")


def python_load(base: str, paths: list[str], *, connections: int, seconds: float,
                on_start=None) -> LoadResult:
    """``connections`` threads, each looping over ``paths`` (offset by its index) for ``seconds``.

    Each thread keeps one HTTP/1.1 connection and reopens it when the server
    closes it (gunicorn's sync workers close after each response).
    """
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    statuses: dict = {}
    failures: list = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        conn = None
        i = k
        mine: list[float] = []
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                status = r.status
                if r.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                if conn is not None:
                    conn.close()
                conn = None
            end = time.monotonic()
            mine.append((end - t) * 1000)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if not (isinstance(status, int) and 200 <= status < 300):
                    failures.append((end, status, path))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    if on_start:
        on_start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    non_2xx = sum(n for s, n in statuses.items() if isinstance(s, int) and not 200 <= s < 300)
    sock = sum(n for s, n in statuses.items() if not isinstance(s, int))
    return LoadResult(len(latencies), elapsed, statistics.median(latencies) if latencies else 0,
                      latencies[int(len(latencies) * 0.99)] if latencies else 0, non_2xx, sock,
                      f"python, {connections} connections", statuses, failures)


LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(base: str, paths: list[str], *, connections: int, seconds: float, threads: int = 2) -> LoadResult:
    """Run ``wrk`` with a Lua script that cycles through ``paths``; parse its latency report."""
    def lua_string(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(lua_string(p) for p in paths))
        script = fh.name
    try:
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
                              "--timeout", "30s", "-s", script, base + "/"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        Path(script).unlink()

    r = parse_wrk(out)
    return LoadResult(r["total"], r["seconds"], r["p50"], r["p99"], r["non_2xx"], r["socket_errors"],
                      f"wrk, {connections} connections")


class RssSampler:
    """Sample the summed RSS (MiB) of a gunicorn master's workers every ``interval`` seconds, on a thread."""

    def __init__(self, server, interval: float = 5.0):
        self.server = server
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> float:
        return sum(rss_mib(p) for p in self.server.worker_pids())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(self.sample())

    def __enter__(self):
        self.samples.append(self.sample())
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.samples.append(self.sample())
