"""madoguchi side by side with sqlite-utils, datasette and a DuckDB floor, in one run.

    .venv/bin/python benchmarks/compare.py                 # 1,000,000 rows, 10 s per load step
    .venv/bin/python benchmarks/compare.py --rows 100000 --duration 3   # quick

What it measures, on the same generated CP932 file (town × age × sex
population, 和暦 dates, comma numbers; the title row is dropped so every tool
reads the same header):

1. Ingestion: madoguchi ``ingest_file`` vs ``sqlite-utils insert --csv
`` (type detection is its default) vs the floor (CP932 decode + DuckDB ``read_csv`` → Parquet).
   Seconds, rows/s, peak RSS of each (child processes, ``os.wait4``).
2. Query API under load (wrk, keep-alive, loopback): the same filtered +
   sorted page of 100 rows and a full-text query, served by madoguchi
   (gunicorn, workers = cores) and datasette (``_shape=objects``), at 1, 8 and
   32 connections. req/s, p50, p99, errors.
3. Catalog search: 10,000 generated datasets, p50/p95 of ``/api/v1/datasets?q=``.
4. Old and new server side by side: the same records queries on gunicorn sync workers
   (``madoguchi.wsgi``) and on ``madoguchi serve`` (uvicorn, ``madoguchi.asgi``), workers = cores,
   run alternately (issue #12: the new server must not lower the records API's throughput).

Peers are installed into ``benchmarks/.peers`` from ``requirements-peers.txt``;
``wrk`` comes from Debian (installed when run as root). Load generator and
servers share the machine's cores, so the table states the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / ".peers"
PY = sys.executable
sys.path.insert(0, str(HERE))
from loopback import free_port, parse_wrk, wait_http  # noqa: E402


def sh(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, **kw)


def ensure_tools() -> None:
    if not (PEERS / "bin" / "datasette").exists():
        print("installing peers into benchmarks/.peers …", flush=True)
        sh(PY, "-m", "venv", PEERS)
        sh(PEERS / "bin" / "pip", "install", "-q", "-r", HERE / "requirements-peers.txt")
    if not shutil.which("wrk"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            install = ["apt-get", "install", "-y", "-qq", "wrk"]
            if subprocess.run(install, stdout=subprocess.DEVNULL, env=env).returncode != 0:
                sh("apt-get", "update", "-qq", stdout=subprocess.DEVNULL, env=env)  # a fresh machine's lists are empty
                sh(*install, stdout=subprocess.DEVNULL, env=env)
        else:
            sys.exit("wrk is needed: apt-get install wrk")


def timed_child(cmd: list, env: dict | None = None, cwd=None) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak RSS MiB of the child, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:3]} failed:\n{err[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out


MADOGUCHI_INGEST = r"""
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore
org = catalog.ensure_organization("bench", "ベンチマーク市")
ds = catalog.ensure_dataset("population", title="町丁別年齢別男女別人口", organization=org)
data = open(sys.argv[1], "rb").read()
import time
t = time.perf_counter()
v = datastore.ingest_file(dataset=ds, resource_name="人口", data=data, file_name="population.csv")
print(json.dumps({"seconds": time.perf_counter() - t, "resource": v.resource_id, "rows": v.row_count}))
""".replace("import os, sys, django", "import os, sys, json, django")

FLOOR = r"""
import sys, duckdb, tempfile, os, time
data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
text = data.decode("cp932")
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "u.csv"); open(p, "w", encoding="utf-8").write(text)
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{p}', header=true)) TO '{d}/t.parquet' (FORMAT parquet)")
print(time.perf_counter() - t)
"""

SEARCH_SEED = r"""
import os, sys, random, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
django.setup()
from madoguchi.catalog.models import Dataset, Organization
from madoguchi.text import normalize_for_search
words = "人口 世帯 ごみ 分別 避難所 公園 図書館 保育所 観光 イベント 交通 バス 駐車場 自転車 AED 病院 薬局 学校 給食 統計 予算 選挙 水道 道路 防災 福祉 子育て 高齢者 文化財 トイレ Wi-Fi 施設 地図 気象 河川".split()
rng = random.Random(7)
org, _ = Organization.objects.get_or_create(slug="bench-org", defaults={"title": "ベンチマーク課"})
batch = []
for i in range(int(sys.argv[1])):
    title = f"{rng.choice(words)}{rng.choice(words)}一覧（第{i}版）"
    desc = "・".join(rng.sample(words, 6)) + "に関するデータです。"
    batch.append(Dataset(slug=f"bench-{i}", title=title, description=desc, organization=org,
                         search_title=normalize_for_search(title), search_text=normalize_for_search(desc)))
