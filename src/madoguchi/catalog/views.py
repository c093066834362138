"""Catalog pages and downloads. Thin: parse the request, call services, render."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from madoguchi.datastore import services as datastore
from madoguchi.datastore.services import open_file

from . import services
from .models import Dataset, Resource, Theme

FACET_TITLES = {"theme": _("分類"), "organization": _("所管課"), "format": _("形式"), "standard": _("標準データセット"),
                "tag": _("タグ")}  # shown on the page


def _dataset(request: HttpRequest, slug: str) -> Dataset:
    return get_object_or_404(services.visible_datasets(request.user), slug=slug)


def _resource(request: HttpRequest, slug: str, resource_id: int) -> Resource:
    dataset = _dataset(request, slug)
    return get_object_or_404(dataset.resources.select_related("current_version", "dataset"), pk=resource_id)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    newest = services.search_datasets(include_private=False, page_size=6, sort="modified").datasets
    themes = Theme.objects.all()
    return render(request, "catalog/home.html", {
        "newest": newest, "popular": services.most_downloaded(6), "themes": themes,
        "dataset_count": services.visible_datasets().count()})


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    # NUL never occurs in catalog data and PostgreSQL refuses it in a query
    params = {k: (request.GET.get(k) or "").replace("\x00", "") or None
              for k in ("q", "theme", "organization", "format", "tag", "standard")}
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    result = services.search_datasets(**params, include_private=request.user.is_staff, page=page,
                                      page_size=20)
    active = {k: v for k, v in params.items() if v}
    facets = []
    for key, items in result.facets.items():
        if key not in FACET_TITLES:
            continue
        entries = []
        for item in items:
            selected = active.get(key) == item["name"]
            query = {**active, key: item["name"]} if not selected else {k: v for k, v in active.items() if k != key}
            entries.append({**item, "selected": selected, "href": "?" + urlencode(query)})
        facets.append({"key": key, "title": FACET_TITLES[key], "items": entries})

    def page_href(n: int) -> str:
        return "?" + urlencode({**active, "page": n})

    return render(request, "catalog/dataset_list.html", {
        "result": result, "q": params["q"] or "", "facets": facets, "active": active,
        "prev_href": page_href(result.page - 1) if result.page > 1 else None,
        "next_href": page_href(result.page + 1) if result.page < result.pages else None,
    })


@require_GET
@vary_on_headers("Accept")
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    from .views_metadata import negotiate_dataset_rdf  # DCAT when Accept asks for Turtle or JSON-LD
    if (rdf := negotiate_dataset_rdf(request, slug)) is not None:
        return rdf
    dataset = _dataset(request, slug)
    resources = list(dataset.resources.select_related("current_version"))
    return render(request, "catalog/dataset_detail.html", {
        "dataset": dataset, "resources": resources, "downloads": services.downloads_of(dataset),
        "standard": _standard(dataset.standard)})


def _standard(standard_id: str):
    """The ``StandardSchema`` a dataset declares, or ``None`` (none declared, or an id no longer known)."""
    from madoguchi.standards.services import UnknownStandard, get_standard

    if not standard_id:
        return None
    try:
        return get_standard(standard_id)
    except UnknownStandard:
        return None


PREVIEW_ROWS = 20


def _table_query(request: HttpRequest) -> dict:
    """The records query of a preview or download request: the API's parameters (``q``, ``filters`` as
    JSON, ``sort``), and the preview form's one-column filter (``column`` = ``value``) added to ``filters``."""
    import json

    query = {k: request.GET[k] for k in ("q", "sort") if request.GET.get(k, "").strip()}
    filters = request.GET.get("filters", "").strip()
    column, value = request.GET.get("column", ""), request.GET.get("value", "").strip()
    if column and value:
        try:
            parsed = json.loads(filters) if filters else {}
        except ValueError:
            parsed = None
        filters = json.dumps({**parsed, column: value}, ensure_ascii=False) if isinstance(parsed, dict) else filters
    if filters:
        query["filters"] = filters
    return query


@require_GET
def resource_detail(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    """A resource: facts, downloads, a preview that can be searched and filtered (the same query as the
    records API; the downloads then carry it), columns, the ingestion report and the versions."""
    resource = _resource(request, slug, resource_id)
    version = resource.current_version
    preview, query, error, page = None, _table_query(request), None, 1
    if version is not None and version.has_table:
        try:
            page = max(1, int(request.GET.get("page") or 1))
        except ValueError:
            page = 1
        try:
            preview = datastore.search_records(version, limit=PREVIEW_ROWS, offset=(page - 1) * PREVIEW_ROWS, **query)
        except datastore.QueryError as exc:
            error = exc.message
            preview = datastore.search_records(version, limit=PREVIEW_ROWS)
            query = {}
    total = preview["total"] if preview else 0
    suffix = ("?" + urlencode(query)) if query else ""
    return render(request, "catalog/resource_detail.html", {
        "dataset": resource.dataset, "resource": resource, "version": version, "preview": preview,
        "preview_rows": [list(rec.values()) for rec in preview["records"]] if preview else [],
        "versions": resource.versions.order_by("-number"), "query": query, "query_suffix": suffix,
        "query_error": error, "page": page, "first_row": (page - 1) * PREVIEW_ROWS + 1 if total else 0,
        "last_row": min(page * PREVIEW_ROWS, total or 0), "has_next": bool(total and page * PREVIEW_ROWS < total),
        "column": request.GET.get("column", ""), "value": request.GET.get("value", ""),
        "page_query": urlencode([(k, v) for k, v in request.GET.items() if k != "page"]),
    })


def _file_response(request: HttpRequest, path, filename: str, content_type: str, etag: str) -> HttpResponse:
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    fh = path() if callable(path) else open(path, "rb")  # a callable opens a stream (originals from storage)
    response = FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def download(request: HttpRequest, slug: str, resource_id: int, fmt: str, number: str | None = None) -> HttpResponse:
    """A version's table (the current one unless ``number``) as CSV (UTF-8 BOM), JSON or
    Parquet; counts one download."""
    resource = _resource(request, slug, resource_id)
    version = resource.current_version if number is None else get_object_or_404(resource.versions, number=number)
    if version is None or not version.has_table:
        raise Http404("表データがありません")
    stem = version.original_name.rsplit(".", 1)[0]
    query = _table_query(request)
    if query:  # the rows the preview or the API query selects: every one of them, not a page
        try:
            fh = datastore.filtered_export(version, fmt, **query)
        except datastore.QueryError as exc:
            from madoguchi.errors import error_response

            return error_response(request, "invalid_parameter", f"{exc.param}: {exc.message}")
        services.record_download(resource)
        return FileResponse(fh, as_attachment=True, filename=f"{stem}-filtered.{fmt}",
                            content_type=datastore.EXPORT_FORMATS[fmt])
    path = datastore.export_path(version, fmt)
    services.record_download(resource)
    return _file_response(request, path, f"{stem}.{fmt}", datastore.EXPORT_FORMATS[fmt],
                          f'"{version.sha256[:16]}-{version.number}-{fmt}"')


@require_GET
def original(request: HttpRequest, slug: str, resource_id: int, number: int) -> HttpResponse:
    """The file of one version exactly as uploaded; counts one download."""
    resource = _resource(request, slug, resource_id)
    version = get_object_or_404(resource.versions, number=number)
    services.record_download(resource)
    response = _file_response(request, lambda: open_file(version.original_path), version.original_name,
                              version.media_type, f'"{version.sha256}"')
    if response.status_code == 200:
        response["Content-Length"] = str(version.original_bytes)  # a stream from S3 has no size of its own
    return response
