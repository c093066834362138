"""The in-memory catalog index answers exactly as the database path (CKAN package_search)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from madoguchi.catalog import index, services
from madoguchi.catalog.models import Dataset

WORDS = "人口 世帯 ごみ 分別 避難所 公園 図書館 保育所 観光 バス AED 病院 子育て トイレ".split()


@pytest.fixture
def catalog(org, db):
    rng = random.Random(3)
    themes = [services.ensure_theme(s, t) for s, t in (("a", "防災"), ("b", "人口"), ("c", "観光"))]
    other = services.ensure_organization("other", "別の課")
    for i in range(60):
        title = f"{rng.choice(WORDS)}{rng.choice(WORDS)}一覧{i}"
        d = services.ensure_dataset(
            f"d{i}", title=title, organization=org if i % 3 else other,
            description="・".join(rng.sample(WORDS, 4)), themes=rng.sample(themes, rng.randint(0, 2)),
            tags=rng.sample(WORDS, 2), license_id=rng.choice(["cc-by-4.0", "pdl-1.0"]),
            private=(i % 11 == 0), standard=rng.choice(["", "", "aed-v1", "tourism-v1"]))
        if i % 4 == 0:
            d.resources.create(name="r", format=rng.choice(["CSV", "XLSX"]))
        Dataset.objects.filter(pk=d.pk).update(modified=None if i % 7 == 0 else d.created.replace(day=1 + i % 28))
    index.bump_generation()
    return themes


def _db(q, sort="relevance", **f):
    qs = services.filter_datasets(q, **f)
    ordered = services.order_datasets(qs, sort if (sort != "relevance" or q) else "modified")
    return [d.slug for d in ordered], services.facets_of(qs)


QUERIES = [dict(q=None), dict(q="人口"), dict(q="ごみ 一覧"), dict(q="ゴミ"), dict(q="図書館", theme="a"),
           dict(q=None, organization="other"), dict(q=None, format="csv"), dict(q="バス", tag="AED"),
           dict(q=None, standard="aed-v1"), dict(q="避難所", include_private=True), dict(q="zzz"),
           dict(q=None, sort="title"), dict(q="一覧", sort="created"), dict(q=None, sort="name", license="pdl-1.0")]


@pytest.mark.parametrize("params", QUERIES, ids=[str(q) for q in QUERIES])
def test_index_matches_database(catalog, params):
    params = dict(params)
    q, sort = params.pop("q"), params.pop("sort", "relevance")
    slugs, facets = _db(q, sort, **params)
    entries, index_facets = index.current_index().search(q, sort=sort, **params)
    assert [e.slug for e in entries] == slugs
    assert index_facets == facets


def test_search_datasets_sees_changes_at_once(catalog, org):
    before = services.search_datasets("水道料金").count
    services.ensure_dataset("water", title="水道料金の推移", organization=org)
    assert (before, services.search_datasets("水道料金").count) == (0, 1)
    Dataset.objects.get(slug="water").tags.add(*[])
    services.ensure_dataset("water", title="水道料金の推移", organization=org, tags=["料金表"])
    assert [d.slug for d in services.search_datasets(tag="料金表").datasets] == ["water"]
    Dataset.objects.get(slug="water").delete()
    assert services.search_datasets("水道料金").count == 0


def test_filter_by_standard_in_api_and_ckan(client, catalog):
    api = client.get("/api/v1/datasets", {"standard": "aed-v1", "page_size": 100}).json()
    expected = sorted(Dataset.objects.filter(standard="aed-v1", private=False).values_list("slug", flat=True))
    assert sorted(r["slug"] for r in api["results"]) == expected and api["count"] == len(expected) > 0
    assert {r["standard"] for r in api["results"]} == {"aed-v1"}
    assert [f["name"] for f in api["facets"]["standard"]] == ["aed-v1"]
    ckan = client.get("/api/3/action/package_search", {"fq": "conforms_to:aed-v1", "rows": 100}).json()["result"]
    assert sorted(p["name"] for p in ckan["results"]) == expected
    assert {p["conforms_to"] for p in ckan["results"]} == {"aed-v1"}
    page = client.get("/datasets/", {"standard": "aed-v1"}).content.decode()
    assert f"{len(expected)} 件" in page or f"{len(expected)}件" in page


def test_api_summaries_from_the_index_equal_those_from_the_database(client, catalog):
    from madoguchi.catalog.api import dataset_summary

    results = client.get("/api/v1/datasets", {"page_size": 100, "sort": "name"}).json()["results"]
    by_slug = {d.slug: d for d in Dataset.objects.filter(private=False)}
    assert len(results) == len(by_slug) > 50
    for r in results:
        expected = dataset_summary(by_slug[r["slug"]])
        modified = expected.pop("modified")
        got = r.pop("modified")
        if modified is not None:  # the API writes milliseconds
            modified = modified.replace(microsecond=modified.microsecond // 1000 * 1000)
        assert (dt.datetime.fromisoformat(got) if got else None) == modified
        assert r == expected
