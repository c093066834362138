"""The visibility matrix of applications (issue #14: 「submissions only to their owner and staff」, 「only the
processing department's staff see a submission's personal data」): {anonymous, owner with the secret, wrong
secret, staff of another department, staff of the department, superuser} × {API status, staff detail page,
staff export}. One failure lists every leak; forms follow: an unpublished form is not open data."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from madoguchi.applications import services
from madoguchi.applications.models import DepartmentMember
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

from .test_applications import DEFINITION, answers, token

pytestmark = pytest.mark.django_db

NAME = "川崎 太郎"  # the personal data that must not leak (answers()' name)


@pytest.fixture
def stored(db):
    form = Form.objects.create(slug="test-form", title="テスト届", department="市民課", published=True)
    version = eforms.save_version(form, DEFINITION, None)
    app, _, secret = services.submit(version, answers(), {}, email="owner@example.jp", client_token=token())
    users = get_user_model().objects
    member = users.create_user("member", password="pw-123456", is_staff=True)
    DepartmentMember.objects.create(user=member, department="市民課")
    other = users.create_user("other", password="pw-123456", is_staff=True)
    DepartmentMember.objects.create(user=other, department="環境局 収集課")
    root = users.create_superuser("root", password="pw-123456")
    return {"app": app, "secret": secret, "member": member, "other": other, "root": root}


def _surfaces(client, app, secret: str | None) -> dict[str, bool]:
    """Which surfaces show the applicant's name to this client."""
    headers = {"HTTP_X_APPLICATION_SECRET": secret} if secret else {}
    api = client.get(f"/api/v1/applications/{app.reference}", **headers)
    detail = client.get(f"/staff/applications/{app.reference}/")
    export = client.get("/staff/applications/export.csv?all=1")
    return {"api": api.status_code == 200,
            "staff detail": detail.status_code == 200 and NAME in detail.content.decode(),
            "staff export": export.status_code == 200 and NAME in export.content.decode("utf-8-sig")}


@pytest.mark.parametrize("who,expected", [
    ("anonymous", {"api": False, "staff detail": False, "staff export": False}),
    ("wrong secret", {"api": False, "staff detail": False, "staff export": False}),
    ("owner", {"api": True, "staff detail": False, "staff export": False}),
    ("other department", {"api": False, "staff detail": False, "staff export": False}),
    ("department", {"api": True, "staff detail": True, "staff export": True}),
    ("superuser", {"api": True, "staff detail": True, "staff export": True}),
])
def test_matrix__personal_data_only_to_owner_and_department(client, stored, who, expected):
    secret = {"owner": stored["secret"], "wrong secret": "AAAA-AAAA-AAAA"}.get(who)
    user = {"other department": "other", "department": "member", "superuser": "root"}.get(who)
    if user:
        client.force_login(stored[user])
    assert _surfaces(client, stored["app"], secret) == expected


def test_unpublished_form__not_open_data(client, stored):
    Form.objects.filter(slug="test-form").update(published=False)
    assert client.get("/api/v1/forms/test-form").status_code == 404
    assert client.get("/api/v1/forms/test-form/schema").status_code == 404
    assert "test-form" not in [f["slug"] for f in client.get("/api/v1/forms").json()]
