"""Read side of the plans app: what the pages, the API, the sheets and the charts show.

* ``indicator_report`` — baseline, targets (and revised-away ones), and per fiscal year the
  target, actual (stored, or computed live from the bound metric), status and position
  against the baseline.
* ``policy_report`` / ``evaluation_status`` — all indicators of a policy; the statuses of one
  year with the suggested progress grade (``grading``).
* ``item_counts`` / ``published_checks`` — items (取組) counted per policy, area, category and
  status, and the comparison with the totals the document publishes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from . import grading, metrics
from .models import Actual, Evaluation, Indicator, Measure, MeasureCount, Plan, Policy, PolicyArea, Target


@dataclass
class YearRow:
    """One fiscal year of an indicator."""

    year: int
    target: Target | None
    actual: Decimal | None
    actual_source: str = ""  # "document" | "entered" | "metric" | ""
    actual_source_note: str = ""
    computed: bool = False  # computed now from the bound metric, not stored
    published_status: str = ""
    status: str = "no_target"
    versus_baseline: str = "unknown"

    @property
    def target_value(self) -> Decimal | None:
        return self.target.value if self.target else None

    @property
    def status_label(self) -> str:
        return grading.STATUS_LABELS[self.status]

    @property
    def versus_baseline_label(self) -> str:
        return grading.BASELINE_LABELS[self.versus_baseline]


@dataclass
class IndicatorReport:
    indicator: Indicator
    targets: list[Target]
    revisions: list[Target]
    rows: list[YearRow]
    number: int = 1

    def row(self, year: int) -> YearRow:
        """The row of ``year`` (an empty one if the indicator has nothing for that year)."""
        for r in self.rows:
            if r.year == year:
                return r
        return _row(self.indicator, year, None, None, self.targets)

    @property
    def period_targets(self) -> list[Target]:
        return [t for t in self.targets if t.kind == Target.Kind.PERIOD]

    @property
    def years(self) -> list[int]:
        return [r.year for r in self.rows]


def _target_for(targets: list[Target], year: int) -> Target | None:
    yearly = [t for t in targets if t.year == year and t.kind == Target.Kind.YEAR]
    period = [t for t in targets if t.year == year and t.kind == Target.Kind.PERIOD]
    return (yearly or period or [None])[-1]


def _row(indicator: Indicator, year: int, actual: Actual | None, live: Decimal | None,
         targets: list[Target]) -> YearRow:
    target = _target_for(targets, year)
    if actual is not None and actual.source != Actual.Source.METRIC:
        value, source, note, computed = actual.value, actual.source, actual.source_note, False
    elif live is not None:
        value, source, note, computed = live, Actual.Source.METRIC, indicator.metric_id, True
    elif actual is not None:
        value, source, note, computed = actual.value, actual.source, actual.source_note, False
    else:
        value, source, note, computed = None, "", "", False
    status = grading.status_of(value, target.value if target else None, target.comparison if target else ">=")
    return YearRow(year=year, target=target, actual=value, actual_source=source, actual_source_note=note,
                   computed=computed, published_status=actual.published_status if actual else "", status=status,
                   versus_baseline=grading.versus_baseline(value, indicator.baseline_value, indicator.direction))


def metric_span(indicator: Indicator, plan: Plan, targets: list[Target]) -> tuple[int | None, int | None]:
    """Fiscal years a bound metric fills: the plan period (or from the year after the
    baseline) to the plan's (extended) end or the last target year."""
    start = plan.start_year or ((indicator.baseline_year + 1) if indicator.baseline_year else None)
    end = plan.extended_to_year or plan.end_year or max((t.year for t in targets), default=None)
    return start, end


def indicator_report(indicator: Indicator, *, live: bool = True, today: dt.date | None = None,
                     number: int = 1) -> IndicatorReport:
    """The report of one indicator (use the ``prefetch`` of ``policy_report`` for many).

    :param live: compute actuals of a bound metric now (stored ``metric`` actuals are
        replaced by the fresh value; document / staff-entered actuals always win).
    """
    all_targets = list(indicator.targets.all())
    targets = sorted((t for t in all_targets if t.superseded_by_id is None), key=lambda t: (t.year, t.kind))
    revisions = sorted((t for t in all_targets if t.superseded_by_id is not None), key=lambda t: (t.year, t.id))
    actuals = {a.year: a for a in indicator.actuals.all()}
    live_values: dict[int, Decimal | None] = {}
    if live and indicator.metric_id:
        plan = indicator.policy.plan
        start, end = metric_span(indicator, plan, targets)
        for year in metrics.metric_years(start, end, today):
            if year in actuals and actuals[year].source != Actual.Source.METRIC:
                continue
            try:
                live_values[year] = metrics.metric_value(indicator.metric_id, year, today=today)
            except metrics.UnknownMetric:
                break
    years = sorted({t.year for t in targets} | set(actuals) | set(live_values))
    rows = [_row(indicator, y, actuals.get(y), live_values.get(y), targets) for y in years]
    return IndicatorReport(indicator=indicator, targets=targets, revisions=revisions, rows=rows, number=number)


