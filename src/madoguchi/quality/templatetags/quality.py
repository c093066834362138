"""``{% load quality %}``: freshness and 5-star helpers for catalog templates.

``{% dataset_freshness dataset as f %}`` sets ``f`` to ``quality.services.freshness(dataset)``;
``{% dataset_star_rating dataset as n %}`` sets ``n`` to the dataset's best 5-star level;
``{{ n|stars }}`` draws ``n`` of 5 stars as text (★★★☆☆).
"""

from django import template

from madoguchi.quality.freshness import freshness
from madoguchi.quality.services import dataset_star_rating as _dataset_star_rating

register = template.Library()


@register.simple_tag
def dataset_freshness(dataset):
    return freshness(dataset)


@register.simple_tag
def dataset_star_rating(dataset) -> int:
    """``{% dataset_star_rating dataset as n %}``: the best 5-star level of the dataset's resources."""
    return _dataset_star_rating(dataset)


@register.filter
def stars(n) -> str:
    try:
        n = max(0, min(5, int(n)))
    except (TypeError, ValueError):
        n = 0
    return "★" * n + "☆" * (5 - n)


@register.filter
def percent(ratio) -> int:
    try:
        return round(float(ratio) * 100)
    except (TypeError, ValueError):
        return 0
