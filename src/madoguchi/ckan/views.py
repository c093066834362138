"""The CKAN Action API endpoint: ``/api/3/action/<name>`` and ``/api/action/<name>``.

GET takes parameters from the query string, POST from a JSON body or a
multipart form (file uploads, as ckanapi sends them). Every answer is CKAN's
envelope ``{"help", "success", "result"}``; errors are ``success: false`` with
``error.__type``, ``error.message`` and CKAN's status code. Write actions need
``Authorization: <API token>`` (or ``X-CKAN-API-Key``) of a staff user; a browser
session never authorizes a POST (403), it only lets staff read private datasets with GET.

Who may call: anyone for read actions (private and deleted datasets hidden by
``catalog.visibility``); staff API tokens for write actions.
"""

from __future__ import annotations

import json
import logging

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import actions_catalog, actions_datastore, actions_write  # noqa: F401  (register actions)
from .context import Context
from .errors import BadRequest, CkanError, NotAuthorized
from .models import ApiToken, hash_token
from .registry import ACTIONS

log = logging.getLogger("madoguchi.ckan")


def _user(request: HttpRequest):
    token = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key")
    if token:
        token = token.removeprefix("Bearer ").strip()
        found = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if found is None or not found.user.is_active:
            raise NotAuthorized("API トークンが正しくありません (invalid API token)")
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        return found.user
    # A browser session identifies the reader of GET requests only (staff see their private datasets,
    # as in CKAN's web UI); a POST is authenticated by its token alone, so no other site can make a
    # logged-in browser write (the endpoint is CSRF-exempt because CKAN clients send no CSRF token).
    if request.method == "GET" and request.user.is_authenticated:
        return request.user
    return AnonymousUser()


def _strip_nul(value):
    """NUL never occurs in catalog data and PostgreSQL refuses it in queries: drop it from parameters."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


def _params(request: HttpRequest) -> dict:
    return _strip_nul(_raw_params(request))


def _raw_params(request: HttpRequest) -> dict:
    if request.method == "GET":
        return {k: (v[0] if len(v) == 1 else v) for k, v in request.GET.lists()}
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type == "application/x-www-form-urlencoded":
        data = {k: (v[0] if len(v) == 1 else v) for k, v in request.POST.lists()}
        data.update({k: f for k, f in request.FILES.items()})
        return data
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"JSON Error: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("JSON Error: the body must be a JSON object")
    return data


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    """Dispatch one CKAN action (see module docstring)."""
    help_url = request.build_absolute_uri(reverse("ckan:action", args=["help_show"])) + f"?name={name}"
    try:
        if request.method not in ("GET", "POST"):
            raise BadRequest("GET か POST で呼び出してください")
        found = ACTIONS.get(name)
        if found is None:
            raise BadRequest(f"Action name not known: {name}")
        user = _user(request)
        if found.write:
            if request.method != "POST":
                raise BadRequest(f"{name} は POST で呼び出してください")
            if not getattr(user, "is_staff", False):
                raise NotAuthorized(f"{name} には職員の API トークンが必要です: Authorization ヘッダーで送ってください"
                                    f" (an API token of a staff user is required in the Authorization header)")
        result = found.func(Context(request=request, user=user), _params(request))
    except CkanError as exc:
        return JsonResponse({"help": help_url, "success": False, "error": exc.as_dict()}, status=exc.status,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"help": help_url, "success": True, "result": result}, safe=False,
                        status=getattr(result, "status_code", 200),  # 202: actions_write.Accepted
                        json_dumps_params={"ensure_ascii": False})
