"""KPI metrics of the inquiry assistant for the plans module (issue #15 part 5), by fiscal year (April–March).

* ``faq.answered_without_staff_share`` — % of the year's questions answered by a Q&A or a service without
  being handed off to staff (live logs plus the counts kept in ``WeeklyCount`` after logs were deleted);
* ``faq.handoffs_monthly_average`` — hand-offs to staff per month (completed months of the year).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from .models import Inquiry, QuestionLog, WeeklyCount


def _counts(first: dt.date, last: dt.date) -> tuple[int, int]:
    logs = QuestionLog.objects.filter(asked_at__date__gte=first, asked_at__date__lte=last)
    asked = logs.count()
    without_staff = logs.exclude(outcome=QuestionLog.Outcome.UNANSWERED).filter(handed_off=False).count()
    for row in WeeklyCount.objects.filter(week__gte=first, week__lte=last):
        asked += row.asked
        without_staff += max(row.answered - row.handed_off, 0)
    return asked, without_staff


@register_metric("faq.answered_without_staff_share", title="問合せのうち職員の対応なしで回答できた割合", unit="%")
def answered_without_staff_share(year: int, *, today: dt.date) -> Decimal | None:
    """Questions answered without staff ÷ questions asked in fiscal year ``year`` × 100, one decimal;
    ``None`` before the year began or when nothing was asked."""
    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    asked, without_staff = _counts(first, min(last, today))
    if not asked:
        return None
    return (Decimal(without_staff) * 100 / asked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register_metric("faq.handoffs_monthly_average", title="職員への問合せ引き継ぎ件数（月平均）", unit="件（月平均）")
def handoffs_monthly_average(year: int, *, today: dt.date) -> Decimal | None:
    """Inquiries handed off to staff in the completed months of fiscal year ``year``, per month, rounded
    half up to one decimal; ``None`` before a month of the year has completed."""
    first, last = fiscal_year_bounds(year)
    months, m = [], first
    while m <= last:
        nxt = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
        if nxt <= today:
            months.append((m, nxt))
        m = nxt
    if not months:
        return None
    n = Inquiry.objects.filter(created__date__gte=months[0][0], created__date__lt=months[-1][1]).count()
    return (Decimal(n) / len(months)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
