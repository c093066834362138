"""DCAT metadata of the catalog as RDF (rdflib graphs), for catalog federation.

Vocabularies: W3C DCAT 3 (``dcat:``), DCMI terms (``dct:``), FOAF, SKOS,
vCard, SPDX and PROV, used as the EU application profile DCAT-AP 3.0.1 uses them, so a
DCAT-AP harvester (or the national catalog) can take the catalog unchanged.
The documents conform to the official DCAT-AP 3.0.1 SHACL shapes validated with
``inference="none"`` (tests/test_dcat_ap_shacl.py): every node used as a value states
its class in the graph itself (publisher ``foaf:Agent``, contact point ``vcard:Kind``,
landing page and home page ``foaf:Document``, language ``dct:LinguisticSystem``,
licence ``dct:LicenseDocument``, format ``dct:MediaTypeOrExtent``, frequency
``dct:Frequency``, checksum algorithm ``spdx:ChecksumAlgorithm``, theme ``skos:Concept``).

Shape of the graph (``<page>`` = absolute URL of a page of this site)::

    <home>  a dcat:Catalog, foaf:Document ; dct:title "…"@ja ; dct:description "…"@ja ;
            dct:publisher <home#publisher> (a foaf:Agent named CATALOG_TITLE) ;
            foaf:homepage <home> ; dct:language <…/language/JPN> ;
            dct:issued / dct:modified …^^xsd:dateTime (oldest creation / newest change of a dataset) ;
            dcat:themeTaxonomy <home#themes> ; dcat:dataset <dataset page> …
    <dataset page>  a dcat:Dataset, foaf:Document ; dct:identifier "<slug>" ; dct:title "…"@ja ;
            dct:description "…"@ja (required to publish: ``services.publication_errors``) ;
            dct:publisher <home#organization-<slug>> ; dcat:contactPoint <home#organization-<slug>-contact> ;
            dct:license <licence URL> ; dcat:theme <home#theme-<slug>> ; dcat:keyword "<tag>"@ja ;
            dct:issued …^^xsd:date (or ^^xsd:dateTime) ; dct:modified …^^xsd:dateTime ;
            dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/<ID>> ;
            dcat:landingPage <dataset page> ; dct:language <…/language/JPN> ;
            prov:wasDerivedFrom <source URL> ; foaf:page <source URL> ; dct:bibliographicCitation "<出典表記>"@ja ;
            dct:conformsTo <home>standards/<id>/ (a dct:Standard, when the dataset declares one) ;
            rdfs:seeAlso <dataset page>datapackage.json ; dcat:distribution <resource page> …
    <resource page>  a dcat:Distribution ; dct:title "…"@ja ; dcat:accessURL <resource page> ;
            dcatap:availability <…/planned-availability/STABLE> ;
            dcat:downloadURL <original file of the current version> ;
            dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
            dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
            dcat:byteSize …^^xsd:nonNegativeInteger ; spdx:checksum [ sha256 ] ;
            dct:issued / dct:modified …^^xsd:dateTime ; dct:license <licence URL> ;
            csvw:tableSchema [ csvw:column ( [ csvw:name "列" ; csvw:titles "表示名"@ja ;
            dct:description "説明"@ja ; csvw:datatype xsd:integer ] … ) ] (the data dictionary, for a table)

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
* ``Dataset.source_url`` (where the city published the file: a portal page or a
  repository) is ``prov:wasDerivedFrom`` and ``foaf:page``, not ``dct:source``:
  DCAT-AP 3 ranges ``dct:source`` over ``dcat:Dataset``, and a repository is not one.
* The catalog's own ``dct:publisher`` is the operator of this site, named by
  ``CATALOG_TITLE``; each dataset's publisher is its organization.
* A format with no EU file-type IRI gets no ``dct:format`` (it must be an IRI);
  ``dcat:mediaType`` still tells it.
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
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from madoguchi.datastore.services import data_dictionary

from . import services
from .index import standard_title
from .models import Dataset, Resource

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_PUBLISHER_TYPE_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_AVAILABILITY = Namespace("http://publications.europa.eu/resource/authority/planned-availability/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
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
            "prov": PROV, "dcatap": DCATAP, "rdfs": RDFS, "xsd": XSD, "csvw": CSVW}
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
    graph.add((catalog, RDF.type, FOAF.Document))  # the catalog is identified by its home page
    _add_language(graph, catalog)
    publisher = urls.fragment("publisher")
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _ja(settings.CATALOG_TITLE)))
    graph.add((publisher, FOAF.homepage, catalog))
    graph.add((catalog, DCAT.themeTaxonomy, _theme_scheme(graph, urls)))
    newest = oldest = None
    for dataset in datasets:
        node = _add_dataset(graph, dataset, urls)
        graph.add((catalog, DCAT.dataset, node))
        stamp = dataset.modified or dataset.created
        if stamp and (newest is None or stamp > newest):
            newest = stamp
        if dataset.created and (oldest is None or dataset.created < oldest):
            oldest = dataset.created
    if oldest:
        graph.add((catalog, DCTERMS.issued, _datetime(oldest)))
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


def _add_language(graph: Graph, node: URIRef) -> None:
    graph.add((node, DCTERMS.language, EU_LANGUAGE.JPN))
    graph.add((EU_LANGUAGE.JPN, RDF.type, DCTERMS.LinguisticSystem))


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
    graph.add((publisher, RDF.type, FOAF.Agent))  # DCAT-AP checks the class without inference
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, _ja(org.title)))
    if org.url:
        graph.add((publisher, FOAF.homepage, URIRef(org.url)))
    if org.email:
        graph.add((publisher, FOAF.mbox, URIRef(f"mailto:{org.email}")))
    if org.city_code:
        graph.add((publisher, DCTERMS.identifier, Literal(org.city_code)))  # 全国地方公共団体コード
        graph.add((publisher, DCTERMS.type, ADMS_PUBLISHER_TYPE.LocalAuthority))
        graph.add((ADMS_PUBLISHER_TYPE.LocalAuthority, RDF.type, SKOS.Concept))
        graph.add((ADMS_PUBLISHER_TYPE.LocalAuthority, SKOS.prefLabel, Literal("Local Authority", lang="en")))
        graph.add((ADMS_PUBLISHER_TYPE.LocalAuthority, SKOS.inScheme, ADMS_PUBLISHER_TYPE_SCHEME))

    contact = urls.fragment(f"organization-{org.slug}-contact")
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
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
    graph.add((node, RDF.type, FOAF.Document))  # the dataset is identified by its page, its landing page
    _add_language(graph, node)
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
    if dataset.source_url:  # where the file came from: a page or repository, not a dcat:Dataset
        source = URIRef(dataset.source_url)
        graph.add((node, PROV.wasDerivedFrom, source))
        graph.add((node, FOAF.page, source))
        graph.add((source, RDF.type, FOAF.Document))
    if dataset.attribution:
        graph.add((node, DCTERMS.bibliographicCitation, _ja(dataset.attribution)))
    if dataset.standard:  # 自治体標準オープンデータセット etc.: the page of the standard on this site
        standard = URIRef(urls.base + reverse("standards:detail", args=[dataset.standard]))
        graph.add((node, DCTERMS.conformsTo, standard))
        graph.add((standard, RDF.type, DCTERMS.Standard))
        graph.add((standard, DCTERMS.title, _ja(standard_title(dataset.standard))))
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
    # every version stays served at its own URL: the distribution is kept (DCAT-AP planned availability)
    graph.add((node, DCATAP.availability, EU_AVAILABILITY.STABLE))
    graph.add((EU_AVAILABILITY.STABLE, RDF.type, SKOS.Concept))
    graph.add((EU_AVAILABILITY.STABLE, SKOS.prefLabel, Literal("stable", lang="en")))
    if resource.created:
        graph.add((node, DCTERMS.issued, _datetime(resource.created)))
    version = resource.current_version
    fmt = ((version.format if version else "") or resource.format or "").lower()
    if fmt in EU_FILE_TYPES:  # another format has no EU file-type IRI (dct:format must be one): dcat:mediaType tells it
        file_type = EU_FILE_TYPE[EU_FILE_TYPES[fmt]]
        graph.add((node, DCTERMS["format"], file_type))
        graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
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
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))
    if version.created:
        graph.add((node, DCTERMS.modified, _datetime(version.created)))
    _add_table_schema(graph, resource, node)
    return node


#: Frictionless field types (``ResourceVersion.columns``) → XML Schema datatypes for ``csvw:datatype``
XSD_OF_TYPE = {"integer": XSD.integer, "number": XSD.double, "boolean": XSD.boolean, "date": XSD.date,
               "datetime": XSD.dateTime, "time": XSD.time, "string": XSD.string}


def _add_table_schema(graph: Graph, resource: Resource, node: URIRef) -> None:
    """The resource's data dictionary as a CSVW table schema (W3C "Metadata Vocabulary for Tabular Data"):
    ``csvw:tableSchema <resource#table-schema>`` (a ``csvw:Schema``) with ``csvw:column ( <resource#column-1> … )``,
    each a ``csvw:Column`` with ``csvw:name "列" ; csvw:titles "表示名"@ja ; dct:description "説明"@ja ;
    csvw:datatype xsd:integer`` — the same columns, labels and notes as
    the API and the Data Package (``datastore.services.data_dictionary``)."""
    columns = data_dictionary(resource)
    if not columns:
        return
    schema = URIRef(f"{node}#table-schema")  # hash URIs, not blank nodes: comparing graphs stays cheap
    graph.add((node, CSVW.tableSchema, schema))
    graph.add((schema, RDF.type, CSVW.Schema))
    items = []
    for i, col in enumerate(columns):
        column = URIRef(f"{node}#column-{i + 1}")
        graph.add((column, RDF.type, CSVW.Column))
        graph.add((column, CSVW.name, Literal(col["id"])))
        if col["label"]:
            graph.add((column, CSVW.titles, _ja(col["label"])))
        if col["notes"]:
            graph.add((column, DCTERMS.description, _ja(col["notes"])))
        graph.add((column, CSVW.datatype, XSD_OF_TYPE.get(col["type"], XSD.string)))
        items.append(column)
    Collection(graph, BNode(f"columns-{resource.pk}"), items)
    graph.add((schema, CSVW.column, BNode(f"columns-{resource.pk}")))
