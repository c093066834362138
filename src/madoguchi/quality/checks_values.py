"""The 2026 rules' checks of cell values (``checks_2026`` has those of the table's layout and runs both):
L1-09 blank vs zero, L2-04 standardised choices, L2-05 「その他」 details, L3-03 symbols in numeric columns,
L3-05 time notation. Findings have the shape of ``checks``' findings.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow.compute as pc

from madoguchi.datastore.services import row_numbers_at
from madoguchi.text import normalize_for_search

from .checks import MAX_EXAMPLES, SEIREKI_RE, WAREKI_RE, Column, era_dates
from .checks_2026 import _blank_rows, _finding

#: L2-04 / L2-05: a column is a choice column when it has at most this many distinct answers …
CHOICE_MAX_VALUES = 20
#: … and at most this share of its filled cells are distinct answers
CHOICE_MAX_SHARE = 0.5
#: L2-04: spellings of the same answer (after ``text.normalize_for_search``: NFKC, hiragana, lower case)
CHOICE_SYNONYMS = {"有": "有", "有り": "有", "あり": "有", "有る": "有", "ある": "有",
                   "無": "無", "無し": "無", "なし": "無", "無い": "無", "ない": "無",
                   "済": "済", "済み": "済", "ずみ": "済", "すみ": "済",
                   "○": "○", "〇": "○", "◯": "○", "可": "可", "可能": "可", "不可": "不可", "不可能": "不可"}
#: L2-05: 「その他」 followed by a detail in the same cell (NFKC: （ → (, ： → :)
OTHER_DETAIL_RE = r"^その他\s*(?:[(\[「【:;/\-]|\s)\s*\S"
#: L1-09: columns of counts, where a blank cell may mean 0
COUNT_NAME = re.compile(r"数|人口|count", re.IGNORECASE)
COUNT_NAME_EXCEPT = re.compile(r"係数|指数|数値|倍数|率")
#: L3-05: notations of dates and years (NFKC text); first match wins
TIME_NOTATIONS = [
    ("和暦と西暦の併記", None),  # filled in below: an era year with a western year beside it
    ("和暦", None),
    ("ISO 8601 (2024-04-01)", r"^\d{4}-\d{1,2}(?:-\d{1,2})?(?:[ T]|$)"),
    ("スラッシュ区切り (2024/4/1)", r"^\d{4}/\d{1,2}(?:/\d{1,2})?(?:\s|$)"),
    ("年月日 (2024年4月1日)", r"^\d{4}\s*年(?:\s*度|\s*\d{1,2}\s*月)"),
    ("ドット区切り (2024.4.1)", r"^\d{4}\.\d{1,2}\.\d{1,2}$"),
    ("8桁 (20240401)", r"^(?:19|20)\d{6}$"),
]
#: L3-05: a column is a time column when this share of its filled cells has one of the notations
TIME_SHARE = 0.8

def blank_and_zero(cols: list[Column]) -> list[dict]:
    """L1-09: numeric columns where an empty cell cannot be told from 0.

    The rule (decided from the text, which names 欠損値（空欄）とゼロ（0）が混在): a numeric column holding both
    0 and empty cells fails (does the blank mean 0, or 不明?); so does a column of counts (its name has 数 or
    人口) with empty cells and no 0 at all (blank likely written for 0). A column whose missing values carry a
    symbol (「-」, 「x」: see L3-03) and whose zeros are 0 passes.
    """
    found = []
    for col in cols:
        if col.type not in ("integer", "number") or not col.num_rows:
            continue
        blank = _blank_rows(col)
        n_blank = int(pc.sum(blank).as_py() or 0)
        if not n_blank:
            continue
        zero = col.mask(pc.equal(col.values, 0))
        n_zero = col.count(zero)
        name = unicodedata.normalize("NFKC", col.name)
        rows = row_numbers_at(col.row_numbers, pc.indices_nonzero(blank).slice(0, 20).to_pylist())
        if n_zero:
            found.append(_finding(f"数値の列「{col.name}」に空欄 {n_blank} 件と 0 ({n_zero} 件) が混在しています。"
                                  "値がない場合は定義した記号 (「-」など) で、ゼロは 0 で入力してください",
                                  column=col.name, rows=rows, count=n_blank, code="blank_and_zero", zeros=n_zero))
        elif col.type == "integer" and COUNT_NAME.search(name) and not COUNT_NAME_EXCEPT.search(name):
            found.append(_finding(f"件数の列「{col.name}」に空欄が {n_blank} 件あり、0 が1件もありません。"
                                  "空欄が 0 の意味か欠損かわかりません。ゼロは 0 で、欠損は定義した記号で入力してください",
                                  column=col.name, rows=rows, count=n_blank, code="blank_for_zero", zeros=0))
    return found



def _choice_key(text: str) -> str:
    key = re.sub(r"[\s・、。,.「」『』\"'()]", "", normalize_for_search(text))
    return CHOICE_SYNONYMS.get(key, key)


def _is_choice(col: Column, n_values: int) -> bool:
    filled = int(col.filled_counts.sum())
    return col.type == "string" and filled >= 4 and 1 <= n_values <= CHOICE_MAX_VALUES \
        and n_values <= CHOICE_MAX_SHARE * filled


def choice_variants(cols: list[Column]) -> list[dict]:
    """L2-04: a choice column (few distinct answers) spelling one answer several ways: width, kana,
    spaces, case (``text.normalize_for_search``) or okurigana (有 / 有り / あり, 無 / 無し / なし …)."""
    found = []
    for col in cols:
        if col.type != "string" or len(col.values) > 4 * CHOICE_MAX_VALUES:
            continue
        values = col.values.to_pylist()
        by_value: dict[str, int] = {}
        for v, k in zip(values, col.filled_counts.tolist()):
            if v is not None and k:
                by_value[v] = by_value.get(v, 0) + int(k)
        groups: dict[str, list[str]] = {}
        for v in by_value:
            groups.setdefault(_choice_key(v), []).append(v)
        if not _is_choice(col, len(groups)):
            continue
        variants = {k: vs for k, vs in groups.items() if len(vs) > 1}
        if not variants:
            continue
        minority = set()
        spellings = []
        for vs in variants.values():
            vs.sort(key=lambda v: -by_value[v])
            minority.update(vs[1:])
            spellings.append("「" + "」「".join(vs) + "」")
        mask = np.array([v in minority for v in values], dtype=bool)
        found.append(col.finding("choice_variants",
                                 f"選択肢の列「{col.name}」で同じ回答の表記が揺れています: {'、'.join(spellings[:5])}。"
                                 "どれか1つの表記 (またはコード) に統一してください", mask,
                                 examples=[v for vs in variants.values() for v in vs][:MAX_EXAMPLES]))
    return found


def other_details(cols: list[Column]) -> list[dict]:
    """L2-05: 「その他（…）」「その他: …」 in a choice column (the other answers few): the detail belongs
    in its own column."""
    found = []
    for col in cols:
        if col.type != "string" or not len(col.texts):
            continue
        other = col.mask(pc.match_substring_regex(col.texts, OTHER_DETAIL_RE))
        if not other.any():
            continue
        rest = col.filled_counts > 0
        rest &= ~other
        n_rest = int(np.count_nonzero(rest))
        if n_rest > CHOICE_MAX_VALUES:
            continue
        found.append(col.finding("other_with_detail",
                                 f"選択肢の列「{col.name}」に「その他」の詳細が同じセルに書かれています。"
                                 "選択肢は「その他」だけにし、詳細は別の列に入力してください", other,
                                 examples=col.examples(other)))
    return found


def special_symbols(cols: list[Column]) -> list[dict]:
    """L3-03: numeric columns holding symbols instead of numbers (「-」「x」「***」…, stored as 値なし by the
    ingestion): their meaning (秘匿, 該当なし, 調査対象外 …) must be defined in the data's notes."""
    found = []
    for col in cols:
        if col.type not in ("integer", "number") or not len(col.texts):
            continue
        symbol = col.mask(pc.and_(pc.is_valid(col.texts), pc.is_null(col.values)))
        if symbol.any():
            symbols = sorted({str(col.texts[int(i)].as_py()) for i in np.flatnonzero(symbol)})
            found.append(col.finding("special_symbols",
                                     f"数値の列「{col.name}」に特殊記号 {' '.join('「' + s + '」' for s in symbols[:10])} があります。"
                                     "記号の意味 (秘匿・該当なし等) と扱い方を明記してください", symbol,
                                     examples=symbols[:MAX_EXAMPLES], symbols=symbols[:20]))
    return found


