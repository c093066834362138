"""DCAT (DCAT 3 / DCAT-AP 3) of the catalog: ``/catalog.ttl``, ``/catalog.jsonld``,
``/datasets/<slug>.ttl``, ``.jsonld`` and content negotiation on ``/datasets/<slug>/``.

Every document is parsed back with rdflib and compared with the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import warnings

import pytest
import rdflib.namespace
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from madoguchi.bundle.loader import load_bundle
from madoguchi.catalog.models import Dataset, Organization
from madoguchi.catalog.services import visible_datasets


class _Vocab:
    """An rdflib namespace whose terms are attributes, without the warnings rdflib's
    ``DefinedNamespace`` gives when pytest looks at module globals (``_mock_name``)."""

    def __init__(self, iri):
        self._ns = Namespace(str(iri))

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._ns[name]

    def __getitem__(self, name: str) -> URIRef:
        return self._ns[name]


DCAT, DCTERMS, FOAF, RDF, SKOS, XSD = (_Vocab(rdflib.namespace.DCAT), _Vocab(rdflib.namespace.DCTERMS),
                                       _Vocab(rdflib.namespace.FOAF), _Vocab(rdflib.namespace.RDF),
                                       _Vocab(rdflib.namespace.SKOS), _Vocab(rdflib.namespace.XSD))
VCARD = _Vocab("http://www.w3.org/2006/vcard/ns#")
SPDX = _Vocab("http://spdx.org/rdf/terms#")
BASE = "http://testserver"
PUBLIC = {"yaizu-cooling-shelters", "gsi-shelters-yaizu", "sapporo-population-by-town", "kumamoto-hospitals",
          "kawasaki-school-lunch"}
PRIVATE = "kumamoto-food-permits"
TURTLE = "text/turtle; charset=utf-8"
JSONLD = "application/ld+json"


@pytest.fixture
def bundle(db):
    load_bundle(only=PUBLIC | {PRIVATE})
    assert Dataset.objects.get(slug=PRIVATE).private


def _parse(data: bytes, fmt: str) -> Graph:
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=data.decode("utf-8"), format=fmt)


def _get_graph(client, path: str, fmt: str, **headers) -> Graph:
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"] == {"turtle": TURTLE, "json-ld": JSONLD}[fmt]
    return _parse(response.content, fmt)


def _url(name: str, *args) -> URIRef:
    return URIRef(BASE + reverse(f"catalog:{name}", args=args))


def _one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def _ja(value) -> str:
    assert isinstance(value, Literal) and value.language == "ja", value
    return str(value)


def _dt(value: dt.datetime) -> dt.datetime:
    return value.replace(microsecond=0)


def check_dataset(graph: Graph, dataset: Dataset, client) -> None:
    """Every DCAT property of ``dataset`` in ``graph``, compared with the database."""
    node = _url("dataset", dataset.slug)
    assert (node, RDF.type, DCAT.Dataset) in graph
    assert _one(graph, node, DCTERMS.identifier) == Literal(dataset.slug)
    assert _ja(_one(graph, node, DCTERMS.title)) == dataset.title
    assert _ja(_one(graph, node, DCTERMS.description)) == dataset.description
    assert _one(graph, node, DCAT.landingPage) == node

    # publisher: a foaf:Organization with its name in Japanese
    org = dataset.organization
    publisher = _one(graph, node, DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE}/#organization-{org.slug}")
    assert (publisher, RDF.type, FOAF.Organization) in graph
    assert _ja(_one(graph, publisher, FOAF.name)) == org.title

    # contact point: vcard:Organization, e-mail as a mailto: IRI when the organization has one
    contact = _one(graph, node, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Organization) in graph
    assert _ja(_one(graph, contact, VCARD.fn)) == org.title
    emails = list(graph.objects(contact, VCARD.hasEmail))
    assert emails == ([URIRef(f"mailto:{org.email}")] if org.email else [])

    # licence: the licence URL as an IRI, a dct:LicenseDocument; none (but dct:rights) without URL
    lic = dataset.license
    licences = list(graph.objects(node, DCTERMS.license))
    if lic.url:
        assert licences == [URIRef(lic.url)]
        assert (URIRef(lic.url), RDF.type, DCTERMS.LicenseDocument) in graph
        assert _ja(_one(graph, URIRef(lic.url), DCTERMS.title)) == lic.title
    else:
        assert licences == []
        rights = _one(graph, node, DCTERMS.rights)
        assert (rights, RDF.type, DCTERMS.RightsStatement) in graph

    # themes: skos:Concept in a skos:ConceptScheme, labels in ja and en
    themes = {t.slug: t for t in dataset.themes.all()}
    concepts = set(graph.objects(node, DCAT.theme))
    assert concepts == {URIRef(f"{BASE}/#theme-{slug}") for slug in themes}
    for slug, theme in themes.items():
        concept = URIRef(f"{BASE}/#theme-{slug}")
        assert (concept, RDF.type, SKOS.Concept) in graph
        labels = {(str(x), x.language) for x in graph.objects(concept, SKOS.prefLabel)}
        assert labels == {(theme.title, "ja"), (theme.title_en, "en")}
        assert (_one(graph, concept, SKOS.inScheme), RDF.type, SKOS.ConceptScheme) in graph

    # keywords: one per tag, in Japanese
    keywords = list(graph.objects(node, DCAT.keyword))
    assert sorted(_ja(k) for k in keywords) == sorted(t.name for t in dataset.tags.all())

    # dates: xsd:dateTime (xsd:date for a set 公開日), Asia/Tokyo with offset
    issued = _one(graph, node, DCTERMS.issued)
    if dataset.issued:
        assert issued.datatype == XSD.date and issued.toPython() == dataset.issued
    else:
        assert issued.datatype == XSD.dateTime and issued.toPython() == _dt(dataset.created)
    modified = _one(graph, node, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime and str(modified).endswith("+09:00")
    assert modified.toPython() == _dt(dataset.modified)
    assert _one(graph, node, DCTERMS.accrualPeriodicity) == URIRef(
        f"http://publications.europa.eu/resource/authority/frequency/{dataset.update_frequency}")

    # distributions: one per resource, downloadURL = the original file of the current version
    resources = list(dataset.resources.select_related("current_version"))
    distributions = set(graph.objects(node, DCAT.distribution))
    assert distributions == {_url("resource", dataset.slug, r.pk) for r in resources}
    for resource in resources:
        dist = _url("resource", dataset.slug, resource.pk)
        version = resource.current_version
        assert (dist, RDF.type, DCAT.Distribution) in graph
        assert _ja(_one(graph, dist, DCTERMS.title)) == resource.name
        assert _one(graph, dist, DCAT.accessURL) == dist
        download = _one(graph, dist, DCAT.downloadURL)
        assert download == _url("original", dataset.slug, resource.pk, version.number)
        assert _one(graph, dist, DCTERMS["format"]) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/" + version.format.upper())
        assert _one(graph, dist, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{version.media_type}")
        size = _one(graph, dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and size.toPython() == version.original_bytes
        checksum = _one(graph, dist, SPDX.checksum)
        assert _one(graph, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(_one(graph, checksum, SPDX.checksumValue)) == version.sha256
        for prop, when in ((DCTERMS.issued, resource.created), (DCTERMS.modified, version.created)):
            value = _one(graph, dist, prop)
            assert value.datatype == XSD.dateTime and value.toPython() == _dt(when)
        assert list(graph.objects(dist, DCTERMS.license)) == licences
        # the downloadURL serves exactly the described bytes
        response = client.get(str(download).removeprefix(BASE))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert len(body) == version.original_bytes and hashlib.sha256(body).hexdigest() == version.sha256


def test_catalog_turtle_and_jsonld_describe_every_public_dataset(bundle, client):
    turtle = _get_graph(client, "/catalog.ttl", "turtle")
    jsonld = _get_graph(client, "/catalog.jsonld", "json-ld")
    assert isomorphic(turtle, jsonld)  # the two serializations carry the same triples

    catalog = URIRef(f"{BASE}/")
    assert (catalog, RDF.type, DCAT.Catalog) in turtle
    assert _ja(_one(turtle, catalog, DCTERMS.title)) == "窓口 madoguchi オープンデータ"
    public = list(visible_datasets().order_by("slug"))
    assert {d.slug for d in public} == PUBLIC
    assert set(turtle.objects(catalog, DCAT.dataset)) == {_url("dataset", d.slug) for d in public}
    assert set(turtle.subjects(RDF.type, DCAT.Dataset)) == {_url("dataset", d.slug) for d in public}
    newest = max(d.modified for d in public)
    assert _one(turtle, catalog, DCTERMS.modified).toPython() == _dt(newest)
    assert (catalog, DCAT.themeTaxonomy, URIRef(f"{BASE}/#themes")) in turtle
    for dataset in public:
        check_dataset(turtle, dataset, client)
    # 5 public datasets with 1 + 2 + 1 + 2 + 4 resources
    assert len(set(turtle.subjects(RDF.type, DCAT.Distribution))) == 10


def test_dataset_documents_match_the_catalog(bundle, client):
    catalog = _get_graph(client, "/catalog.ttl", "turtle")
    for dataset in visible_datasets():
        turtle = _get_graph(client, f"/datasets/{dataset.slug}.ttl", "turtle")
        jsonld = _get_graph(client, f"/datasets/{dataset.slug}.jsonld", "json-ld")
        assert isomorphic(turtle, jsonld)
        check_dataset(turtle, dataset, client)
        named = {t for t in turtle if not any(isinstance(x, BNode) for x in t)}
        assert named <= set(catalog)  # the dataset document is a part of the catalog
        assert set(turtle.subjects(RDF.type, DCAT.Dataset)) == {_url("dataset", dataset.slug)}


def test_content_negotiation_on_the_dataset_page(bundle, client):
    slug = "kumamoto-hospitals"
    page = f"/datasets/{slug}/"
    expected = _get_graph(client, f"/datasets/{slug}.ttl", "turtle")
    for accept, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("text/html;q=0.5, text/turtle", "turtle"),
                        ("application/ld+json, text/turtle;q=0.9, */*;q=0.1", "json-ld")]:
        response = client.get(page, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == {"turtle": TURTLE, "json-ld": JSONLD}[fmt], accept
        assert "Accept" in response["Vary"]
        assert isomorphic(_parse(response.content, fmt), expected), accept
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for headers in ({}, {"HTTP_ACCEPT": browser}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"}):
        response = client.get(page, **headers)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), headers
        assert "病院一覧（熊本市）" in response.content.decode()


def test_private_and_deleted_datasets_never_appear(bundle, client, django_user_model):
    private = Dataset.objects.get(slug=PRIVATE)
    deleted = Dataset.objects.get(slug="gsi-shelters-yaizu")
    Dataset.objects.filter(pk=deleted.pk).update(state="deleted")
    for fmt in ("ttl", "jsonld"):
        body = client.get(f"/catalog.{fmt}").content.decode()
        for dataset in (private, deleted):
            assert dataset.slug not in body and dataset.title not in body
            for resource in dataset.resources.all():
                assert resource.name not in body
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    for as_staff in (False, True):
        if as_staff:
            client.force_login(staff)
            assert client.get(f"/datasets/{PRIVATE}/").status_code == 200  # the page itself is for staff
        for dataset in (private, deleted):
            for path, headers in [(f"/datasets/{dataset.slug}.ttl", {}), (f"/datasets/{dataset.slug}.jsonld", {}),
                                  (f"/datasets/{dataset.slug}/", {"HTTP_ACCEPT": "text/turtle"}),
                                  (f"/datasets/{dataset.slug}/", {"HTTP_ACCEPT": "application/ld+json"})]:
                assert client.get(path, **headers).status_code == 404, (path, headers, as_staff)
    assert client.get("/datasets/no-such-dataset.ttl").status_code == 404
    assert client.get("/catalog.rdf").status_code == 404


def test_contact_email_issued_date_and_a_file_without_table(ingest, make_dataset, client):
    dataset = make_dataset("facility-guide", "施設案内", description="施設の案内。", license_id="cc-zero",
                           update_frequency="MONTHLY", issued=dt.date(2024, 4, 1))
    Organization.objects.filter(pk=dataset.organization_id).update(email="opendata@city.example.jp")
    ingest(b"name,count\nA,1\nB,2\n", "counts.csv", dataset=dataset, resource="件数")
    ingest(b"%PDF-1.4\n% guide\n", "guide.pdf", dataset=dataset, resource="案内 (PDF)")
    dataset = Dataset.objects.get(pk=dataset.pk)
    graph = _get_graph(client, "/datasets/facility-guide.ttl", "turtle")
    check_dataset(graph, dataset, client)
    node = _url("dataset", "facility-guide")
    contact = _one(graph, node, DCAT.contactPoint)
    assert _one(graph, contact, VCARD.hasEmail) == URIRef("mailto:opendata@city.example.jp")
    assert _one(graph, node, DCTERMS.issued) == Literal("2024-04-01", datatype=XSD.date)
    assert _one(graph, node, DCTERMS.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/deed.ja")
    pdf = _url("resource", "facility-guide", dataset.resources.get(name="案内 (PDF)").pk)
    assert _one(graph, pdf, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/application/pdf")
    assert _one(graph, pdf, DCTERMS["format"]) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/PDF")


# --- a dataset cannot be published without a description (DCAT-AP's mandatory dct:description) ---------------

NO_DESCRIPTION = "説明のないデータセットは公開できません"


@pytest.fixture
def ckan_post(client, org, django_user_model):
    from madoguchi.ckan.models import ApiToken

    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    token = ApiToken.issue(staff, "t")[1]

    def post(action: str, **data):
        return client.post(f"/api/3/action/{action}", data=json.dumps(data), content_type="application/json",
                           HTTP_AUTHORIZATION=token)
    return post


def test_publication_rule__ckan_package_create(ckan_post):
    refused = ckan_post("package_create", name="no-notes", title="説明なし", owner_org="test-city")
    assert refused.status_code == 409
    assert NO_DESCRIPTION in " ".join(refused.json()["error"]["notes"])
    assert not Dataset.objects.filter(slug="no-notes").exists()
    blank = ckan_post("package_create", name="no-notes", title="説明なし", owner_org="test-city", notes="  \n ")
    assert blank.status_code == 409 and not Dataset.objects.filter(slug="no-notes").exists()
    # private without a description is fine (staff write it later); public with one too
    assert ckan_post("package_create", name="draft", title="下書き", owner_org="test-city",
                     private=True).status_code == 200
    ok = ckan_post("package_create", name="with-notes", title="説明あり", owner_org="test-city", notes="町別の人口。")
    assert ok.status_code == 200 and ok.json()["result"]["private"] is False
    assert Dataset.objects.get(slug="with-notes").description == "町別の人口。"


def test_publication_rule__ckan_package_patch_and_update(ckan_post, make_dataset):
    make_dataset("draft", private=True)
    refused = ckan_post("package_patch", id="draft", private=False)
    assert refused.status_code == 409 and NO_DESCRIPTION in " ".join(refused.json()["error"]["notes"])
    assert Dataset.objects.get(slug="draft").private is True
    assert ckan_post("package_patch", id="draft", notes="説明。", private=False).status_code == 200
    assert Dataset.objects.get(slug="draft").private is False
    # a public dataset's description cannot be removed: by patch, nor by an update that leaves notes out
    assert ckan_post("package_patch", id="draft", notes="").status_code == 409
    assert ckan_post("package_update", id="draft", title="下書き", owner_org="test-city").status_code == 409
    assert Dataset.objects.get(slug="draft").description == "説明。"
    assert ckan_post("package_patch", id="draft", notes="", private=True).status_code == 200  # private: fine
    # a dataset public without a description from before the rule can still be edited otherwise
    make_dataset("old-public")
    assert ckan_post("package_patch", id="old-public", frequency="MONTHLY").status_code == 200


def test_publication_rule__admin_form(admin_client, make_dataset, org):
    dataset = make_dataset("draft", private=True)
    page = admin_client.get(f"/admin/catalog/dataset/{dataset.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("themes", "tags", "private")}
    data.update(organization=org.pk, title=dataset.title, slug=dataset.slug, description="")
    answer = admin_client.post(f"/admin/catalog/dataset/{dataset.pk}/change/", data)
    assert answer.status_code == 200 and NO_DESCRIPTION in answer.content.decode()
    assert Dataset.objects.get(pk=dataset.pk).private is True
    data["description"] = "地区別の参加者数。"
    assert admin_client.post(f"/admin/catalog/dataset/{dataset.pk}/change/", data).status_code == 302
    assert Dataset.objects.get(pk=dataset.pk).private is False
    # a new dataset, public from the start, needs one as well
    new = {**data, "slug": "brand-new", "description": ""}
    answer = admin_client.post("/admin/catalog/dataset/add/", new)
    assert answer.status_code == 200 and NO_DESCRIPTION in answer.content.decode()
    assert not Dataset.objects.filter(slug="brand-new").exists()


def test_publication_rule__cli_publish(make_dataset):
    from django.core.management import CommandError, call_command

    make_dataset("draft", private=True)
    with pytest.raises(CommandError, match=NO_DESCRIPTION):
        call_command("publish", "draft", interactive=False, stdout=io.StringIO())
    assert Dataset.objects.get(slug="draft").private is True
    out = io.StringIO()
    call_command("publish", "draft", "--description", "町丁別の世帯数と人口。", stdout=out)
    assert "draft: 公開しました" in out.getvalue()
    dataset = Dataset.objects.get(slug="draft")
    assert dataset.private is False and dataset.description == "町丁別の世帯数と人口。"
    call_command("publish", "draft", "--private", stdout=io.StringIO())
    assert Dataset.objects.get(slug="draft").private is True
    with pytest.raises(CommandError, match="ありません"):
        call_command("publish", "no-such-dataset", stdout=io.StringIO())


def test_publication_rule__cli_publish_keeps_the_privacy_gate(make_dataset, ingest):
    from django.core.management import CommandError, call_command

    dataset = make_dataset("applicants", private=True, description="申請者の一覧。")
    ingest("申請者氏名,住所,メールアドレス\n山田 太郎,札幌市中央区北1条西2丁目,taro.yamada@example.com\n".encode(),
           "a.csv", dataset=dataset, resource="申請者")
    with pytest.raises(CommandError, match="個人情報の可能性がある列"):
        call_command("publish", "applicants", interactive=False, stdout=io.StringIO())
    assert Dataset.objects.get(slug="applicants").private is True


def test_publication_rule__every_bundled_dataset_has_a_description():
    from madoguchi.bundle.loader import manifest

    missing = [d["slug"] for d in manifest()["dataset"] if not d.get("description", "").strip()]
    assert missing == []


def test_data_dictionary_is_in_the_distribution_as_a_csvw_table_schema(client, make_dataset, ingest):
    """The same labels and notes as the API and the Data Package (datastore.services.data_dictionary)."""
    from rdflib import Graph, Literal, Namespace
    from rdflib.collection import Collection
    from rdflib.namespace import DCTERMS, XSD

    from madoguchi.datastore.models import ColumnInfo

    csvw = Namespace("http://www.w3.org/ns/csvw#")
    dataset = make_dataset("dict-dcat", description="説明あり")
    version = ingest("区,人口\n中原区,262000\n高津区,235000\n".encode(), "pop.csv", dataset=dataset)
    ColumnInfo.objects.create(resource=version.resource, column="人口", label="総人口", notes="10月1日現在の推計人口")
    graph = Graph().parse(data=client.get(f"/datasets/{dataset.slug}.ttl").content, format="turtle")
    schema = next(graph.objects(None, csvw.tableSchema))
    columns = list(Collection(graph, next(graph.objects(schema, csvw.column))))
    assert [str(graph.value(c, csvw.name)) for c in columns] == ["区", "人口"]
    population = columns[1]
    assert graph.value(population, csvw.titles) == Literal("総人口", lang="ja")
    assert graph.value(population, DCTERMS.description) == Literal("10月1日現在の推計人口", lang="ja")
    assert graph.value(population, csvw.datatype) == XSD.integer
    assert graph.value(columns[0], csvw.titles) is None
