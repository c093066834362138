"""Public API of the plans app (計画・成果指標・評価). Other apps import only from here.

Writes (each in one transaction, each change in the audit log — ``audit.save_fields``):

* ``load_plan_file(path, actor=…)`` / ``load_bundled(actor=…)`` — plan files (YAML, ``loading``)
* ``create_plan``, ``update_object``, ``add_area``, ``add_policy``, ``add_measure``,
  ``add_indicator``, ``bind_metric``, ``add_target``, ``revise_target``, ``set_actual``,
  ``refresh_metric_actuals``, ``save_evaluation``

Reads (``reports``): ``policy_report``, ``indicator_report``, ``evaluation_status``,
``item_counts``, ``published_checks``, ``plan_tree``; grading rules in ``grading``; the metric
registry (``register_metric``, ``metric_value``, ``metric_table``) in ``metrics``; the
evaluation sheet (HTML data and xlsx) in ``sheets``.

``actor`` everywhere is a user (``request.user``), a command name, or an ``audit.Actor``.
Errors: ``PlanError`` (bad value; ``param`` names the field), ``PlanFileError`` (a file, with
the place in it). Nothing half-written becomes visible: a failing call changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from madoguchi.wareki import WarekiError, parse_fiscal_year

from . import grading, metrics
from .audit import RESERVED_SLUGS, Actor, PlanError, save_fields
from .audit import equal_values as _equal
from .display import fiscal_year_bounds, to_decimal  # noqa: F401 (fiscal_year_bounds: for metrics of other apps)
from .loading import PlanFileError
from .metrics import UnknownMetric, get_metric, metric_table, metric_value, register_metric  # noqa: F401
from .models import Actual, AuditLogEntry, Evaluation, Indicator, Measure, Plan, Policy, PolicyArea, Target
from .plan_files import BUNDLED_FILES, FIXTURES, LoadResult, load_bundled, load_plan_file  # noqa: F401
from .reports import (evaluation_status, indicator_report, item_counts, plan_tree, policy_report,  # noqa: F401
                      published_checks)

__all__ = ["Actor", "PlanError", "PlanFileError", "grading", "metrics"]
YEAR_RANGE = (1900, 2200)


def _not_a_year(value) -> str:
    """Why ``value`` is not a fiscal year: 和暦 is read (``madoguchi.wareki``) to say which year was meant."""
    try:
        meant = parse_fiscal_year(str(value)) if isinstance(value, str) else None
    except WarekiError as exc:
        return f"年度 {value!r} はありません: {exc.reason}"
    if meant is not None:
        return f"年度は西暦で指定してください ({value} は {meant})"
    return f"年度 {value!r} は整数で指定してください (例: 2019)"


def _year(value, param: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise PlanError(param, _not_a_year(value)) from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise PlanError(param, f"年度 {year} は {YEAR_RANGE[0]}–{YEAR_RANGE[1]} の範囲で指定してください")
    return year


def _number(value, param: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise PlanError(param, "値を入力してください")
        return None
    try:
        number = to_decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise PlanError(param, f"{value!r} は数値ではありません") from None
    if not number.is_finite():
        raise PlanError(param, f"{value!r} は数値ではありません")
    return number

# -- staff edits -------------------------------------------------------------------------------

PLAN_FIELDS = ("name", "kind", "start_year", "end_year", "extended_to_year", "parent", "parent_note", "vision",
               "progress_management", "note", "source", "item_categories", "measure_statuses")


def create_plan(*, actor, slug: str, name: str, **fields) -> Plan:
    """Create a plan. ``slug`` is its URL name (``/plans/<slug>/``; not ``staff`` / ``metrics``).
    Other keyword arguments: any of ``PLAN_FIELDS``. :raises PlanError:"""
    if slug in RESERVED_SLUGS:
        raise PlanError("slug", f"計画の識別子に「{slug}」は使えません")
    if Plan.objects.filter(slug=slug).exists():
        raise PlanError("slug", f"計画「{slug}」はすでにあります", code="conflict")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise PlanError(sorted(unknown)[0], "この項目は設定できません")
    with transaction.atomic():
        plan = Plan(slug=slug)
        save_fields(plan, {"name": name, **fields}, Actor.of(actor))
    return plan


def update_object(obj, fields: dict, *, actor, reason: str = "") -> bool:
    """Change fields of a plan, area, policy, measure or indicator; logged. Returns whether
    anything changed. Use ``revise_target`` / ``set_actual`` / ``save_evaluation`` for those.
    :raises PlanError: a value the model rejects (nothing is written)."""
    if isinstance(obj, (Target, Actual, Evaluation, AuditLogEntry)):
        raise PlanError(None, f"{obj._meta.verbose_name} は専用の関数で変更してください")
    if isinstance(obj, Indicator) and "metric_id" in fields and fields["metric_id"]:
        _check_metric(fields["metric_id"])
    with transaction.atomic():
        return save_fields(obj, fields, Actor.of(actor), reason=reason)


def _add(model, lookup_code: dict, fields: dict, actor) -> object:
    with transaction.atomic():
        if model.objects.filter(**lookup_code).exists():
            raise PlanError("code", f"番号「{lookup_code['code']}」はすでにあります", code="conflict")
        obj = model(**{k: v for k, v in lookup_code.items()})
        save_fields(obj, fields, Actor.of(actor))
    return obj


def add_area(plan: Plan, *, actor, code: str, name: str, level_name: str = "", parent: PolicyArea | None = None
             ) -> PolicyArea:
    return _add(PolicyArea, {"plan": plan, "code": code}, {"name": name, "level_name": level_name, "parent": parent,
                                                            "position": plan.areas.count()}, actor)


def add_policy(plan: Plan, *, actor, code: str, name: str, area: PolicyArea | None = None, **fields) -> Policy:
    return _add(Policy, {"plan": plan, "code": code},
                {"name": name, "area": area, "position": plan.policies.count(), **fields}, actor)


def add_measure(policy: Policy, *, actor, code: str, name: str, **fields) -> Measure:
    return _add(Measure, {"policy": policy, "code": code},
                {"name": name, "position": policy.measures.count(), **fields}, actor)


def add_indicator(policy: Policy, *, actor, code: str, name: str, **fields) -> Indicator:
    if fields.get("metric_id"):
        _check_metric(fields["metric_id"])
    return _add(Indicator, {"policy": policy, "code": code},
                {"name": name, "position": policy.indicators.count(), **fields}, actor)


def _check_metric(metric_id: str) -> None:
    try:
        metric = get_metric(metric_id)
    except UnknownMetric as exc:
        raise PlanError("metric_id", str(exc), code="unknown_metric") from None
    if metric.kind != "yearly":
        raise PlanError("metric_id", f"「{metric_id}」は年度の値ではないため指標に結び付けられません")


def bind_metric(indicator: Indicator, metric_id: str, *, actor) -> Indicator:
    """Bind ``indicator`` to a registered yearly metric (``""`` unbinds). Its actuals then come
    from the metric for the years of the plan period that have begun (document and staff
    entries still win). :raises PlanError: unknown metric or not a yearly one."""
    if metric_id:
        _check_metric(metric_id)
    with transaction.atomic():
        save_fields(indicator, {"metric_id": metric_id}, Actor.of(actor))
    return indicator


def add_target(indicator: Indicator, *, actor, year, value, kind: str = Target.Kind.PERIOD, label: str = "",
               comparison: str = ">=") -> Target:
    """Add a target for fiscal ``year``. One current target per (year, kind): change one with
    ``revise_target``. :raises PlanError: bad year / value, or a current target exists."""
    year, value = _year(year, "year"), _number(value, "value")
    if kind not in Target.Kind.values:
        raise PlanError("kind", f"種類は {', '.join(Target.Kind.values)} のいずれかです")
    with transaction.atomic():
        if indicator.targets.filter(year=year, kind=kind, superseded_by=None).exists():
            raise PlanError("year", f"{year}年度の目標値はすでにあります。見直す場合は「目標値の見直し」から",
                            code="conflict")
        target = Target(indicator=indicator)
        save_fields(target, {"year": year, "value": value, "kind": kind, "label": label, "comparison": comparison},
                    Actor.of(actor))
    return target


def revise_target(target: Target, *, actor, value, reason: str) -> Target:
    """Revise a target: a new current Target with ``value`` and ``reason``; the old one is kept
    with ``superseded_by`` pointing at it (目標値の見直し; 川崎市 施策4-2-5 指標3 is the model).
    :raises PlanError: no reason, bad value, or the target was already revised."""
    value = _number(value, "value")
    if not (reason or "").strip():
        raise PlanError("reason", "目標値を見直す理由を入力してください")
    actor = Actor.of(actor)
    with transaction.atomic():
        target = Target.objects.select_for_update().get(pk=target.pk)
        if target.superseded_by_id is not None:
            raise PlanError(None, "この目標値はすでに見直されています", code="conflict")
        new = Target(indicator=target.indicator)
        save_fields(new, {"year": target.year, "value": value, "kind": target.kind, "label": target.label,
                          "comparison": target.comparison, "revision_reason": reason.strip()}, actor, reason=reason)
        save_fields(target, {"superseded_by": new}, actor, reason=reason)
    return new


def set_actual(indicator: Indicator, year, value, *, actor, source: str = Actual.Source.ENTERED,
               source_note: str = "") -> Actual:
    """Enter (or change) the actual of fiscal ``year``; ``value`` ``None``/"" records "—".
    :raises PlanError: bad year or value (nothing is written)."""
    year = _year(year, "year")
    value = _number(value, "value", required=False)
    actor = Actor.of(actor)
    with transaction.atomic():
        actual = Actual.objects.filter(indicator=indicator, year=year).first() or Actual(indicator=indicator,
                                                                                          year=year)
        fields = {"value": value, "source": source, "source_note": source_note[:300]}
        if actual.pk is None or any(not _equal(getattr(actual, k), v) for k, v in fields.items()):
            fields.update(entered_at=timezone.now(), entered_by=actor.user, published_status="")
            save_fields(actual, fields, actor)
    return actual


def refresh_metric_actuals(scope: Plan | Policy | Indicator, *, actor, today: dt.date | None = None) -> int:
    """Store the current values of bound metrics as actuals (source ``metric``) for every
    bound indicator in ``scope``; returns how many actuals were created or changed."""
    if isinstance(scope, Indicator):
        indicators = [scope]
    else:
        qs = Indicator.objects.exclude(metric_id="")
        indicators = list(qs.filter(policy__plan=scope) if isinstance(scope, Plan) else qs.filter(policy=scope))
    changed = 0
    actor = Actor.of(actor)
    with transaction.atomic():
        for indicator in indicators:
            for row in indicator_report(indicator, live=True, today=today).rows:
                if row.computed and row.actual is not None:
                    before = Actual.objects.filter(indicator=indicator, year=row.year).first()
                    if before is None or not _equal(before.value, row.actual) or before.source != "metric":
                        set_actual(indicator, row.year, row.actual, actor=actor, source=Actual.Source.METRIC,
                                   source_note=indicator.metric_id)
                        changed += 1
    return changed


def save_evaluation(policy: Policy, year, *, actor, progress_grade: str = "", progress_reason: str = "",
                    direction_grade: str = "", direction_reason: str = "", override_reason: str = "",
                    source: str = "") -> Evaluation:
    """Write (or change) the evaluation of ``policy`` for fiscal ``year``.

    The suggested progress grade is computed from the indicators (``grading``) and stored
    with the evaluation; a ``progress_grade`` different from the suggestion needs an
    ``override_reason`` (staff confirm or override with a reason).

    :raises PlanError: grade outside A–D / I–IV, or an override without a reason.
    """
    year = _year(year, "year")
    if progress_grade and progress_grade not in dict(Evaluation.PROGRESS_GRADES):
        raise PlanError("progress_grade", "進捗状況は A, B, C, D のいずれかです")
    if direction_grade and direction_grade not in dict(Evaluation.DIRECTION_GRADES):
        raise PlanError("direction_grade", "今後の方向性は I, II, III, IV のいずれかです")
    suggestion = evaluation_status(policy, year).suggestion
    suggested = suggestion.grade or ""
    if progress_grade and suggested and progress_grade != suggested and not override_reason.strip():
        raise PlanError("override_reason", f"指標からの判定は {suggested} です。{progress_grade} とする理由を入力してください")
    actor = Actor.of(actor)
    with transaction.atomic():
        evaluation = Evaluation.objects.filter(policy=policy, year=year).first() or Evaluation(policy=policy,
                                                                                              year=year)
        fields = {"progress_grade": progress_grade, "progress_reason": progress_reason.strip(),
                  "direction_grade": direction_grade, "direction_reason": direction_reason.strip(),
                  "suggested_progress_grade": suggested,
                  "override_reason": override_reason.strip() if progress_grade != suggested else "",
                  "source": source}
        if evaluation.pk is None or any(not _equal(getattr(evaluation, k), v) for k, v in fields.items()):
            fields.update(confirmed_by=actor.user, confirmed_at=timezone.now() if actor.user else None)
            save_fields(evaluation, fields, actor)
    return evaluation