def prefetched_indicators(policy: Policy):
    return (policy.indicators.select_related("policy__plan")
            .prefetch_related(Prefetch("targets", queryset=Target.objects.select_related("superseded_by")),
                              "actuals"))


@dataclass
class PolicyReport:
    policy: Policy
    indicators: list[IndicatorReport]
    evaluations: list[Evaluation]
    measures: list[Measure]
    areas: list[PolicyArea] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({y for r in self.indicators for y in r.years})


def area_path(area: PolicyArea | None) -> list[PolicyArea]:
    """The areas from the top layer down to ``area``."""
    path = []
    while area is not None:
        path.insert(0, area)
        area = area.parent
    return path


def policy_report(policy: Policy, *, live: bool = True, today: dt.date | None = None) -> PolicyReport:
    reports = [indicator_report(ind, live=live, today=today, number=n)
               for n, ind in enumerate(prefetched_indicators(policy), start=1)]
    measures = list(policy.measures.filter(parent=None).select_related("repeat_of__policy")
                    .prefetch_related("children", "repeats__policy"))
    return PolicyReport(policy=policy, indicators=reports, evaluations=list(policy.evaluations.all()),
                        measures=measures, areas=area_path(policy.area))


@dataclass
class EvaluationStatus:
    """The indicators of a policy in one fiscal year, and the suggested progress grade."""

    policy: Policy
    year: int
    indicators: list[IndicatorReport]
    suggestion: grading.Suggestion
    evaluation: Evaluation | None

    def rows(self) -> list[tuple[IndicatorReport, YearRow]]:
        return [(r, r.row(self.year)) for r in self.indicators]


def evaluation_status(policy: Policy, year: int, *, live: bool = True, today: dt.date | None = None,
                      report: PolicyReport | None = None) -> EvaluationStatus:
    report = report or policy_report(policy, live=live, today=today)
    pairs = [(r.row(year).status, r.row(year).versus_baseline) for r in report.indicators]
    evaluation = next((e for e in report.evaluations if e.year == year), None)
    return EvaluationStatus(policy=policy, year=year, indicators=report.indicators,
                            suggestion=grading.suggest_progress_grade(pairs), evaluation=evaluation)


# -- item counts -------------------------------------------------------------------------------

@dataclass
class ItemCounts:
    """Items (取組) of a plan: ``by_policy`` / ``by_area`` (top layer) by code, ``by_category``,
    ``by_status``, ``total``; ``by_area_status`` {area code: {status: n}} for status reviews."""

    total: int = 0
    by_policy: dict = field(default_factory=dict)
    by_area: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)
    by_policy_category: dict = field(default_factory=dict)
    by_area_status: dict = field(default_factory=dict)


def item_counts(plan: Plan) -> ItemCounts:
    """Count a plan's items. Where the document gives counts for a policy or area
    (``MeasureCount``), those are the items of that policy or area; elsewhere the listed
    Measures without sub-items are counted (a 取組の方向 with 事業 under it counts its 事業).
    Repeats (再掲) count where they appear, as the documents count them (項目数には再掲を含む)."""
    out = ItemCounts()
    areas = {a.pk: a for a in plan.areas.all()}

    def top(area_id):
        area = areas.get(area_id)
        while area is not None and area.parent_id:
            area = areas[area.parent_id]
        return area

    counted_policies, counted_areas = set(), set()
    entries: list[tuple[Policy | None, PolicyArea | None, str, str, int]] = []
    policies = {p.pk: p for p in plan.policies.all()}
    for mc in MeasureCount.objects.filter(plan=plan).order_by("id"):
        policy = policies.get(mc.policy_id)
        area = top(policy.area_id if policy else mc.area_id)
        counted_policies.add(mc.policy_id)
        counted_areas.add(mc.area_id)
        entries.append((policy, area, mc.category, mc.status, mc.count))
    leaves = Measure.objects.filter(policy__plan=plan, children__isnull=True).select_related("policy")
    for m in leaves:
        if m.policy_id in counted_policies:
            continue
        entries.append((m.policy, top(m.policy.area_id), m.category, m.status, 1))
    for policy in sorted(policies.values(), key=lambda p: (p.position, p.pk)):
        out.by_policy[policy.code] = 0
    for policy, area, category, status, n in entries:
        out.total += n
        if policy is not None:
            out.by_policy[policy.code] = out.by_policy.get(policy.code, 0) + n
            if category:
                per = out.by_policy_category.setdefault(policy.code, {})
                per[category] = per.get(category, 0) + n
        if area is not None:
            out.by_area[area.code] = out.by_area.get(area.code, 0) + n
            if status:
                per = out.by_area_status.setdefault(area.code, {})
                per[status] = per.get(status, 0) + n
        if category:
            out.by_category[category] = out.by_category.get(category, 0) + n
        if status:
            out.by_status[status] = out.by_status.get(status, 0) + n
    for name in plan.item_categories:
        out.by_category.setdefault(name, 0)
    out.by_category = {k: out.by_category[k] for k in _ordered(out.by_category, plan.item_categories)}
    for name in plan.measure_statuses:
        out.by_status.setdefault(name, 0)
    out.by_status = {k: out.by_status[k] for k in _ordered(out.by_status, plan.measure_statuses)}
    return out