Dataset.objects.bulk_create(batch, batch_size=1000)
from madoguchi.catalog.index import bump_generation
bump_generation()  # bulk_create sends no signals; servers rebuild their search index on the next search
print(len(batch))
"""


def wrk(url: str, connections: int, duration: int) -> dict:
    threads = max(1, min(2, connections))
    # --timeout 30s: wrk's default (2 s) drops slower responses from the latency figures
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
                          url], capture_output=True, text=True, check=True).stdout
    try:
        return parse_wrk(out)
    except (TypeError, ValueError):
        raise SystemExit(f"could not read wrk's output for {url}:\n{out}") from None


def _ratio(a: float, b: float) -> str:
    """a ÷ b to one decimal, or "∞" when the peer completed no request in the run."""
    return f"{a / b:.1f}" if b > 0 else "∞"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    ensure_tools()
    from population_csv import generate_csv  # benchmarks/population_csv.py

    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-compare-"))
    procs: list[subprocess.Popen] = []
    try:
        return _run(args, tmp, procs, generate_csv)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


def _run(args, tmp: Path, procs: list, generate_csv) -> int:
    cores = os.cpu_count() or 1
    raw = generate_csv(args.rows)
    data = raw.split(b"\r\n", 1)[1]  # drop the title row: every tool reads the same header
    csv_path = tmp / "population.csv"
    csv_path.write_bytes(data)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB CP932, {cores} cores\n", flush=True)

    env = dict(os.environ, MADOGUCHI_DATA_DIR=str(tmp / "mdg"), DATABASE_URL=f"sqlite:///{tmp / 'mdg.sqlite3'}",
               MADOGUCHI_LOG_LEVEL="ERROR", MADOGUCHI_ALLOWED_HOSTS="127.0.0.1,localhost",
               MADOGUCHI_RATE_LIMITS="off")  # wrk sends everything from one address
    env.pop("MADOGUCHI_TEST_DB", None)
    results = {}
    s, rss, _ = timed_child([PY, "-c", FLOOR, csv_path])
    results["floor (decode + DuckDB → Parquet)"] = (s, rss)
    s, rss, out = timed_child([PY, "-c", MADOGUCHI_INGEST, csv_path], env=env)
    info = json.loads(out.strip().splitlines()[-1])
    results["madoguchi ingest"] = (info["seconds"], rss)
    db = tmp / "peer.sqlite"
    s, rss, _ = timed_child([PEERS / "bin" / "sqlite-utils", "insert", db, "pop", csv_path, "--csv", "--encoding",
                             "cp932"])  # sqlite-utils 4 detects types by default
    results["sqlite-utils insert --csv (detects types)"] = (s, rss)
    sh(PEERS / "bin" / "sqlite-utils", "enable-fts", db, "pop", "町丁名", "--fts5", stdout=subprocess.DEVNULL)
    # what a datasette user would do for the filtered query (not counted in its ingestion time)
    sh(PEERS / "bin" / "sqlite-utils", "create-index", db, "pop", "区名", "性別", stdout=subprocess.DEVNULL)
    floor = results["floor (decode + DuckDB → Parquet)"][0]
    print(f"{'ingestion':45s} {'seconds':>8s} {'rows/s':>11s} {'peak MiB':>9s} {'× floor':>8s}")
    for name, (s, rss) in results.items():
        print(f"{name:45s} {s:8.2f} {args.rows / s:11,.0f} {rss:9.0f} {s / floor:8.2f}")

    # servers
    mport, dport = free_port(), free_port()
    procs.append(subprocess.Popen([Path(PY).with_name("gunicorn"), "madoguchi.wsgi", "-w", str(cores), "-b",
                                   f"127.0.0.1:{mport}", "--log-level", "warning"], env=env, cwd=ROOT))
    procs.append(subprocess.Popen([PEERS / "bin" / "datasette", "serve", db, "-p", str(dport), "--setting",
                                   "sql_time_limit_ms", "10000", "--setting", "num_sql_threads", str(cores)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    sport = free_port()  # the new production server, measured against gunicorn below
    procs.append(subprocess.Popen([PY, "-m", "madoguchi.cli", "serve", "--workers", str(cores), "--bind",
                                   f"127.0.0.1:{sport}"], env=env, cwd=ROOT))
    rid = info["resource"]
    base_m = f"http://127.0.0.1:{mport}/api/v1/resources/{rid}/records"
    base_d = f"http://127.0.0.1:{dport}/peer/pop.json"
    wait_http(base_m + "?limit=1")
    wait_http(base_d + "?_size=1")
    town = "大通東２丁目"
    queries = {
        "filter+sort page of 100": (
            base_m + "?" + urllib.parse.urlencode({"filters": json.dumps({"区名": "中央区", "性別": "女"},
                                                                       ensure_ascii=False),
                                                   "sort": "人口 desc", "limit": 100}),
            base_d + "?" + urllib.parse.urlencode({"区名": "中央区", "性別": "女", "_sort_desc": "人口",
                                                   "_size": 100, "_shape": "objects"})),
        "full-text": (base_m + "?" + urllib.parse.urlencode({"q": town, "limit": 100}),
                      base_d + "?" + urllib.parse.urlencode({"_search": f'"{town}"', "_size": 100,
                                                             "_shape": "objects"})),
    }
    print(f"\n{'query API (wrk, ' + str(args.duration) + ' s each)':34s} {'conns':>5s} "
          f"{'madoguchi req/s':>15s} {'p50 ms':>7s} {'p99 ms':>7s} {'err':>4s} "
          f"{'datasette req/s':>15s} {'p50 ms':>7s} {'p99 ms':>7s} {'err':>4s} {'ratio':>6s}")
    for name, (mu, du) in queries.items():
        for c in (1, 8, 32):
            m = wrk(mu, c, args.duration)
            d = wrk(du, c, args.duration)
            print(f"{name:34s} {c:5d} {m['rps']:15.0f} {m['p50']:7.1f} {m['p99']:7.1f} {m['errors']:4d} "
                  f"{d['rps']:15.0f} {d['p50']:7.1f} {d['p99']:7.1f} {d['errors']:4d} {_ratio(m['rps'], d['rps']):>6s}",
                  flush=True)
    # the load generator itself: a static-size response it can hammer (shows wrk is not the bottleneck)
    gen = wrk(f"http://127.0.0.1:{mport}/api/v1/resources/{rid}/records?limit=0&include_total=false", 32, 3)
    print(f"(load generator check: a tiny response at 32 conns: {gen['rps']:.0f} req/s)")

    # old server (gunicorn sync workers) and new (madoguchi serve), same queries, alternately
    base_s = f"http://127.0.0.1:{sport}/api/v1/resources/{rid}/records"
    wait_http(base_s + "?limit=1")
    for mu, _ in queries.values():  # warm-up of both: every view thread opens its connections on first use
        for url in (mu, mu.replace(base_m, base_s)):
            wrk(url, 32, 2)
    print(f"\n{'records API: old vs new server':34s} {'conns':>5s} {'gunicorn req/s':>15s} {'p50 ms':>7s} "
          f"{'p99 ms':>7s} {'err':>4s} {'serve req/s':>15s} {'p50 ms':>7s} {'p99 ms':>7s} {'err':>4s} {'ratio':>6s}")
    for name, (mu, _) in queries.items():
        for c in (8, 32):
            g = wrk(mu, c, args.duration)
            n = wrk(mu.replace(base_m, base_s), c, args.duration)
            print(f"{name:34s} {c:5d} {g['rps']:15.0f} {g['p50']:7.1f} {g['p99']:7.1f} {g['errors']:4d} "
                  f"{n['rps']:15.0f} {n['p50']:7.1f} {n['p99']:7.1f} {n['errors']:4d} {_ratio(n['rps'], g['rps']):>6s}",
                  flush=True)

    # catalog search
    sh(PY, "-c", SEARCH_SEED, args.datasets, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    words = ["人口", "ごみ", "避難所", "公園", "図書館", "保育所", "観光", "バス", "病院 一覧", "子育て"]
    times = []
    conn_url = f"http://127.0.0.1:{mport}/api/v1/datasets"
    for i in range(300):
        q = words[i % len(words)]
        t = time.perf_counter()
        with urllib.request.urlopen(conn_url + "?" + urllib.parse.urlencode({"q": q})) as r:
            r.read()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"\ncatalog search over {args.datasets:,} datasets: p50 {p50:.1f} ms, p95 {p95:.1f} ms (300 queries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
