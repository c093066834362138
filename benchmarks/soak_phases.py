"""Soak phases a–d and f: load, worker SIGKILL, ingestion SIGKILL, disk full, fuzz (e is ``soak_hostile.py``).

Each phase takes a ``Context`` (site, running server, sizes) and returns a
``Phase``: name, PASS / FAIL / SKIP, a one-line result with the numbers, and
the numbers themselves (``values``) for the CI test to assert on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from soak_load import RssSampler, python_load, wrk_available, wrk_load
from soak_server import PY, HERE, Server, Site, get_json


@dataclass
class Phase:
    name: str
    status: str  # PASS | FAIL | SKIP
    line: str
    values: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "FAIL"


@dataclass
class Context:
    site: Site
    server: Server
    duration: float = 60
    connections: int = 64
    use_wrk: bool = True
    ingest_rows: int = 200_000
    fuzz_seconds: float = 600


def url_mix(rid: int) -> list[str]:
    """The request mix: records API (filters + sort, full text, paging), catalog search APIs, HTML pages."""
    q = urllib.parse.urlencode
    records = f"/api/v1/resources/{rid}/records?"
    return [
        records + q({"filters": json.dumps({"区名": "中央区", "性別": "女"}, ensure_ascii=False), "sort": "人口 desc",
                     "limit": 100}),
        records + q({"q": "大通東２丁目", "limit": 100}),
        records + q({"sort": "年齢, 町丁名", "limit": 50, "offset": 1000}),
        records + q({"filters": json.dumps({"年齢": [0, 1, 2]}), "fields": "町丁名,人口", "limit": 20}),
        "/api/v1/datasets?" + q({"q": "人口"}),
        "/api/v1/datasets?" + q({"q": "ごみ 分別"}),
        "/api/3/action/package_search?" + q({"q": "避難所", "rows": 10}),
        "/datasets/?" + q({"q": "公園"}),
        "/datasets/population/",
        f"/datasets/population/resources/{rid}/",
    ]


MIX_LABELS = ["records filter+sort", "records q", "records sort+offset", "records filter+fields", "datasets q",
              "datasets q2", "CKAN package_search", "search page", "dataset page", "resource page"]


def served(ctx: Context) -> dict:
    """What the server serves for the population resource: current version, sha256, rows, records total."""
    rid = ctx.site.info["resource"]
    _, detail = get_json(f"{ctx.server.base}/api/v1/resources/{rid}")
    _, records = get_json(f"{ctx.server.base}/api/v1/resources/{rid}/records?limit=1")
    current = next((v for v in detail.get("versions", []) if v["current"]), {})
    return {"version": current.get("number"), "sha256": current.get("sha256"), "rows": current.get("rows"),
            "total": records.get("total"), "versions": len(detail.get("versions", []))}


# ----------------------------------------------------------------------------- a) load


def phase_load(ctx: Context) -> Phase:
    """64 connections over the URL mix for ``duration`` s: zero errors; worker RSS end ≤ start × 1.5 + 50 MiB.

    "start" is sampled after a warm-up (every URL hit by every worker), so DuckDB's
    first-query allocations do not count as growth.
    """
    paths = url_mix(ctx.site.info["resource"])
    warm = python_load(ctx.server.base, paths, connections=4, seconds=min(3, ctx.duration))
    with RssSampler(ctx.server, interval=5) as rss:
        if ctx.use_wrk and wrk_available():
            res = wrk_load(ctx.server.base, paths, connections=ctx.connections, seconds=ctx.duration)
        else:
            res = python_load(ctx.server.base, paths, connections=ctx.connections, seconds=ctx.duration)
    start, end, peak = rss.samples[0], rss.samples[-1], max(rss.samples)
    single = single_request_ms(ctx.server.base, paths)
    limit = start * 1.5 + 50
    ok = res.requests > 0 and res.non_2xx == 0 and res.socket_errors == 0 and warm.non_2xx == 0 and end <= limit
    line = (f"{res.line()}; worker RSS (sum of {ctx.server.workers}) start {start:.0f} MiB, end {end:.0f}, "
            f"max {peak:.0f} (rule: end ≤ start × 1.5 + 50 = {limit:.0f}); one request alone, median ms: "
            + ", ".join(f"{k} {v:.0f}" for k, v in single.items()))
    return Phase("a) load", "PASS" if ok else "FAIL", line,
                 {"requests": res.requests, "rps": res.rps, "p50_ms": res.p50_ms, "p99_ms": res.p99_ms,
                  "non_2xx": res.non_2xx, "socket_errors": res.socket_errors, "rss_start": start, "rss_end": end,
                  "rss_max": peak, "rss_limit": limit, "samples": len(rss.samples), "single_ms": single})


def single_request_ms(base: str, paths: list[str], repeat: int = 5) -> dict[str, float]:
    """Median ms of each URL of the mix requested alone (what one request costs without queueing)."""
    import statistics
    import urllib.request

    out = {}
    for label, path in zip(MIX_LABELS, paths):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            with urllib.request.urlopen(base + path, timeout=30) as r:
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        out[label] = statistics.median(times)
    return out


# ----------------------------------------------------------------------------- b) worker SIGKILL


def phase_worker_kill(ctx: Context, seconds: float | None = None, connections: int | None = None) -> Phase:
    """kill -9 one gunicorn worker a third into a load run; only its in-flight request may fail.

    Rule: no error before the kill, at most 1 error (a sync worker serves one
    request at a time) within 2 s after it, none later; the master starts a new worker.
    """
    seconds = seconds or min(ctx.duration, 20)
    connections = connections or min(ctx.connections, 32)
    paths = url_mix(ctx.site.info["resource"])
    before = ctx.server.worker_pids()
    victim = before[0]
    killed_at: list[float] = []

    def killer():
        time.sleep(seconds / 3)
        os.kill(victim, signal.SIGKILL)
        killed_at.append(time.monotonic())

    res = python_load(ctx.server.base, paths, connections=connections, seconds=seconds,
                      on_start=lambda: threading.Thread(target=killer, daemon=True).start())
    t_kill = killed_at[0] if killed_at else float("inf")
    early = [f for f in res.failures if f[0] < t_kill]
    at_kill = [f for f in res.failures if t_kill <= f[0] < t_kill + 2]
    later = [f for f in res.failures if f[0] >= t_kill + 2]
    after = ctx.server.wait_workers(timeout=30)
    replaced = victim not in after and len(after) == ctx.server.workers
    ok = bool(killed_at) and not early and len(at_kill) <= 1 and not later and replaced and res.requests > 0
    line = (f"killed worker {victim} at {seconds / 3:.0f} s of {seconds:.0f} s ({connections} connections): "
            f"{res.requests:,} requests, errors before {len(early)}, at the kill {len(at_kill)} "
            f"({', '.join(str(f[1]) for f in at_kill) or '-'}), later {len(later)}; workers {before} → {after}")
    return Phase("b) worker SIGKILL under load", "PASS" if ok else "FAIL", line,
                 {"requests": res.requests, "errors_before": len(early), "errors_at_kill": len(at_kill),
                  "errors_later": len(later), "replaced": replaced, "statuses": res.statuses})


# ----------------------------------------------------------------------------- c) ingestion SIGKILL


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def phase_ingest_kill(ctx: Context) -> tuple[Phase, Server]:
    """kill -9 ``madoguchi ingest`` twice (after the snapshot is written, via the test hook; and while
    reading); the old version stays served; ``madoguchi cleanup`` leaves exactly the directories
    that existed before; after a server restart the same data is served. Returns the new server."""
    from population_csv import generate_csv

    site = ctx.site
    baseline = served(ctx)
    dirs_before = site.version_dirs()
    big = site.tmp / "population-v2.csv"
    big.write_bytes(generate_csv(ctx.ingest_rows, seed=2))
    tmp_dir = site.media_root / "datastore" / "tmp"
    notes = []
    ok = True
    args = ("ingest", big, "--dataset", "population", "--resource", "人口", "--no-progress")
    for how, env, marker in (("after the snapshot was written", {"MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S": "120"},
                               "table.parquet"),
                              ("midway, while reading", {}, "original")):
        existing = set(tmp_dir.iterdir()) if tmp_dir.exists() else set()

        def new_dirs():
            return [d for d in tmp_dir.iterdir() if d not in existing] if tmp_dir.exists() else []

        proc = site.spawn_manage(*args, env=env)
        try:
            reached = _wait(lambda: any((d / marker).exists() for d in new_dirs()) or proc.poll() is not None, 120)
            if marker == "original":
                time.sleep(0.05)  # reading has begun (the original is written beside it, on a thread)
            alive = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        snapshot_written = any((d / "table.parquet").exists() for d in new_dirs())
        if marker == "original" and snapshot_written:
            notes.append("(the snapshot was already written: use more --ingest-rows)")
            reached = False
        now = served(ctx)
        same = now == baseline
        ok &= reached and alive and same
        notes.append(f"killed {how}: {'alive at the kill' if alive else 'HAD FINISHED'}, "
                     f"served v{now['version']} {now['rows']:,} rows sha {str(now['sha256'])[:8]} "
                     f"({'unchanged' if same else 'CHANGED'})")
    left = sorted(site.version_dirs() - dirs_before)
    cleanup = site.manage("cleanup")
    after_cleanup = site.version_dirs()
    clean = after_cleanup == dirs_before and not (tmp_dir.exists() and any(tmp_dir.iterdir()))
    ctx.server.stop()
    server = site.start(workers=ctx.server.workers)
    ctx.server = server
    after_restart = served(ctx)
    ok &= clean and after_restart == baseline and site.version_dirs() == dirs_before and len(left) >= 1
    line = ("; ".join(notes) + f"; left behind {len(left)} dirs ({', '.join(p.split('/')[1] for p in left)}), "
            f"cleanup: {cleanup.stdout.strip().splitlines()[-1]}, afterwards only the {len(after_cleanup)} published "
            f"dirs: {'yes' if clean else 'NO'}; after restart v{after_restart['version']} "
            f"{'unchanged' if after_restart == baseline else 'CHANGED'}")
    return Phase("c) ingestion SIGKILL", "PASS" if ok else "FAIL", line,
                 {"left_behind": len(left), "clean_after_cleanup": clean, "baseline": baseline,
                  "after_restart": after_restart}), server


# ----------------------------------------------------------------------------- d) disk full


def mount_tmpfs(path: Path, size: str = "2m") -> str | None:
    """Mount a tmpfs of ``size`` at ``path``; return None, or why it could not be mounted."""
    if os.geteuid() != 0:
        return "not root"
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else (r.stderr.strip() or f"mount exited {r.returncode}")


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def phase_disk_full(ctx: Context) -> Phase:
    """``madoguchi ingest`` with MEDIA_ROOT on a 2 MiB tmpfs and a bigger file: exit ≠ 0 with the
    disk_full message, the previous version still served, no file left on the tmpfs."""
    from population_csv import generate_csv

    site = ctx.site
    mnt = site.tmp / "tmpfs"
    why = mount_tmpfs(mnt)
    if why:
        return Phase("d) disk full", "SKIP", f"could not mount a tmpfs ({why}); run as root to test disk full")
    try:
        baseline = served(ctx)
        big = site.tmp / "population-disk.csv"
        big.write_bytes(generate_csv(60_000, seed=3))
        r = site.manage("ingest", big, "--dataset", "population", "--resource", "人口", "--no-progress",
                        env={"MADOGUCHI_MEDIA_ROOT": str(mnt)}, check=False)
        files = [p for p in mnt.rglob("*") if p.is_file()]
        now = served(ctx)
        message = (r.stderr.strip().splitlines() or [""])[-1]
        ok = (r.returncode != 0 and "ディスクがいっぱい" in message and "nothing was published" in message
              and not files and now == baseline)
        line = (f"{big.stat().st_size / 1e6:.1f} MB file onto a 2 MiB tmpfs: exit {r.returncode}, "
                f"message {message[:160]!r}; files left {len(files)}; served v{now['version']} "
                f"{'unchanged' if now == baseline else 'CHANGED'}")
        return Phase("d) disk full", "PASS" if ok else "FAIL", line,
                     {"returncode": r.returncode, "message": message, "files_left": len(files),
                      "unchanged": now == baseline})
    finally:
        umount(mnt)


# ----------------------------------------------------------------------------- f) fuzz


def phase_fuzz(ctx: Context) -> Phase:
    """hypothesis against read_table + type_table and ingest_file for ``fuzz_seconds``: no other exception."""
    r = subprocess.run([PY, str(HERE / "soak_fuzz.py"), "--seconds", str(ctx.fuzz_seconds)], env=ctx.site.env,
                       capture_output=True, text=True, timeout=ctx.fuzz_seconds + 600)
    try:
        result = json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Phase("f) fuzz", "FAIL", f"fuzzer did not report (exit {r.returncode}): {r.stderr[-500:]}")
    ok = r.returncode == 0 and result["crashes"] == 0 and result["examples"] > 0
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items(), key=lambda kv: -kv[1])[:8])
    line = (f"{result['examples']:,} files in {result['seconds']:.0f} s, {result['crashes']} crashes "
            f"(outcomes: {outcomes})")
    if result["crashes"]:
        line += "\n" + r.stderr[-3000:]
    return Phase("f) fuzz", "PASS" if ok else "FAIL", line, result)
