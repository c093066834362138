"""What an XLSX sheet's XML says about rules 1-4 (merged cells), 1-7 (formulas), 1-8 (objects).

The sheet part is streamed from the zip in chunks and searched with regular
expressions (no workbook load): ``<mergeCell ref="A1:C1"/>``, a cell whose first
child is ``<f>`` (a formula, shared or not), and ``<drawing>`` /
``<legacyDrawing>`` (shapes, charts, pictures, comments boxes) — ECMA-376 Part 1
§18.3.1 (worksheet), §18.3.1.55 (mergeCell), §18.3.1.40 (f).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

CHUNK_BYTES = 1 << 20
MAX_LISTED = 20

_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\b(?:\w+:)?id="([^"]+)"', re.S)
_REL = re.compile(rb'<Relationship\b[^>]*>', re.S)
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


def scan_xlsx(data: bytes, sheet: str | None) -> dict | None:
    """Merged ranges, formula cells and drawings of one sheet.

    :returns: ``{"sheet", "merged": [ref ≤ 20], "merged_count", "formula_cells": [ref ≤ 20],
        "formula_count", "objects": bool}``, or ``None`` if the file is not a readable XLSX
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with zf:
        part = sheet_part(zf, sheet)
        if part is None or part not in zf.namelist():
            return None
        out = {"sheet": sheet, "merged": [], "merged_count": 0, "formula_cells": [], "formula_count": 0,
               "objects": False}
        tail = b""
        with zf.open(part) as f:
            while True:
                chunk = f.read(CHUNK_BYTES)
                buf = tail + chunk
                # matches starting in the last 4 KiB wait for the next round (the element may be cut)
                limit = len(buf) if not chunk else max(0, len(buf) - 4096)
                for rx, key in ((_MERGE, "merged"), (_FORMULA, "formula_cells")):
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
                if _DRAWING.search(buf):
                    out["objects"] = True
                if not chunk:
                    break
                tail = buf[limit:]
        return out
