"""Trend charts of indicators as inline SVG, drawn on the server (no JavaScript).

Readable without colour (JIS X 8341-3 / WCAG 1.4.1): targets are a dashed line with square
markers, actuals a solid line with round markers, the baseline (策定時) a dotted line; a
legend names each by its line and marker, and every point carries its value as text. The
SVG is ``role="img"`` with a ``<title>`` and a ``<desc>`` listing the numbers; the page shows
the same numbers in a table beside it.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext

from .display import fmt_value, fy_label
from .reports import IndicatorReport

WIDTH, HEIGHT = 360, 280
TOP, BOTTOM, RIGHT = 60, 44, 18
ACTUAL, TARGET, BASELINE, GRID, TEXT = "#0b57a4", "#4a4a4a", "#5c5c5c", "#d0d0d0", "#1a1a1a"


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def trend_points(report: IndicatorReport) -> dict:
    """``{"baseline": (year, value) | None, "targets": [(year, value)], "actuals": [(year, value)]}``."""
    ind = report.indicator
    baseline = (ind.baseline_year, ind.baseline_value) if ind.baseline_value is not None else None
    target_years = sorted({t.year for t in report.targets})
    targets = [(y, report.row(y).target_value) for y in target_years]
    actuals = [(r.year, r.actual) for r in report.rows if r.actual is not None]
    return {"baseline": baseline, "targets": [(y, v) for y, v in targets if v is not None], "actuals": actuals}


def trend_svg(report: IndicatorReport, *, id_prefix: str) -> str:
    """The chart of one indicator (safe HTML string). ``id_prefix`` makes the ids of the
    ``<title>`` / ``<desc>`` unique on the page."""
    ind = report.indicator
    pts = trend_points(report)
    values = [v for _, v in pts["targets"] + pts["actuals"]] + ([pts["baseline"][1]] if pts["baseline"] else [])
    years = [y for y, _ in pts["targets"] + pts["actuals"]] + (
        [pts["baseline"][0]] if pts["baseline"] and pts["baseline"][0] else [])
    title = (gettext("%(name)sの推移（単位: %(unit)s）") if ind.unit else gettext("%(name)sの推移")) % {
        "name": ind.name, "unit": ind.unit}
    desc = _description(ind, pts)
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"
    head = (f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{tid} {did}" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">'
            f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>')
    if not values or not years:
        return head + (f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{TEXT}">'
                       f'{escape(gettext("データがありません"))}</text></svg>')
    lo = min(0.0, float(min(values)))
    hi = float(max(values)) or 1.0
    step = _nice_step(hi - lo)
    hi = math.ceil(hi / step) * step
    lo = math.floor(lo / step) * step
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    left = 10 + 7.4 * max(len(fmt_value(Decimal(str(t)))) for t in ticks)
    y0, y1 = min(years), max(years)
    if y0 == y1:
        y0, y1 = y0 - 1, y1 + 1
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return round(left + (year - y0) / (y1 - y0) * plot_w, 1)

    def y(value) -> float:
        return round(TOP + (hi - float(value)) / (hi - lo) * plot_h, 1)

    parts = [head]
    parts.append(_legend(bool(pts["baseline"])))
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{y(t)}" y2="{y(t)}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y(t) + 4}" text-anchor="end" fill="{TEXT}">'
                     f'{fmt_value(Decimal(str(t)))}</text>')
    label_every = max(1, math.ceil((y1 - y0 + 1) / 6))
    for year in range(y0, y1 + 1):
        if (year - y0) % label_every == 0:
            parts.append(f'<text x="{x(year)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" fill="{TEXT}">'
                         f'{year}</text>')
    parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
                 f'stroke="{TEXT}"/>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end" fill="{TEXT}">'
                 f'{escape(gettext("横軸：年度"))}</text>')
    if pts["baseline"]:
        by, bv = pts["baseline"]
        parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{y(bv)}" y2="{y(bv)}" stroke="{BASELINE}" '
                     f'stroke-width="1.5" stroke-dasharray="2 3"/>')
    if pts["targets"]:
        path = " ".join(f"{x(yr)},{y(v)}" for yr, v in pts["targets"])
        parts.append(f'<polyline points="{path}" fill="none" stroke="{TARGET}" stroke-width="2" '
                     f'stroke-dasharray="7 4"/>')
        for yr, v in pts["targets"]:
            parts.append(f'<rect x="{x(yr) - 4.5}" y="{y(v) - 4.5}" width="9" height="9" fill="#fff" '
                         f'stroke="{TARGET}" stroke-width="2"/>'
                         f'<text x="{x(yr)}" y="{y(v) + 17}" text-anchor="middle" fill="{TARGET}">'
                         f'{fmt_value(v)}</text>')
    if pts["actuals"]:
        path = " ".join(f"{x(yr)},{y(v)}" for yr, v in pts["actuals"])
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL}" stroke-width="2.5"/>')
        for yr, v in pts["actuals"]:
            parts.append(f'<circle cx="{x(yr)}" cy="{y(v)}" r="5" fill="{ACTUAL}"/>'
                         f'<text x="{x(yr)}" y="{y(v) - 9}" text-anchor="middle" fill="{ACTUAL}" '
                         f'font-weight="700">{fmt_value(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(with_baseline: bool) -> str:
    items = [
        (f'<line x1="0" x2="28" y1="0" y2="0" stroke="{TARGET}" stroke-width="2" stroke-dasharray="7 4"/>'
         f'<rect x="9.5" y="-4.5" width="9" height="9" fill="#fff" stroke="{TARGET}" stroke-width="2"/>',
         gettext("目標値（破線・四角）")),
        (f'<line x1="0" x2="28" y1="0" y2="0" stroke="{ACTUAL}" stroke-width="2.5"/>'
         f'<circle cx="14" cy="0" r="5" fill="{ACTUAL}"/>', gettext("実績値（実線・丸）")),
    ]
    if with_baseline:
        items.append((f'<line x1="0" x2="28" y1="0" y2="0" stroke="{BASELINE}" stroke-width="1.5" '
                      f'stroke-dasharray="2 3"/>', gettext("策定時（点線）")))
    out = ['<g class="legend">']
    for i, (mark, label) in enumerate(items):
        gx, gy = 8 + (i % 2) * 176, 16 + (i // 2) * 22
        out.append(f'<g transform="translate({gx} {gy})">{mark}'
                   f'<text x="34" y="4" fill="{TEXT}">{escape(label)}</text></g>')
    out.append("</g>")
    return "".join(out)


def _description(ind, pts: dict) -> str:
    parts = []
    if pts["baseline"]:
        by, bv = pts["baseline"]
        parts.append(gettext("策定時（%(year)s）%(value)s") % {"year": _fy(by), "value": fmt_value(bv)})
    comma = gettext("、")
    if pts["targets"]:
        parts.append(gettext("目標値 %(values)s") % {
            "values": comma.join(f"{_fy(y)} {fmt_value(v)}" for y, v in pts["targets"])})
    if pts["actuals"]:
        parts.append(gettext("実績値 %(values)s") % {
            "values": comma.join(f"{_fy(y)} {fmt_value(v)}" for y, v in pts["actuals"])})
    else:
        parts.append(gettext("実績値なし"))
    unit = gettext("（単位: %(unit)s）") % {"unit": ind.unit} if ind.unit else ""
    stop = gettext("。")
    return stop.join(parts) + stop + unit


def _fy(year) -> str:
    """``2019`` → ``"2019年度"`` (English: ``"FY2019"``)."""
    return fy_label(year) if year is None else gettext("%(year)s年度") % {"year": year}
