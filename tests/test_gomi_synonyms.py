"""Garbage search by everyday synonyms, by item names inside longer phrases, one answer
per item, and synonyms staff add from the failed-searches page (issue #13 part 7).

Expected names and categories are read from the bundled CSV files (or written in the
small dictionaries the tests ingest), never from the service.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from madoguchi.bundle.loader import FILES, load_bundle
from madoguchi.gomi import services as gomi
from madoguchi.gomi.models import GarbageSource, MissedQuery, Synonym

KAWASAKI, HACHIOJI = "kawasaki-garbage-sorting", "hachioji-garbage-sorting"
TARGETS = {"kawasaki": FILES / "kawasaki-5374/ja_target.csv", "hachioji": FILES / "hachioji-5374/target.csv"}
SEED = Path(gomi.__file__).resolve().parent / "data" / "synonyms.csv"


def published(city: str) -> dict[str, list[str]]:
    """name → categories, as the city published them."""
    out: dict[str, list[str]] = {}
    with open(TARGETS[city], encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["name"].strip(), []).append(row["type"].strip())
    return out


@pytest.fixture(autouse=True)
def builtin_synonyms(db):
    """Installed by migration 0004; a transactional test that ran before in this process emptied the table."""
    gomi.install_builtin_synonyms()


@pytest.fixture
def garbage(db):
    load_bundle(only={KAWASAKI, HACHIOJI})
    return {s.slug: s for s in gomi.install_default_sources() if s.dataset_slug in {KAWASAKI, HACHIOJI}}


@pytest.fixture
def tiny(db, ingest, make_dataset):
    """A city's own small dictionary with a TV, a repeated row and a row repeated with other notes."""
    dataset = make_dataset("tiny-gomi", title="ごみ分別（小さな市）")
    ingest(("品目,分別区分,出し方\n"
            "テレビ,家電リサイクル,販売店に引き取りを依頼\n"
            "乾電池,有害ごみ,透明な袋に入れる\n"
            "墓石,収集不可,購入店に相談\n"
            "墓石,収集不可,購入店に相談\n"
            "つっぱり棒,粗大ごみ,50cm以上\n"
            "つっぱり棒,粗大ごみ,金属製\n"
            "つっぱり棒,燃やすごみ,50cm未満\n").encode(), "gomi.csv", dataset=dataset, resource="分別表")
    return GarbageSource.objects.create(slug="tiny", title="小さな市", dataset_slug="tiny-gomi",
                                        items_resource="分別表", item_column="品目", category_column="分別区分",
                                        notes_column="出し方")


def api(client, city: str, q: str) -> dict:
    r = client.get(f"/api/v1/garbage/{city}/search", {"q": q})
    assert r.status_code == 200, r.content
    return r.json()


def test_builtin_synonyms__the_data_file_is_in_the_table(db):
    with open(SEED, encoding="utf-8", newline="") as fh:
        rows = [(r["word"], r["target"]) for r in csv.DictReader(fh)]
    assert len(rows) >= 30 and ("PET", "ペットボトル") in rows and ("乾電池", "電池") in rows
    table = set(Synonym.objects.filter(builtin=True, source=None).values_list("word", "target"))
    assert table == set(rows)


SYNONYM_CASES = [  # city, query, synonym target, expected first item
    ("hachioji", "スマホ", "携帯電話", "携帯電話"),
    ("hachioji", "ケータイ", "携帯電話", "携帯電話"),
    ("hachioji", "PET", "ペットボトル", "ペットボトル"),
    ("kawasaki", "ＰＥＴ", "ペットボトル", "ペットボトル（飲料、酒、みりん類、しょうゆ、酢など）"),
    ("kawasaki", "レンジ", "電子レンジ", "電子レンジ（最長辺が30cm未満）"),
    ("kawasaki", "チャリ", "自転車", "自転車"),
]
PHRASE_CASES = [  # city, query, expected first item, the name found inside
    ("hachioji", "使い終わった乾電池", "乾電池", "乾電池"),
    ("hachioji", "壊れた傘の骨", "傘", "傘"),
    ("kawasaki", "壊れた傘の骨", "傘", "傘"),
    ("kawasaki", "古い電子レンジの処分", "電子レンジ（最長辺が30cm未満）", "電子レンジ"),
    ("hachioji", "古いスマホの処分", "携帯電話", "携帯電話"),  # a synonym inside a phrase
]


