"""The form builder's preview in Chromium: axe-clean at 320 px, show_if and the postal-code lookup."""

from __future__ import annotations

import re

import pytest

from .conftest import poll_until as _wait

pytestmark = pytest.mark.browser


def test_preview_shows_conditional_field_and_fills_address(live_server, page_factory, login, axe):
    from madoguchi.eforms import services

    services.install_demo_form()
    page = page_factory(viewport={"width": 320, "height": 800})
    login(page)
    page.goto(f"{live_server.url}/staff/forms/water-start/preview/")
    assert page.locator("h1").inner_text() == "水道の使用開始届: プレビュー"
    business = page.get_by_label(re.compile("^事業所名"))
    assert not business.is_visible()  # shown only for 事業用
    page.get_by_label("事業用").check()
    assert _wait(business.is_visible)
    page.get_by_label("家庭用").check()
    assert _wait(lambda: not business.is_visible())
    page.get_by_label(re.compile("^郵便番号")).fill("2100005")
    page.get_by_label(re.compile("^郵便番号")).dispatch_event("change")
    address = page.get_by_label(re.compile("^使用場所の住所"))
    assert _wait(lambda: address.input_value() == "神奈川県川崎市川崎区東田町"), address.input_value()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the preview scrolls sideways at 320 px ({width} px)"
    violations = axe(page)
    assert violations == [], f"axe violations on the preview:\n{violations.describe()}"
    page.goto(f"{live_server.url}/staff/forms/water-start/fields/")
    violations = axe(page)
    assert violations == [], f"axe violations on the builder:\n{violations.describe()}"
