"""Plain-Japanese pages (``/easy/…``). Thin: read the citizen services (gomi, shelters, emergency), add the
staff's plain text, render; every Japanese string gets ruby in the template (``{% ruby %}``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from madoguchi.emergency import services as emergency_services
from madoguchi.errors import ServiceError
from madoguchi.gomi import services as gomi_services
from madoguchi.shelters import services as shelter_services

from . import services

SHELTER_RESULTS = 5
GARBAGE_RESULTS = 5


def _page(slug: str, table: dict) -> dict:
    return {"body": services.render_text(services.page_text(slug), table), "ruby_table": table}


@require_safe
def garbage(request: HttpRequest) -> HttpResponse:
    context = _page("garbage", services.reading_overrides())
    q = (request.GET.get("q") or "").strip()
    area = (request.GET.get("area") or "").strip()
    context.update(q=q, area_label=area)
    status = 200
    try:
        source = gomi_services.get_source(request.GET.get("city"))
        context.update(source=source, sources=gomi_services.list_sources(), areas=gomi_services.areas(source))
        if q:
            context["result"] = gomi_services.search(source, q, area=area or None, limit=GARBAGE_RESULTS)
        elif area:
            context["area"], context["schedule"] = gomi_services.area_schedule(source, area)
    except ServiceError as exc:
        context["error"], status = exc, exc.status
    return render(request, "easy/garbage.html", context, status=status)


@require_safe
def shelters(request: HttpRequest) -> HttpResponse:
    context = _page("shelters", services.reading_overrides())
    form = {k: (request.GET.get(k) or "").strip() for k in ("postal_code", "lat", "lon")}
    context["form"] = form
    status = 200
    if any(form.values()):
        try:
            result = shelter_services.find(lat=form["lat"] or None, lon=form["lon"] or None,
                                           postal_code=form["postal_code"] or None, limit=SHELTER_RESULTS)
            context["result"] = result
            context["sites"] = [shelter_services.site_out(f) for f in result.results]
        except ServiceError as exc:
            context["error"], status = exc, exc.status
    return render(request, "easy/shelters.html", context, status=status)


@require_safe
def emergency(request: HttpRequest) -> HttpResponse:
    state = emergency_services.current_state()
    context = _page("emergency-on" if state else "emergency", services.reading_overrides())
    context["state"] = state
    if state:
        context["hazards"] = emergency_services.hazards(limit=5)
        context["open_shelters"] = emergency_services.open_shelters()["open"][:10]
    return render(request, "easy/emergency.html", context)


@require_safe
def reservations(request: HttpRequest) -> HttpResponse:
    """How to book and cancel a facility, in plain words, with links to the real pages."""
    return render(request, "easy/reservations.html", _page("reservations", services.reading_overrides()))


@require_safe
def procedures(request: HttpRequest) -> HttpResponse:
    """How to find a procedure, apply online (e-mail code, 一時保存, 受付番号 and 確認コード, status, 補正,
    取下げ) and ask for a bulky-waste collection, in plain words, with links to the real pages."""
    return render(request, "easy/procedures.html", _page("procedures", services.reading_overrides()))


# --- staff ----------------------------------------------------------------------------------------

@staff_member_required
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "easy/staff.html", {"pages": services.pages(), "overrides": services.staff_overrides(),
                                                "builtin": services.BUILTIN_OVERRIDES})


@staff_member_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = services.get_page(slug)
    except KeyError:
        raise Http404("そのページはありません") from None
    body = services.page_text(slug)
    if request.method == "POST":
        body = request.POST.get("body", "")
        if "save" in request.POST:
            services.save_text(slug, body, user=request.user)
            messages.success(request, f"「{page.title}」の本文を保存しました。")
            return redirect("easy:staff_edit", slug=slug)
    table = services.reading_overrides()
    return render(request, "easy/staff_edit.html", {
        "page": page, "body": body, "default": services.DEFAULT_TEXTS[slug],
        "preview": services.render_text(body, table), "page_url": reverse(f"easy:{page.url_name}")})


@staff_member_required
@require_POST
def staff_override(request: HttpRequest) -> HttpResponse:
    surface = request.POST.get("surface", "")
    if "delete" in request.POST:
        if services.delete_override(surface):
            messages.success(request, f"「{surface}」の よみ の修正を消しました。")
        return redirect("easy:staff")
    try:
        row = services.set_override(surface, request.POST.get("reading", ""))
    except services.OverrideError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"「{row.surface}」を「{row.reading}」と読みます。")
    return redirect("easy:staff")
