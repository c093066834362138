"""Distances and GeoJSON.

Coordinates are WGS84 decimal degrees (DESIGN.md section 3): (lat, lon) in
code and API, ``[lon, lat]`` in GeoJSON positions (RFC 7946 section 3.1.1).
"""

from __future__ import annotations

import math

#: mean Earth radius in metres (IUGG R1), the usual radius for the haversine formula
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (haversine, spherical Earth;
    within 0.5 % of the ellipsoidal distance)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_position(lat, lon) -> bool:
    """True for finite numbers inside WGS84 ranges (lat −90..90, lon −180..180), not (0, 0)."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
            and not (lat == 0 and lon == 0))


def feature(lat: float, lon: float, properties: dict) -> dict:
    """A GeoJSON Point Feature (RFC 7946): position ``[lon, lat]``."""
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def feature_collection(features: list[dict]) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946)."""
    return {"type": "FeatureCollection", "features": features}
