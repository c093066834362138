"""Statistical tables as cities publish them → counts for ``suppression``, and back to CSV.

A table has label columns first (町丁, 区 …), then count columns. Recognised:

* cells: integers with optional thousands commas, full-width digits;
  ``-`` / ``－`` / ``―`` / empty mean 0 (the 該当なし convention of Japanese
  statistics); ``x`` / ``X`` / ``*`` / ``…`` (already 秘匿 or 不詳) are an error:
  the true values are needed to suppress safely;
* a **total column**: named 合計 / 総数 / 計 / 総計 / total, or equal in every
  row to the sum of all other count columns (e.g. 札幌市's 人口);
* **subtotal columns**: equal in every row to the sum of the 2+ columns right
  after (or right before) them (e.g. 年少人口 = 0〜4歳 + 5〜9 + 10〜14). They
  are extra published totals the two-way protection does not cover, so they
  are left out of the masked table (reported);
* a **total row**: a label 合計 / 総数 / 計 / 総計 / 全市 / 全体 / total, or a
  first/last row equal to the sum of all other rows.

Totals found in the file are checked against the sums of the cells; the masked
table is written with the sums (a mismatch is reported, never hidden).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .suppression import DEFAULT_K, DEFAULT_SYMBOL, SuppressionError, SuppressionResult, suppress

TOTAL_NAME_RE = re.compile(r"^(合計|総数|計|総計|全体|全市|全区|全市計|総人口|total|grand ?total|all)$", re.IGNORECASE)
ZERO_TEXT = {"", "-", "－", "―", "‐", "−", "ー", "—", "–"}
HIDDEN_TEXT = {"x", "X", "×", "*", "***", "…", "..."}
INT_RE = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass
class LabelledTable:
    """A parsed statistical table: labels, counts and the totals found in the file."""

    label_names: list[str]
    value_names: list[str]
    labels: list[list[str]]
    counts: list[list[int]]
    row_numbers: list[int]
    total_column: str | None = None
    total_column_first: bool = False
    total_row: list[str] | None = None
    total_row_first: bool = False
    dropped_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _cell(text, *, row: int, column: str) -> int:
    raw = "" if text is None else str(text)
    t = unicodedata.normalize("NFKC", raw).strip()
    if t in ZERO_TEXT:
        return 0
    if t in HIDDEN_TEXT:
        raise SuppressionError(f"{row}行目 列「{column}」: 「{raw}」はすでに秘匿された値です。秘匿前の表を入力してください "
                               "(already suppressed; the true counts are needed)")
    if t.endswith(".0"):
        t = t[:-2]
    if not INT_RE.match(t):
        raise SuppressionError(f"{row}行目 列「{column}」: 「{raw}」は 0 以上の整数ではありません (not a count)")
    return int(t.replace(",", ""))


def _auto_label_columns(header: list[str], rows: list[list]) -> int:
    n = 0
    for j in range(len(header)):
        cells = [unicodedata.normalize("NFKC", str(r[j] if r[j] is not None else "")).strip() for r in rows[:200]]
        numeric = sum(1 for c in cells if c in ZERO_TEXT or c in HIDDEN_TEXT or INT_RE.match(c.removesuffix(".0")))
        if numeric == len(cells):
            break
        n += 1
    return n


def parse_table(header: list[str], rows: list[list], *, label_columns: int | None = None,
                row_numbers: list[int] | None = None) -> LabelledTable:
    """Split ``rows`` into labels and counts and find the total column, subtotal columns and total row.

    :param label_columns: number of leading label columns (default: every leading non-numeric column)
    :param row_numbers: file row of each row, for messages (default 2, 3, … after one header row)
    :raises SuppressionError: no count columns, or a cell that is not a count (names row and column)
    """
    rows = [list(r) + [None] * (len(header) - len(r)) for r in rows]
    row_numbers = list(row_numbers) if row_numbers is not None else list(range(2, len(rows) + 2))
    n_labels = _auto_label_columns(header, rows) if label_columns is None else label_columns
    if n_labels >= len(header):
        raise SuppressionError("数値の列がありません。--label-columns を確かめてください (no count columns)")
    names = [str(h) for h in header]
    values = [[_cell(r[j], row=row_numbers[i], column=names[j]) for j in range(n_labels, len(names))]
              for i, r in enumerate(rows)]
    labels = [["" if r[j] is None else str(r[j]) for j in range(n_labels)] for r in rows]
    value_names = names[n_labels:]
    table = LabelledTable(label_names=names[:n_labels], value_names=value_names, labels=labels, counts=values,
                          row_numbers=row_numbers)
    _find_total_row(table)
    _drop_subtotals(table)
    _find_total_column(table)
    if not table.value_names:
        raise SuppressionError("合計以外の数値の列がありません (no count columns besides the totals)")
    return table


def _find_total_row(t: LabelledTable) -> None:
    n = len(t.counts)
    index = next((i for i, lab in enumerate(t.labels) if any(TOTAL_NAME_RE.match(_compact(x)) for x in lab)), None)
    if index is None and n >= 3:
        for i in (0, n - 1):
            others = [r for k, r in enumerate(t.counts) if k != i]
            if t.counts[i] == [sum(c) for c in zip(*others)]:
                index = i
                break
    if index is None:
        return
    total = t.counts.pop(index)
    t.total_row = t.labels.pop(index)
    row = t.row_numbers.pop(index)
    t.total_row_first = index == 0
    sums = [sum(c) for c in zip(*t.counts)]
    bad = [name for name, a, b in zip(t.value_names, total, sums) if a != b]
    if bad:
        t.warnings.append(f"合計行 ({row}行目) が内訳の和と一致しない列があります: {'、'.join(bad[:10])}。"
                          "秘匿後の表には内訳の和を書きます (the total row does not add up)")


def _find_total_column(t: LabelledTable) -> None:
    m = len(t.value_names)
    index = next((j for j, name in enumerate(t.value_names) if TOTAL_NAME_RE.match(_compact(name))), None)
    if index is None and m >= 3:
        for j in range(m):
            if all(r[j] == sum(r) - r[j] for r in t.counts):
                index = j
                break
    if index is None:
        return
    t.total_column = t.value_names.pop(index)
    t.total_column_first = index == 0 or index < m // 2
    column = [r.pop(index) for r in t.counts]
    bad = [t.row_numbers[i] for i, (a, r) in enumerate(zip(column, t.counts)) if a != sum(r)]
    if bad:
        t.warnings.append(f"合計列「{t.total_column}」が内訳の和と一致しない行があります: "
                          f"{', '.join(map(str, bad[:20]))}行目。秘匿後の表には内訳の和を書きます "
                          "(the total column does not add up)")


def _drop_subtotals(t: LabelledTable) -> None:
    """Remove columns that are the sum of the 2+ columns right after (or before) them.

    Smallest spans first, so nested subtotals (年少人口 inside 人口) go before the
    column that sums everything (the total, kept for ``_find_total_column``).
    """
    span = 2
    while span <= len(t.value_names) - 2:
        m = len(t.value_names)
        found = None
        for j in range(m):
            for lo, hi in ((j + 1, j + 1 + span), (j - span, j)):
                if 0 <= lo and hi <= m and any(r[j] for r in t.counts) and \
                        all(r[j] == sum(r[lo:hi]) for r in t.counts):
                    found = j
                    break
            if found is not None:
                break
        if found is None:
            span += 1
            continue
        t.dropped_columns.append(t.value_names.pop(found))
        for r in t.counts:
            r.pop(found)
    if t.dropped_columns and not any("小計列" in w for w in t.warnings):
        t.warnings.append(f"小計列 {'、'.join(t.dropped_columns)} は、秘匿したセルを復元する手がかりになるため秘匿後の表から"
                          "除きました (subtotal columns left out)")


def suppress_table(header: list[str], rows: list[list], *, k: int = DEFAULT_K, label_columns: int | None = None,
                   row_numbers=None) -> tuple[LabelledTable, SuppressionResult]:
    """``parse_table`` then ``suppression.suppress`` (warnings of both are in ``result.warnings``)."""
    table = parse_table(header, rows, label_columns=label_columns, row_numbers=row_numbers)
    result = suppress(table.counts, k=k)
    result.warnings[:0] = table.warnings
    return table, result


def masked_csv(table: LabelledTable, result: SuppressionResult, *, symbol: str = DEFAULT_SYMBOL) -> bytes:
    """The masked table as UTF-8 CSV (with BOM, for Excel): labels, cells (masked → ``symbol``), totals."""
    total_name = table.total_column or "合計"
    masked = result.masked(symbol)

    def line(labels: list[str], cells: list, total: int) -> list:
        return [*labels, total, *cells] if table.total_column_first else [*labels, *cells, total]

    header = line(table.label_names, table.value_names, total_name)
    body = [line(lab, cells, tot) for lab, cells, tot in zip(table.labels, masked, result.row_totals)]
    total_labels = table.total_row or (["合計"] + [""] * (len(table.label_names) - 1) if table.label_names else [])
    total_line = line(total_labels, result.column_totals, sum(result.row_totals))
    rows = [total_line, *body] if table.total_row_first else [*body, total_line]
    from madoguchi.spreadsheet import excel_csv

    return excel_csv(header, rows)


def read_rows(data: bytes, file_name: str, *, sheet=None) -> tuple[list[str], list[list], list[int]]:
    """Read a CSV/XLSX with the datastore's reader (encoding, header row detection).

    :returns: ``(header, rows as text, file row numbers)``
    :raises IngestError: the file cannot be read
    """
    from madoguchi.datastore.services import read_table, row_numbers_at, sniff_format

    fmt = sniff_format(file_name, data[:8192])
    raw = read_table(fmt, data, file=file_name, options={"sheet": sheet} if sheet else {})
    if raw.rows is not None:
        rows = [list(r) for r in raw.rows]
    else:
        columns = [c.to_pylist() for c in raw.columns]
        rows = [list(r) for r in zip(*columns)]
    return list(raw.header), rows, row_numbers_at(raw.row_numbers, list(range(len(rows))))
