"""Hostile input through the real HTTP API (issue #8, load and fault suite — the CI part)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.catalog.models import Resource
from madoguchi.datastore.errors import IngestError
from madoguchi.datastore.models import IngestJob, ResourceVersion


def test_formula_injection__neutralized_in_csv_download_kept_in_json(ingest, client):
    data = '名前,式,数\n"=cmd|\' /C calc\'!A0",+1+1,-3\n"@SUM(A1)",普通,4\n'.encode()
    v = ingest(data, "f.csv")
    base = f"/datasets/{v.resource.dataset.slug}/resources/{v.resource_id}/download"
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(base + ".csv").streaming_content).decode("utf-8-sig"))))
    assert rows[0]["名前"] == "'=cmd|' /C calc'!A0" and rows[0]["式"] == "'+1+1" and rows[0]["数"] == "-3"
    assert rows[1]["名前"] == "'@SUM(A1)" and rows[1]["式"] == "普通"
    as_json = json.loads(b"".join(client.get(base + ".json").streaming_content))
    assert as_json[0]["名前"] == "=cmd|' /C calc'!A0"  # the data itself is unchanged


@pytest.mark.parametrize("params", [
    {"sort": '"区"; DROP TABLE catalog_dataset; --'},
    {"sort": "_id desc, (select 1)"},
    {"filters": json.dumps({"区\" = 1 OR 1=1 --": "x"})},
    {"fields": "_id, (SELECT 1)"},
])
def test_sql_injection_in_parameters__400_and_nothing_changed(ingest, client, params):
    v = ingest("区,人口\n中央区,1\n".encode(), "p.csv")
    response = client.get(f"/api/v1/resources/{v.resource_id}/records", params)
    assert response.status_code == 400
    assert client.get(f"/api/v1/resources/{v.resource_id}/records").json()["total"] == 1


def test_oversized_upload__413_and_nothing_ingested(admin_client, make_dataset, settings):
    settings.MAX_UPLOAD_BYTES = 2000
    dataset = make_dataset()
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 2000)
    response = admin_client.post("/staff/upload/", {"dataset": dataset.pk, "file": big})
    assert response.status_code == 413
    assert "上限は" in response.content.decode()
    assert not IngestJob.objects.exists() and not ResourceVersion.objects.exists()


def test_oversized_upload_to_ckan__413_json(client, settings, db):
    settings.MAX_UPLOAD_BYTES = 1000
    response = client.post("/api/3/action/resource_create", {"package_id": "x",
                                                              "upload": SimpleUploadedFile("b.csv", b"x" * 5000)})
    assert response.status_code == 413
    assert response.json()["success"] is False


def _wide(n: int) -> bytes:
    return (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n").encode()


def test_very_wide_and_very_long_field_csv(ingest, settings):
    v = ingest(_wide(16384), "wide.csv")
    assert len(v.columns) == 16384 and v.row_count == 1 and settings.DATASTORE_MAX_COLUMNS == 16384
    with pytest.raises(IngestError) as refused:
        ingest(_wide(100_000), "wider.csv", dataset=v.resource.dataset, resource=v.resource.name)
    assert refused.value.code == "too_many_columns" and "100,000 列" in refused.value.message
    assert Resource.objects.get(pk=v.resource_id).current_version == v
    long_field = ("a,b\n" + "x" * 10_000_000 + ",1\n").encode()
    v2 = ingest(long_field, "long.csv", resource="long")
    assert v2.row_count == 1 and Resource.objects.get(pk=v2.resource_id).current_version == v2
