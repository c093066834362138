"""Bulky-waste pages: the citizen flow under ``/procedures/bulky-waste/`` and the staff pages under
``/staff/bulky/``. Thin: parse, call ``bulky.services``, render. Works without JavaScript: the chosen items
are kept in the session (``CART``); every step is a plain form.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from madoguchi.applications import services as applications
from madoguchi.errors import ServiceError
from madoguchi.spreadsheet import excel_csv

from . import fees, services
from .forms import ApplyForm, TiersForm
from .models import FeeRule

CART = "bulky_cart"
SEARCH_LIMIT = 30


def _cart(request) -> list[dict]:
    return list(request.session.get(CART, []))


def _priced(request):
    """(lines, total, error) of the session's cart."""
    cart = _cart(request)
    if not cart:
        return [], 0, None
    try:
        lines, total = services.quote(services.SOURCE, cart)
        return lines, total, None
    except ServiceError as exc:
        return [], 0, exc


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    results = services.fee_table(services.SOURCE, q, limit=SEARCH_LIMIT) if q else []
    lines, total, error = _priced(request)
    return render(request, "bulky/start.html", {
        "q": q, "results": results, "lines": lines, "total": total, "error": error,
        "tickets_needed": services.tickets_needed(total), "ticket_value": services.TICKET_VALUE_YEN})


@require_POST
def cart(request: HttpRequest) -> HttpResponse:
    items = _cart(request)
    action = request.POST.get("action")
    if action == "add" and len(items) < services.MAX_LINES:
        line = {"rule": request.POST.get("rule", ""), "size": request.POST.get("size", ""),
                "count": request.POST.get("count", "1")}
        try:
            services.quote(services.SOURCE, [line])
        except ServiceError as exc:
            request.session["bulky_error"] = exc.message
        else:
            items.append(line)
    elif action == "remove":
        try:
            items.pop(int(request.POST.get("index", "")))
        except (ValueError, IndexError):
            pass
    elif action == "clear":
        items = []
    request.session[CART] = items
    url = reverse("bulky:start")
    q = request.POST.get("q", "").strip()
    return redirect(f"{url}?q={q}#cart" if q else f"{url}#cart")


