"""The visibility matrix: {public, private, deleted} × every path that shows a dataset, a resource or
its data (issue #12, part 5). Anonymous users see only public datasets; staff also see private
ones; nobody sees a deleted one — and deleting through the CKAN API takes effect at once, also in
a process whose search index already knew the dataset.

Each test walks every surface and reports all leaks at once (one failure lists them all).
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from madoguchi.catalog import services as catalog
from madoguchi.ckan.models import ApiToken

pytestmark = pytest.mark.django_db

#: A word only these test datasets contain, so searches find exactly them.
WORD = "ひみつのまどぐち"
CSV = "地区,人数\n北,12\n南,34\n".encode()


@pytest.fixture
def world(make_dataset, ingest, client):
    """Three datasets with one table each: public, private, and one deleted through the CKAN API after
    this process's search index and resource cache had already served it."""
    out = {}
    for state in ("public", "private", "deleted"):
        dataset = make_dataset(f"vis-{state}", title=f"{WORD} {state}", private=(state == "private"),
                               standard="")
        version = ingest(CSV, f"{state}.csv", dataset=dataset, resource="table")
        out[state] = {"slug": dataset.slug, "rid": version.resource_id, "dataset": dataset}
    # warm every per-process cache with the soon-deleted dataset
    assert client.get(f"/api/v1/datasets?q={WORD}").json()["count"] == 2
    assert client.get(f"/api/v1/resources/{out['deleted']['rid']}/records").status_code == 200
    staff = get_user_model().objects.create_user("vis-clerk", password="x", is_staff=True)
    token = ApiToken.issue(staff, "vis")[1]
    deleted = client.post("/api/3/action/package_delete", data=json.dumps({"id": "vis-deleted"}),
                          content_type="application/json", HTTP_AUTHORIZATION=token)
    assert deleted.status_code == 200, deleted.content
    out["staff"] = staff
    return out


def _surfaces(client, slug: str, rid: int) -> dict[str, bool]:
    """Surface name → whether the dataset (or its resource) shows there."""
    def ok(url, **kw):
        return client.get(url, **kw).status_code == 200

    def ckan(action, **params):
        response = client.get(f"/api/3/action/{action}", params)
        return response.status_code == 200 and response.json()["success"]

    def ckan_result(action, **params):
        response = client.get(f"/api/3/action/{action}", params)
        return response.json()["result"] if response.status_code == 200 else None

    sql = client.post("/api/3/action/datastore_search_sql", data=json.dumps({"sql": f'SELECT * FROM "{rid}"'}),
                      content_type="application/json")
    search = client.get("/api/v1/datasets", {"q": WORD}).json()
    package_search = ckan_result("package_search", q=WORD, include_private="true") or {"results": []}
    org = ckan_result("organization_show", id="test-city", include_datasets="true") or {}
    return {
        "search API": slug in {d["slug"] for d in search["results"]},
        "search page": f"/datasets/{slug}/" in client.get("/datasets/", {"q": WORD}).content.decode(),
        "dataset API": ok(f"/api/v1/datasets/{slug}"),
        "dataset page": ok(f"/datasets/{slug}/"),
        "resource page": ok(f"/datasets/{slug}/resources/{rid}/"),
        "resource API": ok(f"/api/v1/resources/{rid}"),
        "records API": ok(f"/api/v1/resources/{rid}/records"),
        "ingestion report API": ok(f"/api/v1/resources/{rid}/versions/1/report"),
        "download csv": ok(f"/datasets/{slug}/resources/{rid}/download.csv"),
        "download parquet": ok(f"/datasets/{slug}/resources/{rid}/download.parquet"),
        "original file": ok(f"/datasets/{slug}/resources/{rid}/versions/1/original"),
        "CKAN package_show": ckan("package_show", id=slug),
        "CKAN package_search": slug in {d["name"] for d in package_search["results"]},
        "CKAN package_list": slug in (ckan_result("package_list") or []),
        "CKAN resource_show": ckan("resource_show", id=str(rid)),
        "CKAN datastore_search": ckan("datastore_search", resource_id=str(rid)),
        "CKAN datastore_info": ckan("datastore_info", id=str(rid)),
        "CKAN datastore_search_sql": sql.status_code == 200 and sql.json()["success"],
        "CKAN organization_show": slug in {d["name"] for d in org.get("packages", [])},
        "DCAT dataset": ok(f"/datasets/{slug}.ttl"),
        "DCAT catalog": f"/datasets/{slug}" in client.get("/catalog.ttl").content.decode(),
        "DCAT negotiated": ok(f"/datasets/{slug}/", HTTP_ACCEPT="text/turtle"),
        "Data Package": ok(f"/datasets/{slug}/datapackage.json"),
        "quality API": ok(f"/api/v1/resources/{rid}/quality"),
        "quality page": ok(f"/datasets/{slug}/resources/{rid}/quality/"),
    }


#: Surfaces where even staff see only public datasets (published metadata for federation and SQL).
PUBLIC_ONLY = {"DCAT dataset", "DCAT catalog", "DCAT negotiated", "Data Package", "CKAN datastore_search_sql",
               "CKAN package_list"}


def _leaks(client, entry, *, expect: bool, skip=()) -> list[str]:
    shown = _surfaces(client, entry["slug"], entry["rid"])
    return [f"{name}: {'hidden' if expect else 'shown'}" for name, value in shown.items()
            if name not in skip and value is not expect]


def test_anonymous__sees_public_everywhere(world, client):
    assert _leaks(client, world["public"], expect=True) == []


@pytest.mark.parametrize("state", ["private", "deleted"])
def test_anonymous__never_sees_private_or_deleted(world, client, state):
    assert _leaks(client, world[state], expect=False) == []


def test_staff__see_private_but_never_deleted(world, client):
    client.force_login(world["staff"])
    assert _leaks(client, world["private"], expect=True, skip=PUBLIC_ONLY) == []
    assert _leaks(client, world["deleted"], expect=False) == []


def test_counts__leave_out_private_and_deleted(world, client):
    assert catalog.visible_datasets(None).filter(slug__startswith="vis-").count() == 1
    assert catalog.visible_datasets(True).filter(slug__startswith="vis-").count() == 2
    assert client.get("/api/v1/datasets", {"q": WORD}).json()["count"] == 1
    org = client.get("/api/3/action/organization_show", {"id": "test-city"}).json()["result"]
    assert org["package_count"] == 1


def test_rule__one_function_decides(world):
    from django.contrib.auth.models import AnonymousUser

    public, private, deleted = (world[s]["dataset"] for s in ("public", "private", "deleted"))
    deleted.refresh_from_db()
    anonymous, staff = AnonymousUser(), world["staff"]
    assert [catalog.can_view(anonymous, d) for d in (public, private, deleted)] == [True, False, False]
    assert [catalog.can_view(staff, d) for d in (public, private, deleted)] == [True, True, False]
    inactive = get_user_model().objects.create_user("gone", password="x", is_staff=True, is_active=False)
    assert catalog.can_view(inactive, private) is False
