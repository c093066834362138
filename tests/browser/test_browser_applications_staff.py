"""Issue #14 point 5 in Chromium: the staff queue, one application, the 却下 confirmation (no JS needed) and
the audit log are axe-core clean at 320 px and 1280 px and do not scroll sideways."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 700}
VIEWPORTS = [pytest.param(NARROW, id="320px"), pytest.param(DESKTOP, id="desktop")]


@pytest.fixture
def application(staff_user):
    from madoguchi.applications.models import AccessLog, Application, DepartmentMember
    from madoguchi.eforms.models import Form, FormVersion

    DepartmentMember.objects.create(user=staff_user, department="市民課")
    form = Form.objects.create(slug="jumin", title="住民票の写しの交付申請", department="市民課", published=True)
    version = FormVersion.objects.create(form=form, number=1, definition={"fields": [
        {"name": "name", "label": "氏名", "kind": "text", "required": True},
        {"name": "born", "label": "生年月日", "kind": "date", "required": True}]})
    app = Application.objects.create(
        reference="2026-ACDE-3467", secret_hash="x", form=form, version=version, client_token="t1",
        email="taro@example.jp", data={"name": "山田 太郎", "born": "1990-04-01"}, department="市民課",
        submitted_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        retain_until=dt.date(2031, 11, 2))
    AccessLog.objects.create(application=app, reference=app.reference, user=staff_user, action="view")
    return app


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_application_pages_are_axe_clean(viewport, application, live_server, page_factory, login, axe):
    page = page_factory(viewport)
    login(page)
    ref = application.reference
    for path in ("/staff/applications/", f"/staff/applications/{ref}/", "/staff/applications/audit/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        violations = axe(page)
        assert violations == [], f"axe violations on {path} ({viewport['width']}px):\n{violations.describe()}"
    # 却下 asks first, on a page (works without JavaScript), then changes the status
    page.goto(f"{live_server.url}/staff/applications/{ref}/")
    assert "山田 太郎" in page.content() and "平成2年" in page.content()
    page.select_option("#status", "rejected")
    page.fill("#reason", "対象外の申請のため")
    page.get_by_role("button", name="状態を変更").click()
    page.get_by_role("heading", name="「却下」にしますか").wait_for()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("button", name="変更する").click()
    page.wait_for_url(f"{live_server.url}/staff/applications/{ref}/")
    application.refresh_from_db()
    assert application.status == "rejected"
