"""CKAN read actions over the catalog: status, packages, organizations, groups, tags, licences.

Parameters and result shapes follow the CKAN 2.11 Action API reference
(``ckan.logic.action.get``); unsupported Solr syntax in ``q``/``fq`` is read
as plain text.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Count, Q

from madoguchi.catalog import services as catalog
from madoguchi.catalog.services import LICENSES
from madoguchi.catalog.models import Organization, Resource, Tag, Theme

from .dictize import group_dict, organization_dict, package_dict, resource_dict
from .errors import NotFound, ValidationError
from .params import as_bool, as_int, as_json, as_list, required
from .registry import action

CKAN_VERSION = "2.11.0"
FIELD_TERM = re.compile(r'(?:^|\s)[+]?(?P<field>[a-z_]+):(?P<value>"[^"]*"|\S+)')
FQ_FIELDS = {"organization": "organization", "owner_org": "organization", "groups": "theme", "tags": "tag",
             "res_format": "format", "license_id": "license", "name": "name", "id": "name",
             "conforms_to": "standard"}
FACET_FIELDS = {"organization": "organization", "groups": "theme", "tags": "tag", "res_format": "format",
                "license_id": "license", "conforms_to": "standard"}
SORTS = {"score desc, metadata_modified desc": "relevance", "score desc": "relevance",
         "metadata_modified desc": "modified", "title_string asc": "title", "name asc": "name",
         "metadata_created desc": "created"}


def _split_terms(text: str, filters: dict[str, list[str]]) -> str:
    """Move ``field:value`` terms of a Solr-style query into ``filters``; return the rest."""
    rest = text
    for m in FIELD_TERM.finditer(text):
        field = FQ_FIELDS.get(m["field"])
        if field:
            filters.setdefault(field, []).append(m["value"].strip('"'))
            rest = rest.replace(m.group(0), " ")
    return rest.strip()


@action("status_show")
def status_show(ctx, data):
    """Site information: CKAN version emulated, site URL, extensions (``datastore``)."""
    return {"ckan_version": CKAN_VERSION, "site_url": ctx.url("/").rstrip("/"), "site_title": "madoguchi",
            "site_description": "オープンデータカタログ", "locale_default": settings.LANGUAGE_CODE,
            "extensions": ["datastore", "dcat", "madoguchi"]}


@action("package_list")
def package_list(ctx, data):
    """Names of all public datasets, sorted. ``limit``, ``offset``."""
    limit = as_int(data, "limit", 0, maximum=100000)
    offset = as_int(data, "offset", 0)
    names = catalog.visible_datasets().order_by("slug").values_list("slug", flat=True)
    return list(names[offset: offset + limit] if limit else names[offset:])


def _dataset(ctx, data, key: str = "id"):
    ident = data.get(key) or data.get("name_or_id") or data.get("name")
    if not ident:
        raise ValidationError(f"{key} がありません", **{key: ["Missing value"]})
    d = (catalog.visible_datasets(ctx.user).filter(slug=ident)
         .prefetch_related("themes", "tags", "resources__current_version").first())
    if d is None:
        raise NotFound(f"データセット「{ident}」はありません (Dataset not found)")
    return d


@action("package_show")
def package_show(ctx, data):
    """One dataset by ``id`` (its name). Private datasets only for staff."""
    return package_dict(_dataset(ctx, data), ctx)


@action("package_search")
def package_search(ctx, data):
    """Search datasets.

    ``q`` (free text; ``field:value`` terms are filters), ``fq`` (``organization:x
    groups:y tags:z res_format:CSV license_id:…``), ``rows`` (≤ 1000, default 10),
    ``start``, ``sort`` (``score desc, metadata_modified desc`` | ``metadata_modified
    desc`` | ``title_string asc`` | ``name asc`` | ``metadata_created desc``),
    ``facet.field`` (JSON list of organization, groups, tags, res_format, license_id, conforms_to),
    ``facet.limit`` (default 50, -1 for all), ``include_private`` (staff only).
    """
    filters: dict[str, list[str]] = {}
    q = data.get("q") or ""
    q = "" if q.strip() in ("*:*", "*") else _split_terms(str(q), filters)
    fq = str(data.get("fq") or "")
    rest = _split_terms(fq, filters)
    if rest and rest not in ("*:*",):
        q = f"{q} {rest}".strip()
    rows = as_int(data, "rows", 10, maximum=1000)
    start = as_int(data, "start", 0)
    sort = str(data.get("sort") or "score desc, metadata_modified desc").strip().lower()
    if sort not in SORTS:
        raise ValidationError(f"sort: {sort} には対応していません", sort=[f"Supported: {', '.join(SORTS)}"])
    include_private = as_bool(data, "include_private") and ctx.is_staff
    qs = catalog.filter_datasets(q, include_private=include_private, **filters)
    count = qs.count()
    page = catalog.order_datasets(qs, SORTS[sort] if (q or SORTS[sort] != "relevance") else "modified")
    page = page.prefetch_related("themes", "tags", "resources__current_version")[start: start + rows]
    facet_fields = as_list(data, "facet.field")
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise ValidationError(f"facet.field: {', '.join(unknown)} には対応していません",
                              **{"facet.field": [f"Supported: {', '.join(FACET_FIELDS)}"]})
    facet_limit = as_int(data, "facet.limit", 50, minimum=-1)
    facets, search_facets = {}, {}
    if facet_fields:
        counted = catalog.facets_of(qs, limit=None if facet_limit < 0 else facet_limit)
        for field in facet_fields:
            items = counted[FACET_FIELDS[field]]
            facets[field] = {i["name"]: i["count"] for i in items}
            search_facets[field] = {"title": field, "items": [
                {"name": i["name"], "display_name": i["title"], "count": i["count"]} for i in items]}
    return {"count": count, "results": [package_dict(d, ctx) for d in page], "sort": sort,
            "facets": facets, "search_facets": search_facets}


def _with_counts(qs, ctx):
    ids = catalog.visible_datasets(ctx.user).values("pk")
    return qs.annotate(package_count=Count("datasets", filter=Q(datasets__in=ids), distinct=True))


def _named_list(ctx, data, qs, dictize):
    all_fields = as_bool(data, "all_fields")
    limit = as_int(data, "limit", 1000, maximum=1000)
    offset = as_int(data, "offset", 0)
    sort = str(data.get("sort") or "name asc").lower()
    order = {"name asc": "slug", "name desc": "-slug", "title asc": "title", "title desc": "-title",
             "package_count desc": "-package_count", "package_count asc": "package_count"}.get(sort)
    if order is None:
        raise ValidationError(f"sort: {sort} には対応していません", sort=["Unsupported sort"])
    qs = _with_counts(qs, ctx).order_by(order, "slug")[offset: offset + limit]
    if all_fields:
        return [dictize(o, ctx, package_count=o.package_count) for o in qs]
    return [o.slug for o in qs]


@action("organization_list")
def organization_list(ctx, data):
    """Organizations (所管課): names, or dicts with ``package_count`` if ``all_fields``."""
    return _named_list(ctx, data, Organization.objects.all(), organization_dict)


@action("group_list")
def group_list(ctx, data):
    """Groups = themes (分類): names, or dicts with ``package_count`` if ``all_fields``."""
    return _named_list(ctx, data, Theme.objects.all(), group_dict)


def _show_named(ctx, data, qs, dictize, filter_key: str):
    ident = required(data, "id")
    obj = _with_counts(qs, ctx).filter(slug=ident).first()
    if obj is None:
        raise NotFound(f"「{ident}」はありません (Not found)")
    out = dictize(obj, ctx, package_count=obj.package_count)
    if as_bool(data, "include_datasets", False):
        datasets = catalog.filter_datasets(include_private=ctx.is_staff, **{filter_key: ident})
        out["packages"] = [package_dict(d, ctx) for d in datasets.order_by("slug")[:1000]]
    return out


@action("organization_show")
def organization_show(ctx, data):
    """One organization by ``id`` (its name); ``include_datasets`` adds ``packages``."""
    return _show_named(ctx, data, Organization.objects.all(), organization_dict, "organization")


@action("group_show")
def group_show(ctx, data):
    """One group (theme) by ``id``; ``include_datasets`` adds ``packages``."""
    return _show_named(ctx, data, Theme.objects.all(), group_dict, "theme")


@action("tag_list")
def tag_list(ctx, data):
    """Tag names used by public datasets; ``query`` filters by substring; ``all_fields`` gives dicts."""
    ids = catalog.visible_datasets().values("pk")
    qs = Tag.objects.filter(datasets__in=ids).distinct().order_by("name")
    if data.get("query"):
        qs = qs.filter(name__icontains=str(data["query"]))
    if as_bool(data, "all_fields"):
        return [{"id": t.name, "name": t.name, "display_name": t.name, "vocabulary_id": None} for t in qs]
    return [t.name for t in qs]


@action("resource_show")
def resource_show(ctx, data):
    """One resource by ``id``."""
    ident = str(required(data, "id"))
    resource = _resource(ctx, ident)
    return resource_dict(resource, ctx)


def _resource(ctx, ident: str) -> Resource:
    if not ident.isdigit() or len(ident) > 18:
        raise NotFound(f"リソース「{ident}」はありません (Resource not found)")
    resource = catalog.visible_resources(ctx.user).filter(pk=int(ident)).first()
    if resource is None:
        raise NotFound(f"リソース「{ident}」はありません (Resource not found)")
    return resource


@action("license_list")
def license_list(ctx, data):
    """The licences datasets can carry (CKAN ``license_list`` shape)."""
    return [{"id": lic.id, "title": lic.title, "url": lic.url, "status": "active",
             "od_conformance": "approved" if lic.open else "not reviewed", "osd_conformance": "not reviewed",
             "domain_data": True, "domain_content": False, "domain_software": False, "family": "",
             "maintainer": "", "is_okd_compliant": lic.open, "is_osi_compliant": False}
            for lic in LICENSES.values()]


@action("help_show")
def help_show(ctx, data):
    """The documentation of action ``name``."""
    from .registry import ACTIONS

    name = required(data, "name")
    if name not in ACTIONS:
        raise NotFound(f"アクション「{name}」はありません")
    return ACTIONS[name].func.__doc__


__all__ = ["as_json"]
