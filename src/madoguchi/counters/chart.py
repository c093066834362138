"""Geometry of the "best time to visit" chart (inline SVG, drawn by the template).

A dot matrix: one row per weekday, one column per hour. Each dot's *area* is
proportional to the mean 待ち人数 and the number is printed beside it, so the
chart reads without colour; the recommended slot carries a ★ and a double ring.
"""

from __future__ import annotations

import math

from .history import WEEKDAYS, BestTimes

LEFT, TOP, CELL_W, CELL_H, MAX_R = 44, 34, 52, 44, 15


def dot_matrix(best: BestTimes) -> dict | None:
    """``{"width", "height", "columns": [{x, label}], "rows": [{y, label}], "dots": [{cx, cy, r, text, tx, ty,
    best, label}]}`` or ``None`` when there is no history."""
    if not best.slots:
        return None
    hours, weekdays, top = best.hours, best.weekdays, best.max_mean or 1.0
    columns = [{"x": LEFT + i * CELL_W + CELL_W / 2, "label": f"{h}時"} for i, h in enumerate(hours)]
    rows = [{"y": TOP + j * CELL_H + CELL_H / 2, "label": WEEKDAYS[w]} for j, w in enumerate(weekdays)]
    dots = []
    for (weekday, hour), slot in sorted(best.slots.items()):
        cx = LEFT + hours.index(hour) * CELL_W + CELL_W / 2
        cy = TOP + weekdays.index(weekday) * CELL_H + CELL_H / 2
        r = max(2.0, MAX_R * math.sqrt(slot.mean_waiting / top))
        is_best = best.best is not None and (weekday, hour) == (best.best.weekday, best.best.hour)
        dots.append({"cx": round(cx, 1), "cy": round(cy - 5, 1), "r": round(r, 1), "text": f"{slot.mean_waiting:.1f}",
                     "tx": round(cx, 1), "ty": round(cy + CELL_H / 2 - 4, 1), "best": is_best,
                     "label": f"{slot.label} 平均 {slot.mean_waiting:.1f} 人"})
    return {"width": LEFT + len(hours) * CELL_W + 8, "height": TOP + len(weekdays) * CELL_H + 8,
            "columns": columns, "rows": rows, "dots": dots, "max_r": MAX_R}
