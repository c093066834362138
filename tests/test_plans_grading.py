"""Grading (issue #5): yearly status of an indicator, suggested progress grade A–D, and
evaluations staff confirm or override with a reason — every change in the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from madoguchi.plans import grading, services
from madoguchi.plans.models import Actual, AuditLogEntry, Evaluation, Target

D = Decimal


@pytest.mark.parametrize("actual, target, comparison, status", [
    (D(226), D(200), ">=", "achieved"),
    (D(200), D(200), ">=", "achieved"),
    (D(3942), D(4500), ">=", "not_achieved"),
    (D(104), D(105), "<=", "achieved"),       # 経費の抑制: at most 105 億円
    (D(106), D(105), "<=", "not_achieved"),
    (D(5), D(5), ">", "not_achieved"),
    (D(4), D(5), "<", "achieved"),
    (None, D(200), ">=", "no_data"),
    (D(1), None, ">=", "no_target"),
])
def test_status_of(actual, target, comparison, status):
    assert grading.status_of(actual, target, comparison) == status


@pytest.mark.parametrize("actual, baseline, direction, where", [
    (D(3942), D(2000), "higher", "above"),
    (D(2000), D(2000), "higher", "same"),
    (D(1900), D(2000), "higher", "below"),
    (D(1600), D(2000), "higher", "far_below"),   # 20 % below the baseline
    (D(1601), D(2000), "higher", "below"),
    (D(100), D(105), "at_most", "above"),        # lower cost is progress
    (D(130), D(105), "at_most", "far_below"),
    (D(90), D(100), "lower", "above"),
    (None, D(1), "higher", "unknown"),
    (D(1), None, "higher", "unknown"),
])
def test_versus_baseline(actual, baseline, direction, where):
    assert grading.versus_baseline(actual, baseline, direction) == where


@pytest.mark.parametrize("rows, grade", [
    ([("achieved", "above"), ("achieved", "above")], "A"),
    ([("achieved", "above"), ("not_achieved", "above"), ("achieved", "above")], "B"),   # 4-2-5 FY2019
    ([("achieved", "above"), ("not_achieved", "below"), ("achieved", "above")], "B"),   # one of three below
    ([("not_achieved", "below"), ("achieved", "above")], "C"),                           # half below
    ([("not_achieved", "far_below"), ("not_achieved", "below"), ("achieved", "above")], "C"),
    ([("not_achieved", "far_below"), ("not_achieved", "far_below"), ("achieved", "above")], "D"),
    ([("not_achieved", "unknown")], "B"),       # no baseline: never "below" it
    ([("no_data", "unknown"), ("no_target", "unknown")], None),
    ([("achieved", "above"), ("no_data", "unknown")], "A"),   # only indicators with target and actual count
    ([], None),
])
def test_suggest_progress_grade(rows, grade):
    assert grading.suggest_progress_grade(rows).grade == grade


def test_suggestion_reason_counts_indicators():
    s = grading.suggest_progress_grade([("achieved", "above"), ("not_achieved", "above"), ("achieved", "above")])
    assert s.reason == "指標3件のうち目標達成2件・目標未達成1件、策定時を下回るもの0件：一定の進捗あり"
    assert (s.achieved, s.not_achieved, s.below_baseline) == (2, 1, 0)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("hyoka", password="pw-12345-x", is_staff=True)


@pytest.fixture
def policy(db):
    """A small plan built through the services: one policy, two indicators with targets for FY2024."""
    plan = services.create_plan(actor="test", slug="test-plan", name="テスト市情報化計画", start_year=2024, end_year=2026)
    policy = services.add_policy(plan, actor="test", code="1", name="行政手続のオンライン化")
    a = services.add_indicator(policy, actor="test", code="1", name="電子申請の件数", unit="件",
                               baseline_year=2022, baseline_value=D(1000))
    b = services.add_indicator(policy, actor="test", code="2", name="窓口の待ち時間", unit="分",
                               direction="lower", baseline_year=2022, baseline_value=D(30))
    services.add_target(a, actor="test", year=2024, value="1500")
    services.add_target(b, actor="test", year=2024, value="20", comparison="<=")
    return policy


def test_evaluation_status__from_entered_actuals(policy, staff):
    a, b = policy.indicators.all()
    services.set_actual(a, 2024, "1600", actor=staff)
    services.set_actual(b, 2024, "25", actor=staff)
    status = services.evaluation_status(policy, 2024)
    assert [(row.status, row.versus_baseline) for _, row in status.rows()] == [
        ("achieved", "above"), ("not_achieved", "above")]
    assert status.suggestion.grade == "B"


def test_save_evaluation__same_as_suggestion_needs_no_override(policy, staff):
    a, b = policy.indicators.all()
    services.set_actual(a, 2024, 1600, actor=staff)
    services.set_actual(b, 2024, 18, actor=staff)
    e = services.save_evaluation(policy, 2024, actor=staff, progress_grade="A", progress_reason="すべて達成",
                                 direction_grade="I", direction_reason="現状のまま継続")
    assert (e.progress_grade, e.suggested_progress_grade, e.direction_grade, e.confirmed_by) == ("A", "A", "I", staff)
    assert e.confirmed_at is not None


def test_save_evaluation__override_without_reason_is_refused_and_nothing_written(policy, staff):
    a, _ = policy.indicators.all()
    services.set_actual(a, 2024, 1600, actor=staff)
    entries = AuditLogEntry.objects.count()
    with pytest.raises(services.PlanError, match="指標からの判定は A です。C とする理由を入力してください") as exc:
        services.save_evaluation(policy, 2024, actor=staff, progress_grade="C")
    assert exc.value.param == "override_reason"
    assert not Evaluation.objects.exists() and AuditLogEntry.objects.count() == entries


def test_save_evaluation__override_with_reason_is_kept_and_logged(policy, staff):
    a, _ = policy.indicators.all()
    services.set_actual(a, 2024, 1600, actor=staff)
    e = services.save_evaluation(policy, 2024, actor=staff, progress_grade="B",
                                 override_reason="指標2の実績が未集計のため", direction_grade="II")
    assert (e.progress_grade, e.suggested_progress_grade, e.override_reason) == ("B", "A", "指標2の実績が未集計のため")
    entry = AuditLogEntry.objects.filter(model="evaluation").first()
    assert entry.user == staff and entry.actor == "hyoka" and entry.action == "create"
    assert entry.changes["progress_grade"] == [None, "B"]
    # change the grade: old → new in the log
    services.save_evaluation(policy, 2024, actor=staff, progress_grade="A", direction_grade="II")
    entry = AuditLogEntry.objects.filter(model="evaluation").first()
    assert entry.action == "update" and entry.changes["progress_grade"] == ["B", "A"]
    assert entry.changes["override_reason"] == ["指標2の実績が未集計のため", ""]


@pytest.mark.parametrize("kwargs, param", [
    ({"progress_grade": "E"}, "progress_grade"),
    ({"direction_grade": "V"}, "direction_grade"),
    ({"year": "令和6年度"}, "year"),
    ({"year": 1800}, "year"),
])
def test_save_evaluation__bad_input(policy, staff, kwargs, param):
    year = kwargs.pop("year", 2024)
    with pytest.raises(services.PlanError) as exc:
        services.save_evaluation(policy, year, actor=staff, **kwargs)
    assert exc.value.param == param
    assert not Evaluation.objects.exists()


def test_revise_target__old_kept_with_reason_and_status_uses_new(policy, staff):
    a, _ = policy.indicators.all()
    services.set_actual(a, 2024, 1600, actor=staff)
    old = a.targets.get()
    new = services.revise_target(old, actor=staff, value="2000", reason="前年度に目標を上回ったため")
    old.refresh_from_db()
    assert old.superseded_by == new and new.revision_reason == "前年度に目標を上回ったため"
    report = services.indicator_report(a)
    assert [t.value for t in report.targets] == [D(2000)] and [t.value for t in report.revisions] == [D(1500)]
    assert report.row(2024).status == "not_achieved"
    logged = AuditLogEntry.objects.filter(model="target", reason="前年度に目標を上回ったため")
    assert logged.count() == 2  # the new target, and the old one pointing at it


@pytest.mark.parametrize("kwargs, param, message", [
    ({"value": "2000", "reason": " "}, "reason", "目標値を見直す理由を入力してください"),
    ({"value": "たくさん", "reason": "x"}, "value", "'たくさん' は数値ではありません"),
])
def test_revise_target__bad_input_writes_nothing(policy, staff, kwargs, param, message):
    a, _ = policy.indicators.all()
    before = (Target.objects.count(), AuditLogEntry.objects.count())
    with pytest.raises(services.PlanError, match=message) as exc:
        services.revise_target(a.targets.get(), actor=staff, **kwargs)
    assert exc.value.param == param
    assert (Target.objects.count(), AuditLogEntry.objects.count()) == before


def test_add_target__second_current_target_for_a_year_is_refused(policy, staff):
    a, _ = policy.indicators.all()
    with pytest.raises(services.PlanError, match="2024年度の目標値はすでにあります"):
        services.add_target(a, actor=staff, year=2024, value=1)
    assert a.targets.count() == 1


def test_set_actual__logs_who_when_old_and_new(policy, staff):
    a, _ = policy.indicators.all()
    services.set_actual(a, 2024, "1,600", actor=staff)
    services.set_actual(a, 2024, "1700", actor=staff)
    services.set_actual(a, 2024, "1700", actor=staff)  # unchanged: nothing logged
    entries = list(AuditLogEntry.objects.filter(model="actual").order_by("id"))
    assert [(e.action, e.changes["value"]) for e in entries] == [("create", [None, "1600"]), ("update", ["1600", "1700"])]
    assert all(e.user == staff and e.plan == policy.plan and e.at is not None for e in entries)
    actual = Actual.objects.get()
    assert (actual.value, actual.source, actual.entered_by) == (D(1700), "entered", staff)


@pytest.mark.parametrize("year, value, param", [("2024年", "1", "year"), (2024, "abc", "value"), (99999, "1", "year")])
def test_set_actual__bad_input_writes_nothing(policy, staff, year, value, param):
    a, _ = policy.indicators.all()
    with pytest.raises(services.PlanError) as exc:
        services.set_actual(a, year, value, actor=staff)
    assert exc.value.param == param
    assert not Actual.objects.exists()


def test_create_plan__reserved_and_duplicate_slugs(db):
    with pytest.raises(services.PlanError, match="「staff」は使えません"):
        services.create_plan(actor="t", slug="staff", name="x")
    services.create_plan(actor="t", slug="p", name="計画")
    with pytest.raises(services.PlanError, match="計画「p」はすでにあります"):
        services.create_plan(actor="t", slug="p", name="計画2")
    assert [e.action for e in AuditLogEntry.objects.all()] == ["create"]


def test_update_object__logs_old_and_new_with_reason(policy, staff):
    ind = policy.indicators.get(code="1")
    assert services.update_object(ind, {"name": "電子申請の利用件数", "unit": "件（年間）"}, actor=staff,
                                  reason="名称の統一")
    entry = AuditLogEntry.objects.first()
    assert entry.changes == {"name": ["電子申請の件数", "電子申請の利用件数"], "unit": ["件", "件（年間）"]}
    assert entry.reason == "名称の統一" and entry.object_repr == "1 電子申請の利用件数"
    assert not services.update_object(ind, {"name": "電子申請の利用件数"}, actor=staff)
