"""Settings of emergency mode (declared in ``madoguchi.settings``, with their defaults).

* ``EMERGENCY_JMA_AREAS`` — the city's JMA area codes → the 区 (area names of the notices app) they
  cover. Default 川崎市: 気象警報・土砂災害 1413000 (川崎市), 地震情報 細分区域 360 (神奈川県東部),
  市町村 1413100–1413700 (川崎区 … 麻生区), 津波予報区 312 (東京湾内湾).
* ``EMERGENCY_JMA_FEED_URLS`` (env ``MADOGUCHI_EMERGENCY_JMA_FEED_URLS``, space-separated) — JMA Atom feeds
  (高頻度: 随時 extra.xml, 地震火山 eqvol.xml); ``EMERGENCY_JMA_FEED_OFFICES`` (env ``…_OFFICES``) — only
  entries by these authors are fetched (empty list = all).
* ``EMERGENCY_JMA_FETCH_TIMEOUT_S`` (10), ``EMERGENCY_JMA_MAX_BYTES`` (2 MiB) — per request.
* ``EMERGENCY_NOTICE_TOPIC`` — the notices topic slug of the disaster notices (``bousai``).
* ``EMERGENCY_OFFICIAL_LINKS`` — ``[(label, url)]`` shown in emergency mode.
* ``EMERGENCY_SIGNAGE_REFRESH_S`` (60) / ``EMERGENCY_SIGNAGE_REFRESH_EMERGENCY_S`` (30) — signage reload.
"""

from __future__ import annotations

from django.conf import settings


def areas() -> dict[str, list[str]]:
    return settings.EMERGENCY_JMA_AREAS


def feed_urls() -> list[str]:
    return settings.EMERGENCY_JMA_FEED_URLS


def feed_offices() -> list[str]:
    return settings.EMERGENCY_JMA_FEED_OFFICES


def timeout_s() -> float:
    return settings.EMERGENCY_JMA_FETCH_TIMEOUT_S


def max_bytes() -> int:
    return settings.EMERGENCY_JMA_MAX_BYTES


def topic() -> str:
    return settings.EMERGENCY_NOTICE_TOPIC


def official_links() -> list[tuple[str, str]]:
    return settings.EMERGENCY_OFFICIAL_LINKS


def signage_refresh_s(active: bool) -> int:
    return settings.EMERGENCY_SIGNAGE_REFRESH_EMERGENCY_S if active else settings.EMERGENCY_SIGNAGE_REFRESH_S
