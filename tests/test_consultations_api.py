"""``/api/v1/consultations`` (the router, tested on its own until it is mounted in madoguchi.api)."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from madoguchi.consultations import services
from madoguchi.consultations.api import router


@pytest.fixture
def api(db):
    services.import_bundled_kawasaki()
    return TestClient(router)


def test_list_and_result(api):
    r = api.get("?status=published")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["consultations"][0]["slug"] == "kawasaki-ict-plan-2016"
    assert body["consultations"][0]["status"] == "published"
    assert api.get("?status=open").json()["count"] == 0
    res = api.get("/kawasaki-ict-plan-2016/result").json()
    assert (res["letters"], res["opinions"]) == (7, 7)
    assert {c["code"]: c["count"] for c in res["by_class"]} == {"A": 0, "B": 2, "C": 0, "D": 3, "E": 2}
    assert {c["name"]: c["letters"] for c in res["by_channel"]} == {"インターネット": 6, "FAX": 1, "郵送": 0, "持参": 0}
    assert [r["answer_class"] for r in res["rows"]] == list("BBDDEED")


def test_unknown_and_unpublished_are_404(api):
    from madoguchi.consultations.models import Consultation

    assert api.get("/nothing").status_code == 404
    Consultation.objects.filter(slug="kawasaki-ict-plan-2016").update(result_state="approved")
    assert api.get("/kawasaki-ict-plan-2016/result").status_code == 404
    assert api.get("/kawasaki-ict-plan-2016").json()["status"] == "closed"
