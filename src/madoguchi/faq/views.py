"""Public FAQ pages: ``/faq/`` (ask; chat style, works without JavaScript) and the hand-off form.

Who may call: anyone. ``GET /faq/?q=`` is rate limited with the search group; ``POST /faq/handoff/``
needs the CSRF token and is rate limited per address (``inquiry`` group) — it makes an inquiry that
staff answer by mail.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from . import services
from .forms import AskForm, HandoffForm


@require_safe
def ask_page(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        answer = services.ask(form.cleaned_data["q"], channel="web")
    elif form.is_bound and "q" in request.GET and not form.errors:
        answer = services.ask("", log=False)
    handoff = None
    if answer is not None and answer.status in ("unanswered", "service"):
        closest = answer.alternatives[0].entry.department if answer.alternatives else ""
        handoff = HandoffForm(initial={"question": answer.question, "log_id": answer.log_id, "department": closest})
    return render(request, "faq/ask.html", {"form": form, "answer": answer, "handoff": handoff})


@require_POST
def handoff(request: HttpRequest) -> HttpResponse:
    form = HandoffForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.handoff(data["question"], data["email"], log_id=data.get("log_id"),
                                       department=data.get("department") or "")
        except services.FaqError as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            return render(request, "faq/handoff_done.html", {"inquiry": inquiry})
    return render(request, "faq/ask.html", {"form": AskForm(), "answer": None, "handoff": form}, status=400)
