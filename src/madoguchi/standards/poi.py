"""GIF POI codes (政府相互運用性フレームワーク POIコード表) for the standard datasets' ``POIコード`` column.

The table (650 four-digit codes: 大分類 = the first two digits, e.g. ``01`` 地形) is
``sources/gif-poi-codes.csv`` (CC0, see ``sources/PROVENANCE.md``); it is read once.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "sources" / "gif-poi-codes.csv"
#: schema field names that hold a POI code
POI_FIELD = re.compile(r"POIコード$")
#: separators between several codes written in one cell
_SEPARATORS = re.compile(r"[;；,，、/／\s]+")


@lru_cache(maxsize=1)
def poi_codes() -> dict[str, dict]:
    """``{code: {"code", "name", "category", "description"}}`` in table order (``0101`` … ``4099``)."""
    with SOURCE.open(encoding="utf-8", newline="") as f:
        return {r["POIコード"]: {"code": r["POIコード"], "name": r["POI"], "category": r["大分類"],
                                "description": r["解説"]} for r in csv.DictReader(f)}


@lru_cache(maxsize=1)
def categories() -> dict[str, str]:
    """``{two-digit prefix: 大分類}``, e.g. ``{"01": "地形", …}``."""
    out: dict[str, str] = {}
    for code, entry in poi_codes().items():
        out.setdefault(code[:2], entry["category"])
    return out


def label(code: str) -> str:
    """``0101`` → ``0101 = 山（地形）``; the code itself if unknown."""
    entry = poi_codes().get(code)
    return f"{code} = {entry['name']}（{entry['category']}）" if entry else code


def check(text: str | None) -> tuple[bool, str | None]:
    """Whether a cell's text is a valid POI code (or several, separated by ``;`` ``,`` or spaces), and
    a suggestion naming the POI category when it is not.

    :returns: ``(valid, suggestion)``; an empty cell is valid; ``suggestion`` e.g. ``0101 = 山（地形）`` for
        ``101`` (leading zero lost), ``大分類 01 = 地形 (0101〜0134)`` for an unknown code of a known 大分類,
        ``None`` when nothing is close
    """
    if text is None or not text.strip():
        return True, None
    codes = poi_codes()
    parts = [p for p in _SEPARATORS.split(unicodedata.normalize("NFKC", text).strip()) if p]
    for part in parts:
        if part in codes:
            continue
        if part.isdigit() and len(part) < 4 and part.zfill(4) in codes:
            return False, label(part.zfill(4))
        if part.isdigit() and len(part) == 4 and part[:2] in categories():
            prefix = part[:2]
            members = [c for c in codes if c.startswith(prefix)]
            return False, f"大分類 {prefix} = {categories()[prefix]} ({members[0]}〜{members[-1]})"
        return False, None
    return True, None
