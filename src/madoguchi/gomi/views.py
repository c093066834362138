"""Garbage-sorting pages (``/garbage/``). Thin: parse the request, call services, render.

The page works without JavaScript: one GET form (city, item, 町名). The chosen
町名 is remembered per city in a cookie so the next search shows its collection days.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from madoguchi.catalog.models import Dataset

from . import services
from .errors import GarbageError

AREA_COOKIE = "gomi_area_{}"
AREA_COOKIE_SECONDS = 365 * 24 * 3600


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    language = translation.get_language()
    sources = services.list_sources(language)
    context = {"sources": sources, "q": (request.GET.get("q") or "").strip()}
    status = 200
    try:
        source = services.get_source(request.GET.get("city"), language)
    except GarbageError as exc:
        context["error"] = exc
        return render(request, "gomi/search.html", context, status=exc.status if sources else 200)
    cookie = AREA_COOKIE.format(source.slug)
    area = request.GET.get("area")
    from_cookie = area is None
    if from_cookie:
        area = unquote(request.COOKIES.get(cookie, ""))
    context.update(source=source, dataset=Dataset.objects.filter(slug=source.dataset_slug).first(), area_label=area)
    forget_area = False
    try:
        context["areas"] = services.areas(source)
        if area:
            try:
                context["area"], context["schedule"] = services.area_schedule(source, area)
            except GarbageError:
                if not from_cookie:
                    raise
                area = context["area_label"] = ""  # a remembered 町名 the data no longer has
                forget_area = True
        if context["q"]:
            context["result"] = services.search(source, context["q"], area=area or None)
    except GarbageError as exc:
        context["error"] = exc
        status = exc.status
    response = render(request, "gomi/search.html", context, status=status)
    if forget_area or ("area" in request.GET and not area):
        response.delete_cookie(cookie)
    elif "area" in request.GET and "error" not in context:
        response.set_cookie(cookie, quote(area), max_age=AREA_COOKIE_SECONDS, samesite="Lax")
    return response


@staff_member_required
@require_GET
def not_found_page(request: HttpRequest) -> HttpResponse:
    """Staff: what people searched for and did not find, with counts."""
    sources = services.all_sources()
    chosen = next((s for s in sources if s.slug == request.GET.get("city")), None)
    return render(request, "gomi/not_found.html", {
        "sources": sources, "chosen": chosen, "rows": services.missed_queries(chosen)[:500]})


@staff_member_required
@require_POST
def add_synonym(request: HttpRequest) -> HttpResponse:
    """Staff: record a failed search word as a synonym of a dictionary word (from the not-found page)."""
    city = request.POST.get("city") or ""
    source = next((s for s in services.all_sources() if s.slug == city), None)
    everywhere = request.POST.get("scope") == "all"
    try:
        if source is None and not everywhere:
            raise GarbageError("not_found", f"市町村「{city}」はありません", param="city", status=404)
        synonym = services.add_synonym(None if everywhere else source,
                                       request.POST.get("word"), request.POST.get("target"))
    except GarbageError as exc:
        messages.error(request, f"登録できませんでした: {exc.message}")
    else:
        where = synonym.source.title if synonym.source else "すべての市町村"
        messages.success(request, f"「{synonym.word}」を「{synonym.target}」の言い換えとして登録しました（{where}）。")
    back = reverse("gomi:not_found")
    return redirect(f"{back}?city={quote(request.POST.get('back_city') or '')}" if request.POST.get("back_city") else back)
