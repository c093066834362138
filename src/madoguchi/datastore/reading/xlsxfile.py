"""XLSX reader (openpyxl, read-only): a chosen sheet, the first by default."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import IngestError
from .base import RawTable, cell_text
from .shape import shape_rows


def sheet_names(data: bytes) -> list[str]:
    """Return the sheet names of an XLSX file in workbook order."""
    wb = _open(data, "")
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open(data: bytes, file: str):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
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
        wanted = options.get("sheet")
        if wanted in (None, ""):
            name = names[0]
        elif str(wanted) in names:
            name = str(wanted)
        elif str(wanted).isdigit() and 1 <= int(wanted) <= len(names):
            name = names[int(wanted) - 1]
        else:
            raise IngestError(f"シート「{wanted}」がありません。シート: {', '.join(names)}", file=file, code="sheet")
        ws = wb[name]
        grid: list[list[str | None]] = []
        numbers: list[int] = []
        try:
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
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise IngestError(f"シート「{name}」の読み込み中に壊れた箇所がありました ({exc})", file=file,
                              row=len(numbers) + 1, code="not_xlsx") from None
    finally:
        wb.close()
    width = max((len(r) for r in grid), default=0)
    grid = [r + [None] * (width - len(r)) for r in grid]
    return shape_rows(grid, numbers, file=file, info={"format": "xlsx", "sheet": name, "sheets": names})
