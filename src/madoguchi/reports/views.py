"""Public pages of citizen reports (``/reports/``): list, report form (works without JavaScript),
detail, the reporter's tracking page, map and its GeoJSON, reviewed photos."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ReportForm
from .models import Photo, ServiceRequest


def index(request: HttpRequest) -> HttpResponse:
    qs = ServiceRequest.objects.filter(published=True).select_related("service")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "reports/index.html", {"page": page})


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.submit_report(
                service_code=d["service"].code, description=d["description"], lat=d["lat"], lon=d["lon"],
                address=d["address"], postal_code=d["postal_code"], ward_id=d["ward"].pk if d["ward"] else None,
                email=d["email"], photos=request.FILES.getlist("photos"))
        except services.ReportError as exc:
            field = {"lat": "address", "long": "address", "service_code": "service"}.get(exc.param, exc.param)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return redirect("reports:track", token=report.token)
    return render(request, "reports/new.html", {
        "form": form, "tile_url": settings.SHELTER_TILE_URL, "tile_attribution": settings.SHELTER_TILE_ATTRIBUTION,
        "bbox": services.city_bbox()}, status=400 if form.errors else 200)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ServiceRequest.objects.select_related("service"), pk=pk, published=True)
    return render(request, "reports/detail.html", {
        "report": report, "photos": services.public_photos(report),
        "changes": report.changes.filter(public=True)})


def track(request: HttpRequest, token) -> HttpResponse:
    report = get_object_or_404(ServiceRequest.objects.select_related("service"), token=token)
    return render(request, "reports/track.html", {
        "report": report, "photos": services.public_photos(report) if report.published else [],
        "changes": report.changes.filter(public=True)})


def map_view(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/map.html", {
        "tile_url": settings.SHELTER_TILE_URL, "tile_attribution": settings.SHELTER_TILE_ATTRIBUTION,
        "reports": ServiceRequest.objects.filter(published=True).exclude(lat=None).select_related("service")[:500]})


def geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.published_geojson(), json_dumps_params={"ensure_ascii": False})


def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo: public once reviewed on a published report; staff see every photo."""
    item = get_object_or_404(Photo.objects.select_related("request"), pk=pk)
    if not (request.user.is_staff or (item.reviewed and item.request.published)):
        raise Http404
    return FileResponse(default_storage.open(item.file.name, "rb"), content_type="image/jpeg")

