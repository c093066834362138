"""Load and fault suite (issue #8): ``make soak`` (full) / ``make soak-short``.

    .venv/bin/python benchmarks/soak.py                       # full: 60 s × 64 connections, 600 s fuzz
    .venv/bin/python benchmarks/soak.py --short               # ~1 minute
    .venv/bin/python benchmarks/soak.py --only load,hostile   # some phases

Sets up a throwaway site (temporary data dir and SQLite database, or
``DATABASE_URL`` if set — use a throwaway PostgreSQL database then), ingests the
generated population table and a catalog of generated datasets, starts gunicorn
(``madoguchi.wsgi``, sync workers = cores) on a free loopback port, then runs:

a) load — wrk (Python threads if wrk is missing) over a URL mix; zero non-2xx and
   socket errors; summed worker RSS sampled every 5 s, PASS if end ≤ start × 1.5 + 50 MiB
b) worker SIGKILL under load — only the killed worker's in-flight request may fail
c) ingestion SIGKILL — after the snapshot is written and midway; old version served,
   ``madoguchi cleanup`` leaves only published directories, same data after a restart
d) disk full — MEDIA_ROOT on a 2 MiB tmpfs (root only; SKIP otherwise)
e) hostile inputs over HTTP — oversized upload (413), zip bomb, 100,000 columns, 10 MB field,
   formula cells, <script> titles, SQL injection
f) fuzz — hypothesis against the ingestion parser

Each phase prints one result line and PASS / FAIL / SKIP; the exit status is 1 if any phase FAILs.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from soak_hostile import phase_hostile  # noqa: E402
from soak_phases import (Context, Phase, phase_disk_full, phase_fuzz, phase_ingest_kill, phase_load,  # noqa: E402
                         phase_worker_kill)
from soak_server import Site  # noqa: E402

PHASES = ["load", "worker-kill", "ingest-kill", "disk-full", "hostile", "fuzz"]


def run(args) -> list[Phase]:
    only = set(args.only.split(",")) if args.only else set(PHASES)
    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-soak-"))
    site = Site(tmp)
    results: list[Phase] = []
    try:
        t = time.perf_counter()
        info = site.seed(rows=args.rows, datasets=args.datasets)
        server = site.start(workers=args.workers)
        print(f"site: {info['rows']:,} rows (resource {info['resource']}), {args.datasets:,} datasets, "
              f"gunicorn {server.workers} workers on {server.base}, set up in {time.perf_counter() - t:.0f} s "
              f"({os.cpu_count()} cores, data in {tmp})", flush=True)
        ctx = Context(site, server, duration=args.duration, connections=args.connections, use_wrk=not args.python_load,
                      ingest_rows=args.ingest_rows, fuzz_seconds=args.fuzz_seconds)
        steps = {
            "load": lambda: phase_load(ctx),
            "worker-kill": lambda: phase_worker_kill(ctx, seconds=args.kill_seconds),
            "ingest-kill": lambda: phase_ingest_kill(ctx)[0],
            "disk-full": lambda: phase_disk_full(ctx),
            "hostile": lambda: phase_hostile(ctx, bomb_bytes=args.bomb_bytes, wide_columns=args.wide_columns),
            "fuzz": lambda: phase_fuzz(ctx),
        }
        for name in PHASES:
            if name not in only:
                continue
            t = time.perf_counter()
            try:
                phase = steps[name]()
            except Exception as exc:  # noqa: BLE001 - a phase that blows up is a FAIL, the others still run
                phase = Phase(name, "FAIL", f"{type(exc).__name__}: {exc}")
            print(f"{phase.status:4s}  {phase.name} ({time.perf_counter() - t:.0f} s): {phase.line}", flush=True)
            results.append(phase)
    finally:
        site.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="madoguchi load and fault suite (loopback only)")
    parser.add_argument("--short", action="store_true", help="small sizes (a minute or so)")
    parser.add_argument("--duration", type=float, help="load seconds (60; short 5)")
    parser.add_argument("--connections", type=int, help="load connections (64; short 16)")
    parser.add_argument("--kill-seconds", type=float, help="load seconds around the worker kill (20; short 4)")
    parser.add_argument("--fuzz-seconds", type=float, help="fuzzing seconds (600; short 15)")
    parser.add_argument("--rows", type=int, help="rows of the served population table (200,000; short 20,000)")
    parser.add_argument("--ingest-rows", type=int, help="rows of the killed ingestion (200,000)")
    parser.add_argument("--datasets", type=int, help="generated catalog datasets (1,000; short 200)")
    parser.add_argument("--wide-columns", type=int, help="columns of the wide CSV (100,000; short 10,000)")
    parser.add_argument("--bomb-bytes", type=int, help="inflated size of the zip bomb (2 GiB)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: cores)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--only", help=f"comma-separated phases: {','.join(PHASES)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary site")
    args = parser.parse_args(argv)
    full = {"duration": 60, "connections": 64, "kill_seconds": 20, "fuzz_seconds": 600, "rows": 200_000,
            "ingest_rows": 200_000, "datasets": 1000, "wide_columns": 100_000, "bomb_bytes": 2 * 1024 ** 3}
    short = {"duration": 5, "connections": 16, "kill_seconds": 4, "fuzz_seconds": 15, "rows": 20_000,
             "ingest_rows": 200_000, "datasets": 200, "wide_columns": 10_000, "bomb_bytes": 2 * 1024 ** 3}
    for key, value in (short if args.short else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    results = run(args)
    failed = [r.name for r in results if r.status == "FAIL"]
    print(f"\n{len(results) - len(failed)}/{len(results)} phases passed"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
