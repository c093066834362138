"""Bad input through the real pages and API (issue #14): attachments (oversize, a PNG renamed .pdf), invalid dates
(2026-02-30, 令和8年13月1日), missing required fields, reused 処理券 numbers, a form past its period.

Every answer names the field: the HTML page shows the field's label in its message, the API's error body names it
in ``param``. Nothing is stored half: no Application, no ApplicationFile, no file of an application in MEDIA_ROOT,
no place of a collection day taken, no TicketUse.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from madoguchi.applications.models import Application, ApplicationFile, Draft
from madoguchi.bulky import services as bulky
from madoguchi.bulky.models import BulkyRequest, CollectionDay, TicketUse
from madoguchi.eforms.models import Form

from .test_applications import PDF
from .test_applications_citizen import _verified, version  # noqa: F401  (fixture)
from .test_bulky import NOW, WED, setup  # noqa: F401  (fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BAD_DATES = ["2026-02-30", "令和8年13月1日"]


def alerts(response) -> str:
    """The text of the page's error boxes (``role="alert"``), where the field's label must appear."""
    boxes = re.findall(r'<div class="error"[^>]*role="alert">(.*?)</div>', response.content.decode(), re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(boxes)))


def application_files(media_root) -> list[Path]:
    """Files of applications in MEDIA_ROOT (a draft's own files, under ``applications/drafts``, excluded)."""
    root = Path(media_root) / "applications"
    return [p for p in root.rglob("*") if p.is_file() and "drafts" not in p.relative_to(root).parts[:1]]


def all_files(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


def assert_nothing_stored(media_root, *, applications=0, booked=0, tickets=0):
    assert Application.objects.count() == applications
    assert ApplicationFile.objects.count() == 0
    assert application_files(media_root) == []
    assert BulkyRequest.objects.count() == (applications if booked else 0)
    assert sum(CollectionDay.objects.values_list("booked", flat=True)) == booked
    assert TicketUse.objects.count() == tickets


# --- a generic form (氏名, 生年月日, 理由, 証明書 PDF ≤ 1 MB): steps, confirm and the API -----------------------------

@pytest.mark.parametrize("birth", BAD_DATES)
def test_form_step__invalid_date_names_the_field_and_is_not_kept(client, version, media_root, birth):  # noqa: F811
    draft, base = _verified(client)
    response = client.post(f"{base}/step/0/", {"action": "next", "name": "川崎 太郎", "birth": birth})
    assert response.status_code == 400 and "生年月日" in alerts(response)
    draft.refresh_from_db()
    assert "birth" not in (draft.data or {}) and draft.step == 0
    assert_nothing_stored(media_root)


def test_form_step__missing_required_field_names_it(client, version, media_root):  # noqa: F811
    _draft, base = _verified(client)
    response = client.post(f"{base}/step/0/", {"action": "next", "name": "", "birth": "1990-04-01"})
    assert response.status_code == 400 and "氏名" in alerts(response)
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("proof.pdf", PNG, "application/pdf"),  # a PNG renamed .pdf
    SimpleUploadedFile("proof.pdf", PDF + b"0" * (1024 * 1024), "application/pdf"),  # over max_size_mb 1
    SimpleUploadedFile("proof.png", PNG, "image/png"),  # not an accepted extension
], ids=["png-renamed-pdf", "oversize", "wrong-extension"])
def test_form_step__bad_attachment_names_the_field_and_leaves_no_file(client, version, media_root, upload):  # noqa: F811
    draft, base = _verified(client)
    client.post(f"{base}/step/0/", {"action": "next", "name": "川崎 太郎", "birth": "1990-04-01"})
    upload.seek(0)
    response = client.post(f"{base}/step/1/", {"action": "next", "reason": "転居", "proof": upload})
    assert response.status_code == 400 and "証明書" in alerts(response)
    assert all_files(media_root) == []  # not even the draft keeps it
    draft.refresh_from_db()
    assert not draft.data.get("__files__")
    assert client.get(f"{base}/confirm/").status_code == 200
    assert_nothing_stored(media_root)


