"""Issue #14 points 3 and 6 in Chromium: the citizen applies on a phone (320 px) — e-mail code, steps,
確認, 完了 — then looks the application up and withdraws it; every page axe-core clean, no sideways scroll."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 700}


@pytest.fixture
def eform(transactional_db):
    from madoguchi.eforms import services as eforms
    from madoguchi.eforms.models import Form

    form = Form.objects.create(slug="test-form", title="テスト届", department="市民課", published=True)
    eforms.save_version(form, {"fields": [
        {"name": "name", "label": "氏名", "kind": "text", "required": True, "step": "申請者"},
        {"name": "birth", "label": "生年月日", "kind": "date", "required": True},
        {"name": "reason", "label": "理由", "kind": "textarea", "required": False, "step": "内容"},
    ]}, None)
    return form


def _check(page, axe, what: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], what
    violations = axe(page)
    assert violations == [], f"axe violations on {what}:\n{violations.describe()}"


def test_apply_and_withdraw_on_a_phone(eform, live_server, page_factory, axe):
    from madoguchi.applications.models import Application

    page = page_factory(NARROW)
    page.goto(f"{live_server.url}/procedures/apply/test-form/")
    _check(page, axe, "start")
    page.get_by_label("メールアドレス").fill("taro@example.jp")
    page.get_by_role("button", name="確認コードを送る").click()
    page.get_by_role("heading", name="確認コードの入力").wait_for()
    _check(page, axe, "verify")
    code = re.search(r"確認コード: (\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("確認コード（6桁の数字）").fill(code)
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("氏名").wait_for()
    page.get_by_role("button", name="次へ").click()  # empty: errors, named
    page.get_by_role("alert").first.wait_for()
    assert "氏名" in page.get_by_role("alert").first.inner_text()
    _check(page, axe, "step 1 with errors")
    page.get_by_label("氏名").fill("川崎 太郎")
    page.get_by_label("生年月日").fill("1990-04-01")
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("理由").wait_for()
    _check(page, axe, "step 2")
    page.get_by_label("理由").fill("転居のため")
    page.get_by_role("button", name="次へ").click()
    page.get_by_role("heading", name="入力内容の確認").wait_for()
    assert "平成2年4月1日" in page.content()
    _check(page, axe, "confirm")
    page.get_by_role("button", name="この内容で申請する").click()
    page.get_by_role("heading", name="申請を受け付けました").wait_for()
    _check(page, axe, "done")
    app = Application.objects.get()
    secret = page.locator(".secret").inner_text()
    assert page.locator(".reference").inner_text() == app.reference

    page.goto(f"{live_server.url}/procedures/status/")
    _check(page, axe, "status lookup")
    page.get_by_label("受付番号").fill(app.reference)
    page.get_by_label("確認コード").fill(secret)
    page.get_by_role("button", name="確認する").click()
    page.get_by_role("heading", name="申請の状況").wait_for()
    _check(page, axe, "status")
    page.get_by_role("button", name="この申請を取り下げる").click()
    page.get_by_role("heading", name="申請の取下げの確認").wait_for()
    _check(page, axe, "withdraw confirmation")
    app.refresh_from_db()
    assert app.status == "received"
    page.get_by_role("button", name="取り下げる").click()
    page.get_by_role("heading", name="申請の状況").wait_for()
    app.refresh_from_db()
    assert app.status == "withdrawn"