def _ordered(keys, order: list) -> list:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


@dataclass
class Check:
    """A figure the document publishes next to the one madoguchi computes."""

    name: str
    published: object
    computed: object

    @property
    def ok(self) -> bool:
        return self.published == self.computed


def published_checks(plan: Plan) -> list[Check]:
    """Compare ``plan.published_figures`` with ``item_counts(plan)``:

    * ``item_counts``: ``total``, ``by_policy``, ``by_basic_policy`` (top areas), ``by_category``;
    * ``review`` (a previous plan's items by status): ``total``, ``counts`` (in the order of
      ``statuses``), per-row totals, and ``percent`` (share of the total, one decimal).
    """
    figures, counts, checks = plan.published_figures or {}, item_counts(plan), []
    pub = figures.get("item_counts") or {}
    if "total" in pub:
        checks.append(Check("合計", pub["total"], counts.total))
    for code, n in (pub.get("by_policy") or {}).items():
        checks.append(Check(f"施策 {code}", n, counts.by_policy.get(code, 0)))
    for code, n in (pub.get("by_basic_policy") or {}).items():
        checks.append(Check(f"基本方針 {code}", n, counts.by_area.get(code, 0)))
    for name, n in (pub.get("by_category") or {}).items():
        checks.append(Check(f"区分 {name}", n, counts.by_category.get(name, 0)))
    review = figures.get("review") or {}
    if review:
        statuses = review.get("statuses") or plan.measure_statuses
        checks.append(Check("合計", review.get("total"), counts.total))
        computed = [counts.by_status.get(s, 0) for s in statuses]
        checks.append(Check("状況別の件数", review.get("counts"), computed))
        for i, row in enumerate(review.get("rows") or [], start=1):
            checks.append(Check(f"目標 {row['goal']}", row["total"], counts.by_area.get(str(i), 0)))
        if review.get("percent"):
            total = counts.total or 1
            checks.append(Check("状況別の割合 (%)", review["percent"],
                                [float(round(Decimal(n) * 100 / total, 1)) for n in computed]))
    return checks


def plan_tree(plan: Plan) -> list[dict]:
    """Top areas with nested areas and policies: ``[{"area", "children", "policies"}]``;
    policies without an area come last as ``{"area": None, …}``."""
    areas = list(plan.areas.all())
    policies = list(plan.policies.all())
    by_parent: dict = {}
    for a in areas:
        by_parent.setdefault(a.parent_id, []).append(a)

    def node(area):
        return {"area": area, "children": [node(c) for c in by_parent.get(area.pk, [])],
                "policies": [p for p in policies if p.area_id == area.pk]}

    tree = [node(a) for a in by_parent.get(None, [])]
    loose = [p for p in policies if p.area_id is None]
    if loose:
        tree.append({"area": None, "children": [], "policies": loose})
    return tree


def counts_by_category_table(plan: Plan, counts: ItemCounts | None = None) -> dict:
    """Rows ``[(policy, {category: n}, total)]`` and column totals, for the plan page's table."""
    counts = counts or item_counts(plan)
    rows = [(p, {c: counts.by_policy_category.get(p.code, {}).get(c, 0) for c in counts.by_category},
             counts.by_policy.get(p.code, 0)) for p in plan.policies.all()]
    return {"categories": list(counts.by_category), "rows": rows, "totals": counts.by_category,
            "total": counts.total}


def status_table(plan: Plan, counts: ItemCounts | None = None) -> dict:
    counts = counts or item_counts(plan)
    rows = [(a, {s: counts.by_area_status.get(a.code, {}).get(s, 0) for s in counts.by_status},
             counts.by_area.get(a.code, 0)) for a in plan.areas.filter(parent=None)]
    total = counts.total or 1
    percent = {s: round(Decimal(n) * 100 / total, 1) for s, n in counts.by_status.items()}
    return {"statuses": list(counts.by_status), "rows": rows, "totals": counts.by_status, "total": counts.total,
            "percent": percent}

