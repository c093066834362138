"""KPI metrics of the procedure guide for the plans module (issue #14 point 7), by fiscal year (April–March).

* ``procedures.offered_online`` — procedures the city offers that can be completed online here (件);
* ``procedures.offered_online_share`` — the same as a share of the procedures it offers (%).

Both are the state of the guide now: they answer for the current fiscal year only (``None`` for past years,
whose state was not kept, and for future ones). Enter past years as actuals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from . import services


def _current(year: int, today: dt.date) -> bool:
    first, last = fiscal_year_bounds(year)
    return first <= today <= last


@register_metric("procedures.offered_online", title="オンラインで完結できる手続の数", unit="件")
def offered_online(year: int, *, today: dt.date) -> Decimal | None:
    """Offered procedures that can be completed online here, in the current fiscal year ``year``; else ``None``."""
    if not _current(year, today):
        return None
    return Decimal(services.offered_online_counts()[0])


@register_metric("procedures.offered_online_share", title="市の手続のうちオンラインで完結できる割合", unit="%")
def offered_online_share(year: int, *, today: dt.date) -> Decimal | None:
    """Online ÷ offered × 100, one decimal, in the current fiscal year ``year``; ``None`` otherwise or when the
    city offers no procedure."""
    if not _current(year, today):
        return None
    online, offered = services.offered_online_counts()
    if not offered:
        return None
    return (Decimal(online) * 100 / offered).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
