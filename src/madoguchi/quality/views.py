"""Quality pages: a resource's quality report (public) and the staff quality dashboard."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from madoguchi.catalog import services as catalog

from . import services


@require_GET
def resource_quality(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    dataset = get_object_or_404(catalog.visible_datasets(request.user), slug=slug)
    resource = get_object_or_404(dataset.resources.select_related("current_version"), pk=resource_id)
    version = resource.current_version
    report = None
    if version is not None:
        resource.dataset = dataset
        version.resource = resource
        report = services.quality_report(version)
    return render(request, "quality/resource_quality.html",
                  {"dataset": dataset, "resource": resource, "version": version, "q": report})


@staff_member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "overdue")
    if sort not in services.DASHBOARD_SORTS:
        sort = "overdue"
    return render(request, "quality/dashboard.html", services.dashboard(sort=sort))
