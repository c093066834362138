"""Public pages of the procedure guide (``/procedures/…``): search, detail and the life-event guide.

Who may call: anyone, GET/HEAD only. Everything works without JavaScript; the guide prints (``?print=1`` gives
a page without site navigation, and the normal page has print CSS).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import services

PAGE_SIZE = 30


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """``?q=`` search (offered procedures only unless ``all=1``), 30 a page (``page``)."""
    q = request.GET.get("q", "").strip()[:200]
    include_all = request.GET.get("all") == "1"
    qs = services.filter_procedures(q, offered_only=not include_all)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procedures/index.html", {
        "q": q, "include_all": include_all, "page": page, "events": services.LIFE_EVENT_LABELS})


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        procedure = services.get(pk)
    except services.ProcedureError:
        raise Http404("no such procedure") from None
    return render(request, "procedures/detail.html", {"p": procedure})


@require_safe
def life_events(request: HttpRequest) -> HttpResponse:
    """The events to choose from (each links to its questions and list)."""
    return render(request, "procedures/life_events.html", {"events": services.LIFE_EVENT_LABELS})


@require_safe
def life_event(request: HttpRequest, event: str) -> HttpResponse:
    """Questions (GET form: ``household``, ``children`` (several), ``move``) and, once answered (``answered=1``),
    the procedures and support schemes for them; ``print=1`` renders the list for paper."""
    if event not in services.LIFE_EVENTS:
        raise Http404("no such life event")
    answered = request.GET.get("answered") == "1"
    result = services.life_event_guide(event, request.GET) if answered else None
    answers = result.answers if result else services.clean_answers(request.GET)
    query = request.GET.copy()
    query.pop("print", None)
    base = query.urlencode()
    context = {"event": event, "event_label": services.LIFE_EVENT_LABELS[event], "result": result,
               "answers": answers, "answered": answered, "ages": services.CHILD_AGES,
               "back_query": base, "print_query": base + "&print=1"}
    template = "procedures/life_event_print.html" if answered and request.GET.get("print") == "1" \
        else "procedures/life_event.html"
    return render(request, template, context)
