"""Emergency mode (issue #17 part 4): every JMA sample parsed into its type, areas and levels; a
大雨特別警報 for the city switches emergency mode on and queues a notice to the right areas only;
malformed and hostile XML stored as failed with the reason; rules, staff switch with audit log, feed."""

from __future__ import annotations

import http.server
import sys
import threading
import types
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from madoguchi.emergency import jma, services
from madoguchi.emergency.models import Alert, Dispatch, ModeChange, Rule

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "real" / "jma-xml"
LOCAL = REPO / "tests" / "files" / "jma"
HEAVY_RAIN = "15_14_01_170216_VPWW53.xml"  # 東京都: 大雨特別警報 in 新宿区 1310400 and 奥多摩町 1330800
LANDSLIDE_KANAGAWA = "17_04_01_250630_VXWW50.xml"  # 川崎市 1413000 なし; 小田原市 1420600 警戒
INTENSITY = "32-35_01_01_100806_VXSE51.xml"  # 神奈川県東部 360: 震度4; 静岡県中部 442: 震度6弱
TOKYO = {"1310400": ["新宿区"], "1311800": ["荒川区"], "1330800": ["奥多摩町"]}


def sample(name: str) -> bytes:
    for folder in (LOCAL, SHARED):
        if (folder / name).is_file():
            return (folder / name).read_bytes()
    pytest.skip(f"sample {name} not available")


@pytest.fixture(autouse=True)
def emergency_settings(settings):
    return settings


class Recorder:
    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return types.SimpleNamespace(pk=len(self.calls))


@pytest.fixture
def sent(monkeypatch):
    """Replace ``madoguchi.notices.services.send_notice`` (N2's app may not be there yet) with a recorder."""
    recorder = Recorder()
    try:
        import madoguchi.notices.services  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "madoguchi.notices.services", types.ModuleType("madoguchi.notices.services"))
    monkeypatch.setattr("madoguchi.notices.services.send_notice", recorder, raising=False)
    return recorder


# --- parsing every sample -------------------------------------------------------------------------

#: file → (category, Control/Status, Head/InfoType, [(area code, expected level)])
EXPECTED = {
    "15_08_04_160628_VPWW53.xml": ("weather_warning", "通常", "発表", [("290000", "大雨特別警報・洪水警報")]),
    HEAVY_RAIN: ("weather_warning", "通常", "発表", [("1310400", "大雨特別警報"), ("1311800", "大雨警報・洪水警報"),
                                                     ("1310100", "")]),
    "15_17_01_250630_VPWW55.xml": ("weather_warning", "通常", "発表", [("320000", "レベル３大雨警報")]),
    "16_01_01_220728_VXKOii.xml": ("flood", "通常", "発表", []),
    "17_01_01_190529_VXWW50.xml": ("landslide", "通常", "発表", [("4010000", "警戒")]),
    LANDSLIDE_KANAGAWA: ("landslide", "通常", "発表", [("1413000", ""), ("1420600", "警戒")]),
    "18_03_01_190412_VPOA50.xml": ("record_rain", "通常", "発表", [("016010", "記録的短時間大雨情報")]),
    "19_03_01_130906_VPHW50.xml": ("tornado", "通常", "発表", [("420000", "竜巻注意情報")]),
    "22_02_02_160628_VPFJ50.xml": ("weather_info", "通常", "発表", []),
    INTENSITY: ("intensity", "通常", "発表", [("442", "震度6弱"), ("360", "震度4")]),
    "32-35_04_04_240613_VXSE53.xml": ("earthquake", "通常", "発表", [("771", "震度4"), ("4620300", "震度4")]),
    "32-35_10_01_220510_VXSE51.xml": ("intensity", "通常", "取消", []),
    "32-39_11_02_250206_VTSE41.xml": ("tsunami", "通常", "発表", [("210", "大津波警報：発表"), ("220", "大津波警報：発表")]),
    "37_01_01_240613_VXSE43.xml": ("eew", "通常", "発表", [("622", "震度5弱・緊急地震速報（警報）")]),
    "45_01_01_200522_VFVO50.xml": ("volcano", "通常", "発表", [("306", "レベル３（入山規制）"), ("1042500", "火口周辺警報")]),
    "62_01_01_130412_VPNO50.xml": ("weather_warning", "通常", "発表", [("290000", "大雨特別警報")]),
    "68_02_01_241226_VPFD60.xml": ("possibility", "通常", "発表", []),
    "74_01_01_200512_VYSE50.xml": ("nankai", "通常", "発表", []),
    "91_01_01_241031_VXSUii.xml": ("flood", "通常", "発表", [("82018131", "レベル２氾濫注意報")]),
}


