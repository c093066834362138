"""The bulky-waste fee table, parsed from the notices of a 5374 dictionary (亀岡市's target.csv).

The notices say the fee as the value of 粗大ごみ料金シール to stick on the item, either flat —
「400円分の粗大ごみ料金シールが必要」 — or by size — 「長辺1m未満なら600円、1m以上1.5m未満なら1,000円、…、
2m以上なら1,800円分の粗大ごみ料金シールが必要」 (sizes in m, 畳 or 型 (inches, TVs)).

``parse(notice) -> Parsed``: a size fee becomes tiers ``[{"label", "min", "max", "unit", "yen"}]``
(``min`` inclusive, ``max`` exclusive, ``None`` = open; m are stored as cm). Text the parser cannot
read, and tiers with a gap or overlap (a real defect: 「長辺1m未満なら600円、2m以上なら1,200円」 says
nothing of 1–2 m), give ``status="needs_review"`` with the ``reason``; staff then fix the tiers by hand.
``sync(source, items)`` writes ``FeeRule`` rows (staff-reviewed rows are kept).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from .models import FeeRule

#: the sentence that states the fee
_FEE = re.compile(r"([^。【】]*?)分の粗大ごみ料金シール")
_YEN = r"([0-9][0-9,]*)円"
_FLAT = re.compile(rf"^{_YEN}$")
_NUM = r"([0-9]+(?:\.[0-9]+)?)"
_UNIT = r"(m|cm|畳|型)"
#: one tier: 「長辺1m未満なら600円」「1m以上1.5m未満なら1,000円」「2m以上なら1,800円」
_TIER = re.compile(rf"^(長辺|高さ|幅)?(?:{_NUM}{_UNIT}以上)?(?:{_NUM}{_UNIT}未満)?なら{_YEN}$")
_UNITS = {"m": "cm", "cm": "cm", "畳": "畳", "型": "型"}


@dataclass
class Parsed:
    kind: str  # "flat" | "size"
    status: str  # "parsed" | "needs_review"
    yen: int | None = None
    tiers: list[dict] = field(default_factory=list)
    reason: str = ""
    text: str = ""


def _value(number: str, unit: str) -> float | int:
    v = float(number) * (100 if unit == "m" else 1)
    return int(v) if v == int(v) else v


def parse(notice: str) -> Parsed:
    """The fee stated in *notice* (see the module docstring). Never raises."""
    text = unicodedata.normalize("NFKC", notice or "").replace("\r", "").replace("\n", "")
    m = _FEE.search(text)
    if not m:
        return Parsed("flat", "needs_review", reason="料金シールの記載が見つかりません")
    stated = re.sub(r"^.*(ください|です)。?", "", m.group(1)).strip()
    flat = _FLAT.match(stated)
    if flat:
        return Parsed("flat", "parsed", yen=int(flat.group(1).replace(",", "")), text=stated)
    tiers: list[dict] = []
    for part in stated.split("、"):
        t = _TIER.match(part.strip())
        if not t or not (t.group(2) or t.group(4)):
            return Parsed("size", "needs_review", reason=f"読み取れない記載: 「{part.strip()}」", text=stated)
        _dim, lo, lo_unit, hi, hi_unit, yen = t.groups()
        unit = _UNITS[lo_unit or hi_unit]
        if lo_unit and hi_unit and _UNITS[lo_unit] != _UNITS[hi_unit]:
            return Parsed("size", "needs_review", reason=f"単位が混在: 「{part}」", text=stated)
        tiers.append({"label": part.removesuffix(f"なら{yen}円").strip(),
                      "min": _value(lo, lo_unit) if lo else None,
                      "max": _value(hi, hi_unit) if hi else None,
                      "unit": unit, "yen": int(yen.replace(",", ""))})
    problem = check_tiers(tiers)
    if problem:
        return Parsed("size", "needs_review", tiers=tiers, reason=problem, text=stated)
    return Parsed("size", "parsed", tiers=tiers, text=stated)


def check_tiers(tiers: list[dict]) -> str:
    """``""`` when the tiers cover every size once, in order (first open below, last open above, each
    ``min`` the previous ``max``, one unit); else the problem, in Japanese."""
    if len(tiers) < 2:
        return "大きさ別の料金が2区分未満です"
    if len({t.get("unit") for t in tiers}) != 1:
        return "単位が混在しています"
    if tiers[0].get("min") is not None or tiers[-1].get("max") is not None:
        return "最小または最大の区分がありません"
    for before, after in itertools.pairwise(tiers):
        if before.get("max") is None or before["max"] != after.get("min"):
            return f"区分の間に抜けか重なりがあります: 「{before['label']}」と「{after['label']}」"
    if any(not isinstance(t.get("yen"), int) or t["yen"] <= 0 for t in tiers):
        return "料金が正しくありません"
    return ""


def sync(source: str, items: list[tuple[str, str]]) -> dict[str, int]:
    """Write the ``FeeRule`` of each ``(item name, notice)`` of *source*; rows staff reviewed are left
    as they are. Returns counts ``{"flat", "size", "needs_review", "reviewed", "created"}`` over *items*."""
    counts = {"flat": 0, "size": 0, "needs_review": 0, "reviewed": 0, "created": 0}
    existing = {r.item: r for r in FeeRule.objects.filter(source=source)}
    with transaction.atomic():
        for name, notice in items:
            rule = existing.get(name)
            if rule is not None and rule.status == FeeRule.Status.REVIEWED:
                counts["reviewed"] += 1
                continue
            p = parse(notice)
            counts["needs_review" if p.status == "needs_review" else p.kind] += 1
            values = {"kind": p.kind, "yen": p.yen, "tiers": p.tiers, "status": p.status, "reason": p.reason,
                      "source_text": notice}
            if rule is None:
                FeeRule.objects.create(source=source, item=name, **values)
                counts["created"] += 1
            else:
                FeeRule.objects.filter(pk=rule.pk).update(**values)
    return counts
