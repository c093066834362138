"""What an XLSX sheet's XML says about merged cells (L1-12), formulas (L2-06), objects (L1-10),
hidden rows and columns (L1-13) and formatting that tells values apart (L1-11).

The sheet part is streamed from the zip in chunks and searched with regular
expressions (no workbook load): ``<mergeCell ref="A1:C1"/>``, a cell whose first
child is ``<f>`` (a formula, shared or not), and ``<drawing>`` /
``<legacyDrawing>`` (shapes, charts, pictures, comments boxes) — ECMA-376 Part 1
§18.3.1 (worksheet), §18.3.1.55 (mergeCell), §18.3.1.40 (f).

Hidden rows and columns: ``<row hidden="1">`` (§18.3.1.73; rows folded by a
collapsed outline group are written hidden too) and ``<col min max hidden="1">``
(§18.3.1.13). Formatting: each cell's style ``s`` points at ``cellXfs`` in
``xl/styles.xml`` (§18.8.10), which names a fill (§18.8.20) and a font (§18.8.22).
A data column is reported when its filled cells below the header differ by
fill colour, font colour, bold, italic, strike-through or font size (two or more
states of one kind) — the format then carries something the values do not say.
Alternating fills on every other row (banding) are presentation and not reported;
conditional formats (computed from the values) are not read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter

CHUNK_BYTES = 1 << 20
MAX_LISTED = 20

_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\b(?:\w+:)?id="([^"]+)"', re.DOTALL)
_REL = re.compile(rb'<Relationship\b[^>]*>', re.DOTALL)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_FORMULA = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b')
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_DRAWING = re.compile(rb'<(?:\w+:)?(?:drawing|legacyDrawing|picture|oleObjects|controls)\b')


def _unescape(b: bytes) -> str:
    return (b.decode("utf-8", "replace").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def sheet_part(zf: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip path of the worksheet named ``sheet`` (the first sheet if ``None``)."""
    try:
        workbook = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {}
    for m in _REL.finditer(rels):
        attrs = dict(_ATTR.findall(m.group(0)))
        if b"Id" in attrs and b"Target" in attrs:
            targets[attrs[b"Id"].decode()] = attrs[b"Target"].decode()
    for name, rid in _SHEET.findall(workbook):
        if sheet is None or _unescape(name) == sheet:
            target = targets.get(rid.decode())
            if not target:
                return None
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b([^>]*?\bhidden="(?:1|true)"[^>]*)>')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_COL = re.compile(rb'<(?:\w+:)?col\b([^>]*)>')
# a filled cell with a style (attributes in the order Excel, LibreOffice and openpyxl write them);
# cells without ``s`` have style 0
_STYLED_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)([0-9]+)"(?: t="\w+")? s="([0-9]+)"[^>/]*>')
_STYLED_PAIR = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)[0-9]+"(?: t="\w+")? s="([0-9]+)"[^>/]*>')
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_SHEET_STATE = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\bstate="(hidden|veryHidden)"', re.DOTALL)
_TRUE = (b"1", b"true")
#: the kinds of formatting L1-11 compares, in report order
FORMAT_KINDS = ("fill", "font_color", "bold", "italic", "strike", "size")
FORMAT_LABELS = {"fill": "セルの色", "font_color": "文字の色", "bold": "太字", "italic": "斜体", "strike": "取り消し線",
                 "size": "文字の大きさ"}
_BLACK = {"rgb:FF000000:", "rgb:000000:", "theme:1:", "indexed:8:", "indexed:64:"}
_WHITE = {"rgb:FFFFFFFF:", "rgb:FFFFFF:", "theme:0:", "indexed:9:"}
#: rows looked at to find the header row when the caller does not give it
HEADER_GUESS_ROWS = 30


