"""The citizen's pages of applications: e-mail code, steps, 一時保存 and resume, 確認 → 完了 (once),
status lookup, correction answer, withdrawal with its confirmation step."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.applications import services
from madoguchi.applications.models import Application, Correction, Draft
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

from .test_applications import DEFINITION, PDF, answers, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    form = Form.objects.create(slug="test-form", title="テスト届", department="市民課", published=True)
    return eforms.save_version(form, DEFINITION, None)


def _code(message) -> str:
    return re.search(r"確認コード: (\d{6})", message.body).group(1)


def _start(client, email="taro@example.jp") -> Draft:
    response = client.post("/procedures/apply/test-form/", {"email": email})
    assert response.status_code == 302
    draft = Draft.objects.get(email=email)
    assert response["Location"] == f"/procedures/apply/test-form/d/{draft.token}/verify/"
    return draft


def _verified(client) -> tuple[Draft, str]:
    draft = _start(client)
    base = f"/procedures/apply/test-form/d/{draft.token}"
    response = client.post(f"{base}/verify/", {"code": _code(mail.outbox[-1])})
    assert response["Location"] == f"{base}/step/0/"
    return draft, base


def test_start_page_shows_the_form_and_its_steps(client, version):
    body = client.get("/procedures/apply/test-form/").content.decode()
    assert "テスト届" in body and "市民課" in body and "申請者" in body and "生年月日" in body
    assert client.get("/procedures/apply/nope/").status_code == 404


def test_email_code__wrong_then_right(client, version):
    draft = _start(client)
    assert mail.outbox[-1].to == ["taro@example.jp"]
    code = _code(mail.outbox[-1])
    base = f"/procedures/apply/test-form/d/{draft.token}"
    assert client.get(f"{base}/step/0/")["Location"] == f"{base}/verify/"  # not before the code
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(f"{base}/verify/", {"code": wrong})
    assert response.status_code == 400 and "確認コードが正しくありません（あと4回）" in response.content.decode()
    response = client.post(f"{base}/verify/", {"code": code})
    assert response.status_code == 302 and response["Location"] == f"{base}/step/0/"
    draft.refresh_from_db()
    assert draft.email_verified is True


def test_email_code__five_wrong_tries_end_it(client, version):
    draft = _start(client)
    code = _code(mail.outbox[-1])
    base = f"/procedures/apply/test-form/d/{draft.token}"
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(f"{base}/verify/", {"code": wrong})
    response = client.post(f"{base}/verify/", {"code": code})
    assert response.status_code == 400 and "送り直す" in response.content.decode()


def test_full_flow__steps_confirm_done_shows_reference_and_secret_once(client, version, media_root,
                                                                      django_capture_on_commit_callbacks):
    _draft, base = _verified(client)
    response = client.post(f"{base}/step/0/", {"action": "next", "name": "", "birth": "1990-04-01"})
    assert response.status_code == 400 and "氏名" in response.content.decode()
    response = client.post(f"{base}/step/0/", {"action": "next", "name": "川崎 太郎", "birth": "令和2年4月1日"})
    assert response["Location"] == f"{base}/step/1/"
    response = client.post(f"{base}/step/1/", {"action": "next", "reason": "転居",
                                                "proof": SimpleUploadedFile("p.pdf", PDF, "application/pdf")})
    assert response["Location"] == f"{base}/confirm/"
    page = client.get(f"{base}/confirm/").content.decode()
    assert "令和2年4月1日" in page and "川崎 太郎" in page and "p.pdf" in page
    client_token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    assert client_token in client.get(f"{base}/confirm/").content.decode()  # a reload keeps the token
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/confirm/", {"client_token": client_token})
    app = Application.objects.get()
    assert response["Location"] == f"/procedures/apply/test-form/done/{app.reference}/"
    assert app.data == {"name": "川崎 太郎", "birth": "2020-04-01", "reason": "転居", "proof": "p.pdf"}
    assert app.email == "taro@example.jp" and app.email_verified is True
    assert app.files.get().name == "p.pdf"
    assert not Draft.objects.exists()
    from pathlib import Path
    assert not [p for p in (Path(media_root) / "applications" / "drafts").rglob("*") if p.is_file()]
    done = client.get(response["Location"]).content.decode()
    secret = re.search(r'class="secret">([A-Z0-9-]+)<', done).group(1)
    assert app.reference in done and services.find(app.reference, secret).pk == app.pk
    again = client.get(response["Location"]).content.decode()
    assert app.reference in again and secret not in again  # the secret is shown once
    # a double click / reload posts the same token: the same application, no second one
    response = client.post(f"{base}/confirm/", {"client_token": client_token})
    assert response["Location"] == f"/procedures/apply/test-form/done/{app.reference}/"
    assert Application.objects.count() == 1
    assert len(mail.outbox) == 1 and app.reference in mail.outbox[0].body and secret not in mail.outbox[0].body
    assert client.get(f"/procedures/apply/test-form/done/{app.reference}/").status_code == 200
    from django.test import Client
    assert Client().get(f"/procedures/apply/test-form/done/{app.reference}/").status_code == 404


def test_save_and_resume(client, version):
    _draft, base = _verified(client)
    response = client.post(f"{base}/step/0/", {"action": "next", "name": "川崎 太郎", "birth": "1990-04-01"})
    mail.outbox.clear()
    response = client.post(f"{base}/step/1/", {"action": "save", "reason": "途中まで"})
    assert response.status_code == 200
    resume = f"http://testserver{base}/"
    assert resume in response.content.decode()
    assert len(mail.outbox) == 1 and resume in mail.outbox[0].body
    from django.test import Client
    other = Client()  # another device: the resume link is enough
    response = other.get(f"{base}/")
    assert response["Location"] == f"{base}/step/1/"
    page = other.get(f"{base}/step/1/").content.decode()
    assert "途中まで" in page
    page = other.get(f"{base}/step/0/").content.decode()
    assert "川崎 太郎" in page


def test_expired_draft_is_gone(client, version):
    draft, base = _verified(client)
    from django.utils import timezone
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now())
    assert client.get(f"{base}/step/0/").status_code == 404


def test_confirm_without_valid_answers_links_back(client, version):
    _draft, base = _verified(client)
    page = client.get(f"{base}/confirm/").content.decode()
    assert "氏名" in page and 'name="client_token"' not in page


def test_closed_form_says_so(client, version):
    from django.utils import timezone
    Form.objects.filter(pk=version.form_id).update(closes_at=timezone.now())
    response = client.get("/procedures/apply/test-form/")
    assert response.status_code == 409 and "受け付けていません" in response.content.decode()


def _unlock(client, app, secret):
    return client.post("/procedures/status/", {"reference": app.reference, "secret": secret})


def test_status__right_secret_shows_history_wrong_does_not(client, version, admin_user):
    app, _, secret = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    services.set_status(app, "reviewing", by=admin_user)
    response = _unlock(client, app, "AAAA-AAAA-AAAA")
    assert response.status_code == 400 and "正しくありません" in response.content.decode()
    assert client.get(f"/procedures/status/{app.reference}/").status_code == 404
    response = _unlock(client, app, secret)
    assert response["Location"] == f"/procedures/status/{app.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "審査中" in page and "受付" in page and "テスト届" in page


def test_status__correction_answer_cycle(client, version, admin_user):
    app, _, secret = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    services.set_status(app, "correction", by=admin_user, reason="生年月日が違います")
    Correction.objects.create(application=app, message="生年月日をご確認ください", fields=["birth"])
    _unlock(client, app, secret)
    page = client.get(f"/procedures/status/{app.reference}/").content.decode()
    assert "生年月日をご確認ください" in page and 'name="birth"' in page and 'name="name"' not in page
    response = client.post(f"/procedures/status/{app.reference}/correction/", {"birth": "あした"})
    assert response.status_code == 400 and "生年月日" in response.content.decode()
    response = client.post(f"/procedures/status/{app.reference}/correction/", {"birth": "1991-01-02"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "reviewing" and app.data["birth"] == "1991-01-02"
    page = client.get(f"/procedures/status/{app.reference}/").content.decode()
    assert "補正の内容を送信しました" in page and 'name="birth"' not in page


def test_status__withdraw_needs_the_confirm_step(client, version):
    app, _, secret = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    _unlock(client, app, secret)
    response = client.post(f"/procedures/status/{app.reference}/withdraw/")
    assert response.status_code == 200 and "取り下げる" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == "received"
    response = client.post(f"/procedures/status/{app.reference}/withdraw/", {"confirm": "1", "reason": "不要になった"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "withdrawn"
    assert app.status_changes.last().reason == "不要になった"
    page = client.get(f"/procedures/status/{app.reference}/").content.decode()
    assert "取下げ" in page and "この申請を取り下げる" not in page


def test_posts_need_csrf(version):
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/procedures/apply/test-form/", {"email": "a@example.jp"}).status_code == 403
    assert strict.post("/procedures/status/", {"reference": "x", "secret": "y"}).status_code == 403


def test_english_pages(client, version):
    body = client.get("/en/procedures/apply/test-form/").content.decode()
    assert "Online application" in body and "Send the code" in body
    assert "Check the status of an application" in client.get("/en/procedures/status/").content.decode()


@pytest.mark.parametrize("method,path,group", [
    ("POST", "/procedures/apply/test-form/", "apply"),
    ("POST", "/en/procedures/apply/test-form/d/abc_DEF-1/verify/", "apply"),
    ("POST", "/procedures/apply/test-form/d/abc/confirm/", "apply"),
    ("POST", "/procedures/status/", "login"),
    ("POST", "/procedures/status/2026-ACDE-3467/withdraw/", "apply"),
    ("POST", "/api/v1/applications", "apply"),
    ("GET", "/api/v1/applications/2026-ACDE-3467", "search"),
])
def test_rate_limit_rules_cover_the_posts(rf, method, path, group):
    from madoguchi.ratelimits.rules import match

    rule = match(rf.generic(method, path))
    assert rule is not None and rule.group == group
    assert match(rf.get("/procedures/status/")) is None
