"""Procedure guide endpoints of ``/api/v1/procedures`` (who may call: anyone; open data).

``GET /procedures?q=&life_event=&offered=&limit=&offset=`` lists procedures as the ``/procedures/`` page finds
them (offered first, then name hits, then the national yearly count); ``GET /procedures/{id}`` gives one. Each
item lists the published online forms of the procedure with the URL of their JSON Schema.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic.json_schema import SkipJsonSchema

from madoguchi.schemas import DB_INT_MAX, ERRORS, OutSchema, Text

from . import services
from .models import Procedure

router = Router(tags=["procedures"])


class FormRef(OutSchema):
    slug: str
    title: str = Field(description="フォーム名")
    schema_url: str = Field(description="the form's JSON Schema: `/api/v1/forms/{slug}/schema`")


class ProcedureOut(OutSchema):
    id: int
    survey_id: str | None = Field(description="デジタル庁「行政手続等の棚卸調査結果」の手続ID; null for the city's own procedures")
    name: str = Field(description="手続名")
    name_en: str = Field(description="English name ('' if none)")
    law: str = Field(description="根拠法令 (法令名 + 条項)")
    department: str = Field(description="担当課 ('' until staff set it)")
    receiver: str = Field(description="手続の受け手 (survey)")
    online_status: str = Field(description="オンライン化の実施状況 in the national survey (実施済, 未実施 …)")
    offered: bool = Field(description="this city receives this procedure")
    online_here: bool = Field(description="it can be completed online in this city")
    online_url: str = Field(description="the online form's URL ('' if none)")
    how_to_apply: str = Field(description="申請先・申請方法")
    fee: str = Field(description="手数料")
    bring: str = Field(description="添付書類・持ち物")
    processing_time: str = Field(description="処理期間")
    life_events: list[str] = Field(description="the survey's 手続が行われるイベント(個人) values")
    annual_count: int | None = Field(description="総手続件数: procedures a year nationwide (survey); null if unknown")
    forms: list[FormRef] = Field(description="published online forms of this procedure")
    url: str = Field(description="the procedure's page")
    updated_at: dt.datetime


class ProcedureListOut(OutSchema):
    ok: bool = True
    count: int = Field(description="procedures matching (all pages)")
    limit: int
    offset: int
    procedures: list[ProcedureOut]


class ListParams(Schema):
    q: Text = Field("", max_length=200, description="words, all must match (width and kana folded)",
                    examples=["転入"])
    life_event: Text | SkipJsonSchema[None] = Field(None, max_length=50, description="a guide event (引越し 出産 結婚 離婚 死亡 介護 就学 "
                                    "転職) or a survey event value (出生・こども)")
    offered: bool = Field(False, description="true: only procedures this city offers")
    limit: int = Field(50, ge=1, le=500, description="items per page (1–500)")
    offset: int = Field(0, ge=0, le=1_000_000, description="items to skip")


def _with_forms(qs):
    """``qs`` with each procedure's published forms prefetched as ``published_forms`` (the eforms app's reverse
    relation ``forms``; without that app, procedures have no forms)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import Prefetch

    try:
        form_model = Procedure._meta.get_field("forms").related_model
    except FieldDoesNotExist:
        return qs
    return qs.prefetch_related(Prefetch("forms", queryset=form_model.objects.filter(published=True).order_by("slug"),
                                        to_attr="published_forms"))


def _forms(p: Procedure) -> list[dict]:
    return [{"slug": f.slug, "title": f.title, "schema_url": f"/api/v1/forms/{f.slug}/schema"}
            for f in getattr(p, "published_forms", [])]


def _out(request, p: Procedure) -> dict:
    from django.urls import reverse

    return {"id": p.pk, "survey_id": p.survey_id, "name": p.name, "name_en": p.name_en, "law": p.law,
            "department": p.department, "receiver": p.receiver, "online_status": p.online_status,
            "offered": p.offered, "online_here": p.online_here, "online_url": p.online_url,
            "how_to_apply": p.how_to_apply, "fee": p.fee, "bring": p.bring, "processing_time": p.processing_time,
            "life_events": list(p.life_events or []), "annual_count": p.annual_count, "forms": _forms(p),
            "url": request.build_absolute_uri(reverse("procedures:detail", args=[p.pk])), "updated_at": p.updated_at}


@router.get("", response={200: ProcedureListOut, **ERRORS}, url_name="procedures-list")
def procedures(request, params: Query[ListParams]):
    """Procedures matching ``q`` / ``life_event`` / ``offered``, a page of ``limit`` from ``offset``."""
    qs = services.filter_procedures(params.q, life_event=params.life_event, offered_only=params.offered)
    page = list(_with_forms(qs[params.offset:params.offset + params.limit]))
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "procedures": [_out(request, p) for p in page]}


@router.get("/{id}", response={200: ProcedureOut, **ERRORS}, url_name="procedures-detail")
def procedure(request, id: int):
    """One procedure. 404 (``not_found``) if unknown."""
    try:
        if not 1 <= id <= DB_INT_MAX:
            raise services.ProcedureError("not_found", f"手続 {id} はありません")
        p = _with_forms(Procedure.objects.filter(pk=services.get(id).pk)).get()
    except services.ProcedureError as e:
        raise HttpError(404, e.message) from None
    return _out(request, p)
