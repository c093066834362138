"""DCAT metadata of the catalog as RDF (rdflib graphs), for catalog federation.

Vocabularies: W3C DCAT 3 (``dcat:``), DCMI terms (``dct:``), FOAF, SKOS,
vCard and SPDX, used as the EU application profile DCAT-AP 3 uses them, so a
DCAT-AP harvester (or the national catalog) can take the catalog unchanged.

Shape of the graph (``<page>`` = absolute URL of a page of this site)::

    <home>  a dcat:Catalog ; dct:title "…"@ja ; dct:description "…"@ja ;
            foaf:homepage <home> ; dct:language <…/language/JPN> ; dct:modified …^^xsd:dateTime ;
            dcat:themeTaxonomy <home#themes> ; dcat:dataset <dataset page> …
    <dataset page>  a dcat:Dataset ; dct:identifier "<slug>" ; dct:title "…"@ja ; dct:description "…"@ja ;
            dct:publisher <home#organization-<slug>> ; dcat:contactPoint <home#organization-<slug>-contact> ;
            dct:license <licence URL> ; dcat:theme <home#theme-<slug>> ; dcat:keyword "<tag>"@ja ;
            dct:issued …^^xsd:date (or ^^xsd:dateTime) ; dct:modified …^^xsd:dateTime ;
            dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/<ID>> ;
            dcat:landingPage <dataset page> ; dct:language <…/language/JPN> ;
            dct:source <source URL> ; dct:bibliographicCitation "<出典表記>"@ja ;
            rdfs:seeAlso <dataset page>datapackage.json ; dcat:distribution <resource page> …
    <resource page>  a dcat:Distribution ; dct:title "…"@ja ; dcat:accessURL <resource page> ;
            dcat:downloadURL <original file of the current version> ;
            dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
            dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
            dcat:byteSize …^^xsd:nonNegativeInteger ; spdx:checksum [ sha256 ] ;
            dct:issued / dct:modified …^^xsd:dateTime ; dct:license <licence URL>

Decisions:

* One ``dcat:Distribution`` per resource, whose ``dcat:downloadURL`` is the
  original file of the current version (exactly the bytes of ``dcat:byteSize``
  and ``spdx:checksum``). The derived exports of a table (CSV with BOM, JSON,
  Parquet) are other formats, so by DCAT they would be other distributions;
  they are not listed here, to keep one distribution per published file. The
  Data Package (``rdfs:seeAlso`` of the dataset) lists the CSV export with its
  Table Schema.
* Publisher, contact point and themes have hash URIs on the home page
  (``<home>#organization-<slug>``, ``#theme-<slug>``, ``#themes``): stable,
  unique in this catalog, and they need no page of their own.
* ``dct:issued`` is ``Dataset.issued`` (``xsd:date``) when set, otherwise the
  time the dataset was created in the catalog (``xsd:dateTime``). Times are
  Asia/Tokyo with offset.
* A licence without URL (``other-closed``) gives no ``dct:license`` but a
  ``dct:rights`` statement with the licence title.
* Private and deleted datasets are never passed in (callers use
  ``catalog.services.visible_datasets()``).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from . import services
from .models import Dataset, Resource

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

#: ``Resource.format`` / ``ResourceVersion.format`` (lower case) → EU file-type authority code
EU_FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "xls": "XLS", "json": "JSON", "geojson": "GEOJSON",
                 "pdf": "PDF", "zip": "ZIP", "png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "txt": "TXT",
                 "parquet": "PARQUET", "xml": "XML", "html": "HTML"}
#: the EU frequency authority codes ``Dataset.update_frequency`` uses
EU_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG", "NEVER"}

#: serialization name in rdflib → Content-Type of the response, by URL suffix
RDF_FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
}
#: media type in an Accept header → URL suffix in ``RDF_FORMATS``
RDF_MEDIA_TYPES = {"text/turtle": "ttl", "application/ld+json": "jsonld"}

PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "skos": SKOS, "vcard": VCARD, "spdx": SPDX,
            "rdfs": RDFS, "xsd": XSD}
#: inline JSON-LD context (never a remote one: clients must not need to fetch anything)
JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}



def public_datasets() -> QuerySet:
    """Public (active, not private) datasets with everything the graph reads prefetched."""
    return services.visible_datasets(None).prefetch_related(
        "themes", "tags",
        Prefetch("resources",
                 queryset=Resource.objects.select_related("current_version").order_by("position", "id")))


class _Urls:
    """Absolute URLs and URIs of this site under ``base_url`` (scheme://host)."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def __call__(self, name: str, *args) -> URIRef:
        return URIRef(self.base + reverse(f"catalog:{name}", args=args))

    @property
    def home(self) -> URIRef:
        return self("home")

    def fragment(self, name: str) -> URIRef:
        return URIRef(f"{self.home}#{name}")


def _new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def _ja(text: str) -> Literal:
    return Literal(text, lang="ja")


def _datetime(value: dt.datetime) -> Literal:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def catalog_graph(datasets: Iterable[Dataset], base_url: str) -> Graph:
    """The whole catalog: one ``dcat:Catalog`` with ``dcat:dataset`` for each of ``datasets``.

    :param datasets: public datasets (``public_datasets()``); nothing here filters them
    :param base_url: ``scheme://host`` every URI is made absolute with
    :returns: an rdflib ``Graph`` (DCAT 3 / DCAT-AP 3, see the module docstring)
    """
    urls = _Urls(base_url)
    graph = _new_graph()
    catalog = urls.home
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, _ja(settings.CATALOG_TITLE)))
    graph.add((catalog, DCTERMS.description,
               _ja(settings.CATALOG_DESCRIPTION)))
    graph.add((catalog, FOAF.homepage, catalog))
    graph.add((catalog, DCTERMS.language, EU_LANGUAGE.JPN))
    graph.add((catalog, DCAT.themeTaxonomy, _theme_scheme(graph, urls)))
    newest = None
    for dataset in datasets:
        node = _add_dataset(graph, dataset, urls)
        graph.add((catalog, DCAT.dataset, node))
        stamp = dataset.modified or dataset.created
        if stamp and (newest is None or stamp > newest):
            newest = stamp
    if newest:
        graph.add((catalog, DCTERMS.modified, _datetime(newest)))
    return graph


