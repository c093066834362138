"""Reservation models (DESIGN.md section 3: Facility, Slot, LotteryEntry, Booking)."""

from .bookings import Booking, BookingSource, BookingStatus, Cancellation, NoShow
from .facilities import ACCESSIBILITY, BookableUnit, Facility, FacilityType, HolidayRule, Slot
from .lottery import DEFAULT_RULES, EntryStatus, LotteryEntry, LotteryPeriod, LotteryResult, Outcome, PeriodState
from .members import Group, GroupMembership, Member, PriorityClass

__all__ = [
    "ACCESSIBILITY", "DEFAULT_RULES", "BookableUnit", "Booking", "BookingSource", "BookingStatus", "Cancellation",
    "EntryStatus", "Facility", "FacilityType", "Group", "GroupMembership", "HolidayRule", "LotteryEntry",
    "LotteryPeriod", "LotteryResult", "Member", "NoShow", "Outcome", "PeriodState", "PriorityClass", "Slot",
]
