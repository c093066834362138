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


# ---------------------------------------------------------------- both coordinates in one field

#: ``34.34,134.04`` / ``134.04, 34.34`` / ``34.34 134.04``: two decimal numbers (decimals required,
#: so ``1,234`` and other number lists are not taken for coordinates)
PAIR_RE = r"^\s*[+-]?[0-9]{1,3}\.[0-9]+\s*(?:[,、，]\s*|\s+)[+-]?[0-9]{1,3}\.[0-9]+\s*$"
_PAIR = re.compile(r"\s*([+-]?\d{1,3}\.\d+)\s*(?:[,、，]\s*|\s+)([+-]?\d{1,3}\.\d+)\s*")
LAT_SUFFIX, LON_SUFFIX = "_緯度", "_経度"


def _new_name(raw, name: str) -> str:
    out, k = name, 2
    while out in raw.header:
        out, k = f"{name}_{k}", k + 1
    return out


def split_pairs(raw, *, skip=lambda name: False) -> list[dict]:
    """Split each column holding ``"lat,lon"`` or ``"lon,lat"`` pairs into two new columns.

    A column qualifies when ≥ 90 % of its non-empty cells are two decimal numbers and ≥ 90 % of
    those read as a point in Japan in one order or the other (``LAT_RANGE`` / ``LON_RANGE``).
    The new columns ``<name>_緯度`` and ``<name>_経度`` are inserted right after it (decimal
    degrees as written; they get roles latitude/longitude from their names); the original
    column is kept as text. The column's order is its majority; rows in the other order are
    put right and reported (``lat_lon_swapped``); cells that are not pairs leave both new
    cells empty. Report: ``coordinates_split`` (count, examples), on the original column.

    :param skip: column names not to look at (columns already named as latitude/longitude)
    """
    items: list[dict] = []
    for j in reversed(range(len(raw.header))):
        name = raw.header[j]
        if skip(name):
            continue
        col = Column(raw, j)
        matched = np.asarray(pc.match_substring_regex(col.values, PAIR_RE).fill_null(False))
        if not matched.any():
            continue
        counts = col.counts
        present = np.asarray(pc.match_substring_regex(col.values, r"\S").fill_null(False))
        n_pairs = counts[matched].sum()
        if n_pairs < 0.9 * counts[present].sum():
            continue
        positions = np.flatnonzero(matched).tolist()
        pairs = {p: tuple(map(float, _PAIR.fullmatch(t).groups())) + tuple(_PAIR.fullmatch(t).groups())
                 for p, t in zip(positions, col.texts(positions))}

        def inside(v: float, bounds) -> bool:
            return bounds[0] <= v <= bounds[1]

        order = {p: "latlon" if inside(a, LAT_RANGE) and inside(b, LON_RANGE)
                 else "lonlat" if inside(a, LON_RANGE) and inside(b, LAT_RANGE) else None
                 for p, (a, b, _, _) in pairs.items()}
        n_latlon = sum(counts[p] for p, o in order.items() if o == "latlon")
        n_lonlat = sum(counts[p] for p, o in order.items() if o == "lonlat")
        if n_latlon + n_lonlat < 0.9 * n_pairs:
            continue
        majority = "latlon" if n_latlon >= n_lonlat else "lonlat"
        lat_text: list[str | None] = [None] * len(col.values)
        lon_text: list[str | None] = [None] * len(col.values)
        for p, (_, _, sa, sb) in pairs.items():
            lat_text[p], lon_text[p] = (sa, sb) if (order[p] or majority) == "latlon" else (sb, sa)
        found = {p: (col.values[p].as_py(), f"{lat_text[p]}, {lon_text[p]}") for p in positions}
        swapped = {p: found[p] for p, o in order.items() if o is not None and o != majority}
        lat_name, lon_name = _new_name(raw, name + LAT_SUFFIX), _new_name(raw, name + LON_SUFFIX)
        lat_rows = pa.array(lat_text, pa.string()).take(col._indices)
        lon_rows = pa.array(lon_text, pa.string()).take(col._indices)
        raw.header[j + 1:j + 1] = [lat_name, lon_name]
        if raw.source_names:
            raw.source_names[j + 1:j + 1] = [lat_name, lon_name]
        if raw.columns is not None:
            raw.columns[j + 1:j + 1] = [pc.dictionary_encode(lat_rows), pc.dictionary_encode(lon_rows)]
        else:
            for row, a, b in zip(raw.rows, lat_rows.to_pylist(), lon_rows.to_pylist()):
                row[j + 1:j + 1] = [a, b]
        first = "緯度,経度" if majority == "latlon" else "経度,緯度"
        items += value_items(col, "coordinates_split",
                             f"列「{name}」の「{first}」の組を、新しい列「{lat_name}」「{lon_name}」に分けました。"
                             f"元の列は文字列のまま残しています (coordinate pairs split into latitude and longitude)",
                             found, fixed=True)
        items += value_items(col, "lat_lon_swapped",
                             f"列「{name}」の組のうち、列の多数と逆の順 (緯度と経度が逆) の行を入れ替えて分けました "
                             "(pairs in the other order were split the right way round)", swapped, fixed=True)
    return items
