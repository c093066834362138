"""Public pages of the public comment (``/consultations/…``): the list (open, upcoming, closed, published),
a consultation with its documents, the opinion form, the published result and its downloads.

Who may call: anyone (no log-in). Only announced consultations are shown; results only once published.
The opinion form's POST needs the CSRF token and is rate limited (group ``opinion``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import services
from .forms import OpinionForm
from .models import Consultation


def _public(slug: str) -> Consultation:
    return get_object_or_404(Consultation.objects.prefetch_related("channels", "documents"), slug=slug,
                             announced=True)


def index(request: HttpRequest) -> HttpResponse:
    """Anyone: announced consultations by status."""
    return render(request, "consultations/index.html", {"lists": services.public_consultations()})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone: one announced consultation (summary, documents, period, channels, where announced)."""
    c = _public(slug)
    now = timezone.now()
    return render(request, "consultations/detail.html", {
        "c": c, "open": c.is_open(now), "upcoming": c.starts_at > now})


def opinion(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone, during the period: the opinion form (GET) and sending it (POST, CSRF, rate limited).
    Invalid input re-renders the form with each error at its field (status 400); nothing is stored."""
    c = _public(slug)
    if request.method == "POST":
        form = OpinionForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                sub = services.submit_opinion(c, text=d["text"], consent=d["consent"], name=d["name"],
                                              email=d["email"], address=d["address"], attachments=d["attachments"])
            except services.ConsultationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                request.session["consultations_receipt"] = sub.pk
                return redirect("consultations:thanks", slug=c.slug)
        return render(request, "consultations/opinion.html", {"c": c, "form": form, "open": c.is_open()},
                      status=400)
    return render(request, "consultations/opinion.html", {"c": c, "form": OpinionForm(), "open": c.is_open()})


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone: the receipt page after sending (shows the receipt number kept in the session)."""
    c = _public(slug)
    return render(request, "consultations/thanks.html", {"c": c, "receipt": request.session.get(
        "consultations_receipt")})


def _published(slug: str) -> Consultation:
    c = _public(slug)
    if not c.result_published:
        raise Http404("結果はまだ公表されていません")
    return c


def result(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone, once published: the result (counts by class and channel, summaries with answers)."""
    c = _published(slug)
    return render(request, "consultations/result.html", {"c": c, "t": services.result_table(c)})


def result_print(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone, once published: the result as print-ready HTML (A4, for PDF)."""
    c = _published(slug)
    return render(request, "consultations/result_print.html", {"c": c, "t": services.result_table(c)})


def result_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Anyone, once published: the result table as ``csv`` or ``xlsx``."""
    c = _published(slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404("形式は csv か xlsx です")
    data, content_type = services.export_result(c, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{c.slug}-result.{fmt}"'
    return response