def time_notation(cols: list[Column]) -> list[dict]:
    """L3-05: 和暦 without 西暦 (``era_dates``) and time columns mixing notations (2024-04-01 and 2024/4/1,
    or 令和6年 and 2024年, in one column)."""
    found = list(era_dates(cols))
    for col in cols:
        filled = int(col.filled_counts.sum())
        if not filled or not len(col.texts):
            continue
        era = col.mask(pc.match_substring_regex(col.texts, WAREKI_RE))
        western = col.mask(pc.match_substring_regex(col.texts, SEIREKI_RE))
        classes: list[tuple[str, np.ndarray]] = [("和暦と西暦の併記", era & western), ("和暦", era & ~western)]
        taken = era.copy()
        for label, rx in TIME_NOTATIONS[2:]:
            m = col.mask(pc.match_substring_regex(col.texts, rx)) & ~taken
            taken |= m
            classes.append((label, m))
        used = [(label, m, col.count(m)) for label, m in classes if m.any()]
        if len(used) < 2 or col.count(taken) < TIME_SHARE * filled:
            continue
        used.sort(key=lambda u: -u[2])
        minority = np.zeros(len(col.texts), dtype=bool)
        for _, m, _ in used[1:]:
            minority |= m
        examples = [str(col.texts[int(np.flatnonzero(m)[0])].as_py()) for _, m, _ in used][:MAX_EXAMPLES]
        found.append(col.finding("mixed_time_notation",
                                 f"列「{col.name}」で日付・年の表記が混在しています: {'、'.join(u[0] for u in used)}。"
                                 "1つの表記 (西暦、または和暦に西暦を併記) に統一してください", minority,
                                 examples=examples, notations=[u[0] for u in used]))
    return found


