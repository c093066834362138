"""Template filters of the shelter pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def distance(metres) -> str:
    """``350.4`` → ``350 m``; ``1234`` → ``1.2 km（1,234 m）``."""
    if metres is None:
        return ""
    m = round(float(metres))
    if m < 1000:
        return f"{m:,} m"
    return gettext("%(km)s km（%(m)s m）") % {"km": f"{m / 1000:.1f}", "m": f"{m:,}"}
