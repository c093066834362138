"""Shelter pages (``/shelters/``). Thin: parse the request, call services, render.

The list works without JavaScript (a GET form: postal code or latitude/longitude,
disaster type, open only); ``shelters.js`` adds "use my location" (browser
geolocation) and refreshes the open state; ``/shelters/map/`` adds a Leaflet map
over the same list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from . import conf, services
from .errors import ShelterError
from .models import DISASTERS

#: the disaster labels (``models.DISASTERS``) for makemessages; shown translated on the page
DISASTER_LABELS_I18N = [gettext_noop("洪水"), gettext_noop("土砂災害"), gettext_noop("高潮"), gettext_noop("地震"),
                        gettext_noop("津波"), gettext_noop("大規模な火事"), gettext_noop("内水氾濫"), gettext_noop("火山")]

PAGE_LIMITS = (10, 30, 100)
PARAMS = ("lat", "lon", "postal_code", "disaster", "open", "city", "limit")


def _context(request: HttpRequest) -> tuple[dict, int]:
    get = {k: (request.GET.get(k) or "").strip() for k in PARAMS}
    try:
        limit = int(get["limit"] or PAGE_LIMITS[0])
    except ValueError:
        limit = PAGE_LIMITS[0]
    limit = limit if limit in PAGE_LIMITS else PAGE_LIMITS[0]
    query = {k: v for k, v in get.items() if v and k != "limit"}
    context = {"form": get, "disasters": [(code, gettext(label)) for code, label in DISASTERS], "cities": services.cities(), "limit": limit,
               "query": urlencode(query), "has_place": bool(get["postal_code"] or get["lat"] or get["lon"])}
    status = 200
    try:
        if context["has_place"] or get["open"] or get["disaster"] or get["city"]:
            context["result"] = services.find(
                lat=get["lat"] or None, lon=get["lon"] or None, postal_code=get["postal_code"] or None,
                disaster=get["disaster"] or None, open_only=bool(get["open"]), city=get["city"] or None,
                limit=limit if context["has_place"] else PAGE_LIMITS[-1])
            if context["has_place"] and context["result"].total > limit:
                bigger = next((n for n in PAGE_LIMITS if n > limit), None)
                if bigger:
                    context["more_href"] = "?" + urlencode({**query, "limit": bigger})
        if not context["has_place"]:
            context["open_now"] = services.open_status()["open"]
    except ShelterError as exc:
        context["error"] = exc
        status = exc.status
    context["geojson_url"] = reverse("api-v1:shelters-geojson") + ("?" + context["query"] if query else "")
    return context, status


@require_GET
def list_page(request: HttpRequest) -> HttpResponse:
    context, status = _context(request)
    return render(request, "shelters/list.html", context, status=status)


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    context, status = _context(request)
    context.update(tile_url=conf.tile_url(), tile_attribution=conf.tile_attribution())
    return render(request, "shelters/map.html", context, status=status)


@staff_member_required
@require_http_methods(["GET", "POST"])
def staff_page(request: HttpRequest) -> HttpResponse:
    """Staff: open (開設) and close sites; the change is public at once (``/api/v1/shelters/status``)."""
    if request.method == "POST":
        key = request.POST.get("key", "")
        is_open = request.POST.get("open") == "1"
        try:
            site = services.set_open(key, is_open, user=request.user)
        except ShelterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{site.name}を{'開設中' if is_open else '閉鎖'}にしました。")
        back = {k: request.POST.get(k) for k in ("city", "q") if request.POST.get(k)}
        return redirect(reverse("shelters:staff") + ("?" + urlencode(back) if back else ""))
    city, q = request.GET.get("city") or None, (request.GET.get("q") or "").strip()
    context = {"cities": services.cities(), "city": city or "", "q": q}
    try:
        context["sites"] = services.all_sites_with_state(city=city, q=q)
    except ShelterError as exc:
        context["error"] = exc
    return render(request, "shelters/staff.html", context)
