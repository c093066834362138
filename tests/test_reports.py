"""Citizen reports (issue #16 parts 6, 8–10): the report form without JavaScript, photos stripped of
EXIF and resized, bad input refused with nothing stored, routing by ward polygon, duplicates, status
changes mailed, moderation, the open dataset and the KPI metrics."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from madoguchi.reports import services
from madoguchi.reports.models import Photo, ServiceRequest, StatusChange, Ward

BBOX = (35.47, 139.46, 35.64, 139.80)  # Kawasaki (south, west, north, east)
IN_CITY = (35.5308, 139.7029)           # 川崎駅前
OUTSIDE = (35.6812, 139.7671)           # 東京駅

KAWASAKI_KU = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "川崎区", "department": "川崎区役所道路公園センター"},
     "geometry": {"type": "Polygon", "coordinates": [[[139.69, 35.50], [139.79, 35.50], [139.79, 35.55],
                                                      [139.69, 35.55], [139.69, 35.50]]]}},
    {"type": "Feature", "properties": {"name": "中原区", "department": "中原区役所道路公園センター"},
     "geometry": {"type": "Polygon", "coordinates": [[[139.62, 35.55], [139.69, 35.55], [139.69, 35.60],
                                                      [139.62, 35.60], [139.62, 35.55]]]}}]}


@pytest.fixture(autouse=True)
def city(settings, db):
    settings.REPORTS_CITY_BBOX = BBOX
    settings.REPORTS_OPEN311_JURISDICTION_ID = "kawasaki.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.seed_services()


def jpeg(size=(2400, 1800), *, gps=True, color=(200, 40, 40)) -> bytes:
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam Maker"   # Make
    exif[0x0110] = "TestCam 9000"    # Model
    if gps:
        exif[0x8825] = {1: "N", 2: (35.0, 31.0, 50.0), 3: "E", 4: (139.0, 42.0, 10.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", ctype="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=ctype)


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("reports")[1]
    except FileNotFoundError:
        return []


def test_fixture_photo_really_has_gps_and_camera_exif():
    exif = Image.open(io.BytesIO(jpeg())).getexif()
    assert exif[0x010F] == "TestCam Maker" and exif.get_ifd(0x8825)[1] == "N"


def test_photo_is_stored_without_gps_or_camera_and_resized():
    report = services.submit_report(service_code="road", description="道路に穴", lat=IN_CITY[0], lon=IN_CITY[1],
                                    photos=[upload(jpeg())])
    photo = report.photos.get()
    with default_storage.open(photo.file.name) as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    exif = img.getexif()
    assert len(exif) == 0 and not exif.get_ifd(0x8825)
    assert "exif" not in img.info and b"TestCam" not in data
    assert max(img.size) == 1600 and img.size == (1600, 1200) and (photo.width, photo.height) == (1600, 1200)


@pytest.mark.parametrize("data,name,message", [
    (b"%PDF-1.4 not an image", "doc.jpg", "画像として読めません"),
    (b"\xff\xd8\xff\xe0" + b"0" * 1000, "broken.jpg", "画像として読めません"),
])
def test_not_an_image_is_refused_and_nothing_stored(data, name, message):
    with pytest.raises(services.ReportError) as err:
        services.submit_report(service_code="road", description="穴", lat=IN_CITY[0], lon=IN_CITY[1],
                               photos=[upload(jpeg(gps=False)), upload(data, name)])
    assert message in err.value.message and name in err.value.message and err.value.param == "photos"
    assert ServiceRequest.objects.count() == 0 and Photo.objects.count() == 0 and stored_files() == []


def test_20_mb_photo_is_refused_before_it_is_read():
    big = upload(b"\xff\xd8" + b"\0" * (20 * 1024 * 1024))
    with pytest.raises(services.ReportError) as err:
        services.submit_report(service_code="road", description="穴", lat=IN_CITY[0], lon=IN_CITY[1], photos=[big])
    assert "10 MB" in err.value.message
    assert ServiceRequest.objects.count() == 0 and stored_files() == []


def test_more_than_three_photos_refused():
    with pytest.raises(services.ReportError, match="3 枚まで"):
        services.submit_report(service_code="road", description="穴", lat=IN_CITY[0], lon=IN_CITY[1],
                               photos=[upload(jpeg((10, 10)))] * 4)
    assert ServiceRequest.objects.count() == 0


def test_coordinates_outside_the_city_are_a_clear_error():
    with pytest.raises(services.ReportError) as err:
        services.submit_report(service_code="road", description="穴", lat=OUTSIDE[0], lon=OUTSIDE[1])
    assert "市の区域外" in err.value.message and err.value.status == 400
    assert ServiceRequest.objects.count() == 0


def test_unknown_service_code_is_404():
    with pytest.raises(services.ReportError) as err:
        services.submit_report(service_code="nope", description="穴", lat=IN_CITY[0], lon=IN_CITY[1])
    assert err.value.status == 404 and "nope" in err.value.message


def test_no_place_at_all_is_refused():
    with pytest.raises(services.ReportError, match="場所"):
        services.submit_report(service_code="road", description="穴")


def test_postal_code_fills_the_address():
    report = services.submit_report(service_code="litter", description="ごみ", postal_code="〒210-0006")
    assert report.address.startswith("神奈川県川崎市川崎区砂子") and report.postal_code == "2100006"
    with pytest.raises(services.ReportError) as err:
        services.submit_report(service_code="litter", description="ごみ", postal_code="999-9999")
    assert err.value.status == 404


def test_ward_polygons_route_to_the_department_and_duplicates_are_linked():
    services.load_wards(KAWASAKI_KU)
    first = services.submit_report(service_code="road", description="穴", lat=IN_CITY[0], lon=IN_CITY[1])
    assert first.ward.name == "川崎区" and first.department == "川崎区役所道路公園センター"
    near = services.submit_report(service_code="road", description="同じ穴", lat=IN_CITY[0] + 0.0001,
                                  lon=IN_CITY[1])  # ~11 m
    far = services.submit_report(service_code="road", description="別の穴", lat=IN_CITY[0] + 0.0005,
                                 lon=IN_CITY[1])  # ~55 m
    other = services.submit_report(service_code="graffiti", description="落書き", lat=IN_CITY[0], lon=IN_CITY[1])
    assert near.duplicate_of == first and far.duplicate_of is None and other.duplicate_of is None
    ServiceRequest.objects.filter(pk=first.pk).update(requested_at=first.requested_at - dt.timedelta(days=8))
    late = services.submit_report(service_code="road", description="まだ穴", lat=IN_CITY[0], lon=IN_CITY[1])
    assert late.duplicate_of == near  # the 8-day-old one is too old; near is the earliest within 7 days
    nakahara = services.submit_report(service_code="park", description="遊具", lat=35.575, lon=139.66)
    assert nakahara.ward.name == "中原区" and nakahara.department == "中原区役所道路公園センター"
    outside_wards = services.submit_report(service_code="park", description="遊具", lat=35.62, lon=139.50)
    assert outside_wards.ward is None and outside_wards.department == "道路公園センター"
    chosen = services.submit_report(service_code="park", description="遊具", address="どこか",
                                    ward_id=Ward.objects.get(name="中原区").pk)
    assert chosen.department == "中原区役所道路公園センター"


def test_point_in_polygon_with_a_hole():
    geom = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                               [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}
    assert services.point_in_geometry(2, 2, geom) and not services.point_in_geometry(5, 5, geom)
    assert not services.point_in_geometry(11, 5, geom)


def test_status_changes_are_mailed_only_when_public():
    report = services.submit_report(service_code="streetlight", description="点かない", lat=IN_CITY[0],
                                    lon=IN_CITY[1], email="taro@example.jp")
    services.set_status(report, "in_progress", "現地を確認します", by="shokuin")
    services.set_status(report, "in_progress", "業者手配中（内部）", public=False)
    services.set_status(report, "closed", "電球を交換しました")
    assert [m.subject for m in mail.outbox] == [f"【通報 {report.pk}】状況: 対応中", f"【通報 {report.pk}】状況: 完了"]
    assert mail.outbox[1].to == ["taro@example.jp"] and "電球を交換しました" in mail.outbox[1].body
    report.refresh_from_db()
    assert report.open311_status == "closed" and report.closed_at and report.status_notes == "電球を交換しました"
    assert StatusChange.objects.filter(request=report).count() == 4
    services.set_status(report, "declined", "")
    report.refresh_from_db()
    assert report.open311_status == "closed"


def test_moderation_masks_personal_data_and_photos_need_review(client):
    report = services.submit_report(
        service_code="graffiti", description="塀に落書き。連絡は090-1234-5678 taro@example.jp まで",
        lat=IN_CITY[0], lon=IN_CITY[1], photos=[upload(jpeg((50, 50)))])
    assert "090-1234-5678" not in report.public_description and "taro@example.jp" not in report.public_description
    assert client.get(f"/reports/{report.pk}/").status_code == 404  # not public before review
    photo = report.photos.get()
    kinds = services.moderate(report, public_description="塀に落書き。連絡は 03-1234-5678", publish=True)
    assert "phone" in kinds and "03-1234-5678" not in report.public_description
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code == 200 and f"/reports/photos/{photo.pk}.jpg" not in page.content.decode()
    assert client.get(f"/reports/photos/{photo.pk}.jpg").status_code == 404
    services.moderate(report, public_photo_ids=[photo.pk])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f"/reports/photos/{photo.pk}.jpg" in page and "taro@example.jp" not in page
    got = client.get(f"/reports/photos/{photo.pk}.jpg")
    assert got.status_code == 200 and b"".join(got.streaming_content)[:2] == b"\xff\xd8"


def test_form_without_javascript_reports_by_address_and_tracks(client):
    page = client.get("/reports/new/")
    assert page.status_code == 200 and "住所・目印" in page.content.decode()
    resp = client.post("/reports/new/", {"service": "road", "description": "<script>alert(1)</script> 段差",
                                         "postal_code": "210-0006", "address": "砂子1丁目 交差点",
                                         "email": "hanako@example.jp", "photos": [upload(jpeg((300, 200)))]})
    assert resp.status_code == 302 and "/reports/track/" in resp["Location"]
    report = ServiceRequest.objects.get()
    assert report.photos.count() == 1 and report.address.startswith("神奈川県川崎市川崎区砂子")
    track = client.get(resp["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in track and "<script>alert(1)" not in track
    assert "hanako@example.jp" not in track and "受付" in track


@pytest.mark.parametrize("extra,field_message", [
    ({"lat": OUTSIDE[0], "lon": OUTSIDE[1]}, "市の区域外"),
    ({"address": "砂子", "photos": [upload(b"not an image", "x.jpg")]}, "画像として読めません"),
    ({}, "場所を地図・住所・郵便番号"),
])
def test_form_shows_clear_errors_and_stores_nothing(client, extra, field_message):
    resp = client.post("/reports/new/", {"service": "road", "description": "穴", **extra})
    assert resp.status_code == 400 and field_message in resp.content.decode()
    assert 'role="alert"' in resp.content.decode()
    assert ServiceRequest.objects.count() == 0 and stored_files() == []


def test_staff_queue_moderation_and_status(admin_client):
    report = services.submit_report(service_code="road", description="穴 090-1111-2222", lat=IN_CITY[0],
                                    lon=IN_CITY[1], email="a@example.jp")
    assert "道路の損傷" in admin_client.get("/reports/staff/?status=open").content.decode()
    resp = admin_client.post(f"/reports/staff/{report.pk}/", {"action": "moderate", "public_description":
                                                               "穴 <b>深い</b>", "published": "on"})
    assert resp.status_code == 302
    resp = admin_client.post(f"/reports/staff/{report.pk}/", {"action": "status", "status": "in_progress",
                                                               "note": "確認中", "public": "on"})
    assert resp.status_code == 302 and len(mail.outbox) == 1
    public = admin_client.get(f"/reports/{report.pk}/").content.decode()
    assert "対応中" in public and "確認中" in public and "&lt;b&gt;深い&lt;/b&gt;" in public
    assert admin_client.get("/reports/staff/wards/").status_code == 200


def test_staff_uploads_ward_geojson(admin_client):
    data = SimpleUploadedFile("wards.geojson", json.dumps(KAWASAKI_KU).encode(), "application/geo+json")
    assert admin_client.post("/reports/staff/wards/", {"file": data}).status_code == 302
    assert set(Ward.objects.values_list("name", flat=True)) == {"川崎区", "中原区"}
    bad = SimpleUploadedFile("wards.geojson", b"{oops", "application/json")
    assert "GeoJSON" in admin_client.post("/reports/staff/wards/", {"file": bad}).content.decode()


def test_staff_pages_need_login(client):
    assert client.get("/reports/staff/").status_code == 302


def test_publish_command_creates_the_dataset_without_personal_data(org):
    from madoguchi.catalog.models import Dataset

    report = services.submit_report(service_code="road", description="穴 taro@example.jp", lat=IN_CITY[0],
                                    lon=IN_CITY[1], email="secret@example.jp")
    services.moderate(report, publish=True)
    services.submit_report(service_code="road", description="非公開", address="砂子")  # not published
    out = io.StringIO()
    call_command("reports", "publish", stdout=out)
    ds = Dataset.objects.get(slug=services.DATASET_SLUG)
    assert ds.description and "queued ingest job" in out.getvalue()
    rows = services.published_rows()
    assert len(rows) == 1 and "secret@example.jp" not in json.dumps(rows) and "taro@example.jp" not in json.dumps(rows)
    fc = services.published_geojson()
    assert fc["features"][0]["geometry"]["coordinates"] == [IN_CITY[1], IN_CITY[0]]


def test_metrics_registered_and_computed():
    from madoguchi.plans.services import get_metric

    today = dt.date.today()
    r = services.submit_report(service_code="road", description="穴", lat=IN_CITY[0], lon=IN_CITY[1])
    services.set_status(r, "closed", "直しました")
    ServiceRequest.objects.filter(pk=r.pk).update(requested_at=r.closed_at - dt.timedelta(days=3))
    fy = today.year if today.month >= 4 else today.year - 1
    assert float(get_metric("reports.median_days_to_close").func(fy, today=today)) == 3.0
    rows = get_metric("reports.by_category").func(today.replace(day=1), today=today)
    if r.requested_at.date().month == today.month:
        assert rows == [{"service_code": "road", "service_name": "道路の損傷", "reports": 1, "closed": 1}]
    assert get_metric("reports.requests_monthly_average").title


def test_public_list_map_and_geojson_show_only_published(client):
    shown = services.submit_report(service_code="park", description="ブランコの鎖が切れています", lat=IN_CITY[0],
                                   lon=IN_CITY[1])
    services.moderate(shown, publish=True)
    services.submit_report(service_code="park", description="非公開の遊具", lat=IN_CITY[0], lon=IN_CITY[1])
    index = client.get("/reports/").content.decode()
    assert "ブランコの鎖" in index and "非公開の遊具" not in index and "受付" in index
    page = client.get("/reports/map/").content.decode()
    assert f"/reports/{shown.pk}/" in page and 'data-geojson="/reports/reports.geojson"' in page
    fc = client.get("/reports/reports.geojson").json()
    assert [f["properties"]["service_request_id"] for f in fc["features"]] == [shown.pk]


def test_seed_services_command_is_idempotent():
    out = io.StringIO()
    call_command("reports", "seed-services", stdout=out)
    assert out.getvalue().strip() == "0 categories created"  # the autouse fixture seeded them already
