"""ETag and Cache-Control on the records API: 304 for a matching If-None-Match, a new tag for a new version."""

from __future__ import annotations

import pytest

CSV = "区,人口\n中央区,120\n北区,80\n".encode()


@pytest.fixture
def resource(ingest):
    return ingest(CSV, "p.csv").resource


def test_etag_and_304(client, resource):
    url = f"/api/v1/resources/{resource.pk}/records"
    first = client.get(url, {"sort": "人口", "limit": 1})
    assert first.status_code == 200 and first.json()["records"][0]["区"] == "北区"
    etag = first["ETag"]
    assert etag.startswith('"r') and first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=60"
    same = client.get(url, {"limit": 1, "sort": "人口"})  # parameter order does not matter
    assert same["ETag"] == etag
    assert client.get(url, {"sort": "人口", "limit": 2})["ETag"] != etag
    cached = client.get(url, {"sort": "人口", "limit": 1}, HTTP_IF_NONE_MATCH=f'W/"x", {etag}')
    assert (cached.status_code, cached.content, cached["ETag"]) == (304, b"", etag)
    assert client.get(url, {"sort": "人口", "limit": 1}, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_new_version_changes_the_etag(client, ingest, resource):
    url = f"/api/v1/resources/{resource.pk}/records"
    etag = client.get(url)["ETag"]
    ingest("区,人口\n中央区,121\n".encode(), "p.csv", dataset=resource.dataset, resource=resource.name)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh.json()["records"][0]["人口"] == 121 and fresh["ETag"] != etag


def test_private_dataset_is_not_publicly_cacheable(admin_client, make_dataset, ingest):
    version = ingest(CSV, "p.csv", dataset=make_dataset("secret", private=True))
    r = admin_client.get(f"/api/v1/resources/{version.resource.pk}/records")
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-cache"
