"""Notices in Chromium (issue #17): subscribing by mail on a 320 px phone, the confirmation link, and the
unsubscribe page; axe-core finds no WCAG 2.0/2.1 A/AA violation on them."""

from __future__ import annotations

import re

import pytest

PHONE = {"width": 320, "height": 640}
pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def notice_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.NOTICES_SITE_URL = "https://www.example.jp"
    settings.NOTICES_FROM_EMAIL = "notices@example.jp"
    settings.NOTICES_UNSUBSCRIBE_MAILTO = "unsubscribe@example.jp"
    settings.NOTICES_BATCH_SIZE = 500
    settings.NOTICES_DB_FLUSH_EVERY = 50
    settings.NOTICES_VERIFY_MAX_AGE_S = 48 * 3600
    settings.NOTICES_LINE_DEFAULT_TOPIC = "bousai"
    settings.NOTICES_VAPID_PUBLIC_KEY = "BPlaceholderPublicKeyForTheButtonOnly"


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_subscribe_by_mail_on_a_phone_then_verify_and_unsubscribe(transactional_db, live_server, page_factory,
                                                                   axe, mailoutbox):
    from madoguchi.notices.models import Area, Subscription, Topic

    # transactional tests empty the tables: the seeds of the data migration are made again here
    for i, (slug, name) in enumerate([("bousai", "防災"), ("event", "イベント")]):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "order": i})
    for name in ["川崎区", "幸区"]:
        Area.objects.get_or_create(name=name)
    page = page_factory(PHONE)
    page.goto(live_server.url + "/notices/")
    violations = axe(page)
    assert violations == [], violations.describe()
    _fits(page)
    page.get_by_label("防災").check()
    page.get_by_label("幸区").check()
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_role("button", name="確認メールを送る").click()
    assert page.get_by_role("heading", name="確認メールを送りました").is_visible()
    violations = axe(page)
    assert violations == [], violations.describe()
    sub = Subscription.objects.get()
    assert sub.verified is False and [a.name for a in sub.areas.all()] == ["幸区"]
    path = re.search(r"https://www\.example\.jp(/notices/v/\S+/)", mailoutbox[0].body).group(1)
    page.goto(live_server.url + path)
    assert page.get_by_role("heading", name="登録が完了しました").is_visible()
    sub.refresh_from_db()
    assert sub.verified is True
    from madoguchi.notices import services

    page.goto(live_server.url + services.unsubscribe_url(sub).removeprefix("https://www.example.jp"))
    violations = axe(page)
    assert violations == [], violations.describe()
    page.get_by_role("button", name="配信を停止する").click()
    assert page.get_by_role("heading", name="配信を停止しました").is_visible()
    assert not Subscription.objects.exists()
