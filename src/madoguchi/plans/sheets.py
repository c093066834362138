"""The yearly evaluation sheet (施策評価シート) of a policy, as data for HTML and as xlsx.

Layout after the sheets 川崎市 publishes (施策4-2-5 評価資料, 令和2年7月): the policy and its
place in the plan, 直接目標 and 事務事業; one row per indicator with 指標, 算出方法, 単位,
策定時, 目標値 and 実績 of the previous and the evaluated year, 達成状況, and the period
targets (第n期目標 / 中間値 / 目標値); then 進捗状況 (A–D) and 今後の方向性 (I–IV) with their
definitions and reasons, and the grade suggested from the indicators.

``evaluation_sheet(policy, year)`` builds it once; the HTML page and ``sheet_xlsx`` render
the same cells, so both hold the same numbers (a test compares them).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from . import grading
from .display import fy_label, fy_wareki, plain_number
from .models import Policy
from .reports import EvaluationStatus, area_path, evaluation_status

NUMBER_COLUMNS_FROM = 5  # 0-based index of the first numeric column (策定時の値)


@dataclass
class Sheet:
    """``header`` (column titles), ``rows`` (cells: int/float for numbers, str, ``None`` = —),
    ``facts`` ([(label, text)] above the table) and ``grades`` ([(label, grade, definition,
    reason)] below it)."""

    policy: Policy
    year: int
    title: str
    facts: list[tuple[str, str]]
    header: list[str]
    rows: list[list]
    grades: list[tuple[str, str, str, str]]
    status: EvaluationStatus
    numeric: list[bool] = field(default_factory=list)
    area_count: int = 0  # facts[1 : 1 + area_count] are the policy's areas (labels: the plan's level names)

    @property
    def html_rows(self) -> list[list[tuple[object, bool]]]:
        """Rows as ``[(cell, is_number_column)]`` for the template."""
        return [list(zip(row, self.numeric)) for row in self.rows]


def evaluation_sheet(policy: Policy, year: int, *, status: EvaluationStatus | None = None) -> Sheet:
    """The sheet of ``policy`` for fiscal ``year`` (previous year shown beside it)."""
    status = status or evaluation_status(policy, year)
    plan = policy.plan
    periods = sorted({(t.year, t.label) for r in status.indicators for t in r.period_targets})
    fy = _fy
    header = ["No.", _("指標"), _("算出方法"), _("単位"), _("策定時（年度）"), _("策定時の値"),
              _("%(year)s 目標値") % {"year": fy(year - 1)}, _("%(year)s 実績") % {"year": fy(year - 1)},
              _("%(year)s 目標値") % {"year": fy(year)}, _("%(year)s 実績") % {"year": fy(year)}, _("達成状況")]
    header += [_("%(label)s（%(year)s）") % {"label": label, "year": fy(y)} for y, label in periods]
    numeric = [False] * 5 + [True] * 5 + [False] + [True] * len(periods)
    rows = []
    for r in status.indicators:
        ind = r.indicator
        prev, this = r.row(year - 1), r.row(year)
        period_values = []
        for y, label in periods:
            target = next((t for t in r.period_targets if t.year == y and t.label == label), None)
            period_values.append(plain_number(target.value) if target else None)
        rows.append([r.number, ind.name, ind.method, ind.unit, fy(ind.baseline_year) if ind.baseline_year
                     else None, plain_number(ind.baseline_value), plain_number(prev.target_value),
                     plain_number(prev.actual), plain_number(this.target_value), plain_number(this.actual),
                     _(this.status_label)] + period_values)
    areas = area_path(policy.area)
    facts = [(_("計画"), plan.name)]
    facts += [(a.level_name or _("分野"), f"{a.code} {a.name}") for a in areas]
    facts.append((_("施策"), f"{policy.code} {policy.name}"))
    if policy.direct_goal:
        facts.append((_("直接目標"), policy.direct_goal))
    if policy.programs:
        facts.append((_("事務事業"), "、".join(policy.programs)))
    english = get_language() == "en"
    facts.append((_("評価対象年度"), fy(year) if english else f"{fy_label(year)}（{fy_wareki(year)}）"))
    definitions = plan.grade_definitions or {}
    progress_defs = {**grading.PROGRESS_DEFINITIONS, **definitions.get("progress", {})}
    direction_defs = {**grading.DIRECTION_DEFINITIONS, **definitions.get("direction", {})}
    e = status.evaluation
    s = status.suggestion
    grades = [(_("指標からの判定"), s.grade or "—", progress_defs.get(s.grade or "", ""), s.reason)]
    if e is not None:
        reason = e.progress_reason
        if e.override_reason:
            reason = (_("%(reason)s（判定と異なる理由: %(override)s）") if reason else _("判定と異なる理由: %(override)s")) % {
                "reason": reason, "override": e.override_reason}
        grades.append((_("進捗状況"), e.progress_grade or "—", progress_defs.get(e.progress_grade, ""), reason))
        grades.append((_("今後の方向性"), e.direction_grade or "—", direction_defs.get(e.direction_grade, ""),
                       e.direction_reason))
    else:
        grades.append((_("進捗状況"), "—", "", _("未評価")))
        grades.append((_("今後の方向性"), "—", "", _("未評価")))
    title = _("施策評価シート %(code)s %(name)s（%(year)s）") % {"code": policy.code, "name": policy.name, "year": fy(year)}
    return Sheet(policy=policy, year=year, title=title, facts=facts, header=header, rows=rows, grades=grades,
                 status=status, numeric=numeric, area_count=len(areas))


def _fy(year: int | None) -> str:
    """``2019`` → ``"2019年度"`` (English: ``"FY2019"``, the catalogue's translation); ``None`` → ``—``."""
    return fy_label(year) if year is None else _("%(year)s年度") % {"year": year}


THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")
WIDTHS = {1: 5, 2: 30, 3: 36, 4: 12, 5: 12}


def sheet_xlsx(sheet: Sheet) -> bytes:
    """The sheet as an xlsx file (bytes): facts, the indicator table (numbers as numbers with
    ``#,##0`` formats, ``—`` cells empty), and the grades. Opens in Excel and LibreOffice."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"評価シート{sheet.year}"
    ws.append([sheet.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for label, text in sheet.facts:
        ws.append([label, text])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=len(sheet.header))
        ws.cell(ws.max_row, 2).alignment = WRAP
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(sheet.header)
    for col in range(1, len(sheet.header) + 1):
        cell = ws.cell(header_row, col)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in sheet.rows:
        ws.append(row)
        for col, value in enumerate(row, start=1):
            cell = ws.cell(ws.max_row, col)
            cell.border, cell.alignment = BOX, WRAP
            if sheet.numeric[col - 1] and value is not None:
                cell.number_format = "#,##0" if isinstance(value, int) else "#,##0.0##"
                cell.alignment = Alignment(horizontal="right", vertical="top")
    ws.append([])
    grades_row = ws.max_row + 1
    ws.append(["評価", "区分", "区分の説明", "理由"])
    for col in range(1, 5):
        ws.cell(grades_row, col).font, ws.cell(grades_row, col).fill = Font(bold=True), HEAD_FILL
    for label, grade, definition, reason in sheet.grades:
        ws.append([label, grade, definition, reason])
        for col in range(1, 5):
            ws.cell(ws.max_row, col).alignment = WRAP
    for col in range(1, len(sheet.header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(col, 14)
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header_row_index(sheet: Sheet) -> int:
    """1-based row of the table header in ``sheet_xlsx`` (title, blank, facts, blank, header)."""
    return 2 + len(sheet.facts) + 2
