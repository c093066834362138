"""Plain Japanese (やさしい日本語): ``easy.services.ruby`` and the /easy/ pages (issue #18, part 2)."""

from __future__ import annotations

import re
import time

import pytest

from madoguchi.bundle.loader import load_bundle
from madoguchi.easy import services as easy
from madoguchi.easy.models import EasyText, RubyOverride
from madoguchi.emergency import services as emergency
from madoguchi.gomi import services as gomi
from madoguchi.shelters import services as shelters
from madoguchi.shelters.models import ShelterSource

NO_OVERRIDES: dict[str, str] = {}
RUBY = re.compile(r"<ruby>(.*?)<rt>(.*?)</rt></ruby>")


def pairs(html: str) -> list[tuple[str, str]]:
    """(漢字, よみ) of every ruby in *html*, in order."""
    return RUBY.findall(str(html))


# --- ruby() -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("川崎市", [("川崎", "かわさき"), ("市", "し")]),
    ("中原区", [("中原", "なかはら"), ("区", "く")]),
    ("川崎市中原区", [("川崎", "かわさき"), ("市", "し"), ("中原", "なかはら"), ("区", "く")]),
    ("幸区", [("幸", "さいわい"), ("区", "く")]),
    ("麻生区", [("麻生", "あさお"), ("区", "く")]),
    ("八王子市", [("八王子", "はちおうじ"), ("市", "し")]),
    ("避難", [("避難", "ひなん")]),
    ("避難場所", [("避難", "ひなん"), ("場所", "ばしょ")]),
    ("地震", [("地震", "じしん")]),
    ("大雨警報", [("大雨", "おおあめ"), ("警報", "けいほう")]),
    ("郵便番号", [("郵便", "ゆうびん"), ("番号", "ばんごう")]),
    ("住所", [("住所", "じゅうしょ")]),
    ("水曜日", [("水曜", "すいよう"), ("日", "び")]),
    ("粗大ごみ", [("粗大", "そだい")]),
    ("気象庁", [("気象", "きしょう"), ("庁", "ちょう")]),
    ("燃やす", [("燃", "も")]),  # okurigana stay outside the ruby
    ("お知らせ", [("知", "し")]),
    ("起きたら", [("起", "お")]),
    ("家族", [("家族", "かぞく")]),
    ("安全", [("安全", "あんぜん")]),
    ("電池", [("電池", "でんち")]),
    ("避難所", [("避難所", "ひなんじょ")]),  # built-in override: SudachiPy reads 所 as しょ
    ("収集日", [("収集日", "しゅうしゅうび")]),  # built-in override: SudachiPy reads 日 as ひ
])
@pytest.mark.django_db
def test_ruby__readings_of_known_words(text, expected):
    assert pairs(easy.ruby(text)) == expected


def test_ruby__exact_markup_and_okurigana_outside():
    assert str(easy.ruby("ごみを出します", NO_OVERRIDES)) == "ごみを<ruby>出<rt>だ</rt></ruby>します"


def test_ruby__numbers_and_ascii_untouched_counters_read_for_dates():
    html = str(easy.ruby("3月12日に出す", NO_OVERRIDES))
    assert html == "3<ruby>月<rt>がつ</rt></ruby>12<ruby>日<rt>にち</rt></ruby>に<ruby>出<rt>だ</rt></ruby>す"
    # days read specially: the ruby covers the number and 日
    assert pairs(easy.ruby("1日と20日と３日", NO_OVERRIDES)) == [("1日", "ついたち"), ("20日", "はつか"),
                                                           ("３日", "みっか")]
    assert pairs(easy.ruby("8時まで", NO_OVERRIDES)) == [("時", "じ")]
    assert str(easy.ruby("ABC 123 ペットボトル", NO_OVERRIDES)) == "ABC 123 ペットボトル"


def test_ruby__escapes_everything_else():
    html = str(easy.ruby('<script>alert("x")</script>東京&', NO_OVERRIDES))
    assert "<script>" not in html
    assert html == '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<ruby>東京<rt>とうきょう</rt></ruby>&amp;'
    assert easy.ruby(None) == ""


