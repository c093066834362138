"""Going public passes the privacy gate too; CKAN clients can declare a standard (conforms_to)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from madoguchi.catalog.models import Dataset
from madoguchi.ckan.models import ApiToken
from madoguchi.privacy import services as privacy

PERSONAL = "申請者氏名,住所,メールアドレス\n山田 太郎,札幌市中央区北1条西2丁目,taro.yamada@example.com\n".encode()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("clerk", password="x", is_staff=True)


@pytest.fixture
def auth(staff):
    return {"HTTP_AUTHORIZATION": ApiToken.issue(staff, "t")[1]}


def _patch(client, auth, **data):
    return client.post("/api/3/action/package_patch", data=json.dumps(data), content_type="application/json", **auth)


def test_private_dataset_with_findings_cannot_go_public_until_overridden(client, auth, staff, make_dataset, ingest):
    d = make_dataset("applicants", private=True, description="申請者の一覧。")
    version = ingest(PERSONAL, "a.csv", dataset=d, resource="申請者")
    assert {f["kind"] for f in version.report["privacy"] if f.get("blocking", True)} >= {"email"}
    refused = _patch(client, auth, id="applicants", private=False)
    body = refused.json()
    assert refused.status_code == 409 and "メールアドレス" in " ".join(body["error"]["private"])
    assert Dataset.objects.get(slug="applicants").private is True
    for f in privacy.unresolved_findings(d):
        privacy.record_override(dataset=d, resource_name=f["resource"], column=f["column"], kind=f["kind"],
                                reason="本人の同意を得て公開する名簿", user=staff)
    assert _patch(client, auth, id="applicants", private=False).status_code == 200
    assert Dataset.objects.get(slug="applicants").private is False


def test_admin_refuses_to_make_it_public(admin_client, make_dataset, ingest):
    d = make_dataset("applicants2", private=True, description="申請者の一覧。")
    ingest(PERSONAL, "a.csv", dataset=d, resource="申請者")
    page = admin_client.get(f"/admin/catalog/dataset/{d.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("themes", "tags", "private")}
    data.update(organization=d.organization_id, title=d.title, slug=d.slug)
    answer = admin_client.post(f"/admin/catalog/dataset/{d.pk}/change/", data)
    assert answer.status_code == 200 and "個人情報の可能性がある列があるため公開できません" in answer.content.decode()
    assert Dataset.objects.get(pk=d.pk).private is True


def test_conforms_to_through_ckan(client, auth, make_dataset):
    make_dataset("aed-list")
    ok = _patch(client, auth, id="aed-list", conforms_to="aed-v1")
    assert ok.status_code == 200 and ok.json()["result"]["conforms_to"] == "aed-v1"
    assert Dataset.objects.get(slug="aed-list").standard == "aed-v1"
    bad = _patch(client, auth, id="aed-list", conforms_to="no-such-standard")
    assert bad.status_code == 409 and "conforms_to" in bad.json()["error"]
    assert Dataset.objects.get(slug="aed-list").standard == "aed-v1"
