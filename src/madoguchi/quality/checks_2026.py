"""The checks the 2026 rules (デジタル庁「行政データにおける機械可読性に関するルール」, L1-01 … L3-09) need
beyond those of ``checks``: ``more_findings`` returns their findings by official rule id.

Each check reads the distinct texts of a column (Arrow compute), the report's reader warnings, or a few
rows picked by those; none walks the rows in Python. Findings have the shape of ``checks``' findings.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from madoguchi.datastore.services import row_numbers_at, warning

from .checks import _PURE_NUMBER, MAX_EXAMPLES, Column, repeated_header_rows
#
# ``more_findings`` adds the checks the 2026 rules (L1-01 … L3-09) need beyond the ones above. Each check
# reads the distinct texts of a column (Arrow compute), the report's reader warnings, or a few rows picked
# by those; none walks the rows in Python.

log = logging.getLogger("madoguchi.quality")

#: a row that is a note, not data (NFKC text): ※…, 注1) …, (注) …, 出典: …, 資料: …, 備考: …
NOTE_RE = r"^(?:※|\*\s*\S|注\s*[0-9]*\s*[).:]|\(注|出典|出所|資料\s*[:)]|備考\s*:|参考\s*:)"
#: L2-02: only the leading columns (表側) are looked at; blanks between these shares of the rows
OMITTED_MAX_COLUMN = 3
OMITTED_BLANK_SHARE = (0.2, 0.95)
#: L3-09: column names carrying a year, month or age, and how many such columns make a wide table
WIDE_TOKENS = [
    ("年", "年", re.compile(r"(?:(?:19|20)\d{2}|(?:令和|平成|昭和|R|H|S)\s*(?:\d{1,2}|元))\s*(?:年度|年)?")),
    ("月", "月", re.compile(r"(?<!\d)(?:1[0-2]|0?[1-9])\s*月(?:分)?")),
    ("年齢", "年齢", re.compile(r"\d{1,3}\s*(?:歳|才)?\s*[~〜\-–]\s*\d{1,3}\s*(?:歳|才)?(?:児)?|"
                              r"\d{1,3}\s*(?:歳|才)(?:児)?\s*(?:以上|以下|未満)?")),
]
WIDE_MIN_COLUMNS = 3


def _row_numbers_np(row_numbers) -> np.ndarray:
    if isinstance(row_numbers, (pa.Array, pa.ChunkedArray)):
        return np.asarray(row_numbers.to_numpy(zero_copy_only=False), dtype=np.int64)
    if isinstance(row_numbers, range):
        return np.arange(row_numbers.start, row_numbers.stop, row_numbers.step, dtype=np.int64)
    return np.asarray(list(row_numbers), dtype=np.int64)


def _blank_rows(col: Column) -> pa.Array:
    """Per row: true where the cell is empty (no text at all; a placeholder like 「-」 is not empty)."""
    return pc.is_null(col.texts.take(col.indices))


def _cells_at(cols: list[Column], idx: list[int], *, written: bool = False) -> list[list[str | None]]:
    """The NFKC texts of the rows at positions ``idx`` (a few rows only); ``written``: text columns as
    stored (NFC), for examples."""
    if not idx:
        return []
    take = pa.array(idx, pa.int64())
    per_col = []
    for col in cols:
        picked = col.indices.take(take).to_pylist()
        texts = col.values if written and col.type == "string" else col.texts
        per_col.append([None if i is None else texts[i].as_py() for i in picked])
    return [list(r) for r in zip(*per_col)]


def _finding(message: str, *, column=None, rows=(), count=None, examples=(), code: str = "", **extra) -> dict:
    w = warning(code, message, rows=list(rows), column=column, count=count)
    w["examples"] = list(examples)[:MAX_EXAMPLES]
    w.update(extra)
    return w


def _warnings(report: dict, code: str) -> list[dict]:
    return [w for w in report.get("warnings") or [] if isinstance(w, dict) and w.get("code") == code]


def _numeric_share(col: Column) -> float:
    filled = int(col.filled_counts.sum())
    if col.type in ("integer", "number"):
        return 1.0
    if not filled or not len(col.texts):
        return 0.0
    return col.count(col.mask(pc.match_substring_regex(col.texts, _PURE_NUMBER))) / filled


def several_tables(cols: list[Column]) -> list[dict]:
    """L1-02: a second table below the first: after an empty row (a gap in the file row numbers), a row
    that is a title (one filled cell) or a header (text where mostly numeric columns hold numbers), followed
    by more rows. Rows repeating the first header are L1-03's (``repeated_header_rows``)."""
    if len(cols) < 2 or cols[0].num_rows < 3:
        return []
    numbers = _row_numbers_np(cols[0].row_numbers)
    after_gap = (np.flatnonzero(np.diff(numbers) > 1) + 1)[:200].tolist()
    after_gap = [i for i in after_gap if i < len(numbers) - 1]
    if not after_gap:
        return []
    numeric = [j for j, c in enumerate(cols) if _numeric_share(c) >= 0.6]
    headers = [unicodedata.normalize("NFKC", c.source_name).strip() for c in cols]
    wanted = sorted({i for i in after_gap} | {i + 1 for i in after_gap if i + 1 < len(numbers)})
    cells = dict(zip(wanted, _cells_at(cols, wanted)))

    def header_like(i: int) -> bool:
        row = cells.get(i)
        if row is None or sum(1 for j, t in enumerate(row) if t and t == headers[j]) * 2 >= len(cols):
            return False
        texts = [row[j] for j in numeric if row[j]]
        words = [t for t in texts if not re.fullmatch(_PURE_NUMBER, t)]
        return bool(numeric) and len(words) >= 1 and len(words) * 2 >= max(1, len(numeric))

    found = []
    for i in after_gap:
        row = cells[i]
        title = sum(1 for t in row if t) == 1 and len(cols) >= 3
        if header_like(i) or (title and header_like(i + 1)):
            found.append(int(numbers[i]))
    if not found:
        return []
    return [_finding(f"{found[0]}行目から別の表が始まっているようです。1つのシート (CSV は1ファイル) には1つの表だけを載せてください",
                     rows=found, count=len(found), code="several_tables")]


