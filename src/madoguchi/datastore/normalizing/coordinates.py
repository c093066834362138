"""Coordinates: degrees-minutes-seconds → decimal degrees, swapped 緯度/経度, outside Japan.

Japan's bounding box (国土地理院「日本の東西南北端点の経度緯度」, rounded
outwards): latitude 20–46 (沖ノ鳥島 20.42 … 弁天島 45.56), longitude 122–154
(与那国島 122.93 … 南鳥島 153.99). Decimal degrees are written with 7
decimals (about 1 cm), the precision the 自治体標準オープンデータセット asks for
(6 or more).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import INVALID, Column, mask_item, value_items

LAT_RANGE = (20.0, 46.0)
LON_RANGE = (122.0, 154.0)
DECIMAL_RE = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"

_NUM = r"\d+(?:\.\d+)?"
_DMS = re.compile(
    rf"(?P<h1>北緯|南緯|東経|西経|[NSEW])?\s*(?P<d>{_NUM})\s*[°度]\s*"
    rf"(?:(?P<m>{_NUM})\s*(?:['′’]|分)\s*)?"
    rf"(?:(?P<s>{_NUM})\s*(?:\"|″|”|''|′′|’’|秒)\s*)?(?P<h2>[NSEW])?",
    re.IGNORECASE)
_DOTTED = re.compile(r"(?P<h1>[NSEW])?(?P<d>\d{1,3})[.:](?P<m>\d{1,2})[.:](?P<s>\d{1,2}(?:\.\d+)?)(?P<h2>[NSEW])?",
                     re.IGNORECASE)
_SOUTH_WEST = ("S", "W", "南緯", "西経")


def dms_to_decimal(text: str):
    """``34°52'1.23"`` / ``34度52分1.23秒`` / ``N34°52'01"`` / ``138.19.23.5`` → decimal degrees text.

    :returns: ``"34.8670083"`` (7 decimals; S/W give a negative value), the text
        unchanged if it is not degrees-minutes-seconds, or INVALID for minutes or
        seconds of 60 or more
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _DMS.fullmatch(s) or _DOTTED.fullmatch(s)
    if not m:
        return text
    minutes, seconds = float(m["m"] or 0), float(m["s"] or 0)
    if minutes >= 60 or seconds >= 60:
        return INVALID
    value = float(m["d"]) + minutes / 60 + seconds / 3600
    hemisphere = (m["h1"] or m["h2"] or "").upper()
    if hemisphere in _SOUTH_WEST:
        value = -value
    return f"{value:.7f}"


def degrees(col: Column) -> np.ndarray:
    """Per row, the cell as a number (NaN when empty or not a number)."""
    numeric = pc.match_substring_regex(col.values, DECIMAL_RE)
    per_value = pc.cast(pc.if_else(numeric, col.values, pa.scalar(None, pa.string())), pa.float64())
    return np.append(per_value.to_numpy(zero_copy_only=False), np.nan)[col.idx]


def _inside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (values >= bounds[0]) & (values <= bounds[1])


def convert_dms(col: Column) -> list[dict]:
    """Degrees-minutes-seconds cells of a latitude/longitude column → decimal degrees (reported)."""
    candidates = pc.invert(pc.match_substring_regex(col.values, DECIMAL_RE)).fill_null(False)
    positions = pc.indices_nonzero(candidates).to_pylist()
    if not positions:
        return []
    fixed, invalid = col.apply(positions, dms_to_decimal)
    return (value_items(col, "dms_to_decimal_degrees",
                        f"列「{col.name}」の度分秒の座標を十進の度 (小数点以下 7 桁) にしました "
                        "(degrees-minutes-seconds converted to decimal degrees)", fixed, fixed=True)
            + value_items(col, "invalid_coordinate",
                          f"列「{col.name}」の座標の分または秒が 60 以上です。そのままにしました "
                          "(minutes or seconds of 60 or more; left as written)", invalid, fixed=False))


def swap_and_check(lat: Column | None, lon: Column | None) -> list[dict]:
    """Swap 緯度/経度 in rows where they are the wrong way round; report values outside Japan.

    A row is swapped when its latitude is in Japan's longitude range and its
    longitude in Japan's latitude range. Either may be ``None`` (a column
    without a partner; then only its range is checked).
    """
    items: list[dict] = []
    lat_deg = degrees(lat) if lat is not None else None
    lon_deg = degrees(lon) if lon is not None else None
    if lat is not None and lon is not None:
        swap = _inside(lat_deg, LON_RANGE) & _inside(lon_deg, LAT_RANGE)
        if swap.any():
            lat_before, lon_before = lat.values, lon.values
            lat_idx, lon_idx = lat.idx, lon.idx
            both = pa.concat_arrays([lat.values, lon.values])
            shifted = np.where(lon_idx >= 0, lon_idx + len(lat.values), -1)
            lat.set_idx(np.where(swap, shifted, lat_idx), both)
            lon.set_idx(np.where(swap, lat_idx, shifted), both)

            def example(i: int) -> tuple:
                return (f"{lat_before[lat_idx[i]].as_py()}, {lon_before[lon_idx[i]].as_py()}",
                        f"{both[int(lat.idx[i])].as_py()}, {both[int(lon.idx[i])].as_py()}")

            items.append(mask_item(lat, "lat_lon_swapped",
                              f"緯度「{lat.name}」と経度「{lon.name}」が逆の行を入れ替えました "
                              "(latitude and longitude were swapped in these rows)", swap, example, fixed=True))
            lat_deg, lon_deg = np.where(swap, lon_deg, lat_deg), np.where(swap, lat_deg, lon_deg)
    for col, deg, bounds, label in ((lat, lat_deg, LAT_RANGE, "緯度"), (lon, lon_deg, LON_RANGE, "経度")):
        if col is None or not _inside(deg, (-180.0, 180.0)).any():
            continue  # no degrees at all (e.g. 平面直角座標 in metres): not ours to judge
        outside = ~np.isnan(deg) & ~_inside(deg, bounds)
        made = mask_item(col, "coordinate_outside_japan",
                    f"列「{col.name}」の{label}が日本の範囲 ({bounds[0]:g}〜{bounds[1]:g}) の外です。そのままにしました "
                    "(coordinate outside Japan; left as written)", outside,
                    lambda i, c=col: (c.values[int(c.idx[i])].as_py(),) * 2, fixed=False)
        if made:
            items.append(made)
    return items
