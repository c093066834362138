"""Benchmark: ingest a large CP932 town-by-age-by-sex population CSV.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--keep] [--profile pyinstrument|cprofile]

Steps (see benchmarks/README.md):

1. generate a CP932 CSV shaped like a city's 町丁別年齢別男女別人口 table
   (title row, header, code with leading zero, kanji names with full-width
   digits, "1,234" numbers, 和暦 dates), fixed seed, into a temp dir;
2. make a throwaway ``MADOGUCHI_DATA_DIR``, ``madoguchi migrate`` it;
3. in a fresh child process: create an organization and a dataset, then time
   ``madoguchi.datastore.services.ingest_file`` on the bytes (stages from the
   progress callback, plus exact boundaries from wrapped internals); the
   parent reads the child's peak RSS with ``os.wait4``;
4. in another child: the "floor" — CP932 decode + DuckDB ``read_csv`` of the
   UTF-8 text → Parquet (zstd);
5. print a table; exit 1 if the inferred types or the row count are wrong.

Nothing here is timed against a threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from population_csv import SEED, generate_csv  # benchmarks/ is on sys.path when run as a script

HERE = Path(__file__).resolve()
VENV_BIN = Path(sys.executable).parent
EXPECTED_TYPES = {  # column → type the inference must give
    "全国地方公共団体コード": "string",
    "区名": "string",
    "町丁名": "string",
    "年齢": "integer",
    "性別": "string",
    "人口": "integer",
    "世帯数": "integer",
    "調査日": "date",
}
STAGES = ("read", "types", "write", "publish")
SPAN_ORDER = (
    "read_table (decode+csv+shape)", "  detect_encoding (decode)", "  sniff_delimiter", "  shape_rows",
    "type_table (infer)", "  infer_column (all columns)",
    "write_original", "write_typed_table (parquet)", "_publish (db)",
)

# --------------------------------------------------------------------------- helpers


def _pad(text: str, width: int) -> str:
    """Left-justify by display width (full-width characters count 2)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def _rss_mib_now() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _run_child(args: list[str], env: dict) -> tuple[int, float, float]:
    """Run this script as a child; return (exit code, wall seconds, child's peak RSS MiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE), *args], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024


# --------------------------------------------------------------------------- children


def child_ingest(csv_path: Path, out_path: Path, profile: str | None) -> None:
    """In a fresh process: set up Django, ingest, write timings as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    django.setup()
    import pyarrow.parquet as pq

    from madoguchi.catalog.services import ensure_dataset, ensure_organization
    from madoguchi.datastore import ingest as ingest_mod
    from madoguchi.datastore import snapshots, typedtable
    from madoguchi.datastore.reading import csvfile
    from madoguchi.datastore.services import ingest_file

    org = ensure_organization("bench-city", "ベンチマーク市")
    dataset = ensure_dataset("bench-population", title="町丁別年齢別男女別人口 (benchmark)", organization=org)
    data = csv_path.read_bytes()

    # Exact boundaries: wrap internals (module attributes, so no source change).
    spans: dict[str, float] = {}

    def timed(module, name, key=None):
        original = getattr(module, name)

        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                spans[key or name] = spans.get(key or name, 0.0) + time.perf_counter() - t0

        setattr(module, name, wrapper)

    timed(ingest_mod, "read_table", "read_table (decode+csv+shape)")
    timed(csvfile, "detect_encoding", "  detect_encoding (decode)")
    timed(csvfile, "sniff_delimiter", "  sniff_delimiter")
    timed(csvfile, "shape_rows", "  shape_rows")
    timed(ingest_mod, "type_table", "type_table (infer)")
    timed(typedtable, "infer_column", "  infer_column (all columns)")
    timed(snapshots, "write_original", "write_original")
    timed(ingest_mod, "write_typed_table", "write_typed_table (parquet)")
    timed(ingest_mod, "_publish", "_publish (db)")

    first_seen: dict[str, float] = {}

    def progress(stage: str, fraction: float) -> None:
        first_seen.setdefault(stage, time.perf_counter())

    baseline = _rss_mib_now()
    profiler = None
    if profile == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    elif profile == "cprofile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    version = ingest_file(dataset=dataset, resource_name="population", data=data,
                          file_name="town_age_sex_population.csv", progress=progress)
    ended = time.perf_counter()
    if profile == "pyinstrument":
        profiler.stop()
        html = out_path.with_suffix(".profile.html")
        html.write_text(profiler.output_html())
        out_path.with_suffix(".profile.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False))
    elif profile == "cprofile":
        profiler.disable()
        profiler.dump_stats(str(out_path.with_suffix(".prof")))

    stage_seconds = {}
    marks = [(s, first_seen[s]) for s in STAGES if s in first_seen] + [("end", ended)]
    for (stage, t0), (_, t1) in zip(marks, marks[1:]):
        stage_seconds[stage] = t1 - t0
    parquet = snapshots.absolute(version.snapshot_path)
    result = {
        "seconds": ended - started,
        "stages": stage_seconds,
        "before_first_stage": (marks[0][1] - started) if first_seen else None,
        "spans": spans,
        "row_count": version.row_count,
        "parquet_rows": pq.ParquetFile(parquet).metadata.num_rows,
        "parquet_bytes": parquet.stat().st_size,
        "columns": [{"name": c["name"], "type": c["type"]} for c in version.columns],
        "warnings": [{"code": w["code"], "column": w.get("column"), "count": w.get("count")}
                     for w in version.report.get("warnings", [])],
        "encoding": version.encoding,
        "baseline_rss_mib": baseline,
        "peak_rss_self_mib": _peak_rss_mib(),
    }
    out_path.write_text(json.dumps(result, ensure_ascii=False, indent=1))


def child_floor(csv_path: Path, out_path: Path) -> None:
    """The floor: CP932 decode in Python + DuckDB read_csv of the UTF-8 text → Parquet."""
    import duckdb

    data = csv_path.read_bytes()
    work = out_path.parent / "floor"
    work.mkdir(exist_ok=True)
    baseline = _rss_mib_now()
    t0 = time.perf_counter()
    text = data.decode("cp932")
    t1 = time.perf_counter()
    utf8 = work / "utf8.csv"
    utf8.write_bytes(text.encode("utf-8"))
    del text
    t2 = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{utf8}', skip=1, header=true)) TO '{work / 'floor.parquet'}' "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)")
    t3 = time.perf_counter()
    rows = con.execute(f"SELECT count(*) FROM '{work / 'floor.parquet'}'").fetchone()[0]
    types = con.execute(f"DESCRIBE SELECT * FROM '{work / 'floor.parquet'}'").fetchall()
    out_path.write_text(json.dumps({
        "seconds": t3 - t0, "decode": t1 - t0, "write_utf8": t2 - t1, "duckdb": t3 - t2, "rows": rows,
        "types": {name: typ for name, typ, *_ in types}, "baseline_rss_mib": baseline,
        "parquet_bytes": (work / "floor.parquet").stat().st_size,
    }, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="data rows to generate (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (CSV, data dir, results)")
    parser.add_argument("--profile", choices=("pyinstrument", "cprofile"),
                        help="profile the ingestion (slows it; timings then include the profiler)")
    parser.add_argument("--child", choices=("ingest", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "ingest":
        child_ingest(args.csv, args.out, args.profile)
        return 0
    if args.child == "floor":
        child_floor(args.csv, args.out)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    try:
        return _bench(args, tmp)
    finally:
        if args.keep:
            print(f"\nkept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(args, tmp: Path) -> int:
    print(f"madoguchi ingest benchmark — {args.rows:,} rows, seed {SEED}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    data = generate_csv(args.rows)
    csv_path = tmp / "town_age_sex_population.csv"
    csv_path.write_bytes(data)
    size_mb = len(data) / 1e6
    print(f"generated {csv_path.name}: {size_mb:.1f} MB CP932 in {time.perf_counter() - t0:.1f} s")
    print("  first lines: " + " | ".join(data[:400].decode("cp932", "replace").split("\r\n")[:4]))
    del data

    env = dict(os.environ, MADOGUCHI_DATA_DIR=str(tmp / "data"), DJANGO_SETTINGS_MODULE="madoguchi.settings")
    env.pop("DATABASE_URL", None)  # always the throwaway SQLite
    env.pop("MADOGUCHI_MEDIA_ROOT", None)
    t0 = time.perf_counter()
    madoguchi = VENV_BIN / "madoguchi"
    cmd = [str(madoguchi)] if madoguchi.exists() else [sys.executable, "-m", "madoguchi.cli"]
    subprocess.run([*cmd, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    print(f"migrated throwaway data dir in {time.perf_counter() - t0:.1f} s")

    out = tmp / "ingest.json"
    child = ["--child", "ingest", "--csv", str(csv_path), "--out", str(out)]
    if args.profile:
        child += ["--profile", args.profile]
    code, _, ingest_peak = _run_child(child, env)
    if code:
        print(f"FAIL: ingestion child exited {code}")
        return 1
    ing = json.loads(out.read_text())

    fout = tmp / "floor.json"
    code, _, floor_peak = _run_child(["--child", "floor", "--csv", str(csv_path), "--out", str(fout)], env)
    if code:
        print(f"FAIL: floor child exited {code}")
        return 1
    floor = json.loads(fout.read_text())

    ok = True
    print("\ninferred columns:")
    got = {c["name"]: c["type"] for c in ing["columns"]}
    for name, want in EXPECTED_TYPES.items():
        mark = "ok" if got.get(name) == want else "WRONG"
        ok &= mark == "ok"
        print(f"  {_pad(name, 24)}{got.get(name, '(missing)'):<9s} expected {want:<8s} {mark}")
    if set(got) != set(EXPECTED_TYPES):
        print(f"  WRONG column set: {sorted(got)}")
        ok = False
    rows_ok = ing["row_count"] == args.rows == ing["parquet_rows"]
    ok &= rows_ok
    print(f"  rows: {ing['row_count']:,} (parquet {ing['parquet_rows']:,}), expected {args.rows:,} "
          f"{'ok' if rows_ok else 'WRONG'}; encoding {ing['encoding']}")
    print("  warnings: " + (", ".join(f"{w['code']}({w['column'] or ''}:{w['count']})" for w in ing["warnings"])
                            or "none"))

    print("\nstages (progress callback, first appearance → next stage):")
    if ing["before_first_stage"] is not None:
        print(f"  {'(before read)':<40s}{ing['before_first_stage']:8.2f} s")
    for stage in STAGES:
        if stage in ing["stages"]:
            s = ing["stages"][stage]
            print(f"  {stage:<40s}{s:8.2f} s {100 * s / ing['seconds']:5.1f} %")
    print("exact spans (wrapped internals):")
    for name in SPAN_ORDER:
        if name in ing["spans"]:
            s = ing["spans"][name]
            print(f"  {name:<40s}{s:8.2f} s {100 * s / ing['seconds']:5.1f} %")
    print(f"floor: decode {floor['decode']:.2f} s, write UTF-8 {floor['write_utf8']:.2f} s, "
          f"DuckDB read_csv→parquet {floor['duckdb']:.2f} s; DuckDB types: "
          + ", ".join(f"{k}={v}" for k, v in floor["types"].items()))

    rows = args.rows
    table = [
        ("", "madoguchi ingest_file", "floor (decode+DuckDB)"),
        ("rows", f"{ing['row_count']:,}", f"{floor['rows']:,}"),
        ("file MB", f"{size_mb:.1f}", f"{size_mb:.1f}"),
        ("seconds", f"{ing['seconds']:.2f}", f"{floor['seconds']:.2f}"),
        ("rows/s", f"{rows / ing['seconds']:,.0f}", f"{rows / floor['seconds']:,.0f}"),
        ("MB/s", f"{size_mb / ing['seconds']:.1f}", f"{size_mb / floor['seconds']:.1f}"),
        ("peak RSS MiB", f"{ingest_peak:,.0f}", f"{floor_peak:,.0f}"),
        ("RSS before MiB", f"{ing['baseline_rss_mib']:,.0f}", f"{floor['baseline_rss_mib']:,.0f}"),
        ("parquet MB", f"{ing['parquet_bytes'] / 1e6:.1f}", f"{floor['parquet_bytes'] / 1e6:.1f}"),
    ]
    print()
    for label, a, b in table:
        print(f"{label:<16s}{a:>24s}{b:>24s}")
    print(f"{'ratio':<16s}{ing['seconds'] / floor['seconds']:>23.1f}x{'':>24s}  (madoguchi / floor time)")
    if args.profile:
        print(f"\nprofiled with {args.profile} (timings include its overhead); "
              f"output next to {out} (use --keep)")
    if not ok:
        print("\nFAIL: inferred types or row count are wrong")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