def split_data(cols: list[Column], report: dict, reader_info: dict | None = None) -> list[dict]:
    """L1-03: empty rows inside or above the table, empty columns, and rows repeating the header.

    CSV: the reader's ``empty_rows_dropped`` warning. XLSX: the reader skips empty rows without a
    warning, so the sheet rows missing between the header and the last data row are the empty ones
    (in a CSV a gap may also be a cell spanning lines).
    """
    found = []
    repeated = repeated_header_rows(cols)
    if repeated:
        found.append({**repeated, "examples": []})
    numbers = _row_numbers_np(cols[0].row_numbers) if cols and cols[0].num_rows else None
    last = int(numbers[-1]) if numbers is not None else None
    info = reader_info or {}
    if (info.get("format") or "").lower() == "xlsx" and numbers is not None and info.get("header_row"):
        present = np.concatenate([[int(info["header_row"])], numbers])
        gaps = np.flatnonzero(np.diff(present) > 1)
        missing = [r for g in gaps[:20] for r in range(int(present[g]) + 1, int(present[g + 1]))][:20]
        count = int((np.diff(present)[gaps] - 1).sum())
        if count:
            found.append(_finding(f"表の途中に空白行が {count} 行あります。不要な空白行は削除してください",
                                  rows=missing, count=count, code="empty_rows_in_table"))
    for w in _warnings(report, "empty_rows_dropped"):
        rows = [r for r in w.get("rows") or [] if last is None or r < last]
        after = len(w.get("rows") or []) - len(rows)
        count = max(len(rows), int(w.get("count") or 0) - after)
        if rows:
            found.append(_finding(f"表の上や途中に空白行が {count} 行あります。不要な空白行は削除してください",
                                  rows=rows, count=count, code="empty_rows_in_table"))
    for w in _warnings(report, "empty_columns_dropped"):
        n = int(w.get("count") or 0)
        if n:
            found.append(_finding(f"項目名も値もない空白列が {n} 列あります。不要な空白列は削除してください",
                                  count=n, code="empty_columns_in_table"))
    return found


