"""Staff page: small-cell suppression of a published table (preview, download, publish as a new resource)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from madoguchi.catalog.models import Resource
from madoguchi.datastore.services import IngestError

from . import services
from .forms import SuppressionForm
from .suppression import SuppressionError
from .tables import masked_csv

PREVIEW_ROWS = 50


@staff_member_required
def suppress(request: HttpRequest, resource_id: int) -> HttpResponse:
    """GET ``?k=&label_columns=&symbol=``: summary and preview (``&download=1``: the masked CSV); POST: publish."""
    resource = get_object_or_404(Resource.objects.select_related("dataset", "current_version"), pk=resource_id)
    version = resource.current_version
    context = {"resource": resource, "version": version}
    if version is None or not version.has_table:
        context["error"] = _("このリソースには公開中の表がありません (no published table)")
        return render(request, "privacy/suppress.html", context, status=404)
    data = request.POST if request.method == "POST" else (request.GET if "k" in request.GET else None)
    form = SuppressionForm(data)
    context["form"] = form
    if data is None or not form.is_valid():
        return render(request, "privacy/suppress.html", context, status=400 if data is not None else 200)
    k, labels, symbol = form.cleaned_data["k"], form.cleaned_data["label_columns"], form.cleaned_data["symbol"]
    try:
        if request.method == "POST":
            published = services.publish_suppressed(version, k=k, label_columns=labels, symbol=symbol,
                                                    user=request.user)
            return redirect(published.resource.get_absolute_url())
        table, result = services.suppress_version(version, k=k, label_columns=labels)
    except (SuppressionError, IngestError) as exc:
        context["error"] = str(exc)
        return render(request, "privacy/suppress.html", context, status=400)
    if request.GET.get("download"):
        response = HttpResponse(masked_csv(table, result, symbol=symbol), content_type="text/csv; charset=utf-8")
        name = f"{resource.name}_suppressed_k{k}.csv"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    masked = result.masked(symbol)
    context.update(table=table, summary=result.summary(), query=request.GET.urlencode(),
                   header=[*table.label_names, *table.value_names, table.total_column or "合計"],
                   preview=[(lab, cells, total) for lab, cells, total in
                            zip(table.labels[:PREVIEW_ROWS], masked[:PREVIEW_ROWS], result.row_totals)],
                   suppressed=result.suppressed, more=max(len(table.labels) - PREVIEW_ROWS, 0))
    return render(request, "privacy/suppress.html", context)