def test_the_expectations_cover_every_sample_in_the_folder():
    # the 19 official samples are copied into tests/files/jma (JMA terms, CC BY 4.0 compatible; PROVENANCE.md)
    assert sorted(p.name for p in LOCAL.glob("*.xml")) == sorted(EXPECTED)
    if SHARED.is_dir():
        assert sorted(p.name for p in SHARED.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_is_parsed_into_type_areas_and_levels(name):
    category, status, info_type, levels = EXPECTED[name]
    report = jma.parse(sample(name))
    assert report.category == category and report.known
    assert (report.status, report.info_type) == (status, info_type)
    assert report.title and report.control_title and report.report_datetime is not None
    assert report.report_datetime.utcoffset() is not None
    by_code = {}
    for entry in report.areas:
        by_code.setdefault(entry.code, entry)
    for code, level in levels:
        assert code in by_code, f"{name}: area {code} missing"
        assert by_code[code].level == level, f"{name}: {code} {by_code[code].level!r} != {level!r}"
    if category in ("weather_info", "nankai"):
        assert report.text  # plain-text messages keep their text
    if category == "nankai":
        assert report.level == "調査中"
    if info_type == "取消":
        assert report.areas == [] and "取り消" in report.headline
    if category == "flood" or category == "possibility":
        assert report.areas, name
    assert report.as_dict()["areas"] is not None


def test_intensity_order():
    assert jma.intensity_at_least("5+", "5-") and jma.intensity_at_least("7", "5-")
    assert not jma.intensity_at_least("4", "5-") and not jma.intensity_at_least("", "5-")


# --- bad input ------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Report xmlns="http://xml.kishou.go.jp/jmaxml1/">&lol3;</Report>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control><Title>&xxe;</Title></Control></Report>"""


@pytest.mark.parametrize("data, reason", [
    (BILLION_LAUGHS, "DTD"), (EXTERNAL, "DTD"),
    (b"<Report xmlns='http://xml.kishou.go.jp/jmaxml1/'><Control>", "XML として読めません"),
    (b"\xff\xfe not xml at all", "XML として読めません"),
    (b"", "XML として読めません"),
    (b"<html><body>404</body></html>", "気象庁防災情報XMLではありません"),
])
def test_malformed_and_hostile_xml_is_stored_as_failed_with_the_reason(db, sent, data, reason):
    Rule.objects.create(name="全部", kind_names="大雨特別警報", notify=Rule.Notify.IMMEDIATE)
    alert = services.import_xml(data, name="bad.xml")
    alert.refresh_from_db()
    assert alert.state == Alert.State.FAILED
    assert reason in alert.failure
    assert "root:" not in alert.raw.replace("file:///etc/passwd", "")  # no entity was expanded
    assert services.current_state() is None and sent.calls == []


def test_too_large_a_message_is_refused(db, settings):
    settings.EMERGENCY_JMA_MAX_BYTES = 1000
    alert = services.import_xml(sample(HEAVY_RAIN), name="big.xml")
    assert alert.state == Alert.State.FAILED and "バイトを超える" in alert.failure


def test_an_unknown_type_is_kept_and_shown_raw_escaped(db, client):
    data = ("<?xml version='1.0' encoding='UTF-8'?><Report xmlns='http://xml.kishou.go.jp/jmaxml1/'>"
            "<Control><Title>未来の新しい情報</Title><Status>通常</Status></Control>"
            "<Head xmlns='http://xml.kishou.go.jp/jmaxml1/informationBasis1/'><Title>新情報 &lt;script&gt;x</Title>"
            "<InfoType>発表</InfoType><Headline><Text>見出し</Text></Headline></Head>"
            "<Body xmlns='http://example.org/new'><Thing>&lt;b&gt;中身</Thing></Body></Report>").encode()
    alert = services.import_xml(data, name="new.xml")
    assert alert.state == Alert.State.PARSED and alert.category == "unknown"
    page = client.get(reverse("emergency:alert", args=[alert.pk])).content.decode()
    assert "その他（未対応の種類）" in page
    assert "&lt;Thing&gt;&amp;lt;b&amp;gt;中身&lt;/Thing&gt;" in page  # the raw XML, escaped
    assert "<script>" not in page


# --- rules, emergency mode, notices -----------------------------------------------------------------

def test_heavy_rain_special_warning_switches_on_emergency_mode_and_notifies_the_right_areas(db, settings, sent):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.IMMEDIATE)
    Rule.objects.create(name="震度5弱以上", min_intensity="5-", notify=Rule.Notify.IMMEDIATE)
    assert services.current_state() is None
    alert = services.import_xml(sample(HEAVY_RAIN), name=HEAVY_RAIN)
    assert {e["code"]: e["level"] for e in alert.city_areas} == {
        "1310400": "大雨特別警報", "1311800": "大雨警報・洪水警報", "1330800": "大雨特別警報・洪水警報"}
    state = services.current_state()
    assert state is not None and state.alert == alert and state.rule_name == "大雨特別警報"
    assert state.title == "東京都気象警報・注意報" and state.user is None
    assert len(sent.calls) == 1
    call = sent.calls[0]
    assert call["topic"] == "bousai"
    assert call["areas"] == ["新宿区", "奥多摩町"]  # 荒川区 has 大雨警報 only
    assert call["title"] == "【防災】東京都気象警報・注意報"
    assert "新宿区: 大雨特別警報" in call["body"] and "荒川区" not in call["body"]
    assert call["link"] == f"/emergency/alerts/{alert.pk}/" and call["source"] == f"emergency:alert:{alert.pk}"
    dispatch = Dispatch.objects.get()
    assert dispatch.state == Dispatch.State.SENT and dispatch.notice_ref == "1"
    # the same rule does not fire twice for one alert
    assert services.apply_rules(alert) == [] and len(sent.calls) == 1


