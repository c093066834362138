"""Template filters of the plans pages: ``fy``, ``wareki``, ``num``."""

from django import template
from django.utils.translation import get_language, gettext

from madoguchi.plans import display

register = template.Library()


@register.filter
def fy(year):
    """``2019`` → ``"2019年度"`` (Japanese page) or ``"FY2019"`` (English page); ``None`` → ``—``."""
    if year is None:
        return display.fy_label(year)
    return gettext("%(year)s年度") % {"year": year}


@register.filter
def wareki(year):
    """``2019`` → ``"令和元年度"``; on an English page the Gregorian ``"FY2019"`` (no Japanese era)."""
    if year is not None and get_language() == "en":
        return fy(year)
    return display.fy_wareki(year)


@register.filter
def num(value):
    return display.fmt_value(value)


@register.filter
def join_list(value):
    """A list as "29、0、1、4" (English page: "29, 0, 1, 4"); anything else as it is."""
    if isinstance(value, (list, tuple)):
        return gettext("、").join(str(v) for v in value)
    return value


@register.filter
def source_label(row):
    """Where an actual comes from, in words (公表資料 / 職員入力 / 自動集計 …)."""
    if row.actual is None:
        return "—"
    if row.actual_source == "metric":
        label = gettext("自動集計（%(metric)s）") % {"metric": row.actual_source_note}
        return label + (gettext("・表示時に計算") if row.computed else "")
    return {"document": gettext("公表資料"), "entered": gettext("職員入力")}.get(row.actual_source, row.actual_source or "—")
