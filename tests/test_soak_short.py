"""The soak suite in small (issue #8, "a short version in CI"): the phases of ``benchmarks/soak.py``
against a gunicorn started here, with a few seconds of load from a Python client (no wrk needed).

The site has its own SQLite database and data dir under ``tmp_path`` (never the
test database). Tests run in file order on one server; ``test_ingest_kill``
restarts it. Timings are reported by ``make soak``, not asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

from soak_fuzz import fuzz, ingest_once, parse_once  # noqa: E402
from soak_hostile import phase_hostile  # noqa: E402
from soak_phases import Context, phase_disk_full, phase_ingest_kill, phase_load, phase_worker_kill  # noqa: E402
from soak_server import Site  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("soak")
    site = Site(tmp, extra_env={"DATABASE_URL": f"sqlite:///{tmp / 'soak.sqlite3'}"})
    site.seed(rows=20_000, datasets=100)
    server = site.start(workers=2)
    yield Context(site, server, duration=4, connections=16, use_wrk=False, ingest_rows=200_000)
    site.stop()


def test_load__no_errors_and_memory_stable(ctx):
    phase = phase_load(ctx)
    v = phase.values
    assert v["requests"] > 0 and v["non_2xx"] == 0 and v["socket_errors"] == 0, phase.line
    assert v["rss_end"] <= v["rss_start"] * 1.5 + 50, phase.line
    assert phase.status == "PASS"


def test_worker_sigkill__only_its_request_fails_and_it_is_replaced(ctx):
    phase = phase_worker_kill(ctx, seconds=4, connections=16)
    v = phase.values
    assert v["errors_before"] == 0 and v["errors_later"] == 0, phase.line
    assert v["errors_at_kill"] <= 1, phase.line
    assert v["replaced"] is True, phase.line
    assert phase.status == "PASS"


def test_ingest_sigkill__old_version_served_and_cleanup_leaves_only_published(ctx):
    phase, server = phase_ingest_kill(ctx)
    v = phase.values
    assert v["left_behind"] == 2, phase.line  # one work dir per killed process
    assert v["clean_after_cleanup"] is True, phase.line
    assert v["after_restart"] == v["baseline"] and v["baseline"]["version"] == 1 and v["baseline"]["rows"] == 20_000
    assert phase.status == "PASS", phase.line


def test_disk_full__clear_error_nothing_published_nothing_left(ctx):
    phase = phase_disk_full(ctx)
    if phase.status == "SKIP":
        pytest.skip(phase.line)
    v = phase.values
    assert v["returncode"] == 1 and "保存先のディスクがいっぱいです" in v["message"], phase.line
    assert v["files_left"] == 0 and v["unchanged"] is True, phase.line


def test_hostile_inputs_over_http(ctx):
    phase = phase_hostile(ctx, bomb_bytes=2 * 1024 ** 3, wide_columns=10_000)
    failed = [name for name, ok in phase.values["checks"].items() if not ok]
    assert failed == [], phase.line
    assert len(phase.values["checks"]) == 11


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl's notes on damaged workbooks
def test_fuzz_the_ingestion_parser__200_examples(make_dataset):
    tally = fuzz(parse_once, examples=200)
    dataset = make_dataset("fuzz")
    fuzz(lambda name, data: ingest_once(dataset, name, data), examples=40, tally=tally)
    assert tally.failures == [], "\n".join(tb for _, _, tb in tally.failures[:3])
    assert tally.examples >= 200 and "CRASH" not in tally.outcomes