def column_letters(n: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _attrs(b: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: v for k, v in re.findall(rb'([\w:]+)="([^"]*)"', b)}


def _elements(xml: bytes, container: bytes, item: bytes) -> list[bytes]:
    """The inner XML of each ``<item>`` in the first ``<container>`` of ``xml`` (prefixes allowed)."""
    m = re.search(rb"<(?:\w+:)?" + container + rb"\b[^>]*>(.*?)</(?:\w+:)?" + container + rb">", xml, re.DOTALL)
    if not m:
        return []
    return [a + b"\x00" + (body or b"") for a, body in
            re.findall(rb"<(?:\w+:)?" + item + rb"\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?" + item + rb">)", m.group(1), re.DOTALL)]


def _color(xml: bytes, tag: bytes) -> str | None:
    m = re.search(rb"<(?:\w+:)?" + tag + rb"\b([^>]*)/?>", xml)
    if not m:
        return None
    a = _attrs(m.group(1))
    if a.get(b"auto") in _TRUE:
        return None
    for key in (b"rgb", b"theme", b"indexed"):
        if key in a:
            return f"{key.decode()}:{a[key].decode()}:{a.get(b'tint', b'').decode()}"
    return None


def _flag(xml: bytes, tag: bytes) -> bool:
    m = re.search(rb"<(?:\w+:)?" + tag + rb"\b([^>]*)/?>", xml)
    return bool(m) and _attrs(m.group(1)).get(b"val", b"1") in _TRUE


def style_kinds(styles: bytes) -> list[tuple]:
    """Per ``cellXfs`` index the tuple of ``FORMAT_KINDS`` states (``None`` = as the default)."""
    fonts = []
    for f in _elements(styles, b"fonts", b"font"):
        size = re.search(rb'<(?:\w+:)?sz\b[^>]*\bval="([^"]+)"', f)
        fonts.append((_color(f, b"color"), _flag(f, b"b"), _flag(f, b"i"), _flag(f, b"strike"),
                      size.group(1).decode() if size else None))
    fills = []
    for f in _elements(styles, b"fills", b"fill"):
        m = re.search(rb'<(?:\w+:)?patternFill\b([^>]*)>?', f)
        pattern = _attrs(m.group(1)).get(b"patternType", b"none") if m else b"none"
        if pattern in (b"none", b"gray125") and b"gradientFill" not in f:
            fills.append(None)
        else:
            fills.append(_color(f, b"fgColor") or _color(f, b"bgColor") or pattern.decode())
    # black text and a white fill look like no formatting at all
    fonts = [(None if f[0] in _BLACK else f[0], *f[1:]) for f in fonts]
    fills = [None if f in _WHITE else f for f in fills]
    default_font = fonts[0] if fonts else (None, False, False, False, None)
    out = []
    for xf in _elements(styles, b"cellXfs", b"xf"):
        a = _attrs(xf.split(b"\x00")[0])
        fill = fills[int(a.get(b"fillId", 0))] if int(a.get(b"fillId", 0)) < len(fills) else None
        font = fonts[int(a.get(b"fontId", 0))] if int(a.get(b"fontId", 0)) < len(fonts) else default_font
        out.append((fill, font[0] if font[0] != default_font[0] else None, font[1], font[2], font[3],
                    font[4] if font[4] != default_font[4] else None))
    return out


def hidden_sheets(data: bytes) -> list[str]:
    """Names of the workbook's hidden sheets (``state="hidden"`` or ``veryHidden``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [_unescape(n) for n, _ in _SHEET_STATE.findall(zf.read("xl/workbook.xml"))]
    except (zipfile.BadZipFile, KeyError):
        return []


class _Formatting:
    """Per column, per style, the filled styled cells (count, first rows, parities seen) below the header.

    Only cells with an ``s`` attribute are seen (most data cells of a plain sheet have none); the
    column's unstyled cells (style 0) are the data rows less the styled ones. The first chunk of the
    sheet is read cell by cell (it holds the header); later chunks count ``(column, style)`` pairs with
    one ``findall`` and look for rows only for pairs that still have fewer than 20 listed.
    """

    def __init__(self, kinds: list[tuple], header_row: int | None):
        self.kinds = kinds
        self.header_row = header_row
        self.cells: dict[str, dict[int, list]] = {}  # column letter → style → [count, rows, parity bits]
        self.early: list[tuple[str, int, int]] = []  # (letter, style, row) of the top rows while the header is unknown
        self.last_row = 0
        self.exact = True  # cell by cell until the header is behind

    def add_chunk(self, buf: bytes, end: bytes) -> None:
        """The styled cells of ``buf[:end]`` (``end`` is at a ``<``: no tag is cut)."""
        for n in _ROW_NUMBER.finditer(buf, max(0, end - 65536), end):
            self.last_row = max(self.last_row, int(n.group(1)))
        if b' s="' not in buf:
            return
        if self.exact:
            for m in _STYLED_CELL.finditer(buf, 0, end):
                self._add(*m.groups())
            self._settle_header()
            self.exact = self.header_row is None or self.header_row >= self.last_row
            return
        for (letter, style), n in Counter(_STYLED_PAIR.findall(buf, 0, end)).items():
            entry = self.cells.setdefault(letter.decode(), {}).setdefault(int(style), [0, [], 0])
            entry[0] += n
            if len(entry[1]) < MAX_LISTED:
                rx = re.compile(rb'<(?:\w+:)?c r="' + letter + rb'([0-9]+)"(?: t="\w+")? s="' + style + rb'"[^>/]*>')
                for m in rx.finditer(buf, 0, end):
                    row = int(m.group(1))
                    entry[1].append(row)
                    entry[2] |= 1 << (row % 2)
                    if len(entry[1]) >= MAX_LISTED:
                        break

    def _add(self, letter: bytes, row: bytes, style: bytes) -> None:
        row, style, letter = int(row), int(style), letter.decode()
        if self.header_row is not None:
            if row > self.header_row:
                self._count(letter, style, row)
        elif row <= HEADER_GUESS_ROWS:
            self.early.append((letter, style, row))
        else:
            self._count(letter, style, row)

    def _count(self, letter: str, style: int, row: int, front: bool = False) -> None:
        entry = self.cells.setdefault(letter, {}).setdefault(style, [0, [], 0])
        entry[0] += 1
        if front:
            entry[1].insert(0, row)
        elif len(entry[1]) < MAX_LISTED:
            entry[1].append(row)
        entry[2] |= 1 << (row % 2)

    def _settle_header(self) -> None:
        """Guess the header row from the top rows' styled cells (once) and count those below it."""
        if self.header_row is not None or not self.early:
            return
        filled: dict[int, int] = {}
        for _, _, row in self.early:
            filled[row] = filled.get(row, 0) + 1
        widest = max(filled.values())
        self.header_row = min(r for r, n in filled.items() if n >= 0.6 * widest)
        for letter, style, row in reversed(self.early):  # reversed + insert at the front keeps row order
            if row > self.header_row:
                self._count(letter, style, row, front=True)
        self.early = []

    def findings(self, sheet: str | None) -> list[dict]:
        self._settle_header()
        header = self.header_row or 1
        data_rows = max(0, self.last_row - header)
        out = []
        for letter, by_style in self.cells.items():
            styled = sum(e[0] for e in by_style.values())
            groups_in = [(self.kinds[st] if st < len(self.kinds) else self.kinds[0], e) for st, e in by_style.items()]
            if data_rows > styled:
                groups_in.append((self.kinds[0], [data_rows - styled, [], 0]))
            total = max(data_rows, styled)
            if total < 2:
                continue
            kinds, rows, marked = [], set(), 0
            for k, kind in enumerate(FORMAT_KINDS):
                groups: dict = {}
                for state, (count, style_rows, parity) in groups_in:
                    g = groups.setdefault(state[k], [0, [], 0])
                    g[0] += count
                    g[1] += style_rows[:MAX_LISTED]
                    g[2] |= parity
                if len(groups) < 2:
                    continue
                common = max(groups, key=lambda st: groups[st][0])
                minority = [g for st, g in groups.items() if st != common]
                n = sum(g[0] for g in minority)
                if kind == "fill":
                    shaded = [g for st, g in groups.items() if st is not None]
                    n_shaded, parity = sum(g[0] for g in shaded), 0
                    for g in shaded:
                        parity |= g[2]
                    if n_shaded >= 3 and parity in (1, 2) and n_shaded >= 0.4 * total:
                        continue  # every other row shaded (the rows seen have one parity): banding
                kinds.append(kind)
                marked = max(marked, n)
                for g in minority:
                    rows.update(g[1])
            if kinds:
                out.append({"sheet": sheet, "column": letter, "rows": sorted(rows)[:MAX_LISTED], "count": marked,
                            "kinds": kinds,
                            "message": f"{letter}列で{'・'.join(FORMAT_LABELS[k] for k in kinds)}によって"
                                       f"値の違いを表しているセルが {marked} 個あります"})
        out.sort(key=lambda f: (len(f["column"]), f["column"]))
        return out


def scan_xlsx(data: bytes, sheet: str | None, header_row: int | None = None) -> dict | None:
    """Merged ranges, formula cells, drawings, hidden rows/columns and meaningful formatting of one sheet.

    :param header_row: the header's row number (1-based) as the reader found it; cells on and above it
        are not compared for formatting. Without it the first of the top 30 rows holding at least
        60 % of the widest row's cells is taken.
    :returns: ``{"sheet", "merged": [ref ≤ 20], "merged_count", "formula_cells": [ref ≤ 20],
        "formula_count", "objects": bool,
        "hidden": {"sheet", "rows": [row number ≤ 20], "row_count", "columns": [letter ≤ 20], "column_count",
        "sheets": [names of hidden sheets of the workbook]},
        "formatting": [{"sheet", "column" (letter), "rows" (≤ 20), "count", "kinds": [FORMAT_KINDS …],
        "message"}]}``, or ``None`` if the file is not a readable XLSX
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with zf:
        part = sheet_part(zf, sheet)
        if part is None or part not in zf.namelist():
            return None
        try:
            kinds = style_kinds(zf.read("xl/styles.xml"))
        except KeyError:
            kinds = []
        formatting = _Formatting(kinds, header_row) if len(set(kinds)) > 1 else None
        out = {"sheet": sheet, "merged": [], "merged_count": 0, "formula_cells": [], "formula_count": 0,
               "objects": False}
        hidden = {"sheet": sheet, "rows": [], "row_count": 0, "columns": [], "column_count": 0, "sheets": []}
        tail = b""
        with zf.open(part) as f:
            while True:
                chunk = f.read(CHUNK_BYTES)
                buf = tail + chunk
                # matches starting in the last 4 KiB wait for the next round (the element may be cut)
                limit = len(buf) if not chunk else max(0, len(buf) - 4096)
                if chunk:  # cut at a tag's start, so that the tags before the cut are whole
                    lt = buf.rfind(b"<", 0, limit)
                    limit = lt if lt > 0 else limit
                # bytes.find is far faster than a regular expression: search only chunks that can match
                has_formula = b"<f" in buf or b":f>" in buf or b":f " in buf
                for rx, key in ((_MERGE, "merged") if b"mergeCell " in buf else (None, None),
                                (_FORMULA, "formula_cells") if has_formula else (None, None)):
                    if rx is None:
                        continue
                    for m in rx.finditer(buf):
                        if m.start() >= limit:
                            break
                        if key == "merged":
                            value = m.group(1).decode()
                        else:
                            ref = _CELL_REF.search(m.group(1))
                            value = ref.group(1).decode() if ref else "?"
                        out[f"{key.split('_')[0]}_count"] += 1
                        if len(out[key]) < MAX_LISTED:
                            out[key].append(value)
                has_hidden = b'hidden="1"' in buf or b'hidden="true"' in buf
                for m in _HIDDEN_ROW.finditer(buf) if has_hidden else ():
                    if m.start() >= limit:
                        break
                    hidden["row_count"] += 1
                    r = _attrs(m.group(1)).get(b"r")
                    if len(hidden["rows"]) < MAX_LISTED and r:
                        hidden["rows"].append(int(r))
                for m in _COL.finditer(buf) if has_hidden else ():
                    if m.start() >= limit:
                        break
                    a = _attrs(m.group(1))
                    if a.get(b"hidden") in _TRUE and a.get(b"min"):
                        lo, hi = int(a[b"min"]), int(a.get(b"max", a[b"min"]))
                        hidden["column_count"] += hi - lo + 1
                        for n in range(lo, min(hi, lo + MAX_LISTED) + 1):
                            if len(hidden["columns"]) < MAX_LISTED:
                                hidden["columns"].append(column_letters(n))
                if formatting is not None:
                    formatting.add_chunk(buf, limit)
                if not out["objects"] and any(k in buf for k in (b"rawing", b"picture", b"oleObjects", b"controls")) \
                        and _DRAWING.search(buf):
                    out["objects"] = True
                if not chunk:
                    break
                tail = buf[limit:]
    hidden["sheets"] = hidden_sheets(data)
    out["hidden"] = hidden
    out["formatting"] = formatting.findings(sheet) if formatting is not None else []
    return out
