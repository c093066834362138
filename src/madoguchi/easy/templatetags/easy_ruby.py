"""``{% ruby text %}``: *text* with ふりがな (``easy.services.ruby``), using the page's override table
(``ruby_table`` in the context, read once per page by the views)."""

from __future__ import annotations

import datetime as dt

from django import template

from madoguchi.easy import services

register = template.Library()

_WEEKDAYS = "月火水木金土日"


@register.simple_tag(takes_context=True)
def ruby(context, text) -> str:
    table = context.get("ruby_table")
    if table is None:
        table = context["ruby_table"] = services.reading_overrides()
    return services.ruby("" if text is None else str(text), table)


@register.filter
def plain_date(value: dt.date) -> str:
    """``2026-03-04`` → ``3月4日 水曜日`` (ruby is added by ``{% ruby %}``)."""
    if not isinstance(value, dt.date):
        return ""
    return f"{value.month}月{value.day}日 {_WEEKDAYS[value.weekday()]}曜日"
