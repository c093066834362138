"""Settings of the shelters service, read from Django settings, else the environment, else defaults.

``SHELTER_TILE_URL`` (env ``MADOGUCHI_SHELTER_TILE_URL``): map tile URL template for
Leaflet (``{z}/{x}/{y}``), default 国土地理院の標準地図. ``SHELTER_TILE_ATTRIBUTION``
(env ``MADOGUCHI_SHELTER_TILE_ATTRIBUTION``): the attribution HTML shown on the map;
an empty tile URL turns the tile layer off (the markers and the list still work).
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULT_TILE_URL = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html">国土地理院</a>'


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"MADOGUCHI_{name}")
    return default if value is None else value


def tile_url() -> str:
    return _get("SHELTER_TILE_URL", DEFAULT_TILE_URL)


def tile_attribution() -> str:
    return _get("SHELTER_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION)
