"""The level reached (1–3) and the score (0–100) of a version's rule results (``evaluation.evaluate_rules``):
the 2026 rules' levels, and the Digital Agency sample checker's deduction table (``rules.SCORE_SOURCE``)."""

from __future__ import annotations

from collections import Counter

from .rules import FAIL, LEVELS, MANUAL, NOT_APPLICABLE, NOT_ASSESSED, PASS, SCORE_SOURCE

MET = (PASS, NOT_APPLICABLE, MANUAL)


def level_of(rules: list[dict], key: str = "result") -> int:
    """The level reached (0–3): level n when every rule of levels 1…n is 〇, 対象外 or 要確認 (要確認 does not
    block; × and 未評価 do)."""
    reached = 0
    for level in LEVELS:
        if all(r[key] in MET for r in rules if r["level"] == level):
            reached = level
        else:
            break
    return reached


def score_points(rules: list[dict], key: str = "result") -> int | None:
    """Score 0–100 by the Digital Agency sample checker's table: a failed FATAL rule → 0, else 100 minus the
    deductions of the failed rules (not below 0); ``None`` when no rule could be judged."""
    judged = [r for r in rules if r[key] in (PASS, FAIL)]
    if not judged:
        return None
    failed = [r for r in judged if r[key] == FAIL]
    if any(r["deduction"] is None for r in failed):
        return 0
    return max(0, 100 - sum(r["deduction"] for r in failed))


def summary_of(rules: list[dict]) -> dict:
    """``{"level", "score", "published_level", "published_score", "score_source", "passed", "failed",
    "manual", "not_applicable", "not_assessed", "blocking": [ids of rules that stop the next level]}``.
    ``level``/``score`` judge the original file, ``published_*`` the published table."""
    counts = Counter(r["result"] for r in rules)
    level = level_of(rules)
    blocking = [r["id"] for r in rules if r["level"] == level + 1 and r["result"] not in MET]
    return {"level": level, "score": score_points(rules), "published_level": level_of(rules, "published"),
            "published_score": score_points(rules, "published"), "score_source": SCORE_SOURCE,
            "passed": counts[PASS], "failed": counts[FAIL], "manual": counts[MANUAL],
            "not_applicable": counts[NOT_APPLICABLE], "not_assessed": counts[NOT_ASSESSED], "blocking": blocking}
