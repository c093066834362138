"""Capacity under concurrency on PostgreSQL (``DATABASE_URL=postgres://…``): 20 threads for a day with
capacity 5 → 5 stored, 15 refused with a clear message. Skipped on SQLite (sequential test in test_bulky.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from madoguchi.applications.models import Application
from madoguchi.bulky import services
from madoguchi.bulky.errors import BulkyError
from madoguchi.bulky.models import CollectionArea, CollectionDay, FeeRule, TicketUse

pytestmark = [pytest.mark.slow, pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")]

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.mark.django_db(transaction=True)
def test_20_threads_for_5_places__5_stored_15_refused():
    services.install_form()
    FeeRule.objects.create(source="kameoka", item="アイロン台", kind="flat", yen=400)
    CollectionArea.objects.create(source="kameoka", name="旭町", weekdays="水", daily_capacity=5)
    barrier = threading.Barrier(20)
    results: list = [None] * 20

    def run(i: int):
        try:
            barrier.wait(timeout=10)
            req, _created, _ = services.apply(
                area="旭町", date=dt.date(2026, 12, 9), items=[{"item": "アイロン台"}], address="亀岡市旭町1",
                phone="0771000000", email=f"p{i}@example.jp", tickets=[f"{i:06d}1", f"{i:06d}2"],
                client_token=f"concurrent-token-{i:04d}", now=NOW)
            results[i] = ("ok", req.application.reference)
        except BulkyError as exc:
            results[i] = (exc.code, exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "full"]
    assert (len(ok), len(refused)) == (5, 15), results
    assert all("受付件数に達しました" in m for _, m in refused)
    day = CollectionDay.objects.get()
    assert (day.booked, day.capacity) == (5, 5)
    assert Application.objects.count() == 5 and TicketUse.objects.count() == 10
