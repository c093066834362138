"""Files people open in Excel: the one CSV convention of the project and the CSV-injection rule.

* ``excel_csv(header, rows)`` — CSV as Japanese Excel opens it without asking: UTF-8 with BOM, CRLF line
  ends; ``None`` is an empty cell, dates and times are ISO 8601, and text cells that a spreadsheet would
  run as a formula are neutralised (``neutralize``).
* ``excel_xlsx(header, rows, title=)`` — the same table as an xlsx workbook: bold frozen header, numbers and
  dates as Excel values (``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm``), text neutralised like the CSV.
* ``FORMULA_START`` / ``neutralize(value)`` — OWASP "CSV injection": a text cell starting with ``= + - @``
  (or tab / carriage return) gets a leading ``'`` so Excel shows it as text. Numbers stay numbers.
  ``datastore.exports`` applies the same pattern to whole Arrow columns.

Used by every CSV made for people to open: lottery results, suppressed tables, FAQ and public-comment
exports (citizens' text must not become a formula on a staff member's machine).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

#: Cells that spreadsheet programs would run as formulas (OWASP "CSV injection").
FORMULA_START = r"^[=+\-@\t\r]"
_FORMULA_RE = re.compile(FORMULA_START)


def neutralize(value):
    """``"=SUM(A1)"`` → ``"'=SUM(A1)"``; other values unchanged (``None`` → ``""``; dates → ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if _FORMULA_RE.match(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def excel_csv(header: Sequence, rows: Iterable[Sequence], *, for_people: bool = True) -> bytes:
    """``header`` and ``rows`` as CSV bytes for Excel (see the module docstring).

    :param for_people: neutralise formula-like text (a file a person opens). ``False`` for a file that is
        ingested as an open dataset: the values stay exact, and the datastore's own CSV download
        neutralises them when a person downloads it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    plain = (lambda v: "" if v is None else v.isoformat() if hasattr(v, "isoformat") else v)
    cell = neutralize if for_people else plain
    writer.writerows([cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def excel_xlsx(header: Sequence, rows: Iterable[Sequence], *, title: str,
               widths: Sequence[int] | None = None) -> bytes:
    """``header`` and ``rows`` as xlsx bytes (one sheet named ``title``; see the module docstring).

    :param widths: column widths in characters; default from the header's length (10–40)
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's limit for a sheet name
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if v is None or isinstance(v, (bool, int, float, dt.date)) else neutralize(str(v)) for v in row])
    for i, name in enumerate(header, start=1):
        width = widths[i - 1] if widths and i <= len(widths) else max(10, min(len(str(name)) * 2 + 2, 40))
        ws.column_dimensions[get_column_letter(i)].width = width
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
