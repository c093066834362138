"""Catalog objects as CKAN dicts (the shapes ``package_show`` & co. return in CKAN 2.9–2.11).

Ids: CKAN clients key datasets by ``name`` and resources by ``id``. madoguchi
uses the dataset slug as both package ``id`` and ``name``, the organization
and theme slugs as their ids, and the resource's integer key, as text, as the
resource ``id`` (the DataStore table name in ``datastore_search_sql``).
Field types use CKAN's DataStore names (``CKAN_TYPES``).
"""

from __future__ import annotations

from django.urls import reverse

from madoguchi.catalog.services import LICENSES
from madoguchi.catalog.models import Dataset, Organization, Resource, Theme

from .context import Context

CKAN_TYPES = {"integer": "int", "number": "numeric", "boolean": "bool", "date": "date", "time": "time",
              "datetime": "timestamp", "string": "text"}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def organization_dict(org: Organization, ctx: Context, *, package_count: int | None = None) -> dict:
    out = {"id": org.slug, "name": org.slug, "title": org.title, "display_name": org.title,
           "description": org.description, "image_url": "", "type": "organization", "state": "active",
           "is_organization": True, "approval_status": "approved",
           "created": None, "extras": [{"key": "city_code", "value": org.city_code}] if org.city_code else []}
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(theme: Theme, ctx: Context, *, package_count: int | None = None) -> dict:
    out = {"id": theme.slug, "name": theme.slug, "title": theme.title, "display_name": theme.title,
           "description": theme.title_en, "image_url": "", "type": "group", "state": "active",
           "is_organization": False, "approval_status": "approved"}
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_dict(resource: Resource, ctx: Context) -> dict:
    v = resource.current_version
    slug = resource.dataset.slug
    if v is not None and v.has_table:
        url = ctx.url(reverse("catalog:download", args=[slug, resource.pk, "csv"]))
    elif v is not None:
        url = ctx.url(reverse("catalog:original", args=[slug, resource.pk, v.number]))
    else:
        url = ""
    return {
        "id": str(resource.pk), "package_id": slug, "name": resource.name, "description": resource.description,
        "format": resource.format, "url": url, "url_type": "upload",
        "mimetype": "text/csv" if v is not None and v.has_table else (v.media_type if v else None),
        "size": v.original_bytes if v else None, "hash": f"sha256:{v.sha256}" if v else "",
        "created": _iso(resource.created), "last_modified": _iso(v.created) if v else None,
        "metadata_modified": _iso(v.created) if v else _iso(resource.created),
        "datastore_active": bool(v is not None and v.has_table), "position": resource.position, "state": "active",
        "original_url": ctx.url(reverse("catalog:original", args=[slug, resource.pk, v.number])) if v else "",
        "version": v.number if v else None, "rows": v.row_count if v else None,
    }


def package_dict(d: Dataset, ctx: Context) -> dict:
    lic = LICENSES.get(d.license_id)
    resources = [resource_dict(r, ctx) for r in d.resources.all()]
    tags = [{"id": t.name, "name": t.name, "display_name": t.name, "state": "active", "vocabulary_id": None}
            for t in d.tags.all()]
    groups = [group_dict(t, ctx) for t in d.themes.all()]
    return {
        "id": d.slug, "name": d.slug, "title": d.title, "notes": d.description, "type": "dataset",
        "state": "active", "private": d.private, "url": d.source_url, "version": None,
        "author": d.organization.title, "author_email": d.organization.email or None,
        "maintainer": d.organization.title, "maintainer_email": d.organization.email or None,
        "license_id": d.license_id, "license_title": lic.title if lic else d.license_id,
        "license_url": lic.url if lic else "", "isopen": bool(lic and lic.open),
        "metadata_created": _iso(d.created), "metadata_modified": _iso(d.modified or d.created),
        "owner_org": d.organization.slug, "organization": organization_dict(d.organization, ctx),
        "groups": groups, "tags": tags, "num_tags": len(tags), "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": "frequency", "value": d.update_frequency},
                   {"key": "attribution", "value": d.attribution},
                   *([{"key": "conforms_to", "value": d.standard}] if d.standard else [])],
        "frequency": d.update_frequency, "attribution": d.attribution, "conforms_to": d.standard or None,
    }
