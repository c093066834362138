"""Issue #14 benchmark: the SQL of one bulky-waste submission is pinned, so it cannot silently regress.

One new request through ``POST /api/v1/bulky-waste/requests``: read token (1), day + area (1), fee rules (1),
form version + form (1); in one transaction the application, its first history entry, the place (conditional
UPDATE), the request and all 処理券 in one INSERT under a savepoint; the confirmation mail queued on commit.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.applications import services as applications
from madoguchi.applications.models import Application
from madoguchi.bulky.models import BulkyRequest, CollectionDay, TicketUse

from .test_bulky import NOW, WED, setup  # noqa: F401  (fixture)

#: statements other than transaction control (BEGIN/COMMIT/SAVEPOINT/RELEASE differ between PostgreSQL, SQLite
#: and the test's own transaction); with the mail queued in the database (``django_tasks_db``)
NEW_REQUEST_QUERIES = 10
REPLAY_QUERIES = 1
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def _body(n: int, **kw) -> str:
    return json.dumps({"client_token": f"query-count-{n:08d}", "area": "旭町", "date": WED.isoformat(),
                       "items": [{"item": "アイロン台", "count": 1}, {"item": "タンス", "size": "1m以上"}],
                       "tickets": [f"{n:04d}{k:03d}" for k in range(8)], "address": "亀岡市旭町1-1",
                       "phone": "0771-00-0000", "email": f"q{n}@example.jp", **kw})


def _post(client, body):
    return client.post("/api/v1/bulky-waste/requests", body, content_type="application/json")


def _data_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(CONTROL)]


def test_new_request__pinned_number_of_queries(setup, client, frozen, settings,  # noqa: F811
                                               django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _post(client, _body(1))  # warm: first request of the process (ensure_days, content types …)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        r = _post(client, _body(2))
    assert r.status_code == 201, r.content
    sql = _data_queries(ctx)
    assert len(sql) == NEW_REQUEST_QUERIES, "\n".join(s[:120] for s in sql)
    assert sum(s.startswith("INSERT") for s in sql) == 5  # application, history, request, tickets, mail task
    assert sum('"bulky_ticketuse"' in s and s.startswith("INSERT") for s in sql) == 1  # 8 numbers, one INSERT
    assert sum(s.startswith("INSERT") and "task" in s for s in sql) == 1  # the mail, queued on commit
    req = BulkyRequest.objects.get(application__reference=r.json()["reference"])
    assert TicketUse.objects.filter(request=req).count() == 8
    assert CollectionDay.objects.get(date=WED).booked == 2


def test_replay__one_query_and_the_same_answer(setup, client, frozen):  # noqa: F811
    first = _post(client, _body(3)).json()
    with CaptureQueriesContext(connection) as ctx:
        again = _post(client, _body(3))
    assert again.status_code == 200
    assert (again.json()["reference"], again.json()["secret"], again.json()["area"]) == (first["reference"], None, "旭町")
    assert len(_data_queries(ctx)) == REPLAY_QUERIES
    assert Application.objects.count() == 1 and CollectionDay.objects.get(date=WED).booked == 1


def test_used_ticket__still_named_after_the_single_insert(setup, client, frozen):  # noqa: F811
    _post(client, _body(4))
    r = _post(client, _body(5, tickets=[f"{5:04d}{k:03d}" for k in range(7)] + ["0004003"]))
    assert r.status_code == 409
    assert r.json()["error"]["param"] == "tickets" and "0004003" in r.json()["error"]["message"]
    assert Application.objects.count() == 1 and TicketUse.objects.count() == 8
    assert CollectionDay.objects.get(date=WED).booked == 1


def test_secret_hash__fast_hmac_and_earlier_scrypt_hashes_still_match(settings, db):
    stored = applications.hash_secret("abcd-efgh-jkmn")
    assert stored.startswith("hmac-sha256$") and "ABCDEFGHJKMN" not in stored.upper()
    assert applications.check_secret("ABCD EFGH JKMN", stored)
    assert not applications.check_secret("ABCD-EFGH-JKMP", stored)
    old_key, settings.SECRET_KEY = settings.SECRET_KEY, "a-new-key-" + "x" * 50
    assert not applications.check_secret("ABCD-EFGH-JKMN", stored)
    settings.SECRET_KEY_FALLBACKS = [old_key]  # key rotation keeps the issued secrets valid
    assert applications.check_secret("ABCD-EFGH-JKMN", stored)
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"ABCDEFGHJKMN", salt=salt, n=2 ** 11, r=8, p=1, dklen=32).hex()
    assert applications.check_secret("abcd-efgh-jkmn", f"scrypt${salt.hex()}${digest}")
    assert not applications.check_secret("abcd-efgh-jkmp", f"scrypt${salt.hex()}${digest}")
