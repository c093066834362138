"""Checks that read the cells of a typed table (run once, at ingestion).

Each check looks at the distinct texts of a column (``TypedColumn``: ``values``,
``indices``, ``normalized``), so it costs one pass over the distinct texts plus
one ``take`` per flagged column, and reports findings in the report-warning
shape ``{code, message, column, rows (≤ 20 file rows), count}`` with
``examples`` (≤ 5 cell texts) where they help.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.codes import LOCAL_GOVERNMENT_CODE_COLUMN, is_valid_local_government_code
from madoguchi.datastore.services import row_numbers_at, warning
from madoguchi.wareki import ERA_YEAR_SEARCH_RE

MAX_EXAMPLES = 5

# 機種依存文字: characters outside JIS X 0208 that Windows (CP932 NEC/IBM extensions) or Mac
# add, and half-width katakana (JIS X 0201), which the 総務省 rule 1-10 names.
_DEPENDENT_RANGES = [
    (0x2460, 0x24FF, "丸囲み数字・文字"), (0x2776, 0x2793, "丸囲み数字"), (0x2160, 0x217F, "ローマ数字"),
    (0x3200, 0x32FF, "括弧・丸囲み文字"), (0x3300, 0x33FF, "組文字・単位記号"), (0xFF61, 0xFF9F, "半角カタカナ"),
    (0xE000, 0xF8FF, "外字 (私用領域)"),
]
_DEPENDENT_SINGLE = {"№": "その他の記号", "℡": "その他の記号", "∮": "その他の記号", "∟": "その他の記号",
                     "⊿": "その他の記号"}
DEPENDENT_RE = "[" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi, _ in _DEPENDENT_RANGES) + \
    "".join(_DEPENDENT_SINGLE) + "]"

# 1-3: a number with a unit or a text sign in the cell (NFKC text). Suffixes that make an ordinal or a
# date part (3丁目, 4月, 第2号) are not units.
_PURE_NUMBER = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
_WITH_UNIT = re.compile(r"^(?P<pre>[¥$€▲△]?)\s*[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*"
                        r"(?P<unit>[^\d\s.,:/\-()]{1,4})?$")
_NOT_UNITS = {"年", "月", "日", "号", "丁目", "番", "番地", "番目", "位", "区", "条", "階", "期", "回目", "年度", "時"}
#: share of a column's filled cells that must be numbers (with or without unit) for 1-3 to judge it
NUMERIC_SHARE = 0.8

# 1-11: an era year with no western year beside it (NFKC text)
WAREKI_RE = ERA_YEAR_SEARCH_RE
SEIREKI_RE = r"(?:^|[^0-9])(?:1[89]|20)[0-9]{2}(?:[^0-9]|$)"

# 1-2: several values joined in one cell
_JOINERS = re.compile(r"\s*[、，,・;；／]\s*")

# 1-12 / 全国地方公共団体コード
AREA_NAME = re.compile(r"住所|所在地|市区町村|地域|町名|町丁|区名|地区|都道府県|address", re.IGNORECASE)

# duplicate values in an identifier column: only columns named as the row's own identifier (``町字ID`` or
# ``施設番号`` may repeat: they point at another thing)
ID_NAME = re.compile(r"^(?:id|no\.?|番号|通し番号|整理番号|管理番号|識別番号|連番)$", re.IGNORECASE)
#: share of a column's filled cells holding a 和暦 year for rule 1-11 to judge it a time column (an event
#: named 「令和7年度防災訓練」 in a name column is not a date notation)
ERA_SHARE = 0.5


class Column:
    """One typed column seen through its distinct texts.

    ``texts``: NFKC text of each distinct cell (null = empty), ``values``: the typed value of
    each, ``indices``: per row which one (null = empty), ``counts``: rows per distinct text.
    """

    def __init__(self, typed_column, row_numbers):
        self.name: str = typed_column.meta["name"]
        self.source_name: str = typed_column.meta.get("source_name") or self.name
        self.type: str = typed_column.meta["type"]
        self.values: pa.Array = typed_column.values
        self.indices: pa.Array = typed_column.indices
        self.texts: pa.Array = typed_column.normalized.dictionary
        self.row_numbers = row_numbers
        counts = np.zeros(len(self.texts), dtype=np.int64)
        vc = pc.value_counts(self.indices)
        keys, n = vc.field("values"), vc.field("counts")
        if keys.null_count:
            keep = pc.is_valid(keys)
            keys, n = keys.filter(keep), n.filter(keep)
        counts[keys.to_numpy(zero_copy_only=False).astype(np.int64)] = n.to_numpy(zero_copy_only=False)
        self.counts = counts
        filled = pc.is_valid(self.values).to_numpy(zero_copy_only=False) if len(self.values) else np.zeros(0, bool)
        self.filled_counts = np.where(filled, counts, 0)

    @property
    def num_rows(self) -> int:
        return len(self.indices)

    def count(self, mask) -> int:
        """Rows whose distinct text is true in ``mask`` (numpy bool per distinct text)."""
        return int(self.counts[mask].sum())

    def rows(self, mask, limit: int = 20) -> list[int]:
        """File row numbers (first ``limit``) of the rows whose distinct text is true in ``mask``."""
        per_row = pa.array(mask, pa.bool_()).take(self.indices).fill_null(False)
        idx = pc.indices_nonzero(per_row).slice(0, limit).to_pylist()
        return row_numbers_at(self.row_numbers, idx)

    def mask(self, arrow_mask: pa.Array):
        return arrow_mask.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)

    def examples(self, mask) -> list[str]:
        texts = self.values if self.type == "string" else self.texts
        picked = np.flatnonzero(mask)[:MAX_EXAMPLES]
        return [str(texts[int(i)].as_py()) for i in picked]

    def finding(self, code: str, message: str, mask, **extra) -> dict:
        w = warning(code, message, rows=self.rows(mask), column=self.name, count=self.count(mask))
        w.update(extra)
        return w


def columns_of(typed, row_numbers) -> list[Column]:
    return [Column(c, row_numbers) for c in typed.typed]


def platform_dependent_characters(cols: list[Column]) -> list[dict]:
    """機種依存文字 (rule 1-10) in text cells and column names; ``characters`` lists which, by kind."""
    found = []
    for col in cols:
        if col.type != "string" or not len(col.values):
            continue
        mask = col.mask(pc.match_substring_regex(col.values, DEPENDENT_RE))
        if mask.any():
            chars = _dependent_chars(str(col.values[int(i)].as_py()) for i in np.flatnonzero(mask)[:1000])
            found.append(col.finding("platform_dependent_characters",
                                     f"列「{col.name}」に機種依存文字 {' '.join(chars)} があります", mask,
                                     characters=chars, kinds=sorted({_dependent_kind(c) for c in chars})))
    names = [c.source_name for c in cols if _dependent_chars([c.source_name])]
    if names:
        chars = _dependent_chars(names)
        found.append({**warning("platform_dependent_characters_in_names",
                                f"列名 {'、'.join(names)} に機種依存文字 {' '.join(chars)} があります", count=len(names)),
                      "characters": chars, "kinds": sorted({_dependent_kind(c) for c in chars})})
    return found


def _dependent_kind(ch: str) -> str | None:
    o = ord(ch)
    for lo, hi, kind in _DEPENDENT_RANGES:
        if lo <= o <= hi:
            return kind
    return _DEPENDENT_SINGLE.get(ch)


def _dependent_chars(texts) -> list[str]:
    seen: dict[str, None] = {}
    for t in texts:
        for ch in t:
            if _dependent_kind(ch) and ch not in seen:
                seen[ch] = None
                if len(seen) >= 30:
                    return list(seen)
    return list(seen)


def one_value_per_cell(cols: list[Column]) -> list[dict]:
    """Rule 1-2: cells with line breaks, and cells joining values that the same column holds alone.

    Conservative: ``公園・学校`` is flagged only where ``公園`` and ``学校`` are each a whole cell of the
    column elsewhere, so names that contain ``・`` (``ヨーク・ベニマル``) are not.
    """
    found = []
    for col in cols:
        if col.type != "string" or not len(col.values):
            continue
        breaks = col.mask(pc.match_substring_regex(col.values, r"[\r\n\x{2028}\x{2029}]"))
        if breaks.any():
            found.append(col.finding("line_break_in_cell", f"列「{col.name}」のセルに改行があります", breaks))
        has_joiner = col.mask(pc.match_substring_regex(col.values, "[、，,・;；／]"))
        if not has_joiner.any():
            continue
        whole = {v for v in col.values.to_pylist() if v}
        joined = np.zeros(len(col.values), dtype=bool)
        for i in np.flatnonzero(has_joiner):
            parts = [p for p in _JOINERS.split(str(col.values[int(i)].as_py())) if p]
            joined[i] = len(parts) >= 2 and all(p in whole for p in parts)
        if joined.any():
            found.append(col.finding("several_values_in_cell",
                                     f"列「{col.name}」に複数の値を「、」「・」などでつないだセルがあります", joined,
                                     examples=col.examples(joined)))
    return found


def numbers_with_text(cols: list[Column]) -> list[dict]:
    """Rule 1-3: a mostly numeric text column whose cells carry a unit or a sign (``100円``, ``▲5``)."""
    found = []
    for col in cols:
        if col.type != "string" or not len(col.texts):
            continue
        texts = col.texts.to_pylist()
        unit = np.zeros(len(texts), dtype=bool)
        numeric = col.mask(pc.match_substring_regex(col.texts, _PURE_NUMBER))
        for i, t in enumerate(texts):
            if t is None or numeric[i]:
                continue
            m = _WITH_UNIT.match(t)
            if m and (m["pre"] or (m["unit"] and m["unit"] not in _NOT_UNITS)):
                unit[i] = True
        filled = int(col.filled_counts.sum())
        if unit.any() and filled and col.count(numeric | unit) >= NUMERIC_SHARE * filled:
            units = sorted({(_WITH_UNIT.match(texts[i])["pre"] or _WITH_UNIT.match(texts[i])["unit"])
                            for i in np.flatnonzero(unit)})
            found.append(col.finding("number_with_unit",
                                     f"列「{col.name}」は数値の列ですが、単位や記号 ({'、'.join(units)}) を含むセルがあります",
                                     unit, examples=col.examples(unit), units=units))
    return found


def era_dates(cols: list[Column]) -> list[dict]:
    """Rule 1-11: cells with a 和暦 year and no western year beside it (in the file as read), in columns
    where such cells are at least ``ERA_SHARE`` of the filled cells."""
    found = []
    for col in cols:
        if not len(col.texts):
            continue
        era = col.mask(pc.match_substring_regex(col.texts, WAREKI_RE))
        if era.any():
            era &= ~col.mask(pc.match_substring_regex(col.texts, SEIREKI_RE))
        if era.any() and col.count(era) >= ERA_SHARE * int(col.filled_counts.sum()):
            found.append(col.finding("era_date", f"列「{col.name}」に西暦の併記がない和暦があります", era,
                                     examples=[str(col.texts[int(i)].as_py()) for i in np.flatnonzero(era)[:MAX_EXAMPLES]]))
    return found


def area_codes(cols: list[Column]) -> dict:
    """Rules 1-12 and 全国地方公共団体コード: code columns and their invalid values; area-name columns.

    :returns: ``{"code_columns": [..], "name_columns": [..], "invalid": [finding, ..]}``
    """
    out = {"code_columns": [], "name_columns": [], "invalid": []}
    for col in cols:
        name = unicodedata.normalize("NFKC", col.name)
        if LOCAL_GOVERNMENT_CODE_COLUMN.search(name):
            out["code_columns"].append(col.name)
            prefecture = "都道府県" in name
            texts = col.texts.to_pylist()
            bad = np.array([t is not None and not _valid_area_code(t, prefecture) for t in texts], dtype=bool)
            if bad.any():
                five = sum(1 for i in np.flatnonzero(bad) if re.fullmatch(r"\d{5}", texts[i]))
                note = "（5桁は検査数字のない旧形式です）" if five else ""
                out["invalid"].append(col.finding(
                    "invalid_local_government_code",
                    f"列「{col.name}」に正しくない全国地方公共団体コードがあります{note}", bad,
                    examples=[texts[i] for i in np.flatnonzero(bad)[:MAX_EXAMPLES]]))
        elif AREA_NAME.search(name):
            out["name_columns"].append(col.name)
    return out


def _valid_area_code(text: str, prefecture: bool) -> bool:
    t = text.strip()
    if prefecture and re.fullmatch(r"\d{2}", t):
        return 1 <= int(t) <= 47
    return is_valid_local_government_code(t)


def repeated_header_rows(cols: list[Column]) -> dict | None:
    """Rows that repeat the header (a second table below the first, or a page break kept in the data)."""
    if len(cols) < 2 or not cols[0].num_rows:
        return None
    need = max(2, (len(cols) + 1) // 2)
    matching = []
    for col in cols:
        target = unicodedata.normalize("NFKC", col.source_name).strip()
        if target:
            per_value = pc.equal(col.texts, target).fill_null(False)
            if pc.any(per_value).as_py():
                matching.append((col, per_value))
    if len(matching) < need:
        return None
    hits = None
    for col, per_value in matching:
        per_row = pc.cast(per_value.take(col.indices).fill_null(False), pa.int32())
        hits = per_row if hits is None else pc.add(hits, per_row)
    mask = pc.greater_equal(hits, need)
    idx = pc.indices_nonzero(mask)
    if not len(idx):
        return None
    rows = row_numbers_at(cols[0].row_numbers, idx.slice(0, 20).to_pylist())
    return warning("repeated_header", f"見出しと同じ行がデータの途中に {len(idx)} 行あります (表が分断されています)",
                   rows=rows, count=len(idx))


def completeness(cols: list[Column]) -> list[dict]:
    """Empty cells per column: ``[{column, empty, filled, rows, ratio (filled/rows, 0..1, 3 decimals)}]``."""
    out = []
    for col in cols:
        n = col.num_rows
        filled = int(col.filled_counts.sum())
        out.append({"column": col.name, "empty": n - filled, "filled": filled, "rows": n,
                    "ratio": round(filled / n, 3) if n else 1.0})
    return out


def _canonical_ids(col: Column) -> pa.Array:
    """Per row an int id equal for equal typed values (-1 for empty)."""
    canon = pc.dictionary_encode(col.values).indices if len(col.values) else pa.array([], pa.int32())
    return pc.cast(canon.take(col.indices), pa.int64()).fill_null(-1)


def duplicate_rows(cols: list[Column], examples: int = 5) -> dict:
    """Rows equal in every column to an earlier row.

    :returns: ``{"count": rows that repeat an earlier one, "groups": number of distinct repeated rows,
        "rows": file rows of the repeats (≤ 20), "examples": [[file rows of one group (≤ 20)], ..]}``
    """
    empty = {"count": 0, "groups": 0, "rows": [], "examples": []}
    if not cols or not cols[0].num_rows:
        return empty
    n = cols[0].num_rows
    ids = [_canonical_ids(c) for c in cols]
    # A 64-bit hash of each row finds the candidate rows fast; the exact grouping then runs on those only.
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j, a in enumerate(ids):
            h = h * np.uint64(0x9E3779B97F4A7C15) + a.to_numpy().astype(np.uint64) + np.uint64(j + 1)
    ordered = np.sort(h)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if not len(repeated):
        return empty
    take = pa.array(np.flatnonzero(np.isin(h, repeated)), pa.int64())
    table = pa.table({**{f"c{j}": a.take(take) for j, a in enumerate(ids)}, "_i": take})
    keys = [f"c{j}" for j in range(len(cols))]
    grouped = table.group_by(keys, use_threads=False).aggregate([("_i", "count"), ("_i", "min")])
    dup = grouped.filter(pc.greater(grouped["_i_count"], 1))
    if not dup.num_rows:
        return empty
    dup = dup.sort_by([("_i_min", "ascending")])
    count = int(pc.sum(pc.subtract(dup["_i_count"], 1)).as_py())
    # rows of the first groups: join the first few keys back
    first = dup.slice(0, examples).select(keys).append_column("_g", pa.array(range(min(examples, dup.num_rows))))
    joined = table.join(first, keys=keys, join_type="inner").sort_by([("_g", "ascending"), ("_i", "ascending")])
    groups: dict[int, list[int]] = {}
    for g, i in zip(joined["_g"].to_pylist(), joined["_i"].to_pylist()):
        groups.setdefault(g, []).append(i)
    example_rows = [row_numbers_at(cols[0].row_numbers, groups[g][:20]) for g in sorted(groups)]
    # the repeats (not the first of each group), first 20 in file order
    member = table.join(dup.select(keys), keys=keys, join_type="left semi")["_i"]
    repeats = pc.filter(member, pc.invert(pc.is_in(member, value_set=dup["_i_min"])))
    repeat_idx = repeats.take(pc.sort_indices(repeats)).slice(0, 20).to_pylist()
    return {"count": count, "groups": dup.num_rows, "rows": row_numbers_at(cols[0].row_numbers, repeat_idx),
            "examples": example_rows}


def duplicate_ids(cols: list[Column]) -> list[dict]:
    """Repeated values in identifier columns (``ID``, ``NO``, ``番号``, ``連番`` …): one finding per column
    with ``examples`` ``[{value, rows}]``."""
    found = []
    for col in cols:
        if not ID_NAME.search(unicodedata.normalize("NFKC", col.name).strip()):
            continue
        ids = _canonical_ids(col)
        vc = pc.value_counts(ids)
        repeated = vc.filter(pc.and_(pc.greater(vc.field("counts"), 1), pc.not_equal(vc.field("values"), -1)))
        if not len(repeated):
            continue
        extra_rows = int(pc.sum(pc.subtract(repeated.field("counts"), 1)).as_py())
        canon_values = pc.dictionary_encode(col.values).dictionary
        examples = []
        for key in repeated.field("values").to_pylist()[:MAX_EXAMPLES]:
            idx = pc.indices_nonzero(pc.equal(ids, key)).slice(0, 20).to_pylist()
            examples.append({"value": str(canon_values[key].as_py()), "rows": row_numbers_at(col.row_numbers, idx)})
        per_row = pc.is_in(ids, value_set=repeated.field("values"))
        rows = row_numbers_at(col.row_numbers, pc.indices_nonzero(per_row).slice(0, 20).to_pylist())
        found.append({**warning("duplicate_id", f"ID の列「{col.name}」に同じ値が {len(repeated)} 種類重複しています",
                                rows=rows, column=col.name, count=extra_rows),
                      "values": len(repeated), "examples": examples})
    return found