def test_synonym__an_everyday_word_finds_the_dictionary_item(client, garbage):
    for city, q, target, top in SYNONYM_CASES:
        body = api(client, city, q)
        assert body["found"] is True, (q, body)
        first = body["matches"][0]
        assert (first["name"], first["via"]) == (top, target), q
        assert first["category"] in published(city)[top], q
    assert MissedQuery.objects.count() == 0

    # 乾電池 → 電池 is a synonym, but the item called 乾電池 itself comes first
    body = api(client, "hachioji", "乾電池")
    assert body["matches"][0]["name"] == "乾電池" and body["matches"][0]["via"] == ""
    assert body["matches"][0]["score"] == 100
    assert "電池（乾電池）" in [m["name"] for m in body["matches"]]


def test_phrase__the_longest_known_item_inside_the_query_is_found(client, garbage):
    for city, q, top, via in PHRASE_CASES:
        body = api(client, city, q)
        assert body["found"] is True, (q, body)
        first = body["matches"][0]
        assert (first["name"], first["via"]) == (top, via), q
        assert first["category"] in published(city)[top], q
        assert 60 <= first["score"] < 100, q  # below any item named as typed
    assert MissedQuery.objects.count() == 0

    body = api(client, "kawasaki", "古いテレビの処分")  # TVs are not in Kawasaki's dictionary (家電リサイクル)
    assert body["found"] is False
    assert MissedQuery.objects.get().text == "古いテレビの処分"  # still a failed search for staff


def test_phrase__a_tv_in_a_phrase_where_the_dictionary_has_one(client, tiny):
    body = api(client, "tiny", "古いテレビの処分")
    assert [(m["name"], m["category"], m["via"]) for m in body["matches"]] == [
        ("テレビ", "家電リサイクル", "テレビ")]
    body = api(client, "tiny", "古いTVの処分")  # the built-in synonym TV → テレビ, inside a phrase
    assert [(m["name"], m["via"]) for m in body["matches"]] == [("テレビ", "テレビ")]


def test_dedupe__an_item_appears_once_per_answer(client, garbage, tiny):
    body = api(client, "tiny", "墓石")
    assert [(m["name"], m["category"], m["notes"]) for m in body["matches"]] == [("墓石", "収集不可", "購入店に相談")]
    body = api(client, "tiny", "つっぱり棒")
    assert [(m["name"], m["category"], m["notes"]) for m in body["matches"]] == [
        ("つっぱり棒", "粗大ごみ", "50cm以上／金属製"), ("つっぱり棒", "燃やすごみ", "50cm未満")]

    # Kawasaki publishes つっぱり棒、つっぱり棚 four times, twice as 粗大ごみ with other notes
    expected = published("kawasaki")["つっぱり棒、つっぱり棚"]
    assert sorted(expected) == ["小物金属", "普通ごみ", "粗大ごみ", "粗大ごみ"]
    body = api(client, "kawasaki", "つっぱり棒")
    pairs = [(m["name"], m["category"]) for m in body["matches"]]
    assert len(pairs) == len(set(pairs))
    assert sorted(c for n, c in pairs if n == "つっぱり棒、つっぱり棚") == sorted(set(expected))
    sodai = next(m for m in body["matches"] if m["category"] == "粗大ごみ")
    assert sodai["notes"] == "最長辺が50cm未満なら普通ごみ／最長辺が30cm未満なら小物金属"


