"""Japanese 400/403/404/500 and CSRF failure pages in the site's layout; the API keeps its JSON errors (issue #18)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from madoguchi import errorpages

NAV = 'aria-label="メインメニュー"'
CSRF_TEXT = "ページの有効期限が切れました。前のページに戻り、再読み込みしてからもう一度送信してください"


@pytest.fixture(autouse=True)
def production_mode(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def assert_site_page(html: str) -> None:
    """The page is in the site's layout: Japanese, skip link, navigation, links home and to the search."""
    assert '<html lang="ja">' in html
    assert NAV in html and 'href="/garbage/"' in html
    assert 'class="skip" href="#main"' in html
    assert 'href="/"' in html and 'href="/datasets/"' in html
    for developer_text in ("DEBUG", "Traceback", "Django", "CSRF"):
        assert developer_text not in html


def test_unknown_page__japanese_404_in_the_site_layout(client, db):
    response = client.get("/no-such-page/here/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>ページが見つかりません" in html
    assert "<title>ページが見つかりません | 窓口" in html
    assert "Not Found</h1>" not in html  # not Django's bare page
    assert "前のページに戻る" not in html  # no Referer: no back link, only the hint about the browser's button


def test_404__back_link_to_the_referring_page(client, db):
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/garbage/?q=%E7%BC%B6")
    assert response.status_code == 404
    assert '<a href="http://testserver/garbage/?q=%E7%BC%B6">前のページに戻る</a>' in response.content.decode()


@pytest.mark.parametrize(("exception", "status", "heading"), [
    (RuntimeError("boom: secret detail"), 500, "エラーが発生しました"),
    (PermissionDenied("secret detail"), 403, "このページは表示できません"),
    (SuspiciousOperation("secret detail"), 400, "リクエストを処理できませんでした"),
])
def test_view_raising__japanese_error_page(exception, status, heading, monkeypatch, db):
    def fail(*args, **kwargs):
        raise exception

    monkeypatch.setattr("madoguchi.catalog.services.search_datasets", fail)  # the home view's first call
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == status
    html = response.content.decode()
    assert_site_page(html)
    assert f"<h1>{heading}" in html
    assert "secret detail" not in html and "boom" not in html


def test_500_template__renders_without_request_user_or_database():
    """Django renders 500.html with an empty context; no ``db`` mark here, so a query would fail the test."""
    html = get_template("500.html").render()
    assert_site_page(html)
    assert "<h1>エラーが発生しました" in html
    assert "職員ページ" not in html  # no user: no staff link
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>エラーが発生しました" in response.content.decode()


def test_csrf_failure__japanese_403_without_developer_text(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/reservations/register/", {"email": "a@example.jp"},
                           HTTP_REFERER="http://testserver/reservations/register/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert CSRF_TEXT in html
    assert "<h1>ページの有効期限が切れました" in html
    assert '<a href="http://testserver/reservations/register/">前のページに戻る</a>' in html


def test_csrf_failure__form_with_its_token_still_works(db):
    """The failure view is only for failures: a form posted with its token is not refused."""
    client = Client(enforce_csrf_checks=True)
    client.get("/reservations/register/")
    token = client.cookies["csrftoken"].value
    response = client.post("/reservations/register/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form again, with its field errors
    assert CSRF_TEXT not in response.content.decode()


def test_api_v1_unknown_path__still_the_json_error_body(client, db):
    response = client.get("/api/v1/xyz")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"ok": False, "error": {"code": "not_found", "param": None,
                                                      "message": "この URL の API はありません"}}


def test_ckan_unknown_action__still_ckan_json(client, db):
    response = client.get("/api/3/action/no_such_action")
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and body["error"]["__type"]


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/reservations/bookings", {"ok": False, "error": {"code": "forbidden", "param": None,
                                                             "message": CSRF_TEXT}}),
    ("/api/3/action/package_create", {"success": False, "error": {"__type": "Authorization Error",
                                                                  "message": CSRF_TEXT}}),
])
def test_csrf_failure_under_api__json_body(path, expected):
    response = errorpages.csrf_failure(RequestFactory().post(path), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == expected


@pytest.mark.parametrize("referer", ["javascript:alert(1)", "http://evil.example/", "//evil.example/x",
                                     "data:text/html,<b>x</b>"])
def test_404__a_referer_of_another_site_never_becomes_a_link(client, referer):
    html = client.get("/no-such-page/", HTTP_REFERER=referer).content.decode()
    assert "前のページに戻る" not in html and "evil.example" not in html and "javascript:" not in html
