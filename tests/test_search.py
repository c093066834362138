"""Catalog search through HTTP on the bundled real data (issue #2, Done when 2)."""

from __future__ import annotations

import re

import pytest

from madoguchi.bundle.loader import load_bundle


@pytest.fixture
def catalog(db):
    load_bundle(only={"sapporo-population-by-town", "sapporo-population-by-age", "kawasaki-garbage-sorting",
                      "hachioji-garbage-sorting", "yaizu-shelters", "gsi-shelters-yaizu", "yaizu-aed",
                      "yaizu-evacuation-space", "kumamoto-food-permits"})


def slugs(client, **params) -> list[str]:
    return [d["slug"] for d in client.get("/api/v1/datasets", params).json()["results"]]


@pytest.mark.parametrize("q,expected", [
    ("人口", {"sapporo-population-by-town", "sapporo-population-by-age"}),
    ("ごみ", {"kawasaki-garbage-sorting", "hachioji-garbage-sorting"}),
    ("ゴミ", {"kawasaki-garbage-sorting", "hachioji-garbage-sorting"}),
    ("ｺﾞﾐ", {"kawasaki-garbage-sorting", "hachioji-garbage-sorting"}),
    ("避難所", {"yaizu-shelters", "gsi-shelters-yaizu"}),
])
def test_search__finds_expected_datasets(client, catalog, q, expected):
    found = slugs(client, q=q)
    assert expected <= set(found)
    assert "yaizu-aed" not in found


def test_search__title_hits_rank_first(client, catalog):
    found = slugs(client, q="避難所")
    title_hits = {"yaizu-shelters", "gsi-shelters-yaizu"}
    assert set(found[: len(title_hits)]) == title_hits


def test_search__column_names_are_searched(client, catalog):
    assert slugs(client, q="世帯数") == ["sapporo-population-by-town"]  # title
    assert "sapporo-population-by-age" in slugs(client, q="100歳以上")  # a column name only


def test_search__facets_and_paging(client, catalog):
    body = client.get("/api/v1/datasets", {"theme": "disaster", "page_size": 2}).json()
    assert body["count"] == 4 and body["pages"] == 2 and len(body["results"]) == 2
    facet = {f["name"]: f["count"] for f in body["facets"]["organization"]}
    assert facet == {"yaizu-city": 3, "gsi": 1}
    page2 = client.get("/api/v1/datasets", {"theme": "disaster", "page_size": 2, "page": 2}).json()
    assert not {d["slug"] for d in body["results"]} & {d["slug"] for d in page2["results"]}
    assert slugs(client, format="GEOJSON") == ["gsi-shelters-yaizu"]
    assert slugs(client, tag="5374", sort="title") == ["hachioji-garbage-sorting", "kawasaki-garbage-sorting"]


def test_search__html_page_lists_results_and_facets(client, catalog):
    html = client.get("/datasets/", {"q": "ｺﾞﾐ"}).content.decode()
    titles = re.findall(r'<h3><a href="[^"]+"(?: translate="no")?>([^<]+)</a>', html)
    assert sorted(titles) == ["ごみ分別辞典・収集日（八王子市・5374形式）", "ごみ分別辞典・収集日（川崎市・5374形式）"]
    assert "2 件" in html and "分類" in html


def test_search__private_datasets_only_for_staff(client, catalog, admin_client):
    assert slugs(client, q="飲食店") == []
    assert slugs(admin_client, q="飲食店") == ["kumamoto-food-permits"]


def test_pages__dataset_and_resource_render_real_data(client, catalog):
    html = client.get("/datasets/sapporo-population-by-town/").content.decode()
    assert "町名・条丁目別世帯数及び男女別人口（札幌市）" in html and "5591 行" in html
    resource_url = re.search(r'<h3><a href="(/datasets/sapporo-population-by-town/resources/\d+/)">', html)[1]
    page = client.get(resource_url).content.decode()
    assert "大通東２丁目" in page and "integer" in page and "見出し行 2 行目" in page
    home = client.get("/").content.decode()
    assert "オープンデータカタログ" in home and 'lang="ja"' in home
