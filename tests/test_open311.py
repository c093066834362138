"""Open311 GeoReport v2 at /open311/v2/ (issue #16 part 7): documents with the keys, types and XML
structure of real cities' servers (tests/files/open311, copied from ../shared with their MIT licence),
filters, POST with an api_key, tokens, jurisdiction_id, the standard error format, and a real
GeoReport v2 client library from PyPI (``georeport``) against ``live_server``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from madoguchi.reports import services
from madoguchi.reports.models import ServiceRequest

# real servers' documents (bensheldon/open311status, MIT; tests/files/open311/PROVENANCE.md)
FIXTURES = Path(__file__).resolve().parent / "files" / "open311"
BBOX = (35.47, 139.46, 35.64, 139.80)
IN_CITY = (35.5308, 139.7029)
ROOT = "/open311/v2"


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(autouse=True)
def city(settings, db):
    settings.REPORTS_CITY_BBOX = BBOX
    settings.REPORTS_OPEN311_JURISDICTION_ID = "kawasaki.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.seed_services()
    from madoguchi.reports.models import Service

    Service.objects.filter(code="road").update(attributes=[
        {"code": "size", "datatype": "singlevaluelist", "required": True, "description": "穴の大きさ",
         "values": [{"key": "s", "name": "小（10 cm 未満）"}, {"key": "l", "name": "大（10 cm 以上）"}]}])


@pytest.fixture
def published():
    report = services.submit_report(service_code="road", description="歩道に穴 <b>危険</b>", lat=IN_CITY[0],
                                     lon=IN_CITY[1], address="川崎市川崎区駅前本町", email="secret@example.jp")
    services.moderate(report, publish=True)
    hidden = services.submit_report(service_code="litter", description="非公開の通報", address="砂子")
    return report, hidden


def _type(value) -> str:
    return "null" if value is None else "number" if isinstance(value, (int, float)) and not isinstance(
        value, bool) else type(value).__name__


def test_services_json_has_the_keys_and_types_of_bloomington(client):
    real = json.loads(fixture("bloomington_services.json").read_text())
    ours = client.get(f"{ROOT}/services.json").json()
    assert len(ours) == len(services.DEFAULT_SERVICES)
    assert [set(s) for s in ours] == [set(real[0])] * len(ours)
    for key in real[0]:
        assert {_type(s[key]) for s in ours} <= {_type(r[key]) for r in real}, key
    road = next(s for s in ours if s["service_code"] == "road")
    assert road["metadata"] is True and road["type"] == "realtime" and road["group"] == "道路"


def test_services_xml_has_the_structure_of_san_francisco(client):
    real = ET.parse(fixture("san_francisco_services.xml")).getroot()
    resp = client.get(f"{ROOT}/services.xml")
    assert resp["Content-Type"].startswith("text/xml")
    ours = ET.fromstring(resp.content)
    assert ours.tag == real.tag == "services" and {c.tag for c in ours} == {"service"}
    assert {c.tag for c in ours[0]} == {c.tag for c in real[0]}
    assert ours.find("service[service_code='road']/metadata").text == "true"
    giessen = ET.parse(fixture("spec_services_giessen.xml")).getroot()
    assert {c.tag for c in giessen[0]} <= {c.tag for c in ours[0]}


def test_service_definition_json_and_xml(client):
    doc = client.get(f"{ROOT}/services/road.json").json()
    assert doc["service_code"] == "road" and doc["attributes"][0]["code"] == "size"
    assert set(doc["attributes"][0]) == {"variable", "code", "datatype", "required", "datatype_description",
                                         "order", "description", "values"}
    assert doc["attributes"][0]["values"][1] == {"key": "l", "name": "大（10 cm 以上）"}
    root = ET.fromstring(client.get(f"{ROOT}/services/road.xml").content)
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key").text == "s"


def test_requests_json_has_the_keys_and_types_of_real_servers(client, published):
    report, _hidden = published
    bloomington = json.loads(fixture("bloomington_requests.json").read_text())
    sf = ET.parse(fixture("san_francisco_requests.xml")).getroot()
    ours = client.get(f"{ROOT}/requests.json").json()
    assert [r["service_request_id"] for r in ours] == [str(report.pk)]  # unpublished one not listed
    doc = ours[0]
    assert set(doc) == set(bloomington[0]) | {c.tag for c in sf[0]}
    for key in bloomington[0]:
        assert _type(doc[key]) in {_type(r[key]) for r in bloomington}, key
    assert doc["status"] == "open" and doc["lat"] == IN_CITY[0] and doc["long"] == IN_CITY[1]
    assert doc["requested_datetime"].endswith("+09:00") and doc["description"] == "歩道に穴 <b>危険</b>"
    assert "secret@example.jp" not in json.dumps(ours) and doc["agency_responsible"] == "道路公園センター"


def test_requests_xml_has_the_structure_of_san_francisco_and_escapes_html(client, published):
    report, _ = published
    sf = ET.parse(fixture("san_francisco_requests.xml")).getroot()
    resp = client.get(f"{ROOT}/requests.xml")
    assert b"<b>" not in resp.content and b"&lt;b&gt;" in resp.content
    ours = ET.fromstring(resp.content)
    assert ours.tag == sf.tag == "service_requests" and [c.tag for c in ours] == ["request"]
    assert {c.tag for c in sf[0]} <= {c.tag for c in ours[0]}
    assert ours.find("request/description").text == "歩道に穴 <b>危険</b>"
    one = ET.fromstring(client.get(f"{ROOT}/requests/{report.pk}.xml").content)
    assert one.find("request/service_request_id").text == str(report.pk)


def test_request_filters(client, published):
    report, _ = published
    get = lambda **q: [r["service_request_id"] for r in client.get(f"{ROOT}/requests.json", q).json()]
    assert get(service_code="road") == [str(report.pk)] and get(service_code="litter") == []
    assert get(status="open") == [str(report.pk)] and get(status="closed") == []
    services.set_status(report, "declined", "私有地のため対応できません")
    assert get(status="closed") == [str(report.pk)]
    assert get(service_request_id=f"{report.pk},999") == [str(report.pk)]
    assert get(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    doc = client.get(f"{ROOT}/requests/{report.pk}.json").json()[0]
    assert doc["status"] == "closed" and doc["status_notes"] == "私有地のため対応できません"


@pytest.mark.parametrize("url,method,data,status,words", [
    (f"{ROOT}/services/nope.json", "get", None, 404, "nope"),
    (f"{ROOT}/requests/99999.json", "get", None, 404, "99999"),
    (f"{ROOT}/tokens/not-a-token.json", "get", None, 404, "token"),
    (f"{ROOT}/requests.json?status=maybe", "get", None, 400, "status"),
    (f"{ROOT}/requests.json?start_date=yesterday", "get", None, 400, "start_date"),
    (f"{ROOT}/requests.json?start_date=2020-01-01&end_date=2020-12-01", "get", None, 400, "90"),
    (f"{ROOT}/services.json?jurisdiction_id=elsewhere.example", "get", None, 404, "jurisdiction_id"),
    (f"{ROOT}/requests.json", "post", {"service_code": "road", "lat": IN_CITY[0], "long": IN_CITY[1],
                                       "description": "穴"}, 403, "api_key"),
    (f"{ROOT}/nothing.json", "get", None, 404, "URL"),
])
def test_errors_use_the_standard_format(client, url, method, data, status, words):
    resp = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert resp.status_code == status
    body = resp.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"} and body[0]["code"] == status
    assert words in body[0]["description"]


def test_xml_error_format(client):
    resp = client.get(f"{ROOT}/services/nope.xml")
    root = ET.fromstring(resp.content)
    assert resp.status_code == 404 and root.tag == "errors" and root.find("error/code").text == "404"
    assert "nope" in root.find("error/description").text


@pytest.mark.parametrize("data,status,words", [
    ({"service_code": "nope", "lat": IN_CITY[0], "long": IN_CITY[1], "description": "x"}, 404, "nope"),
    ({"service_code": "road", "lat": 35.68, "long": 139.77, "description": "x"}, 400, "市の区域外"),
    ({"service_code": "road", "lat": IN_CITY[0], "long": IN_CITY[1], "description": ""}, 400, "内容"),
    ({"service_code": "road", "lat": "north", "long": IN_CITY[1], "description": "x"}, 400, "数値"),
])
def test_bad_posts_are_clear_errors_and_store_nothing(client, data, status, words):
    _, key = services.issue_api_key("テストアプリ")
    resp = client.post(f"{ROOT}/requests.json", {**data, "api_key": key})
    assert resp.status_code == status and words in resp.json()[0]["description"]
    assert ServiceRequest.objects.count() == 0


def test_post_with_key_then_token_lookup(client):
    api_key, key = services.issue_api_key("テストアプリ")
    resp = client.post(f"{ROOT}/requests.json", {"api_key": key, "service_code": "road", "lat": IN_CITY[0],
                                                "long": IN_CITY[1], "description": "穴", "attribute[size]": "l",
                                                "email": "app-user@example.jp", "jurisdiction_id": "kawasaki.example"})
    assert resp.status_code == 201
    doc = resp.json()[0]
    report = ServiceRequest.objects.get(pk=doc["service_request_id"])
    assert report.channel == "api" and report.attributes == {"size": "l"} and report.email == "app-user@example.jp"
    assert client.get(f"{ROOT}/tokens/{doc['token']}.json").json() == [
        {"service_request_id": str(report.pk), "token": doc["token"]}]
    api_key.active = False
    api_key.save()
    again = client.post(f"{ROOT}/requests.json", {"api_key": key, "service_code": "road", "lat": IN_CITY[0],
                                                 "long": IN_CITY[1], "description": "穴"})
    assert again.status_code == 403


def test_staff_issue_api_key_page_shows_the_key_once(admin_client):
    resp = admin_client.post("/reports/staff/keys/", {"name": "まちレポアプリ"})
    text = resp.content.decode()
    assert "o311_" in text
    from madoguchi.reports.models import ApiKey

    stored = ApiKey.objects.get(name="まちレポアプリ")
    assert "o311_" not in stored.key_hash and len(stored.key_hash) == 64
    assert "o311_" not in admin_client.get("/reports/staff/keys/").content.decode()


def test_georeport_client_library_lists_posts_and_reads_back(live_server):
    """``georeport`` 0.3.1 (PyPI) reads services, definitions and requests; it has no POST or token call,
    so those two go through ``requests`` (its own HTTP dependency) with the standard's form fields."""
    import requests
    from georeport import GeoReport

    root = live_server.url + ROOT
    client = GeoReport(root, jurisdiction="kawasaki.example")
    listed = client.get_service_list()
    assert {s["service_code"] for s in listed} == {c for c, *_ in services.DEFAULT_SERVICES}
    assert client.get_service_definition("road")["attributes"][0]["code"] == "size"
    xml_client = GeoReport(root, jurisdiction="kawasaki.example", output_format="xml")
    assert {s["service_code"] for s in xml_client.get_service_list()} == {c for c, *_ in services.DEFAULT_SERVICES}

    _, key = services.issue_api_key("外部アプリ")
    posted = requests.post(f"{root}/requests.json", data={
        "api_key": key, "jurisdiction_id": "kawasaki.example", "service_code": "streetlight",
        "lat": IN_CITY[0], "long": IN_CITY[1], "description": "街路灯が点滅しています"}, timeout=10)
    assert posted.status_code == 201, posted.text
    created = posted.json()[0]
    token = requests.get(f"{root}/tokens/{created['token']}.json", timeout=10).json()[0]
    assert token["service_request_id"] == created["service_request_id"]

    report = ServiceRequest.objects.get(pk=created["service_request_id"])
    services.moderate(report, publish=True)  # staff review before it is public
    back = client.get_service_request(created["service_request_id"])
    assert back["service_code"] == "streetlight" and back["description"] == "街路灯が点滅しています"
    assert back["status"] == "open"
    found = client.get_service_requests(service_code="streetlight", status="open")
    assert [r["service_request_id"] for r in found] == [created["service_request_id"]]
    xml_back = xml_client.get_service_request(created["service_request_id"])
    assert xml_back["service_name"] == "街路灯の故障" and xml_back["lat"] == str(IN_CITY[0])
