"""The JSON API of the datastore and the downloads, called like a client (issue #2, Datastore API)."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from madoguchi.catalog.models import DownloadCount

DATA = ("区,町名,人口,調査日,郵便番号\n"
        "中央区,大通東1丁目,120,令和2年3月1日,0600041\n"
        "中央区,大通東2丁目,276,令和2年3月1日,0600042\n"
        "北区,北8条西1丁目,45,令和2年4月1日,0010008\n"
        "北区,北9条西1丁目,,令和2年4月1日,0010009\n"
        "東区,ｶﾀｶﾅ町,8,令和2年4月1日,0650001\n").encode("cp932")


@pytest.fixture
def resource(ingest):
    return ingest(DATA, "町丁別人口.csv", resource="町丁別人口").resource


def get(client, resource, **params):
    return client.get(f"/api/v1/resources/{resource.pk}/records", params)


def test_records__typed_values_fields_and_total(client, resource):
    body = get(client, resource, limit=2).json()
    assert body["total"] == 5 and body["limit"] == 2 and body["version"] == 1
    assert body["fields"] == [{"id": "_id", "type": "integer"}, {"id": "区", "type": "string"},
                              {"id": "町名", "type": "string"}, {"id": "人口", "type": "integer"},
                              {"id": "調査日", "type": "date"}, {"id": "郵便番号", "type": "string"}]
    assert body["records"][0] == {"_id": 1, "区": "中央区", "町名": "大通東1丁目", "人口": 120,
                                  "調査日": "2020-03-01", "郵便番号": "060-0041"}


def test_records__filters_several_columns_and_values(client, resource):
    body = get(client, resource, filters=json.dumps({"区": ["中央区", "北区"], "調査日": "R2.4.1"})).json()
    assert [r["町名"] for r in body["records"]] == ["北8条西1丁目", "北9条西1丁目"]
    assert body["total"] == 2
    assert get(client, resource, filters='{"人口": "２７６"}').json()["records"][0]["町名"] == "大通東2丁目"


def test_records__full_text_q_folds_kana_and_width(client, resource):
    assert [r["町名"] for r in get(client, resource, q="かたかな").json()["records"]] == ["ｶﾀｶﾅ町"]
    assert get(client, resource, q="大通 2丁目").json()["total"] == 1
    assert get(client, resource, q="100%_").json()["total"] == 0


def test_records__sort_offset_fields(client, resource):
    body = get(client, resource, sort="人口 desc", fields="町名,人口", limit=2, offset=1).json()
    assert body["records"] == [{"町名": "大通東1丁目", "人口": 120}, {"町名": "北8条西1丁目", "人口": 45}]
    nulls_last = get(client, resource, sort="人口 asc", fields="人口").json()["records"]
    assert [r["人口"] for r in nulls_last] == [8, 45, 120, 276, None]


@pytest.mark.parametrize("params,param", [
    ({"filters": '{"存在しない列": 1}'}, "filters"),
    ({"filters": '{"人口": "たくさん"}'}, "filters"),
    ({"filters": '{"調査日": "昨日"}'}, "filters"),
    ({"filters": "not json"}, "filters"),
    ({"filters": "[1, 2]"}, "filters"),
    ({"sort": "nope desc"}, "sort"),
    ({"fields": "町名,nope"}, "fields"),
    ({"limit": 100000}, "limit"),
    ({"limit": -1}, "limit"),
    ({"offset": -5}, "offset"),
    ({"limit": "many"}, "limit"),
])
def test_records__invalid_parameter__400_naming_it(client, resource, params, param):
    response = get(client, resource, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "invalid_parameter"
    assert body["error"]["param"] == param and body["error"]["message"]


def test_records__unknown_resource_404(client, db):
    response = client.get("/api/v1/resources/999999/records")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_resource_and_dataset_metadata(client, resource):
    body = client.get(f"/api/v1/resources/{resource.pk}").json()
    assert body["rows"] == 5 and body["version"] == 1 and body["format"] == "CSV"
    assert body["versions"][0]["encoding"] == "cp932" and body["versions"][0]["current"] is True
    assert set(body["downloads"]) == {"original", "csv", "json", "parquet"}
    ds = client.get(f"/api/v1/datasets/{resource.dataset.slug}").json()
    assert ds["license_id"] == "cc-by-4.0" and ds["resources"][0]["columns"][2] == {
        "name": "人口", "type": "integer", "role": None}
    report = client.get(f"/api/v1/resources/{resource.pk}/versions/1/report").json()
    assert report["rows"] == 5 and report["reader"]["encoding"] == "cp932"


def test_downloads__formats_original_and_monthly_counts(client, resource):
    urls = client.get(f"/api/v1/resources/{resource.pk}").json()["downloads"]
    csv_body = b"".join(client.get(urls["csv"]).streaming_content)
    assert csv_body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert rows[1]["町名"] == "大通東2丁目" and rows[1]["郵便番号"] == "060-0042" and len(rows) == 5
    assert "_search" not in rows[0]
    as_json = json.loads(b"".join(client.get(urls["json"]).streaming_content))
    assert as_json[0]["調査日"] == "2020-03-01" and as_json[0]["人口"] == 120
    table = pq.read_table(io.BytesIO(b"".join(client.get(urls["parquet"]).streaming_content)))
    assert table.num_rows == 5 and "_search" not in table.column_names
    original = client.get(urls["original"])
    assert b"".join(original.streaming_content) == DATA
    assert "attachment" in original["Content-Disposition"]
    counts = DownloadCount.objects.get(resource=resource)
    assert counts.count == 4 and counts.month.day == 1
    etag = client.get(urls["csv"])["ETag"]
    assert client.get(urls["csv"], HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_new_version__served_and_old_kept(client, resource, ingest):
    ingest("区,町名,人口\n南区,真駒内,99\n".encode(), "v2.csv", dataset=resource.dataset, resource="町丁別人口")
    body = get(client, resource).json()
    assert body["version"] == 2 and body["records"][0]["町名"] == "真駒内"
    versions = client.get(f"/api/v1/resources/{resource.pk}").json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    old = client.get(f"/datasets/{resource.dataset.slug}/resources/{resource.pk}/versions/1/original")
    assert b"".join(old.streaming_content) == DATA
    old_csv = client.get(f"/datasets/{resource.dataset.slug}/resources/{resource.pk}/versions/1/download.csv")
    assert "大通東2丁目" in b"".join(old_csv.streaming_content).decode("utf-8-sig")


def test_openapi_documents_every_endpoint(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/v1/datasets", "/api/v1/datasets/{slug}", "/api/v1/resources/{resource_id}",
            "/api/v1/resources/{resource_id}/records",
            "/api/v1/resources/{resource_id}/versions/{number}/report"} <= paths
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert op.get("description") or op.get("summary"), path