def test_form_confirm__after_the_period_refused_and_nothing_stored(client, version, media_root):  # noqa: F811
    _draft, base = _verified(client)
    client.post(f"{base}/step/0/", {"action": "next", "name": "川崎 太郎", "birth": "令和2年4月1日"})
    response = client.post(f"{base}/step/1/", {"action": "next", "reason": "",
                                                "proof": SimpleUploadedFile("p.pdf", PDF, "application/pdf")})
    assert response["Location"] == f"{base}/confirm/"
    page = client.get(f"{base}/confirm/").content.decode()
    token = page.split('name="client_token" value="', 1)[1].split('"', 1)[0]
    Form.objects.filter(pk=version.form_id).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(f"{base}/confirm/", {"client_token": token})
    assert response.status_code in (400, 409) and "「テスト届」はいま受け付けていません" in alerts(response)
    assert_nothing_stored(media_root)
    assert Draft.objects.count() == 1  # the citizen's answers are kept (the draft and its file)


@pytest.mark.parametrize(("data", "param", "label"), [
    ({"name": "川崎 太郎", "birth": "2026-02-30"}, "birth", "生年月日"),
    ({"name": "川崎 太郎", "birth": "令和8年13月1日"}, "birth", "生年月日"),
    ({"birth": "1990-04-01"}, "name", "氏名"),
    ({"name": "", "birth": "1990-04-01"}, "name", "氏名"),
])
def test_form_api__invalid_answers_name_the_field(client, version, media_root, data, param, label):  # noqa: F811
    response = client.post("/api/v1/applications", json.dumps(
        {"form": "test-form", "data": data, "email": "a@example.jp", "client_token": "bad-input-00000001"}),
        content_type="application/json")
    error = response.json()["error"]
    assert response.status_code == 400 and (error["code"], error["param"]) == ("invalid_parameter", param)
    assert label in error["message"]
    assert_nothing_stored(media_root)


def test_form_api__after_the_period_refused(client, version, media_root):  # noqa: F811
    Form.objects.filter(pk=version.form_id).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post("/api/v1/applications", json.dumps(
        {"form": "test-form", "data": {"name": "川崎 太郎", "birth": "1990-04-01"}, "client_token": "x" * 20}),
        content_type="application/json")
    assert response.status_code == 409 and response.json()["error"]["param"] == "form"
    assert "受け付けていません" in response.json()["error"]["message"]
    assert_nothing_stored(media_root)


# --- bulky waste: the API and the pages ------------------------------------------------------------------------

@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(bulky, "today", lambda: NOW.date())
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def bulky_body(n: int, **kw) -> dict:
    return {"client_token": f"bad-input-bulky-{n:06d}", "area": "旭町", "date": WED.isoformat(),
            "items": [{"item": "アイロン台", "count": 1}], "tickets": [f"{n:06d}1", f"{n:06d}2"],
            "address": "亀岡市旭町1", "phone": "0771-00-0000", "email": "a@example.jp", **kw}


def post_bulky(client, body: dict):
    return client.post("/api/v1/bulky-waste/requests", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("change", "param", "label"), [
    ({"date": "2026-02-30"}, "date", "収集日「2026-02-30」は日付ではありません"),
    ({"date": "令和8年13月1日"}, "date", "収集日「令和8年13月1日」は日付ではありません"),
    ({"address": ""}, "address", "住所"),
    ({"phone": ""}, "phone", "電話番号"),
    ({"phone": "abc"}, "phone", "電話番号"),
    ({"email": "not-an-address"}, "email", "メールアドレス"),
    ({"tickets": []}, "tickets", "処理券"),
    ({"tickets": ["12"]}, "tickets", "処理券番号"),
    ({"items": []}, "items", "品目"),
    ({"area": ""}, "area", "収集地区"),
], ids=["feb-30", "wareki-month-13", "blank-address", "blank-phone", "bad-phone", "bad-email", "no-tickets",
        "short-ticket", "no-items", "blank-area"])
def test_bulky_api__invalid_field_named_and_nothing_taken(setup, client, at_now, media_root, change, param,  # noqa: F811
                                                          label):
    response = post_bulky(client, bulky_body(1, **change))
    error = response.json()["error"]
    assert response.status_code == 400 and (error["code"], error["param"]) == ("invalid_parameter", param), error
    assert label in error["message"]
    assert_nothing_stored(media_root)


def test_bulky_api__unknown_area_is_404_naming_it(setup, client, at_now, media_root):  # noqa: F811
    response = post_bulky(client, bulky_body(1, area="存在しない町"))
    error = response.json()["error"]
    assert response.status_code == 404 and (error["code"], error["param"]) == ("not_found", "area"), error
    assert "収集地区「存在しない町」はありません" in error["message"]
    assert_nothing_stored(media_root)
    assert client.get("/api/v1/bulky-waste/days", {"area": "0"}).status_code == 404


