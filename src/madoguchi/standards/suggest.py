"""The closest standards for a table that declares none, by its column names."""

from __future__ import annotations

from .names import fold
from .registry import all_standards

#: below this score a standard is not suggested at all
MIN_SCORE = 0.3
#: fields every layout of a generation shares (code, NO, prefecture…) count less than telling ones
COMMON_WEIGHT = 0.25
COMMON_FIELDS = {fold(n) for n in ("都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "全国地方公共団体コード",
                                   "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英語", "住所", "方書", "緯度", "経度",
                                   "電話番号", "内線番号", "URL", "備考", "法人番号", "所在地_全国地方公共団体コード", "町字ID",
                                   "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下",
                                   "建物名等(方書)", "画像", "画像_ライセンス")}


def _weight(folded: str) -> float:
    return COMMON_WEIGHT if folded in COMMON_FIELDS else 1.0


def suggest(column_names: list[str], limit: int = 3) -> list[dict]:
    """See ``services.suggest_standards``."""
    columns = {fold(c) for c in column_names if c}
    if not columns:
        return []
    scored = []
    for standard in all_standards():
        fields = {fold(n): n for n in standard.field_names}
        hits = [name for key, name in fields.items() if key in columns]
        if not hits:
            continue
        # weighted Dice overlap: shared fields against both the standard's fields and the table's columns
        shared = sum(_weight(fold(n)) for n in hits)
        in_standard = sum(_weight(k) for k in fields)
        in_table = sum(_weight(c) for c in columns)
        score = 2 * shared / (in_standard + in_table)
        if score < MIN_SCORE:
            continue
        missing = [n for n in standard.required_names if fold(n) not in columns]
        scored.append({"standard": standard.id, "title": standard.title, "generation": standard.generation,
                       "score": round(score, 3), "matched": hits, "missing_required": missing})
    scored.sort(key=lambda s: (-s["score"], len(s["missing_required"]), s["standard"]))
    return scored[:limit]
