"""FAQ endpoints of ``/api/v1/faq/`` (who may call: anyone; rate limited with the search group).

``GET /faq/ask?q=`` answers a question from the city's published Q&A (the same as the ``/faq/`` page;
the question is logged masked of personal data); ``GET /faq/entries`` lists the published Q&A (open data).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from madoguchi.schemas import ERRORS, OutSchema

from . import services
from .models import QaEntry

router = Router(tags=["faq"])


class EntryOut(OutSchema):
    id: int
    question: str = Field(description="質問")
    answer: str = Field(description="回答")
    category: str = Field(description="分類")
    department: str = Field(description="担当課 (the department that answers)")
    links: list[dict] = Field(description="related procedures, datasets and pages: [{title, url}]")
    updated: dt.datetime


class HitOut(OutSchema):
    score: float = Field(description="combined retrieval score, 0–1 (answered when ≥ threshold)")
    entry: EntryOut


class ServiceOut(OutSchema):
    kind: str = Field(description="`garbage` (answered from the garbage dictionary), `shelters` or `procedure` "
                      "(the procedure guide's entry, or its online form)")
    title: str
    url: str = Field(description="the page that answers it")
    items: list[dict] = Field(description="garbage items found: [{name, category, notes}]")


class AskOut(OutSchema):
    ok: bool = True
    status: str = Field(description="`answered` | `service` | `unanswered` | `empty`")
    threshold: float = Field(description="the score an answer needs")
    answer: HitOut | None = Field(description="the best Q&A when `answered`")
    alternatives: list[HitOut] = Field(description="other close Q&A (at most 3)")
    service: ServiceOut | None
    message: str = Field(description="what to tell the person when there is no answer (Japanese)")
    handoff_url: str | None = Field(description="the page where the question can be sent to staff")


class AskParams(Schema):
    q: str = Field("", max_length=1000, description="the question as typed (at most 1,000 characters)", examples=["住民票の写しはどこで取れますか"])


class EntriesOut(OutSchema):
    ok: bool = True
    count: int
    entries: list[EntryOut]


def _entry(e: QaEntry) -> dict:
    return {"id": e.pk, "question": e.question, "answer": e.answer, "category": e.category,
            "department": e.department, "links": e.links or [], "updated": e.updated}


@router.get("/ask", response={200: AskOut, **ERRORS}, url_name="faq-ask")
def ask(request, params: Query[AskParams]):
    """Answer a typed question from the published Q&A.

    ``status``: ``answered`` (``answer`` holds the Q&A, its score and department), ``service`` (a garbage item,
    shelter or procedure question: ``service`` links the page that answers it), ``unanswered`` (below the threshold:
    ``alternatives`` may still help; ``handoff_url`` sends it to staff), ``empty`` (no words in ``q``).
    The question is stored only masked (names, phone numbers, e-mail, My Number) and deleted after the
    log retention period.
    """
    from django.urls import reverse

    result = services.ask(params.q, channel="api", log=bool(params.q.strip()))
    hit = (lambda h: {"score": round(h.score, 4), "entry": _entry(h.entry)})
    return {"status": result.status, "threshold": services.answer_threshold(),
            "answer": hit(result.best) if result.best else None,
            "alternatives": [hit(h) for h in result.alternatives], "service": result.service,
            "message": result.message,
            "handoff_url": request.build_absolute_uri(reverse("faq:ask")) + "#handoff-h"
            if result.status in ("unanswered", "service") else None}


@router.get("/entries", response={200: EntriesOut, **ERRORS}, url_name="faq-entries")
def entries(request, category: str | None = Query(None, max_length=100, description="分類で絞り込む")):
    """The published Q&A (open data), oldest first."""
    qs = QaEntry.objects.filter(state=QaEntry.State.PUBLISHED).order_by("id")
    if category:
        qs = qs.filter(category=category)
    rows = [_entry(e) for e in qs]
    return {"count": len(rows), "entries": rows}
