"""Bulky-waste collection requests (issue #14 point 4): capacity, 処理券, cut-off, cancel, pages, API, route list."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from madoguchi.applications.models import Application, DepartmentMember
from madoguchi.bulky import services
from madoguchi.bulky.errors import BulkyError
from madoguchi.bulky.models import (
    BulkyRequest,
    CollectionArea,
    CollectionDay,
    FeeRule,
    TicketUse,
)

TZ = timezone.get_current_timezone()
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # a Monday
WED = dt.date(2026, 12, 9)  # first bookable Wednesday: 2 days after NOW


def make_rules():
    FeeRule.objects.create(source="kameoka", item="アイロン台", kind="flat", yen=400)
    FeeRule.objects.create(source="kameoka", item="タンス", kind="size", tiers=[
        {"label": "長辺1m未満", "min": None, "max": 100, "unit": "cm", "yen": 600},
        {"label": "1m以上", "min": 100, "max": None, "unit": "cm", "yen": 1200}])
    FeeRule.objects.create(source="kameoka", item="ガラステーブル", kind="size", status="needs_review")


@pytest.fixture
def setup(db):
    services.install_form()
    make_rules()
    return CollectionArea.objects.create(source="kameoka", name="旭町", weekdays="水", daily_capacity=2)


def request_(number: int, *, date=WED, token=None, tickets=None, items=None, now=NOW):
    return services.apply(
        area="旭町", date=date, items=items or [{"item": "タンス", "size": "1m以上", "count": 1}],
        address="亀岡市旭町1-1", phone="0771-00-0000", email=f"p{number}@example.jp",
        tickets=tickets if tickets is not None else [f"{number:06d}{k}" for k in range(6)],
        client_token=token or f"token-{number:012d}", now=now)


def test_quote__total_fee_from_flat_and_size_rules(setup):
    lines, total = services.quote("kameoka", [{"item": "アイロン台", "count": 2},
                                              {"item": "タンス", "size": "長辺1m未満", "count": 1}])
    assert [(x.rule.item, x.yen, x.count) for x in lines] == [("アイロン台", 400, 2), ("タンス", 600, 1)]
    assert total == 1400 and services.tickets_needed(total) == 7
    for bad in ([{"item": "タンス"}], [{"item": "ガラステーブル", "size": "x"}], [{"item": "アイロン台", "count": 11}], []):
        with pytest.raises(BulkyError) as e:
            services.quote("kameoka", bad)
        assert e.value.param == "items"


def test_apply__stores_request_place_tickets_and_mails(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req, created, secret = request_(1)
    assert created and secret
    assert (req.total_yen, req.day.date, req.application.department, req.application.data["area"]) == (1200, WED, "環境局 収集課", "旭町")
    assert req.items == [{"name": "タンス", "size_label": "1m以上", "yen": 1200, "count": 1}]
    assert CollectionDay.objects.get(date=WED).booked == 1
    assert TicketUse.objects.filter(request=req).count() == 6
    assert [m.to for m in mail.outbox] == [["p1@example.jp"]] and req.application.reference in mail.outbox[0].subject
    again, created2, secret2 = request_(1)
    assert (again.pk, created2, secret2) == (req.pk, False, None)
    assert CollectionDay.objects.get(date=WED).booked == 1


def test_capacity__never_exceeded_sequentially_and_full_stores_nothing(setup):
    request_(1), request_(2)
    with pytest.raises(BulkyError) as e:
        request_(3)
    assert (e.value.code, e.value.status, e.value.param) == ("full", 409, "date")
    assert "受付件数に達しました" in e.value.message
    assert Application.objects.count() == 2 and BulkyRequest.objects.count() == 2
    assert TicketUse.objects.count() == 12  # the third request's tickets were not kept
    assert CollectionDay.objects.get(date=WED).booked == 2
    assert WED not in [d.date for d in services.available_days(setup, on=NOW.date())]


def test_tickets__reused_number_refused_naming_it_and_nothing_stored(setup):
    request_(1)
    reused = ["0000010", "9990001", "9990002", "9990003", "9990004", "9990005"]
    with pytest.raises(BulkyError) as e:
        request_(2, tickets=reused)
    assert (e.value.code, e.value.param) == ("ticket_used", "tickets")
    assert "0000010" in e.value.message
    assert Application.objects.count() == 1 and CollectionDay.objects.get(date=WED).booked == 1
    assert not TicketUse.objects.filter(number="9990001").exists()


def test_tickets__stay_used_after_the_application_is_purged(setup):
    """Deleting an application after its retention period (applications' purge) keeps its ticket numbers
    used: a ticket is paid for once."""
    from madoguchi.applications import services as applications
    from madoguchi.applications.retention import purge_expired

    req, _, _ = request_(1)
    applications.set_status(req.application, "completed")
    Application.objects.filter(pk=req.application.pk).update(retain_until=dt.date(2020, 1, 1))
    assert purge_expired(today=dt.date(2026, 12, 31))["applications"] == 1
    assert not BulkyRequest.objects.exists()
    assert TicketUse.objects.filter(request=None).count() == 6
    with pytest.raises(BulkyError) as e:
        request_(2, tickets=[f"{1:06d}{k}" for k in range(6)])
    assert e.value.code == "ticket_used"


@pytest.mark.parametrize("tickets, message", [
    (["1234567"] * 2, "2回入力"), (["12345"], "6〜12桁"), (["1234567"], "6枚必要")])
def test_tickets__format_and_sum_checked(setup, tickets, message):
    with pytest.raises(BulkyError) as e:
        request_(1, tickets=tickets)
    assert e.value.param == "tickets" and message in e.value.message


def test_date__after_cut_off_or_not_a_collection_day_refused(setup):
    with pytest.raises(BulkyError) as e:
        request_(1, now=NOW + dt.timedelta(days=1))  # Tuesday for Wednesday: 1 day before
    assert e.value.code == "too_late" and "締め切りました" in e.value.message
    with pytest.raises(BulkyError) as e:
        request_(1, date=WED + dt.timedelta(days=1))
    assert e.value.param == "date" and "収集日ではありません" in e.value.message
    assert Application.objects.count() == 0


def test_cancel__before_cut_off_frees_place_and_tickets(setup):
    req, _, _ = request_(1)
    services.cancel(req, now=NOW)
    req.refresh_from_db()
    assert req.cancelled_at is not None and req.application.status == "withdrawn"
    assert CollectionDay.objects.get(date=WED).booked == 0 and TicketUse.objects.count() == 0
    with pytest.raises(BulkyError) as e:
        services.cancel(req, now=NOW)
    assert e.value.code == "conflict"
    request_(2, tickets=[f"{1:06d}{k}" for k in range(6)])  # the freed tickets can be used again


def test_cancel__after_cut_off_refused(setup):
    req, _, _ = request_(1)
    with pytest.raises(BulkyError) as e:
        services.cancel(req, now=NOW + dt.timedelta(days=1))
    assert e.value.code == "too_late" and "取り消しはできません" in e.value.message
    assert CollectionDay.objects.get(date=WED).booked == 1


def test_api__201_then_200_replay_then_409_full(setup, client, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: NOW.date())
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    days = client.get("/api/v1/bulky-waste/days", {"area": "旭町"}).json()
    assert days[0] == {"date": "2026-12-09", "left": 2}
    assert any(r["item"] == "タンス" for r in client.get("/api/v1/bulky-waste/fees", {"q": "タンス"}).json())

    def post(token, n):
        body = {"client_token": token, "area": "旭町", "date": "2026-12-09",
                "items": [{"item": "アイロン台", "count": 1}], "tickets": [f"{n:06d}1", f"{n:06d}2"],
                "address": "亀岡市旭町1", "phone": "0771000000", "email": "a@example.jp"}
        return client.post("/api/v1/bulky-waste/requests", json.dumps(body), content_type="application/json")

    first = post("t" * 20, 1)
    assert first.status_code == 201 and first.json()["total_yen"] == 400 and first.json()["secret"]
    replay = post("t" * 20, 1)
    assert replay.status_code == 200 and replay.json()["reference"] == first.json()["reference"]
    assert replay.json()["secret"] is None
    assert post("u" * 20, 2).status_code == 201
    full = post("v" * 20, 3)
    assert full.status_code == 409 and full.json()["error"]["code"] == "already_booked"
    assert full.json()["error"]["param"] == "date"


def test_page_flow__items_total_date_tickets_confirm_submit(setup, client, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: NOW.date())
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    page = client.get("/procedures/bulky-waste/", {"q": "タンス"}).content.decode()
    assert "長辺1m未満: 600円" in page
    rule = FeeRule.objects.get(item="タンス")
    client.post("/procedures/bulky-waste/cart/", {"action": "add", "rule": rule.pk, "size": "1m以上", "count": "1"})
    page = client.get("/procedures/bulky-waste/").content.decode()
    assert '<span data-testid="total">1,200</span>' in page
    page = client.get("/procedures/bulky-waste/apply/", {"area": "旭町"}).content.decode()
    assert 'value="2026-12-09"' in page
    form = {"area": "旭町", "date": "2026-12-09", "address": "亀岡市旭町1", "phone": "0771-00-0000",
            "email": "c@example.jp", "tickets": "\n".join(f"55500{k}" for k in range(6))}
    short = client.post("/procedures/bulky-waste/apply/", {**form, "tickets": "555000"})
    assert short.status_code == 400 and "6枚必要" in short.content.decode()
    confirm = client.post("/procedures/bulky-waste/apply/", form)
    assert confirm.status_code == 200
    token = confirm.context["client_token"]
    done = client.post("/procedures/bulky-waste/submit/", {**form, "client_token": token})
    assert done.status_code == 201
    req = BulkyRequest.objects.get()
    assert req.application.reference in done.content.decode() and req.total_yen == 1200
    status = client.post("/procedures/bulky-waste/status/", {"reference": req.application.reference,
                                                              "secret": done.context["secret"], "action": "cancel"})
    assert status.status_code == 200 and "申込を取り消しました" in status.content.decode()


def test_route__xlsx_cells_and_personal_data_only_for_department(setup, client, django_user_model):
    req, _, _ = request_(1)
    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(staff)
    url = f"/staff/bulky/route/?area={setup.pk}&date=2026-12-09"
    assert "（権限なし）" in client.get(url).content.decode()
    DepartmentMember.objects.create(user=staff, department="環境局 収集課")
    page = client.get(url).content.decode()
    assert "亀岡市旭町1-1" in page and "<svg" in page
    wb = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    ws = wb["収集リスト"]
    assert [c.value for c in ws[1]] == ["受付番号", "町名", "収集日", "住所", "電話番号", "品目", "料金 (円)"]
    assert [c.value for c in ws[2]] == [req.application.reference, "旭町", "2026-12-09", "亀岡市旭町1-1",
                                        "0771-00-0000", "タンス 1m以上 ×1", 1200]
    csv_text = client.get(url + "&format=csv").content.decode("utf-8-sig")
    assert req.application.reference in csv_text


def test_staff_fees__review_page_fixes_tiers(setup, admin_client):
    rule = FeeRule.objects.get(item="ガラステーブル")
    assert "ガラステーブル" in admin_client.get("/staff/bulky/fees/?status=needs_review").content.decode()
    bad = admin_client.post(f"/staff/bulky/fees/{rule.pk}/", {"tiers": '[{"label": "x", "min": null, "max": 100, "unit": "cm", "yen": 600}]', "reviewed": "on"})
    assert bad.status_code == 400
    tiers = [{"label": "長辺1m未満", "min": None, "max": 100, "unit": "cm", "yen": 600},
             {"label": "1m以上", "min": 100, "max": None, "unit": "cm", "yen": 1200}]
    ok = admin_client.post(f"/staff/bulky/fees/{rule.pk}/", {"tiers": json.dumps(tiers), "reviewed": "on"})
    assert ok.status_code == 302
    rule.refresh_from_db()
    assert (rule.status, rule.tiers, rule.reviewed_by.username) == ("reviewed", tiers, "admin")


def test_english_page(setup, client):
    page = client.get("/en/procedures/bulky-waste/", {"q": "タンス"}).content.decode()
    assert "Bulky waste collection request" in page and "Online payment is not available." in page
