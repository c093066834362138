"""docs/deploy.md tells the truth: its blocks marked ``tested`` run as written (issue #12, part 4).

The environment block is the one every process reads; the other blocks run with it (data directory,
database and server name swapped for throwaway ones). Lines that install software, ask questions or
need a real bucket (``pip``, ``venv``, ``createsuperuser``, ``load-bundle``) are not run; the backup
and restore blocks run when the tests run on PostgreSQL with its client tools.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "deploy.md").read_text()
BLOCKS = dict(re.findall(r"```sh tested=(\w+)\n(.*?)```", DOC, re.S))
BIN = Path(sys.executable).parent
NOT_RUN = ("python3 -m venv", "/pip install", "createsuperuser", "load-bundle")

pytestmark = pytest.mark.slow


def _lines(name: str) -> list[str]:
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in BLOCKS[name].splitlines()]
    return [line for line in lines if line and not line.startswith("#") and not any(n in line for n in NOT_RUN)]


def _environment(tmp_path) -> dict:
    documented = dict(line.split("=", 1) for line in _lines("env"))
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' Playwright loop needs it in this process, never a server
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MADOGUCHI_", "AWS_")) and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(documented)
    env["MADOGUCHI_DATA_DIR"] = str(tmp_path / "data")
    env["MADOGUCHI_STORAGE"] = "local"  # the tests of the S3 storage run against moto elsewhere
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith("postgres"):
        env["DATABASE_URL"] = database
    else:
        env.pop("DATABASE_URL")  # the embedded SQLite file in the data directory
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(line: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(line, shell=True, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_every_tested_block_exists():
    assert set(BLOCKS) >= {"env", "check", "install", "daily", "backup", "restore", "upgrade"}
    assert "madoguchi serve" in DOC and "madoguchi worker" in DOC


def test_environment_block__production_settings_start_and_check_deploy_is_clean(tmp_path):
    env = _environment(tmp_path)
    assert env["DJANGO_SETTINGS_MODULE"] == "madoguchi.settings.production"
    for line in _lines("check"):
        result = _run(line, env, tmp_path)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        assert "no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_install_daily_and_upgrade_blocks_run(tmp_path):
    env = _environment(tmp_path)
    if "DATABASE_URL" in env:  # a database of its own on the same server, as a fresh installation has
        pytest.skip("runs on the embedded database; the PostgreSQL pass runs the backup block")
    for block in ("install", "daily", "upgrade"):
        for line in _lines(block):
            result = _run(line, env, tmp_path)
            assert result.returncode == 0, f"[{block}] {line}\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "data" / "madoguchi.sqlite3").is_file()
    assert (tmp_path / "data" / "static" / "madoguchi").is_dir()


@pytest.mark.django_db
def test_backup_and_restore_blocks_run_on_postgresql(tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs DATABASE_URL=postgres://… and the PostgreSQL client tools")
    s = connection.settings_dict  # the migrated test database stands in for the city's
    env = _environment(tmp_path)
    env.update({"PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432), "PGUSER": s["USER"],
                "PGPASSWORD": s["PASSWORD"], "PGDATABASE": s["NAME"],
                "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
                                f"{s['PORT'] or 5432}/{s['NAME']}"})
    subprocess.run("dropdb --if-exists madoguchi_restored", shell=True, env=env, check=False)
    try:
        for block in ("backup", "restore"):
            for line in _lines(block):
                result = _run(line, env, tmp_path)
                assert result.returncode == 0, f"[{block}] {line}\n{result.stdout}\n{result.stderr}"
        tables = _run("psql -At -d madoguchi_restored -c \"select count(*) from information_schema.tables "
                      "where table_name = 'catalog_dataset'\"", env, tmp_path)
        assert tables.stdout.strip() == "1"
    finally:
        subprocess.run("dropdb --if-exists madoguchi_restored", shell=True, env=env, check=False)
