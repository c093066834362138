"""Opening days and slot times of a facility (pure functions, no database).

Holidays are Japan's national holidays (国民の祝日・振替休日・国民の休日 under
the 国民の祝日に関する法律) from the ``jpholiday`` package.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")


def is_holiday(day: dt.date) -> bool:
    """National holiday (祝日・振替休日) per ``jpholiday``."""
    return jpholiday.is_holiday(day)


def holiday_name(day: dt.date) -> str | None:
    return jpholiday.is_holiday_name(day)


def is_rest_day(day: dt.date) -> bool:
    """Saturday, Sunday or a national holiday (土日祝: the holiday fee applies)."""
    return day.weekday() >= 5 or is_holiday(day)


def is_closed(day: dt.date, *, closed_weekdays=(), holiday_rule: str = "open", closed_year_end: bool = True,
              closed_dates=()) -> bool:
    """Is the facility closed on ``day``?

    ``holiday_rule``: ``open`` (holidays are ordinary days), ``closed``
    (closed on holidays) or ``next_weekday`` (a closed weekday that is a
    holiday opens, and the next weekday that is not a holiday closes instead —
    the usual 「月曜日（祝日の場合は翌平日）」). Year end = 12/29–1/3.
    """
    if closed_year_end and ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)):
        return True
    if day.isoformat() in set(closed_dates):
        return True
    holiday = is_holiday(day)
    if holiday_rule == "closed" and holiday:
        return True
    if day.weekday() in closed_weekdays:
        return not (holiday_rule == "next_weekday" and holiday)
    if holiday_rule == "next_weekday" and day.weekday() < 5 and not holiday:
        back = day - dt.timedelta(days=1)
        while back.weekday() >= 5 or is_holiday(back):
            if back.weekday() in closed_weekdays and is_holiday(back):
                return True
            back -= dt.timedelta(days=1)
    return False


def parse_slot_time(text: str) -> tuple[dt.time, dt.time]:
    """``"09:00-11:00"`` → (09:00, 11:00). Raises ``ValueError`` naming the text."""
    try:
        a, b = text.split("-")
        start, end = dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())
    except ValueError:
        raise ValueError(f"利用時間帯 {text!r} は「09:00-11:00」の形で書いてください") from None
    if end <= start:
        raise ValueError(f"利用時間帯 {text!r}: 終了が開始より前です")
    return start, end


def slot_times_on(day: dt.date, slot_times, opening: dt.time,
                  closing: dt.time) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware (Asia/Tokyo) start/end pairs of a unit's slots on ``day`` within opening hours."""
    out = []
    for text in slot_times:
        a, b = parse_slot_time(text)
        if a >= opening and b <= closing:
            out.append((dt.datetime.combine(day, a, TOKYO), dt.datetime.combine(day, b, TOKYO)))
    return out


def days(start: dt.date, end: dt.date):
    """Dates from ``start`` to ``end`` inclusive."""
    for n in range((end - start).days + 1):
        yield start + dt.timedelta(days=n)
