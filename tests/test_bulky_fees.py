"""Bulky-waste fee table (issue #14 point 4): 亀岡市's 5374 data, bundled and read through gomi."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from madoguchi.bulky import fees, services
from madoguchi.bulky.models import CollectionArea, FeeRule
from madoguchi.bundle.loader import load_bundle
from madoguchi.catalog.models import Resource
from madoguchi.gomi import services as gomi


@pytest.fixture
def kameoka(db):
    files = load_bundle(only={"kameoka-garbage-sorting"})
    gomi.install_default_sources()
    return files


def test_bundle__kameoka_cp932_target_ingested(kameoka):
    assert [(f.file, f.rows) for f in kameoka] == [
        ("kameoka-5374/target.csv", 1760), ("kameoka-5374/description.csv", 9),
        ("kameoka-5374/area_days.csv", 25), ("kameoka-5374/center.csv", 1)]
    v = Resource.objects.get(dataset__slug="kameoka-garbage-sorting", name="分別辞典 target").current_version
    assert v.encoding == "cp932"
    book = gomi.load_book(gomi.get_source("kameoka"))
    item = next(i for i in book.items if i.name == "アイロン台（袋に入らないもの）")
    assert item.category == "粗大ごみ" and "400円分の粗大ごみ料金シール" in item.notes
    assert len(book.areas) == 25 and "亀岡駅北" in book.areas


def test_fees__real_file_counts_and_rules(kameoka):
    counts = services.install_fees("kameoka")
    # PROVENANCE says 163 flat / 289 by size. All 163 flat parse; of the 289 size notices 287 parse and 2
    # (ガラステーブル, ブラインド: 「長辺1m未満なら…、2m以上なら…」 says nothing of 1–2 m) need review.
    assert counts == {"flat": 163, "size": 287, "needs_review": 2, "reviewed": 0, "created": 452}
    assert set(FeeRule.objects.filter(status="needs_review").values_list("item", flat=True)) == {"ガラステーブル", "ブラインド"}
    iron = FeeRule.objects.get(item="アイロン台（袋に入らないもの）")
    assert (iron.kind, iron.yen, iron.status) == ("flat", 400, "parsed")
    ih = FeeRule.objects.get(item="ＩＨ調理器（袋に入らないもの）")
    assert ih.tiers == [
        {"label": "長辺1m未満", "min": None, "max": 100, "unit": "cm", "yen": 600},
        {"label": "1m以上1.5m未満", "min": 100, "max": 150, "unit": "cm", "yen": 1000},
        {"label": "1.5m以上2m未満", "min": 150, "max": 200, "unit": "cm", "yen": 1400},
        {"label": "2m以上", "min": 200, "max": None, "unit": "cm", "yen": 1800}]
    tatami = FeeRule.objects.filter(tiers__0__unit="畳").first()
    assert tatami.tiers[0]["label"] == "3畳未満" and tatami.tiers[1]["min"] == 3
    # a reviewed rule survives a second run
    FeeRule.objects.filter(item="ガラステーブル").update(status="reviewed", tiers=[])
    again = services.install_fees("kameoka")
    assert again["reviewed"] == 1 and again["created"] == 0
    assert FeeRule.objects.get(item="ガラステーブル").status == "reviewed"


def test_install__form_areas_idempotent(kameoka):
    out = io.StringIO()
    call_command("bulky_fees", "--install", stdout=out)
    # --install parses once (452 created), then the command re-parses: same counts, nothing new
    assert out.getvalue().strip() == "flat=163 size=287 needs_review=2 reviewed=0 created=0"
    assert FeeRule.objects.count() == 452
    form = services.install("kameoka")
    assert services.install("kameoka") == form
    assert (form.kind, form.department, form.versions.count()) == ("bulky", "環境局 収集課", 1)
    assert CollectionArea.objects.count() == 25
    assert list(CollectionArea.objects.values_list("weekdays", flat=True)[:6]) == ["月", "火", "水", "木", "金", "月"]


@pytest.mark.parametrize("text, reason", [
    ("大きさに応じた金額分の粗大ごみ料金シールが必要です", "読み取れない記載"),
    ("申し込んでください。", "料金シールの記載が見つかりません"),
    ("長辺1m未満なら600円、2m以上なら1,200円分の粗大ごみ料金シールが必要", "抜けか重なり"),
    ("重さ10kg未満なら600円、10kg以上なら900円分の粗大ごみ料金シールが必要", "読み取れない記載"),
])
def test_parse__unreadable_needs_review(text, reason):
    p = fees.parse(text)
    assert p.status == "needs_review" and reason in p.reason


def test_parse__flat_fullwidth_and_size_units():
    assert fees.parse("１，６００円分の粗大ごみ料金シールが必要").yen == 1600
    tv = fees.parse("24型未満なら800円、24型以上なら1,200円分の粗大ごみ料金シールが必要")
    assert tv.status == "parsed" and [(t["max"], t["unit"], t["yen"]) for t in tv.tiers] == [(24, "型", 800), (None, "型", 1200)]