def test_a_rule_waiting_for_staff_sends_only_after_confirmation(db, settings, sent, django_user_model):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    staff = django_user_model.objects.create_user("s", is_staff=True)
    Rule.objects.create(name="確認後", kind_names="大雨特別警報", notify=Rule.Notify.CONFIRM)
    services.import_xml(sample(HEAVY_RAIN))
    dispatch = Dispatch.objects.get()
    assert dispatch.state == Dispatch.State.PENDING and sent.calls == []
    assert services.current_state() is not None  # the mode does not wait
    services.confirm_dispatch(dispatch.pk, user=staff)
    assert len(sent.calls) == 1 and sent.calls[0]["areas"] == ["新宿区", "奥多摩町"]
    with pytest.raises(services.EmergencyError):
        services.confirm_dispatch(dispatch.pk, user=staff)
    assert len(sent.calls) == 1
    dispatch.refresh_from_db()
    assert dispatch.decided_by == staff and dispatch.state == Dispatch.State.SENT


def test_a_dismissed_dispatch_sends_nothing(db, settings, sent, django_user_model):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="確認後", kind_names="大雨特別警報", notify=Rule.Notify.CONFIRM, activate=False)
    services.import_xml(sample(HEAVY_RAIN))
    d = services.dismiss_dispatch(Dispatch.objects.get().pk, user=None)
    assert d.state == Dispatch.State.DISMISSED and sent.calls == [] and services.current_state() is None


