"""XLSX reader (openpyxl, read-only): a chosen sheet, the first by default.

Before openpyxl sees a workbook, ``check_zip_bomb`` refuses containers whose
members would inflate beyond ``XLSX_MAX_UNCOMPRESSED_BYTES`` (env
``MADOGUCHI_XLSX_MAX_UNCOMPRESSED_BYTES``, default 1 GiB) in total, compress
better than ``XLSX_MAX_COMPRESSION_RATIO`` (large members only), or hold more
than ``MAX_MEMBERS`` files — a "zip bomb" (OWASP: "File Upload Cheat
Sheet", decompression bombs). A member cannot inflate past its declared size:
``zipfile`` stops at ``file_size`` and raises ``BadZipFile`` on the CRC
mismatch, which ``_open`` and ``read_xlsx`` turn into ``not_xlsx``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import IngestError
from .base import RawTable, cell_text
from .shape import shape_rows

#: what openpyxl, zipfile, zlib and the XML parser raise on a damaged workbook (found by the soak fuzzer)
BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError, EOFError, zlib.error,
          ParseError, NotImplementedError, TypeError, AttributeError)


def sheet_names(data: bytes) -> list[str]:
    """Return the sheet names of an XLSX file in workbook order."""
    wb = _open(data, "")
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


#: members at least this large (uncompressed) must compress no better than settings.XLSX_MAX_COMPRESSION_RATIO
RATIO_CHECK_FROM_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 10_000


def check_zip_bomb(data: bytes, *, file: str = "") -> None:
    """Refuse an XLSX container that would inflate to more than the limits allow.

    Checks the central directory only (no decompression): the sum of declared
    uncompressed sizes ≤ ``settings.XLSX_MAX_UNCOMPRESSED_BYTES`` (bytes), each
    member over 10 MB uncompressed compressed at most ``settings.XLSX_MAX_COMPRESSION_RATIO``
    : 1 (default 200; deflate's maximum is about 1,030 : 1, where bombs sit), and at most
    ``MAX_MEMBERS`` members.

    :raises IngestError: code ``zip_bomb`` naming the member and the limit; ``encrypted`` for a
        password-protected member; ``not_xlsx`` if the container cannot be read at all
    """
    limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.XLSX_MAX_COMPRESSION_RATIO
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except BROKEN as exc:
        raise IngestError(f"XLSX として読めません。壊れているか Excel ファイルではありません ({type(exc).__name__}: {exc})",
                          file=file, code="not_xlsx") from None
    if len(members) > MAX_MEMBERS:
        raise IngestError(f"XLSX の中のファイルが多すぎます ({len(members):,} 個、上限 {MAX_MEMBERS:,} 個)。"
                          f"展開を中止しました (too many zip members)", file=file, code="zip_bomb")
    total = 0
    for info in members:
        if info.flag_bits & 0x1:  # APPNOTE.TXT 4.4.4: bit 0 = encrypted
            raise IngestError(f"XLSX の「{info.filename}」が暗号化されています。パスワードを外して保存し直してください "
                              f"(encrypted zip member)", file=file, code="encrypted")
        total += info.file_size
        if total > limit:
            raise IngestError(f"XLSX を展開すると {limit / 1024 ** 2:,.0f} MB を超えます (「{info.filename}」まで "
                              f"{total / 1024 ** 2:,.0f} MB)。展開を中止しました (declared uncompressed size over "
                              f"the limit MADOGUCHI_XLSX_MAX_UNCOMPRESSED_BYTES)", file=file, code="zip_bomb")
        if info.file_size > RATIO_CHECK_FROM_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise IngestError(f"XLSX の「{info.filename}」の圧縮率が異常です ({ratio:,.0f} : 1、上限 {max_ratio} : 1)。"
                              f"展開を中止しました (compression ratio too high: zip bomb)", file=file, code="zip_bomb")


def _open(data: bytes, file: str):
    check_zip_bomb(data, file=file)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BROKEN as exc:
        raise IngestError(f"XLSX として読めません。壊れているか Excel ファイルではありません ({type(exc).__name__}: {exc})",
                          file=file, code="not_xlsx") from None


def read_xlsx(data: bytes, *, file: str = "", options: dict | None = None, progress=None) -> RawTable:
    """Read one sheet of an XLSX workbook.

    :param options: ``sheet`` — sheet name, or 1-based index as int/str; first sheet by default
    :raises IngestError: ``not_xlsx`` for a broken/non-Excel file, ``sheet`` for an unknown sheet
        (the message lists the sheets), ``empty`` for a sheet without values.
    """
    options = options or {}
    wb = _open(data, file)
    try:
        names = list(wb.sheetnames)
        if not names:
            raise IngestError("XLSX にシートがありません (no worksheet)", file=file, code="empty")
        wanted = options.get("sheet")
        if wanted in (None, ""):
            name = names[0]
        elif str(wanted) in names:
            name = str(wanted)
        elif str(wanted).isdigit() and 1 <= int(wanted) <= len(names):
            name = names[int(wanted) - 1]
        else:
            raise IngestError(f"シート「{wanted}」がありません。シート: {', '.join(names)}", file=file, code="sheet")
        grid: list[list[str | None]] = []
        numbers: list[int] = []
        try:
            ws = wb[name]
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in row]
                if any(cells):
                    # trailing empty cells of sheets with a too-large dimension
                    while cells and cells[-1] is None:
                        cells.pop()
                    grid.append(cells)
                    numbers.append(i)
                if progress and i % 20_000 == 0:
                    progress(min(0.99, i / max(ws.max_row or i, i)))
        except BROKEN as exc:
            raise IngestError(f"シート「{name}」の読み込み中に壊れた箇所がありました ({exc})", file=file,
                              row=len(numbers) + 1, code="not_xlsx") from None
    finally:
        wb.close()
    width = max((len(r) for r in grid), default=0)
    grid = [r + [None] * (width - len(r)) for r in grid]
    return shape_rows(grid, numbers, file=file, info={"format": "xlsx", "sheet": name, "sheets": names})
