"""Issue #14 points 5 and 7: the staff queue per department (personal data only for the processing department,
filters, assign, status changes with reasons and mails, corrections, notes), the audit log, xlsx/CSV exports,
retention (purge keeps statistics) and the KPI metrics."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from openpyxl import load_workbook

from madoguchi.applications import metrics as app_metrics  # noqa: F401  (registers the metrics)
from madoguchi.applications import retention, staff
from madoguchi.applications.models import (
    AccessLog,
    Application,
    ApplicationFile,
    ApplicationStat,
    Correction,
    DepartmentMember,
    Note,
    StatusChange,
)
from madoguchi.applications.status import ApplicationError
from madoguchi.eforms.models import Form, FormVersion
from madoguchi.plans import metrics
from madoguchi.plans import services as plans
from madoguchi.plans.models import Indicator

TOKYO = ZoneInfo("Asia/Tokyo")
CITIZEN = "市民課"
ENV = "収集計画課"
LATER = dt.date(2026, 1, 15)
DEFINITION = {"fields": [
    {"name": "name", "label": "氏名", "kind": "text", "required": True},
    {"name": "address", "label": "住所", "kind": "text", "required": True},
    {"name": "purpose", "label": "使いみち", "kind": "textarea", "required": False},
    {"name": "proof", "label": "本人確認書類", "kind": "file", "required": False},
], "attachments_note": ""}
_seq = itertools.count(1)


def at(y: int, m: int, d: int = 15) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def forms(db):
    jumin = Form.objects.create(slug="jumin", title="住民票の写しの交付申請", department=CITIZEN, published=True)
    bulky = Form.objects.create(slug="sodai", title="粗大ごみ収集申込", department=ENV, kind="bulky", published=True)
    versions = {f.slug: FormVersion.objects.create(form=f, number=1, definition=DEFINITION) for f in (jumin, bulky)}
    return {"jumin": jumin, "sodai": bulky, "v": versions}


def make_app(forms, slug="jumin", *, status="received", channel="online", when=None, retain_until=None,
             data=None, email="taro@example.jp") -> Application:
    n = next(_seq)
    form = forms[slug]
    return Application.objects.create(
        reference=f"2025-TEST-{n:04d}", secret_hash="x", form=form, version=forms["v"][slug],
        client_token=f"token-{n}", email=email, data=data or {"name": "山田 太郎", "address": "川崎市中原区小杉町1-1",
                                                              "purpose": "=HYPERLINK(\"http://evil\")"},
        status=status, channel=channel, department=form.department, submitted_at=when or at(2025, 6),
        retain_until=retain_until or dt.date(2030, 6, 15))


@pytest.fixture
def people(db):
    User = get_user_model()
    member = User.objects.create_user("member", is_staff=True)
    colleague = User.objects.create_user("colleague", is_staff=True)
    other = User.objects.create_user("other", is_staff=True)
    boss = User.objects.create_superuser("boss", password=None)
    DepartmentMember.objects.create(user=member, department=CITIZEN)
    DepartmentMember.objects.create(user=colleague, department=CITIZEN)
    DepartmentMember.objects.create(user=other, department=ENV)
    return {"member": member, "colleague": colleague, "other": other, "boss": boss}


def fresh(user):
    """The user without its cached departments."""
    return get_user_model().objects.get(pk=user.pk)


# -- who sees what ------------------------------------------------------------------------------------


def test_personal_data__department_member_and_superuser_only(forms, people):
    app = make_app(forms)
    assert staff.can_see_personal_data(people["member"], app)
    assert staff.can_see_personal_data(people["boss"], app)
    assert not staff.can_see_personal_data(people["other"], app)
    assert list(staff.queue(people["member"])) == [app]
    assert list(staff.queue(people["other"])) == []
    assert list(staff.queue(people["other"], all_departments=True)) == [app]
    assert list(staff.queue(people["boss"])) == [app]


def test_detail__member_sees_answers_and_the_view_is_audited(forms, people, client):
    app = make_app(forms)
    client.force_login(people["member"])
    html = client.get(f"/staff/applications/{app.reference}/").content.decode()
    assert "山田 太郎" in html and "川崎市中原区小杉町1-1" in html and "taro@example.jp" in html
    assert "補正を依頼" in html and staff.MASKED not in html
    logs = list(AccessLog.objects.all())
    assert [(log.action, log.user, log.application, log.reference) for log in logs] == [
        ("view", people["member"], app, app.reference)]


def test_detail__other_staff_see_the_row_masked_and_are_audited(forms, people, client):
    app = make_app(forms)
    ApplicationFile.objects.create(application=app, field="proof", name="免許証.png", content_type="image/png",
                                   size=3, file=ContentFile(b"png", name="proof.png"))
    client.force_login(people["other"])
    response = client.get(f"/staff/applications/{app.reference}/")
    html = response.content.decode()
    assert response.status_code == 200 and app.reference in html and "住民票の写しの交付申請" in html
    assert "山田" not in html and "小杉町" not in html and "taro@example.jp" not in html and "免許証" not in html
    assert html.count(staff.MASKED) >= 4  # e-mail + 3 answers
    assert "補正を依頼" not in html  # no actions
    assert AccessLog.objects.filter(user=people["other"], action="view", application=app).count() == 1
    file = app.files.get()
    assert client.get(f"/staff/applications/{app.reference}/files/{file.pk}/").status_code == 403
    assert client.post(f"/staff/applications/{app.reference}/notes/", {"text": "x"}).status_code == 302
    assert not Note.objects.exists()


def test_file_download__member_only_and_audited(forms, people, client):
    app = make_app(forms)
    f = ApplicationFile.objects.create(application=app, field="proof", name="免許証.png", content_type="image/png",
                                       size=3, file=ContentFile(b"png", name="proof.png"))
    client.force_login(people["member"])
    response = client.get(f"/staff/applications/{app.reference}/files/{f.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"png"
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["export"]


def test_anonymous_and_citizens_are_sent_to_the_login(forms, people, client):
    app = make_app(forms)
    for path in ("/staff/applications/", f"/staff/applications/{app.reference}/", "/staff/applications/export.csv",
                 "/staff/applications/audit/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path
    assert not AccessLog.objects.exists()


# -- the queue -----------------------------------------------------------------------------------------


def test_queue_filters(forms, people):
    member = people["member"]
    a = make_app(forms, when=at(2025, 5, 1))
    b = make_app(forms, status="reviewing", when=at(2025, 7, 1))
    c = make_app(forms, when=at(2025, 9, 1))
    make_app(forms, "sodai")  # another department
    staff.assign(b, member, by=member)
    assert list(staff.queue(member)) == [c, b, a]
    assert list(staff.queue(member, status="reviewing")) == [b]
    assert list(staff.queue(member, assignee=member.pk)) == [b]
    assert list(staff.queue(member, assignee="none")) == [c, a]
    assert list(staff.queue(member, q=a.reference)) == [a]
    assert list(staff.queue(member, q="住民票")) == [c, b, a]
    assert list(staff.queue(member, submitted_from=dt.date(2025, 6, 1), submitted_to=dt.date(2025, 8, 31))) == [b]
    assert list(staff.queue(member, form=forms["sodai"].pk)) == []
    counts = staff.status_counts(staff.queue(member))
    assert (counts["received"], counts["reviewing"], counts["completed"]) == (2, 1, 0)


def test_queue_page__counts_filters_and_masked_marker(forms, people, client):
    make_app(forms)
    make_app(forms, status="reviewing")
    make_app(forms, "sodai")
    client.force_login(people["member"])
    html = client.get("/staff/applications/").content.decode()
    assert "受付</a> 1 件" in html and "審査中</a> 1 件" in html and "すべて</a> 2 件" in html
    assert "粗大ごみ収集申込" not in html
    html = client.get("/staff/applications/?status=reviewing").content.decode()
    assert html.count(">2025-TEST-") == 1
    html = client.get("/staff/applications/?all=1").content.decode()
    assert "粗大ごみ収集申込" in html and "（閲覧のみ）" in html
    assert not AccessLog.objects.exists()  # the list shows no personal data
    b = Application.objects.get(status="reviewing")
    staff.assign(b, people["colleague"], by=people["member"])
    html = client.get(f"/staff/applications/?assignee={people['colleague'].pk}").content.decode()
    assert html.count(">2025-TEST-") == 1 and f'>{b.reference}<' in html and '>colleague</option>' in html


# -- actions -------------------------------------------------------------------------------------------


def test_status_change_with_reason_history_mail_and_audit(forms, people, client, django_capture_on_commit_callbacks):
    app = make_app(forms)
    client.force_login(people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/applications/{app.reference}/status/",
                               {"status": "reviewing", "reason": "書類を確認します"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "reviewing"
    change = StatusChange.objects.get(application=app)
    assert (change.old, change.new, change.reason, change.by) == ("received", "reviewing", "書類を確認します",
                                                                  people["member"])
    assert len(mail.outbox) == 1 and app.reference in mail.outbox[0].subject and "審査中" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["taro@example.jp"] and "山田" not in mail.outbox[0].body
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["status"]
    html = client.get(f"/staff/applications/{app.reference}/").content.decode()
    assert "書類を確認します" in html


def test_rejecting_asks_for_confirmation_first(forms, people, client, django_capture_on_commit_callbacks):
    app = make_app(forms, status="reviewing")
    client.force_login(people["member"])
    response = client.post(f"/staff/applications/{app.reference}/status/", {"status": "rejected", "reason": "対象外"})
    html = response.content.decode()
    assert response.status_code == 200 and "取り消せません" in html and 'name="confirmed" value="1"' in html
    app.refresh_from_db()
    assert app.status == "reviewing"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/applications/{app.reference}/status/",
                    {"status": "rejected", "reason": "対象外", "confirmed": "1"})
    app.refresh_from_db()
    assert app.status == "rejected" and "却下" in mail.outbox[0].subject and "対象外" in mail.outbox[0].body


def test_invalid_transition_is_refused(forms, people, client):
    app = make_app(forms, status="completed")
    with pytest.raises(ApplicationError) as exc:
        staff.change_status(app, "reviewing", by=people["member"])
    assert exc.value.code == "invalid_transition"
    client.force_login(people["member"])
    response = client.post(f"/staff/applications/{app.reference}/status/", {"status": "reviewing"}, follow=True)
    assert "「完了」から「審査中」には変更できません" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "completed" and not StatusChange.objects.exists()
    with pytest.raises(ApplicationError) as exc:  # other departments cannot act at all
        staff.change_status(make_app(forms), "reviewing", by=people["other"])
    assert exc.value.code == "forbidden" and exc.value.status == 403


def test_request_correction(forms, people, client, django_capture_on_commit_callbacks):
    app = make_app(forms)
    with pytest.raises(ApplicationError) as exc:
        staff.request_correction(app, "住所を番地まで", ["nope"], by=people["member"])
    assert (exc.value.code, exc.value.param) == ("invalid", "fields")
    client.force_login(people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/applications/{app.reference}/correction/",
                    {"message": "住所を番地まで書いてください", "fields": ["address"]})
    app.refresh_from_db()
    assert app.status == "correction"
    c = Correction.objects.get(application=app)
    assert (c.message, c.fields, c.requested_by) == ("住所を番地まで書いてください", ["address"], people["member"])
    assert StatusChange.objects.get(application=app).reason == "住所を番地まで書いてください"
    assert "補正要求" in mail.outbox[0].subject


def test_assign_and_notes(forms, people, client):
    app = make_app(forms)
    with pytest.raises(ApplicationError) as exc:
        staff.assign(app, people["other"], by=people["member"])
    assert (exc.value.code, exc.value.param) == ("invalid", "assignee")
    client.force_login(people["member"])
    client.post(f"/staff/applications/{app.reference}/assign/", {"assignee": str(people["colleague"].pk)})
    app.refresh_from_db()
    assert app.assignee == people["colleague"]
    client.post(f"/staff/applications/{app.reference}/assign/", {"assignee": "me"})
    app.refresh_from_db()
    assert app.assignee == people["member"]
    client.post(f"/staff/applications/{app.reference}/notes/", {"text": "電話で確認済み"})
    assert list(Note.objects.values_list("text", "by")) == [("電話で確認済み", people["member"].pk)]
    assert "電話で確認済み" in client.get(f"/staff/applications/{app.reference}/").content.decode()
    assert sorted(AccessLog.objects.values_list("action", flat=True)) == ["note", "status", "status", "view"]


# -- exports -------------------------------------------------------------------------------------------


def test_xlsx_export__personal_data_only_in_permitted_rows_and_audited(forms, people, client):
    mine = make_app(forms, when=at(2025, 6, 1))
    theirs = make_app(forms, "sodai", when=at(2025, 5, 1), email="hanako@example.jp")
    client.force_login(fresh(people["member"]))
    response = client.get("/staff/applications/export.xlsx?all=1")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("受付番号", "手続", "担当課", "状態", "受付方法", "申請日時", "担当者", "保存期限",
                       "メールアドレス", "氏名", "住所", "使いみち")
    assert rows[1][:6] == (mine.reference, "住民票の写しの交付申請", CITIZEN, "受付", "オンライン",
                           dt.datetime(2025, 6, 1, 10, 0))
    assert rows[1][8:] == ("taro@example.jp", "山田 太郎", "川崎市中原区小杉町1-1", "'=HYPERLINK(\"http://evil\")")
    assert rows[2][0] == theirs.reference
    assert rows[2][8:] == ("h***@example.jp", staff.MASKED, staff.MASKED, staff.MASKED)
    assert ws.cell(row=2, column=12).data_type == "s"  # not a formula
    assert sorted(AccessLog.objects.filter(action="export").values_list("reference", flat=True)) == sorted(
        [mine.reference, theirs.reference])


def test_csv_export__bom_neutralised_and_filtered(forms, people, client):
    make_app(forms, status="completed")
    keep = make_app(forms)
    client.force_login(people["member"])
    response = client.get("/staff/applications/export.csv?status=received")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("受付番号,手続,担当課,状態")
    assert len([x for x in lines if x]) == 2 and keep.reference in lines[1]
    assert "'=HYPERLINK" in lines[1] and ",=HYPERLINK" not in lines[1]
    assert list(AccessLog.objects.values_list("action", "application")) == [("export", keep.pk)]


# -- audit log page ------------------------------------------------------------------------------------


def test_audit_page__superuser_all_members_their_department(forms, people, client):
    a, b = make_app(forms), make_app(forms, "sodai")
    staff.log_access(people["boss"], a, "view")
    staff.log_access(people["boss"], b, "view")
    client.force_login(people["member"])
    html = client.get("/staff/applications/audit/").content.decode()
    assert a.reference in html and b.reference not in html
    client.force_login(people["boss"])
    html = client.get("/staff/applications/audit/").content.decode()
    assert a.reference in html and b.reference in html
    nobody = get_user_model().objects.create_user("nobody", is_staff=True)
    client.force_login(nobody)
    assert client.get("/staff/applications/audit/").status_code == 403


# -- retention and KPI ---------------------------------------------------------------------------------


def test_purge__deletes_expired_final_applications_and_files_keeps_statistics(forms, people, media_root,
                                                                            django_capture_on_commit_callbacks):
    today = dt.date(2026, 1, 15)
    old = make_app(forms, status="completed", when=at(2020, 6), retain_until=dt.date(2025, 6, 15))
    make_app(forms, "sodai", status="withdrawn", channel="counter", when=at(2021, 2),
                         retain_until=dt.date(2025, 12, 31))
    pending = make_app(forms, status="reviewing", when=at(2020, 6), retain_until=dt.date(2025, 6, 15))
    young = make_app(forms, status="completed", when=at(2024, 6), retain_until=dt.date(2029, 6, 15))
    f = ApplicationFile.objects.create(application=old, field="proof", name="a.png", size=3,
                                       file=ContentFile(b"png", name="a.png"))
    path = f.file.path
    staff.log_access(people["member"], old, "view")
    before = {y: metrics.metric_value("procedures.applications", y, today=today) for y in (2019, 2020, 2024)}
    share_before = metrics.metric_value("procedures.bulky_waste_share", 2020, today=today)
    assert before == {2019: 0, 2020: 3, 2024: 1} and share_before == Decimal("33.3")

    with django_capture_on_commit_callbacks(execute=True):
        result = retention.purge_expired(today=today)

    assert result == {"applications": 2, "files": 1, "drafts": 0}
    assert set(Application.objects.all()) == {pending, young}
    assert not ApplicationFile.objects.exists()
    assert not Path(path).exists()
    assert sorted(ApplicationStat.objects.values_list("form__slug", "year", "channel", "count")) == [
        ("jumin", 2020, "online", 1), ("sodai", 2020, "counter", 1)]
    log = AccessLog.objects.get()
    assert (log.application, log.reference) == (None, old.reference)
    after = {y: metrics.metric_value("procedures.applications", y, today=today) for y in (2019, 2020, 2024)}
    assert after == before
    assert metrics.metric_value("procedures.bulky_waste_share", 2020, today=today) == share_before
    # a second run finds nothing more and counts nothing twice
    assert retention.purge_expired(today=today)["applications"] == 0
    assert ApplicationStat.objects.get(form__slug="jumin").count == 1


def test_purge_command_and_task(forms, capsys):
    make_app(forms, status="completed", when=at(2015, 6), retain_until=dt.date(2020, 6, 15))
    out = io.StringIO()
    call_command("purge_applications", stdout=out)
    assert out.getvalue() == "applications: 1 deleted, files: 0 deleted, drafts: 0 deleted\n"
    make_app(forms, status="rejected", when=at(2015, 7), retain_until=dt.date(2020, 6, 15))
    result = retention.purge_expired_applications.enqueue()
    assert result.return_value == {"applications": 1, "files": 0, "drafts": 0}
    assert ApplicationStat.objects.get().count == 2


def test_metrics__per_fiscal_year_channel_procedure_and_bulky_share(forms):
    make_app(forms, when=at(2025, 3, 31))  # FY2024
    make_app(forms, when=at(2025, 4, 1))  # FY2025 from here
    make_app(forms, channel="counter", when=at(2025, 8))
    for m in (5, 6, 7):
        make_app(forms, "sodai", when=at(2025, m))
    ApplicationStat.objects.create(form=forms["sodai"], year=2024, channel="mail", count=3)
    value = lambda mid, y: metrics.metric_value(mid, y, today=LATER)
    assert (value("procedures.applications", 2024), value("procedures.applications", 2025)) == (4, 5)
    assert value("procedures.applications", 2026) is None
    assert value("procedures.bulky_waste_share", 2025) == Decimal("60.0")
    assert value("procedures.bulky_waste_share", 2024) == Decimal("75.0")
    by_proc = metrics.metric_table("procedures.applications_by_procedure", dt.date(2025, 10, 1), today=LATER)
    assert [(r["rank"], r["form_slug"], r["count"]) for r in by_proc] == [(1, "sodai", 3), (2, "jumin", 2)]
    by_channel = metrics.metric_table("procedures.applications_by_channel", dt.date(2025, 10, 1), today=LATER)
    assert [(r["channel"], r["count"], r["share"]) for r in by_channel] == [
        ("online", 4, 80.0), ("counter", 1, 20.0), ("mail", 0, 0.0), ("phone", 0, 0.0)]
    march = metrics.metric_table("procedures.applications_by_channel", dt.date(2025, 3, 1), today=LATER)
    assert [(r["channel"], r["count"]) for r in march][:3] == [("online", 1), ("counter", 0), ("mail", 3)]


def test_kpi__2019_figures_entered_as_actuals_beside_live_values(forms, db):
    plans.load_plan_file(plans.FIXTURES / "kawasaki-data-utilization-plan-2019.yaml", actor="test")
    indicator = Indicator.objects.get(policy__plan__slug="kawasaki-data-utilization-plan-2019", code="3-2")
    plans.bind_metric(indicator, "procedures.applications", actor="test")
    plans.set_actual(indicator, 2019, 226491, actor="staff")
    make_app(forms, when=at(2020, 5))
    make_app(forms, "sodai", when=at(2021, 5))
    make_app(forms, "sodai", when=at(2021, 6))
    rows = {r.year: r for r in plans.indicator_report(indicator, today=LATER).rows}
    assert (rows[2019].actual, rows[2019].actual_source, rows[2019].computed) == (226491, "entered", False)
    assert (rows[2020].actual, rows[2020].actual_source, rows[2020].computed) == (1, "metric", True)
    assert (rows[2021].actual, rows[2021].computed) == (2, True)
    assert rows[2021].status == "not_achieved"  # target 172,000 in FY2021
    assert metrics.metric_value("procedures.applications", 2019, today=LATER) == 0  # the live figure beside it


def test_staff_pages_in_english_with_the_language_cookie(forms, people, client, settings):
    app = make_app(forms)
    client.force_login(people["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/staff/applications/").content.decode()
    assert "Applications received" in html and "Export this list:" in html
    html = client.get(f"/staff/applications/{app.reference}/").content.decode()
    assert "Request a correction" in html and "Internal note (not shown to the applicant)" in html
