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
    assert "「4250000」→「425-0000」" in page and '標準への適合：<span translate="no">AED設置箇所一覧</span>' in page


def test_preview_filter_and_the_filtered_download_use_the_records_query(client, make_dataset, ingest):
    """Issue #18: the preview can be searched and filtered, and CSV/JSON downloads of the filtered rows take
    the same query as /api/v1/resources/<id>/records (all matching rows, not a page)."""
    import csv
    import io
    import json

    dataset = make_dataset("filtered", description="区ごとの施設")
    rows = "".join(f"{i},{'中原区' if i % 3 == 0 else '高津区'},施設{i}\n" for i in range(1, 61))
    version = ingest(("番号,区,名称\n" + rows).encode(), "f.csv", dataset=dataset)
    url = version.resource.get_absolute_url()
    page = client.get(url, {"column": "区", "value": "中原区"}).content.decode()
    assert "20 行中 1〜20 行目" in page and "施設3<" in page and "施設1<" not in page
    assert "filters=" in page and "download.csv?" in page
    base = url + "download.csv"
    body = b"".join(client.get(base, {"filters": json.dumps({"区": "中原区"})}).streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(body)))
    assert len(table) == 20 and {r["区"] for r in table} == {"中原区"}
    api = client.get(f"/api/v1/resources/{version.resource.pk}/records", {"filters": json.dumps({"区": "中原区"}),
                                                                           "limit": 1000}).json()
    assert [r["名称"] for r in table] == [r["名称"] for r in api["records"]]
    got = json.loads(b"".join(client.get(url + "download.json", {"q": "施設59"}).streaming_content))
    assert [r["名称"] for r in got] == ["施設59"]
    assert client.get(base, {"filters": '{"ない列": 1}'}).status_code == 400
    full = b"".join(client.get(base).streaming_content).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(full)))) == 60
    page2 = client.get(url, {"q": "施設", "page": 3}).content.decode()
    assert "60 行中 41〜60 行目" in page2
