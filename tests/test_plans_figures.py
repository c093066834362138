"""The published figures of the cities' plan files (issue #5), pinned after loading them.

The four bundled files (src/madoguchi/plans/fixtures, copied from the cities' documents)
load; the tests pin what the documents publish: policy 4-2-5 graded B for FY2019 with
indicators 1 and 3 achieved and 2 not; 139 items of the 2016 programme per policy and per
category; Sagamihara's 34 projects with 29/0/1/4 by status; every indicator's baseline and targets.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from madoguchi.plans import services
from madoguchi.plans.models import Actual, AuditLogEntry, Evaluation, Indicator, Measure, Plan, Policy

KAWASAKI_DATA = "kawasaki-data-utilization-plan-2019"
KAWASAKI_ICT = "kawasaki-ict-program-2016"
SAGAMIHARA = "sagamihara-information-management-plan-2010"
COMPREHENSIVE = "kawasaki-comprehensive-plan"


@pytest.fixture(scope="module")
def bundled_once(django_db_setup, django_db_blocker):
    """The four files loaded once for this module (committed), removed after it."""
    try:
        with django_db_blocker.unblock():
            results = services.load_bundled(actor="test")
        yield results
    finally:
        with django_db_blocker.unblock():
            Plan.objects.all().delete()
            AuditLogEntry.objects.all().delete()


@pytest.fixture
def bundled(bundled_once, db):
    return bundled_once


def test_bundled__all_four_files_load_without_warnings(bundled):
    assert [r.file for r in bundled] == list(services.BUNDLED_FILES)
    assert [r.warnings for r in bundled] == [[], [], [], []]
    assert sorted(Plan.objects.values_list("slug", flat=True)) == sorted([
        "kawasaki-ict-plan-2016", KAWASAKI_ICT, KAWASAKI_DATA, COMPREHENSIVE, f"{SAGAMIHARA}-previous", SAGAMIHARA])


def test_bundled__plans_are_linked_to_their_parents_and_previous_plan(bundled):
    plans = {p.slug: p for p in Plan.objects.select_related("parent", "previous")}
    assert plans[KAWASAKI_ICT].parent.slug == "kawasaki-ict-plan-2016"
    assert plans[KAWASAKI_ICT].kind == "program"
    assert (plans[KAWASAKI_ICT].start_year, plans[KAWASAKI_ICT].end_year) == (2016, 2017)
    assert (plans["kawasaki-ict-plan-2016"].start_year, plans["kawasaki-ict-plan-2016"].end_year) == (2016, 2020)
    # "川崎市情報化推進プラン (FY2016–FY2020) / 川崎市総合計画" names a plan loaded from another file
    assert plans[KAWASAKI_DATA].parent.slug == "kawasaki-ict-plan-2016"
    assert plans[SAGAMIHARA].previous.slug == f"{SAGAMIHARA}-previous"
    assert (plans[SAGAMIHARA].start_year, plans[SAGAMIHARA].end_year, plans[SAGAMIHARA].extended_to_year) == (
        2010, 2014, 2016)


def test_policy_4_2_5__fy2019_suggestion_is_the_published_b(bundled):
    policy = Policy.objects.get(plan__slug=COMPREHENSIVE, code="4-2-5")
    status = services.evaluation_status(policy, 2019)
    assert status.suggestion.grade == "B"
    assert {r.indicator.code: row.status for r, row in status.rows()} == {
        "1": "achieved", "2": "not_achieved", "3": "achieved"}
    # the published evaluation: B and II, and the suggestion stored with it agrees
    e = Evaluation.objects.get(policy=policy, year=2019)
    assert (e.progress_grade, e.direction_grade, e.suggested_progress_grade, e.override_reason) == ("B", "II", "B", "")
    assert e.progress_reason == "一定の進捗がある（目標未達成のものがあるが一定の進捗があった）"
    # each computed status equals the one the document publishes for FY2019
    published = dict(Actual.objects.filter(indicator__policy=policy, year=2019)
                     .values_list("indicator__code", "published_status"))
    assert published == {"1": "目標達成", "2": "目標未達成", "3": "目標達成"}
    assert {r.indicator.code: row.status_label for r, row in status.rows()} == published


def test_policy_4_2_5__fy2018_is_also_b(bundled):
    policy = Policy.objects.get(plan__slug=COMPREHENSIVE, code="4-2-5")
    status = services.evaluation_status(policy, 2018)
    assert status.suggestion.grade == "B"
    assert [row.status for _, row in status.rows()] == ["achieved", "not_achieved", "achieved"]


def test_policy_4_2_5__hierarchy_direct_goal_and_programmes(bundled):
    policy = Policy.objects.select_related("area__parent").get(plan__slug=COMPREHENSIVE, code="4-2-5")
    assert policy.name == "ICT(情報通信技術)の活用による市民利便性の向上"
    assert (policy.area.code, policy.area.level_name, policy.area.name) == (
        "4-2", "政策", "新たな産業の創出と革新的な技術による生活利便性の向上")
    assert (policy.area.parent.code, policy.area.parent.level_name) == ("4", "基本政策")
    assert policy.direct_goal == "ICTにより、行政サービスを一層手軽に利用できるようにする"
    assert len(policy.programs) == 4
    assert policy.supplementary["online_procedures_available"] == 61
    assert policy.supplementary["line_messages"][0][0] == "2019-11-29"


def test_ict_programme_2016__139_items_per_policy_and_category(bundled):
    plan = Plan.objects.get(slug=KAWASAKI_ICT)
    counts = services.item_counts(plan)
    assert counts.total == 139
    assert counts.by_policy == {"1-1": 17, "1-2": 25, "1-3": 18, "2-1": 15, "2-2": 13, "3-1": 47, "3-2": 4}
    assert counts.by_area == {"1": 60, "2": 28, "3": 51}
    assert counts.by_category == {"重点": 34, "改修・再構築": 15, "情報化施策": 90}
    checks = services.published_checks(plan)
    assert len(checks) == 14 and all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_ict_programme_2016__priority_items_with_departments_and_repeats(bundled):
    items = {m.code: m for m in Measure.objects.filter(policy__plan__slug=KAWASAKI_ICT).select_related(
        "repeat_of", "policy")}
    assert len(items) == 24
    assert all(m.category == "重点" for m in items.values())
    assert items["3-1-8"].department == "病院局"
    repeats = {code: m.repeat_of.code for code, m in items.items() if m.repeat_of}
    assert repeats == {"2-1-3": "1-2-1", "2-1-4": "1-2-2", "2-1-5": "1-1-1", "2-2-1": "1-2-2", "2-2-2": "1-1-2",
                       "2-2-3": "1-3-3"}
    assert items["2-2-3"].repeat_of.policy.code == "1-3"


def test_sagamihara__review_of_34_projects_29_0_1_4(bundled):
    previous = Plan.objects.get(slug=f"{SAGAMIHARA}-previous")
    counts = services.item_counts(previous)
    assert counts.total == 34
    assert counts.by_status == {"完了・拡大": 29, "構築中": 0, "検討中": 1, "未着手": 4}
    assert counts.by_area == {"1": 21, "2": 2, "3": 11}
    checks = {c.name: c for c in services.published_checks(previous)}
    assert checks["状況別の割合 (%)"].computed == [85.3, 0.0, 2.9, 11.8]
    assert all(c.ok for c in checks.values())


def test_sagamihara__plan_structure(bundled):
    plan = Plan.objects.get(slug=SAGAMIHARA)
    assert plan.areas.count() == 3 and plan.policies.count() == 6
    measures = Measure.objects.filter(policy__plan=plan)
    assert measures.filter(parent=None).count() == 14  # 取組の方向 1–14
    priority = measures.filter(category="重点").values_list("name", flat=True)
    assert "電子申請の推進" in priority and len(priority) == 9
    guide = measures.get(name="電子行政サービス案内の充実")
    assert guide.detail == "ライフイベント別" and guide.parent.code == "2"
    assert Policy.objects.get(plan=plan, code="1-1").short_name == "行政サービス"


# Every indicator of the files: (plan, policy, indicator, baseline year, baseline, direction,
# [(year, value, kind, label, comparison)] of the current targets).
INDICATORS = [
    (KAWASAKI_DATA, "1", "1-1", 2017, "108", "higher", [(2021, "300", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "1", "1-2", 2017, "2858", "higher", [(2021, "5000", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "2", "2-1", 2017, None, "higher", [(2021, "5", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "3", "3-1", 2017, "64", "higher", [(2021, "70", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "3", "3-2", 2017, "157589", "higher", [(2021, "172000", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "4", "4-1", 2017, "112671", "higher", [(2021, "179000", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "4", "4-2", 2017, "273000", "higher", [(2021, "382000", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "4", "4-3", 2017, None, "higher", [(2021, "10", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "5", "5-1", 2017, "16", "higher", [(2021, "16", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "5", "5-2", 2017, "1613", "higher", [(2021, "2400", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "6", "6-1", 2017, "13.6", "higher", [(2021, "20", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "7", "7-1", 2016, "105", "at_most", [(2021, "105", "period", "目標値", "<=")]),
    (KAWASAKI_DATA, "7", "7-2", 2017, "7", "higher", [(2021, "13", "period", "目標値", ">=")]),
    (KAWASAKI_DATA, "7", "7-3", 2017, "9", "higher", [(2021, "25", "period", "目標値", ">=")]),
    (COMPREHENSIVE, "4-2-5", "1", 2014, "27", "higher", [
        (2017, "100", "period", "第1期目標", ">="), (2018, "150", "year", "2018年度目標", ">="),
        (2019, "200", "year", "2019年度目標", ">="), (2021, "300", "period", "第2期目標", ">="),
        (2025, "500", "period", "第3期目標", ">=")]),
    (COMPREHENSIVE, "4-2-5", "2", 2014, "2000", "higher", [
        (2017, "4000", "period", "第1期目標", ">="), (2018, "4250", "year", "2018年度目標", ">="),
        (2019, "4500", "year", "2019年度目標", ">="), (2021, "5000", "period", "第2期目標", ">="),
        (2025, "6000", "period", "第3期目標", ">=")]),
    (COMPREHENSIVE, "4-2-5", "3", 2014, "103400", "higher", [
        (2017, "108000", "period", "第1期目標", ">="), (2018, "152000", "year", "2018年度目標", ">="),
        (2019, "159000", "year", "2019年度目標", ">="), (2021, "172000", "period", "第2期目標", ">="),
        (2025, "200000", "period", "第3期目標", ">=")]),
    (SAGAMIHARA, "1-1", "1-1", 2009, "43.8", "higher", [(2012, "49.8", "period", "中間値", ">="),
                                                         (2014, "53.8", "period", "目標値", ">=")]),
    (SAGAMIHARA, "1-2", "1-2", 2009, "39.9", "higher", [(2012, "45.9", "period", "中間値", ">="),
                                                         (2014, "50", "period", "目標値", ">=")]),
    (SAGAMIHARA, "2-1", "2-1", 2009, "37.2", "higher", [(2012, "44.8", "period", "中間値", ">="),
                                                         (2014, "50", "period", "目標値", ">=")]),
    (SAGAMIHARA, "2-2", "2-2", 2009, "35.3", "higher", [(2012, "44.1", "period", "中間値", ">="),
                                                         (2014, "50", "period", "目標値", ">=")]),
    (SAGAMIHARA, "3-1", "3-1", 2009, None, "higher", [(2012, "10", "period", "中間値", ">="),
                                                       (2014, "20", "period", "目標値", ">=")]),
    (SAGAMIHARA, "3-2", "3-2", 2009, "86.5", "higher", [(2012, "88.6", "period", "中間値", ">="),
                                                         (2014, "90", "period", "目標値", ">=")]),
]


@pytest.mark.parametrize("plan, policy, code, base_year, base, direction, targets", INDICATORS,
                         ids=[f"{p}:{c}" for p, _, c, *_ in INDICATORS])
def test_indicator_baseline_and_targets(bundled, plan, policy, code, base_year, base, direction, targets):
    ind = Indicator.objects.get(policy__plan__slug=plan, policy__code=policy, code=code)
    assert ind.baseline_year == base_year
    assert ind.baseline_value == (Decimal(base) if base is not None else None)
    assert ind.direction == direction
    current = [(t.year, t.value, t.kind, t.label, t.comparison)
               for t in ind.targets.filter(superseded_by=None).order_by("year")]
    assert current == [(y, Decimal(v), k, lab, c) for y, v, k, lab, c in targets]


def test_every_indicator_of_the_files_is_pinned(bundled):
    assert Indicator.objects.count() == len(INDICATORS)


def test_policy_4_2_5_indicator_3__target_revision_kept_with_reason(bundled):
    ind = Indicator.objects.get(policy__code="4-2-5", code="3")
    revised = ind.targets.exclude(superseded_by=None).select_related("superseded_by").order_by("year")
    assert [(t.year, t.label, t.value, t.superseded_by.value) for t in revised] == [
        (2021, "第2期目標", Decimal("113000"), Decimal("172000")),
        (2025, "第3期目標", Decimal("118000"), Decimal("200000"))]
    assert revised[0].superseded_by.revision_reason == "H28 actual exceeded the 3rd-period target"


def test_policy_4_2_5__actuals_come_from_the_document(bundled):
    actuals = Actual.objects.filter(indicator__policy__code="4-2-5").order_by("indicator__code", "year")
    assert [(a.indicator.code, a.year, a.value) for a in actuals] == [
        ("1", 2018, 198), ("1", 2019, 226), ("2", 2018, 3372), ("2", 2019, 3942),
        ("3", 2018, 178930), ("3", 2019, 226491)]
    assert {a.source for a in actuals} == {"document"}
    assert actuals[0].source_note.startswith("川崎市 施策4-2-5")
