"""Loopback helpers shared by compare.py and the soak: a free port, waiting for a server, reading wrk."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    """Return once ``url`` answers 2xx/3xx; ``RuntimeError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def duration_ms(text: str) -> float:
    """``"930.00us"`` → 0.93, ``"1.2s"`` → 1200.0; NaN for ``-nan…`` (no request completed)."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if m is None:
        return float("nan")
    return float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[m[2]]


def parse_wrk(out: str) -> dict:
    """``{rps, p50, p99 (ms), total, seconds, non_2xx, socket_errors, errors}`` of one wrk run."""
    # percentiles anchored to their own lines: "87.50%" in the thread-stats line also ends in "50%"
    p50 = duration_ms(re.search(r"^\s*50%\s+(\S+)", out, re.M)[1])
    p99 = duration_ms(re.search(r"^\s*99%\s+(\S+)", out, re.M)[1])
    total = int(re.search(r"(\d+) requests in", out)[1])
    elapsed = re.search(r"requests in ([\d.]+)(ms|s|m)", out)
    seconds = float(elapsed[1]) * {"ms": 0.001, "s": 1, "m": 60}[elapsed[2]]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non_2xx = int(m[1]) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(x) for x in m.groups()) if m else 0
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]), "p50": p50, "p99": p99, "total": total,
            "seconds": seconds, "non_2xx": non_2xx, "socket_errors": socket_errors,
            "errors": non_2xx + socket_errors}
