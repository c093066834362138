"""A bulky-waste request end to end in Chromium (items, fee, date, tickets, confirmation mail), axe-clean at
375 and 1280 px."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from .conftest import poll_until as _wait

pytestmark = pytest.mark.browser


def _clean(page, axe, viewport, where):
    violations = axe(page)
    assert violations == [], f"axe violations on {where} at {viewport['width']} px:\n{violations.describe()}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{where} scrolls sideways at {viewport['width']} px ({width} px)"


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 800}, {"width": 1280, "height": 800}])
def test_bulky_request_end_to_end(live_server, transactional_db, page_factory, axe, viewport):
    from madoguchi.bulky import services
    from madoguchi.bulky.models import BulkyRequest, CollectionArea, FeeRule

    services.install_form()
    FeeRule.objects.create(source="kameoka", item="タンス", kind="size", tiers=[
        {"label": "長辺1m未満", "min": None, "max": 100, "unit": "cm", "yen": 600},
        {"label": "1m以上", "min": 100, "max": None, "unit": "cm", "yen": 1200}])
    FeeRule.objects.create(source="kameoka", item="アイロン台", kind="flat", yen=400)
    CollectionArea.objects.create(source="kameoka", name="旭町", weekdays="月火水木金土日", daily_capacity=5)
    mail.outbox.clear()
    page = page_factory(viewport=viewport)
    page.goto(f"{live_server.url}/procedures/bulky-waste/")
    assert page.locator("h1").inner_text() == "粗大ごみ収集の申込"
    _clean(page, axe, viewport, "the start page")
    page.get_by_label("品目名").fill("タンス")
    page.get_by_role("button", name="探す").click()
    page.get_by_label("大きさ").select_option("1m以上")
    page.get_by_role("button", name="追加").click()
    page.get_by_label("品目名").fill("アイロン")
    page.get_by_role("button", name="探す").click()
    page.get_by_label("数").fill("2")
    page.get_by_role("button", name="追加").click()
    assert _wait(lambda: page.get_by_test_id("total").inner_text() == "2,000")
    _clean(page, axe, viewport, "the item list")
    page.get_by_role("link", name="次へ: 収集日を選ぶ").click()
    page.get_by_role("button", name="収集日を表示").click()
    page.wait_for_url(re.compile(r"[?&]area="))  # the GET form's page, not the one before it
    _clean(page, axe, viewport, "the date step")
    page.locator("input[name=date]").first.check()
    page.get_by_label("住所 (収集場所)").fill("亀岡市旭町1-1")
    page.get_by_label("電話番号").fill("0771-00-0000")
    page.get_by_label("メールアドレス").fill("citizen@example.jp")
    page.get_by_label("処理券番号").fill("\n".join(f"1234560{k}" for k in range(10)))
    page.get_by_role("button", name="次へ: 確認").click()
    assert page.locator("h1").inner_text() == "申込内容の確認"
    _clean(page, axe, viewport, "the confirmation")
    page.get_by_role("button", name="申し込む").click()
    reference = page.get_by_test_id("reference").inner_text()
    _clean(page, axe, viewport, "the done page")
    req = BulkyRequest.objects.get()
    assert (req.application.reference, req.total_yen, req.tickets.count()) == (reference, 2000, 10)
    assert _wait(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["citizen@example.jp"] and reference in mail.outbox[0].subject
