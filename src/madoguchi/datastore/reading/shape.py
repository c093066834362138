"""From a grid of cells to a ``RawTable``: header row, names, ragged rows, empties.

Spreadsheet exports often start with a title or a note (``令和3年4月1日現在``)
above the header, end rows with stray empty cells, or spell headers with
spaces inside (``生産年齢  人    口``). The rules here, each reported:

* fully empty rows are dropped;
* the header is the first of the first ``HEADER_SEARCH_ROWS`` rows whose
  filled cells reach 60 % of the typical row width and which is mostly not
  numbers; rows above it are skipped as title/notes;
* header names are stripped; names with Japanese characters lose inner
  spaces (``0～ 4歳`` → ``0～4歳``), others have runs of spaces collapsed;
  empty names become ``column_N``; duplicates get ``_2``, ``_3``; the reserved
  names ``_id`` and ``_search`` get ``_original`` appended;
* a row longer than the header with filled extra cells adds ``column_N``
  columns (nothing is lost); shorter rows are padded with empty cells;
* a column with no name and no value is dropped;
* leading ``#`` rows: RDF-style metadata (``#property`` is the header, ``#object_type_xsd``
  declared types …) and comments, see ``metadata``; ``info["metadata"]`` says what they gave.
"""

from __future__ import annotations

import re
import statistics
import unicodedata

from ..errors import IngestError
from . import metadata
from .base import RawTable, warning

HEADER_SEARCH_ROWS = 30
#: rows (fully empty ones removed) that ``find_header_row`` looks at
HEADER_LOOKAHEAD_ROWS = HEADER_SEARCH_ROWS + 50
RESERVED = {"_id", "_search"}
#: the characters ``str.isspace()`` is true for (``_has_value`` treats a cell of
#: only these as empty); as a RE2 class for the column-wise reader
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                 "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
BLANK_CELL_RE = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*$"
_NUMERIC = re.compile(r"^[+\-]?[\d,]+(\.\d+)?$")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _filled(row: list[str | None]) -> int:
    return sum(1 for c in row if c is not None and c.strip())


def _has_value(row: list[str | None]) -> bool:
    return any(c and not c.isspace() for c in row)


def find_header_row(rows: list[list[str | None]]) -> int:
    """Return the index of the header row among ``rows`` (fully empty rows removed).

    :raises IngestError: (code ``empty``) if ``rows`` is empty.
    """
    if not rows:
        raise IngestError("データがありません (the file has no rows)", code="empty")
    widths = [_filled(r) for r in rows[:HEADER_LOOKAHEAD_ROWS]]
    typical = statistics.median_high(widths[1:] or widths)
    typical = max(typical, max(widths[:HEADER_SEARCH_ROWS]) * 0.75)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [c.strip() for c in row if c is not None and c.strip()]
        if len(cells) < max(1, 0.6 * typical):
            continue
        numeric = sum(1 for c in cells if _NUMERIC.match(unicodedata.normalize("NFKC", c)))
        if numeric <= len(cells) / 2:
            return i
    return 0


def clean_name(name: str | None) -> str:
    """Header cell → column name (NFC, spaces removed inside Japanese names)."""
    s = unicodedata.normalize("NFC", name or "").strip()
    if _CJK.search(s):
        s = re.sub(r"\s+", "", s)
    else:
        s = re.sub(r"\s+", " ", s)
    return s


def empty_rows_warning(rows: list[int], count: int) -> dict:
    """Warning for fully empty rows dropped; ``rows`` are file row numbers (first 20 suffice)."""
    w = warning("empty_rows_dropped", f"空の行 {count} 行を除きました", rows=rows)
    w["count"] = count
    return w


def title_rows_warning(numbers: list[int], h: int) -> dict:
    """Warning for the ``h`` rows above the header; ``numbers`` are the row numbers of the
    non-empty rows from the top of the file through the header row."""
    return warning("title_rows_skipped",
                   f"表の前のタイトル・注記行 {h} 行を読み飛ばし、{numbers[h]}行目を見出し行としました",
                   rows=numbers[:h])