@pytest.mark.django_db
def test_ruby__staff_override_wins_over_sudachi_and_builtins():
    assert pairs(easy.ruby("中原区")) == [("中原", "なかはら"), ("区", "く")]
    easy.set_override("中原区", "ナカハラク")  # katakana becomes hiragana
    assert RubyOverride.objects.get().reading == "なかはらく"
    assert pairs(easy.ruby("川崎市中原区です")) == [("川崎", "かわさき"), ("市", "し"), ("中原区", "なかはらく")]
    easy.set_override("避難所", "ひなんしょ")  # staff win over the built-in table too
    assert pairs(easy.ruby("避難所")) == [("避難所", "ひなんしょ")]
    assert easy.delete_override("避難所") is True
    assert pairs(easy.ruby("避難所")) == [("避難所", "ひなんじょ")]
    with pytest.raises(easy.OverrideError) as err:
        easy.set_override("ごみ", "ごみ")
    assert err.value.field == "surface"
    with pytest.raises(easy.OverrideError) as err:
        easy.set_override("川崎", "kawasaki")
    assert err.value.field == "reading"


def test_ruby__1000_characters_under_50_ms():
    easy.ruby("準備", NO_OVERRIDES)  # the thread's tokenizer is made once
    base = "地震が起きたら、机の下に入って頭を守ってください。川崎市中原区の避難所は学校です。3月12日に水と食べ物を用意します。"
    text = (base * 40)[:1000] + "。"
    assert len(text) == 1001
    start = time.perf_counter()
    html = easy.ruby(text, {"中原区": "なかはらく"})
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, elapsed
    assert ("中原区", "なかはらく") in pairs(html)


def test_ruby__a_very_long_line_is_cut_for_sudachi():
    html = str(easy.ruby("川" * 20_000, NO_OVERRIDES))
    assert html.count("川") == 20_000 and html.count("<ruby>") > 1_000


def test_render_text__paragraphs_headings_and_escaping():
    html = str(easy.render_text("## 避難とは\n一つ目。\n二つ目。\n\n<b>次</b>", NO_OVERRIDES))
    assert html.startswith("<h2><ruby>避難<rt>ひなん</rt></ruby>とは</h2>")
    assert "<p>" in html and "<br>" in html
    assert "&lt;b&gt;<ruby>次<rt>つぎ</rt></ruby>&lt;/b&gt;" in html


# --- pages ------------------------------------------------------------------------------------------

@pytest.fixture
def garbage(db):
    load_bundle(only={"kawasaki-garbage-sorting"})
    return gomi.install_default_sources()


@pytest.fixture
def shelter_sites(db):
    load_bundle(only={"gsi-shelters-kawasaki"})
    sources = shelters.install_default_sources()
    ShelterSource.objects.exclude(city="川崎市").update(enabled=False)  # only Kawasaki's data is loaded
    return sources


