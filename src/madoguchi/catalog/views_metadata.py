"""Machine-readable metadata: DCAT (Turtle, JSON-LD) and Frictionless Data Package.

URLs (``catalog/urls.py``)::

    /catalog.ttl  /catalog.jsonld                 whole catalog (dcat:Catalog)
    /datasets/<slug>.ttl  /datasets/<slug>.jsonld  one dcat:Dataset
    /datasets/<slug>/  with Accept: text/turtle or application/ld+json  (content negotiation)
    /datasets/<slug>/datapackage.json             Data Package

Only public datasets (active, not private) are ever described, also for staff:
these documents are harvested and cached by other catalogs. Anything else is 404.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from . import dcat
from .datapackage import build_datapackage
from .models import Dataset


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _public_dataset(slug: str) -> Dataset:
    return get_object_or_404(dcat.public_datasets(), slug=slug)


def _rdf_response(graph, suffix: str) -> HttpResponse:
    _, content_type = dcat.RDF_FORMATS[suffix]
    response = HttpResponse(dcat.serialize(graph, suffix), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole catalog as DCAT: ``fmt`` ``ttl`` (Turtle) or ``jsonld`` (JSON-LD)."""
    if fmt not in dcat.RDF_FORMATS:
        raise Http404(fmt)
    return _rdf_response(dcat.catalog_graph(dcat.public_datasets(), _base_url(request)), fmt)


@require_safe
def dataset_rdf(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """One public dataset as DCAT: ``fmt`` ``ttl`` or ``jsonld``; 404 for private or deleted ones."""
    if fmt not in dcat.RDF_FORMATS:
        raise Http404(fmt)
    return _rdf_response(dcat.dataset_graph(_public_dataset(slug), _base_url(request)), fmt)


def negotiate_dataset_rdf(request: HttpRequest, slug: str) -> HttpResponse | None:
    """Content negotiation for the dataset page ``/datasets/<slug>/``.

    :returns: the DCAT document (``Vary: Accept``) when the Accept header prefers
        ``text/turtle`` or ``application/ld+json`` over HTML, else ``None`` (render the page)
    :raises Http404: RDF asked for a dataset that is not public
    """
    preferred = request.get_preferred_type(["text/html", *dcat.RDF_MEDIA_TYPES])
    suffix = dcat.RDF_MEDIA_TYPES.get(preferred or "")
    if suffix is None:
        return None
    response = _rdf_response(dcat.dataset_graph(_public_dataset(slug), _base_url(request)), suffix)
    response["Vary"] = "Accept"
    return response


@require_safe
def datapackage(request: HttpRequest, slug: str) -> HttpResponse:
    """``datapackage.json`` of one public dataset (Frictionless Data Package v2); 404 otherwise."""
    package = build_datapackage(_public_dataset(slug), _base_url(request))
    response = HttpResponse(json.dumps(package, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
