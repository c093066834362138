"""Builders and fixtures shared by the reservations tests (issue #7); no tests here.

Times are fixed: the lottery window of ``PERIOD`` is open at ``NOW``, it
closes at ``CLOSES`` and is drawn at ``DRAW``; slots are in July 2026
(海の日 2026-07-20 is a Monday holiday, from ``jpholiday``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from madoguchi.reservations import services
from madoguchi.reservations.models import FacilityType, HolidayRule, Slot
from madoguchi.reservations.schedule import TOKYO

NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=TOKYO)
OPENS = dt.datetime(2026, 6, 1, 0, 0, tzinfo=TOKYO)
CLOSES = dt.datetime(2026, 6, 20, 0, 0, tzinfo=TOKYO)
DRAW = dt.datetime(2026, 6, 20, 9, 0, tzinfo=TOKYO)
USAGE = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
TWO_HOURS = ["09:00-11:00", "11:00-13:00", "13:00-15:00"]


def make_facility(slug: str = "tennis", *, facility_type: str = FacilityType.OUTDOOR_SPORTS, units: int = 2,
                  slot_times=TWO_HOURS, closed_weekdays=(), holiday_rule: str = HolidayRule.OPEN, **extra):
    return services.ensure_facility(
        slug, name=extra.pop("name", f"テスト施設 {slug}"), facility_type=facility_type, ward=extra.pop("ward", "中原区"),
        opening_time=dt.time(9), closing_time=dt.time(21), closed_weekdays=list(closed_weekdays),
        holiday_rule=holiday_rule, **extra,
        units=[dict(code=f"u{n}", name=f"第{n}面", capacity=10, slot_times=list(slot_times), fee_weekday_yen=1000,
                    fee_holiday_yen=1300) for n in range(1, units + 1)])


_users = iter(range(1, 10**6))


def make_member(name: str = "市民 一郎", *, with_user: bool = True, **kw):
    user = None
    if with_user:
        n = next(_users)
        user = get_user_model().objects.create(username=f"citizen{n}-{name}", email=f"citizen{n}@example.jp")
    return services.register_member(name=name, user=user, **kw)


def make_period(facility_types=(FacilityType.OUTDOOR_SPORTS,), rules=None, **kw):
    params = dict(title="2026年7月利用分 抽選", facility_types=list(facility_types), application_opens_at=OPENS,
                  application_closes_at=CLOSES, draw_at=DRAW, usage_starts_on=USAGE[0], usage_ends_on=USAGE[1],
                  rules=rules, now=NOW)
    params.update(kw)
    return services.create_period(**params)


def slot_at(facility, unit: int, day: int, hour: int, month: int = 7) -> Slot:
    return Slot.objects.get(unit__facility=facility, unit__code=f"u{unit}",
                            start=dt.datetime(2026, month, day, hour, 0, tzinfo=TOKYO))


@pytest.fixture
def citizen(client, db):
    """A registered citizen (川崎 花子), logged in on ``client``."""
    user = get_user_model().objects.create(username="citizen", email="citizen@example.jp")
    member = services.register_member(user=user, name="川崎 花子", email="citizen@example.jp")
    client.force_login(user)
    return member


@pytest.fixture
def tennis(db):
    return make_facility("tennis")


@pytest.fixture
def gym(db):
    return make_facility("gym", facility_type=FacilityType.INDOOR_SPORTS, units=1,
                         slot_times=["09:00-12:00", "13:00-17:00"])


RULES = {"max_entries_per_individual": 4, "max_entries_per_group": 5,
         "max_entries_per_facility_type": {"outdoor_sports": 2}, "min_group_members": 2}


@pytest.fixture
def period(tennis, gym):
    """Open at NOW for outdoor and indoor sports; limits: 4 per individual, 5 per group,
    2 outdoor per applicant, groups of at least 2."""
    return make_period((FacilityType.OUTDOOR_SPORTS, FacilityType.INDOOR_SPORTS), rules=RULES)
