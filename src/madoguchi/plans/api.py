"""Plans endpoints of ``/api/v1/plans``: plans, policies with indicators, evaluation sheets, metrics.

Numbers are JSON numbers (integers when whole), years are fiscal years as integers
(2019 = FY2019 = 令和元年度), ``null`` = no value ("—"). The same service calls build the
pages, so page and JSON always agree. Errors use ``madoguchi.schemas.ErrorOut``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Path as PathParam
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from madoguchi.schemas import ErrorOut

from . import metrics, reports, sheets
from .display import plain_number
from .models import AuditLogEntry, Plan, Policy

router = Router(tags=["plans"])
MIN_YEAR, MAX_YEAR = 1900, 2200
MONTH_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"
Number = int | float | None


class PlanSummary(Schema):
    slug: str
    name: str
    kind: str
    start_year: int | None
    end_year: int | None
    extended_to_year: int | None
    parent: str | None
    url: str
    api_url: str


class PlanAreaOut(Schema):
    code: str
    name: str
    level_name: str
    parent: str | None


class PlanEvaluationOut(Schema):
    year: int
    progress_grade: str
    progress_reason: str
    suggested_progress_grade: str
    override_reason: str
    direction_grade: str
    direction_reason: str
    source: str
    sheet_url: str
    xlsx_url: str


class PlanPolicySummary(Schema):
    code: str
    name: str
    area: str | None
    short_name: str
    url: str
    api_url: str
    indicators: int
    latest_evaluation: PlanEvaluationOut | None


class PlanCheckOut(Schema):
    name: str
    published: Any
    computed: Any
    ok: bool


class PlanItemCountsOut(Schema):
    total: int
    by_policy: dict[str, int]
    by_area: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]


class PlanDetail(PlanSummary):
    parent_note: str
    previous: str | None
    children: list[str]
    vision: str
    progress_management: str
    note: str
    source: str
    item_categories: list[str]
    measure_statuses: list[str]
    periods: list[dict]
    grade_definitions: dict
    areas: list[PlanAreaOut]
    policies: list[PlanPolicySummary]
    item_counts: PlanItemCountsOut
    published_checks: list[PlanCheckOut]


class PlanMeasureOut(Schema):
    code: str
    name: str
    detail: str
    category: str
    status: str
    department: str
    repeat_of: str | None
    children: list["PlanMeasureOut"]


class PlanTargetOut(Schema):
    year: int
    value: Number
    kind: str
    label: str
    comparison: str
    revision_reason: str
    revised_to: Number = None


class PlanYearOut(Schema):
    year: int
    target: Number
    actual: Number
    actual_source: str
    actual_source_note: str
    computed: bool
    status: str
    versus_baseline: str
    published_status: str


class PlanIndicatorOut(Schema):
    code: str
    name: str
    method: str
    unit: str
    direction: str
    baseline_year: int | None
    baseline_value: Number
    metric_id: str
    note: str
    targets: list[PlanTargetOut]
    revisions: list[PlanTargetOut]
    years: list[PlanYearOut]


class PlanPolicyDetail(Schema):
    plan: str
    code: str
    name: str
    areas: list[PlanAreaOut]
    short_name: str
    direct_goal: str
    programs: list[str]
    supplementary: dict
    measures: list[PlanMeasureOut]
    indicators: list[PlanIndicatorOut]
    evaluations: list[PlanEvaluationOut]
    url: str


class PlanSheetIndicatorStatus(Schema):
    code: str
    status: str
    versus_baseline: str


class PlanSheetOut(Schema):
    plan: str
    policy: str
    year: int
    title: str
    facts: list[list[str]]
    header: list[str]
    rows: list[list[int | float | str | None]]
    grades: list[list[str]]
    suggested_progress_grade: str | None
    suggestion_reason: str
    indicators: list[PlanSheetIndicatorStatus]
    url: str
    xlsx_url: str


class PlanMetricOut(Schema):
    id: str
    title: str
    unit: str
    kind: str
    description: str


class PlanMetricValueOut(PlanMetricOut):
    year: int | None = None
    value: Number = None
    month: dt.date | None = None
    rows: list[dict] | None = None


class PlanAuditEntryOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    model: str
    object_id: str
    object_repr: str
    changes: dict
    reason: str


def _plan(slug: str) -> Plan:
    plan = Plan.objects.select_related("parent", "previous").filter(slug=slug).first()
    if plan is None:
        raise HttpError(404, f"計画「{slug}」はありません")
    return plan


def _policy(slug: str, code: str) -> Policy:
    policy = Policy.objects.select_related("plan", "area").filter(plan__slug=slug, code=code).first()
    if policy is None:
        raise HttpError(404, f"計画「{slug}」に施策「{code}」はありません")
    return policy


def plan_summary(p: Plan) -> dict:
    return {"slug": p.slug, "name": p.name, "kind": p.kind, "start_year": p.start_year, "end_year": p.end_year,
            "extended_to_year": p.extended_to_year, "parent": p.parent.slug if p.parent else None,
            "url": p.get_absolute_url(), "api_url": reverse("api-v1:plan", args=[p.slug])}


def evaluation_out(policy: Policy, e) -> dict:
    args = [policy.plan.slug, policy.code, e.year]
    return {"year": e.year, "progress_grade": e.progress_grade, "progress_reason": e.progress_reason,
            "suggested_progress_grade": e.suggested_progress_grade, "override_reason": e.override_reason,
            "direction_grade": e.direction_grade, "direction_reason": e.direction_reason, "source": e.source,
            "sheet_url": reverse("plans:sheet", args=args), "xlsx_url": reverse("plans:sheet_xlsx", args=args)}


def area_out(a) -> dict:
    return {"code": a.code, "name": a.name, "level_name": a.level_name, "parent": a.parent.code if a.parent else None}


@router.get("", response=list[PlanSummary], url_name="plans")
def list_plans(request):
    """All plans (計画, programmes, comprehensive plans, reviewed earlier plans), oldest first."""
    return [plan_summary(p) for p in Plan.objects.select_related("parent")]


@router.get("/metrics", response=list[PlanMetricOut], url_name="plan_metrics")
def list_metrics(request):
    """The metric registry: ids indicators can be bound to (``kind="yearly"``) and monthly tables."""
    return [{"id": m.id, "title": m.title, "unit": m.unit, "kind": m.kind, "description": m.description}
            for m in metrics.all_metrics()]


def _metric(metric_id: str, kind: str) -> metrics.Metric:
    try:
        m = metrics.get_metric(metric_id)
    except metrics.UnknownMetric as exc:
        raise HttpError(404, str(exc)) from None
    if m.kind != kind:
        raise HttpError(404, f"自動集計の指標「{metric_id}」は{'年度' if kind == 'yearly' else '月'}ごとの値を持ちません")
    return m


def _metric_out(m: metrics.Metric) -> dict:
    return {"id": m.id, "title": m.title, "unit": m.unit, "kind": m.kind, "description": m.description}


@router.get("/metrics/{metric_id}/years/{year}", response={200: PlanMetricValueOut, 400: ErrorOut, 404: ErrorOut},
            url_name="plan_metric_year")
def get_metric_year(request, metric_id: str = PathParam(..., examples=["catalog.datasets_published"]),
                    year: int = PathParam(..., ge=MIN_YEAR, le=MAX_YEAR, examples=[2019])):
    """The value of a yearly metric for fiscal ``year`` (e.g. 2019 = April 2019 – March 2020),
    as of today; ``value`` is ``null`` for a year that has not begun. 404 for an unknown id or
    a metric that is not yearly."""
    m = _metric(metric_id, "yearly")
    return {**_metric_out(m), "year": year, "value": plain_number(metrics.metric_value(metric_id, year))}


@router.get("/metrics/{metric_id}/months/{month}", response={200: PlanMetricValueOut, 400: ErrorOut, 404: ErrorOut},
            url_name="plan_metric_month")
def get_metric_month(request, metric_id: str = PathParam(..., examples=["catalog.top_downloads"]),
                     month: str = PathParam(..., pattern=MONTH_PATTERN, examples=["2020-03"])):
    """The rows of a monthly table metric for ``month`` (``YYYY-MM``), e.g.
    ``catalog.top_downloads``: ``[{"rank", "theme", "dataset", "resource", "resource_id", "count"}]``.
    404 for an unknown id or a metric that is not a monthly table."""
    m = _metric(metric_id, "monthly_table")
    first = dt.date.fromisoformat(f"{month}-01")
    return {**_metric_out(m), "month": first, "rows": metrics.metric_table(metric_id, first)}


@router.get("/{slug}", response={200: PlanDetail, 400: ErrorOut, 404: ErrorOut}, url_name="plan")
def get_plan(request, slug: str):
    """One plan: its areas and policies (with the latest evaluation), item counts per policy,
    area, category and status, and the document's published totals next to the computed ones."""
    plan = _plan(slug)
    counts = reports.item_counts(plan)
    policies = []
    for p in plan.policies.select_related("area").prefetch_related("indicators", "evaluations"):
        latest = max(p.evaluations.all(), key=lambda e: e.year, default=None)
        policies.append({"code": p.code, "name": p.name, "area": p.area.code if p.area else None,
                         "short_name": p.short_name, "url": p.get_absolute_url(),
                         "api_url": reverse("api-v1:plan_policy", args=[plan.slug, p.code]),
                         "indicators": len(p.indicators.all()),
                         "latest_evaluation": evaluation_out(p, latest) if latest else None})
    return {**plan_summary(plan), "parent_note": plan.parent_note,
            "previous": plan.previous.slug if plan.previous else None,
            "children": [c.slug for c in plan.children.all()], "vision": plan.vision,
            "progress_management": plan.progress_management, "note": plan.note, "source": plan.source,
            "item_categories": plan.item_categories, "measure_statuses": plan.measure_statuses,
            "periods": plan.periods, "grade_definitions": plan.grade_definitions,
            "areas": [area_out(a) for a in plan.areas.select_related("parent")], "policies": policies,
            "item_counts": {"total": counts.total, "by_policy": counts.by_policy, "by_area": counts.by_area,
                            "by_category": counts.by_category, "by_status": counts.by_status},
            "published_checks": [{"name": c.name, "published": c.published, "computed": c.computed, "ok": c.ok}
                                 for c in reports.published_checks(plan)]}