def test_garbage_page__answers_with_ruby(client, garbage):
    r = client.get("/easy/garbage/", {"city": "kawasaki", "q": "乾電池"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1><ruby>出<rt>だ</rt></ruby>し<ruby>方<rt>かた</rt></ruby>" not in html  # h1 starts with ごみの
    assert "<h1>ごみの <ruby>出<rt>だ</rt></ruby>し<ruby>方<rt>かた</rt></ruby></h1>" in html
    assert "<ruby>乾<rt>かん</rt></ruby><ruby>電池<rt>でんち</rt></ruby>" in html
    assert "<ruby>調<rt>しら</rt></ruby>べる" in html
    result = gomi.search(garbage[0], "乾電池", log=False)
    assert str(easy.ruby(result.matches[0].category)) in html  # the published category, with ruby
    assert r.context["result"].found


def test_garbage_page__area_schedule_and_bad_input(client, garbage):
    area = gomi.areas(garbage[0])[0].label
    r = client.get("/easy/garbage/", {"city": "kawasaki", "area": area})
    assert r.status_code == 200
    html = r.content.decode()
    found = pairs(html)
    assert ("毎週", "まいしゅう") in found and ("日", "び") in found  # 毎週月曜日 from the published table
    assert ("普通", "ふつう") in found  # 普通ごみ
    assert ("日", "ひ") in found  # 「ごみの 日」
    assert client.get("/easy/garbage/", {"city": "nowhere"}).status_code == 404


def test_shelters_page__nearest_with_plain_explanations(client, shelter_sites):
    r = client.get("/easy/shelters/", {"postal_code": "2100005"})  # 川崎区東田町: measured from the ward
    assert r.status_code == 200
    html = r.content.decode()
    assert "<ruby>避難所<rt>ひなんじょ</rt></ruby>" in html
    assert "<ruby>避難<rt>ひなん</rt></ruby><ruby>場所<rt>ばしょ</rt></ruby>" in html
    assert "<ruby>郵便<rt>ゆうびん</rt></ruby><ruby>番号<rt>ばんごう</rt></ruby>" in html
    assert r.context["result"].origin.precision == "city"
    assert "正しい" in html.replace("<ruby>正<rt>ただ</rt></ruby>", "正")
    sites = r.context["sites"]
    assert len(sites) == 5 and sites[0]["distance_m"] <= sites[-1]["distance_m"]
    assert str(easy.ruby(sites[0]["name"])) in html
    bad = client.get("/easy/shelters/", {"postal_code": "12"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    point = client.get("/easy/shelters/", {"lat": "35.5309", "lon": "139.7030"})
    assert point.context["result"].origin.precision == "point"


def test_emergency_page__prepare_when_off_and_what_to_do_when_on(client, db, django_user_model):
    off = client.get("/easy/emergency/").content.decode()
    assert "<ruby>緊急<rt>きんきゅう</rt></ruby>モード" in off
    assert "<ruby>用意<rt>ようい</rt></ruby>" in off
    emergency.set_mode(True, reason="訓練", title="大雨の警戒", message="川の近くから離れてください。")
    on = client.get("/easy/emergency/").content.decode()
    assert "<ruby>大雨<rt>おおあめ</rt></ruby>の<ruby>警戒<rt>けいかい</rt></ruby>" in on
    assert "<ruby>川<rt>かわ</rt></ruby>の<ruby>近<rt>ちか</rt></ruby>く" in on
    assert "<ruby>災害<rt>さいがい</rt></ruby>" in on
    assert "<ruby>用意<rt>ようい</rt></ruby>" not in on


def test_reservations_page__how_to_book_and_cancel_with_ruby_and_links(client, db):
    from madoguchi.reservations.services import CANCEL_DEADLINE_HOURS

    html = client.get("/easy/reservations/").content.decode()
    assert '<div class="easy" lang="ja">' in html
    assert "<h1><ruby>施設<rt>しせつ</rt></ruby>の <ruby>予約<rt>よやく</rt></ruby></h1>" in html
    assert "<ruby>利用<rt>りよう</rt></ruby><ruby>者<rt>しゃ</rt></ruby><ruby>登録<rt>とうろく</rt></ruby>" in html
    assert "<ruby>抽選<rt>ちゅうせん</rt></ruby>" in html
    assert "<ruby>取<rt>と</rt></ruby>り<ruby>消<rt>け</rt></ruby>せます" in html
    assert f"{CANCEL_DEADLINE_HOURS}<ruby>時間<rt>じかん</rt></ruby>" in html
    links = re.findall(r'<a href="([^"]+)"', html.split('<div class="easy" lang="ja">', 1)[1])
    for path in ("/reservations/", "/reservations/register/", "/reservations/lottery/", "/reservations/mine/",
                 "/easy/garbage/"):
        assert path in links, path
    # the ordinary page links to the plain one; the staff list offers its text for editing
    assert 'href="/easy/reservations/" lang="ja"' in client.get("/reservations/").content.decode()
    assert "/en/" not in links and 'href="/easy/reservations/"' not in client.get("/en/reservations/").content.decode()
    assert "reservations" in [p.slug for p, _saved in easy.pages()]


# --- staff ------------------------------------------------------------------------------------------

@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("yasashii", password="pw-123456-x", is_staff=True))
    return client


def test_staff_pages_need_staff(client, db):
    for url in ("/easy/staff/", "/easy/staff/pages/garbage/"):
        r = client.get(url)
        assert r.status_code == 302 and "login" in r["Location"], url
    assert client.post("/easy/staff/overrides/", {"surface": "川崎区", "reading": "かわさきく"}).status_code == 302
    assert not RubyOverride.objects.exists()


def test_staff_edit__preview_save_and_reset(staff_client):
    r = staff_client.get("/easy/staff/")
    assert r.status_code == 200 and "/easy/staff/pages/shelters/" in r.content.decode()
    url = "/easy/staff/pages/garbage/"
    preview = staff_client.post(url, {"body": "## ごみの日\n月曜日に出します。", "preview": "1"})
    assert preview.status_code == 200
    assert "<h2>ごみの<ruby>日<rt>ひ</rt></ruby></h2>" in preview.content.decode()
    assert not EasyText.objects.exists()  # a preview saves nothing
    saved = staff_client.post(url, {"body": "火曜日に出します。", "save": "1"})
    assert saved.status_code == 302
    assert EasyText.objects.get(slug="garbage").body == "火曜日に出します。"
    page = staff_client.get("/easy/garbage/").content.decode()
    assert "<p><ruby>火曜<rt>かよう</rt></ruby><ruby>日<rt>び</rt></ruby>に" in page
    staff_client.post(url, {"body": "", "save": "1"})
    assert not EasyText.objects.exists()
    assert staff_client.get("/easy/staff/pages/nothing/").status_code == 404


def test_staff_override_table__add_use_and_delete(staff_client):
    r = staff_client.post("/easy/staff/overrides/", {"surface": "東田町", "reading": "ひがしだちょう"})
    assert r.status_code == 302
    assert pairs(easy.ruby("東田町")) == [("東田町", "ひがしだちょう")]
    listing = staff_client.get("/easy/staff/").content.decode()
    assert "東田町" in listing and "ひがしだちょう" in listing
    bad = staff_client.post("/easy/staff/overrides/", {"surface": "東田町", "reading": "abc"}, follow=True)
    assert "ひらがな" in bad.content.decode()
    assert RubyOverride.objects.get().reading == "ひがしだちょう"
    staff_client.post("/easy/staff/overrides/", {"surface": "東田町", "delete": "1"})
    assert not RubyOverride.objects.exists()


def test_staff_forms_need_csrf(django_user_model, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("csrf", password="pw-123456-x", is_staff=True))
    assert client.post("/easy/staff/overrides/", {"surface": "東田町", "reading": "ひがしだちょう"}).status_code == 403
    assert client.post("/easy/staff/pages/garbage/", {"body": "x", "save": "1"}).status_code == 403


def test_procedures_page__finding_applying_status_correction_and_bulky_waste_with_ruby_and_links(client, db):
    from django.conf import settings

    html = client.get("/easy/procedures/").content.decode()
    assert '<div class="easy" lang="ja">' in html
    body = html.split('<div class="easy" lang="ja">', 1)[1]
    assert "<h1><ruby>手続<rt>てつづき</rt></ruby>と インターネットの <ruby>申請<rt>しんせい</rt></ruby></h1>" in body
    for word in ("<ruby>確認<rt>かくにん</rt></ruby>コード", "<ruby>一時<rt>いちじ</rt></ruby><ruby>保存<rt>ほぞん</rt></ruby>",
                 "<ruby>受付<rt>うけつけ</rt></ruby><ruby>番号<rt>ばんごう</rt></ruby>",
                 "<ruby>補正<rt>ほせい</rt></ruby>", "<ruby>取下<rt>とりさ</rt></ruby>げ",
                 "<ruby>粗大<rt>そだい</rt></ruby>ごみ", f"{settings.APPLICATIONS_DRAFT_TTL_DAYS}<ruby>日<rt>にち</rt></ruby>"):
        assert word in body, word
    links = re.findall(r'<a href="([^"]+)"', body)
    for path in ("/procedures/", "/procedures/life-events/", "/procedures/status/", "/procedures/bulky-waste/",
                 "/easy/garbage/", "/easy/reservations/"):
        assert path in links, path
    assert all(client.get(path).status_code == 200 for path in ("/procedures/status/", "/procedures/life-events/"))
    # the ordinary guide links to the plain page (not in English); staff can edit its text
    assert 'href="/easy/procedures/" lang="ja"' in client.get("/procedures/").content.decode()
    assert 'href="/easy/procedures/"' not in client.get("/en/procedures/").content.decode()
    assert "procedures" in [p.slug for p, _saved in easy.pages()]


def test_procedures_page__staff_text_replaces_the_built_in_one(client, db):
    easy.save_text("procedures", "## 窓口\n市役所の 1階に 来てください。")
    html = client.get("/easy/procedures/").content.decode()
    assert "<h2><ruby>窓口<rt>まどぐち</rt></ruby></h2>" in html and "<ruby>処理<rt>しょり</rt></ruby>" not in html
    assert "/procedures/bulky-waste/" in html  # the links to the real pages stay
