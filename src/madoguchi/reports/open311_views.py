"""Open311 GeoReport v2 endpoints (``/open311/v2/``). Thin: documents from ``georeport``, work in
``services``. Anyone may read; ``POST requests`` needs an ``api_key`` staff issued (``ApiKey``).
Errors use the standard's format (``[{"code", "description"}]`` / ``<errors><error>``)."""

from __future__ import annotations

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import georeport, services
from .models import Service


def _jurisdiction_error(request, fmt):
    wanted = settings.REPORTS_OPEN311_JURISDICTION_ID
    given = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    if given and wanted and given != wanted:
        return georeport.error(fmt, 404, f"jurisdiction_id {given[:50]!r} はこのサーバーにありません")
    return None


def _fail(fmt, exc: services.ReportError):
    return georeport.error(fmt, exc.status, exc.message)


def _media_url(request, report) -> str:
    photos = services.public_photos(report)
    return request.build_absolute_uri(photos[0].file.url) if photos else ""


@require_http_methods(["GET", "HEAD"])
def service_list(request, fmt):
    if (err := _jurisdiction_error(request, fmt)):
        return err
    docs = [georeport.service_doc(s) for s in Service.objects.filter(active=True)]
    return georeport.respond(fmt, "services", docs)


@require_http_methods(["GET", "HEAD"])
def service_definition(request, code, fmt):
    if (err := _jurisdiction_error(request, fmt)):
        return err
    try:
        service = services.get_service(code)
    except services.ReportError as exc:
        return _fail(fmt, exc)
    return georeport.respond(fmt, "service_definition", georeport.definition_doc(service))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def requests_view(request, fmt):
    if (err := _jurisdiction_error(request, fmt)):
        return err
    if request.method == "POST":
        return _post(request, fmt)
    q = request.GET
    try:
        found = services.public_requests(
            service_request_id=q.get("service_request_id", ""), service_code=q.get("service_code", ""),
            start_date=q.get("start_date", ""), end_date=q.get("end_date", ""), status=q.get("status", ""))
    except services.ReportError as exc:
        return _fail(fmt, exc)
    return georeport.respond(fmt, "service_requests", [georeport.request_doc(r, _media_url(request, r))
                                                       for r in found])


def _post(request, fmt):
    p = request.POST
    try:
        services.check_api_key(p.get("api_key") or request.GET.get("api_key"))
        attributes = {k[len("attribute["):-1]: v for k, v in p.items() if k.startswith("attribute[") and k.endswith("]")}
        report = services.submit_report(
            service_code=p.get("service_code", ""), description=p.get("description", ""),
            lat=p.get("lat"), lon=p.get("long"), address=p.get("address_string", ""),
            email=p.get("email", ""), photos=request.FILES.getlist("media")[:services.MAX_PHOTOS + 1],
            attributes=attributes, channel="api")
    except services.ReportError as exc:
        return _fail(fmt, exc)
    doc = [{"service_request_id": str(report.pk), "token": str(report.token),
            "service_notice": "職員が確認してから公開します", "account_id": None}]
    return georeport.respond(fmt, "service_requests", doc, status=201)


@require_http_methods(["GET", "HEAD"])
def request_detail(request, pk, fmt):
    if (err := _jurisdiction_error(request, fmt)):
        return err
    found = services.public_requests(service_request_id=str(pk))
    if not found:
        return georeport.error(fmt, 404, f"service_request_id {pk} の公開された通報はありません")
    return georeport.respond(fmt, "service_requests", [georeport.request_doc(found[0], _media_url(request, found[0]))])


@require_http_methods(["GET", "HEAD"])
def token_view(request, token, fmt):
    if (err := _jurisdiction_error(request, fmt)):
        return err
    try:
        report = services.request_by_token(token)
    except services.ReportError as exc:
        return _fail(fmt, exc)
    return georeport.respond(fmt, "service_requests", [{"service_request_id": str(report.pk), "token": str(report.token)}])


def not_found(request, rest=""):
    return georeport.error("xml" if rest.endswith(".xml") else "json", 404, "その URL はありません")
