"""Catalog endpoints of ``/api/v1/``: dataset search and dataset metadata."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from madoguchi.schemas import ERRORS, SLUG_PATTERN, OutSchema, Text

from . import services
from .models import Dataset

router = Router(tags=["catalog"])

#: Bundled dataset used as the example in the OpenAPI document (``madoguchi quickstart`` loads it).
EXAMPLE_SLUG = "sapporo-population-by-town"


class NamedOut(OutSchema):
    name: str = Field(description="Slug")
    title: str


class FacetItem(OutSchema):
    name: str = Field(description="The value to pass as the facet parameter (slug, format or tag name)")
    title: str
    count: int = Field(description="Datasets with this value, over all pages")


class ColumnOut(OutSchema):
    name: str
    type: str = Field(description="Frictionless type: string, integer, number, boolean, date, datetime, time")
    role: str | None = Field(description="``latitude`` / ``longitude`` for coordinate columns, else null")


class ResourceSummary(OutSchema):
    id: int
    name: str
    format: str = Field(description="Upper case (``CSV``, ``XLSX``, ``JSON``, ``GEOJSON``, ``PDF`` …); may be empty")
    url: str = Field(description="Path of the resource's HTML page")
    api_url: str = Field(description="Path of this resource in the JSON API")
    version: int | None = Field(description="Number of the published version; null if none yet")
    rows: int | None = Field(description="Rows of the published version; null if none or not tabular")
    columns: list[ColumnOut] = Field(description="Columns of the published version, in order (empty if not tabular)")
    downloads: dict[str, str] = Field(description="Download paths of the published version: ``original`` (the file "
                                                  "as uploaded), and ``csv``, ``json``, ``parquet`` if tabular")


class DatasetSummary(OutSchema):
    slug: str
    title: str
    description: str
    organization: NamedOut
    themes: list[NamedOut]
    tags: list[str]
    formats: list[str] = Field(description="Formats of the resources, sorted")
    license_id: str = Field(description="CKAN-style licence id, e.g. ``cc-by-4.0``")
    standard: str = Field(description="Id of the standard dataset definition the dataset declares "
                                      "(``/api/v1/standards``); empty if none")
    modified: dt.datetime | None = Field(description="Last publication of a version (ISO 8601); null if never")
    url: str = Field(description="Path of the dataset's HTML page")


class DatasetDetail(DatasetSummary):
    license_title: str
    license_url: str = Field(description="May be empty")
    attribution: str = Field(description="出典表記 to show when reusing the data; may be empty")
    source_url: str = Field(description="May be empty")
    update_frequency: str = Field(description="DCAT-AP frequency id: DAILY, WEEKLY, MONTHLY, QUARTERLY, ANNUAL, "
                                              "IRREG, NEVER")
    private: bool = Field(description="Only staff see private datasets")
    resources: list[ResourceSummary]


class DatasetList(OutSchema):
    count: int = Field(description="Datasets matching, over all pages")
    page: int = Field(description="The page returned (the last page if ``page`` was past it)")
    pages: int = Field(description="Number of pages (at least 1)")
    results: list[DatasetSummary]
    facets: dict[str, list[FacetItem]] = Field(
        description="Counts by ``theme``, ``organization``, ``format``, ``tag``, ``license`` and ``standard`` "
                    "(keys), most frequent first")


class DatasetFilters(Schema):
    q: Text | SkipJsonSchema[None] = Field(None, description="Search words (all must match)", examples=["人口"])
    theme: Text | SkipJsonSchema[None] = Field(None, description="Theme slug", examples=["population"])
    organization: Text | SkipJsonSchema[None] = Field(None, description="Organization slug",
                                                      examples=["sapporo-city"])
    format: Text | SkipJsonSchema[None] = Field(None, description="Resource format, any case", examples=["CSV"])
    tag: Text | SkipJsonSchema[None] = Field(None, description="Tag name", examples=["人口"])
    standard: Text | SkipJsonSchema[None] = Field(
        None, description="Id of the standard the dataset declares (see ``/api/v1/standards``)", examples=["aed-v1"])
    page: int = Field(1, ge=1, description="1-based; a page past the last gives the last page")
    page_size: int = Field(20, ge=1, le=100, description="Datasets per page")
    sort: Literal["relevance", "modified", "title", "name", "created"] = Field(
        "relevance", description="``relevance``: title hits first, then newest (newest first without ``q``); "
                                 "``modified``: newest first; ``title``; ``name`` (slug); ``created``: newest first")


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
        "license_id": d.license_id, "standard": d.standard, "modified": d.modified, "url": d.get_absolute_url(),
    }


def entry_summary(e, index) -> dict:
    """``dataset_summary`` of a search index entry (``catalog.index.Entry``), without database queries."""
    return {
        "slug": e.slug, "title": e.title, "description": e.description,
        "organization": {"name": e.organization, "title": index.organizations.get(e.organization, e.organization)},
        "themes": [{"name": t, "title": index.themes.get(t, (t, 0))[0]} for t in e.themes],
        "tags": list(e.tags), "formats": list(e.formats), "license_id": e.license_id, "standard": e.standard,
        "modified": e.modified, "url": reverse("catalog:dataset", args=[e.slug]),
    }


@router.get("/datasets", response={200: DatasetList, 400: ERRORS[400]}, url_name="datasets")
def list_datasets(request, filters: Query[DatasetFilters]):
    """Search the catalog.

    ``q`` matches title, description, tags, organization, themes, resource and
    column names; two-character Japanese words work, and ごみ = ゴミ = ｺﾞﾐ.
    Title hits rank first. Facet parameters take slugs (``theme``,
    ``organization``), a format (``CSV``), a tag name or a standard id
    (``standard``: datasets that declare that 標準データセット). ``page`` is 1-based,
    ``page_size`` 1–100. ``facets`` count datasets over all pages.

    400 (``invalid_parameter``, naming it) for a ``page`` below 1, a ``page_size``
    outside 1–100 or an unknown ``sort``.
    """
    result = services.search_datasets(
        filters.q, theme=filters.theme, organization=filters.organization, format=filters.format, tag=filters.tag,
        standard=filters.standard, include_private=request.user.is_staff, page=filters.page, page_size=filters.page_size, sort=filters.sort)
    return {"count": result.count, "page": result.page, "pages": result.pages,
            "results": [entry_summary(e, result.index) for e in result.entries], "facets": result.facets}


@router.get("/datasets/{slug}", response={200: DatasetDetail, **ERRORS}, url_name="dataset")
def get_dataset(request, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100, examples=[EXAMPLE_SLUG],
                                          description="Dataset slug")):
    """One dataset with its resources (columns, row counts, download URLs).

    404 (``not_found``) if unknown or private; 400 if ``slug`` is not a slug (letters, digits, ``-``, ``_``).
    """
    d = services.visible_datasets(request.user).filter(slug=slug).first()
    if d is None:
        raise HttpError(404, f"データセット「{slug}」はありません")
    lic = d.license
    out = dataset_summary(d)
    out.update(license_title=lic.title if lic else d.license_id, license_url=lic.url if lic else "",
               attribution=d.attribution, source_url=d.source_url, update_frequency=d.update_frequency,
               private=d.private,
               resources=[resource_summary(r) for r in d.resources.select_related("current_version", "dataset")])
    return out
