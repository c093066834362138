"""eforms: the API (/api/v1/forms, /api/v1/postal) and the staff builder (/staff/forms/)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from jsonschema import Draft202012Validator

from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form
from madoguchi.procedures.models import Procedure


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_user("clerk", password="pw-123456", is_staff=True)
    client.force_login(user)
    return client


# ---------------------------------------------------------------- API

def test_api_lists_published_forms_only(client, db):
    from madoguchi.procedures import services as procedures

    procedures.install_seed()  # a transactional test before this one may have flushed the migrated seed
    demo = eforms.install_demo_form()
    hidden = Form.objects.create(slug="draft-only", title="非公開")
    eforms.save_version(hidden, {"fields": [{"name": "a", "label": "A", "kind": "text"}]}, None)
    body = client.get("/api/v1/forms").json()
    assert [f["slug"] for f in body] == ["water-start"]
    assert body[0] == {"slug": "water-start", "title": "水道の使用開始届", "title_en": "Starting water service",
                       "procedure_id": demo.procedure_id, "department": demo.department, "kind": "generic", "fee_yen": 0,
                       "opens_at": None, "closes_at": None, "version": 1, "url": "/procedures/apply/water-start/"}
    # the demo form is the water procedure's online form: the procedure guide links it
    assert demo.procedure.name == "水道の使用開始・中止の届出" and demo.procedure.online_here
    assert demo.procedure.online_url == "/procedures/apply/water-start/"
    response = client.get("/api/v1/forms/draft-only")
    assert response.status_code == 404
    assert response.json()["ok"] is False and response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/forms/draft-only/schema").status_code == 404


def test_api_definition_and_schema_by_version(client, db):
    form = eforms.install_demo_form()
    v1 = form.current_version()
    eforms.save_version(form, {"fields": v1.definition["fields"][:2]}, None)
    detail = client.get("/api/v1/forms/water-start").json()
    assert detail["version"] == 2 and detail["versions"] == [1, 2] and len(detail["definition"]["fields"]) == 2
    old = client.get("/api/v1/forms/water-start?version=1").json()
    assert old["version"] == 1 and old["definition"] == v1.definition
    assert client.get("/api/v1/forms/water-start?version=9").status_code == 404
    response = client.get("/api/v1/forms/water-start/schema?version=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/schema+json"
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["start_date"]["format"] == "date"
    assert schema["allOf"][0]["then"] == {"required": ["business_name"]}


def test_api_postal_lookup(client, db):
    body = client.get("/api/v1/postal/210-0005").json()
    assert body["postal_code"] == "2100005" and body["prefecture"] == "神奈川県"
    assert body["city"] == "川崎市川崎区" and body["town"] == "東田町"
    assert client.get("/api/v1/postal/9999999").status_code == 404
    bad = client.get("/api/v1/postal/12")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "code"


# ---------------------------------------------------------------- staff builder

def test_non_staff_cannot_reach_builder(client, db):
    assert client.get("/staff/forms/").status_code == 302
    user = get_user_model().objects.create_user("citizen", password="pw-123456")
    client.force_login(user)
    response = client.get("/staff/forms/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post("/staff/forms/new/", {"title": "x", "slug": "x"}).status_code == 302
    assert not Form.objects.exists()


def _rows(rows: list[dict], extra: dict | None = None) -> dict:
    data = {"f-TOTAL_FORMS": str(len(rows)), "f-INITIAL_FORMS": str(len(rows)), "f-MIN_NUM_FORMS": "0",
            "f-MAX_NUM_FORMS": "1000", "attachments_note": ""}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"f-{i}-{key}"] = value
    data.update(extra or {})
    return data


def test_staff_builds_a_form_from_nothing(staff, db):
    proc = Procedure.objects.create(name="犬の登録", department="生活衛生課", offered=True)
    page = staff.get("/staff/forms/new/?pq=犬の登録")
    assert page.status_code == 200 and "犬の登録（生活衛生課）" in page.content.decode()
    response = staff.post("/staff/forms/new/", {
        "title": "犬の登録申請", "title_en": "", "slug": "dog", "department": "生活衛生課", "kind": "generic",
        "opens_at": "", "closes_at": "", "retention_days": "1825", "fee_yen": "3000", "procedure": str(proc.pk)})
    assert response.status_code == 302 and response["Location"] == "/staff/forms/dog/fields/"
    form = Form.objects.get(slug="dog")
    assert form.procedure == proc and form.fee_yen == 3000 and not form.published

    # add two rows, fill them, move the second up, save
    assert staff.post("/staff/forms/dog/fields/", _rows([], {"action": "add"})).status_code == 302
    assert staff.post("/staff/forms/dog/fields/", _rows([{"name": "", "label": "", "kind": "text"}],
                                                       {"action": "add"})).status_code == 302
    rows = [{"name": "dog_name", "label": "犬の名前", "kind": "text", "required": "on", "max_length": "20"},
            {"name": "born", "label": "生年月日", "kind": "date", "required": "on"}]
    assert staff.post("/staff/forms/dog/fields/", _rows(rows, {"action": "down:0"})).status_code == 302
    assert [f["name"] for f in form.draft.__class__.objects.get(form=form).definition["fields"]] == ["born", "dog_name"]
    bad = staff.post("/staff/forms/dog/fields/", _rows(rows + [{"name": "x", "label": "条件", "kind": "text",
                                                               "show_if_field": "nothing", "show_if_equals": "1"}],
                                                      {"action": "save"}))
    assert bad.status_code == 400 and "条件: 表示の条件の項目" in bad.content.decode()
    rows.append({"name": "breed", "label": "犬種", "kind": "choice", "choices": "柴\r\nその他"})
    rows.append({"name": "breed_other", "label": "犬種（その他）", "kind": "text", "required": "on",
                 "show_if_field": "breed", "show_if_equals": "その他"})
    ok = staff.post("/staff/forms/dog/fields/", _rows(rows, {"action": "save"}))
    assert ok.status_code == 302

    # preview renders it as citizens see it and checks answers without storing
    preview = staff.get("/staff/forms/dog/preview/")
    html = preview.content.decode()
    assert preview.status_code == 200 and "犬の名前" in html and 'type="date"' in html and "data-show-if" in html
    checked = staff.post("/staff/forms/dog/preview/", {"dog_name": "ポチ", "born": "令和7年4月1日", "breed": "その他"})
    assert "犬種（その他）: 入力してください" in checked.content.decode()
    checked = staff.post("/staff/forms/dog/preview/", {"dog_name": "ポチ", "born": "令和7年4月1日", "breed": "柴"})
    assert "入力に誤りはありません" in checked.content.decode() and "令和7年4月1日 (2025-04-01)" in checked.content.decode()
    assert form.versions.count() == 0

    # publish: version 1, procedure linked; editing and publishing again makes version 2, v1 unchanged
    assert staff.post("/staff/forms/dog/publish/").status_code == 302
    form.refresh_from_db()
    proc.refresh_from_db()
    assert form.published and form.current_version().number == 1
    assert proc.online_here and proc.online_url == "/procedures/apply/dog/"
    v1 = form.current_version().definition
    rows[0]["label"] = "犬の呼び名"
    staff.post("/staff/forms/dog/fields/", _rows(rows, {"action": "save"}))
    staff.post("/staff/forms/dog/publish/")
    assert [v.number for v in form.versions.all()] == [1, 2]
    assert form.versions.get(number=1).definition == v1
    assert form.versions.get(number=2).definition["fields"][0]["label"] == "犬の呼び名"
    versions = staff.get("/staff/forms/dog/versions/")
    assert "第2版" in versions.content.decode()
    schema = staff.get("/staff/forms/dog/versions/1/schema.json")
    assert schema["Content-Type"] == "application/schema+json" and "attachment" in schema["Content-Disposition"]
    assert schema.json()["properties"]["dog_name"]["title"] == "犬の名前"
    assert staff.get("/staff/forms/").status_code == 200


def test_builder_removes_and_moves_rows_and_speaks_english(staff, db):
    form = Form.objects.create(slug="three", title="三項目")
    rows = [{"name": n, "label": n.upper(), "kind": "text"} for n in ("a", "b", "c")]
    staff.post("/staff/forms/three/fields/", _rows(rows, {"action": "save"}))
    rows[0]["DELETE"] = "on"
    assert staff.post("/staff/forms/three/fields/", _rows(rows, {"action": "up:1"})).status_code == 302
    from madoguchi.eforms.models import FormDraft

    assert [f["name"] for f in FormDraft.objects.get(form=form).definition["fields"]] == ["c", "b"]
    staff.cookies["django_language"] = "en"
    html = staff.get("/staff/forms/three/fields/").content.decode()
    assert "Add a field" in html and "Publish the draft as a new version" in html and "Move field 1 down" in html
    staff.cookies["django_language"] = "ja"
    assert staff.get("/staff/forms/three/fields/").content.decode().count("項目を追加") == 1