def test_staff__add_a_synonym_from_the_failed_searches_page_then_edit_and_delete_it(
        client, garbage, django_user_model, admin_user):
    hachioji = garbage["hachioji"]
    assert api(client, "hachioji", "ドローン")["found"] is False
    miss = MissedQuery.objects.get()
    assert (miss.source, miss.text, miss.count) == (hachioji, "ドローン", 1)

    form = {"city": "hachioji", "word": "ドローン", "target": "おもちゃ", "back_city": "hachioji"}
    assert client.post("/garbage/staff/synonyms/add/", form).status_code == 302  # staff only
    assert not Synonym.objects.filter(word="ドローン").exists()
    client.force_login(django_user_model.objects.create_user("shokuin", password="pw", is_staff=True))
    page = client.get("/garbage/staff/not-found/", {"city": "hachioji"}).content.decode()
    assert 'name="target"' in page and "「ドローン」の辞典での品目名" in page

    r = client.post("/garbage/staff/synonyms/add/", form, follow=True)
    assert r.redirect_chain[-1][0] == "/garbage/staff/not-found/?city=hachioji"
    assert "「ドローン」を「おもちゃ」の言い換えとして登録しました（八王子市）" in r.content.decode()
    synonym = Synonym.objects.get(word="ドローン")
    assert (synonym.source, synonym.target, synonym.builtin) == (hachioji, "おもちゃ", False)

    body = api(client, "hachioji", "ドローン")
    assert body["found"] is True and body["matches"][0]["via"] == "おもちゃ"
    toys = [n for n in published("hachioji") if n.startswith("おもちゃ")]
    assert {m["name"] for m in body["matches"]} >= set(toys) and len(toys) == 2
    assert api(client, "kawasaki", "ドローン")["found"] is False  # this city only
    assert MissedQuery.objects.get(source=hachioji).count == 1  # found now: not counted again

    # staff with the change permission edit the target in Django admin: the next search follows
    client.force_login(admin_user)
    change = f"/admin/gomi/synonym/{synonym.pk}/change/"
    r = client.post(change, {"source": hachioji.pk, "word": "ドローン", "target": "玩具"})
    assert r.status_code == 302, r.content.decode()[:2000]
    body = api(client, "hachioji", "ドローン")
    assert body["matches"][0]["via"] == "玩具" and body["matches"][0]["name"].startswith("玩具")

    client.post(f"/admin/gomi/synonym/{synonym.pk}/delete/", {"post": "yes"})
    assert api(client, "hachioji", "ドローン")["found"] is False
    assert MissedQuery.objects.get(source=hachioji).count == 2


def test_staff__a_bad_synonym_is_refused_and_nothing_is_written(client, db, admin_user):
    gomi.install_default_sources()  # a transactional test before may have emptied what the migrations installed
    client.force_login(admin_user)
    before = Synonym.objects.count()
    for form, message in [
        ({"city": "hachioji", "word": "ドローン", "target": ""}, "言い換えと品目名を入力してください"),
        ({"city": "hachioji", "word": "ﾄﾞﾛｰﾝ", "target": "ドローン"}, "言い換えと品目名が同じです"),
        ({"city": "hachioji", "word": "ドローン", "target": "あ" * 101}, "100 文字以内"),
        ({"city": "no-such-city", "word": "ドローン", "target": "おもちゃ"}, "市町村「no-such-city」はありません"),
    ]:
        r = client.post("/garbage/staff/synonyms/add/", form, follow=True)
        assert r.status_code == 200 and message in r.content.decode(), form
    assert Synonym.objects.count() == before


def test_staff__a_synonym_for_every_city(garbage):
    synonym = gomi.add_synonym(None, "ドローン", "おもちゃ")
    assert synonym.source is None and gomi.add_synonym(None, "ドローン", "おもちゃ") == synonym  # idempotent
    for source in garbage.values():
        result = gomi.search(source, "ドローン", log=False)
        assert result.found and result.matches[0].via == "おもちゃ"
        assert synonym in gomi.synonyms(source)
