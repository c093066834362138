"""DCAT-AP 3.0.1 conformance of ``/catalog.ttl``, ``/catalog.jsonld`` and a dataset's DCAT (issue #13 part 6).

The official SHACL shapes (SEMICeu/DCAT-AP, ``releases/3.0.1``, CC BY 4.0) are copied in ``tests/files/dcat-ap-3.0.1``
(from ``../shared/standards/dcat-ap-3.0.1``), so every CI run validates. Two shape sets must each give 0
violations with ``inference="none"``: ``html_shacl_shapes.ttl`` + ``html_shacl_range.ttl`` together, and
``shacl_dcat-ap-SHACL.ttl`` alone. The recommended shapes (``html_shacl_shapes_recommended.ttl``) and any
``sh:Warning`` / ``sh:Info`` results are printed, not failed on: run with ``-s`` (or ``-rA``, which shows the
captured output of passed tests) to see the summary lines starting with ``DCAT-AP``.

The whole bundled catalog is loaded once for the module (committed; every row it added is removed after it).
Each shape set validates ``/catalog.ttl`` (all public datasets) and one dataset's ``.ttl`` once, and the results
are asserted per document and per focus node class; the JSON-LD documents are asserted to carry the same triples.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from django.test import override_settings
from rdflib import BNode, Graph, Namespace, URIRef

pyshacl = pytest.importorskip("pyshacl")

# a copy of the official files (CC BY 4.0, European Union; tests/files/dcat-ap-3.0.1/PROVENANCE.md), so CI
# validates without ../shared
SHAPES_DIR = Path(__file__).resolve().parent / "files" / "dcat-ap-3.0.1"
if not SHAPES_DIR.is_dir():  # pragma: no cover - CI has ../shared beside the checkout
    pytest.skip(f"DCAT-AP 3.0.1 shapes not found at {SHAPES_DIR}", allow_module_level=True)

# plain namespaces: rdflib's DefinedNamespace ones warn when pytest inspects module globals (``_mock_name``)
SH = Namespace("http://www.w3.org/ns/shacl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SHAPE_SETS = {
    "html shapes + range": ("html_shacl_shapes.ttl", "html_shacl_range.ttl"),
    "consolidated dcat-ap-SHACL": ("shacl_dcat-ap-SHACL.ttl",),
}
RECOMMENDED = ("html_shacl_shapes_recommended.ttl",)
DATASET = "kumamoto-hospitals"
DOCUMENTS = ("/catalog.ttl", "/catalog.jsonld", f"/datasets/{DATASET}.ttl", f"/datasets/{DATASET}.jsonld")


def _parse(data: bytes, path: str) -> Graph:
    fmt = "json-ld" if path.endswith(".jsonld") else "turtle"
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=data.decode("utf-8"), format=fmt)


@pytest.fixture(scope="module")
def documents(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Graph]:
    """``{path: parsed graph}`` of the four DCAT documents of the whole bundled catalog."""
    from django.test import Client

    from madoguchi.bundle.loader import load_bundle

    media = tmp_path_factory.mktemp("media")
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(MEDIA_ROOT=media, TASKS=tasks, RATE_LIMITS_ENABLED=False):
        with django_db_blocker.unblock():
            before = _rows()
        try:
            with django_db_blocker.unblock():
                load_bundle()
                client = Client()
                graphs = {}
                for path in DOCUMENTS:
                    response = client.get(path)
                    assert response.status_code == 200, path
                    graphs[path] = _parse(response.content, path)
            yield graphs
        finally:
            with django_db_blocker.unblock():
                _delete_rows_since(before)


def _rows() -> dict:
    from django.apps import apps

    return {m: set(m._default_manager.values_list("pk", flat=True)) for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


def _delete_rows_since(before: dict) -> None:
    """Delete every row added after ``before`` (``_rows()``); rows another one PROTECTs go in a later round."""
    from django.db.models import ProtectedError

    for _ in range(5):
        protected = False
        for model, pks in before.items():
            try:
                model._default_manager.exclude(pk__in=pks).delete()
            except ProtectedError:
                protected = True
        if not protected:
            return


@pytest.fixture
def graphs(documents, db) -> dict[str, Graph]:
    """``documents`` for a test (``db`` makes pytest-django create the test database before the module's load)."""
    return documents


def _shapes(files: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in files:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


def _local(iri) -> str:
    """``dcat:Dataset`` → ``Dataset``: the last part of an IRI."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _results(data: Graph, files: tuple[str, ...]) -> list[dict]:
    """One dict per ``sh:ValidationResult``: focus, its classes, path, severity, message, shape."""
    _, report, _ = pyshacl.validate(data, shacl_graph=_shapes(files), inference="none", advanced=True,
                                    allow_warnings=True)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        out.append({
            "focus": focus,
            "classes": sorted(_local(c) for c in data.objects(focus, RDF.type)) or ["(untyped)"],
            "path": _local(report.value(result, SH.resultPath)),
            "severity": _local(report.value(result, SH.resultSeverity)),
            "message": str(report.value(result, SH.resultMessage)),
            "value": report.value(result, SH.value),
        })
    return out


def _summary(label: str, results: list[dict]) -> str:
    by_severity = Counter(r["severity"] for r in results)
    by_kind = Counter((r["severity"], "/".join(r["classes"]), r["path"]) for r in results)
    counts = ", ".join(f"{n} {severity}" for severity, n in sorted(by_severity.items()))
    lines = [f"DCAT-AP {label}: {counts or 'no results'}"]
    lines += [f"DCAT-AP   {n:4d} {sev} {cls} {path}" for (sev, cls, path), n in sorted(by_kind.items())]
    return "\n".join(lines)


def test_turtle_and_jsonld_carry_the_same_triples(graphs):
    # so that validating the Turtle validates the JSON-LD too
    # (rdflib's isomorphic() takes tens of seconds on the lists and checksums of the whole catalog: the
    # triples without blank nodes must be the same, and as many triples with them)
    def ground(graph):
        return {t for t in graph if not any(isinstance(term, BNode) for term in t)}

    for path in DOCUMENTS[::2]:
        turtle, jsonld = graphs[path], graphs[path.replace(".ttl", ".jsonld")]
        assert len(turtle) > 20
        assert ground(turtle) == ground(jsonld), path
        assert len(turtle) == len(jsonld), path


@pytest.mark.parametrize("label", SHAPE_SETS)
def test_bundled_catalog_conforms_to_dcat_ap_3(graphs, label):
    catalog = _results(graphs["/catalog.ttl"], SHAPE_SETS[label])
    dataset = _results(graphs[f"/datasets/{DATASET}.ttl"], SHAPE_SETS[label])
    print("\n" + _summary(f"{label} /catalog.ttl", catalog))
    print(_summary(f"{label} /datasets/{DATASET}.ttl", dataset))
    # every class of node is there to be checked (a shape without focus nodes checks nothing)
    classes = {_local(c) for c in graphs["/catalog.ttl"].objects(None, RDF.type)}
    assert classes >= {"Catalog", "Dataset", "Distribution", "Agent", "Kind", "LicenseDocument", "RightsStatement",
                       "MediaTypeOrExtent", "MediaType", "LinguisticSystem", "Frequency", "Concept", "ConceptScheme",
                       "Checksum", "ChecksumAlgorithm", "Document", "Standard"}, classes
    for document, results in (("/catalog.ttl", catalog), (f"/datasets/{DATASET}.ttl", dataset)):
        violations = [r for r in results if r["severity"] == "Violation"]
        per_class = Counter("/".join(r["classes"]) for r in violations)
        assert per_class == Counter(), document + "\n" + "\n".join(
            f"{r['classes']} {r['focus']} {r['path']}: {r['message']} ({r['value']})" for r in violations[:40])


def test_recommended_properties_are_reported(graphs):
    """Recommended properties (DCAT-AP's sh:Warning level): printed, never failed on."""
    results = _results(graphs["/catalog.ttl"], RECOMMENDED)
    print("\n" + _summary("recommended /catalog.ttl", results))
    assert all(r["severity"] in {"Violation", "Warning", "Info"} for r in results)


def test_the_shapes_catch_what_the_catalog_got_wrong_before(graphs):
    """The check can fail: the dataset document with the mistakes of before issue #13 gives those violations."""
    graph = Graph()
    graph += graphs[f"/datasets/{DATASET}.ttl"]
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    publisher = graph.value(dataset, DCTERMS.publisher)
    graph.remove((publisher, RDF.type, FOAF.Agent))  # only foaf:Organization, as before
    graph.remove((None, DCTERMS.description, None))  # a dataset without description
    graph.add((dataset, DCTERMS.source, URIRef("https://github.com/codeforkumamoto/od_kumamoto_city")))
    for label, files in SHAPE_SETS.items():
        found = {(tuple(r["classes"]), r["path"]) for r in _results(graph, files) if r["severity"] == "Violation"}
        assert found == {(("Dataset", "Document"), "publisher"), (("Dataset", "Document"), "description"),
                         (("Dataset", "Document"), "source")}, label
