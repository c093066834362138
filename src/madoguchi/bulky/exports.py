"""The route list as xlsx, by the project's rule for spreadsheets (``madoguchi.spreadsheet.excel_xlsx``)."""

from __future__ import annotations

from collections.abc import Sequence

from madoguchi.spreadsheet import excel_xlsx


def route_xlsx(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """xlsx bytes: sheet 「収集リスト」, bold header, one row per stop."""
    return excel_xlsx(header, rows, title="収集リスト", widths=(16, 14, 12, 36, 16, 48, 10))