def test_drills_and_cancellations_match_nothing(db, settings, sent):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.IMMEDIATE)
    drill = sample(HEAVY_RAIN).replace("<Status>通常</Status>".encode(), "<Status>訓練</Status>".encode(), 1)
    cancel = sample(HEAVY_RAIN).replace("<InfoType>発表</InfoType>".encode(), "<InfoType>取消</InfoType>".encode(), 1)
    for data in (drill, cancel):
        alert = services.import_xml(data)
        assert alert.state == Alert.State.PARSED and not alert.dispatches.exists()
    assert services.current_state() is None and sent.calls == []


def test_kawasaki_defaults_landslide_elsewhere_in_the_prefecture_does_not_match(db, sent):
    Rule.objects.create(name="土砂災害", categories="landslide", kind_names="警戒", notify=Rule.Notify.IMMEDIATE)
    alert = services.import_xml(sample(LANDSLIDE_KANAGAWA))
    assert alert.city_areas == [{"section": "土砂災害警戒情報", "code": "1413000", "name": "川崎市", "level": "",
                                 "intensity": "", "kinds": []}]
    assert services.current_state() is None and sent.calls == []


def test_intensity_threshold_rule_for_the_city(db, sent):
    strong = Rule.objects.create(name="震度5弱以上", min_intensity="5-", notify=Rule.Notify.IMMEDIATE)
    services.import_xml(sample(INTENSITY))
    assert sent.calls == [] and services.current_state() is None  # 神奈川県東部 震度4
    strong.min_intensity = "4"
    strong.save()
    alert = services.import_xml(sample(INTENSITY))
    assert sent.calls[0]["areas"] == ["川崎区", "幸区", "中原区", "高津区", "多摩区", "宮前区", "麻生区"]
    assert services.current_state().alert == alert


def test_rule_with_own_area_codes(db, sent):
    Rule.objects.create(name="小田原", categories="landslide", kind_names="警戒", area_codes="1420600",
                        notify=Rule.Notify.IMMEDIATE)
    # only codes of the city are looked at: 小田原市 is not one of them by default
    services.import_xml(sample(LANDSLIDE_KANAGAWA))
    assert sent.calls == []


def test_notices_are_not_sent_by_rule_without_notify(db, settings, sent):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="表示だけ", kind_names="大雨特別警報", notify=Rule.Notify.NONE)
    services.import_xml(sample(HEAVY_RAIN))
    assert Dispatch.objects.get().state == Dispatch.State.NONE and sent.calls == []
    assert services.current_state() is not None


# --- the mode by hand, banner, pages ---------------------------------------------------------------

