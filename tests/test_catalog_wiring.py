"""The catalog pages show what issue #3 adds: declared standard, freshness (stale), 5-star, quality report link."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from madoguchi.catalog.models import Dataset

CSV = "名称,緯度,経度\n市役所,34.86,138.32\n".encode()


def test_stale_dataset_is_marked_in_list_and_page(client, make_dataset, ingest):
    d = make_dataset("monthly", title="毎月の統計", update_frequency="MONTHLY")
    ingest(CSV, "a.csv", dataset=d)
    Dataset.objects.filter(pk=d.pk).update(modified=timezone.now() - dt.timedelta(days=60))
    fresh = make_dataset("fresh", title="新しい統計", update_frequency="MONTHLY")
    ingest(CSV, "a.csv", dataset=fresh)
    listing = client.get("/datasets/").content.decode()
    assert listing.count("更新遅れ") == 1
    page = client.get("/datasets/monthly/").content.decode()
    assert "更新遅れ（" in page and "までに更新される予定でした" in page
    assert "更新遅れ" not in client.get("/datasets/fresh/").content.decode()


def test_dataset_page_shows_standard_and_stars(client, make_dataset, ingest):
    d = make_dataset("aed", title="AED", standard="aed-v1", license_id="cc-by-4.0")
    ingest(CSV, "a.csv", dataset=d)
    page = client.get("/datasets/aed/").content.decode()
    assert 'href="/standards/aed-v1/"' in page and "AED設置箇所一覧" in page
    assert "★★★☆☆" in page


def test_resource_page_links_to_quality_report(client, make_dataset, ingest):
    version = ingest(CSV, "a.csv", dataset=make_dataset("q"))
    page = client.get(f"/datasets/q/resources/{version.resource.pk}/").content.decode()
    url = f"/datasets/q/resources/{version.resource.pk}/quality/"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200


def test_staff_see_the_suppression_link(client, admin_client, make_dataset, ingest):
    version = ingest(CSV, "a.csv", dataset=make_dataset("s"))
    url = f"/datasets/s/resources/{version.resource.pk}/"
    link = f'href="/staff/privacy/resources/{version.resource.pk}/suppress/"'
    assert link in admin_client.get(url).content.decode()
    assert link not in client.get(url).content.decode()


def test_report_shows_fixes_standard_and_privacy(client, admin_client, make_dataset, ingest):
    data = "名称,郵便番号,電話番号,緯度,経度\n市役所,4250000,(054)626-1139,34.86,138.32\n".encode()
    version = ingest(data, "a.csv", dataset=make_dataset("fixes", standard="aed-v1"))
    report = client.get(f"/api/v1/resources/{version.resource.pk}/versions/1/report").json()
    fixes = {f["code"]: f for f in report["fixes"]}
    assert fixes["postal_code_formatted"]["examples"] == [{"before": "4250000", "after": "425-0000"}]
    assert fixes["phone_number_formatted"]["rows"] == [2]
    assert report["standard"]["standard"] == "aed-v1" and report["standard"]["valid"] is False
    assert report["privacy"] == [] and report["standard_suggestions"] == []
    page = client.get(f"/datasets/fixes/resources/{version.resource.pk}/").content.decode()
    assert "「4250000」→「425-0000」" in page and "標準への適合：AED設置箇所一覧" in page
