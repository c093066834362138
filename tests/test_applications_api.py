"""``/api/v1/applications``: submit (201, replay 200 without the secret), status for the owner (secret header)
and the processing department's staff only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import AccessLog, Application, DepartmentMember
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

from .test_applications import DEFINITION, answers, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    form = Form.objects.create(slug="test-form", title="テスト届", department="市民課", published=True)
    return eforms.save_version(form, DEFINITION, None)


def _post(client, **kw):
    body = {"form": "test-form", "data": answers(), "email": "a@example.jp", "client_token": token(), **kw}
    return client.post("/api/v1/applications", body, content_type="application/json")


def test_post__201_then_replay_200_same_reference_no_secret(client, version):
    first = _post(client)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["secret"] and body["status"] == "received" and body["form"] == "test-form"
    again = _post(client, data=answers(name="別人"))
    assert again.status_code == 200
    assert again.json()["reference"] == body["reference"] and again.json()["secret"] is None
    assert Application.objects.count() == 1
    assert services.find(body["reference"], body["secret"]).data["name"] == "川崎 太郎"


def test_post__invalid_names_the_field(client, version):
    response = _post(client, data=answers(birth="そのうち"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and error["param"] == "birth" and "生年月日" in error["message"]
    assert Application.objects.count() == 0


def test_post__closed_and_unknown_forms(client, version):
    assert _post(client, form="nope").status_code == 404
    Form.objects.filter(pk=version.form_id).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    response = _post(client)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_post__replay_after_the_form_closed_still_answers_the_stored_one(client, version):
    reference = _post(client).json()["reference"]
    Form.objects.filter(pk=version.form_id).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    again = _post(client)
    assert again.status_code == 200 and again.json()["reference"] == reference


def test_get__owner_with_secret_other_secret_404(client, version):
    mine = _post(client).json()
    other = _post(client, client_token=token(2)).json()
    url = f"/api/v1/applications/{mine['reference']}"
    response = client.get(url, HTTP_X_APPLICATION_SECRET=mine["secret"])
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == mine["reference"] and body["form"] == "test-form" and body["status"] == "received"
    assert [h["new"] for h in body["history"]] == ["received"]
    assert "data" not in body and "email" not in body
    wrong = client.get(url, HTTP_X_APPLICATION_SECRET=other["secret"])
    unknown = client.get("/api/v1/applications/2026-XXXX-9999", HTTP_X_APPLICATION_SECRET=mine["secret"])
    none = client.get(url)
    assert wrong.status_code == unknown.status_code == none.status_code == 404
    assert wrong.json() == unknown.json()


def test_get__staff_of_the_department_only(client, version):
    mine = _post(client).json()
    url = f"/api/v1/applications/{mine['reference']}"
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(url).status_code == 404
    DepartmentMember.objects.create(user=user, department="市民課")
    response = client.get(url)
    assert response.status_code == 200 and response.json()["reference"] == mine["reference"]
    assert AccessLog.objects.filter(user=user, reference=mine["reference"], action="view").count() == 1
