"""The inquiry assistant in Chromium (issue #15): asking on a 375 px phone without scripts needed, the
answer with its department, "I do not know" with the hand-off form that sends the question to staff,
and the staff analytics page; axe-core finds no WCAG 2.0/2.1 A/AA violation on any of them."""

from __future__ import annotations

import pytest

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser

QA_CSV = ("質問,回答,分類\n"
          "住民票の写しはどこで取れますか。,区役所の市民課やコンビニで取れます。【お問い合わせ】市民課,届出・証明\n"
          "保育所に入るにはどうすればいいですか。,入所申込書を区役所の保育課に出してください。【お問い合わせ】保育課,子育て\n"
          "犬を飼い始めたときの登録は?,保健所で登録してください。【お問い合わせ】生活衛生課,くらし\n"
          "児童手当はいつ支給されますか。,偶数月に前月分までを支給します。【お問い合わせ】こども家庭課,子育て\n").encode()


@pytest.fixture(autouse=True)
def small_faq_threshold(settings):
    settings.FAQ_ANSWER_THRESHOLD = 0.12  # four entries: see tests/test_faq_app.py


@pytest.fixture
def faq(transactional_db):
    from madoguchi.faq import services

    services.import_entries(QA_CSV, "faq.csv", state="published")
    return services


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_ask_on_a_phone_and_get_the_answer_with_its_department(faq, live_server, page_factory, axe):
    page = page_factory(PHONE)
    page.goto(live_server.url + "/faq/")
    page.get_by_role("textbox", name="質問").fill("保育園に入りたいときの手続き")
    page.get_by_role("button", name="質問する").click()
    answer = page.locator(".bubble.city")
    assert "保育課" in answer.inner_text() and "入所申込書" in answer.inner_text()
    _fits(page)
    violations = axe(page)
    assert violations == [], violations.describe()


def test_unknown_question_offers_the_handoff_and_sends_it(faq, live_server, page_factory, axe):
    from madoguchi.faq.models import Inquiry

    page = page_factory(PHONE)
    page.goto(live_server.url + "/faq/?q=" + "宇宙ステーションの見学ツアー")
    assert page.get_by_role("heading", name="担当課に質問を送る").is_visible()
    violations = axe(page)
    assert violations == [], violations.describe()
    consent = page.get_by_label("質問とメールアドレス", exact=False)
    assert consent.evaluate("el => el.required")  # the browser asks for consent before sending
    consent.check()
    page.get_by_label("回答の送り先メールアドレス").fill("citizen@example.jp")
    page.get_by_role("button", name="送る", exact=True).click()
    assert "受け付けました" in page.locator("h1").inner_text()
    assert Inquiry.objects.get().email == "citizen@example.jp"


def test_staff_analytics_page(faq, live_server, page_factory, axe, login):
    faq.ask("宇宙ステーションの見学をしたい")
    faq.ask("住民票の写しはどこで取れますか")
    page = page_factory(DESKTOP)
    login(page)
    page.goto(live_server.url + "/faq/staff/analytics/")
    assert "宇宙ステーション" in page.locator("ol.groups").inner_text()
    violations = axe(page)
    assert violations == [], violations.describe()
