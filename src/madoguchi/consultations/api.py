"""Public comment endpoints of ``/api/v1/consultations/`` (who may call: anyone; read only).

``GET /consultations`` lists the announced consultations with their status; ``GET /consultations/{slug}``
is one of them; ``GET /consultations/{slug}/result`` is its published result (counts by class and
channel, each summary with the city's answer and class; personal data masked).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router
from ninja.errors import HttpError

from madoguchi.schemas import ERRORS, OutSchema

from . import services
from .models import Consultation

router = Router(tags=["consultations"])


class ConsultationOut(OutSchema):
    slug: str
    title: str = Field(description="案件名")
    department: str = Field(description="担当課")
    summary: str = Field(description="案の概要（やさしい日本語）")
    status: str = Field(description="`upcoming` | `open` | `closed` (result not yet published) | `published`")
    starts_at: dt.datetime = Field(description="募集開始 (Asia/Tokyo)")
    ends_at: dt.datetime = Field(description="募集終了 (Asia/Tokyo; opinions are taken before this time)")
    channels: list[str] = Field(description="提出方法")
    announced_via: list[str] = Field(description="周知方法")
    documents: list[dict] = Field(description="draft documents: [{title, url}]")
    url: str = Field(description="the consultation's page")


class ListOut(OutSchema):
    ok: bool = True
    count: int
    consultations: list[ConsultationOut]


class ClassCount(OutSchema):
    code: str
    label: str
    description: str
    count: int = Field(description="opinions whose answer has this class")


class ChannelCount(OutSchema):
    name: str
    letters: int = Field(description="letters (通) received by this channel")
    opinions: int = Field(description="opinions (件) in them")


class Row(OutSchema):
    number: int
    summary: str = Field(description="意見の要旨 (personal data masked)")
    answer: str = Field(description="市の考え方")
    answer_class: str = Field(description="対応区分 code")


class ResultOut(OutSchema):
    ok: bool = True
    consultation: ConsultationOut
    published_at: dt.datetime
    letters: int
    opinions: int
    by_class: list[ClassCount]
    by_channel: list[ChannelCount]
    rows: list[Row]


def _status(c: Consultation, now: dt.datetime) -> str:
    if c.result_published:
        return "published"
    return "upcoming" if c.starts_at > now else "open" if c.ends_at > now else "closed"


def _out(request, c: Consultation, now: dt.datetime) -> dict:
    from django.urls import reverse

    return {"slug": c.slug, "title": c.title, "department": c.department, "summary": c.summary,
            "status": _status(c, now), "starts_at": c.starts_at, "ends_at": c.ends_at,
            "channels": [ch.name for ch in c.channels.all()], "announced_via": c.media(),
            "documents": [{"title": d.title, "url": request.build_absolute_uri(d.href())} for d in c.documents.all()],
            "url": request.build_absolute_uri(reverse("consultations:detail", args=[c.slug]))}


def _get(slug: str) -> Consultation:
    c = Consultation.objects.filter(slug=slug, announced=True).prefetch_related("channels", "documents").first()
    if c is None:
        raise HttpError(404, f"意見募集「{slug}」はありません")
    return c


@router.get("", response={200: ListOut, **ERRORS}, url_name="consultations-list")
def consultations(request, status: str | None = Query(None, pattern="^(upcoming|open|closed|published)$",
                                                           description="状態で絞り込む")):
    """Announced consultations, newest period first."""
    from django.utils import timezone

    now = timezone.now()
    rows = [_out(request, c, now) for c in Consultation.objects.filter(announced=True).prefetch_related(
        "channels", "documents")]
    if status:
        rows = [r for r in rows if r["status"] == status]
    return {"count": len(rows), "consultations": rows}


@router.get("/{slug}", response={200: ConsultationOut, **ERRORS}, url_name="consultations-detail")
def consultation(request, slug: str):
    """One announced consultation. 404 (``not_found``) if unknown or not announced."""
    from django.utils import timezone

    return _out(request, _get(slug), timezone.now())


@router.get("/{slug}/result", response={200: ResultOut, **ERRORS}, url_name="consultations-result")
def result(request, slug: str):
    """The published result. 404 (``not_found``) if unknown, not announced or not yet published."""
    from django.utils import timezone

    c = _get(slug)
    if not c.result_published:
        raise HttpError(404, f"意見募集「{slug}」の結果はまだ公表されていません")
    t = services.result_table(c)
    return {"consultation": _out(request, c, timezone.now()), "published_at": c.result_published_at,
            "letters": t.letters, "opinions": t.opinions, "by_class": t.by_class, "by_channel": t.by_channel,
            "rows": [{"number": r["number"], "summary": r["summary"], "answer": r["answer"],
                      "answer_class": r["class"]} for r in t.rows]}
