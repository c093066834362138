"""Freshness, the quality page and JSON, and the staff quality dashboard (issue #3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.catalog.models import Dataset
from madoguchi.quality.freshness import add_period, freshness, stale_datasets

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)
CSV = "NO,名称\n1,①公園\n2,東公園\n".encode()


def updated(dataset: Dataset, days_ago: int) -> Dataset:
    when = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)))
    Dataset.objects.filter(pk=dataset.pk).update(modified=when)
    dataset.refresh_from_db()
    return dataset


@pytest.mark.parametrize("frequency, days_ago, stale, due, overdue", [
    ("MONTHLY", 40, True, dt.date(2026, 6, 21), 9),
    ("MONTHLY", 10, False, dt.date(2026, 7, 20), 0),
    ("MONTHLY", 38, False, dt.date(2026, 6, 23), 0),  # due + 7 days' grace = today: not yet
    ("MONTHLY", 39, True, dt.date(2026, 6, 22), 8),
    ("DAILY", 3, True, dt.date(2026, 6, 28), 2),
    ("ANNUAL", 400, True, dt.date(2026, 5, 26), 35),
    ("IRREG", 4000, False, None, 0),
    ("NEVER", 4000, False, None, 0),
])
def test_freshness(make_dataset, frequency, days_ago, stale, due, overdue):
    d = updated(make_dataset("f", update_frequency=frequency), days_ago)
    f = freshness(d, today=TODAY)
    assert (f["stale"], f["due"], f["days_overdue"]) == (stale, due, overdue)
    assert f["last_updated"] == TODAY - dt.timedelta(days=days_ago)


def test_add_period__month_end_is_clamped():
    assert add_period(dt.date(2026, 1, 31), 1, 0) == dt.date(2026, 2, 28)
    assert add_period(dt.date(2025, 11, 15), 3, 0) == dt.date(2026, 2, 15)


def test_stale_datasets__lists_only_overdue_most_overdue_first(make_dataset):
    a = updated(make_dataset("a", title="月次A", update_frequency="MONTHLY"), 40)
    b = updated(make_dataset("b", title="月次B", update_frequency="MONTHLY"), 90)
    updated(make_dataset("c", update_frequency="MONTHLY"), 10)
    updated(make_dataset("d", update_frequency="IRREG"), 900)
    assert [d.slug for d in stale_datasets(TODAY)] == [b.slug, a.slug]


def test_quality_page__shows_rules_stars_and_completeness(client, ingest, make_dataset):
    dataset = make_dataset("park", title="公園一覧")
    v = ingest(CSV, "parks.csv", dataset=dataset)
    r = client.get(f"/datasets/park/resources/{v.resource_id}/quality/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "L1-08</span> 機種依存文字を使用していないか" in html and "列「名称」に機種依存文字 ① があります（2 行目）" in html
    assert '<span class="stars" aria-hidden="true">★★★☆☆</span><span class="visually-hidden">5段階中3つ星</span>' in html
    assert '<meter min="0" max="1" value="1.000" aria-hidden="true"></meter> 100%' in html


def test_quality_page__unknown_or_private_is_404(client, admin_client, ingest, make_dataset):
    v = ingest(CSV, "a.csv", dataset=make_dataset("secret", private=True))
    assert client.get(f"/datasets/secret/resources/{v.resource_id}/quality/").status_code == 404
    assert admin_client.get(f"/datasets/secret/resources/{v.resource_id}/quality/").status_code == 200
    assert client.get("/datasets/secret/resources/999999/quality/").status_code == 404


def test_quality_json(client, ingest, make_dataset):
    v = ingest(CSV, "a.csv", dataset=make_dataset("park"))
    r = client.get(f"/api/v1/resources/{v.resource_id}/quality")
    assert r.status_code == 200
    body = r.json()
    assert (body["resource_id"], body["dataset"], body["version"], body["star_rating"]) == (v.resource_id, "park", 1, 3)
    rule = next(x for x in body["rules"] if x["id"] == "L1-08")
    assert (rule["cross_reference_2020"], rule["result"], rule["evidence"][0]["rows"]) == ("1-10", "fail", [2])
    assert body["schema"]["declared"] is False
    assert body["freshness"]["frequency"] == "IRREG" and body["freshness"]["due"] is None


def test_quality_json__unknown_and_private_are_404_json(client, ingest, make_dataset):
    v = ingest(CSV, "a.csv", dataset=make_dataset("secret", private=True))
    for path in (f"/api/v1/resources/{v.resource_id}/quality", "/api/v1/resources/999999/quality"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"


def test_freshness_badge__stale_dataset(make_dataset):
    from django.template.loader import render_to_string

    d = updated(make_dataset("m", update_frequency="MONTHLY"), 400)
    html = render_to_string("quality/_freshness_badge.html", {"dataset": d})
    assert "更新遅れ（" in html and "毎月更新のデータで" in html


def test_staff_dashboard__requires_login(client, db):
    r = client.get("/staff/quality/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_staff_dashboard__lists_stale_dataset_and_worst_resources(admin_client, ingest, make_dataset):
    stale = make_dataset("monthly-pop", title="月別人口", update_frequency="MONTHLY")
    ingest(CSV, "a.csv", dataset=stale)
    Dataset.objects.filter(pk=stale.pk).update(modified=timezone.now() - dt.timedelta(days=60))
    fresh = make_dataset("fresh", title="新しいデータ", update_frequency="MONTHLY")
    ingest(CSV, "b.csv", dataset=fresh)
    r = admin_client.get("/staff/quality/?sort=organization")
    assert r.status_code == 200
    html = r.content.decode()
    stale_section = html.split('id="stale-h"')[1].split('id="schema-h"')[0]
    assert "月別人口" in stale_section and "新しいデータ" not in stale_section
    assert "更新が遅れているデータセット（1 件）" in html
    worst = html.split('id="worst-h"')[1]
    assert "月別人口 / r" in worst and "新しいデータ / r" in worst


def test_staff_dashboard__lists_schema_errors_and_privacy_overrides(admin_client, ingest, make_dataset):
    v = ingest(CSV, "a.csv", dataset=make_dataset("aed", title="AED一覧"))
    v.report["standard"] = {"standard": "aed", "title": "AED設置箇所一覧", "valid": False, "error_count": 3,
                            "errors": [{"field": "緯度", "code": "type", "message": "数値ではありません", "rows": [2],
                                        "count": 3}]}
    v.report["privacy"] = [{"kind": "person_name", "column": "管理者氏名", "rows": [2], "count": 1,
                            "message": "個人の氏名", "severity": "error",
                            "override": {"id": 1, "reason": "医療法により公表", "by": "staff", "at": "2026-06-01"}}]
    v.save(update_fields=["report"])
    html = admin_client.get("/staff/quality/").content.decode()
    schema = html.split('id="schema-h"')[1].split('id="privacy-h"')[0]
    assert "AED一覧 / r" in schema and "AED設置箇所一覧" in schema and "3 件" in schema
    privacy = html.split('id="privacy-h"')[1].split('id="worst-h"')[0]
    assert "個人の氏名（列「管理者氏名」）" in privacy and "理由: 医療法により公表" in privacy


def test_quality_json__schema_errors_grouped_by_field(client, ingest, make_dataset):
    v = ingest(CSV, "a.csv", dataset=make_dataset("aed"))
    v.report["standard"] = {"standard": "aed", "title": "AED", "valid": False, "error_count": 2, "errors": [
        {"field": "緯度", "code": "type", "message": "数値ではありません", "rows": [2], "count": 1},
        {"field": "緯度", "code": "range", "message": "範囲外です", "rows": [3], "count": 1}]}
    v.save(update_fields=["report"])
    body = client.get(f"/api/v1/resources/{v.resource_id}/quality").json()
    assert body["schema"]["valid"] is False
    assert [(f["field"], f["count"], [e["code"] for e in f["errors"]]) for f in body["schema"]["fields"]] == [
        ("緯度", 2, ["type", "range"])]


def test_dataset_star_rating(ingest, make_dataset):
    from madoguchi.quality.services import dataset_star_rating

    d = make_dataset("s")
    assert dataset_star_rating(d) == 0
    ingest(b"%PDF-1.4\n", "a.pdf", dataset=d, resource="pdf")
    assert dataset_star_rating(d) == 1
    ingest(CSV, "a.csv", dataset=d, resource="csv")
    assert dataset_star_rating(d) == 3
