"""Frictionless Data Package at ``/datasets/<slug>/datapackage.json``.

frictionless fetches every resource ``path`` over HTTP, so these tests run a
live server; each validation reads the whole CSV export and checks every cell
against the Table Schema.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest
from django.urls import reverse

from madoguchi.bundle.loader import load_bundle
from madoguchi.catalog.models import Dataset
from madoguchi.catalog.services import visible_datasets
from madoguchi.datastore import services as datastore

pytestmark = pytest.mark.django_db(transaction=True)

NAME_RE = re.compile(r"^[a-z0-9._-]+$")


def _descriptor(client, slug: str) -> dict:
    response = client.get(f"/datasets/{slug}/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _errors(report) -> list:
    return report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])


def _frictionless_cli() -> Path:
    return Path(sys.executable).parent / "frictionless"


def test_every_bundled_dataset_validates_with_frictionless(live_server, client):
    load_bundle()
    public = list(visible_datasets().order_by("slug"))
    assert len(public) == 23  # with 亀岡市's garbage dictionary (kameoka-5374)
    for dataset in public:
        url = f"{live_server.url}/datasets/{dataset.slug}/datapackage.json"
        report = frictionless.validate(url)
        assert report.valid, (dataset.slug, _errors(report))

        package = _descriptor(client, dataset.slug)
        assert package["name"] == dataset.slug and package["title"] == dataset.title
        assert package["homepage"] == "http://testserver" + reverse("catalog:dataset", args=[dataset.slug])
        assert package["keywords"] == sorted(t.name for t in dataset.tags.all())
        assert package["contributors"] == [{"title": dataset.organization.title, "roles": ["publisher"],
                                            "path": dataset.organization.url}]
        lic = dataset.license
        assert package["licenses"][0]["title"] == lic.title and package["licenses"][0].get("path", "") == lic.url
        resources = list(dataset.resources.select_related("current_version"))
        names = [r["name"] for r in package["resources"]]
        assert names == [f"resource-{r.pk}" for r in resources]
        assert len(set(names)) == len(names) and all(NAME_RE.match(n) for n in names)
        tasks = {task.name: task for task in report.tasks}
        for resource, entry in zip(resources, package["resources"]):
            version = resource.current_version
            assert entry["title"] == resource.name
            assert entry["path"] == "http://testserver" + reverse(
                "catalog:download", args=[dataset.slug, resource.pk, "csv"])
            assert (entry["format"], entry["mediatype"], entry["encoding"]) == ("csv", "text/csv", "utf-8")
            fields = entry["schema"]["fields"]
            # the schema is the export's: _id first, then the columns with their datastore types
            assert [(f["name"], f["type"]) for f in fields] == [("_id", "integer")] + [
                (c["name"], c["type"]) for c in version.columns]
            assert entry["schema"]["primaryKey"] == ["_id"] and entry["schema"]["missingValues"] == [""]
            # frictionless read every row of the export (no "rows" key for the empty 備考 of 八王子)
            stats = tasks[entry["name"]].stats
            assert stats.get("rows", 0) == version.row_count, (dataset.slug, resource.name, stats)

    # times in the bundle (曜日ごとの開放時刻) are written as Arrow writes them (08:30:00.000); the schema says so
    cooling = {f["name"]: f for f in _descriptor(client, "yaizu-cooling-shelters")["resources"][0]["schema"]["fields"]}
    assert cooling["日曜開放開始時刻"]["type"] == "time" and cooling["日曜開放開始時刻"]["format"].startswith("%H:%M:%S")
    assert cooling["緯度"] == {"name": "緯度", "type": "number",
                               "rdfType": "http://www.w3.org/2003/01/geo/wgs84_pos#lat"}

    # the real command line tool, once
    url = f"{live_server.url}/datasets/kumamoto-hospitals/datapackage.json"
    done = subprocess.run([str(_frictionless_cli()), "validate", "--json", url], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["valid"] is True and len(result["tasks"]) == 2

    # the private dataset has no Data Package
    assert Dataset.objects.get(slug="kumamoto-food-permits").private
    assert client.get("/datasets/kumamoto-food-permits/datapackage.json").status_code == 404


CSV = ("名称,日時,開始時刻,日付,開館,人数,割合,備考\n"
       '"A館",2024-04-01 09:30:00,09:30,2024-04-01,true,12,0.5,"カンマ, と ""引用符"""\n'
       "B館,2024/4/2 18:05,18:05:30,2024/4/2,false,,1.25,\n"
       'C館,,,,,7,,"改行\nあり"\n')


def test_every_column_type_reads_back_with_its_value(live_server, ingest, make_dataset, client):
    dataset = make_dataset("typed", "型のテスト", description="全部の型", tags=["テスト"], license_id="cc-zero")
    version = ingest(("\ufeff" + CSV).encode(), "typed.csv", dataset=dataset, resource="施設")
    assert [c["type"] for c in version.columns] == [
        "string", "datetime", "time", "date", "boolean", "integer", "number", "string"]
    pdf = ingest(b"%PDF-1.4\n% guide\n", "guide.pdf", dataset=dataset, resource="案内 (PDF)")
    assert not pdf.has_table

    url = f"{live_server.url}/datasets/typed/datapackage.json"
    report = frictionless.validate(url)
    assert report.valid, _errors(report)
    assert len(report.tasks) == 2

    package = frictionless.Package(url)
    assert package.licenses == [{"name": "CC0-1.0", "title": "CC0 1.0 (パブリック・ドメイン)",
                                 "path": "https://creativecommons.org/publicdomain/zero/1.0/deed.ja"}]
    table, file = package.resources
    fields = {f.name: f for f in table.schema.fields}
    assert fields["日時"].format == "%Y-%m-%d %H:%M:%S.%f" and fields["開始時刻"].format == "%H:%M:%S.%f"
    rows = table.read_rows()
    assert table.labels[0] == "_id"  # the BOM is not part of the first label
    assert [dict(r) for r in rows] == [
        {"_id": 1, "名称": "A館", "日時": dt.datetime(2024, 4, 1, 9, 30), "開始時刻": dt.time(9, 30),
         "日付": dt.date(2024, 4, 1), "開館": True, "人数": 12, "割合": 0.5, "備考": 'カンマ, と "引用符"'},
        {"_id": 2, "名称": "B館", "日時": dt.datetime(2024, 4, 2, 18, 5), "開始時刻": dt.time(18, 5, 30),
         "日付": dt.date(2024, 4, 2), "開館": False, "人数": None, "割合": 1.25, "備考": None},
        {"_id": 3, "名称": "C館", "日時": None, "開始時刻": None, "日付": None, "開館": None, "人数": 7,
         "割合": None, "備考": "改行\nあり"},
    ]
    # the same values as the datastore API gives
    records = datastore.search_records(version, limit=10)["records"]
    assert [r["備考"] for r in records] == [r["備考"] for r in rows]

    # a file without a table: the original file, its size and hash, no schema
    assert file.type == "file" and file.path.endswith(f"/versions/{pdf.number}/original")
    descriptor = _descriptor(client, "typed")["resources"][1]
    assert descriptor["path"] == "http://testserver" + reverse(
        "catalog:original", args=["typed", pdf.resource_id, pdf.number])
    assert (descriptor["bytes"], descriptor["hash"]) == (pdf.original_bytes, f"sha256:{pdf.sha256}")
    assert "schema" not in descriptor and descriptor["mediatype"] == "application/pdf"
