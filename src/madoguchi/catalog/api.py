"""Catalog endpoints of ``/api/v1/``: dataset search and dataset metadata."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from madoguchi.schemas import ErrorOut

from . import services
from .models import Dataset

router = Router(tags=["catalog"])


class NamedOut(Schema):
    name: str
    title: str


class FacetItem(Schema):
    name: str
    title: str
    count: int


class ColumnOut(Schema):
    name: str
    type: str
    role: str | None = None


class ResourceSummary(Schema):
    id: int
    name: str
    format: str
    url: str
    api_url: str
    version: int | None
    rows: int | None
    columns: list[ColumnOut]
    downloads: dict[str, str]


class DatasetSummary(Schema):
    slug: str
    title: str
    description: str
    organization: NamedOut
    themes: list[NamedOut]
    tags: list[str]
    formats: list[str]
    license_id: str
    modified: dt.datetime | None
    url: str


class DatasetDetail(DatasetSummary):
    license_title: str
    license_url: str
    attribution: str
    source_url: str
    update_frequency: str
    private: bool
    resources: list[ResourceSummary]


class DatasetList(Schema):
    count: int
    page: int
    pages: int
    results: list[DatasetSummary]
    facets: dict[str, list[FacetItem]]


class DatasetFilters(Schema):
    q: str | None = None
    theme: str | None = None
    organization: str | None = None
    format: str | None = None
    tag: str | None = None
    page: int = 1
    page_size: int = 20
    sort: str = "relevance"


def resource_summary(resource) -> dict:
    v = resource.current_version
    base = reverse("catalog:resource", args=[resource.dataset.slug, resource.pk])
    downloads = {}
    if v is not None:
        downloads["original"] = reverse("catalog:original", args=[resource.dataset.slug, resource.pk, v.number])
        if v.has_table:
            for fmt in ("csv", "json", "parquet"):
                downloads[fmt] = reverse("catalog:download", args=[resource.dataset.slug, resource.pk, fmt])
    return {
        "id": resource.pk, "name": resource.name, "format": resource.format, "url": base,
        "api_url": reverse("api-v1:resource", args=[resource.pk]),
        "version": v.number if v else None, "rows": v.row_count if v else None,
        "columns": [{"name": c["name"], "type": c["type"], "role": c.get("role")} for c in (v.columns if v else [])],
        "downloads": downloads,
    }


def dataset_summary(d: Dataset) -> dict:
    return {
        "slug": d.slug, "title": d.title, "description": d.description,
        "organization": {"name": d.organization.slug, "title": d.organization.title},
        "themes": [{"name": t.slug, "title": t.title} for t in d.themes.all()],
        "tags": [t.name for t in d.tags.all()],
        "formats": sorted({r.format for r in d.resources.all() if r.format}),
        "license_id": d.license_id, "modified": d.modified, "url": d.get_absolute_url(),
    }


@router.get("/datasets", response=DatasetList, url_name="datasets")
def list_datasets(request, filters: Query[DatasetFilters]):
    """Search the catalog.

    ``q`` matches title, description, tags, organization, themes, resource and
    column names; two-character Japanese words work, and ごみ = ゴミ = ｺﾞﾐ.
    Title hits rank first. Facet parameters take slugs (``theme``,
    ``organization``), a format (``CSV``) or a tag name. ``page`` is 1-based,
    ``page_size`` ≤ 100. ``facets`` count datasets over all pages.
    """
    if not 1 <= filters.page_size <= 100:
        from madoguchi.datastore.errors import QueryError

        raise QueryError("page_size", "1 以上 100 以下で指定してください")
    result = services.search_datasets(
        filters.q, theme=filters.theme, organization=filters.organization, format=filters.format, tag=filters.tag,
        include_private=request.user.is_staff, page=filters.page, page_size=filters.page_size, sort=filters.sort)
    return {"count": result.count, "page": result.page, "pages": result.pages,
            "results": [dataset_summary(d) for d in result.datasets], "facets": result.facets}


@router.get("/datasets/{slug}", response={200: DatasetDetail, 404: ErrorOut}, url_name="dataset")
def get_dataset(request, slug: str):
    """One dataset with its resources (columns, row counts, download URLs). 404 if unknown or private."""
    d = services.visible_datasets(request.user.is_staff).filter(slug=slug).first()
    if d is None:
        raise HttpError(404, f"データセット「{slug}」はありません")
    lic = d.license
    out = dataset_summary(d)
    out.update(license_title=lic.title if lic else d.license_id, license_url=lic.url if lic else "",
               attribution=d.attribution, source_url=d.source_url, update_frequency=d.update_frequency,
               private=d.private,
               resources=[resource_summary(r) for r in d.resources.select_related("current_version", "dataset")])
    return out
