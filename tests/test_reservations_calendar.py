"""Opening days and slots (issue #7): closed weekdays, national holidays from
``jpholiday`` (「月曜日（祝日の場合は翌平日）」), year end, fees on 土日祝."""

from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.reservations import schedule, services
from madoguchi.reservations.errors import ReservationError
from madoguchi.reservations.models import FacilityType, HolidayRule, Slot

from .test_reservations_factories import make_facility

D = dt.date


@pytest.mark.parametrize("day,closed", [
    (D(2026, 7, 13), True),    # Monday
    (D(2026, 7, 20), False),   # Monday, 海の日 → open
    (D(2026, 7, 21), True),    # the next weekday closes instead
    (D(2026, 7, 22), False),
    (D(2026, 9, 21), False),   # 敬老の日 (Mon), 国民の休日 (Tue), 秋分の日 (Wed) …
    (D(2026, 9, 22), False),
    (D(2026, 9, 23), False),
    (D(2026, 9, 24), True),    # … so Thursday closes
    (D(2026, 12, 29), True),   # year end
    (D(2027, 1, 3), True),
    (D(2027, 1, 5), False),
])
def test_is_closed__monday_or_next_weekday_after_a_holiday(day, closed):
    assert schedule.is_closed(day, closed_weekdays=[0], holiday_rule=HolidayRule.NEXT_WEEKDAY) is closed


@pytest.mark.parametrize("rule,day,closed", [
    (HolidayRule.CLOSED, D(2026, 7, 20), True),
    (HolidayRule.OPEN, D(2026, 7, 20), False),
    (HolidayRule.OPEN, D(2026, 7, 21), False),
])
def test_is_closed__holiday_rules(rule, day, closed):
    assert schedule.is_closed(day, holiday_rule=rule) is closed


def test_is_closed__extra_closure_dates():
    assert schedule.is_closed(D(2026, 7, 8), closed_dates=["2026-07-08"]) is True


def test_generate_slots__skips_closed_days_and_prices_rest_days(db):
    gym = make_facility("gym", facility_type=FacilityType.INDOOR_SPORTS, units=1,
                        slot_times=["09:00-12:00", "13:00-17:00", "20:00-22:00"], closed_weekdays=[0],
                        holiday_rule=HolidayRule.NEXT_WEEKDAY)
    created = services.generate_slots([gym], D(2026, 7, 18), D(2026, 7, 22))
    days = sorted({s.start.astimezone(schedule.TOKYO).date() for s in Slot.objects.all()})
    # 20:00-22:00 is outside opening hours (until 21:00); 7/21 is closed (after 海の日).
    assert (created, days) == (8, [D(2026, 7, 18), D(2026, 7, 19), D(2026, 7, 20), D(2026, 7, 22)])
    fees = {s.start.astimezone(schedule.TOKYO).date(): s.fee_yen for s in Slot.objects.all()}
    assert fees == {D(2026, 7, 18): 1300, D(2026, 7, 19): 1300, D(2026, 7, 20): 1300, D(2026, 7, 22): 1000}
    assert services.generate_slots([gym], D(2026, 7, 18), D(2026, 7, 22)) == 0  # idempotent


def test_generate_slots__bad_range_is_refused(db):
    with pytest.raises(ReservationError) as caught:
        services.generate_slots([], D(2026, 7, 2), D(2026, 7, 1))
    assert (caught.value.code, caught.value.param) == ("invalid_range", "start")


def test_ensure_facility__bad_slot_time_names_the_unit(db):
    with pytest.raises(ReservationError) as caught:
        services.ensure_facility("bad", name="x", facility_type=FacilityType.CIVIC_HALL, ward="幸区",
                                 opening_time=dt.time(9), closing_time=dt.time(17),
                                 units=[dict(code="a", name="A", slot_times=["09:00-11:00", "13時-15時"])])
    assert (caught.value.code, caught.value.param) == ("invalid_slot_time", "units[0].slot_times")
    assert "13時-15時" in caught.value.message


def test_availability__days_show_holiday_names_and_closed_days(db):
    gym = make_facility("gym", units=2, closed_weekdays=[0], holiday_rule=HolidayRule.NEXT_WEEKDAY)
    services.generate_slots([gym], D(2026, 7, 19), D(2026, 7, 21))
    units, days = services.availability(gym, D(2026, 7, 19), 3, now=dt.datetime(2026, 7, 1, tzinfo=schedule.TOKYO))
    assert [(d.date.day, d.holiday, d.closed, len(d.rows)) for d in days] == [
        (19, None, False, 3), (20, "海の日", False, 3), (21, None, True, 0)]
    assert [c["status"] for c in days[0].rows[0]["cells"]] == ["free", "free"]
    assert days[0].rows[0]["label"] == "09:00〜11:00"
