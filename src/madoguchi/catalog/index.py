"""The in-memory catalog search index of one process.

Catalog search (``/datasets/`` and ``/api/v1/datasets``) runs on every page
view, and a city's catalog changes a few times a day. Each process therefore
keeps the searchable fields and facet values of every active dataset in
memory (about 1 KB a dataset: 10 MB for 10,000) and answers a search with one
query — the ``CatalogGeneration`` number, to see whether the catalog changed
since the index was built — instead of a ``LIKE`` scan per term plus one
aggregate query per facet.

Matching, ranking and facet counts are those of ``services.filter_datasets``,
``order_datasets`` and ``facets_of`` (the CKAN ``package_search`` path, which
stays on the database); ``tests/test_catalog_index.py`` compares the two.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from itertools import chain
from collections import Counter, OrderedDict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from madoguchi.text import search_terms, to_nfc

from .licenses import LICENSES
from .models import CatalogGeneration, Dataset, Organization, Resource, Theme

FACET_LIMIT = 30
RESULT_CACHE_SIZE = 512  # searches remembered per index (the index is replaced when the catalog changes)
_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def bump_generation() -> None:
    """Record that catalog metadata changed (called by ``catalog.signals`` and bulk writers).

    The generation is a fresh random number rather than a counter, so that a
    rolled-back transaction (which restores the old number) can never leave two
    different catalogs under the same number.
    """
    value = secrets.randbits(62)
    if CatalogGeneration.objects.filter(pk=1).update(value=value):
        return
    try:
        with transaction.atomic():
            CatalogGeneration.objects.create(pk=1, value=value)
    except IntegrityError:  # created meanwhile by another writer
        CatalogGeneration.objects.filter(pk=1).update(value=value)


def current_generation() -> int:
    """The catalog generation now (0 before the first change). One indexed single-row read."""
    table = connection.ops.quote_name(CatalogGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class Entry:
    """What search, ranking and facets need of one active dataset."""

    pk: int
    slug: str
    title: str
    description: str
    search_title: str
    search_text: str
    organization: str  # slug
    themes: tuple[str, ...]  # slugs
    tags: tuple[str, ...]
    formats: tuple[str, ...]  # as stored on the resources (upper case)
    license_id: str
    standard: str
    private: bool
    modified: dt.datetime | None
    created: dt.datetime
    haystack: str  # search_title + U+0000 + search_text: a term (never NUL) is in one of them iff it is in this


def _modified_key(e: Entry):
    """``order_datasets``' ``modified``: newest first, never-published last, then title."""
    return (e.modified is None, -(e.modified or _EPOCH).timestamp(), e.title)


