"""KPI metric of the notices app for the plans module, by fiscal year (April–March).

* ``notices.click_share`` — link clicks (counted redirects ``/notices/r/…``, all channels) per 100 messages sent
  in the year. Clicks are counted per notice and channel, not per person (no tracking), so one person clicking
  twice counts twice; mail opens are not measured (no tracking pixels).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from .models import Click, Delivery


@register_metric("notices.click_share", title="お知らせ配信のリンククリック率 (送信 100 件あたり)", unit="%")
def click_share(year: int, *, today: dt.date) -> Decimal | None:
    """Clicks ÷ messages sent in fiscal year ``year`` × 100, one decimal; ``None`` before the year began or
    when nothing was sent."""
    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    last = min(last, today)
    sent = Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__date__gte=first, sent_at__date__lte=last).count()
    if not sent:
        return None
    clicks = Click.objects.filter(at__date__gte=first, at__date__lte=last).count()
    return (Decimal(clicks) * 100 / sent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
