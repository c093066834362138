"""Events entered by staff and by registered community groups, reviewed before publication (issue #6, Events).

States: draft → submitted → published | rejected (→ edited → draft → submitted …). Driven through the pages
like a person would, asserting what the public API shows at each step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from madoguchi.events import services
from madoguchi.events.models import CommunityGroup, Event

FORM = {"title": "こすぎ夏まつり", "title_kana": "コスギナツマツリ", "start_date": "2026-08-01", "end_date": "",
        "start_time": "17:00", "end_time": "20:30", "description": "盆踊りと屋台", "place_name": "小杉駅前広場",
        "address": "神奈川県川崎市中原区小杉町3丁目", "category": "まつり・催し", "latitude": "", "longitude": ""}
AUGUST = {"from": "2026-08-01", "to": "2026-08-31"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user("kosugi", password="pw-kosugi-1")
    group = CommunityGroup.objects.create(name="小杉町会")
    group.members.add(user)
    return user


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user("tanin", password="pw-tanin-1")


def public_titles(client) -> list[str]:
    return [e["title"] for e in client.get("/api/v1/events", AUGUST).json()["results"]]


def test_group_event__submit_reject_fix_resubmit_publish(client, member, admin_user):
    client.force_login(member)
    response = client.post("/events/new/", {**FORM, "group": CommunityGroup.objects.get().pk})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert (event.state, event.origin, event.group.name, event.end_date, event.area) == (
        "draft", "group", "小杉町会", dt.date(2026, 8, 1), "中原区")
    assert public_titles(client) == []

    assert client.post(f"/events/{event.pk}/submit").status_code == 302
    event.refresh_from_db()
    assert event.state == "submitted" and event.submitted_at is not None
    assert client.post(f"/events/{event.pk}/edit/", {**FORM, "title": "勝手に変更"}).status_code == 404  # locked
    assert public_titles(client) == []

    client.force_login(admin_user)
    client.post(f"/events/{event.pk}/reject", {"note": "終了時刻を確認してください"})
    event.refresh_from_db()
    assert (event.state, event.review_note, event.reviewed_by) == ("rejected", "終了時刻を確認してください", admin_user)

    client.force_login(member)
    page = client.get("/events/mine/").content.decode()
    assert "差戻し：終了時刻を確認してください" in page
    client.post(f"/events/{event.pk}/edit/", {**FORM, "end_time": "21:00"})
    event.refresh_from_db()
    assert (event.state, event.end_time) == ("draft", dt.time(21, 0))
    client.post(f"/events/{event.pk}/submit")

    client.force_login(admin_user)
    assert "こすぎ夏まつり" in client.get("/events/staff/").content.decode()
    client.post(f"/events/{event.pk}/publish")
    event.refresh_from_db()
    assert event.state == "published" and event.published_at is not None
    client.logout()
    assert public_titles(client) == ["こすぎ夏まつり"]
    assert client.get(f"/events/{event.pk}/").status_code == 200


def test_staff_event__created_and_published_directly(client, admin_user):
    client.force_login(admin_user)
    client.post("/events/new/", FORM)
    event = Event.objects.get()
    assert (event.origin, event.group, event.state) == ("staff", None, "draft")
    client.post(f"/events/{event.pk}/publish")
    assert public_titles(client) == ["こすぎ夏まつり"]
    client.post(f"/events/{event.pk}/unpublish")
    assert public_titles(client) == []


def test_unpublished_event_page__hidden_from_the_public(client, member):
    event = services.create_event({**_data(), "title": "下書きの催し"}, user=member, group=CommunityGroup.objects.get())
    assert client.get(f"/events/{event.pk}/").status_code == 404
    client.force_login(member)
    assert "下書きの催し" in client.get(f"/events/{event.pk}/").content.decode()


def _data(**kw) -> dict:
    return {"title": "朝市", "start_date": dt.date(2026, 8, 2), "end_date": dt.date(2026, 8, 2),
            "description": "野菜の販売", "place_name": "公園", **kw}


@pytest.mark.parametrize("change,param,message", [
    ({"title": ""}, "title", "イベント名を入力してください"),
    ({"description": ""}, "description", "説明を入力してください"),
    ({"place_name": "  "}, "place_name", "場所名称を入力してください"),
    ({"end_date": dt.date(2026, 8, 1)}, "end_date", "開始日 2026-08-02 より前です"),
    ({"start_time": dt.time(10), "end_time": dt.time(9)}, "end_time", "開始時間 10:00 より前です"),
    ({"latitude": 95.0, "longitude": 139.0}, "latitude", "±90"),
    ({"latitude": 35.0}, "longitude", "両方"),
    ({"state": "published"}, "state", "設定できない項目"),
])
def test_create_event__invalid__error_names_field_and_nothing_written(member, change, param, message):
    with pytest.raises(services.EventError, match=message) as exc:
        services.create_event(_data(**change), user=member, group=CommunityGroup.objects.get())
    assert (exc.value.code, exc.value.param) == ("invalid", param)
    assert Event.objects.count() == 0


def test_form__invalid__shown_on_the_field(client, member):
    client.force_login(member)
    response = client.post("/events/new/", {**FORM, "group": CommunityGroup.objects.get().pk, "end_date": "2026-07-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "終了日 2026-07-01 が開始日 2026-08-01 より前です" in html
    assert Event.objects.count() == 0


@pytest.mark.parametrize("who,action,code", [
    ("outsider", "create", "forbidden"),
    ("member", "publish", "forbidden"),
    ("member", "reject", "forbidden"),
    ("outsider", "submit", "forbidden"),
    ("staff", "submit", "forbidden"),
    ("staff", "publish_twice", "state"),
    ("staff", "reject_draft", "state"),
    ("staff", "reject_without_note", "invalid"),
])
def test_workflow__not_allowed__error_and_state_unchanged(member, outsider, admin_user, who, action, code):
    group = CommunityGroup.objects.get()
    event = services.create_event(_data(), user=member, group=group)
    user = {"member": member, "outsider": outsider, "staff": admin_user}[who]
    calls = {
        "create": lambda: services.create_event(_data(title="別"), user=user, group=group),
        "publish": lambda: services.publish_event(event, user=user),
        "reject": lambda: services.reject_event(event, user=user, note="x"),
        "submit": lambda: services.submit_event(event, user=user),
        "publish_twice": lambda: services.publish_event(services.publish_event(event, user=user), user=user),
        "reject_draft": lambda: services.reject_event(event, user=user, note="理由"),
        "reject_without_note": lambda: services.reject_event(
            services.submit_event(event, user=member), user=user, note=" "),
    }
    before = Event.objects.get(pk=event.pk).state
    with pytest.raises(services.EventError) as exc:
        calls[action]()
    assert exc.value.code == code
    assert Event.objects.count() == 1
    expected = {"publish_twice": "published", "reject_without_note": "submitted"}.get(action, before)
    assert Event.objects.get(pk=event.pk).state == expected


def test_group_pages__need_login_and_membership(client, outsider):
    assert client.get("/events/new/")["Location"].startswith("/events/login/")
    client.force_login(outsider)
    assert client.get("/events/mine/").status_code == 403
    assert client.get("/events/new/").status_code == 404
    assert client.get("/events/staff/").status_code == 302  # staff only: to the admin login


def test_login_page__group_member_lands_on_their_events(client, member):
    response = client.post("/events/login/", {"username": "kosugi", "password": "pw-kosugi-1"})
    assert response.status_code == 302 and response["Location"] == "/events/mine/"
    assert "小杉町会 のメンバーとしてログインしています" in client.get("/events/mine/").content.decode()


def test_publishing_an_event_announces_it_to_the_event_topic_in_its_ward(admin_user, django_capture_on_commit_callbacks):
    """Issue #17: services send their own notices — a published event reaches the イベント subscribers of its
    ward (and those who chose no ward), not those of another ward."""
    from madoguchi.notices import services as notices
    from madoguchi.notices.models import Area, Delivery, Notice, Topic

    Topic.objects.get_or_create(slug="event", defaults={"name": "イベント"})
    for ward in ("中原区", "高津区"):
        Area.objects.get_or_create(name=ward)
    here = notices.subscribe_mail("here@example.jp", topics=["event"], areas=["中原区"])
    there = notices.subscribe_mail("there@example.jp", topics=["event"], areas=["高津区"])
    for sub in (here, there):
        notices.verify_mail(notices.make_token("verify", sub.pk))
    day = dt.date.today() + dt.timedelta(days=3)
    event = Event.objects.create(title="中原区 防災フェア", start_date=day, end_date=day, area="中原区",
                                 category="防災", description="起震車と消火体験")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(event, user=admin_user)
    notice = Notice.objects.get(source="events")
    assert notice.title == "イベント: 中原区 防災フェア" and notice.link == event.get_absolute_url()
    assert set(Delivery.objects.filter(notice=notice).values_list("subscription__address", flat=True)) == {
        "here@example.jp"}
