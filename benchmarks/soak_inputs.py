"""Hostile files for the soak suite (``soak.py``) and its short CI version.

Each function returns the bytes of one file a careless or malicious uploader
might send: a zip-bomb XLSX, a CSV 100,000 columns wide, a CSV with one 10 MB
field, cells that spreadsheet programs would run as formulas (OWASP "CSV
injection"), and a small valid XLSX to mutate in the fuzzer.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

#: the classic DDE payload of OWASP's CSV-injection page
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT_TITLE = '<script>alert("madoguchi")</script>人口'

_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
_SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"


def small_xlsx(rows: list[list] | None = None) -> bytes:
    """A valid one-sheet workbook (openpyxl), by default a header and two rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人口"
    for row in rows or [["町名", "人口"], ["大通東1丁目", 10], ["大通西2丁目", 20]]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb_xlsx(inflated_bytes: int = 2 * 1024 ** 3, *, declared_bytes: int | None = None) -> bytes:
    """An .xlsx of a few MB whose ``xl/worksheets/sheet1.xml`` inflates to ``inflated_bytes``.

    The other members are those of a real workbook. The sheet is one inline
    string of ``A`` repeated; its deflate stream is built from one compressed
    1 MiB block repeated (the compressor is fully flushed between blocks, so
    every block after the first compresses to the same bytes), with an honest
    CRC-32 and honest sizes (the declared size is the real one: < 4 GiB, no zip64).
    ``declared_bytes`` makes the central directory lie about the inflated size.
    """
    import zipfile

    if inflated_bytes >= 2 ** 32 - 1:
        raise ValueError("keep the bomb under 4 GiB (no zip64 here)")
    block = b"A" * (1024 * 1024)
    n_blocks = max(1, (inflated_bytes - len(_SHEET_HEAD) - len(_SHEET_TAIL)) // len(block))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(_SHEET_HEAD) + comp.flush(zlib.Z_FULL_FLUSH)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    steady = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert steady == again, "zlib did not settle on one block encoding"
    tail = comp.compress(_SHEET_TAIL) + comp.flush(zlib.Z_FINISH)
    compressed = head + first + steady * (n_blocks - 1) + tail
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(n_blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(_SHEET_TAIL, crc) & 0xFFFFFFFF
    size = len(_SHEET_HEAD) + n_blocks * len(block) + len(_SHEET_TAIL)

    members: list[tuple[str, bytes, bytes, int, int]] = []  # name, compressed, -, crc, size
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as real:
        for info in real.infolist():
            raw = real.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                members.append((info.filename, compressed, b"", crc, declared_bytes or size))
            else:
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                members.append((info.filename, c.compress(raw) + c.flush(), b"", zlib.crc32(raw) & 0xFFFFFFFF,
                                len(raw)))
    return _write_zip(members)


def _write_zip(members) -> bytes:
    """Write a deflated zip by hand from (name, compressed, _, crc, size) tuples."""
    out = io.BytesIO()
    central = io.BytesIO()
    dos_time, dos_date = 0, (2024 - 1980) << 9 | 4 << 5 | 1
    for name, data, _, crc, size in members:
        fname = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, crc, len(data), size,
                              len(fname), 0) + fname)
        out.write(data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, dos_time, dos_date, crc,
                                  len(data), size, len(fname), 0, 0, 0, 0, 0, offset) + fname)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), start, 0))
    return out.getvalue()


def wide_csv(columns: int = 100_000) -> bytes:
    """A header of ``columns`` names and one row of ones."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" for _ in range(columns)) + "\n").encode()


def long_field_csv(field_bytes: int = 10_000_000) -> bytes:
    """Two columns, one row; the first cell is ``field_bytes`` of ``x``."""
    return ("a,b\n" + "x" * field_bytes + ",1\n").encode()


def formula_csv() -> bytes:
    """Cells that start with = + - @ (OWASP CSV injection), and an honest negative number."""
    return ('名前,式,数\n"' + FORMULA.replace('"', '""') + '",+1+1,-3\n"@SUM(A1)",普通,4\n').encode("utf-8")


def formula_xlsx() -> bytes:
    """The same cells in a workbook (stored as text cells, not formulas)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名前", "式", "数"])
    ws.append(["x", "+1+1", -3])
    ws.append(["@SUM(A1)", "普通", 4])
    ws["A2"].value = FORMULA
    ws["A2"].data_type = "s"  # a text cell that looks like a formula, as a hostile uploader would write it
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


if __name__ == "__main__":  # quick look: sizes and generation time
    t = time.perf_counter()
    bomb = zip_bomb_xlsx()
    print(f"zip bomb: {len(bomb) / 1e6:.1f} MB → 2 GiB, built in {time.perf_counter() - t:.1f} s")
