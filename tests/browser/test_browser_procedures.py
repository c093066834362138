"""The procedure guide in Chromium (issue #14 point 1): search on a phone, the life-event guide for 転入 with a
school-age child (online procedures first), its print page; axe-core clean at 375 px and 1280 px, no sideways
scrolling, and all of it without JavaScript."""

from __future__ import annotations

import pytest

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture
def guide(transactional_db):
    from madoguchi.procedures import services

    services.install_seed()  # the seed is not part of the browser tests' snapshot (TEST_NON_SERIALIZED_APPS)
    return services


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_search_and_detail(guide, live_server, page_factory, axe, viewport):
    page = page_factory(viewport)
    page.goto(live_server.url + "/procedures/")
    page.get_by_role("searchbox", name="手続名・キーワード").fill("粗大ｺﾞﾐ")  # half-width katakana folds to ごみ
    page.get_by_role("button", name="探す").click()
    assert "粗大ごみ収集の申込" in page.locator(".procedure-list li").first.inner_text()
    page.get_by_role("searchbox", name="手続名・キーワード").fill("転入")
    page.get_by_role("button", name="探す").click()
    first = page.locator(".procedure-list li").first
    assert "転入届出" in first.inner_text()
    _fits(page)
    assert axe(page) == [], axe(page).describe()
    first.get_by_role("link").click()
    assert "区役所 区民課" in page.locator("dl.procedure").inner_text()
    _fits(page)
    violations = axe(page)
    assert violations == [], violations.describe()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_life_event_guide_for_tennyu_with_a_child(guide, live_server, browser, axe, viewport):
    context = browser.new_context(viewport=viewport, locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/procedures/life-events/")
        page.get_by_role("link", name="引越し").click()
        page.get_by_label("市外から市内へ（転入）").check()
        page.get_by_label("家族").check()
        page.get_by_label("6〜11歳（小学生）").check()
        assert axe_off(page, axe, viewport) == []
        page.get_by_role("button", name="必要な手続を表示する").click()
        items = page.locator(".guide-item h3").all_inner_texts()
        assert items[0] == "粗大ごみ収集の申込"  # online first
        joined = "\n".join(items)
        for name in ("転入届出", "児童手当の認定の請求", "小・中学校の転入学（転校）の手続"):
            assert name in joined
        assert "就学援助制度" in page.locator(".schemes").inner_text()
        _fits(page)
        assert axe_off(page, axe, viewport) == []
        page.get_by_role("link", name="印刷用の画面を開く").click()
        assert page.locator("nav").count() == 0 and page.locator(".guide-item").count() == len(items)
        _fits(page)
        assert axe_off(page, axe, viewport) == []
    finally:
        context.close()


def axe_off(page, axe, viewport):
    """axe needs scripts: check the same URL in a scripted page of the same size."""
    context = page.context.browser.new_context(viewport=viewport, locale="ja-JP")
    try:
        scripted = context.new_page()
        scripted.goto(page.url)
        violations = axe(scripted)
        assert violations == [], violations.describe()
        return list(violations)
    finally:
        context.close()
