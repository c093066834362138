"""Citizen reports in Chromium (issue #16 part 6–9): a resident reports a problem with a photo on a
375 px phone (map pin), follows its status page while staff publish it, review the photo and set
対応中 with a note; the same without JavaScript by address. axe-core finds no WCAG 2.0/2.1 A/AA violation."""

from __future__ import annotations

import io

import pytest
from PIL import Image

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def city(settings, transactional_db):
    from madoguchi.reports import services

    settings.REPORTS_CITY_BBOX = (35.47, 139.46, 35.64, 139.80)
    settings.REPORTS_OPEN311_JURISDICTION_ID = ""
    settings.SHELTER_TILE_URL = ""  # no map tiles from the network in tests
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.seed_services()


def _photo() -> dict:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 31.0, 50.0), 3: "E", 4: (139.0, 42.0, 10.0)}
    Image.new("RGB", (800, 600), (30, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return {"name": "ana.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _clean(page, axe) -> None:
    _fits(page)
    violations = axe(page)
    assert violations == [], f"{page.url}\n" + violations.describe()


def test_report_with_photo_on_a_phone_and_follow_its_status(live_server, page_factory, axe, login):
    from django.core import mail

    from madoguchi.reports.models import ServiceRequest

    page = page_factory(PHONE)
    page.goto(live_server.url + "/reports/")
    _clean(page, axe)
    page.get_by_role("link", name="問題を通報する").click()
    page.get_by_label("分類").select_option("road")
    page.locator("#report-map").click()  # the pin
    assert page.locator("#id_lat").input_value() != ""
    assert "地図で場所を選びました" in page.locator("#report-pos").inner_text()
    page.get_by_label("内容").fill("歩道に深い穴があります。<b>夜は危険</b>です。")
    page.get_by_label("写真（3 枚まで・各 10 MB まで）").set_input_files(_photo())
    page.get_by_label("メールアドレス（任意）").fill("taro@example.jp")
    _clean(page, axe)
    page.get_by_role("button", name="通報を送る").click()
    page.wait_for_url("**/reports/track/**")
    track_url = page.url
    assert page.get_by_role("heading", name="通報の状況", exact=False).is_visible()
    assert "<b>夜は危険</b>" in page.locator(".report dd.pre").inner_text()  # shown as text, not markup
    _clean(page, axe)
    report = ServiceRequest.objects.get()
    assert report.photos.count() == 1 and report.lat is not None

    staff = page_factory(DESKTOP)
    login(staff)
    staff.goto(f"{live_server.url}/reports/staff/")
    _clean(staff, axe)
    staff.get_by_role("link", name=str(report.pk), exact=True).click()
    _clean(staff, axe)
    staff.get_by_label("この通報を公開する").check()
    staff.locator("input[name=photo]").check()
    staff.get_by_role("button", name="公開内容を保存する").click()
    staff.get_by_label("状態").select_option("in_progress")
    staff.get_by_label("お知らせ（公開）").fill("現地を確認し、補修を手配しました。")
    staff.get_by_role("button", name="状態を更新する").click()
    assert staff.get_by_text("状態を更新しました").is_visible()
    assert [m.to for m in mail.outbox] == [["taro@example.jp"]]

    page.goto(track_url)
    assert "対応中" in page.locator(".report").inner_text()
    assert "補修を手配しました" in page.locator(".changes").inner_text()
    img = page.get_by_role("img", name=f"通報 {report.pk} の写真 1")
    assert img.evaluate("el => el.complete && el.naturalWidth") == 800
    _clean(page, axe)
    desk = page_factory(DESKTOP)
    desk.goto(f"{live_server.url}/reports/{report.pk}/")
    assert "taro@example.jp" not in desk.content()
    _clean(desk, axe)


def test_report_by_address_without_javascript(live_server, browser):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/reports/new/")
        assert page.locator("#report-map").is_hidden()
        page.get_by_label("分類").select_option("litter")
        page.get_by_label("郵便番号").fill("210-0006")
        page.get_by_label("住所・目印").fill("砂子1丁目の公園入口")
        page.get_by_label("内容").fill("ごみが散乱しています")
        page.get_by_role("button", name="通報を送る").click()
        assert "通報の状況" in page.locator("h1").inner_text()
        assert "神奈川県川崎市川崎区砂子" in page.locator(".report").inner_text()
        page.goto(live_server.url + "/reports/new/")
        page.get_by_label("分類").select_option("litter")
        page.get_by_label("内容").fill("場所なし")
        page.get_by_role("button", name="通報を送る").click()
        assert "場所を地図・住所・郵便番号のいずれかで指定してください" in page.get_by_role("alert").first.inner_text()
        _fits(page)  # axe-core needs JavaScript: the error page is checked in the next test
    finally:
        context.close()


def test_form_errors_are_accessible(live_server, page_factory, axe):
    page = page_factory(PHONE)
    page.goto(live_server.url + "/reports/new/")
    page.get_by_label("分類").select_option("road")
    page.get_by_label("内容").fill("穴")
    page.get_by_label("写真（3 枚まで・各 10 MB まで）").set_input_files(
        {"name": "memo.jpg", "mimeType": "image/jpeg", "buffer": b"not an image at all"})
    page.get_by_label("住所・目印").fill("砂子1丁目")
    page.get_by_role("button", name="通報を送る").click()
    assert "画像として読めません" in page.get_by_role("alert").first.inner_text()
    _clean(page, axe)
