"""KPI metrics of the public comment for the plans module (issue #16 part 5), by fiscal year (April–March).

* ``consultations.count`` — consultations whose period began in the year;
* ``consultations.opinions_per_consultation`` — opinions received ÷ those consultations;
* ``consultations.reflected_share`` — % of the opinions of the year's published results whose class counts
  as reflected (``AnswerClass.reflected``; Kawasaki's A 反映).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from .models import Opinion
from .services import consultations_between, reflected_counts


def _year(year: int, today: dt.date):
    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    return consultations_between(first, min(last, today))


@register_metric("consultations.count", title="意見募集（パブリックコメント）の実施件数", unit="件")
def consultations_count(year: int, *, today: dt.date) -> Decimal | None:
    """Consultations whose period began in fiscal year ``year`` (up to ``today``); ``None`` before the year."""
    qs = _year(year, today)
    return None if qs is None else Decimal(qs.count())


@register_metric("consultations.opinions_per_consultation", title="意見募集 1 件あたりの意見数", unit="件")
def opinions_per_consultation(year: int, *, today: dt.date) -> Decimal | None:
    """Opinions ÷ consultations begun in fiscal year ``year``, one decimal; ``None`` with no consultation."""
    qs = _year(year, today)
    if qs is None or not qs.exists():
        return None
    n = Opinion.objects.filter(consultation__in=qs).count()
    return (Decimal(n) / qs.count()).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register_metric("consultations.reflected_share", title="意見のうち案に反映したものの割合", unit="%")
def reflected_share(year: int, *, today: dt.date) -> Decimal | None:
    """Reflected opinions ÷ opinions of the published results of consultations begun in fiscal year
    ``year`` × 100, one decimal; ``None`` when no result of the year is published."""
    qs = _year(year, today)
    if qs is None:
        return None
    n, reflected = reflected_counts(qs)
    if not n:
        return None
    return (Decimal(reflected) * 100 / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
