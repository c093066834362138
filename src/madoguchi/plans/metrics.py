"""The metric registry: figures madoguchi measures itself, to which indicators can be bound.

A metric is keyed by a string id (``"catalog.datasets_published"``) and is either

* ``kind="yearly"``: ``func(year: int, *, today: date) -> Decimal | None`` — the value for
  fiscal year ``year`` (April–March); ``None`` when there is nothing to measure yet; or
* ``kind="monthly_table"``: ``func(month: date, *, today: date) -> list[dict]`` — rows for
  the calendar month starting ``month`` (e.g. the top-10 downloaded files).

Built-ins register the same way later modules do (in their ``AppConfig.ready``)::

    from madoguchi.plans.metrics import register_metric

    @register_metric("procedures.applications", title="電子申請の利用件数", unit="件（年間）")
    def applications(year, *, today):
        ...

Only ``yearly`` metrics can be bound to an indicator (``Indicator.metric_id``); their values
become the indicator's actuals, marked with the metric as source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.db.models import Q, Sum

from .display import current_fiscal_year, fiscal_year_bounds


@dataclass(frozen=True)
class Metric:
    """One registered metric: ``id``, Japanese ``title``, ``unit``, ``kind``, ``func``, ``description``."""

    id: str
    title: str
    unit: str
    kind: str
    func: Callable
    description: str = ""


_REGISTRY: dict[str, Metric] = {}
KINDS = ("yearly", "monthly_table")


class UnknownMetric(KeyError):
    def __init__(self, metric_id: str):
        super().__init__(metric_id)
        self.metric_id = metric_id

    def __str__(self) -> str:
        known = ", ".join(sorted(_REGISTRY)) or "なし"
        return f"自動集計の指標「{self.metric_id}」は登録されていません (登録済み: {known})"


def register_metric(metric_id: str, func: Callable | None = None, *, title: str, unit: str = "",
                    kind: str = "yearly", description: str = "", replace: bool = False):
    """Register ``func`` under ``metric_id``; usable as a decorator when ``func`` is omitted.

    :param metric_id: ``"<app>.<name>"``, unique; registering an id twice raises ``ValueError``
        unless ``replace=True`` (tests use it to stub a metric).
    :param kind: ``"yearly"`` (bindable to indicators) or ``"monthly_table"``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

    def add(f: Callable) -> Callable:
        if metric_id in _REGISTRY and not replace:
            raise ValueError(f"metric {metric_id!r} is already registered")
        _REGISTRY[metric_id] = Metric(metric_id, title, unit, kind, f, description or (f.__doc__ or "").strip())
        return f

    return add(func) if func is not None else add


def unregister_metric(metric_id: str) -> None:
    _REGISTRY.pop(metric_id, None)


def get_metric(metric_id: str) -> Metric:
    """The metric registered as ``metric_id``; raises ``UnknownMetric``."""
    try:
        return _REGISTRY[metric_id]
    except KeyError:
        raise UnknownMetric(metric_id) from None


def all_metrics(kind: str | None = None) -> list[Metric]:
    return [m for _, m in sorted(_REGISTRY.items()) if kind is None or m.kind == kind]


def metric_value(metric_id: str, year: int, *, today: dt.date | None = None) -> Decimal | None:
    """Value of a yearly metric for fiscal year ``year`` as of ``today`` (default: today)."""
    metric = get_metric(metric_id)
    if metric.kind != "yearly":
        raise ValueError(f"metric {metric_id!r} is {metric.kind}, not yearly")
    value = metric.func(year, today=today or dt.date.today())
    return None if value is None else Decimal(str(value))


def metric_table(metric_id: str, month: dt.date, *, today: dt.date | None = None) -> list[dict]:
    """Rows of a monthly table metric for the month starting ``month`` (day is ignored)."""
    metric = get_metric(metric_id)
    if metric.kind != "monthly_table":
        raise ValueError(f"metric {metric_id!r} is {metric.kind}, not monthly_table")
    return metric.func(month.replace(day=1), today=today or dt.date.today())


# -- built-in metrics: the catalog -------------------------------------------------------------

def _months(year: int) -> list[dt.date]:
    return [dt.date(year + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


@register_metric("catalog.datasets_published", title="公開しているオープンデータのデータセット数", unit="件")
def datasets_published(year: int, *, today: dt.date) -> Decimal | None:
    """Public, active datasets at the end of fiscal year ``year`` (31 March), or today while the
    year runs: those issued (公開日) on or before that day, or created then when no 公開日 is set.
    A dataset deleted or made private since is not counted (its history is not kept).
    ``None`` for a year that has not begun."""
    from madoguchi.catalog.services import visible_datasets

    first, last = fiscal_year_bounds(year)
    if first > today:
        return None
    as_of = min(last, today)
    qs = visible_datasets().filter(Q(issued__lte=as_of) | Q(issued__isnull=True, created__date__lte=as_of))
    return Decimal(qs.count())


@register_metric("catalog.downloads_monthly_average", title="オープンデータの月平均ダウンロード数",
                 unit="件（月平均）")
def downloads_monthly_average(year: int, *, today: dt.date) -> Decimal | None:
    """Downloads of files of public datasets in fiscal year ``year``, divided by its months:
    the completed months (all 12 once the year is over), rounded half up to a whole number —
    the definition of 川崎市 施策4-2-5 指標2 (月平均ダウンロード数). ``None`` before a month
    of the year has completed."""
    from madoguchi.catalog import services as catalog
    from madoguchi.catalog.models import DownloadCount

    months = [m for m in _months(year) if _next_month(m) <= today]
    if not months:
        return None
    total = (DownloadCount.objects.filter(month__in=months, **catalog.dataset_filter(None, "resource__dataset__"))
             .aggregate(n=Sum("count"))["n"] or 0)
    return (Decimal(total) / len(months)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@register_metric("catalog.top_downloads", title="ダウンロード数の多いファイル（上位10件）", unit="件",
                 kind="monthly_table")
def top_downloads(month: dt.date, *, today: dt.date) -> list[dict]:
    """The 10 most downloaded files of public datasets in ``month``:
    ``[{"rank", "theme", "dataset", "resource", "resource_id", "count"}]`` — the columns of the
    published table (分類名, ファイル名, ダウンロード数). Ties keep the older file first."""
    from madoguchi.catalog import services as catalog
    from madoguchi.catalog.models import DownloadCount

    rows = (DownloadCount.objects.filter(month=month, count__gt=0, **catalog.dataset_filter(None, "resource__dataset__"))
            .select_related("resource__dataset").prefetch_related("resource__dataset__themes")
            .order_by("-count", "resource_id")[:10])
    out = []
    for rank, row in enumerate(rows, start=1):
        dataset = row.resource.dataset
        themes = [t.title for t in dataset.themes.all()]
        out.append({"rank": rank, "theme": themes[0] if themes else "", "dataset": dataset.title,
                    "resource": row.resource.name, "resource_id": row.resource_id, "count": row.count})
    return out


def metric_years(start: int | None, end: int | None, today: dt.date | None = None) -> list[int]:
    """Fiscal years from ``start`` to ``end`` that have begun by ``today``."""
    if start is None or end is None:
        return []
    current = current_fiscal_year(today)
    return [y for y in range(start, end + 1) if y <= current]
