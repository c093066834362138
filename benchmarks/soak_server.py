"""A throwaway madoguchi site for the soak suite: data dir, database, seed data, gunicorn.

``Site(tmp)`` owns a temporary ``MADOGUCHI_DATA_DIR`` and ``MEDIA_ROOT``, and a
SQLite database in it (or ``DATABASE_URL`` if set — then its tables are
shared, so use a throwaway PostgreSQL database). ``seed()`` migrates, ingests
the generated population table (``population_csv.py``) and a few small
resources, creates ``datasets`` catalog entries, a staff user and an API
token. ``start()`` runs gunicorn the way production would: ``madoguchi.wsgi``,
sync workers = cores, on a free loopback port.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from loopback import free_port, wait_http

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))

SEED = r"""
import json, os, random, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
django.setup()
from django.contrib.auth import get_user_model
from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Dataset
from madoguchi.ckan.models import ApiToken
from madoguchi.datastore import services as datastore
from madoguchi.text import normalize_for_search
sys.path.insert(0, sys.argv[3])
from population_csv import generate_csv
rows, datasets = int(sys.argv[1]), int(sys.argv[2])
org = catalog.ensure_organization("soak", "負荷試験課")
pop = catalog.ensure_dataset("population", title="町丁別年齢別男女別人口", organization=org)
v = datastore.ingest_file(dataset=pop, resource_name="人口", data=generate_csv(rows), file_name="population.csv")
small = catalog.ensure_dataset("small", title="小さな表", organization=org)
s = datastore.ingest_file(dataset=small, resource_name="表", data="区,人口\n中央区,1\n北区,2\n".encode(), file_name="s.csv")
words = "人口 世帯 ごみ 分別 避難所 公園 図書館 保育所 観光 イベント 交通 バス 駐車場 AED 病院 学校 給食 統計 防災 子育て".split()
rng = random.Random(7)
batch = []
for i in range(datasets):
    title = f"{rng.choice(words)}{rng.choice(words)}一覧（第{i}版）"
    desc = "・".join(rng.sample(words, 6)) + "に関するデータです。"
    batch.append(Dataset(slug=f"soak-{i}", title=title, description=desc, organization=org,
                         search_title=normalize_for_search(title), search_text=normalize_for_search(desc)))
Dataset.objects.bulk_create(batch, batch_size=1000)
from madoguchi.catalog.index import bump_generation
bump_generation()  # bulk_create sends no signals
user, _ = get_user_model().objects.get_or_create(username="soak-staff", defaults={"is_staff": True})
_, token = ApiToken.issue(user, "soak")
print(json.dumps({"resource": v.resource_id, "rows": v.row_count, "sha256": v.sha256, "version": v.number,
                  "small_resource": s.resource_id, "token": token, "org": org.slug}))
"""


def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB (``/proc/<pid>/status`` VmRSS); 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Direct child pids of ``pid`` (gunicorn workers of a master)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    workers: int
    base: str = field(init=False)

    def __post_init__(self):
        self.base = f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid)

    def wait_workers(self, n: int | None = None, timeout: float = 60) -> list[int]:
        """Wait until ``n`` (default: all) workers run and answer; return their pids."""
        n = n or self.workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= n:
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn has {len(self.worker_pids())} workers, expected {n}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Site:
    """Temporary data dir + database + media root; ``manage()`` runs ``madoguchi`` commands against it."""

    def __init__(self, tmp: Path, *, extra_env: dict | None = None):
        self.tmp = Path(tmp)
        self.data_dir = self.tmp / "data"
        self.media_root = self.data_dir / "media"
        self.env = dict(os.environ, MADOGUCHI_DATA_DIR=str(self.data_dir), MADOGUCHI_MEDIA_ROOT=str(self.media_root),
                        MADOGUCHI_LOG_LEVEL="ERROR", MADOGUCHI_ALLOWED_HOSTS="127.0.0.1,localhost",
                        PYTHONPATH=str(ROOT / "src"),
                        # one client address sends all the load; tasks (CKAN resource_create) run inside the
                        # request, so the hostile phase sees each upload's outcome in its answer
                        MADOGUCHI_RATE_LIMITS="off",
                        MADOGUCHI_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
                        **(extra_env or {}))
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.data_dir / 'soak.sqlite3'}")
        for key in ("MADOGUCHI_TEST_DB", "DJANGO_SETTINGS_MODULE", "MADOGUCHI_TEST_PAUSE_BEFORE_PUBLISH_S"):
            self.env.pop(key, None)
        self.info: dict = {}
        self.servers: list[Server] = []

    def manage(self, *args, env: dict | None = None, check: bool = True,
               timeout: float = 600) -> subprocess.CompletedProcess:
        """Run ``madoguchi ARGS`` against this site; returns the completed process (text output)."""
        return subprocess.run([PY, "-m", "madoguchi.cli", *map(str, args)], env={**self.env, **(env or {})},
                              capture_output=True, text=True, check=check, timeout=timeout, cwd=ROOT)

    def spawn_manage(self, *args, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen([PY, "-m", "madoguchi.cli", *map(str, args)], env={**self.env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)

    def seed(self, *, rows: int, datasets: int) -> dict:
        """Migrate and load the population table (``rows`` rows) and ``datasets`` catalog entries."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--verbosity", "0")
        out = subprocess.run([PY, "-c", SEED, str(rows), str(datasets), str(HERE)], env=self.env, cwd=ROOT,
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"seeding failed:\n{out.stderr[-3000:]}")
        self.info = json.loads(out.stdout.strip().splitlines()[-1])
        return self.info

    def start(self, *, workers: int | None = None, env: dict | None = None, timeout_s: int = 300) -> Server:
        """Start gunicorn (sync workers = cores unless given) on a free loopback port and wait for it."""
        workers = workers or os.cpu_count() or 1
        port = free_port()
        proc = subprocess.Popen([GUNICORN, "madoguchi.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                 "--timeout", str(timeout_s), "--log-level", "warning"],
                                env={**self.env, **(env or {})}, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=open(self.tmp / f"gunicorn-{port}.log", "w"))
        server = Server(proc, port, workers)
        self.servers.append(server)
        wait_http(server.base + "/api/v1/datasets?limit=1", timeout=90)
        server.wait_workers()
        return server

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def version_dirs(self) -> set[str]:
        """Relative paths of every directory under ``datastore/tmp`` and ``datastore/v/<resource>``."""
        found = set()
        for sub in ("tmp", "v"):
            base = self.media_root / "datastore" / sub
            if not base.exists():
                continue
            level = base.iterdir() if sub == "tmp" else (d for r in base.iterdir() for d in r.iterdir())
            found |= {str(d.relative_to(self.media_root)) for d in level}
        return found


def get_json(url: str, timeout: float = 30) -> tuple[int, dict]:
    """GET ``url``; return (status, parsed JSON body) for any status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def get(url: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    """GET ``url``; return (status, headers, body) for any status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
