"""Settings of the shelters service (declared in ``madoguchi.settings``).

``SHELTER_TILE_URL`` (env ``MADOGUCHI_SHELTER_TILE_URL``): map tile URL template for
Leaflet (``{z}/{x}/{y}``), default 国土地理院の標準地図. ``SHELTER_TILE_ATTRIBUTION``
(env ``MADOGUCHI_SHELTER_TILE_ATTRIBUTION``): the attribution HTML shown on the map;
an empty tile URL turns the tile layer off (the markers and the list still work).
"""

from __future__ import annotations

from django.conf import settings


def tile_url() -> str:
    return settings.SHELTER_TILE_URL


def tile_attribution() -> str:
    return settings.SHELTER_TILE_ATTRIBUTION