class CatalogIndex:
    """Search over ``Entry`` objects; built by ``CatalogIndex.load()``."""

    def __init__(self, entries: list[Entry], themes: dict[str, tuple[str, int]], organizations: dict[str, str]):
        # Kept in ``modified`` order, so that order needs no sort and relevance is a stable sort by title hits.
        self.entries = sorted(entries, key=_modified_key)
        self.themes = themes  # slug → (title, order)
        self.organizations = organizations  # slug → title
        self._rank = {name: {e.pk: i for i, e in enumerate(sorted(self.entries, key=key))}
                      for name, key in _SORT_KEYS.items()}
        self._results: OrderedDict[tuple, tuple[list[Entry], dict]] = OrderedDict()
        self._results_lock = threading.Lock()

    @classmethod
    def load(cls) -> "CatalogIndex":
        """Read every active dataset with its themes, tags and resource formats (five queries)."""
        from .visibility import dataset_filter

        # what staff may see; ``_search`` drops private entries for everyone else (the rule: catalog.visibility)
        rows = list(Dataset.objects.filter(**dataset_filter(True)).values_list(
            "pk", "slug", "title", "search_title", "search_text", "organization__slug", "license_id", "standard",
            "private", "modified", "created", "description"))
        themes_of: dict[int, list[str]] = {}
        for pk, slug in Dataset.themes.through.objects.values_list("dataset_id", "theme__slug"):
            themes_of.setdefault(pk, []).append(slug)
        tags_of: dict[int, list[str]] = {}
        for pk, name in Dataset.tags.through.objects.values_list("dataset_id", "tag__name"):
            tags_of.setdefault(pk, []).append(name)
        formats_of: dict[int, set[str]] = {}
        for pk, fmt in Resource.objects.exclude(format="").values_list("dataset_id", "format"):
            formats_of.setdefault(pk, set()).add(fmt)
        themes = {t.slug: (t.title, t.order) for t in Theme.objects.all()}
        for slugs in themes_of.values():  # as ``dataset.themes.all()``: Theme order, then title
            slugs.sort(key=lambda slug: (themes[slug][1], themes[slug][0]))
        for names in tags_of.values():
            names.sort()
        entries = [Entry(pk=r[0], slug=r[1], title=r[2], description=r[11], search_title=r[3], search_text=r[4],
                         organization=r[5], themes=tuple(themes_of.get(r[0], ())), tags=tuple(tags_of.get(r[0], ())),
                         formats=tuple(sorted(formats_of.get(r[0], ()))), license_id=r[6], standard=r[7],
                         private=r[8], modified=r[9], created=r[10], haystack=f"{r[3]}\x00{r[4]}") for r in rows]
        organizations = dict(Organization.objects.values_list("slug", "title"))
        return cls(entries, themes, organizations)

    def search(self, q: str | None = None, *, theme=None, organization=None, format=None, tag=None, license=None,
               standard=None, include_private: bool = False, sort: str = "relevance",
               ) -> tuple[list[Entry], dict]:
        """Matching entries in result order, and the facets over all of them.

        Each filter takes one value or a list; a dataset must match all values
        (as ``services.filter_datasets``). ``sort`` as ``services.order_datasets``;
        ``relevance`` without terms is ``modified``.
        """
        from .services import _as_list

        terms = tuple(search_terms(q))
        wanted = (
            ("themes", frozenset(_as_list(theme))), ("organization", frozenset(_as_list(organization))),
            ("formats", frozenset(v.upper() for v in _as_list(format))),
            ("tags", frozenset(to_nfc(v) for v in _as_list(tag))), ("license_id", frozenset(_as_list(license))),
            ("standard", frozenset(_as_list(standard))),
        )
        sort = sort if (sort != "relevance" or terms) else "modified"
        key = (terms, wanted, bool(include_private), sort)
        with self._results_lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = self._search(terms, dict(wanted), include_private, sort)
        with self._results_lock:
            self._results[key] = result
            while len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        return result

    def _search(self, terms: tuple[str, ...], wanted: dict, include_private: bool, sort: str):
        hits = self.entries if include_private else [e for e in self.entries if not e.private]
        for t in terms:
            hits = [e for e in hits if t in e.haystack]
        if wanted["themes"]:
            hits = [e for e in hits if wanted["themes"] <= set(e.themes)]
        if wanted["organization"]:
            hits = [e for e in hits if wanted["organization"] == {e.organization}]
        if wanted["formats"]:
            hits = [e for e in hits if wanted["formats"] <= {f.upper() for f in e.formats}]
        if wanted["tags"]:
            hits = [e for e in hits if wanted["tags"] <= set(e.tags)]
        if wanted["license_id"]:
            hits = [e for e in hits if wanted["license_id"] == {e.license_id}]
        if wanted["standard"]:
            hits = [e for e in hits if wanted["standard"] == {e.standard}]
        if sort == "relevance":  # more terms in the title first; ties stay in modified order
            hits = sorted(hits, key=lambda e: -sum(t in e.search_title for t in terms))
        elif sort in self._rank:
            rank = self._rank[sort]
            hits = sorted(hits, key=lambda e: rank[e.pk])
        return hits, self._facets(hits)

    def _facets(self, entries: list[Entry]) -> dict:
        theme_n = Counter(chain.from_iterable(e.themes for e in entries))
        org_n = Counter(e.organization for e in entries)
        format_n = Counter(chain.from_iterable(e.formats for e in entries))
        tag_n = Counter(chain.from_iterable(e.tags for e in entries))
        lic_n = Counter(e.license_id for e in entries)
        std_n = Counter(e.standard for e in entries if e.standard)
        themes = sorted(theme_n.items(), key=lambda kv: (-kv[1], self.themes.get(kv[0], ("", 0))[1],
                                                         self.themes.get(kv[0], ("", 0))[0]))
        orgs = sorted(org_n.items(), key=lambda kv: (-kv[1], self.organizations.get(kv[0], "")))
        return {
            "theme": [{"name": s, "title": self.themes.get(s, (s, 0))[0], "count": n} for s, n in themes[:FACET_LIMIT]],
            "organization": [{"name": s, "title": self.organizations.get(s, s), "count": n}
                             for s, n in orgs[:FACET_LIMIT]],
            "format": [{"name": f, "title": f, "count": n} for f, n in _by_count(format_n)],
            "tag": [{"name": t, "title": t, "count": n} for t, n in _by_count(tag_n)],
            "license": [{"name": x, "title": LICENSES[x].title if x in LICENSES else x, "count": n}
                        for x, n in _by_count(lic_n)],
            "standard": [{"name": s, "title": standard_title(s), "count": n} for s, n in _by_count(std_n)],
        }


def _by_count(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]


def standard_title(standard_id: str) -> str:
    """The display title of a standard id (the id itself if unknown)."""
    try:
        from madoguchi.standards.services import standard_choices
    except ImportError:  # pragma: no cover - the standards app is part of madoguchi
        return standard_id
    return dict(standard_choices()).get(standard_id, standard_id)


_SORT_KEYS = {  # as ``services.order_datasets``
    "title": lambda e: (e.title, e.slug),
    "name": lambda e: e.slug,
    "created": lambda e: (-e.created.timestamp(), e.slug),
}


_lock = threading.Lock()
_cached: tuple[int, CatalogIndex] | None = None


def current_index() -> CatalogIndex:
    """This process's index, rebuilt if the catalog changed since it was built.

    Inside a transaction that changed the catalog (tests, the staff pages)
    the generation read here already includes that change, so the index is
    rebuilt from what this transaction sees.
    """
    global _cached
    generation = current_generation()
    cached = _cached
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == generation:
            return _cached[1]
        index = CatalogIndex.load()
        _cached = (generation, index)
        return index


_resources: tuple[int, dict[int, object]] = (-1, {})


def cached_resource(resource_id: int):
    """``Resource`` ``resource_id`` with ``dataset`` and ``current_version`` loaded, or ``None``.

    Kept per process while the catalog generation stays the same (publishing a
    version saves the resource, which changes the generation), so the hot
    records API reads one row instead of joining three tables per request.
    The instances are shared between requests: read them, never change them.
    """
    global _resources
    generation = current_generation()
    cached_generation, resources = _resources
    if cached_generation != generation:
        resources = {}
        _resources = (generation, resources)
    if resource_id not in resources:
        if len(resources) > 10_000:
            resources.clear()
        resources[resource_id] = (Resource.objects.select_related("dataset", "current_version")
                                  .filter(pk=resource_id).first())
    return resources[resource_id]


def forget() -> None:
    """Drop this process's index (tests that roll back a transaction call it)."""
    global _cached, _resources
    _cached = None
    _resources = (-1, {})