def notes_outside(cols: list[Column], report: dict | None = None) -> list[dict]:
    """L1-04: note rows in the data (※…, 注) …, 出典: … in a row with few other cells) and a column without
    a name holding one or two texts (a note beside the table; not when the reader added unnamed columns
    for rows longer than the header — those are L1-15's)."""
    if not cols or not cols[0].num_rows:
        return []
    numbers = _row_numbers_np(cols[0].row_numbers)
    candidates: set[int] = set()
    for col in cols:
        if not len(col.texts):
            continue
        mask = col.mask(pc.match_substring_regex(col.texts, NOTE_RE))
        if mask.any():
            per_row = pa.array(mask, pa.bool_()).take(col.indices).fill_null(False)
            candidates.update(pc.indices_nonzero(per_row).slice(0, 200).to_pylist())
    limit = max(1, len(cols) // 3)
    idx = sorted(candidates)
    notes = [i for i, row in zip(idx, _cells_at(cols, idx)) if len(cols) >= 2 and sum(1 for t in row if t) <= limit]
    found = []
    if notes:
        examples = [next((t for t in row if t), "") for row in _cells_at(cols, notes[:MAX_EXAMPLES], written=True)]
        found.append(_finding(f"表の中に注記・出典などの行が {len(notes)} 行あります。データ本体と無関係な情報は表から除いてください",
                              rows=[int(numbers[i]) for i in notes[:20]], count=len(notes), examples=examples,
                              code="notes_in_table"))
    ragged = bool(_warnings(report or {}, "ragged_rows_extended"))
    for col in cols if not ragged else ():
        filled = int(col.filled_counts.sum())
        unnamed = re.fullmatch(r"column_\d+", col.name) and col.source_name in ("", col.name)
        if not unnamed or not 1 <= filled <= 2 or col.type != "string":
            continue
        mask = col.filled_counts > 0
        found.append(col.finding("note_beside_table", f"項目名のない列「{col.name}」にメモのような値だけがあります", mask,
                                 examples=col.examples(mask)))
    return found


def line_breaks_in_records(cols: list[Column]) -> list[dict]:
    """L1-14 (CSV): cells holding a line break (the record spans several lines of the file)."""
    found = []
    for col in cols:
        if col.type != "string" or not len(col.values):
            continue
        mask = col.mask(pc.match_substring_regex(col.values, r"[\r\n\x{2028}\x{2029}]"))
        if mask.any():
            examples = [e.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵") for e in col.examples(mask)]
            found.append(col.finding("line_break_in_record",
                                     f"列「{col.name}」のセルの中に改行があります。CSV の1件のデータは1行で完結させてください",
                                     mask, examples=examples))
    return found


def unquoted_commas(report: dict) -> list[dict]:
    """L1-15 (CSV): rows with more fields than the header — a value with the delimiter not in quotes."""
    return [_finding(f"見出しより項目の多い行が {w.get('count') or len(w.get('rows') or [])} 行あります。"
                     "カンマを含む値がダブルクォーテーション (\") で囲まれていないようです",
                     rows=w.get("rows") or [], count=w.get("count"), code="unquoted_delimiter")
            for w in _warnings(report, "ragged_rows_extended")]


def omitted_values(cols: list[Column]) -> list[dict]:
    """L2-02: a leading column (表側) written only where its value changes: the first row filled, between
    ``OMITTED_BLANK_SHARE`` of the rows empty, and each filled value (nearly) unique — blank means
    「上と同じ」. Only the run of such columns from the left is looked at."""
    found = []
    for col in cols[:OMITTED_MAX_COLUMN]:
        n = col.num_rows
        if n < 4:
            break
        blank = _blank_rows(col)
        n_blank = int(pc.sum(blank).as_py() or 0)
        filled = n - n_blank
        lo, hi = OMITTED_BLANK_SHARE
        first_filled = not blank[0].as_py()
        distinct = int(np.count_nonzero(col.filled_counts))
        if not (first_filled and lo * n <= n_blank <= hi * n and filled and distinct >= 0.9 * filled):
            break
        rows = row_numbers_at(col.row_numbers, pc.indices_nonzero(blank).slice(0, 20).to_pylist())
        found.append(_finding(f"列「{col.name}」の空欄 {n_blank} 件は、上の行と同じ値を省略したもののようです。"
                              "すべての行に値を入力してください", column=col.name, rows=rows, count=n_blank,
                              code="omitted_repeated_values"))
    return found


def duplicate_names(cols: list[Column]) -> list[dict]:
    """L2-03: column names used by more than one column (as written in the file), and a header split over
    two rows (the first data row holds words in every mostly numeric column: 男 / 女 under 人口)."""
    from collections import Counter

    names = Counter(unicodedata.normalize("NFKC", c.source_name).strip() for c in cols)
    found = [_finding(f"項目名「{name}」の列が {k} 列あります。各列に一意の項目名を付けてください", column=name, count=k,
                      code="duplicate_column_name")
             for name, k in names.items() if name and k > 1]
    numeric = [j for j, c in enumerate(cols) if c.num_rows >= 2 and _numeric_share(c) >= 0.6]
    if len(numeric) >= 2:
        [first] = _cells_at(cols, [0], written=True)
        words = [first[j] for j in numeric if first[j]
                 and not re.fullmatch(_PURE_NUMBER, unicodedata.normalize("NFKC", first[j]))]
        if len(words) == len(numeric):
            rows = row_numbers_at(cols[0].row_numbers, [0])
            found.append(_finding(f"{rows[0]}行目も項目名のようです (項目名が複数行に分かれています)。"
                                  "項目名は1行にまとめ、各列を1行で識別できるようにしてください",
                                  rows=rows, count=1, examples=words, code="header_in_two_rows"))
    return found


def wide_layout(cols: list[Column], report: dict | None = None) -> list[dict]:
    """L3-09: ``WIDE_MIN_COLUMNS`` or more columns of one type whose names differ only by a year, a month
    or an age (2019年, 2020年, 2021年; 4月, 5月, 6月; 0~4歳, 5~9歳 …): a wide table that should be long
    (one row per observation). Columns a declared standard defines are marked ``standard_layout``."""
    groups: dict[tuple, list[str]] = {}
    labels: dict[tuple, str] = {}
    for col in cols:
        name = unicodedata.normalize("NFKC", col.source_name).strip()
        for kind, label, rx in WIDE_TOKENS:
            m = rx.search(name)
            if m:
                key = (kind, name[:m.start()] + "#" + name[m.end():], col.type)
                groups.setdefault(key, []).append(col.name)
                labels[key] = label
                break
    standard = (report or {}).get("standard") or {}
    extra = {e.get("field") for e in standard.get("errors") or [] if e.get("code") == "extra-label"}
    found = []
    for key, names in groups.items():
        if len(names) < WIDE_MIN_COLUMNS:
            continue
        label = labels[key]
        in_standard = bool(standard.get("matched_fields")) and not (set(names) & extra)
        note = "（宣言した標準データセットが定める列です）" if in_standard else ""
        shown = "「" + "」「".join(names[:4]) + "」" + ("…" if len(names) > 4 else "")
        found.append(_finding(f"列 {shown} ({len(names)} 列) は{label}が列方向に並ぶ横持ちです。"
                              f"「{label}」の列と値の列に分けた縦持ち (1行1観測) にしてください{note}",
                              column=names[0], count=len(names), examples=names, code="wide_layout",
                              columns=names, standard_layout=in_standard))
    return found


#: official rule id → check; ``csv`` ones only for delimited text files
from .checks_values import (blank_and_zero, choice_variants, other_details,  # noqa: E402
                           special_symbols, time_notation)

_CHECKS_2026 = [
    ("L1-02", lambda cols, report, info: several_tables(cols), False),
    ("L1-03", lambda cols, report, info: split_data(cols, report, info), False),
    ("L1-04", lambda cols, report, info: notes_outside(cols, report), False),
    ("L1-09", lambda cols, report, info: blank_and_zero(cols), False),
    ("L1-14", lambda cols, report, info: line_breaks_in_records(cols), True),
    ("L1-15", lambda cols, report, info: unquoted_commas(report), True),
    ("L2-02", lambda cols, report, info: omitted_values(cols), False),
    ("L2-03", lambda cols, report, info: duplicate_names(cols), False),
    ("L2-04", lambda cols, report, info: choice_variants(cols), False),
    ("L2-05", lambda cols, report, info: other_details(cols), False),
    ("L3-03", lambda cols, report, info: special_symbols(cols), False),
    ("L3-05", lambda cols, report, info: time_notation(cols), False),
    ("L3-09", lambda cols, report, info: wide_layout(cols, report), False),
]
#: the official rule ids ``more_findings`` can return
MORE_FINDINGS_RULES = tuple(rule for rule, _, _ in _CHECKS_2026)


def more_findings(cols: list[Column], *, typed, reader_info: dict, report: dict) -> dict[str, list[dict]]:
    """Findings of the 2026 rules checked on the cells and the reader's warnings, by official rule id.

    :param cols: ``columns_of(typed, row_numbers)``
    :param typed: the ``TypedTable`` (not read here beyond ``cols``; kept for checks that need it)
    :param reader_info: the reader's facts (``format``, ``delimiter``, ``encoding``, ``header_row``, ``sheet``)
    :param report: ``{"warnings": [reader and typing warnings], "fixes", "standard", …}``
    :returns: ``{rule id: [finding]}`` — an empty list means the rule was checked and is met; a rule is
        missing when it does not apply (L1-14 / L1-15 on a non-CSV file) or its check failed (logged).
        A finding: ``{"code", "message" (Japanese), "column" (or None), "rows" (file rows ≤ 20), "count",
        "examples" (≤ 5 cell texts), "sheet" (XLSX only), …}``
    """
    delimited = bool(reader_info.get("delimiter")) or (reader_info.get("format") or "").lower() in ("csv", "tsv")
    sheet = reader_info.get("sheet")
    out: dict[str, list[dict]] = {}
    for rule, check, csv_only in _CHECKS_2026:
        if csv_only and not delimited:
            continue
        try:
            found = check(cols, report or {}, reader_info or {})
        except Exception:  # advice only: leave the rule unassessed
            log.exception("quality check %s failed", rule)
            continue
        for f in found:
            f.setdefault("examples", [])
            if sheet:
                f["sheet"] = sheet
        out[rule] = found
    return out