def empty_columns_warning(count: int) -> dict:
    return warning("empty_columns_dropped", f"名前も値もない列 {count} 列を除きました", count=count)


def name_columns(source: list[str]) -> tuple[list[str], list[dict]]:
    """Column names for the stripped header cells ``source``, and the renaming warnings."""
    warnings: list[dict] = []
    header: list[str] = []
    seen: dict[str, int] = {}
    for j, raw in enumerate(source):
        name = clean_name(raw) or f"column_{j + 1}"
        if name in RESERVED:
            name += "_original"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 1)
        if name != raw:
            warnings.append(warning("column_renamed", f"列名「{raw}」を「{name}」としました", column=name, count=0))
        header.append(name)
    return header, warnings


def shape_rows(grid: list[list[str | None]], grid_row_numbers: list[int], *, file: str = "",
               info: dict | None = None) -> RawTable:
    """Build a ``RawTable`` from raw rows (see module docstring for the rules).

    :param grid: rows as read, cells ``str | None``
    :param grid_row_numbers: 1-based row number in the file of each grid row
    :raises IngestError: (code ``empty``) if no row has a value.
    """
    warnings: list[dict] = []
    keep = [i for i, r in enumerate(grid) if _has_value(r)]
    if len(keep) < len(grid):
        dropped = [grid_row_numbers[i] for i, r in enumerate(grid) if not _has_value(r)]
        warnings.append(empty_rows_warning(dropped, len(dropped)))
    rows = [grid[i] for i in keep]
    numbers = [grid_row_numbers[i] for i in keep]
    if not rows:
        raise IngestError("データがありません。空のファイルか、値のない表です (no values)", file=file, code="empty")
    rows, numbers, meta = metadata.extract(rows, numbers)
    if meta is not None:
        warnings.extend(metadata.warnings_for(meta))
        if not rows:
            raise IngestError("データがありません。「#」で始まる行しかありません (only # rows)", file=file, code="empty")
    h = 0 if meta is not None and meta.has_property else find_header_row(rows)
    if h:
        warnings.append(title_rows_warning(numbers, h))
    source = [(c or "").strip() for c in rows[h]]
    body, body_numbers = rows[h + 1:], numbers[h + 1:]

    width = len(source)
    longer: list[int] = []
    shorter: list[int] = []
    for r, n in zip(body, body_numbers):
        if len(r) > width:
            extra = r[width:]
            if any(c is not None and c.strip() for c in extra):
                longer.append(n)
                width = len(r)
        elif len(r) < len(source):
            shorter.append(n)
    if width > len(source):
        warnings.append(warning("ragged_rows_extended",
                                f"見出しより列の多い行が {len(longer)} 行あります。追加の列 column_N として保存しました",
                                rows=longer))
        source += [""] * (width - len(source))
    if shorter:
        warnings.append(warning("ragged_rows_padded", f"見出しより列の少ない行が {len(shorter)} 行あります。空欄で補いました",
                                rows=shorter))
    body = [(r + [None] * (width - len(r)))[:width] if len(r) != width else r for r in body]

    # Drop columns that have neither a name nor a value.
    used = [bool(source[j]) or any(r[j] and not r[j].isspace() for r in body) for j in range(width)]
    idx = [j for j in range(width) if used[j]]
    if not all(used):
        source = [source[j] for j in idx]
        body = [[r[j] for j in idx] for r in body]
        warnings.append(empty_columns_warning(width - len(idx)))

    header, renamed = name_columns(source)
    warnings.extend(renamed)
    info = dict(info or {}, header_row=numbers[h])
    if meta is not None and meta.keys:
        info["metadata"] = meta.for_columns(header, idx)
    return RawTable(header=header, rows=body, row_numbers=body_numbers, source_names=source,
                    warnings=warnings, info=info)
