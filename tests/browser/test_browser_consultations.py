"""Public comment in Chromium (issue #16): a citizen sends an opinion on a 375 px phone, staff group it,
answer, class, send it to review, approve and publish it, and the citizen reads the published answer;
axe-core finds no WCAG 2.0/2.1 A/AA violation on the pages at 375 px and 1280 px."""

from __future__ import annotations

import datetime as dt

import pytest

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture
def consultation(transactional_db):
    from django.utils import timezone

    from madoguchi.consultations import services
    from madoguchi.consultations.models import Consultation

    services.ensure_defaults()
    now = timezone.now()
    c = Consultation.objects.create(
        slug="dx-plan-2027", title="デジタル化推進計画（案）", department="総務企画局 デジタル化推進室",
        summary="市の手続をスマートフォンでできるようにする計画の案です。\n御意見をお寄せください。",
        announced=True, announced_via="市政だより\n市ホームページ",
        starts_at=now - dt.timedelta(days=5), ends_at=now + dt.timedelta(days=25))
    c.channels.set(services.Channel.objects.all())
    return c


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _clean(page, axe) -> None:
    violations = axe(page)
    assert violations == [], f"{page.url}\n{violations.describe()}"


def test_opinion_to_published_answer(consultation, live_server, page_factory, axe, login):
    from madoguchi.consultations.models import Consultation, Opinion

    base = live_server.url + "/consultations/"
    citizen = page_factory(PHONE)
    citizen.goto(base)
    _fits(citizen)
    _clean(citizen, axe)
    citizen.get_by_role("link", name="デジタル化推進計画（案）").click()
    _clean(citizen, axe)
    citizen.get_by_role("link", name="意見を送る").click()
    # an error first: no consent → the field says so, nothing stored
    citizen.get_by_role("textbox", name="御意見").fill("<b>申請</b>をスマホで完結できるようにしてください。")
    citizen.get_by_role("button", name="意見を送る").click()
    assert "同意してください" in citizen.locator("#id_consent_error").inner_text()
    assert Opinion.objects.count() == 0
    _fits(citizen)
    _clean(citizen, axe)
    citizen.get_by_label("同意します", exact=False).check()
    citizen.get_by_role("button", name="意見を送る").click()
    assert "受け付けました" in citizen.locator("h1").inner_text()
    _clean(citizen, axe)
    assert Opinion.objects.get().text == "<b>申請</b>をスマホで完結できるようにしてください。"

    staff = page_factory(DESKTOP)
    for path in ("", "dx-plan-2027/", "dx-plan-2027/opinion/"):  # the public pages at 1280 px too
        staff.goto(base + path)
        _clean(staff, axe)
    assert staff.get_by_role("button", name="意見を送る").is_visible()

    # the period ends
    Consultation.objects.filter(pk=consultation.pk).update(ends_at=consultation.starts_at + dt.timedelta(days=1))

    login(staff)
    staff.goto(f"{base}staff/{consultation.pk}/opinions/")
    _clean(staff, axe)
    staff.get_by_role("checkbox", name="意見", exact=False).first.check()
    staff.get_by_role("button", name="選んだ意見を要旨にまとめる").click()
    staff.get_by_role("link", name="要旨 1").click()
    _clean(staff, axe)
    staff.get_by_role("textbox", name="意見の要旨").fill("<b>申請</b>をスマートフォンで完結できるようにしてほしい。")
    staff.get_by_role("textbox", name="市の考え方").fill("計画の取組 2「オンライン申請の拡大」に反映しました。")
    staff.get_by_label("対応区分").select_option(label="A 反映")
    staff.get_by_role("button", name="保存する").click()
    staff.get_by_role("button", name="確認を依頼する").click()
    assert staff.locator("#result-state").inner_text() == "確認待ち"
    staff.get_by_role("button", name="承認する").click()
    assert staff.locator("#result-state").inner_text() == "承認済み"
    staff.get_by_role("button", name="公表する").click()
    assert staff.locator("#result-state").inner_text() == "公表済み"
    _clean(staff, axe)

    for page in (citizen, staff):
        page.goto(f"{base}dx-plan-2027/result/")
        table = page.locator("#result-table").inner_text()
        assert "<b>申請</b>をスマートフォンで完結" in table and "オンライン申請の拡大" in table
        assert page.locator("#by-class").inner_text().count("1件") >= 1
        _clean(page, axe)
    _fits(citizen)
    citizen.goto(base)
    assert "デジタル化推進計画（案）" in citizen.locator("#published ~ ul").first.inner_text()
