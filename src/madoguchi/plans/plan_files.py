"""Writing plan files into the database: ``load_plan_file`` and ``load_bundled``.

The files are read by ``loading`` into ``PlanSpec`` trees; this module writes them in one
transaction per file through ``audit.save_fields`` (so every creation and change is logged),
matching objects by their codes, and reports where madoguchi's figures differ from the
document's. Public names are re-exported by ``plans.services``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .audit import RESERVED_SLUGS, Actor, PlanError, save_fields
from .audit import equal_values as _equal
from .loading import IndicatorSpec, MeasureSpec, PlanSpec, read_plan_file
from .models import Actual, Evaluation, Indicator, Measure, MeasureCount, Plan, Policy, PolicyArea, Target
from .reports import evaluation_status, policy_report, published_checks

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Parents before the plans that name them, so links resolve in one pass.
BUNDLED_FILES = ("kawasaki-ict-program-2016.yaml", "kawasaki-data-utilization-plan-2019.yaml",
                 "kawasaki-policy-4-2-5-evaluation-2020.yaml", "sagamihara-information-management-plan-2010.yaml")


@dataclass
class LoadResult:
    """What ``load_plan_file`` did: the plans of the file, how many objects were created or
    changed (0 and 0 when the file was loaded before unchanged), and warnings where a figure
    madoguchi computes differs from the one the document publishes."""

    file: str
    plans: list[Plan]
    created: int = 0
    changed: int = 0
    warnings: list[str] = field(default_factory=list)


class _Tally:
    def __init__(self):
        self.created = self.changed = 0

    def upsert(self, model, lookup: dict, fields: dict, actor: Actor, *, reason: str = ""):
        obj = model.objects.filter(**lookup).first()
        creating = obj is None
        if creating:
            obj = model(**lookup)
        if save_fields(obj, fields, actor, reason=reason):
            if creating:
                self.created += 1
            else:
                self.changed += 1
        return obj


# -- loading -----------------------------------------------------------------------------------

def load_plan_file(path: str | Path, *, actor) -> LoadResult:
    """Load one plan file (any of the four layouts of ``loading``) into the database.

    Idempotent: objects are matched by their codes (plan slug, area / policy / measure /
    indicator code, target year and kind, actual year) and only real changes are written and
    logged. Values of the file replace earlier ones (it is the published document); objects
    the file does not mention are kept.

    :raises PlanFileError: the file cannot be read (nothing is written).
    :raises PlanError: a value is rejected by the model (nothing is written).
    """
    actor = Actor.of(actor)
    specs = read_plan_file(path)
    tally = _Tally()
    with transaction.atomic():
        plans = [_write_plan(spec, actor, tally) for spec in specs]
    result = LoadResult(file=Path(path).name, plans=plans, created=tally.created, changed=tally.changed)
    for plan in plans:
        result.warnings += [f"{plan.name}: {c.name} は資料 {c.published}、計算 {c.computed}"
                            for c in published_checks(plan) if not c.ok]
        for policy in plan.policies.all():
            result.warnings += _status_warnings(policy)
    return result


def load_bundled(*, actor) -> list[LoadResult]:
    """Load the four bundled plan files (``plans/fixtures``, see its ATTRIBUTION.md)."""
    return [load_plan_file(FIXTURES / name, actor=actor) for name in BUNDLED_FILES]


def _status_warnings(policy: Policy) -> list[str]:
    warnings = []
    report = policy_report(policy, live=False)
    for r in report.indicators:
        for row in r.rows:
            if row.published_status and row.published_status != row.status_label:
                warnings.append(f"施策 {policy.code} 指標 {r.indicator.code} {row.year}年度: "
                                f"資料は{row.published_status}、判定は{row.status_label}")
    for e in report.evaluations:
        if e.progress_grade and e.suggested_progress_grade and e.progress_grade != e.suggested_progress_grade:
            warnings.append(f"施策 {policy.code} {e.year}年度: 公表された進捗状況 {e.progress_grade}、"
                            f"指標からの判定 {e.suggested_progress_grade}")
    return warnings


def _parent_name(note: str) -> str:
    return re.split(r"\s*[(（/]", note, maxsplit=1)[0].strip() if note else ""


def _write_plan(spec: PlanSpec, actor: Actor, tally: _Tally) -> Plan:
    if spec.slug in RESERVED_SLUGS:
        raise PlanError("slug", f"計画の識別子に「{spec.slug}」は使えません")
    plan = Plan.objects.filter(slug=spec.slug).first()
    parent = None
    if spec.parent_slug:
        parent = Plan.objects.filter(slug=spec.parent_slug).first()
    elif spec.parent_note:
        parent = Plan.objects.filter(name=_parent_name(spec.parent_note)).exclude(slug=spec.slug).first()
    fields = {
        "name": spec.name, "kind": spec.kind, "start_year": spec.start_year, "end_year": spec.end_year,
        "extended_to_year": spec.extended_to_year, "parent_note": spec.parent_note, "vision": spec.vision,
        "progress_management": spec.progress_management, "note": spec.note, "source": spec.source,
        "source_file": spec.source_file, "item_categories": spec.item_categories,
        "measure_statuses": spec.measure_statuses, "periods": spec.periods,
        "grade_definitions": spec.grade_definitions, "published_figures": spec.published_figures,
        "previous": Plan.objects.filter(slug=spec.previous_slug).first() if spec.previous_slug else None,
    }
    if parent is not None:
        fields["parent"] = parent
    if spec.only_fields is not None:
        fields = {k: v for k, v in fields.items() if k in spec.only_fields}
    plan = tally.upsert(Plan, {"slug": spec.slug}, fields, actor)
    for child in Plan.objects.filter(parent=None).exclude(pk=plan.pk).exclude(parent_note=""):
        if _parent_name(child.parent_note) == plan.name:
            if save_fields(child, {"parent": plan}, actor, reason=f"上位計画「{plan.name}」を読み込んだため"):
                tally.changed += 1
    areas: dict[str, PolicyArea] = {a.code: a for a in plan.areas.all()}
    offset = plan.areas.count() if spec.only_fields else 0
    for i, a in enumerate(spec.areas):
        parent_area = areas.get(a.parent_code) if a.parent_code else None
        existing = areas.get(a.code)
        position = existing.position if existing is not None and spec.only_fields else offset + i
        areas[a.code] = tally.upsert(PolicyArea, {"plan": plan, "code": a.code},
                                     {"name": a.name, "level_name": a.level_name, "parent": parent_area,
                                      "position": position}, actor)
        for c in a.counts:
            tally.upsert(MeasureCount, {"plan": plan, "area": areas[a.code], "policy": None, "category": c.category,
                                        "status": c.status}, {"count": c.count}, actor)
    offset = plan.policies.count() if spec.only_fields else 0
    for i, p in enumerate(spec.policies):
        existing = plan.policies.filter(code=p.code).first()
        position = existing.position if existing is not None and spec.only_fields else offset + i
        policy = tally.upsert(Policy, {"plan": plan, "code": p.code}, {
            "name": p.name, "area": areas.get(p.area_code) if p.area_code else None, "short_name": p.short_name,
            "direct_goal": p.direct_goal, "programs": p.programs, "supplementary": p.supplementary,
            "position": position}, actor)
        for c in p.counts:
            tally.upsert(MeasureCount, {"plan": plan, "area": None, "policy": policy, "category": c.category,
                                        "status": c.status}, {"count": c.count}, actor)
        _write_measures(policy, p.measures, None, actor, tally)
        for n, ind in enumerate(p.indicators):
            _write_indicator(policy, ind, n, spec.source, actor, tally)
        for e in p.evaluations:
            status = evaluation_status(policy, e.year, live=False)
            suggested = status.suggestion.grade or ""
            override = (f"公表された評価（{e.source or spec.source_file}）"
                        if e.progress_grade and suggested and e.progress_grade != suggested else "")
            tally.upsert(Evaluation, {"policy": policy, "year": e.year}, {
                "progress_grade": e.progress_grade, "direction_grade": e.direction_grade,
                "progress_reason": e.progress_reason, "direction_reason": e.direction_reason,
                "suggested_progress_grade": suggested, "override_reason": override, "source": e.source}, actor)
    measures = {m.code: m for m in Measure.objects.filter(policy__plan=plan)}
    for p in spec.policies:
        for m in _flatten(p.measures):
            if m.repeat_of:
                if save_fields(measures[m.code], {"repeat_of": measures[m.repeat_of]}, actor):
                    tally.changed += 1
    return plan


def _flatten(measures: list[MeasureSpec]) -> list[MeasureSpec]:
    out = []
    for m in measures:
        out.append(m)
        out += _flatten(m.children)
    return out


def _write_measures(policy: Policy, specs: list[MeasureSpec], parent: Measure | None, actor: Actor,
                    tally: _Tally) -> None:
    for i, m in enumerate(specs):
        measure = tally.upsert(Measure, {"policy": policy, "code": m.code}, {
            "name": m.name, "detail": m.detail, "category": m.category, "status": m.status,
            "department": m.department, "parent": parent, "position": i}, actor)
        _write_measures(policy, m.children, measure, actor, tally)


def _write_indicator(policy: Policy, spec: IndicatorSpec, position: int, source: str, actor: Actor,
                     tally: _Tally) -> None:
    indicator = tally.upsert(Indicator, {"policy": policy, "code": spec.code}, {
        "name": spec.name, "method": spec.method, "unit": spec.unit, "direction": spec.direction,
        "baseline_year": spec.baseline_year, "baseline_value": spec.baseline_value, "note": spec.note,
        "position": position}, actor)
    for t in spec.targets:
        target = tally.upsert(Target, {"indicator": indicator, "year": t.year, "kind": t.kind, "superseded_by": None},
                              {"value": t.value, "label": t.label, "comparison": t.comparison,
                               "revision_reason": t.revision_reason}, actor)
        if t.revised_from is not None:
            tally.upsert(Target, {"indicator": indicator, "year": t.year, "kind": t.kind, "superseded_by": target},
                         {"value": t.revised_from, "label": t.label, "comparison": t.comparison}, actor,
                         reason=t.revision_reason)
    for a in spec.actuals:
        existing = Actual.objects.filter(indicator=indicator, year=a.year).first()
        fields = {"value": a.value, "source": Actual.Source.DOCUMENT, "source_note": source[:300],
                  "published_status": a.published_status}
        if existing is None or any(not _equal(getattr(existing, k), v) for k, v in fields.items()):
            fields.update(entered_at=timezone.now(), entered_by=actor.user)
        tally.upsert(Actual, {"indicator": indicator, "year": a.year}, fields, actor)
