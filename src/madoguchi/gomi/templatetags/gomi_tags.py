"""Template filters of the garbage pages."""

from __future__ import annotations

import datetime as dt

from django import template

from madoguchi.gomi.schedule import WEEKDAYS

register = template.Library()


@register.filter
def jdate(value: dt.date) -> str:
    """``2026-03-04`` → ``3月4日（水）``."""
    if not isinstance(value, dt.date):
        return ""
    return f"{value.month}月{value.day}日（{WEEKDAYS[value.weekday()]}）"
