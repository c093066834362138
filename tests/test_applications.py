"""Applications (申請, issue #14 points 3 and 6): submission without loss or duplicates, status table,
lookup by reference + secret, corrections, withdrawal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import (
    Application,
    ApplicationFile,
    Correction,
    StatusChange,
)
from madoguchi.applications.status import TRANSITIONS
from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

DEFINITION = {
    "fields": [
        {"name": "name", "label": "氏名", "kind": "text", "required": True, "max_length": 50, "step": "申請者"},
        {"name": "birth", "label": "生年月日", "kind": "date", "required": True},
        {"name": "reason", "label": "理由", "kind": "textarea", "required": False, "step": "内容"},
        {"name": "proof", "label": "証明書", "kind": "file", "required": False, "accept": [".pdf"],
         "max_size_mb": 1},
    ],
    "attachments_note": "証明書（PDF）を添付できます。",
}
PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def version(db):
    form = Form.objects.create(slug="test-form", title="テスト届", department="市民課", published=True,
                               retention_days=365)
    return eforms.save_version(form, DEFINITION, None)


def answers(**kw):
    return {"name": "川崎 太郎", "birth": "1990-04-01", "reason": "", **kw}


def token(n: int = 0) -> str:
    return f"client-token-{n:08d}"


def test_submit__stores_application_history_and_mails_without_the_secret(version, django_capture_on_commit_callbacks):
    now = timezone.make_aware(dt.datetime(2026, 12, 5, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        app, created, secret = services.submit(version, answers(), {}, email="taro@example.jp",
                                               client_token=token(), now=now)
    assert created is True
    assert len(secret.replace("-", "")) == 12
    assert app.reference.startswith("2026-") and len(app.reference) == 14
    assert not set(app.reference[5:].replace("-", "")) & set("0O1IL5S8BZ2")
    assert app.status == "received" and app.department == "市民課" and app.channel == "online"
    assert app.data == {"name": "川崎 太郎", "birth": "1990-04-01"}
    assert app.retain_until == dt.date(2027, 12, 5)
    assert app.secret_hash.startswith("hmac-sha256$") and secret not in app.secret_hash
    assert list(StatusChange.objects.filter(application=app).values_list("old", "new")) == [("", "received")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["taro@example.jp"]
    assert app.reference in message.subject and app.reference in message.body
    assert "テスト届" in message.body and "/procedures/status/" in message.body
    assert secret not in message.body and "川崎" not in message.body


def test_submit__invalid_names_the_field_and_stores_nothing(version, media_root):
    with pytest.raises(services.ApplicationError) as exc:
        services.submit(version, answers(name=""), {}, email="a@example.jp", client_token=token())
    assert exc.value.code == "invalid" and exc.value.param == "name"
    assert "氏名" in exc.value.message
    assert Application.objects.count() == 0


def test_submit__same_token_again_returns_the_same_application(version):
    first, created1, secret1 = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    again, created2, secret2 = services.submit(version, answers(name="別人"), {}, email="b@example.jp",
                                               client_token=token())
    assert (created1, created2) == (True, False)
    assert again.pk == first.pk and again.reference == first.reference
    assert secret1 and secret2 is None
    assert Application.objects.count() == 1


def test_submit__closed_form_is_refused_with_the_period(version):
    form = version.form
    form.closes_at = timezone.now() - dt.timedelta(days=1)
    form.save()
    with pytest.raises(services.ApplicationError) as exc:
        services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    assert exc.value.code == "form_closed" and "受け付けていません" in exc.value.message
    assert Application.objects.count() == 0


def test_submit__attachment_stored_with_the_application(version, media_root):
    app, _, _ = services.submit(version, answers(), {"proof": SimpleUploadedFile("証明.pdf", PDF, "application/pdf")},
                                email="a@example.jp", client_token=token())
    stored = ApplicationFile.objects.get(application=app)
    assert stored.field == "proof" and stored.name == "証明.pdf" and stored.size == len(PDF)
    assert (Path(media_root) / stored.file.name).read_bytes() == PDF
    assert app.data["proof"] == "証明.pdf"


def test_submit__too_big_attachment_clear_error_and_no_file_left(version, media_root):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1), "application/pdf")
    with pytest.raises(services.ApplicationError) as exc:
        services.submit(version, answers(), {"proof": big}, email="a@example.jp", client_token=token())
    assert exc.value.param == "proof" and "1 MB 以下" in exc.value.message
    assert Application.objects.count() == 0 and ApplicationFile.objects.count() == 0
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_submit__on_store_failure_stores_nothing_and_removes_files(version, media_root):
    def refuse(app):
        assert Application.objects.filter(pk=app.pk).exists()  # inside the transaction
        raise RuntimeError("capacity gone")

    with pytest.raises(RuntimeError):
        services.submit(version, answers(), {"proof": SimpleUploadedFile("p.pdf", PDF)}, email="a@example.jp",
                        client_token=token(), on_store=refuse)
    assert Application.objects.count() == 0 and ApplicationFile.objects.count() == 0
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_find__right_secret_finds_wrong_secret_and_unknown_reference_do_not(version):
    app, _, secret = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    assert services.find(app.reference, secret).pk == app.pk
    assert services.find(app.reference.lower(), secret.lower().replace("-", " ")).pk == app.pk
    for reference, wrong in [(app.reference, "AAAA-AAAA-AAAA"), ("2026-XXXX-9999", secret), (app.reference, "")]:
        with pytest.raises(services.ApplicationError) as exc:
            services.find(reference, wrong)
        assert exc.value.code == "not_found" and exc.value.status == 404


ALL = ["received", "reviewing", "correction", "completed", "rejected", "withdrawn"]
ALLOWED = {("received", n) for n in ["reviewing", "correction", "completed", "rejected", "withdrawn"]} | \
    {("reviewing", n) for n in ["correction", "completed", "rejected", "withdrawn"]} | \
    {("correction", n) for n in ["reviewing", "withdrawn", "rejected"]}


def test_transitions_table_is_exactly_the_brief():
    table = {(old, new) for old, news in TRANSITIONS.items() for new in news}
    assert table == ALLOWED


@pytest.mark.parametrize("old,new", [(o, n) for o in ALL for n in ALL if o != n])
def test_set_status__allowed_and_refused(version, old, new, admin_user, django_capture_on_commit_callbacks):
    app, _, _ = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    Application.objects.filter(pk=app.pk).update(status=old)
    app.refresh_from_db()
    mail.outbox.clear()
    if (old, new) in ALLOWED:
        with django_capture_on_commit_callbacks(execute=True):
            change = services.set_status(app, new, by=admin_user, reason="理由あり")
        assert (change.old, change.new, change.by) == (old, new, admin_user)
        assert Application.objects.get(pk=app.pk).status == new
        assert len(mail.outbox) == 1 and app.reference in mail.outbox[0].body
        assert "川崎" not in mail.outbox[0].body
    else:
        with pytest.raises(services.ApplicationError) as exc:
            services.set_status(app, new, by=admin_user, reason="理由あり")
        assert exc.value.code == "invalid_transition"
        assert Application.objects.get(pk=app.pk).status == old


@pytest.mark.parametrize("new", ["rejected", "correction"])
def test_set_status__rejected_and_correction_need_a_reason(version, new):
    app, _, _ = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    with pytest.raises(services.ApplicationError) as exc:
        services.set_status(app, new, by=None, reason="  ")
    assert exc.value.code == "reason_required"
    assert Application.objects.get(pk=app.pk).status == "received"
    assert StatusChange.objects.filter(application=app).count() == 1


def test_answer_correction__updates_data_and_returns_to_reviewing(version, admin_user, media_root):
    app, _, _ = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    services.set_status(app, "correction", by=admin_user, reason="生年月日をご確認ください")
    corr = Correction.objects.create(application=app, message="生年月日をご確認ください", fields=["birth", "proof"],
                                     requested_by=admin_user)
    assert services.open_correction(app) == corr
    with pytest.raises(services.ApplicationError) as exc:
        services.answer_correction(app, corr, {"birth": "昨日"}, {})
    assert exc.value.param == "birth"
    services.answer_correction(app, corr, {"birth": "令和2年5月1日", "name": "無視される"},
                               {"proof": SimpleUploadedFile("new.pdf", PDF)})
    app.refresh_from_db()
    corr.refresh_from_db()
    assert app.status == "reviewing"
    assert app.data["birth"] == "2020-05-01" and app.data["name"] == "川崎 太郎"
    assert corr.answered_at is not None and corr.answer_data == {"birth": "2020-05-01", "proof": "new.pdf"}
    assert app.files.get().name == "new.pdf"
    assert services.open_correction(app) is None
    with pytest.raises(services.ApplicationError):
        services.answer_correction(app, corr, {"birth": "2019-05-02"}, {})


def test_withdraw__final(version):
    app, _, _ = services.submit(version, answers(), {}, email="a@example.jp", client_token=token())
    services.withdraw(app)
    assert Application.objects.get(pk=app.pk).status == "withdrawn"
    with pytest.raises(services.ApplicationError) as exc:
        services.withdraw(app)
    assert exc.value.code == "invalid_transition"


def test_submit__a_file_field_needs_the_file_not_a_name(version):
    definition = {"fields": [*DEFINITION["fields"][:3], {**DEFINITION["fields"][3], "required": True}]}
    required_file = eforms.save_version(version.form, definition, None)
    with pytest.raises(services.ApplicationError) as exc:
        services.submit(required_file, answers(proof="forged.pdf"), {}, email="a@example.jp", client_token=token())
    assert exc.value.param == "proof"
    app, _, _ = services.submit(version, answers(proof="forged.pdf"), {}, email="a@example.jp", client_token=token())
    assert "proof" not in app.data


def test_submit__invalid_email_is_refused(version):
    with pytest.raises(services.ApplicationError) as exc:
        services.submit(version, answers(), {}, email="not-an-email", client_token=token())
    assert exc.value.param == "email"
    assert Application.objects.count() == 0
