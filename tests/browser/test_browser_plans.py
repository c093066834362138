"""The policy page of a plan in Chromium at phone width (issue #5): a screenshot that shows the
trend chart and the table of numbers, no sideways scrolling, and no axe-core violations."""

from __future__ import annotations

import struct

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

POLICY = "/plans/kawasaki-comprehensive-plan/policies/4-2-5/"
PAGES = ["/plans/", "/plans/kawasaki-ict-program-2016/", POLICY, f"{POLICY}evaluations/2019/",
         "/plans/sagamihara-information-management-plan-2010-previous/"]


@pytest.fixture
def plans(transactional_db):
    from madoguchi.plans import services

    services.load_bundled(actor="browser test")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_policy_page_on_a_phone__screenshot_shows_chart_and_table(plans, live_server, page_factory, tmp_path, axe):
    page = page_factory(PHONE)
    response = page.goto(live_server.url + POLICY)
    assert response.status == 200
    chart = page.locator("svg.trend").first
    table = page.get_by_role("table", name="指標1の目標値と実績値（単位: 件）")
    assert chart.is_visible() and table.is_visible()
    box = chart.bounding_box()
    assert box["width"] >= 300 and box["x"] + box["width"] <= PHONE["width"], box
    # the chart is an image with a name; its numbers are in the table
    assert chart.get_attribute("role") == "img"
    assert page.get_by_role("img", name="提供しているオープンデータのデータセット数の推移（単位: 件）").count() == 1
    assert table.locator("tbody tr").nth(3).locator("td").nth(1).inner_text() == "226"  # FY2019
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    path = tmp_path / "policy-4-2-5-phone.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    width, height = png_size(data)
    assert width == PHONE["width"] and height > 2000, (width, height)
    assert len(data) > 100_000, f"{len(data)} bytes: the screenshot looks empty"
    chart_shot = chart.screenshot(path=str(tmp_path / "chart-1.png"))
    assert png_size(chart_shot)[0] >= 300 and len(chart_shot) > 5_000
    violations = axe(page)
    assert not violations, violations.describe()


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
@pytest.mark.parametrize("path", PAGES)
def test_plans_pages_have_no_axe_violations(plans, live_server, page_factory, axe, path, viewport):
    page = page_factory(viewport)
    assert page.goto(live_server.url + path).status == 200
    violations = axe(page)
    assert not violations, f"{path}:\n{violations.describe()}"
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_staff_evaluation_form_by_keyboard(plans, live_server, page_factory, login, axe):
    page = page_factory(DESKTOP)
    login(page)
    page.goto(live_server.url + "/plans/staff/kawasaki-comprehensive-plan/policies/4-2-5/evaluations/2019/")
    assert "指標からの判定: B" in page.locator(".suggestion").inner_text()
    violations = axe(page)
    assert not violations, violations.describe()
    grade = page.locator("#id_progress_grade")
    assert page.locator("label[for=id_progress_grade]").inner_text().startswith("進捗状況")
    grade.select_option("C")
    page.get_by_role("button", name="評価を保存").press("Enter")
    error = page.locator("#id_override_reason_error")
    assert error.inner_text() == "エラー: 指標からの判定は B です。C とする理由を入力してください"
    assert page.locator("#id_override_reason").get_attribute("aria-invalid") == "true"
