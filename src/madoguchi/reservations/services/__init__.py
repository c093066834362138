"""Public API of the reservations app (other apps import only from here).

* facilities — ``generate_slots``, ``availability``, ``slot_with_status``, ``ensure_facility``
* members — ``register_member``, ``create_group``, ``member_for_user``, ``groups_represented``
* lottery — ``create_period``, ``apply_entry``, ``withdraw_entry``, ``find_problems``, ``validate_rules``
* draw — ``run_draw``, ``enqueue_draw`` (the same as a background task), ``published_file``, ``verification_command``
* booking — ``book_slot``, ``can_cancel``, ``cancel_booking``, ``record_no_show``, ``bookings_of``
* exports — ``results_csv``, ``results_xlsx``, ``results_table``
* stats — ``usage_statistics``
* demo — ``seed_demo``

Every refusal is a ``madoguchi.reservations.errors.ReservationError`` with a
stable ``code`` and a Japanese ``message``; nothing is written then.
"""

from .booking import (ALREADY_BOOKED, CANCEL_DEADLINE_HOURS, book_slot, bookings_of, can_cancel, cancel_booking,
                      record_no_show)
from .demo import seed_demo
from .draw import DrawSummary, enqueue_draw, published_file, run_draw, verification_command
from .exports import results_csv, results_table, results_xlsx
from .facilities import (MAX_AVAILABILITY_DAYS, STATUSES, active_facilities, availability, ensure_facility,
                         generate_slots, slot_with_status)
from .lottery import (Problem, applicant_entries, apply_entry, create_period, find_problems, open_periods,
                      validate_rules, withdraw_entry)
from .members import add_group_member, create_group, groups_represented, member_for_user, register_member
from .stats import usage_statistics

__all__ = [
    "ALREADY_BOOKED", "CANCEL_DEADLINE_HOURS", "MAX_AVAILABILITY_DAYS", "STATUSES", "DrawSummary", "Problem", "active_facilities",
    "add_group_member",
    "applicant_entries", "apply_entry", "availability", "book_slot", "bookings_of", "can_cancel", "cancel_booking",
    "create_group", "create_period", "ensure_facility", "find_problems", "generate_slots", "groups_represented",
    "member_for_user", "open_periods", "published_file", "record_no_show", "register_member", "results_csv",
    "results_table", "results_xlsx", "run_draw", "enqueue_draw", "seed_demo", "slot_with_status", "usage_statistics",
    "validate_rules", "verification_command", "withdraw_entry",
]
