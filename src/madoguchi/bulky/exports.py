"""The route list as xlsx (dates ``yyyy-mm-dd``, formula-like text neutralised)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from madoguchi.spreadsheet import neutralize


def route_xlsx(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """xlsx bytes: sheet 「収集リスト」, bold header, one row per stop."""
    wb = Workbook()
    ws = wb.active
    ws.title = "収集リスト"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if isinstance(v, (int, float)) else neutralize(v) for v in row])
    for col, width in zip("ABCDEFG", (16, 14, 12, 36, 16, 48, 10)):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