@pytest.mark.parametrize("missing", ["address", "phone", "email", "date", "tickets"])
def test_bulky_api__missing_field_named(setup, client, at_now, media_root, missing):  # noqa: F811
    body = bulky_body(1)
    del body[missing]
    response = post_bulky(client, body)
    assert response.status_code == 400 and response.json()["error"]["param"] == missing
    assert_nothing_stored(media_root)


def test_bulky_api__reused_ticket_named_and_nothing_taken(setup, client, at_now, media_root):  # noqa: F811
    assert post_bulky(client, bulky_body(1)).status_code == 201
    response = post_bulky(client, bulky_body(2, tickets=["0000021", "0000012"]))
    error = response.json()["error"]
    assert response.status_code == 409 and (error["code"], error["param"]) == ("conflict", "tickets")
    assert "処理券番号 0000012" in error["message"]
    assert_nothing_stored(media_root, applications=1, booked=1, tickets=2)
    assert not Application.objects.filter(client_token=bulky_body(2)["client_token"]).exists()


def test_bulky_api__after_the_form_period_refused(setup, client, at_now, media_root):  # noqa: F811
    Form.objects.filter(slug=bulky.FORM_SLUG).update(closes_at=NOW - dt.timedelta(hours=1))
    response = post_bulky(client, bulky_body(1))
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert "受け付けていません" in response.json()["error"]["message"]
    assert_nothing_stored(media_root)


def apply_form(**kw) -> dict:
    return {"area": "旭町", "date": WED.isoformat(), "address": "亀岡市旭町1", "phone": "0771-00-0000",
            "email": "c@example.jp", "tickets": "\n".join(f"55500{k}" for k in range(6)), **kw}


@pytest.fixture
def cart(setup, client, at_now):  # noqa: F811
    from madoguchi.bulky.models import FeeRule
    rule = FeeRule.objects.get(item="タンス")
    client.post("/procedures/bulky-waste/cart/", {"action": "add", "rule": rule.pk, "size": "1m以上", "count": "1"})
    return client


@pytest.mark.parametrize(("change", "label"), [
    ({"date": "2026-02-30"}, "収集日"),
    ({"date": "令和8年13月1日"}, "収集日"),
    ({"address": ""}, "住所"),
    ({"phone": ""}, "電話番号"),
    ({"email": ""}, "メールアドレス"),
    ({"tickets": "12"}, "処理券番号"),
], ids=["feb-30", "wareki-month-13", "no-address", "no-phone", "no-email", "short-ticket"])
@pytest.mark.parametrize("page", ["apply", "submit"])
def test_bulky_pages__invalid_field_named_and_nothing_taken(cart, media_root, page, change, label):
    response = cart.post(f"/procedures/bulky-waste/{page}/", {**apply_form(**change), "client_token": "p" * 32})
    assert response.status_code == 400 and label in alerts(response), alerts(response)
    assert_nothing_stored(media_root)


def test_bulky_pages__reused_ticket_named_and_nothing_taken(cart, media_root):
    first = cart.post("/procedures/bulky-waste/submit/", {**apply_form(), "client_token": "a" * 32})
    assert first.status_code == 201
    cart.post("/procedures/bulky-waste/cart/", {"action": "add", "rule": first.context["req"].items and
                                                 bulky.fee_table(bulky.SOURCE, "タンス")[0].pk,
                                                 "size": "1m以上", "count": "1"})
    again = cart.post("/procedures/bulky-waste/submit/", {**apply_form(tickets="\n".join(f"66600{k}" for k in range(5))
                                                                       + "\n555003"), "client_token": "b" * 32})
    assert again.status_code == 409 and "処理券番号 555003" in alerts(again)
    assert_nothing_stored(media_root, applications=1, booked=1, tickets=6)


def test_bulky_pages__after_the_form_period_refused(cart, media_root):
    Form.objects.filter(slug=bulky.FORM_SLUG).update(closes_at=NOW - dt.timedelta(hours=1))
    response = cart.post("/procedures/bulky-waste/submit/", {**apply_form(), "client_token": "c" * 32})
    assert response.status_code == 409 and "受け付けていません" in alerts(response)
    assert_nothing_stored(media_root)
