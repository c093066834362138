"""Staff exports of a period's entries and results: CSV (UTF-8 with BOM, for Excel) and xlsx.

These contain personal data (names, 利用者番号) and are for staff only; the
public files are the anonymized ``entries.csv`` / ``results.csv`` of ``draw``.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import EntryStatus, LotteryEntry, LotteryPeriod, PriorityClass

RESULT_COLUMNS = ["申込番号", "施設", "施設の種類", "区", "面・室", "利用日", "開始", "終了", "申込者の区分",
                  "利用者番号", "団体番号", "申込者", "希望順位", "優先区分", "状態", "抽選順位", "結果", "予約番号",
                  "無効の理由"]
PRIORITY_LABELS = dict(PriorityClass.choices)


def results_table(period: LotteryPeriod) -> tuple[list[str], list[list]]:
    """``(header, rows)``: every entry of the period (withdrawn and invalid too) with
    its result; values typed (``int``, ``datetime.date``, ``str``; ``None`` = empty)."""
    rows = []
    entries = (LotteryEntry.objects.filter(period=period)
               .select_related("slot__unit__facility", "member", "group", "result").order_by("pk"))
    for e in entries:
        slot, facility = e.slot, e.slot.unit.facility
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        result = getattr(e, "result", None)
        rows.append([
            e.pk, facility.name, facility.get_facility_type_display(), facility.ward, slot.unit.name, start.date(),
            start.strftime("%H:%M"), end.strftime("%H:%M"), "団体" if e.group_id else "個人", e.member_id,
            e.group_id, e.group.name if e.group_id else e.member.name, e.preference,
            PRIORITY_LABELS.get(e.priority_class, e.priority_class), e.get_status_display(),
            result.rank if result else None,
            result.get_outcome_display() if result else ("無効" if e.status == EntryStatus.INVALID else None),
            result.booking_id if result else None, e.invalid_reason or None,
        ])
    return RESULT_COLUMNS, rows


def results_csv(period: LotteryPeriod) -> bytes:
    """The results table as CSV, UTF-8 with BOM (Excel opens it in Japanese), CRLF."""
    from madoguchi.spreadsheet import excel_csv

    header, rows = results_table(period)
    return excel_csv(header, rows)


def results_xlsx(period: LotteryPeriod) -> bytes:
    """The results table as an Excel workbook (sheet 抽選結果, bold frozen header, dates as dates)."""
    header, rows = results_table(period)
    wb = Workbook()
    ws = wb.active
    ws.title = "抽選結果"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(name) * 2 + 2)
        if name == "利用日":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
