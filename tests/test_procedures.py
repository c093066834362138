"""Procedure guide (issue #14 points 1 and 7; #15 seam): seed, search, pages, life-event guide, staff edit,
answer_for_question, KPI metrics."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from madoguchi.plans.metrics import metric_value
from madoguchi.procedures import services
from madoguchi.procedures.models import Procedure

SURVEY_ROWS = 13046  # survey rows whose 手続の受け手 includes 地方等 (10,273 + 2,251 + 392 + 130)
CITY_ROWS = sum(1 for o in services.OFFERED.values() if not o.survey)


@pytest.fixture
def seeded(db):
    """The seed installed (the data migration installs it too; install_seed is idempotent)."""
    services.install_seed()
    return Procedure.objects


@pytest.fixture
def staff_client(db):
    from django.test import Client

    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    staff = Client()
    staff.force_login(user)
    return staff


def test_seed_counts_and_idempotence(db):
    Procedure.objects.all().delete()
    started = time.monotonic()
    created = services.install_seed()
    elapsed = time.monotonic() - started
    assert created == SURVEY_ROWS + CITY_ROWS
    assert Procedure.objects.exclude(survey_id=None).count() == SURVEY_ROWS
    assert Procedure.objects.filter(survey_id=None).count() == CITY_ROWS == 5
    assert elapsed < 10
    assert services.install_seed() == 0
    assert Procedure.objects.count() == SURVEY_ROWS + CITY_ROWS
    # every OFFERED entry was found in the survey (a renamed survey row would silently drop out)
    assert Procedure.objects.filter(offered=True).count() == len(services.OFFERED)


def test_seed_fields(seeded):
    p = Procedure.objects.get(survey_id="9062")
    assert p.name == "新たに市町村の区域内に住所を定めた者の転入届出"
    assert p.law == "住民基本台帳法 第22条第1項"
    assert p.receiver == "地方等" and p.online_status == "未実施"
    assert p.offered and p.department == "区役所 区民課" and "転出証明書" in p.bring
    assert p.life_events == ["引越し"] and p.annual_count == 4473575
    assert p.fee == "手数料なし"
    bulky = Procedure.objects.get(name="粗大ごみ収集の申込")
    assert bulky.survey_id is None and bulky.online_here and bulky.online_url == "/procedures/bulky-waste/"
    assert bulky.department == "環境局 収集課"


def test_install_seed_keeps_staff_changes(seeded):
    p = Procedure.objects.get(survey_id="9062")
    services.update_procedure(p, offered=False, department="市民課")
    services.install_seed()
    p.refresh_from_db()
    assert (p.offered, p.department) == (False, "市民課")


def test_search_ranks_tennyu_first_and_folds_width_and_kana(seeded):
    first = services.search("転入", offered_only=True)[0]
    assert first.survey_id == "9062"
    assert services.search("転入")[0].survey_id == "9062"  # offered first among all 13k
    assert services.search("ﾃﾝﾆｭｳ") == services.search("てんにゅう") == []  # kana words are not in names…
    # …but katakana/hiragana and half/full width fold: ソダイゴミ is not in data; 粗大ごみ vs 粗大ゴミ is
    assert services.search("粗大ゴミ", offered_only=True)[0].name == "粗大ごみ収集の申込"
    assert services.search("ｺﾞﾐ", offered_only=True)[0].name == "粗大ごみ収集の申込"
    assert services.search("児童手当　認定", offered_only=True)[0].name == "児童手当の認定の請求"  # U+3000 splits
    assert [p.pk for p in services.search("住民基本台帳法", offered_only=True)][:1]
    assert services.search("存在しない手続きのことば") == []


def test_search_life_event_filter(seeded):
    rows = services.search(life_event="引越し", offered_only=True, limit=100)
    names = {p.name for p in rows}
    assert "新たに市町村の区域内に住所を定めた者の転入届出" in names and "戸籍の届出（婚姻）" not in names
    assert all("引越し" in p.life_events for p in rows)
    assert services.search(life_event="存在しない") == []


def test_get_unknown(seeded):
    with pytest.raises(services.ProcedureError) as e:
        services.get(10**12)
    assert e.value.code == "not_found" and e.value.status == 404


def test_index_page(client, seeded):
    r = client.get("/procedures/", {"q": "転入"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "新たに市町村の区域内に住所を定めた者の転入届出" in html
    assert "/procedures/life-events/" in html
    # offered only by default; all=1 adds survey procedures the city does not offer
    assert "転入地市町村長から転出地市町村長への通知" not in html
    html_all = client.get("/procedures/", {"q": "転入", "all": "1"}).content.decode()
    assert "転入地市町村長から転出地市町村長への通知" in html_all
    assert client.post("/procedures/").status_code == 405


def test_detail_page_online_link_first(client, seeded):
    bulky = Procedure.objects.get(name="粗大ごみ収集の申込")
    html = client.get(f"/procedures/{bulky.pk}/").content.decode()
    assert html.index('href="/procedures/bulky-waste/"') < html.index("環境局 収集課")
    p = Procedure.objects.get(survey_id="9062")
    html = client.get(f"/procedures/{p.pk}/").content.decode()
    for text in ("住民基本台帳法 第22条第1項", "区役所 区民課", "転出証明書", "オンラインで申請する"):
        assert (text in html) == (text != "オンラインで申請する")
    assert client.get("/procedures/999999999/").status_code == 404


def test_life_event_guide_tennyu_with_school_child(seeded):
    result = services.life_event_guide("引越し", {"move": "in", "household": "family", "children": ["6-11"]})
    keys = [i.key for i in result.items]
    names = [i.procedure.name for i in result.items]
    assert "転入届" in keys and "児童手当" in keys and "就学（転校）" in keys and "就学校の指定変更" in keys
    assert "転出届" not in keys and "転居届" not in keys
    online = [i.procedure.online_here for i in result.items]
    assert online == sorted(online, reverse=True) and online[0]  # online ones (粗大ごみ) first
    assert names[0] == "粗大ごみ収集の申込"
    assert [s["title"] for s in result.schemes] == ["児童手当", "就学援助制度"]
    assert result.answers == {"household": "family", "children": ["6-11"], "move": "in"}


def test_life_event_guide_rules_by_answers(seeded):
    single = services.life_event_guide("引越し", {"move": "in", "household": "single", "children": []})
    assert not {i.key for i in single.items} & {"児童手当", "就学（転校）"}
    out = services.life_event_guide("引越し", {"move": "out", "children": ["0-2"]})
    assert {"転出届", "児童手当（消滅）"} <= {i.key for i in out.items} and "転入届" not in {i.key for i in out.items}
    birth = services.life_event_guide("出産", {})
    assert {"出生届", "児童手当", "妊娠の届出"} <= {i.key for i in birth.items}
    assert "出産育児一時金" in [s["title"] for s in birth.schemes]
    assert services.life_event_guide("介護", {}).items[0].key in ("要介護認定", "介護保険")
    with pytest.raises(services.ProcedureError):
        services.life_event_guide("宇宙旅行", {})
    assert services.clean_answers({"children": ["x", "15+"], "household": "??", "move": "in"}) == \
        {"household": None, "children": ["15+"], "move": "in"}


def test_life_event_pages(client, seeded):
    html = client.get("/procedures/life-events/").content.decode()
    for event in services.LIFE_EVENTS:
        assert f"/procedures/life-events/{quote(event)}/" in html
    form = client.get("/procedures/life-events/引越し/").content.decode()
    assert 'name="move"' in form and 'name="children"' in form and "必要な手続（" not in form
    r = client.get("/procedures/life-events/引越し/", {"answered": "1", "move": "in", "children": "6-11",
                                                    "household": "family"})
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index("粗大ごみ収集の申込") < html.index("新たに市町村の区域内に住所を定めた者の転入届出")
    assert "児童手当の認定の請求" in html and "小・中学校の転入学（転校）の手続" in html and "就学援助制度" in html
    assert 'value="6-11" checked' in html
    assert client.get("/procedures/life-events/宇宙旅行/").status_code == 404


def test_print_page(client, seeded):
    r = client.get("/procedures/life-events/引越し/", {"answered": "1", "move": "in", "children": "6-11", "print": "1"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "<nav" not in html and 'class="site"' not in html and "<form" not in html
    assert "新たに市町村の区域内に住所を定めた者の転入届出" in html and "区役所 区民課" in html and "転出証明書" in html
    assert "print=1" not in html.split("元の画面に戻る")[0].rsplit("href=", 1)[-1]  # back link drops print=1
    css = client.get("/static/procedures/procedures.css")
    assert css.status_code in (200, 404)  # served by whitenoise in production; the rules are what matter here
    from pathlib import Path

    import madoguchi
    text = (Path(madoguchi.__file__).parent / "static/procedures/procedures.css").read_text()
    assert "@media print" in text and "header.site" in text


def test_staff_edit_needs_staff_and_csrf(client, staff_client, seeded, django_user_model):
    p = Procedure.objects.get(survey_id="13183")  # 婚姻届
    assert client.get("/staff/procedures/").status_code == 302  # to the log-in page
    citizen = django_user_model.objects.create_user("citizen", password="pw")
    client.force_login(citizen)
    assert client.post(f"/staff/procedures/{p.pk}/", {"offered": "on"}).status_code == 302
    r = staff_client.get("/staff/procedures/", {"q": "婚姻"})
    assert r.status_code == 200 and "戸籍の届出（婚姻）" in r.content.decode()
    data = {"offered": "on", "online_here": "on", "online_url": "/procedures/apply/konin/", "department": "区民課",
            "how_to_apply": "窓口へ", "bring": "婚姻届", "fee": "なし"}
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(django_user_model.objects.get(username="staff"))
    assert csrf_client.post(f"/staff/procedures/{p.pk}/", data).status_code == 403
    r = staff_client.post(f"/staff/procedures/{p.pk}/", data)
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.online_here, p.online_url, p.department) == (True, "/procedures/apply/konin/", "区民課")
    bad = staff_client.post(f"/staff/procedures/{p.pk}/", {**data, "online_url": "javascript:alert(1)"})
    assert bad.status_code == 200 and "オンライン申請の URL" in bad.content.decode()
    p.refresh_from_db()
    assert p.online_url == "/procedures/apply/konin/"


def test_update_procedure_rules(seeded):
    p = Procedure.objects.get(survey_id="13183")
    with pytest.raises(services.ProcedureError) as e:
        services.update_procedure(p, online_here=True, online_url="")
    assert e.value.param == "online_url"
    with pytest.raises(services.ProcedureError) as e:
        services.update_procedure(p, name="x")
    assert e.value.param == "name"
    services.update_procedure(p, online_url="https://example.jp/form", online_here=True)
    assert Procedure.objects.get(pk=p.pk).online_here


@pytest.mark.parametrize("question, key", [
    ("転入届はどこで出せますか", "転入届"),
    ("引っ越してきたのですが、何をすればいいですか", "転入届"),
    ("市内で引っ越したときの住所変更の方法", "転居届"),
    ("市外へ引っ越します", "転出届"),
    ("児童手当の申請をしたい", "児童手当"),
    ("粗大ゴミを出したい", "粗大ごみ"),
    ("婚姻届の証人は何人必要？", "婚姻届"),
])
def test_answer_for_question(seeded, question, key):
    p = services.answer_for_question(question)
    assert p is not None and p == services.by_key(key)


@pytest.mark.parametrize("question", ["図書館の開館時間は？", "今日の天気", "", "ごみの分別方法を教えて", "市長の名前"])
def test_answer_for_question_none(seeded, question):
    assert services.answer_for_question(question) is None


def test_answer_for_question_only_offered(seeded):
    services.update_procedure(services.by_key("婚姻届"), offered=False)
    assert services.answer_for_question("婚姻届を出したい") is None


def test_metrics(seeded):
    today = dt.date(2026, 12, 5)
    online, offered = services.offered_online_counts()
    assert (online, offered) == (1, len(services.OFFERED))  # only 粗大ごみ is online at install
    assert metric_value("procedures.offered_online", 2026, today=today) == Decimal(1)
    share = metric_value("procedures.offered_online_share", 2026, today=today)
    assert share == (Decimal(100) / offered).quantize(Decimal("0.1"))
    assert metric_value("procedures.offered_online", 2025, today=today) is None
    services.update_procedure(services.by_key("転入届"), online_here=True, online_url="/procedures/apply/tennyu/")
    assert metric_value("procedures.offered_online", 2026, today=today) == Decimal(2)
    Procedure.objects.update(offered=False)
    assert metric_value("procedures.offered_online_share", 2026, today=today) is None


def test_english_pages(client, seeded):
    html = client.get("/en/procedures/", {"q": "転入"}).content.decode()
    assert "Procedure guide" in html and "Find by life event" in html
    assert "新たに市町村の区域内に住所を定めた者の転入届出" in html  # names stay Japanese (data)
    html = client.get("/en/procedures/life-events/引越し/", {"answered": "1", "move": "in"}).content.decode()
    assert "Procedures for Moving" in html and "Into the city from elsewhere" in html


def test_life_event_guide_table_decides_and_staff_offered_join(seeded):
    marriage = {i.key for i in services.life_event_guide("結婚", {}).items}
    assert "婚姻届" in marriage and "離婚届" not in marriage
    any_move = {i.key for i in services.life_event_guide("引越し", {}).items}
    assert {"転入届", "転出届", "転居届"} <= any_move  # no answer to 転入/転出: every kind of move
    pension = Procedure.objects.get(survey_id="52006")  # 国民年金被保険者住所変更届, survey event 引越し
    assert pension not in [i.procedure for i in services.life_event_guide("引越し", {"move": "in"}).items]
    services.update_procedure(pension, offered=True, department="区役所 保険年金課")
    items = services.life_event_guide("引越し", {"move": "in"}).items
    assert pension in [i.procedure for i in items] and items[-1].key == ""
