"""Every public URL pattern is in the accessibility sweep's page list (issue #18, point 5).

Walks the URL resolver of src/madoguchi/urls.py; a pattern is public unless a rule of
tests/browser/public_pages.py excludes it (API, admin, staff pages, files, POST actions … each with its
reason). A new public page fails here, naming its pattern, until it is added to ``PAGES`` (and so to the
axe-core sweep) or to a rule with a reason.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

from tests.browser import public_pages


def _patterns(resolver=None, prefix: str = "", namespace: str | None = None, i18n: bool = False):
    """``(route, name, i18n)`` of every URL pattern; ``route`` without the language prefix."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            locale = isinstance(p.pattern, LocalePrefixPattern)
            yield from _patterns(p, prefix + ("" if locale else str(p.pattern)), p.namespace or namespace,
                                 i18n or locale)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, i18n


def test_every_public_url_pattern_is_in_the_page_list():
    listed = {page.name for page in public_pages.PAGES}
    missing = [f"{route}  (name {name!r})" for route, name, _ in _patterns()
               if public_pages.exclusion_reason(route, name) is None and name not in listed]
    assert not missing, ("public URL patterns missing from tests/browser/public_pages.py PAGES (add the page "
                         "with the demo objects it needs, or a rule with its reason):\n  " + "\n  ".join(missing))


def test_listed_pages_exist_and_english_matches_i18n_patterns():
    patterns = {name: (route, i18n) for route, name, i18n in _patterns()}
    for page in public_pages.PAGES:
        assert page.name in patterns, f"{page.name}: no such URL pattern (stale entry in PAGES)"
        route, i18n = patterns[page.name]
        assert public_pages.exclusion_reason(route, page.name) is None, f"{page.name} is listed and excluded"
        assert page.english == i18n, (f"{page.name}: english={page.english} but the pattern is "
                                      f"{'inside' if i18n else 'outside'} i18n_patterns")
    names = [page.name for page in public_pages.PAGES]
    assert len(names) == len(set(names)), "a page is listed twice"


def test_the_rules_are_not_vacuous():
    """A staff page, an API route, a download and a POST action are excluded; a citizen page is not."""
    reason = public_pages.exclusion_reason
    assert reason("reservations/staff/", "reservations:staff")
    assert reason("api/v1/datasets", "api-v1:datasets")
    assert reason("events/calendar.ics", "events:ical")
    assert reason(r"^datasets/(?P<slug>[-\w]+)/resources/(?P<resource_id>\d+)/download\.(?P<fmt>csv|json)$",
                  "catalog:download")
    assert reason("reservations/slots/<int:slot_id>/book", "reservations:book")
    assert reason("garbage/", "gomi:search") is None
    assert reason("procedures/apply/<slug:slug>/", "procedures:apply") is None