def dataset_graph(dataset: Dataset, base_url: str) -> Graph:
    """One dataset with its publisher, contact point, licence, themes and distributions.

    :param dataset: a public dataset (the caller checks visibility)
    :param base_url: ``scheme://host``
    :returns: an rdflib ``Graph`` (DCAT 3 / DCAT-AP 3, see the module docstring)
    """
    urls = _Urls(base_url)
    graph = _new_graph()
    _add_dataset(graph, dataset, urls)
    return graph


def serialize(graph: Graph, suffix: str) -> bytes:
    """``graph`` as Turtle (``suffix="ttl"``) or JSON-LD with an inline context (``"jsonld"``), UTF-8."""
    fmt, _ = RDF_FORMATS[suffix]
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2, auto_compact=True,
                               encoding="utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


def _theme_scheme(graph: Graph, urls: _Urls) -> URIRef:
    scheme = urls.fragment("themes")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, _ja("分類")))
    graph.add((scheme, DCTERMS.title, Literal("Themes", lang="en")))
    return scheme


def _add_publisher(graph: Graph, dataset: Dataset, urls: _Urls, node: URIRef) -> None:
    org = dataset.organization
    publisher = urls.fragment(f"organization-{org.slug}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, _ja(org.title)))
    if org.url:
        graph.add((publisher, FOAF.homepage, URIRef(org.url)))
    if org.email:
        graph.add((publisher, FOAF.mbox, URIRef(f"mailto:{org.email}")))
    if org.city_code:
        graph.add((publisher, DCTERMS.identifier, Literal(org.city_code)))  # 全国地方公共団体コード
        graph.add((publisher, DCTERMS.type, ADMS_PUBLISHER_TYPE.LocalAuthority))

    contact = urls.fragment(f"organization-{org.slug}-contact")
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, _ja(org.title)))
    if org.email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{org.email}")))
    if org.url:
        graph.add((contact, VCARD.hasURL, URIRef(org.url)))


