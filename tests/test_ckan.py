"""CKAN Action API v3, driven by the real ``ckanapi`` client against a live server (issue #4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
from django.contrib.auth import get_user_model

from madoguchi.bundle.loader import load_bundle
from madoguchi.catalog.models import Dataset, Resource
from madoguchi.ckan.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)
CKANAPI_CLI = str(Path(sys.executable).with_name("ckanapi"))


@pytest.fixture
def site(live_server):
    load_bundle(only={"sapporo-population-by-town", "kawasaki-garbage-sorting", "hachioji-garbage-sorting",
                      "yaizu-aed", "yaizu-shelters", "kumamoto-food-permits"})
    return live_server.url


@pytest.fixture
def ckan(site):
    return ckanapi.RemoteCKAN(site)


@pytest.fixture
def token(db):
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    return ApiToken.issue(user, "test")[1]


def _resource_id(slug: str, name: str | None = None) -> str:
    qs = Resource.objects.filter(dataset__slug=slug)
    return str((qs.get(name=name) if name else qs.first()).pk)


def test_package_search__q_and_facets_match_the_catalog(ckan):
    result = ckan.action.package_search(q="ごみ", **{"facet.field": json.dumps(["organization", "tags"])})
    assert result["count"] == 2
    assert {d["name"] for d in result["results"]} == {"kawasaki-garbage-sorting", "hachioji-garbage-sorting"}
    assert result["facets"]["tags"]["5374"] == 2
    items = result["search_facets"]["organization"]["items"]
    assert {i["name"] for i in items} == {"code-for-kawasaki", "code-for-hachioji"}


def test_package_search__fq_rows_start_sort(ckan):
    everything = ckan.action.package_search(rows=100, sort="name asc")
    names = [d["name"] for d in everything["results"]]
    assert names == sorted(names) and everything["count"] == 5  # the private one is not counted
    page = ckan.action.package_search(rows=2, start=2, sort="name asc")
    assert [d["name"] for d in page["results"]] == names[2:4]
    assert ckan.action.package_search(fq="organization:yaizu-city")["count"] == 2
    assert ckan.action.package_search(fq='tags:"5374" res_format:CSV')["count"] == 2
    assert ckan.action.package_search(q="organization:sapporo-city")["results"][0]["name"] == \
        "sapporo-population-by-town"


def test_package_show__metadata_and_resources(ckan):
    pkg = ckan.action.package_show(id="sapporo-population-by-town")
    db = Dataset.objects.get(slug="sapporo-population-by-town")
    assert pkg["title"] == db.title and pkg["organization"]["name"] == "sapporo-city"
    assert pkg["license_id"] == db.license_id and [t["name"] for t in pkg["tags"]] == ["世帯数", "人口", "町丁別"]
    res = pkg["resources"][0]
    assert res["datastore_active"] is True and res["format"] == "CSV" and res["url"].endswith("download.csv")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="kumamoto-food-permits")  # private


def test_datastore_search__records_match_the_data(ckan):
    rid = _resource_id("sapporo-population-by-town")
    result = ckan.action.datastore_search(resource_id=rid, filters={"町条丁目": "大通東２丁目"})
    assert result["total"] == 1
    assert result["fields"][:3] == [{"id": "_id", "type": "int"}, {"id": "区別", "type": "text"},
                                    {"id": "町条丁目", "type": "text"}]
    row = result["records"][0]
    assert (row["世帯数"], row["総数"], row["男"], row["女"]) == (147, 276, 127, 149)
    lists = ckan.action.datastore_search(resource_id=rid, limit=1, records_format="lists", fields="区別,世帯数")
    assert lists["records"] == [["中央区", 147]]
    distinct = ckan.action.datastore_search(resource_id=rid, fields=["区別"], distinct=True, limit=1000)
    assert len(distinct["records"]) == distinct["total"] == 11  # 10 wards and the 全区 total row


def test_datastore_search__links_and_keyset_paging(ckan):
    rid = _resource_id("sapporo-population-by-town")
    first = ckan.action.datastore_search(resource_id=rid, limit=100)
    assert first["_links"]["next"].endswith(f"resource_id={rid}&offset=100")
    second = ckan.action.datastore_search(resource_id=rid, limit=100, next_page=first["next_page"])
    by_offset = ckan.action.datastore_search(resource_id=rid, limit=100, offset=100)
    assert second["records"] == by_offset["records"]
    assert second["records"][0]["_id"] == 101


def test_datastore_search__errors_are_ckan_errors(ckan):
    rid = _resource_id("sapporo-population-by-town")
    with pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.datastore_search(resource_id=rid, filters={"nope": 1})
    assert "filters" in exc.value.error_dict
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="999999")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id=_resource_id("kumamoto-food-permits"))


def test_get_requests_and_unversioned_path(site, client):
    import urllib.request

    with urllib.request.urlopen(f"{site}/api/3/action/package_search?q=%E4%BA%BA%E5%8F%A3&rows=1") as r:
        body = json.load(r)
    assert body["success"] is True and body["result"]["count"] == 1
    assert body["help"].endswith("/api/3/action/help_show?name=package_search")
    with urllib.request.urlopen(f"{site}/api/action/status_show") as r:
        assert json.load(r)["result"]["ckan_version"].startswith("2.")
    response = client.get("/api/3/action/no_such_action")
    assert response.status_code == 400 and response.json()["error"]["__type"] == "Bad request"


def test_lists_and_shows(ckan):
    assert ckan.action.package_list() == sorted(d.slug for d in Dataset.objects.filter(private=False))
    orgs = ckan.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in orgs}["yaizu-city"] == 2
    assert ckan.action.organization_show(id="yaizu-city", include_datasets=True)["packages"][0]["name"] in {
        "yaizu-aed", "yaizu-shelters"}
    assert "disaster" in ckan.action.group_list()
    assert ckan.action.group_show(id="environment")["package_count"] == 2
    assert "5374" in ckan.action.tag_list() and "営業許可" not in ckan.action.tag_list()
    rid = _resource_id("yaizu-aed")
    assert ckan.action.resource_show(id=rid)["name"] == "AED設置箇所一覧"
    assert "cc-by-4.0" in {lic["id"] for lic in ckan.action.license_list()}


def test_ckanapi_cli__action_package_search(site):
    out = subprocess.run([CKANAPI_CLI, "action", "package_search", "q=避難所", "-r", site],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [d["name"] for d in result["results"]] == ["yaizu-shelters"]
    out = subprocess.run([CKANAPI_CLI, "action", "datastore_search", f"resource_id={_resource_id('yaizu-aed')}",
                          "limit=1", "-r", site], capture_output=True, text=True, timeout=60)
    assert json.loads(out.stdout)["total"] == 82


def test_write_actions__need_a_staff_token(ckan, site):
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="x-data", title="X", owner_org="yaizu-city")
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(site, apikey="mdg_wrong").action.package_create(name="x-data", title="X",
                                                                          owner_org="yaizu-city")
    assert not Dataset.objects.filter(slug="x-data").exists()


def test_write_actions__create_patch_upload_delete(site, token, tmp_path):
    ckan = ckanapi.RemoteCKAN(site, apikey=token)
    pkg = ckan.action.package_create(name="bousai-kunren", title="防災訓練の参加者数", owner_org="yaizu-city",
                                     notes="防災訓練の参加者数", tags=[{"name": "防災"}], groups=[{"name": "disaster"}],
                                     frequency="ANNUAL")
    assert pkg["name"] == "bousai-kunren" and pkg["tags"][0]["name"] == "防災"
    with pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.package_create(name="bousai-kunren", title="again", owner_org="yaizu-city")
    assert "name" in exc.value.error_dict
    patched = ckan.action.package_patch(id="bousai-kunren", notes="地区別の参加者数")
    assert patched["notes"] == "地区別の参加者数" and patched["title"] == "防災訓練の参加者数"
    path = tmp_path / "kunren.csv"
    path.write_bytes("地区,参加者数\n焼津,\"1,200\"\n大井川,340\n".encode("cp932"))
    with open(path, "rb") as fh:
        res = ckan.action.resource_create(package_id="bousai-kunren", name="2025年度", upload=fh)
    assert res["datastore_active"] is True
    rows = ckan.action.datastore_search(resource_id=res["id"])["records"]
    assert [(r["地区"], r["参加者数"]) for r in rows] == [("焼津", 1200), ("大井川", 340)]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with open(broken, "rb") as fh, pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.resource_create(package_id="bousai-kunren", name="壊れた", upload=fh)
    assert "broken.xlsx" in exc.value.error_dict["upload"][0]
    ckan.action.resource_delete(id=res["id"])
    assert ckan.action.package_show(id="bousai-kunren")["num_resources"] == 0
    ckan.action.package_delete(id="bousai-kunren")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="bousai-kunren")
    assert Dataset.objects.get(slug="bousai-kunren").state == "deleted"  # nothing lost


SQL_REJECTED = [
    ("insert", 'INSERT INTO "{rid}" VALUES (1)', "SELECT 文だけ"),
    ("update", 'UPDATE "{rid}" SET "区別" = 1', "SELECT 文だけ"),
    ("delete", 'DELETE FROM "{rid}"', "SELECT 文だけ"),
    ("ddl-create", "CREATE TABLE t AS SELECT 1", "SELECT 文だけ"),
    ("ddl-drop", 'DROP TABLE "{rid}"', "SELECT 文だけ"),
    ("multiple", 'SELECT 1; SELECT * FROM "{rid}"', "1 つだけ"),
    ("read_csv", "SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("read_parquet", "SELECT * FROM read_parquet('/tmp/x.parquet')", "read_parquet"),
    ("file-path", "SELECT * FROM '/etc/passwd'", "はありません"),
    ("glob", "SELECT * FROM glob('/*')", "glob"),
    ("nested-read", "SELECT (SELECT count(*) FROM read_text('/etc/hostname'))", "read_text"),
    ("copy", "COPY (SELECT 1) TO '/tmp/out.csv'", "SELECT 文だけ"),
    ("attach", "ATTACH '/tmp/other.db'", "SELECT 文だけ"),
    ("install", "INSTALL httpfs", "SELECT 文だけ"),
    ("load", "LOAD httpfs", "SELECT 文だけ"),
    ("set", "SET threads = 64", "SELECT 文だけ"),
    ("pragma", "PRAGMA database_list", "SELECT 文だけ"),
    ("setting", "SELECT current_setting('memory_limit')", "current_setting"),
    ("private", 'SELECT * FROM "{private}"', "はありません"),
    ("unknown", 'SELECT * FROM "999999"', "はありません"),
    ("unpublished", 'SELECT * FROM "{unpublished}"', "はありません"),
    ("schema", 'SELECT * FROM main."{rid}"', "スキーマ"),
]


@pytest.mark.parametrize("case,sql,message", SQL_REJECTED, ids=[c[0] for c in SQL_REJECTED])
def test_datastore_search_sql__rejects(ckan, case, sql, message):
    unpublished = Resource.objects.create(dataset=Dataset.objects.get(slug="yaizu-aed"), name="未公開", position=9)
    sql = sql.format(rid=_resource_id("sapporo-population-by-town"), private=_resource_id("kumamoto-food-permits"),
                     unpublished=unpublished.pk)
    with pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.datastore_search_sql(sql=sql)
    assert message in exc.value.error_dict["sql"][0]


def test_datastore_search_sql__aggregates_published_data(ckan):
    rid = _resource_id("sapporo-population-by-town")
    result = ckan.action.datastore_search_sql(
        sql=f'SELECT "区別", sum("総数") AS total FROM "{rid}" WHERE "区別" <> \'全　区\' GROUP BY 1 ORDER BY 2 DESC LIMIT 3')
    assert result["fields"] == [{"id": "区別", "type": "text"}, {"id": "total", "type": "numeric"}]
    assert len(result["records"]) == 3 and result["records_truncated"] is False
    assert result["records"][0]["total"] >= result["records"][1]["total"]
    cte = ckan.action.datastore_search_sql(sql=f'WITH t AS (SELECT * FROM "{rid}") SELECT count(*) AS n FROM t')
    assert cte["records"] == [{"n": 5591}]
    assert "_search" not in ckan.action.datastore_search_sql(sql=f'SELECT * FROM "{rid}" LIMIT 1')["records"][0]
