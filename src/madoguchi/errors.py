"""The error the citizen-service apps raise to their API, and its JSON body.

Every 4xx of ``/api/v1/`` has the body ``{"ok": false, "error": {code, param,
message}}`` (``madoguchi.schemas.ErrorOut``); ``error_body`` builds it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

#: The one list of error codes of ``/api/v1/``: code → (HTTP status, meaning). Every error body's
#: ``error.code`` is one of these; the OpenAPI document lists them (``schemas.ErrorDetail``).
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid_parameter": (400, "a parameter or body field is wrong; ``param`` names it"),
    "unauthorized": (401, "a token is missing or unknown"),
    "login_required": (401, "the citizen must log in"),
    "forbidden": (403, "not allowed for this user"),
    "not_found": (404, "no such thing (or not visible to this user)"),
    "already_booked": (409, "the slot was taken"),
    "conflict": (409, "the thing is not in a state that allows this"),
    "too_large": (413, "request body over ``MADOGUCHI_MAX_UPLOAD_BYTES``"),
    "rate_limited": (429, "too many requests; ``Retry-After`` says when to try again"),
    "source_unavailable": (503, "the open data the service reads is not published"),
    "error": (500, "anything else"),
}


#: A message for people per generic code, in Japanese (the msgids of ``locale/``): what ``/api/v1/`` answers
#: in English (``Accept-Language: en``) for an error whose specific message exists only in Japanese.
ERROR_MESSAGES: dict[str, str] = {
    "invalid_parameter": gettext_noop("パラメータが正しくありません"),
    "unauthorized": gettext_noop("トークンがないか、正しくありません"),
    "login_required": gettext_noop("ログインしてください"),
    "forbidden": gettext_noop("この操作は許可されていません"),
    "not_found": gettext_noop("見つかりません"),
    "already_booked": gettext_noop("この枠はすでに予約されています"),
    "conflict": gettext_noop("いまの状態ではこの操作はできません"),
    "too_large": gettext_noop("送信されたデータが大きすぎます"),
    "rate_limited": gettext_noop("リクエストが多すぎます。しばらく待ってからもう一度お試しください"),
    "source_unavailable": gettext_noop("このサービスが読むオープンデータが公開されていません"),
    "error": gettext_noop("エラーが発生しました"),
}


def status_of(code: str, default: int = 400) -> int:
    """HTTP status of an error code (``ERROR_CODES``); ``default`` for a service's own code."""
    return ERROR_CODES[code][0] if code in ERROR_CODES else default


def code_of(status: int) -> str:
    """The generic error code of an HTTP status (for errors raised as a bare status)."""
    for code, (code_status, _) in ERROR_CODES.items():
        if code_status == status:
            return code
    return "error"


#: CKAN's ``error.__type`` for the statuses answered outside the CKAN action view (limits, CSRF)
CKAN_ERROR_TYPES = {403: "Authorization Error", 413: "Request Entity Too Large", 429: "Too Many Requests"}


def error_response(request, code: str, message: str, *, html: str | None = None):
    """An error answered before (or instead of) a view — upload limit, rate limit, CSRF failure — in the
    shape the path's clients read: CKAN's envelope (``success: false``, ``error.__type``) under
    ``/api/…/action/``, the ``/api/v1/`` body (``error_body``) elsewhere under ``/api/``, else ``html``
    (a rendered page) or a minimal Japanese page with a link home. Status: ``ERROR_CODES[code]``.
    """
    import json

    from django.http import HttpResponse
    from django.utils.html import escape

    status = status_of(code)
    if request.path.startswith("/api/"):
        if "/action/" in request.path:
            body = {"success": False, "error": {"__type": CKAN_ERROR_TYPES.get(status, "Error"), "message": message}}
        else:
            body = error_body(code, message)
        return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    if html is None:
        html = (f'<!DOCTYPE html><html lang="ja"><meta charset="utf-8"><title>{status}</title>'
                f'<h1>{escape(message)}</h1><p><a href="/">トップページへ</a></p>')
    return HttpResponse(html, status=status)


def error_body(code: str, message: str, param: str | None = None) -> dict:
    """The API error body (``madoguchi.schemas.ErrorOut``)."""
    return {"ok": False, "error": {"code": code, "param": param, "message": message}}


class ServiceError(Exception):
    """A service request cannot be carried out; nothing was written.

    :param code: stable machine code (``invalid_parameter``, ``not_found`` …)
    :param message: for people, Japanese first
    :param param: the request parameter or field at fault, if any
    :param status: HTTP status; by default ``STATUS[code]`` of the subclass, else 400
    """

    STATUS: dict[str, int] = {}

    def __init__(self, code: str, message: str, param: str | None = None, *, status: int | None = None):
        self.code, self.message, self.param = code, message, param
        self.status = status if status is not None else self.STATUS.get(code, status_of(code))
        super().__init__(f"{param}: {message}" if param else message)

    @property
    def http_status(self) -> int:
        return self.status

    def as_body(self, code: str | None = None) -> dict:
        """The API error body; ``code`` replaces the service's own code when the API names it differently."""
        return error_body(code or self.code, self.message, self.param)
