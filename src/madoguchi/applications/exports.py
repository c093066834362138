"""Exports of the staff queue for people to open in Excel (issue #14 point 5).

* ``queue_csv(header, rows)`` — CSV by THE project rule (``madoguchi.spreadsheet.excel_csv``: UTF-8 BOM,
  CRLF, formula-like text neutralised).
* ``queue_xlsx(header, rows)`` — a workbook (sheet 申請一覧, bold frozen header, date columns as dates);
  text cells are neutralised the same way, so an answer ``=HYPERLINK(…)`` stays text in Excel.

The rows come from ``staff.export_rows`` (personal data only where the user may see it); the view writes
the audit row (``staff.log_access(…, "export")``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from madoguchi.spreadsheet import excel_csv, neutralize

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_csv(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """CSV bytes (UTF-8 with BOM) of the rows."""
    return excel_csv(header, rows)


def queue_xlsx(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """xlsx bytes of the rows: datetimes as ``yyyy-mm-dd hh:mm``, dates as ``yyyy-mm-dd``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申請一覧"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if isinstance(v, (int, float, dt.date)) or v is None else neutralize(str(v)) for v in row])
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(len(str(name)) * 2 + 2, 40))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
