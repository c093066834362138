"""Grading: an indicator's yearly status, and the suggested progress grade of a policy.

Source of the rules: 川崎市政策評価 (施策評価シート) — 進捗状況の区分::

    A 順調に推移している（目標を達成した）
    B 一定の進捗がある（目標未達成のものがあるが一定の進捗があった）
    C 進捗は遅れている（1期策定時を下回るものが多くあった）
    D 進捗は大幅に遅れている（1期策定時を大幅に下回った）

and 今後の方向性 I–IV (a judgement of the programme's make-up; never computed here).

Status of an indicator in fiscal year Y: the target for Y (a yearly target if there is one,
else a period target of that year; revised-away targets are ignored) compared with the
actual of Y by the target's ``comparison`` (``>=`` 以上, ``<=`` 以下 / 上回らないこと …):
``achieved`` / ``not_achieved``; ``no_data`` without an actual; ``no_target`` without a target.

Suggested progress grade from the statuses of one year (only achieved / not achieved count):

* A — every indicator achieved;
* D — half or more are far below the baseline (策定時), i.e. worse than it by at least
  ``FAR_BELOW_BASELINE_RATIO`` (20 %) of the baseline — the documents say only 大幅に;
* C — half or more are below the baseline (多くあった);
* B — otherwise (some not achieved, but not many below the baseline: 一定の進捗).

"Below" means worse in the indicator's direction (for ``lower`` / ``at_most`` a higher value).
An indicator without a baseline value (策定時 "—") never counts as below it.
No suggestion (``None``) when no indicator has both a target and an actual for the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

FAR_BELOW_BASELINE_RATIO = Decimal("0.2")

PROGRESS_DEFINITIONS = {
    "A": "順調に推移している（目標を達成した）",
    "B": "一定の進捗がある（目標未達成のものがあるが一定の進捗があった）",
    "C": "進捗は遅れている（1期策定時を下回るものが多くあった）",
    "D": "進捗は大幅に遅れている（1期策定時を大幅に下回った）",
}
DIRECTION_DEFINITIONS = {
    "I": "効果的な事業構成である（現状のまま継続する）",
    "II": "概ね効果的な構成である（一部見直し等の余地がある）",
    "III": "あまり効果的な事業構成でない（見直し等の余地が大きい）",
    "IV": "事業構成に問題がある（抜本的な見直し等が必要である）",
}
# Japanese labels (the values of the sheets and the API); an English page translates them with
# ``{% translate label %}`` (gettext_noop only marks them for makemessages).
STATUS_LABELS = {"achieved": gettext_noop("目標達成"), "not_achieved": gettext_noop("目標未達成"),
                 "no_data": gettext_noop("実績なし"), "no_target": gettext_noop("目標なし")}
BASELINE_LABELS = {"above": gettext_noop("策定時を上回る"), "same": gettext_noop("策定時と同じ"),
                   "below": gettext_noop("策定時を下回る"), "far_below": gettext_noop("策定時を大幅に下回る"),
                   "unknown": gettext_noop("策定時の値なし")}


def compare(actual: Decimal, comparison: str, target: Decimal) -> bool:
    """``actual`` ``comparison`` ``target`` for ``>=``, ``<=``, ``>``, ``<``."""
    return {">=": actual >= target, "<=": actual <= target, ">": actual > target, "<": actual < target}[comparison]


def status_of(actual: Decimal | None, target: Decimal | None, comparison: str = ">=") -> str:
    """``achieved`` / ``not_achieved`` / ``no_data`` (no actual) / ``no_target``."""
    if target is None:
        return "no_target"
    if actual is None:
        return "no_data"
    return "achieved" if compare(actual, comparison, target) else "not_achieved"


def versus_baseline(actual: Decimal | None, baseline: Decimal | None, direction: str = "higher") -> str:
    """Where ``actual`` stands against the baseline in the indicator's direction:
    ``above`` (better), ``same``, ``below`` (worse), ``far_below`` (worse by ≥ 20 % of the
    baseline), ``unknown`` (either missing)."""
    if actual is None or baseline is None:
        return "unknown"
    gain = actual - baseline if direction == "higher" else baseline - actual
    if gain > 0:
        return "above"
    if gain == 0:
        return "same"
    if -gain >= abs(baseline) * FAR_BELOW_BASELINE_RATIO:
        return "far_below"
    return "below"


@dataclass
class Suggestion:
    """A suggested progress grade (``None`` if it cannot be judged) and why, in the active language."""

    grade: str | None
    reason: str
    achieved: int = 0
    not_achieved: int = 0
    below_baseline: int = 0
    far_below_baseline: int = 0


def suggest_progress_grade(rows: list[tuple[str, str]]) -> Suggestion:
    """Suggest A–D from ``[(status, versus_baseline), …]``, one per indicator (rules above)."""
    graded = [(s, b) for s, b in rows if s in ("achieved", "not_achieved")]
    achieved = sum(s == "achieved" for s, _ in graded)
    missed = len(graded) - achieved
    below = sum(b in ("below", "far_below") for _, b in graded)
    far = sum(b == "far_below" for _, b in graded)
    counts = {"achieved": achieved, "not_achieved": missed, "below_baseline": below, "far_below_baseline": far}
    if not graded:
        return Suggestion(None, gettext("目標と実績のそろった指標がないため判定できません"), **counts)
    summary = gettext("指標%(n)s件のうち目標達成%(achieved)s件・目標未達成%(missed)s件") % {
        "n": len(graded), "achieved": achieved, "missed": missed}
    if missed == 0:
        return Suggestion("A", gettext("%(summary)s：すべて目標を達成") % {"summary": summary}, **counts)
    if far and far * 2 >= len(graded):
        return Suggestion("D", gettext("%(summary)s、策定時を大幅に下回るもの%(n)s件（半数以上）")
                          % {"summary": summary, "n": far}, **counts)
    if below * 2 >= len(graded):
        return Suggestion("C", gettext("%(summary)s、策定時を下回るもの%(n)s件（半数以上）")
                          % {"summary": summary, "n": below}, **counts)
    return Suggestion("B", gettext("%(summary)s、策定時を下回るもの%(n)s件：一定の進捗あり")
                      % {"summary": summary, "n": below}, **counts)
