"""KPI metrics of citizen reports for the plans module (issue #16 part 10):

* ``reports.requests_monthly_average`` — reports per month in the completed months of a fiscal year;
* ``reports.median_days_to_close`` — median days from report to 完了/対応不可, reports closed in the year;
* ``reports.by_category`` (monthly table) — reports of a calendar month by category with closed counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from .models import ServiceRequest
from .services import median_days_to_close


def _next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)


@register_metric("reports.requests_monthly_average", title="市民からの通報件数（月平均）", unit="件（月平均）")
def requests_monthly_average(year: int, *, today: dt.date) -> Decimal | None:
    """Reports received in the completed months of fiscal year ``year`` ÷ months, one decimal (half up);
    ``None`` before a month of the year has completed."""
    first, last = fiscal_year_bounds(year)
    months, m = 0, first
    while m <= last and _next_month(m) <= today:
        months, m = months + 1, _next_month(m)
    if not months:
        return None
    n = ServiceRequest.objects.filter(requested_at__date__gte=first, requested_at__date__lt=m).count()
    return (Decimal(n) / months).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register_metric("reports.median_days_to_close", title="通報の完了までの日数（中央値）", unit="日")
def median_days(year: int, *, today: dt.date) -> Decimal | None:
    """Median days from report to close of reports closed in fiscal year ``year`` (to ``today``), one
    decimal; ``None`` when none was closed."""
    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    value = median_days_to_close(first, min(last, today))
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register_metric("reports.by_category", title="分類別の通報件数", unit="件", kind="monthly_table")
def by_category(month: dt.date, *, today: dt.date) -> list[dict]:
    """Rows ``{"service_code", "service_name", "reports", "closed"}`` for the calendar month ``month``,
    most reports first."""
    closed = [ServiceRequest.Status.CLOSED, ServiceRequest.Status.DECLINED]
    rows = (ServiceRequest.objects.filter(requested_at__date__gte=month, requested_at__date__lt=_next_month(month))
            .values("service__code", "service__name")
            .annotate(reports=Count("id"), closed=Count("id", filter=Q(status__in=closed)))
            .order_by("-reports", "service__code"))
    return [{"service_code": r["service__code"], "service_name": r["service__name"], "reports": r["reports"],
             "closed": r["closed"]} for r in rows]
