"""Lottery entry rules (issue #7): limits per individual / group / facility type,
duplicate entries, members entering through several groups — one case per rule,
each refused with a clear message and nothing written; the pre-draw check finds
what changed after the entries were made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from madoguchi.reservations import services
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import EntryStatus, FacilityType, LotteryEntry

from .test_reservations_factories import (  # noqa: F401  (fixtures)
    CLOSES, DRAW, NOW, OPENS, gym, make_facility, make_member, period, slot_at, tennis)


@pytest.fixture
def people(db):
    return [make_member(name) for name in ("川崎 一郎", "幸 花子", "中原 次郎", "高津 三郎")]


def _group(name, rep, *others):
    return services.create_group(name=name, representative=rep, members=others)


def _enter(period, slot, member, group=None, **kw):
    return services.apply_entry(period, slot, member, group=group, now=kw.pop("now", NOW), **kw)


# Each case: setup(period, tennis, gym, people) → kwargs of apply_entry; the code; words the message must contain.
def _before_window(p, t, g, m):
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0], now=OPENS - dt.timedelta(minutes=1))


def _after_window(p, t, g, m):
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0], now=CLOSES)


def _slot_not_in_lottery(p, t, g, m):
    hall = make_facility("hall", facility_type=FacilityType.CIVIC_HALL, units=1)
    services.generate_slots([hall], dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    return dict(slot=slot_at(hall, 1, 4, 9), member=m[0])


def _slot_closed(p, t, g, m):
    slot = slot_at(t, 1, 4, 9)
    slot.closed = True
    slot.save()
    return dict(slot=slot, member=m[0])


def _member_inactive(p, t, g, m):
    m[0].active = False
    m[0].save()
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0])


def _group_inactive(p, t, g, m):
    group = _group("野球団", m[0], m[1])
    group.active = False
    group.save()
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0], group=group)


def _not_representative(p, t, g, m):
    return dict(slot=slot_at(t, 1, 4, 9), member=m[1], group=_group("野球団", m[0], m[1]))


def _group_too_small(p, t, g, m):
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0], group=_group("ひとり団", m[0]))


def _duplicate_individual(p, t, g, m):
    _enter(p, slot_at(t, 1, 4, 9), m[0])
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0])


def _duplicate_group(p, t, g, m):
    group = _group("野球団", m[0], m[1])
    _enter(p, slot_at(t, 1, 4, 9), m[0], group)
    return dict(slot=slot_at(t, 1, 4, 9), member=m[0], group=group)


def _limit_individual(p, t, g, m):
    for slot in (slot_at(t, 1, 4, 9), slot_at(t, 1, 5, 9), slot_at(g, 1, 4, 9), slot_at(g, 1, 5, 9)):
        _enter(p, slot, m[0])
    return dict(slot=slot_at(g, 1, 6, 9), member=m[0])


def _limit_group(p, t, g, m):
    group = _group("野球団", m[0], m[1])
    for slot in (slot_at(t, 1, 4, 9), slot_at(t, 1, 5, 9), slot_at(g, 1, 4, 9), slot_at(g, 1, 5, 9),
                 slot_at(g, 1, 6, 9)):
        _enter(p, slot, m[0], group)
    return dict(slot=slot_at(g, 1, 7, 9), member=m[0], group=group)


def _limit_facility_type(p, t, g, m):
    _enter(p, slot_at(t, 1, 4, 9), m[0])
    _enter(p, slot_at(t, 2, 5, 11), m[0])
    return dict(slot=slot_at(t, 1, 6, 9), member=m[0])


def _member_in_two_groups(p, t, g, m):
    first = _group("野球団", m[0], m[2])
    _enter(p, slot_at(t, 1, 4, 9), m[0], first)
    second = _group("ソフトボール団", m[1], m[2])  # 中原 次郎 (m[2]) is in both
    return dict(slot=slot_at(t, 2, 11, 13), member=m[1], group=second)


CASES = [
    ("before-window", _before_window, "outside_window", "申込期間"),
    ("after-window", _after_window, "outside_window", "申込期間"),
    ("slot-not-in-lottery", _slot_not_in_lottery, "not_in_lottery", "この抽選の対象ではありません"),
    ("slot-closed", _slot_closed, "slot_closed", "受付を停止"),
    ("member-inactive", _member_inactive, "member_inactive", "利用者登録が無効"),
    ("group-inactive", _group_inactive, "group_inactive", "団体登録が無効"),
    ("not-representative", _not_representative, "not_representative", "代表者だけ"),
    ("group-too-small", _group_too_small, "group_too_small", "2 人以上必要です（現在 1 人）"),
    ("duplicate-individual", _duplicate_individual, "duplicate_entry", "すでに申し込んでいます（申込番号"),
    ("duplicate-group", _duplicate_group, "duplicate_entry", "同じ枠に 2 回以上申し込むことはできません"),
    ("limit-per-individual", _limit_individual, "limit_per_applicant", "個人の申込は 1 回の抽選につき 4 件まで"),
    ("limit-per-group", _limit_group, "limit_per_applicant", "団体の申込は 1 回の抽選につき 5 件まで"),
    ("limit-per-facility-type", _limit_facility_type, "limit_per_facility_type", "屋外スポーツ施設への申込は 1 回の抽選につき 2 件まで"),
    ("member-in-several-groups", _member_in_two_groups, "member_in_several_groups", "利用者番号"),
]


@pytest.mark.parametrize("setup,code,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_apply_entry__rule_refuses_with_clear_message_and_writes_nothing(period, tennis, gym, people, setup, code,
                                                                         words):
    kwargs = setup(period, tennis, gym, people)
    before = list(LotteryEntry.objects.values_list("pk", "status"))
    with pytest.raises(ReservationError) as caught:
        _enter(period, **kwargs)
    assert caught.value.code == code
    assert words in caught.value.message
    assert list(LotteryEntry.objects.values_list("pk", "status")) == before


def test_apply_entry__member_in_several_groups_message_names_the_member_and_type(period, tennis, people):
    kwargs = _member_in_two_groups(period, tennis, None, people)
    with pytest.raises(ReservationError) as caught:
        _enter(period, **kwargs)
    assert caught.value.message == (
        f"この団体の登録メンバー（利用者番号 {people[2].pk}）は、この抽選ですでに別の団体から屋外スポーツ施設に"
        "申し込んでいます。1 人が複数の団体を通じて申し込むことはできません")


def test_apply_entry__member_of_two_groups_may_enter_another_facility_type(period, tennis, gym, people):
    first = _group("野球団", people[0], people[2])
    _enter(period, slot_at(tennis, 1, 4, 9), people[0], first)
    second = _group("バレーボール団", people[1], people[2])
    entry = _enter(period, slot_at(gym, 1, 4, 9), people[1], second)
    assert (entry.group, entry.status) == (second, EntryStatus.ACTIVE)


def test_apply_entry__preference_defaults_to_order_of_entering(period, tennis, gym, people):
    entries = [_enter(period, s, people[0]) for s in (slot_at(tennis, 1, 4, 9), slot_at(gym, 1, 4, 9))]
    chosen = _enter(period, slot_at(gym, 1, 5, 9), people[0], preference=1)
    assert [e.preference for e in entries] + [chosen.preference] == [1, 2, 1]


def test_apply_entry__group_and_individual_count_separately(period, tennis, people):
    group = _group("野球団", people[0], people[1])
    for day in (4, 5):
        _enter(period, slot_at(tennis, 1, day, 9), people[0])
        _enter(period, slot_at(tennis, 1, day, 9), people[0], group)
    assert LotteryEntry.objects.filter(group__isnull=True).count() == 2
    assert LotteryEntry.objects.filter(group=group).count() == 2


def test_withdraw_entry__frees_the_slot_for_a_new_entry(period, tennis, people):
    entry = _enter(period, slot_at(tennis, 1, 4, 9), people[0])
    services.withdraw_entry(entry.pk, people[0], now=NOW)
    again = _enter(period, slot_at(tennis, 1, 4, 9), people[0])
    assert list(LotteryEntry.objects.values_list("pk", "status")) == [
        (entry.pk, EntryStatus.WITHDRAWN), (again.pk, EntryStatus.ACTIVE)]


@pytest.mark.parametrize("who,when,code", [("other", NOW, "not_found"), ("self", CLOSES, "outside_window")])
def test_withdraw_entry__refused(period, tennis, people, who, when, code):
    entry = _enter(period, slot_at(tennis, 1, 4, 9), people[0])
    with pytest.raises(ReservationError) as caught:
        services.withdraw_entry(entry.pk, people[0] if who == "self" else people[1], now=when)
    assert caught.value.code == code
    assert LotteryEntry.objects.get().status == EntryStatus.ACTIVE


def test_database_refuses_two_active_entries_of_one_applicant_for_one_slot(period, tennis, people):
    entry = _enter(period, slot_at(tennis, 1, 4, 9), people[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        LotteryEntry.objects.create(period=period, slot=entry.slot, member=people[0])
    assert LotteryEntry.objects.count() == 1


# ------------------------------------------------------------ pre-draw check


def test_find_problems__member_joining_a_second_group_after_entering_is_detected(period, tennis, people):
    first = _group("野球団", people[0], people[1])
    second = _group("ソフトボール団", people[2], people[3])
    a = _enter(period, slot_at(tennis, 1, 4, 9), people[0], first)
    b = _enter(period, slot_at(tennis, 2, 4, 9), people[2], second)
    services.add_group_member(second, people[1])  # 幸 花子 now counts in both groups
    problems = services.find_problems(period)
    assert [(p.entry_id, p.code) for p in problems] == [(b.pk, "member_in_several_groups")]
    assert f"利用者番号 {people[1].pk}" in problems[0].message and f"団体番号 {first.pk}" in problems[0].message
    assert a.pk not in [p.entry_id for p in problems]


def test_find_problems__rules_tightened_after_entering(period, tennis, gym, people):
    entries = [_enter(period, s, people[0]) for s in (slot_at(tennis, 1, 4, 9), slot_at(gym, 1, 4, 9),
                                                      slot_at(gym, 1, 5, 9))]
    period.rules = {**period.rules, "max_entries_per_individual": 2}
    period.save()
    assert [(p.entry_id, p.code) for p in services.find_problems(period)] == [(entries[2].pk, "limit_per_applicant")]


def test_find_problems__deactivated_member_and_closed_slot(period, tennis, gym, people):
    a = _enter(period, slot_at(tennis, 1, 4, 9), people[0])
    b = _enter(period, slot_at(gym, 1, 4, 9), people[1])
    people[0].active = False
    people[0].save()
    b.slot.closed = True
    b.slot.save()
    assert [(p.entry_id, p.code) for p in services.find_problems(period)] == [
        (a.pk, "member_inactive"), (b.pk, "slot_closed")]


def test_run_draw__invalidates_detected_entries_and_leaves_them_out_of_the_published_list(period, tennis, people):
    first = _group("野球団", people[0], people[1])
    second = _group("ソフトボール団", people[2], people[3])
    _enter(period, slot_at(tennis, 1, 4, 9), people[0], first)
    bad = _enter(period, slot_at(tennis, 1, 4, 9), people[2], second)
    services.add_group_member(second, people[1])
    summary = services.run_draw(period, now=DRAW)
    bad.refresh_from_db()
    assert (summary.entries, summary.invalid, summary.won) == (1, 1, 1)
    assert bad.status == EntryStatus.INVALID and "別の団体" in bad.invalid_reason
    published = services.published_file(period, "entries").decode()
    assert published.count("\n") == 2 and f"\n{bad.pk}," not in published


# ------------------------------------------------------------ period rules


@pytest.mark.parametrize("rules,param", [
    ({"max_entries_per_individual": -1}, "max_entries_per_individual"),
    ({"max_entries_per_group": "5"}, "max_entries_per_group"),
    ({"max_entries_per_facility_type": {"swimming": 2}}, "max_entries_per_facility_type"),
    ({"priority_classes": ["vip"]}, "priority_classes"),
    ({"keep_rule": "random"}, "keep_rule"),
    ({"max_wins": 1}, "max_wins"),
])
def test_create_period__bad_rule_is_named_and_nothing_written(tennis, rules, param):
    from madoguchi.reservations.models import LotteryPeriod

    from .test_reservations_factories import make_period
    with pytest.raises(ReservationError) as caught:
        make_period(rules=rules)
    assert (caught.value.code, caught.value.param) == ("invalid_rule", param)
    assert not LotteryPeriod.objects.exists()


@pytest.mark.parametrize("change,param", [
    ({"application_closes_at": OPENS}, "application_closes_at"),
    ({"draw_at": CLOSES - dt.timedelta(hours=1)}, "draw_at"),
    ({"usage_starts_on": dt.date(2026, 6, 15)}, "usage_starts_on"),
    ({"usage_ends_on": dt.date(2026, 6, 30)}, "usage_ends_on"),
    ({"facility_types": ["pool"]}, "facility_types"),
    ({"now": CLOSES}, "application_closes_at"),
])
def test_create_period__bad_dates_are_named_and_nothing_written(tennis, change, param):
    from madoguchi.reservations.models import LotteryPeriod, Slot

    from .test_reservations_factories import make_period
    with pytest.raises(ReservationError) as caught:
        make_period(**change)
    assert caught.value.param == param
    assert not LotteryPeriod.objects.exists() and not Slot.objects.exists()
