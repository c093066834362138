"""Public API of the catalog app.

* ``search_datasets`` — catalog search with facets and paging (pages and API),
  from the in-memory index of ``catalog.index``
* ``filter_datasets`` / ``order_datasets`` / ``facets_of`` — the same on the
  database, for CKAN ``package_search`` (``fq``, facet limits)
* ``reindex_dataset`` — rebuild a dataset's normalized search text
* ``record_download`` — count a download of a resource in this month
* ``ensure_organization`` / ``ensure_theme`` / ``ensure_dataset`` — idempotent
  creation used by the bundle loader, the CLI and the staff pages
* ``can_view`` / ``visible_datasets`` / ``visible_resources`` / ``visible_resource`` /
  ``dataset_filter`` / ``delete_dataset`` — the one visibility rule (``catalog.visibility``)
* ``publication_errors`` — the one rule on publishing metadata: a public dataset has a description
* ``LICENSES`` — the licence table (``catalog.licenses``; CKAN ``license_list`` and dictize)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.text import slugify

from madoguchi.text import normalize_for_search, search_terms, to_nfc

from .index import bump_generation, standard_title
from .licenses import LICENSES  # noqa: F401 (re-exported)
from .models import Dataset, DownloadCount, Organization, Resource, Tag, Theme
from .visibility import (can_view, dataset_filter, delete_dataset, visible_datasets,  # noqa: F401
                         visible_resource, visible_resources)

FACETS = ("theme", "organization", "format", "tag")


@dataclass
class SearchResult:
    """One page of catalog search.

    ``entries``: the page's ``index.Entry`` objects; ``datasets``: the same as
    ``Dataset`` objects (read from the database on first use); ``count``:
    matches in all pages; ``facets``: ``{facet: [{"name", "title", "count"}]}``
    over all matches; ``index``: the ``CatalogIndex`` that answered.
    """

    entries: list
    count: int
    page: int
    pages: int
    page_size: int
    facets: dict = field(default_factory=dict)
    index: object = None
    _datasets: list | None = None

    @property
    def datasets(self) -> list:
        if self._datasets is None:
            pks = [e.pk for e in self.entries]
            by_pk = (Dataset.objects.select_related("organization").prefetch_related("themes", "tags", "resources")
                     .in_bulk(pks))
            self._datasets = [by_pk[pk] for pk in pks if pk in by_pk]
        return self._datasets


def reindex_dataset(dataset: Dataset) -> None:
    """Rebuild ``search_title`` and ``search_text`` from title, description, tags,
    organization, themes, resource names and the column names of published tables."""
    parts = [dataset.description, dataset.organization.title]
    parts += [t.name for t in dataset.tags.all()]
    parts += [t.title for t in dataset.themes.all()]
    for resource in dataset.resources.select_related("current_version"):
        parts.append(resource.name)
        if resource.current_version:
            parts += [c["name"] for c in resource.current_version.columns]
    dataset.refresh_search_title()
    dataset.search_text = normalize_for_search(" ".join(p for p in parts if p))
    Dataset.objects.filter(pk=dataset.pk).update(search_title=dataset.search_title, search_text=dataset.search_text)
    bump_generation()  # ``update()`` sends no signal


def _as_list(value) -> list[str]:
    if value in (None, "", []):
        return []
    return [v for v in (value if isinstance(value, (list, tuple, set)) else [value]) if v not in (None, "")]


def filter_datasets(q: str | None = None, *, theme=None, organization=None, format=None, tag=None, license=None,
                    name=None, standard=None, include_private: bool = False) -> QuerySet:
    """Datasets matching ``q`` and the facet filters, annotated with ``title_hits``.

    Each facet filter takes one value or a list (a dataset must match every
    value given: CKAN ``fq`` semantics). See ``search_datasets`` for matching.
    """
    qs = visible_datasets(include_private)
    terms = search_terms(q)
    for term in terms:
        qs = qs.filter(Q(search_title__contains=term) | Q(search_text__contains=term))
    for value in _as_list(theme):
        qs = qs.filter(themes__slug=value)
    for value in _as_list(organization):
        qs = qs.filter(organization__slug=value)
    for value in _as_list(format):
        qs = qs.filter(resources__format__iexact=value)
    for value in _as_list(tag):
        qs = qs.filter(tags__name=to_nfc(value))
    for value in _as_list(license):
        qs = qs.filter(license_id=value)
    for value in _as_list(name):
        qs = qs.filter(slug=value)
    for value in _as_list(standard):
        qs = qs.filter(standard=value)
    qs = qs.distinct()
    hits = sum((Case(When(search_title__contains=t, then=Value(1)), default=Value(0), output_field=IntegerField())
                for t in terms), Value(0, output_field=IntegerField()))
    return qs.annotate(title_hits=hits)


def order_datasets(qs: QuerySet, sort: str) -> QuerySet:
    """Order by ``relevance`` (title hits, then newest), ``modified``, ``created``, ``title`` or ``name``."""
    newest = F("modified").desc(nulls_last=True)
    return {
        "relevance": lambda: qs.order_by("-title_hits", newest, "title"),
        "title": lambda: qs.order_by("title", "slug"),
        "name": lambda: qs.order_by("slug"),
        "created": lambda: qs.order_by("-created", "slug"),
    }.get(sort, lambda: qs.order_by(newest, "title"))()


def search_datasets(q: str | None = None, *, theme: str | None = None, organization: str | None = None,
                    format: str | None = None, tag: str | None = None, standard: str | None = None,
                    include_private: bool = False, page: int = 1, page_size: int = 20,
                    sort: str = "relevance") -> SearchResult:
    """Search the catalog.

    Matching: every term of ``q`` must occur in the title or in the search text
    (description, tags, organization, themes, resource and column names), after
    ``normalize_for_search`` on both sides — so two-character words (人口, ごみ)
    match, and ごみ = ゴミ = ｺﾞﾐ. Ranking: datasets with more terms in the title
    first, then the most recently updated. ``sort="modified"`` or ``"title"``
    ignores relevance.

    Answered from this process's in-memory index (``catalog.index``), which
    has the same semantics as ``filter_datasets``/``order_datasets``/``facets_of``.

    :param theme: Theme slug; ``organization``: Organization slug; ``format``:
        resource format (``CSV``); ``tag``: tag name; ``standard``: standard id
        the dataset declares (``madoguchi.standards``)
    :param page: 1-based; out-of-range pages give the last page
    """
    from .index import current_index

    index = current_index()
    entries, facets = index.search(q, theme=theme, organization=organization, format=format, tag=tag,
                                   standard=standard, include_private=include_private, sort=sort)
    paginator = Paginator(entries, page_size)
    page_obj = paginator.get_page(page)
    return SearchResult(entries=list(page_obj.object_list), count=paginator.count, page=page_obj.number,
                        pages=paginator.num_pages, page_size=page_size, facets=facets, index=index)


def _facets(qs: QuerySet, limit: int | None = 30) -> dict:
    """Counts of datasets in ``qs`` by theme, organization, format, tag, licence and standard (``limit`` per facet)."""
    ids = qs.order_by().values("pk")
    themes = (Theme.objects.filter(datasets__in=ids).annotate(n=Count("datasets", distinct=True))
              .order_by("-n", "order", "title"))
    orgs = (Organization.objects.filter(datasets__in=ids).annotate(n=Count("datasets", distinct=True))
            .order_by("-n", "title"))
    formats = (Resource.objects.filter(dataset__in=ids).exclude(format="").values("format")
               .annotate(n=Count("dataset", distinct=True)).order_by("-n", "format"))
    tags = Tag.objects.filter(datasets__in=ids).annotate(n=Count("datasets", distinct=True)).order_by("-n", "name")
    licenses = (Dataset.objects.filter(pk__in=ids).values("license_id").annotate(n=Count("pk"))
                .order_by("-n", "license_id"))
    standards = (Dataset.objects.filter(pk__in=ids).exclude(standard="").values("standard").annotate(n=Count("pk"))
                 .order_by("-n", "standard"))
    themes, orgs, formats, tags, licenses, standards = (
        x[:limit] if limit else x for x in (themes, orgs, formats, tags, licenses, standards))
    return {
        "theme": [{"name": t.slug, "title": t.title, "count": t.n} for t in themes],
        "organization": [{"name": o.slug, "title": o.title, "count": o.n} for o in orgs],
        "format": [{"name": f["format"], "title": f["format"], "count": f["n"]} for f in formats],
        "tag": [{"name": t.name, "title": t.name, "count": t.n} for t in tags],
        "license": [{"name": x["license_id"], "title": LICENSES[x["license_id"]].title
                     if x["license_id"] in LICENSES else x["license_id"], "count": x["n"]} for x in licenses],
        "standard": [{"name": x["standard"], "title": standard_title(x["standard"]), "count": x["n"]}
                     for x in standards],
    }


facets_of = _facets


def record_download(resource: Resource, *, when: dt.datetime | None = None) -> None:
    """Add one download of ``resource`` to the count of the current month (Asia/Tokyo)."""
    local = timezone.localtime(when or timezone.now())
    month = local.date().replace(day=1)
    updated = DownloadCount.objects.filter(resource=resource, month=month).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                DownloadCount.objects.create(resource=resource, month=month, count=1)
        except IntegrityError:  # another request created it first
            DownloadCount.objects.filter(resource=resource, month=month).update(count=F("count") + 1)


def downloads_of(dataset: Dataset) -> int:
    """Total downloads of all resources of ``dataset``."""
    return DownloadCount.objects.filter(resource__dataset=dataset).aggregate(n=Sum("count"))["n"] or 0


def most_downloaded(limit: int = 5) -> list[Dataset]:
    """Public datasets with the most downloads, all months together."""
    return list(visible_datasets().annotate(n=Sum("resources__download_counts__count"))
                .filter(n__gt=0).order_by("-n")[:limit])


#: why a dataset is refused publication without a description (``publication_errors``)
NO_DESCRIPTION = ("説明のないデータセットは公開できません。データの内容・対象・時点・出典がわかる説明を入力してから"
                  "公開してください (a public dataset needs a description)。")


def publication_errors(dataset: Dataset) -> list[str]:
    """Why ``dataset``, in its new (unsaved) state, may not be saved: Japanese messages, ``[]`` when it may.

    The rule (issue #13; DCAT-AP's mandatory ``dct:description``): a public dataset has a
    description. It is checked when the change publishes — a dataset created public, a private
    one made public — or removes the description of a public dataset. A public dataset stored
    without a description before the rule may still be edited in other ways (its DCAT lacks the
    description until staff add one).

    Every path that publishes calls it: the admin form, CKAN ``package_create`` /
    ``package_update`` / ``package_patch`` and ``madoguchi publish``. ``ensure_dataset`` (bundle
    loader, counters, tests' factories) does not; every bundled dataset has a description.

    :param dataset: a ``Dataset`` with its new ``private`` and ``description`` set, saved or not
    :returns: ``[NO_DESCRIPTION]`` or ``[]``
    """
    if dataset.private or (dataset.description or "").strip():
        return []
    if dataset.pk:
        stored = Dataset.objects.filter(pk=dataset.pk).values("private", "description").first()
        if stored and not stored["private"] and not stored["description"].strip():
            return []  # already public without one: this change does not publish anything new
    return [NO_DESCRIPTION]


def ensure_organization(slug: str, title: str, **fields) -> Organization:
    org, _ = Organization.objects.update_or_create(slug=slug, defaults={"title": to_nfc(title), **fields})
    return org


def ensure_theme(slug: str, title: str, **fields) -> Theme:
    theme, _ = Theme.objects.update_or_create(slug=slug, defaults={"title": to_nfc(title), **fields})
    return theme


def ensure_dataset(slug: str, *, title: str, organization: Organization, description: str = "",
                   themes: list[Theme] = (), tags: list[str] = (), **fields) -> Dataset:
    """Create or update a dataset by slug, setting its themes and tags, and reindex it."""
    slug = slugify(slug, allow_unicode=False) or slug
    dataset, _ = Dataset.objects.update_or_create(
        slug=slug, defaults={"title": to_nfc(title), "description": to_nfc(description),
                             "organization": organization, **fields})
    dataset.themes.set(themes)
    dataset.tags.set([Tag.objects.get_or_create(name=to_nfc(t))[0] for t in tags])
    reindex_dataset(dataset)
    return dataset
