"""madoguchi's JSON API (``/api/v1/``), assembled from the apps' routers.

Error body (every 4xx/5xx from this API)::

    {"ok": false, "error": {"code": "invalid_parameter", "param": "limit", "message": "…"}}

Stability: documented keys are only ever added, never renamed or removed.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from madoguchi.catalog.api import router as catalog_router
from madoguchi.datastore.api import router as datastore_router
from madoguchi.datastore.errors import QueryError

api = NinjaAPI(
    title="madoguchi API",
    version="1",
    description="オープンデータカタログとデータストアの API (Open data catalog and datastore API). "
                "CKAN 互換 API は /api/3/action/ にあります。",
    urls_namespace="api-v1",
)
api.add_router("/", catalog_router)
api.add_router("/", datastore_router)


def error_body(code: str, message: str, param: str | None = None) -> dict:
    return {"ok": False, "error": {"code": code, "param": param, "message": message}}


@api.exception_handler(QueryError)
def _query_error(request, exc: QueryError):
    return api.create_response(request, error_body("invalid_parameter", exc.message, exc.param), status=400)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("query", "path", "body")]
    return api.create_response(request, error_body("invalid_parameter", first.get("msg", "invalid"),
                                                   ".".join(loc) or None), status=400)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {404: "not_found", 403: "forbidden"}.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)
