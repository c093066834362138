"""KPI metrics of online applications for the plans module (issue #14 point 7), by fiscal year (April–March).

Every figure is live applications plus the counts kept in ``ApplicationStat`` for the applications
deleted after their retention period (``retention.purge_expired``), so a purge never changes a value.

* ``procedures.applications`` — applications in fiscal year ``year`` (件/年);
* ``procedures.bulky_waste_share`` — % of them made with a bulky-waste form (``Form.kind == "bulky"``);
* ``procedures.applications_by_procedure`` / ``procedures.applications_by_channel`` — tables (kind
  ``monthly_table``) of the fiscal year the month falls in, counted as of today.

Imported from ``ApplicationsConfig.ready`` (registering is the import).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from madoguchi.plans.services import fiscal_year_bounds, register_metric

from .models import Application, ApplicationStat
from .retention import live_counts


def _counts(year: int, today: dt.date) -> Counter | None:
    """``Counter({(form_id, channel): n})`` of fiscal year ``year`` up to ``today``; ``None`` before it began."""
    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    counts: Counter = Counter()
    for form_id, channel, n in live_counts(first, min(last, today)):
        counts[(form_id, channel)] += n
    for form_id, channel, n in (ApplicationStat.objects.filter(year=year).order_by()
                                .values_list("form_id", "channel").annotate(n=Sum("count"))):
        counts[(form_id, channel)] += n
    return counts


@register_metric("procedures.applications", title="電子申請の利用件数", unit="件（年間）")
def applications(year: int, *, today: dt.date) -> Decimal | None:
    """Applications received in fiscal year ``year`` (every channel and status, deleted ones included through
    their statistics); ``None`` for a year that has not begun."""
    counts = _counts(year, today)
    return None if counts is None else Decimal(sum(counts.values()))


@register_metric("procedures.bulky_waste_share", title="電子申請のうち粗大ごみ収集申込の割合", unit="%")
def bulky_waste_share(year: int, *, today: dt.date) -> Decimal | None:
    """Applications with a bulky-waste form ÷ all applications of fiscal year ``year`` × 100, one decimal
    (half up); ``None`` before the year began or when there were none."""
    from madoguchi.eforms.models import Form

    counts = _counts(year, today)
    total = sum(counts.values()) if counts else 0
    if not total:
        return None
    bulky_forms = set(Form.objects.filter(kind="bulky").values_list("pk", flat=True))
    bulky = sum(n for (form_id, _), n in counts.items() if form_id in bulky_forms)
    return (Decimal(bulky) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _fiscal_year(month: dt.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


@register_metric("procedures.applications_by_procedure", title="手続別の電子申請の件数（年度）", unit="件",
                 kind="monthly_table")
def applications_by_procedure(month: dt.date, *, today: dt.date) -> list[dict]:
    """Applications of the fiscal year ``month`` falls in, per form, most first:
    ``[{"rank", "form", "form_slug", "procedure", "department", "count"}]`` (``procedure``: the linked
    procedure's name, else the form title)."""
    from madoguchi.eforms.models import Form

    counts = _counts(_fiscal_year(month), today) or Counter()
    per_form: Counter = Counter()
    for (form_id, _), n in counts.items():
        per_form[form_id] += n
    forms = Form.objects.select_related("procedure").in_bulk(list(per_form))
    ordered = sorted(per_form.items(), key=lambda kv: (-kv[1], forms[kv[0]].slug))
    return [{"rank": i, "form": forms[f].title, "form_slug": forms[f].slug,
             "procedure": forms[f].procedure.name if forms[f].procedure_id else forms[f].title,
             "department": forms[f].department, "count": n}
            for i, (f, n) in enumerate(ordered, start=1)]


@register_metric("procedures.applications_by_channel", title="受付方法別の申請件数（年度）", unit="件",
                 kind="monthly_table")
def applications_by_channel(month: dt.date, *, today: dt.date) -> list[dict]:
    """Applications of the fiscal year ``month`` falls in, per channel, in the order of
    ``Application.Channel``: ``[{"channel", "label", "count", "share"}]`` (``share``: %, one decimal)."""
    counts = _counts(_fiscal_year(month), today) or Counter()
    per_channel: Counter = Counter()
    for (_, channel), n in counts.items():
        per_channel[channel] += n
    total = sum(per_channel.values())
    return [{"channel": c.value, "label": str(c.label), "count": per_channel.get(c.value, 0),
             "share": float((Decimal(per_channel.get(c.value, 0)) * 100 / total).quantize(
                 Decimal("0.1"), rounding=ROUND_HALF_UP)) if total else None}
            for c in Application.Channel]