def _apply_context(request, form: ApplyForm | None, area_value: str) -> dict:
    lines, total, error = _priced(request)
    area = None
    days = []
    if area_value:
        try:
            area = services.get_area(services.SOURCE, area_value)
            days = services.available_days(area)
        except ServiceError:
            area = None
    return {"lines": lines, "total": total, "cart_error": error, "areas": services.areas(services.SOURCE),
            "area": area, "days": days, "form": form, "tickets_needed": services.tickets_needed(total),
            "ticket_value": services.TICKET_VALUE_YEN}


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """GET: choose area (reloads the dates), date, contact, tickets. POST: check and show the confirmation."""
    if not _cart(request):
        return redirect("bulky:start")
    if request.method == "GET":
        return render(request, "bulky/apply.html", _apply_context(request, None, request.GET.get("area", "")))
    form = ApplyForm(request.POST)
    ctx = _apply_context(request, form, request.POST.get("area", ""))
    if not form.is_valid():
        return render(request, "bulky/apply.html", ctx, status=400)
    try:
        numbers = services.parse_tickets(form.cleaned_data["tickets"])
        if len(numbers) < ctx["tickets_needed"]:
            raise services.BulkyError("invalid_parameter", _("料金 %(total)s円には処理券が%(need)d枚必要です (入力 %(got)d枚)")
                                      % {"total": f"{ctx['total']:,}", "need": ctx["tickets_needed"],
                                         "got": len(numbers)}, param="tickets")
        if ctx["area"] is None or form.cleaned_data["date"] not in {d.date for d in ctx["days"]}:
            raise services.BulkyError("invalid_parameter", _("選べる収集日から選んでください"), param="date")
    except ServiceError as exc:
        ctx["error"] = exc
        return render(request, "bulky/apply.html", ctx, status=400)
    ctx.update(data=form.cleaned_data, numbers=numbers, client_token=uuid.uuid4().hex)
    return render(request, "bulky/confirm.html", ctx)


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST)
    ctx = _apply_context(request, form, request.POST.get("area", ""))
    if not form.is_valid() or not _cart(request):
        return render(request, "bulky/apply.html", ctx, status=400)
    d = form.cleaned_data
    try:
        req, created, secret = services.apply(
            area=d["area"], date=d["date"], items=_cart(request), address=d["address"], phone=d["phone"],
            email=d["email"], tickets=d["tickets"], client_token=request.POST.get("client_token", ""))
    except ServiceError as exc:
        ctx["error"] = exc
        return render(request, "bulky/apply.html", ctx, status=exc.status)
    request.session[CART] = []
    return render(request, "bulky/done.html", {"req": req, "secret": secret, "created": created},
                  status=201 if created else 200)


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Look up a request by reference + 確認コード (POST, so the code is not in the URL); cancel from here."""
    ctx = {"now": timezone.now()}
    if request.method == "POST":
        reference, secret = request.POST.get("reference", ""), request.POST.get("secret", "")
        ctx.update(reference=reference)
        try:
            req = services.find(reference, secret)
            if request.POST.get("action") == "cancel":
                req = services.cancel(req)
                ctx["cancelled"] = True
            ctx.update(req=req, secret=secret, can_cancel=services.can_cancel(req))
        except ServiceError as exc:
            ctx["error"] = exc
            return render(request, "bulky/status.html", ctx, status=exc.status)
    return render(request, "bulky/status.html", ctx)


# --- staff ---------------------------------------------------------------------------------------------

@staff_member_required
@require_safe
def fee_list(request: HttpRequest) -> HttpResponse:
    qs = FeeRule.objects.all()
    status_filter = request.GET.get("status", "")
    if status_filter in FeeRule.Status.values:
        qs = qs.filter(status=status_filter)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(item__icontains=q)
    counts = {s: FeeRule.objects.filter(status=s).count() for s in FeeRule.Status.values}
    return render(request, "bulky/staff_fees.html", {"rules": qs[:200], "status": status_filter, "q": q,
                                                      "counts": counts, "statuses": FeeRule.Status.choices})


@staff_member_required
@require_http_methods(["GET", "POST"])
def fee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(FeeRule, pk=pk)
    error = ""
    if request.method == "POST":
        form = TiersForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            if rule.kind == FeeRule.Kind.SIZE:
                error = fees.check_tiers(d["tiers"] or []) if isinstance(d["tiers"], list) else _("JSON の配列で入力してください")
                if not error:
                    rule.tiers = d["tiers"]
            elif not d["yen"]:
                error = _("料金を入力してください")
            else:
                rule.yen = d["yen"]
            if not error:
                if d["reviewed"]:
                    rule.status, rule.reviewed_by, rule.reviewed_at = FeeRule.Status.REVIEWED, request.user, timezone.now()
                    rule.reason = ""
                rule.save()
                return redirect(reverse("bulky_staff:fees") + "?status=needs_review")
    else:
        form = TiersForm(initial={"tiers": rule.tiers, "yen": rule.yen})
    return render(request, "bulky/staff_fee_edit.html", {"rule": rule, "form": form, "error": error,
                                                          "tiers_json": json.dumps(rule.tiers, ensure_ascii=False,
                                                                                   indent=1)},
                  status=400 if error else 200)


@staff_member_required
@require_safe
def route(request: HttpRequest) -> HttpResponse:
    """The day's route (``?area=&date=``) as a page with an SVG sketch, or ``&format=csv|xlsx``."""
    areas = services.areas(services.SOURCE)
    area, date, reqs = None, None, []
    try:
        date = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        date = None
    if request.GET.get("area"):
        try:
            area = services.get_area(services.SOURCE, request.GET["area"])
        except ServiceError:
            area = None
    if area and date:
        reqs = services.route(area, date)
    personal = applications.is_department_member(request.user, services.DEPARTMENT)
    header, rows = services.route_rows(reqs, personal=personal)
    fmt = request.GET.get("format")
    exporting = fmt in ("csv", "xlsx") and area and date
    if personal:  # every view and export of personal data is in the audit log
        for r in reqs:
            applications.log_access(request.user, r.application, "export" if exporting else "view")
    if exporting:
        name = f"bulky-route-{area.pk}-{date.isoformat()}"
        if fmt == "csv":
            resp = HttpResponse(excel_csv(header, rows), content_type="text/csv; charset=utf-8")
        else:
            from .exports import route_xlsx
            resp = HttpResponse(route_xlsx(header, rows),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return resp
    stops = [{"x": 40 + (i % 6) * 90, "y": 40 + (i // 6) * 70, "n": i + 1, "row": row} for i, row in enumerate(rows)]
    return render(request, "bulky/staff_route.html", {
        "areas": areas, "area": area, "date": date, "rows": rows, "header": header, "personal": personal,
        "stops": stops, "svg_height": 80 + ((len(rows) - 1) // 6 + 1) * 70 if rows else 0})
