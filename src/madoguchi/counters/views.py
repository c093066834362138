"""Counter congestion pages: current state of every counter (live by SSE), a counter's best time to
visit, and the staff page (enter readings, issue office push tokens). Thin over ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from madoguchi.catalog.services import visible_datasets

from . import chart, services
from .history import DATASET_SLUG, WEEKDAYS
from .models import Counter, CounterReading, Office
from .stream import stream  # noqa: F401  (URL target)

#: the weekday row headers of the best-time table (``history.WEEKDAYS`` 1–7 + 曜), translated on the page
WEEKDAY_LABELS_I18N = [gettext_noop("月曜"), gettext_noop("火曜"), gettext_noop("水曜"), gettext_noop("木曜"),
                       gettext_noop("金曜"), gettext_noop("土曜"), gettext_noop("日曜")]


def _by_office(states: list[services.CounterState]) -> list[dict]:
    offices: dict[int, dict] = {}
    for state in states:
        office = state.counter.office
        offices.setdefault(office.pk, {"office": office, "states": []})["states"].append(state)
    return list(offices.values())


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    states = services.current_states()
    return render(request, "counters/index.html", {
        "offices": _by_office(states), "now": timezone.localtime(),
        "history_published": visible_datasets().filter(slug=DATASET_SLUG).exists()})


@require_GET
def counter_detail(request: HttpRequest, office_slug: str, counter_slug: str) -> HttpResponse:
    counter = get_object_or_404(Counter.objects.select_related("office"), office__slug=office_slug,
                                 slug=counter_slug, active=True)
    state = services.current_states(Counter.objects.filter(pk=counter.pk))[0]
    best = services.best_times(counter)
    return render(request, "counters/counter.html", {
        "counter": counter, "state": state, "best": best, "chart": chart.dot_matrix(best),
        "weekday_names": WEEKDAYS,
        "table": [{"weekday": w, "name": gettext(WEEKDAY_LABELS_I18N[w - 1]),
                   "cells": [best.slots.get((w, h)) for h in best.hours]} for w in best.weekdays],
    })


@staff_member_required
def staff(request: HttpRequest) -> HttpResponse:
    states = services.current_states(Counter.objects.all())
    return render(request, "counters/staff.html", {"offices": _by_office(states),
                                                    "no_counters": not Office.objects.exists()})


@require_POST
@staff_member_required
def staff_record(request: HttpRequest, counter_id: int) -> HttpResponse:
    counter = get_object_or_404(Counter.objects.select_related("office"), pk=counter_id)
    try:
        services.record_readings(counter.office, [{"counter": counter.slug, "waiting": request.POST.get("waiting"),
                                                   "calling": request.POST.get("calling")}],
                                 source=CounterReading.Source.STAFF)
    except services.CounterError as exc:
        field = "待ち人数" if (exc.param or "").endswith("waiting") else "呼出番号"
        messages.error(request, f"{counter}: {field} — {exc.message}")
    else:
        messages.success(request, f"{counter}の状況を記録しました。")
    return redirect("counters:staff")


@require_POST
@staff_member_required
def staff_token(request: HttpRequest, office_id: int) -> HttpResponse:
    office = get_object_or_404(Office, pk=office_id)
    token = services.issue_token(office)
    messages.warning(request, f"{office.name}の送信用トークン（この画面でだけ表示します。前のトークンは使えなくなりました）: {token}")
    return redirect("counters:staff")
