"""Exports of the staff queue for people to open in Excel (issue #14 point 5).

* ``queue_csv(header, rows)`` — CSV by THE project rule (``madoguchi.spreadsheet.excel_csv``: UTF-8 BOM,
  CRLF, formula-like text neutralised).
* ``queue_xlsx(header, rows)`` — a workbook (sheet 申請一覧, bold frozen header, date columns as dates);
  text cells are neutralised the same way, so an answer ``=HYPERLINK(…)`` stays text in Excel.

The rows come from ``staff.export_rows`` (personal data only where the user may see it); the view writes
the audit row (``staff.log_access(…, "export")``).
"""

from __future__ import annotations

from collections.abc import Sequence

from madoguchi.spreadsheet import excel_csv, excel_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_csv(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """CSV bytes (UTF-8 with BOM) of the rows."""
    return excel_csv(header, rows)


def queue_xlsx(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """xlsx bytes of the rows (sheet 申請一覧): datetimes as ``yyyy-mm-dd hh:mm``, dates as ``yyyy-mm-dd``."""
    return excel_xlsx(header, rows, title="申請一覧")
