"""Staff pages of citizen reports (``/reports/staff/…``): the queue per department and status,
one report (moderation, photo review, status with public notes), ward polygons, Open311 API keys.

Who may call: staff (``is_staff``). Every POST needs the CSRF token.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import ApiKeyForm, ModerationForm, StatusForm, WardUploadForm
from .models import ApiKey, ServiceRequest, Ward

MAX_GEOJSON_BYTES = 20 * 1024 * 1024


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    qs = ServiceRequest.objects.select_related("service", "ward")
    dept, status = request.GET.get("department", "")[:200], request.GET.get("status", "")
    if dept:
        qs = qs.filter(department=dept)
    if status in ServiceRequest.Status.values:
        qs = qs.filter(status=status)
    departments = sorted(d for d in ServiceRequest.objects.values_list("department", flat=True).distinct() if d)
    return render(request, "reports/staff_queue.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "department": dept, "status": status,
        "departments": departments, "statuses": ServiceRequest.Status.choices})


@staff_member_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ServiceRequest.objects.select_related("service", "ward", "duplicate_of"), pk=pk)
    moderation = ModerationForm(initial={"public_description": item.public_description, "published": item.published})
    status_form = StatusForm(initial={"status": item.status, "public": True})
    if request.method == "POST" and request.POST.get("action") == "moderate":
        moderation = ModerationForm(request.POST)
        if moderation.is_valid():
            kinds = services.moderate(item, public_description=moderation.cleaned_data["public_description"],
                                      publish=moderation.cleaned_data["published"],
                                      public_photo_ids=request.POST.getlist("photo"))
            messages.success(request, "公開内容を保存しました" + ("（個人情報を伏せ字にしました）" if kinds else ""))
            return redirect("reports_staff:staff_report", pk=pk)
    elif request.method == "POST" and request.POST.get("action") == "status":
        status_form = StatusForm(request.POST)
        if status_form.is_valid():
            d = status_form.cleaned_data
            services.set_status(item, d["status"], d["note"], public=d["public"], by=request.user.get_username())
            messages.success(request, "状態を更新しました")
            return redirect("reports_staff:staff_report", pk=pk)
    return render(request, "reports/staff_report.html", {
        "report": item, "moderation": moderation, "status_form": status_form, "photos": item.photos.all(),
        "changes": item.changes.all(), "duplicates": item.duplicates.all()})


@staff_member_required
@require_http_methods(["GET", "POST"])
def wards(request: HttpRequest) -> HttpResponse:
    form = WardUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_GEOJSON_BYTES:
                raise services.ReportError("invalid_parameter", "ファイルが大きすぎます（20 MB まで）", "file")
            try:
                data = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                raise services.ReportError("invalid_parameter", "GeoJSON (JSON) として読めません", "file") from None
            loaded = services.load_wards(data)
        except services.ReportError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"{len(loaded)} 区の区域を登録しました")
            return redirect("reports_staff:staff_wards")
    return render(request, "reports/staff_wards.html", {"form": form, "wards": Ward.objects.all()})


@staff_member_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    form, issued = ApiKeyForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        _, issued = services.issue_api_key(form.cleaned_data["name"])
        form = ApiKeyForm()
    return render(request, "reports/staff_keys.html", {"form": form, "issued": issued, "keys": ApiKey.objects.all()})


@staff_member_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    ApiKey.objects.filter(pk=pk).update(active=False)
    return redirect("reports_staff:staff_keys")