@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("bousai", password="pw-123456-x", is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def test_staff_switch_the_mode_with_an_audit_log_and_the_banner_follows(staff_client, client):
    response = staff_client.post(reverse("emergency:staff-mode"), {"active": "1", "title": "台風第10号の接近",
                                                                   "message": "早めの避難を", "reason": "本部設置"})
    assert response.status_code == 302
    page = staff_client.get(reverse("emergency:index")).content.decode()
    assert 'class="emergency-banner" aria-labelledby="emergency-banner-h"' in page
    assert "緊急情報: 台風第10号の接近" in page and 'role="alert"' not in page
    assert staff_client.post(reverse("emergency:staff-mode"), {"active": "0", "reason": ""}).status_code == 302
    assert services.current_state() is not None  # no reason, no switch
    staff_client.post(reverse("emergency:staff-mode"), {"active": "0", "reason": "警報解除"})
    assert services.current_state() is None
    log = list(ModeChange.objects.order_by("at", "pk").values_list("active", "reason", "user__username"))
    assert log == [(True, "本部設置", "bousai"), (False, "警報解除", "bousai")]
    assert "emergency-banner" not in staff_client.get(reverse("emergency:index")).content.decode()
    staff_page = staff_client.get(reverse("emergency:staff")).content.decode()
    assert "本部設置" in staff_page and "警報解除" in staff_page


def test_staff_pages_need_staff(client, db):
    for name in ("emergency:staff",):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(reverse("emergency:staff-mode"), {"active": "1", "reason": "x"}).status_code == 302
    assert services.current_state() is None


def test_staff_upload_and_rule_form(staff_client, settings, sent):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    bad = staff_client.post(reverse("emergency:staff-rule-new"), {"name": "空", "notify": "confirm"})
    assert bad.status_code == 400 and "どちらかを指定" in bad.content.decode()
    ok = staff_client.post(reverse("emergency:staff-rule-new"), {
        "name": "大雨特別警報", "kind_names": "大雨特別警報", "notify": "confirm", "activate": "on", "enabled": "on"})
    assert ok.status_code == 302 and Rule.objects.get().kind_list == ["大雨特別警報"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff_client.post(reverse("emergency:staff-upload"),
                                 {"file": SimpleUploadedFile(HEAVY_RAIN, sample(HEAVY_RAIN), "application/xml")})
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("emergency:alert", args=[alert.pk])
    pending = Dispatch.objects.get()
    assert "ルール「大雨特別警報」、対象: 新宿区、奥多摩町" in staff_client.get(reverse("emergency:staff")).content.decode()
    staff_client.post(reverse("emergency:staff-dispatch", args=[pending.pk]), {"action": "send"})
    assert len(sent.calls) == 1 and Dispatch.objects.get().decided_by == staff_client.user
    broken = staff_client.post(reverse("emergency:staff-upload"),
                               {"file": SimpleUploadedFile("x.xml", b"<a>", "application/xml")}, follow=True)
    assert "読み取れません" in broken.content.decode()


def test_alert_page_and_emergency_page_show_city_levels(db, client, settings, sent):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.NONE)
    alert = services.import_xml(sample(HEAVY_RAIN))
    page = client.get(reverse("emergency:alert", args=[alert.pk])).content.decode()
    assert "新宿区（1310400）: <strong>大雨特別警報</strong>" in page
    assert "受信した XML" not in page  # known types are shown parsed, not raw
    home = client.get(reverse("emergency:index")).content.decode()
    assert "新宿区: <strong>大雨特別警報</strong>" in home and "開設中の避難所" in home
    failed = services.import_xml(b"<x>")
    assert client.get(reverse("emergency:alert", args=[failed.pk])).status_code == 404  # failed: staff only


def test_signage_refreshes_slower_in_normal_times_and_shows_disaster_content_in_emergency(client, db):
    response = client.get("/signage/")
    assert response.status_code == 200 and response["Refresh"] == "60"
    page = response.content.decode()
    assert "これからのイベント" in page and "区役所窓口の混雑" in page
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in page
    services.set_mode(True, reason="訓練ではない", title="大雨特別警報")
    response = client.get("/signage/")
    assert response["Refresh"] == "30"
    page = response.content.decode()
    assert "緊急情報: 大雨特別警報" in page and "開設中の避難所" in page and "これからのイベント" not in page


def test_set_mode_needs_a_reason(db):
    with pytest.raises(services.EmergencyError):
        services.set_mode(True, reason="  ")


# --- the command and the feed ----------------------------------------------------------------------

def test_command_imports_files_and_switches_the_mode(db, tmp_path, capsys, sent):
    path = tmp_path / HEAVY_RAIN
    path.write_bytes(sample(HEAVY_RAIN))
    call_command("emergency", "import", str(path))
    assert "weather_warning 東京都気象警報・注意報" in capsys.readouterr().out
    assert Alert.objects.get().source == "cli"
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<nope")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("emergency", "import", str(bad))
    call_command("emergency", "on", "--reason", "訓練", "--title", "テスト")
    call_command("emergency", "status")
    assert "on: テスト" in capsys.readouterr().out
    call_command("emergency", "off", "--reason", "終了")
    assert services.current_state() is None


class _Server:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        files_ = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = files_.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _atom(base: str) -> bytes:
    entry = """<entry><title>{t}</title><id>urn:uuid:{id}</id><updated>2026-12-05T10:00:00Z</updated>
<author><name>{a}</name></author><link type="application/xml" href="{base}/{f}"/><content type="text">c</content></entry>"""
    entries = "".join(entry.format(t=t, id=i, a=a, base=base, f=f) for t, i, a, f in [
        ("気象特別警報・警報・注意報", "1", "気象庁", "heavy.xml"),
        ("震度速報", "2", "気象庁", "missing.xml"),
        ("土砂災害警戒情報", "3", "福岡管区気象台", "other.xml")])
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" lang="ja">
<title>高頻度（随時）</title><id>urn:feed</id><updated>2026-12-05T10:00:00Z</updated>{entries}</feed>""".encode()


@pytest.fixture
def feed_server():
    server = _Server()
    yield server
    server.close()


def test_feed_task_imports_new_entries_of_the_city_offices_once(db, settings, sent, feed_server):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    settings.EMERGENCY_JMA_FEED_OFFICES = ["気象庁"]
    files = {"/extra.xml": _atom(feed_server.url), "/heavy.xml": sample(HEAVY_RAIN), "/other.xml": b"<x/>"}
    feed_server.files.update(files)
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.IMMEDIATE)
    result = services.fetch_feeds_task.enqueue([feed_server.url + "/extra.xml"])
    out = result.return_value[feed_server.url + "/extra.xml"]
    assert out["imported"] == 1 and out["skipped"] == 1 and len(out["errors"]) == 1  # missing.xml: 404
    alert = Alert.objects.get()
    assert alert.source == Alert.Source.FEED and alert.feed_entry_id == "urn:uuid:1"
    assert services.current_state() is not None and len(sent.calls) == 1
    again = services.fetch_feed(feed_server.url + "/extra.xml")
    assert again.imported == [] and again.skipped == 2 and Alert.objects.count() == 1


def test_a_feed_that_cannot_be_read_fails_the_task_with_the_reason(db, feed_server):
    feed_server.files["/bad.xml"] = b"<feed"
    with pytest.raises(services.EmergencyError, match="XML として読めません"):
        services.fetch_feed(feed_server.url + "/bad.xml")
    with pytest.raises(services.EmergencyError, match="404"):
        services.fetch_feed(feed_server.url + "/none.xml")
    with pytest.raises(services.EmergencyError, match="http"):
        services.fetch_feed("file:///etc/passwd")



# --- with the real notices app (N2), when it is there ---------------------------------------------

def _notices_ready() -> bool:
    from django.apps import apps

    if not apps.is_installed("madoguchi.notices"):
        return False
    try:
        from madoguchi.notices import services as notices
    except ImportError:
        return False
    return hasattr(notices, "send_notice")


@pytest.mark.skipif(not _notices_ready(), reason="madoguchi.notices (send_notice) not installed")
def test_heavy_rain_queues_deliveries_to_the_subscribers_of_the_affected_areas_only(db, settings):
    from madoguchi.notices.models import Area, Delivery, Notice, Subscription, Topic

    # N2's settings as its own tests set them, where the lead has not declared them yet
    for name, value in {"NOTICES_SITE_URL": "https://www.example.jp", "NOTICES_FROM_EMAIL": "notices@example.jp",
                        "NOTICES_UNSUBSCRIBE_MAILTO": "unsubscribe@example.jp", "NOTICES_BATCH_SIZE": 500,
                        "NOTICES_DB_FLUSH_EVERY": 50, "NOTICES_VERIFY_MAX_AGE_S": 48 * 3600,
                        "NOTICES_LINE_CHANNEL_SECRET": "s", "NOTICES_LINE_CHANNEL_ACCESS_TOKEN": "t",
                        "NOTICES_LINE_API_HOST": "http://127.0.0.1:9", "NOTICES_LINE_MAX_REQUESTS_PER_S": 1000,
                        "NOTICES_LINE_DEFAULT_TOPIC": "bousai", "NOTICES_VAPID_PRIVATE_KEY": "x",
                        "NOTICES_VAPID_PUBLIC_KEY": "", "NOTICES_VAPID_SUBJECT": "mailto:webmaster@example.jp"}.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    settings.EMERGENCY_JMA_AREAS = TOKYO
    bousai = Topic.objects.get_or_create(slug="bousai", defaults={"name": "防災"})[0]
    events = Topic.objects.get_or_create(slug="event", defaults={"name": "イベント"})[0]
    areas = {name: Area.objects.get_or_create(name=name)[0] for name in ("新宿区", "荒川区", "奥多摩町")}

    def subscriber(address, topic, area_names, verified=True):
        sub = Subscription.objects.create(channel="mail", address=address, verified=verified)
        sub.topics.set([topic])
        sub.areas.set([areas[n] for n in area_names])
        return sub

    shinjuku = subscriber("shinjuku@example.jp", bousai, ["新宿区"])
    okutama = subscriber("okutama@example.jp", bousai, ["奥多摩町"])
    everywhere = subscriber("all@example.jp", bousai, [])
    subscriber("arakawa@example.jp", bousai, ["荒川区"])  # 大雨警報 only there
    subscriber("events@example.jp", events, ["新宿区"])  # another topic
    subscriber("unverified@example.jp", bousai, ["新宿区"], verified=False)
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.IMMEDIATE)

    alert = services.import_xml(sample(HEAVY_RAIN))
    notice = Notice.objects.get()
    assert notice.source == f"emergency:alert:{alert.pk}" and notice.areas == ["新宿区", "奥多摩町"]
    assert set(Delivery.objects.filter(notice=notice).values_list("subscription_id", flat=True)) == {
        shinjuku.pk, okutama.pk, everywhere.pk}
    assert Dispatch.objects.get().notice_ref == str(notice.pk)


def test_home_partial_for_the_catalog_home_page(db, settings):
    """What the lead includes at the top of catalog/home.html: ``{% if emergency %}{% include … %}{% endif %}``."""
    from django.template.loader import render_to_string

    settings.EMERGENCY_JMA_AREAS = TOKYO
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.NONE)
    services.import_xml(sample(HEAVY_RAIN))
    html = render_to_string("emergency/_home.html", {"emergency": services.current_state()})
    assert '<section class="emergency-panel" aria-labelledby="em-hazards-h">' in html
    assert "新宿区: <strong>大雨特別警報</strong>" in html and "公式の防災情報" in html


def test_a_later_message_replaces_an_earlier_one_in_the_hazards(db, settings):
    settings.EMERGENCY_JMA_AREAS = TOKYO
    first = services.import_xml(sample(HEAVY_RAIN))
    assert services.hazards() == [first]
    lifted = sample(HEAVY_RAIN).replace("<Name>大雨特別警報</Name>".encode(), "<Name>なし</Name>".encode()) \
        .replace("<Name>大雨警報</Name>".encode(), "<Name>なし</Name>".encode()) \
        .replace("<Name>洪水警報</Name>".encode(), "<Name>なし</Name>".encode())
    services.import_xml(lifted)
    assert services.hazards() == []
    again = services.import_xml(sample(HEAVY_RAIN))
    assert services.hazards() == [again]
    services.import_xml(sample(HEAVY_RAIN).replace("<InfoType>発表</InfoType>".encode(), "<InfoType>取消</InfoType>".encode()))
    assert services.hazards() == []
