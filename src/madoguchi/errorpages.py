"""The site's error pages that need a view (issue #18): the CSRF failure page.

The 400/403/404/500 pages need no view: Django's default handlers render the
templates ``400.html``, ``403.html``, ``404.html`` and ``500.html`` (in
``src/madoguchi/templates``). ``csrf_failure`` is ``settings.CSRF_FAILURE_VIEW``.
"""

from __future__ import annotations


from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import error_response

#: what a citizen reads when a form's CSRF token was refused (shown on the page and in the API body)
CSRF_MESSAGE = "ページの有効期限が切れました。前のページに戻り、再読み込みしてからもう一度送信してください"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """HTTP 403 when ``CsrfViewMiddleware`` refuses a request (expired form, missing cookie).

    :param reason: Django's reason (English, for developers); never shown, Django logs it
        (``django.security.csrf``).
    :returns: the page ``403_csrf.html`` in the site's layout; under ``/api/`` a JSON body
        instead: CKAN's envelope (``success: false``, ``error.__type``) for ``/api/…/action/…``,
        else ``/api/v1/``'s (``ok: false``, ``error.code == "forbidden"``).
    """
    html = None if request.path.startswith("/api/") else render_to_string(
        "403_csrf.html", {"message": CSRF_MESSAGE}, request=request)
    return error_response(request, "forbidden", CSRF_MESSAGE, html=html)


def back_link(request: HttpRequest) -> dict:
    """Context processor: ``back_url``, the ``Referer`` when it is a page of this site (http or https on
    this host), else ``""`` — a Referer is whatever the client sent, so another site's address or a
    ``javascript:`` URL never becomes a link on the error pages."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure())
    return {"back_url": referer if safe and referer.startswith(("http://", "https://")) else ""}
