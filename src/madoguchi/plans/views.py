"""Public pages of plans, policies and evaluation sheets. Thin: look up, call services, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from . import charts, reports, sheets
from .display import current_fiscal_year
from .models import Plan, Policy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_policy(slug: str, code: str) -> Policy:
    return get_object_or_404(Policy.objects.select_related("plan", "area__parent__parent"), plan__slug=slug,
                             code=code)


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.select_related("parent").prefetch_related("children")
    return render(request, "plans/plan_list.html", {"plans": plans})


@require_GET
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("parent", "previous"), slug=slug)
    counts = reports.item_counts(plan)
    policies = plan.policies.prefetch_related("indicators", "evaluations")
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "tree": reports.plan_tree(plan), "counts": counts,
        "category_table": reports.counts_by_category_table(plan, counts) if plan.item_categories else None,
        "status_table": reports.status_table(plan, counts) if counts.by_status else None,
        "checks": reports.published_checks(plan), "policies": policies,
        "children": plan.children.all(), "successors": plan.successors.all()})


@require_GET
def policy_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    policy = get_policy(slug, code)
    report = reports.policy_report(policy)
    indicators = [{"report": r, "svg": mark_safe(charts.trend_svg(r, id_prefix=f"chart-{r.number}"))}
                  for r in report.indicators]
    sheet_years = sorted({e.year for e in report.evaluations} |
                         {row.year for r in report.indicators for row in r.rows
                          if row.actual is not None and row.year <= current_fiscal_year()}, reverse=True)
    return render(request, "plans/policy_detail.html", {
        "plan": policy.plan, "policy": policy, "report": report, "indicators": indicators,
        "sheet_years": sheet_years, "supplementary": _supplementary(policy.supplementary)})


def _supplementary(data: dict) -> list[dict]:
    """Reference figures of a policy (参考データ) as captioned tables: a list of rows becomes a
    table, a mapping a two-column table, a number one row."""
    out = []
    for key, value in (data or {}).items():
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            out.append({"title": key, "rows": value})
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            heads = list(dict.fromkeys(k for v in value for k in v))
            out.append({"title": key, "head": heads, "rows": [[v.get(h) for h in heads] for v in value]})
        elif isinstance(value, dict):
            out.append({"title": key, "rows": [[k, v] for k, v in value.items()], "pairs": True})
        else:
            out.append({"title": key, "rows": [[value]]})
    return out


@require_GET
def evaluation_sheet(request: HttpRequest, slug: str, code: str, year: int) -> HttpResponse:
    policy = get_policy(slug, code)
    sheet = sheets.evaluation_sheet(policy, year)
    return render(request, "plans/sheet.html", {"plan": policy.plan, "policy": policy, "sheet": sheet})


@require_GET
def evaluation_xlsx(request: HttpRequest, slug: str, code: str, year: int) -> HttpResponse:
    """The same sheet as an xlsx file (openpyxl), for staff to open in Excel."""
    policy = get_policy(slug, code)
    data = sheets.sheet_xlsx(sheets.evaluation_sheet(policy, year))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slug}-{code}-{year}.xlsx"'
    return response
