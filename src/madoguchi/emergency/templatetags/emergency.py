"""``{% emergency_panel %}``: the disaster content (hazards, open shelters, official links) for any page,
e.g. the top of the home page in emergency mode (``emergency/_home.html``)."""

from django import template

from .. import services

register = template.Library()


@register.inclusion_tag("emergency/_panel.html")
def emergency_panel(heading_level: int = 2) -> dict:
    return {**services.emergency_context(), "h": heading_level}
