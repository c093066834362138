"""madoguchi's JSON API (``/api/v1/``), assembled from the apps' routers.

Error body (every 4xx from this API, including unknown paths under ``/api/v1/``)::

    {"ok": false, "error": {"code": "invalid_parameter", "param": "limit", "message": "…"}}

``code`` is one of ``madoguchi.errors.ERROR_CODES`` (``invalid_parameter`` 400 with
``param`` naming the parameter, ``not_found`` 404, ``too_large`` 413, ``rate_limited``
429 …); the exception handlers below are the only places that turn errors into bodies. The OpenAPI document (``/api/v1/openapi.json``) is
committed as ``src/madoguchi/openapi.json``; ``tests/test_openapi.py`` checks it
does not drift and runs schemathesis against it.

Stability: documented keys are only ever added, never renamed or removed.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import re_path
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from madoguchi.catalog.api import router as catalog_router
from madoguchi.datastore.api import router as datastore_router
from madoguchi.datastore.services import QueryError
from madoguchi.errors import ERROR_CODES, ERROR_MESSAGES, ServiceError, code_of, error_body
from madoguchi.i18n import api_language
from madoguchi.ratelimits.services import path_is_rate_limited
from madoguchi.schemas import ErrorOut


def _error_schemas() -> dict:
    """``ErrorOut`` and the schemas it refers to, as OpenAPI components."""
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    return {**schema.pop("$defs", {}), "ErrorOut": schema}


class MadoguchiAPI(NinjaAPI):
    """``NinjaAPI`` whose unknown paths answer with the JSON error body and whose OpenAPI document is valid 3.1."""

    def _get_urls(self):
        return [*super()._get_urls(), re_path(r"^.*$", csrf_exempt(self._not_found))]

    def _not_found(self, request, *args, **kwargs):
        with translation.override(api_language(request)):
            message = gettext("この URL の API はありません")
        return self.create_response(request, error_body("not_found", message), status=404)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in _error_schemas().items():
            components.setdefault(name, definition)
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                params = operation.get("parameters", [])
                responses = operation["responses"]
                # What this module adds to every operation: the ValidationError handler below answers 400 for a
                # parameter (or body) of the wrong type or out of range, and a path parameter holding "/" matches
                # no route (the catch-all answers 404).
                if (params or "requestBody" in operation) and not {400, "400"} & set(responses):
                    responses[400] = {"description": "Bad Request: invalid_parameter", **error}
                if any(p["in"] == "path" for p in params) and not {404, "404"} & set(responses):
                    responses[404] = {"description": "Not Found", **error}
                # UploadLimitMiddleware answers 413 for any body over MADOGUCHI_MAX_UPLOAD_BYTES, and the rate
                # limits (ratelimits.rules) 429 with Retry-After.
                if "requestBody" in operation and not {413, "413"} & set(responses):
                    responses[413] = {"description": f"Payload Too Large: too_large ({ERROR_CODES['too_large'][1]})",
                                      **error}
                if path_is_rate_limited(path, method) and not {429, "429"} & set(responses):
                    responses[429] = {"description": "Too Many Requests: rate_limited", **error, "headers": {
                        "Retry-After": {"description": "Seconds until the client may try again",
                                        "schema": {"type": "integer"}}}}
                for param in params:
                    # django-ninja copies the JSON Schema ``examples`` list of a parameter's schema next to it,
                    # where OpenAPI wants a map of Example Objects. The schema keeps the list.
                    if isinstance(param.get("examples"), list):
                        param["examples"] = {f"example{i}" if i else "example": {"value": value}
                                             for i, value in enumerate(param["examples"])}
        return schema


api = MadoguchiAPI(
    title="madoguchi API",
    version="1",
    description="オープンデータカタログとデータストアの API (Open data catalog and datastore API). "
                "CKAN 互換 API は /api/3/action/ にあります。\n\n"
                "Errors (every 4xx): `{\"ok\": false, \"error\": {\"code\", \"param\", \"message\"}}`; "
                "`code` is `invalid_parameter` (400, `param` names the parameter at fault) or `not_found` (404).",
    urls_namespace="api-v1",
)
api.add_router("/", catalog_router)
api.add_router("/", datastore_router)
api.add_router("/garbage", "madoguchi.gomi.api.router")
api.add_router("/shelters", "madoguchi.shelters.api.router")
api.add_router("/events", "madoguchi.events.api.router"); api.add_router("/counters", "madoguchi.counters.api.router")  # noqa: E702
api.add_router("/plans", "madoguchi.plans.api.router")
api.add_router("/reservations", "madoguchi.reservations.api.router")
api.add_router("/", "madoguchi.quality.api.router")
api.add_router("/standards", "madoguchi.standards.api.router")
api.add_router("/faq", "madoguchi.faq.api.router")  # inquiry assistant (issue #15)
api.add_router("/consultations", "madoguchi.consultations.api.router")  # public comment (issue #16)
api.add_router("/jobs", "madoguchi.jobs.api.router")  # background job state (issue #12)
api.add_router("/bulky-waste", "madoguchi.bulky.api.router")  # bulky-waste collection requests (issue #14)
api.add_router("/procedures", "madoguchi.procedures.api.router")  # procedure guide (issue #14)
api.add_router("/forms", "madoguchi.eforms.api.router"); api.add_router("/postal", "madoguchi.eforms.api.postal_router")  # noqa: E702 — forms (issue #14)
api.add_router("/applications", "madoguchi.applications.api.router")  # applications (申請, issue #14)


@api.exception_handler(QueryError)
def _query_error(request, exc: QueryError):
    return api.create_response(request, error_body("invalid_parameter", _message(request, "invalid_parameter", exc.message),
                                                   exc.param), status=400)


def _validation_message(error: dict) -> str:
    """A message in the active language (Japanese unless the client's ``Accept-Language`` prefers
    English: ``i18n.api_language``) for a pydantic validation error of a parameter (pydantic's own as a
    fallback)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("整数で指定してください")
    if kind in ("bool_parsing", "bool_type"):
        return gettext("true または false で指定してください")
    if kind == "greater_than_equal":
        return gettext("%(ge)s 以上で指定してください") % {"ge": ctx.get("ge")}
    if kind == "less_than_equal":
        return gettext("%(le)s 以下で指定してください") % {"le": ctx.get("le")}
    if kind == "literal_error":
        return gettext("次のいずれかで指定してください: %(expected)s") % {"expected": ctx.get("expected")}
    if kind == "string_pattern_mismatch":
        return gettext("形式が正しくありません (パターン %(pattern)s)") % {"pattern": ctx.get("pattern")}
    if kind == "string_too_long":
        return gettext("%(max_length)s 文字以下で指定してください") % {"max_length": ctx.get("max_length")}
    if kind == "missing":
        return gettext("指定してください")
    return error.get("msg") or gettext("不正な値です")


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("query", "path", "body")]
    with translation.override(api_language(request)):
        message = _validation_message(first)
    return api.create_response(request, error_body("invalid_parameter", message, ".".join(loc) or None), status=400)


def _message(request, code: str, message: str) -> str:
    """*message* (a service's, in Japanese) for a client whose ``Accept-Language`` is Japanese or absent;
    for English, the generic message of *code* (``errors.ERROR_MESSAGES``) in English."""
    language = api_language(request)
    if language == settings.LANGUAGE_CODE:
        return message
    with translation.override(language):
        return gettext(ERROR_MESSAGES.get(code, ERROR_MESSAGES["error"]))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = code_of(exc.status_code)
    return api.create_response(request, error_body(code, _message(request, code, str(exc))), status=exc.status_code)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    """Any app's ``ServiceError`` (garbage, shelters, counters, events, reservations …) not caught by its router."""
    body = exc.as_body()
    body["error"]["message"] = _message(request, exc.code if exc.code in ERROR_MESSAGES else code_of(exc.status), exc.message)
    return api.create_response(request, body, status=exc.status)