def _target_out(t) -> dict:
    return {"year": t.year, "value": plain_number(t.value), "kind": t.kind, "label": t.label,
            "comparison": t.comparison, "revision_reason": t.revision_reason,
            "revised_to": plain_number(t.superseded_by.value) if t.superseded_by_id else None}


def _measure_out(m) -> dict:
    return {"code": m.code, "name": m.name, "detail": m.detail, "category": m.category, "status": m.status,
            "department": m.department, "repeat_of": m.repeat_of.code if m.repeat_of_id else None,
            "children": [_measure_out(c) for c in m.children.all()]}


@router.get("/{slug}/policies/{code}", response={200: PlanPolicyDetail, 400: ErrorOut, 404: ErrorOut},
            url_name="plan_policy")
def get_policy(request, slug: str, code: str):
    """One policy (施策): measures (取組, with 再掲 links), indicators with baseline, targets
    (and revised-away targets), and per fiscal year target, actual (``actual_source``:
    ``document`` / ``entered`` / ``metric``; ``computed`` when computed live from the bound
    metric), ``status`` (``achieved`` / ``not_achieved`` / ``no_data`` / ``no_target``) and
    ``versus_baseline``; evaluations with grades and reasons."""
    policy = _policy(slug, code)
    report = reports.policy_report(policy)
    indicators = []
    for r in report.indicators:
        ind = r.indicator
        indicators.append({
            "code": ind.code, "name": ind.name, "method": ind.method, "unit": ind.unit, "direction": ind.direction,
            "baseline_year": ind.baseline_year, "baseline_value": plain_number(ind.baseline_value),
            "metric_id": ind.metric_id, "note": ind.note, "targets": [_target_out(t) for t in r.targets],
            "revisions": [_target_out(t) for t in r.revisions],
            "years": [{"year": row.year, "target": plain_number(row.target_value), "actual": plain_number(row.actual),
                       "actual_source": row.actual_source, "actual_source_note": row.actual_source_note,
                       "computed": row.computed, "status": row.status, "versus_baseline": row.versus_baseline,
                       "published_status": row.published_status} for row in r.rows]})
    return {"plan": policy.plan.slug, "code": policy.code, "name": policy.name,
            "areas": [area_out(a) for a in report.areas], "short_name": policy.short_name,
            "direct_goal": policy.direct_goal, "programs": policy.programs, "supplementary": policy.supplementary,
            "measures": [_measure_out(m) for m in report.measures], "indicators": indicators,
            "evaluations": [evaluation_out(policy, e) for e in report.evaluations], "url": policy.get_absolute_url()}


