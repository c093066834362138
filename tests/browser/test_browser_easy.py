"""Plain-Japanese pages (/easy/) in Chromium: axe-core finds no WCAG 2.0/2.1 A or AA violation at 320 px and
1280 px, nothing is wider than a 320 px phone (ruby included), the garbage search works with the keyboard only,
and staff edit a page's text with a ruby preview."""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 700}
PAGES = ["/easy/garbage/", "/easy/garbage/?city=kawasaki&q=乾電池&area=川崎区 浅田",
         "/easy/garbage/?city=hachioji&q=ドローン", "/easy/shelters/", "/easy/shelters/?postal_code=2100005",
         "/easy/shelters/?postal_code=12", "/easy/emergency/"]


@pytest.fixture
def services_config(bundle):
    from madoguchi.gomi import services as gomi
    from madoguchi.shelters import services as shelters

    gomi.install_default_sources()
    shelters.install_default_sources()


def _page(page_factory, live_server, viewport):
    page = page_factory(viewport)
    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + r")"), lambda route: route.abort())
    return page


def _fits(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: page is {scroll}px wide on a {width}px screen"


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320", "1280"])
def test_easy_pages_have_no_axe_violations_and_fit(viewport, services_config, live_server, page_factory, axe):
    page = _page(page_factory, live_server, viewport)
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status in (200, 400), path
        assert page.locator("main ruby").count() > 0, path
        violations = axe(page)
        assert violations == [], f"axe violations on {path} ({viewport['width']}px):\n{violations.describe()}"
        _fits(page, viewport["width"])


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320", "1280"])
def test_easy_emergency_on_has_no_axe_violations(viewport, bundle, live_server, page_factory, axe):
    from madoguchi.emergency import services as emergency

    emergency.set_mode(True, reason="訓練", title="大雨の警戒", message="川の近くから離れてください。\n高い所へ逃げてください。")
    page = _page(page_factory, live_server, viewport)
    page.goto(f"{live_server.url}/easy/emergency/")
    assert "大雨" in page.locator("[role=alert]").first.inner_text()
    violations = axe(page)
    assert violations == [], f"axe violations on /easy/emergency/ in emergency mode:\n{violations.describe()}"
    _fits(page, viewport["width"])


def test_easy_garbage__keyboard_only(services_config, live_server, page_factory):
    page = _page(page_factory, live_server, NARROW)
    page.goto(f"{live_server.url}/easy/garbage/?city=kawasaki")
    for _ in range(40):  # Tab from the top of the page to the item field
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "easy-q":
            break
    else:
        pytest.fail("the item field cannot be reached with Tab")
    page.keyboard.type("乾電池")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "easy-area"  # the 町 comes before the button
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=%E4%B9%BE"))
    first = page.locator("#easy-answer .easy-results > li").first
    assert first.locator("h3 ruby").first.inner_html() == "乾<rt>かん</rt>"


def test_easy_staff__edit_text_with_preview(services_config, live_server, page_factory, axe, login):
    page = _page(page_factory, live_server, NARROW)
    login(page)
    page.goto(f"{live_server.url}/easy/staff/")
    violations = axe(page)
    assert violations == [], f"axe violations on /easy/staff/:\n{violations.describe()}"
    _fits(page, 320)
    page.locator("#ov-surface").fill("中原区")
    page.locator("#ov-reading").fill("なかはらく")
    with page.expect_navigation():
        page.get_by_role("button", name="追加・変更する").click()
    assert "「中原区」を「なかはらく」と読みます。" in page.locator("[role=status]").inner_text()

    page.goto(f"{live_server.url}/easy/staff/pages/shelters/")
    assert page.locator(".easy-preview ruby").count() > 0  # the current text, previewed
    page.locator("#easy-body").fill("中原区の 避難所です。")
    with page.expect_navigation():
        page.get_by_role("button", name="ふりがなを確認する").click()
    preview = page.locator(".easy-preview")
    assert preview.locator("ruby").first.inner_html() == "中原区<rt>なかはらく</rt>"
    violations = axe(page)
    assert violations == [], f"axe violations on the edit page:\n{violations.describe()}"
    _fits(page, 320)
    with page.expect_navigation():
        page.get_by_role("button", name="保存する").click()
    assert "保存しました" in page.locator("[role=status]").inner_text()
    page.goto(f"{live_server.url}/easy/shelters/")
    assert "中原区<rt>なかはらく</rt>" in page.locator("main").inner_html()