def _add_license(graph: Graph, dataset: Dataset, nodes: list[URIRef]) -> None:
    lic = dataset.license
    if lic is None:
        return
    if lic.url:
        doc = URIRef(lic.url)
        graph.add((doc, RDF.type, DCTERMS.LicenseDocument))
        graph.add((doc, DCTERMS.title, _ja(lic.title)))
        graph.add((doc, DCTERMS.identifier, Literal(lic.id)))
        for node in nodes:
            graph.add((node, DCTERMS.license, doc))
    else:
        rights = BNode(f"rights-{lic.id}")
        graph.add((rights, RDF.type, DCTERMS.RightsStatement))
        graph.add((rights, RDFS.label, _ja(lic.title)))
        for node in nodes:
            graph.add((node, DCTERMS.rights, rights))


def _add_dataset(graph: Graph, dataset: Dataset, urls: _Urls) -> URIRef:
    node = urls("dataset", dataset.slug)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.slug)))
    graph.add((node, DCTERMS.title, _ja(dataset.title)))
    if dataset.description:
        graph.add((node, DCTERMS.description, _ja(dataset.description)))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.language, EU_LANGUAGE.JPN))
    if dataset.issued:
        graph.add((node, DCTERMS.issued, _date(dataset.issued)))
    elif dataset.created:
        graph.add((node, DCTERMS.issued, _datetime(dataset.created)))
    modified = dataset.modified or dataset.created
    if modified:
        graph.add((node, DCTERMS.modified, _datetime(modified)))
    if dataset.update_frequency in EU_FREQUENCIES:
        frequency = EU_FREQUENCY[dataset.update_frequency]
        graph.add((node, DCTERMS.accrualPeriodicity, frequency))
        graph.add((frequency, RDF.type, DCTERMS.Frequency))
    if dataset.source_url:
        graph.add((node, DCTERMS.source, URIRef(dataset.source_url)))
    if dataset.attribution:
        graph.add((node, DCTERMS.bibliographicCitation, _ja(dataset.attribution)))
    graph.add((node, RDFS.seeAlso, urls("datapackage", dataset.slug)))
    _add_publisher(graph, dataset, urls, node)

    scheme = _theme_scheme(graph, urls)
    for theme in dataset.themes.all():
        concept = urls.fragment(f"theme-{theme.slug}")
        graph.add((node, DCAT.theme, concept))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.prefLabel, _ja(theme.title)))
        if theme.title_en:
            graph.add((concept, SKOS.prefLabel, Literal(theme.title_en, lang="en")))
        graph.add((concept, SKOS.inScheme, scheme))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, _ja(tag.name)))

    distributions = [_add_distribution(graph, dataset, resource, urls) for resource in dataset.resources.all()]
    for dist in distributions:
        graph.add((node, DCAT.distribution, dist))
    _add_license(graph, dataset, [node, *distributions])
    return node


def _add_distribution(graph: Graph, dataset: Dataset, resource: Resource, urls: _Urls) -> URIRef:
    node = urls("resource", dataset.slug, resource.pk)
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, _ja(resource.name)))
    if resource.description:
        graph.add((node, DCTERMS.description, _ja(resource.description)))
    graph.add((node, DCAT.accessURL, node))
    if resource.created:
        graph.add((node, DCTERMS.issued, _datetime(resource.created)))
    version = resource.current_version
    fmt = ((version.format if version else "") or resource.format or "").lower()
    if fmt:
        if fmt in EU_FILE_TYPES:
            file_type = EU_FILE_TYPE[EU_FILE_TYPES[fmt]]
            graph.add((node, DCTERMS["format"], file_type))
            graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        else:
            graph.add((node, DCTERMS["format"], Literal(fmt.upper())))
    if version is None:
        return node
    graph.add((node, DCAT.downloadURL, urls("original", dataset.slug, resource.pk, version.number)))
    if version.media_type:
        media_type = URIRef(IANA_MEDIA_TYPES + version.media_type.split(";")[0].strip())
        graph.add((node, DCAT.mediaType, media_type))
        graph.add((media_type, RDF.type, DCTERMS.MediaType))
    graph.add((node, DCAT.byteSize, Literal(str(version.original_bytes), datatype=XSD.nonNegativeInteger)))
    if version.sha256:
        checksum = BNode(f"checksum-{version.sha256}")
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))
    if version.created:
        graph.add((node, DCTERMS.modified, _datetime(version.created)))
    return node
