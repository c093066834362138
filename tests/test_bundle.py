"""The bundled real city data, loaded through the real pipeline (issue #2, Done when 1).

Expected row counts come from the files' PROVENANCE.md (copied into
``bundle/datasets.toml`` as ``rows``), not from the reader.
"""

from __future__ import annotations

import pytest

from madoguchi.bundle.loader import load_bundle, manifest
from madoguchi.catalog.models import Dataset, Resource

from .conftest import records


@pytest.fixture
def bundle(db):
    return load_bundle()


def _current(slug: str, name: str):
    return Resource.objects.get(dataset__slug=slug, name=name).current_version


def _types(version) -> dict[str, str]:
    return {c["name"]: c["type"] for c in version.columns}


def test_bundle__every_file_ingested_with_its_published_row_count(bundle):
    expected = [(d["slug"], r["name"], v["file"], v["rows"]) for d in manifest()["dataset"] for r in d["resource"]
                for v in [*r.get("versions", []), {"file": r["file"], "rows": r["rows"]}]]
    assert len(bundle) == len(expected) == 54  # 50 + kameoka-5374 (4 files, tests/test_bulky_fees.py)
    got = [(f.dataset, f.resource, f.file, f.rows) for f in bundle]
    assert got == expected
    assert Dataset.objects.count() == len(manifest()["dataset"])


def test_bundle__second_load_ingests_nothing(bundle):
    again = load_bundle()
    assert all(f.skipped for f in again)


def test_bundle__cp932_files_detected_and_typed(bundle):
    tourism = Resource.objects.get(dataset__slug="yaizu-tourism")
    old, new = tourism.versions.get(number=1), tourism.versions.get(number=2)
    assert (old.encoding, old.row_count, new.encoding, new.row_count) == ("cp932", 217, "utf-8-sig", 205)
    assert tourism.current_version == new
    old_types = _types(old)
    assert old_types["緯度"] == "number" and old_types["経度"] == "number"
    assert old_types["都道府県コード又は市区町村コード"] == "string"
    assert old_types["レコード番号"] == "string"  # a record number column is an ID: text
    first = records(old, limit=1)["records"][0]
    assert first["名称"] == "エステルームRuby" and first["都道府県コード又は市区町村コード"] == "222127"
    assert first["名称_英語"] == "425-0086"  # the real defect (a postal code one column off) is kept as written

    cooling = Resource.objects.get(dataset__slug="yaizu-cooling-shelters")
    v1 = cooling.versions.get(number=1)
    assert (v1.encoding, v1.row_count) == ("cp932", 56)
    assert _types(v1)["日曜開放開始時刻"] == "time"
    assert "指定暑熱避難施設の名称" in _types(v1)


def test_bundle__xlsx_files_typed(bundle):
    hospitals = _current("kumamoto-hospitals", "病院一覧 (Excel)")
    t = _types(hospitals)
    assert (t["郵便番号"], t["電話番号"], t["一般病床数"], t["開設年月日"]) == ("string", "string", "integer", "date")
    assert len(hospitals.columns) == 118
    csv_version = _current("kumamoto-hospitals", "病院一覧 (CSV)")
    by_name = {r["施設正式名称"]: r for r in records(hospitals, limit=100)["records"]}
    assert by_name["熊本整形外科病院"]["一般病床数"] == 204
    assert by_name["熊本整形外科病院"]["郵便番号"] == "862-0975"
    # the Excel and CSV editions of the same list agree on the typed values
    csv_by_name = {r["施設正式名称"]: r for r in records(csv_version, limit=100)["records"]}
    assert csv_by_name["熊本整形外科病院"]["開設年月日"] == by_name["熊本整形外科病院"]["開設年月日"]

    pharmacies = _current("kumamoto-pharmacies", "薬局一覧 (Excel)")
    assert pharmacies.row_count == 400 and pharmacies.report["reader"]["sheet"] == "熊本市内薬局一覧（R7.4.1時点）"
    assert _types(pharmacies)["有効期間"] == "string"  # a 和暦 range is not one date

    permits = _current("kumamoto-food-permits", "新規飲食店営業許可 2024年4月 (Excel)")
    assert permits.report["reader"]["sheet"] == "４月"
    assert _types(permits)["許可日"] == "date"


def test_bundle__population_title_row_and_statistics_symbols(bundle):
    town = _current("sapporo-population-by-town", "町名・条丁目別世帯数及び男女別人口 2021-04")
    assert town.report["reader"]["header_row"] == 2
    assert _types(town) == {"区別": "string", "町条丁目": "string", "世帯数": "integer", "総数": "integer",
                            "男": "integer", "女": "integer"}
    row = records(town, filters={"町条丁目": "大通東２丁目"})["records"][0]
    assert (row["世帯数"], row["総数"], row["男"], row["女"]) == (147, 276, 127, 149)

    age = _current("sapporo-population-by-age", "年齢（5歳階級）別人口 2020-10")
    assert _types(age)["0～4歳"] == "integer" and _types(age)["100歳以上"] == "integer"
    total = records(age, filters={"区": "全市", "区分": "全市"})["records"][0]
    assert total["人口"] == 1961682
    secret = records(age, filters={"町条丁目" if "町条丁目" in _types(age) else "区分": "大通西１１丁目"})["records"]
    assert secret and secret[0]["年少人口"] is None  # "x" (秘匿) is no value


def test_bundle__private_dataset_not_listed(bundle, client):
    assert Dataset.objects.get(slug="kumamoto-food-permits").private
    body = client.get("/api/v1/datasets", {"q": "飲食店"}).json()
    assert body["count"] == 0
    assert client.get("/datasets/kumamoto-food-permits/").status_code == 404


def test_quickstart__sets_up_and_serves_every_bundled_dataset(db, admin_client):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("quickstart", "--no-serve", stdout=out, stderr=io.StringIO())
    assert "54 files, 54 ingested" in out.getvalue()  # with kameoka-5374
    for spec in manifest()["dataset"]:
        page = admin_client.get(f"/datasets/{spec['slug']}/")
        assert page.status_code == 200, spec["slug"]
        for res in spec["resource"]:
            resource = Resource.objects.get(dataset__slug=spec["slug"], name=res["name"])
            body = admin_client.get(f"/api/v1/resources/{resource.pk}/records", {"limit": 1}).json()
            assert body["total"] == res["rows"], (spec["slug"], res["name"])