@router.get("/{slug}/policies/{code}/evaluations/{year}", response={200: PlanSheetOut, 400: ErrorOut, 404: ErrorOut},
            url_name="plan_sheet")
def get_sheet(request, slug: str, code: str, year: int = PathParam(..., ge=MIN_YEAR, le=MAX_YEAR)):
    """The evaluation sheet of fiscal ``year``: the cells of the HTML page and the xlsx file
    (``header``, ``rows``), the facts above and the grades below the table, and the
    suggested progress grade with its reason."""
    policy = _policy(slug, code)
    sheet = sheets.evaluation_sheet(policy, year)
    args = [slug, code, year]
    return {"plan": slug, "policy": code, "year": year, "title": sheet.title,
            "facts": [list(f) for f in sheet.facts], "header": sheet.header, "rows": sheet.rows,
            "grades": [list(g) for g in sheet.grades], "suggested_progress_grade": sheet.status.suggestion.grade,
            "suggestion_reason": sheet.status.suggestion.reason,
            "indicators": [{"code": r.indicator.code, "status": row.status, "versus_baseline": row.versus_baseline}
                           for r, row in sheet.status.rows()],
            "url": reverse("plans:sheet", args=args), "xlsx_url": reverse("plans:sheet_xlsx", args=args)}


@router.get("/{slug}/audit", response={200: list[PlanAuditEntryOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            url_name="plan_audit")
def get_audit(request, slug: str, limit: int = Query(100, ge=1, le=1000)):
    """The latest changes of a plan (staff only): who, when, ``changes`` = {field: [old, new]}."""
    if not request.user.is_staff:
        raise HttpError(403, "職員だけが見られます")
    plan = _plan(slug)
    return [{"at": e.at, "actor": e.actor, "action": e.action, "model": e.model, "object_id": e.object_id,
             "object_repr": e.object_repr, "changes": e.changes, "reason": e.reason}
            for e in AuditLogEntry.objects.filter(plan=plan)[:limit]]
