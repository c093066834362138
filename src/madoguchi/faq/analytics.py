"""What citizens ask: the assistant's questions and the contact centre's calls, for staff (issue #15 part 4).

* ``analytics(weeks=12)`` — questions asked, answered (by a Q&A or a service), unanswered and handed off,
  by ISO week and by category (live logs plus ``WeeklyCount`` rows kept when old logs were deleted);
  unanswered questions grouped by similarity (the missing Q&A); the most asked questions per category.
* ``import_call_log(data, file_name)`` — a call log (CSV/XLSX: date, channel, category, question text);
  the question is masked by the privacy scan before it is stored.
* ``call_analytics()`` — top needs (categories), monthly trend, and which calls an existing published
  Q&A would have answered (the assistant's threshold), with examples.

Grouping: questions are normalised like the retrieval's (``faq.normalize.normalize``) and grouped greedily by
``rapidfuzz`` token-set similarity ≥ ``GROUP_SIMILARITY`` (0–100); enough for the few hundred unanswered
questions of a week, not meant for millions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from rapidfuzz import fuzz

from madoguchi.privacy.services import mask_personal_text
from madoguchi.wareki import parse_japanese_date

from .normalize import normalize
from .models import CallLog, QuestionLog, WeeklyCount

GROUP_SIMILARITY = 60
MAX_GROUPED = 2000
CALL_COLUMNS = {
    "date": re.compile(r"^(日付|受付日|年月日|日時|date)$", re.IGNORECASE),
    "channel": re.compile(r"^(チャネル|受付チャネル|受付方法|channel)$", re.IGNORECASE),
    "category": re.compile(r"^(分類|カテゴリ|カテゴリー|category)$", re.IGNORECASE),
    "question": re.compile(r"^(問合せ内容|問い合わせ内容|お問い合わせ内容|内容|質問|question)$", re.IGNORECASE),
}


def week_of(moment) -> dt.date:
    """Monday of the ISO week of a date or datetime (local time)."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day - dt.timedelta(days=day.weekday())


def group_similar(texts: list[str], *, threshold: int = GROUP_SIMILARITY) -> list[dict]:
    """Greedy grouping of similar texts: ``[{"example": str, "count": n, "texts": [...]}]``, largest first."""
    groups: list[dict] = []
    for text in texts[:MAX_GROUPED]:
        key = normalize(text)
        for g in groups:
            if fuzz.token_set_ratio(key, g["key"]) >= threshold or fuzz.partial_ratio(key, g["key"]) >= 85:
                g["texts"].append(text)
                break
        else:
            groups.append({"key": key, "example": text, "texts": [text]})
    out = [{"example": g["example"], "count": len(g["texts"]), "texts": g["texts"][:10]} for g in groups]
    return sorted(out, key=lambda g: -g["count"])


def analytics(*, weeks: int = 12, today: dt.date | None = None) -> dict:
    """The staff analytics page's figures.

    :returns: ``{"weeks": [{"week", "asked", "answered", "unanswered", "handed_off"}] (oldest first),
        "by_category": [{"category", "asked", "answered", "unanswered", "handed_off"}],
        "unanswered_groups": [{"example", "count", "texts"}], "top_questions": {category: [(text, n)]},
        "totals": {...}}``
    """
    today = today or timezone.localdate()
    start = week_of(today) - dt.timedelta(weeks=weeks - 1)
    per_week: dict[dt.date, Counter] = defaultdict(Counter)
    per_cat: dict[str, Counter] = defaultdict(Counter)
    logs = QuestionLog.objects.filter(asked_at__date__gte=start)
    unanswered, by_cat_text = [], defaultdict(Counter)
    for log in logs.only("asked_at", "category", "outcome", "handed_off", "text"):
        c = Counter(asked=1, answered=int(log.outcome != QuestionLog.Outcome.UNANSWERED),
                    unanswered=int(log.outcome == QuestionLog.Outcome.UNANSWERED), handed_off=int(log.handed_off))
        per_week[week_of(log.asked_at)].update(c)
        per_cat[log.category or "(分類なし)"].update(c)
        if log.outcome == QuestionLog.Outcome.UNANSWERED:
            unanswered.append(log.text)
        else:
            by_cat_text[log.category or "(分類なし)"][log.text] += 1
    for row in WeeklyCount.objects.filter(week__gte=start):
        c = Counter(asked=row.asked, answered=row.answered, unanswered=row.unanswered, handed_off=row.handed_off)
        per_week[row.week].update(c)
        per_cat[row.category or "(分類なし)"].update(c)
    keys = ("asked", "answered", "unanswered", "handed_off")
    week_rows = [{"week": start + dt.timedelta(weeks=i), **{k: per_week[start + dt.timedelta(weeks=i)][k] for k in keys}}
                 for i in range(weeks)]
    cat_rows = sorted(({"category": cat, **{k: c[k] for k in keys}} for cat, c in per_cat.items()),
                      key=lambda r: -r["asked"])
    totals = {k: sum(r[k] for r in week_rows) for k in keys}
    return {"weeks": week_rows, "by_category": cat_rows, "totals": totals,
            "unanswered_groups": group_similar(unanswered)[:20],
            "top_questions": {cat: c.most_common(5) for cat, c in by_cat_text.items()}}


def import_call_log(data: bytes, file_name: str) -> dict:
    """Import a contact-centre call log; all or nothing.

    :returns: ``{"read", "imported", "masked", "skipped": [{"row", "reason"}], "columns"}``
    :raises FaqImportError: unreadable file, or no 日付 / 問合せ内容 column
    """
    from .importing import read_records

    records, columns = read_records(data, file_name, CALL_COLUMNS, {"date": "日付", "question": "問合せ内容"})
    report = {"read": 0, "imported": 0, "masked": 0, "skipped": [], "columns": columns}
    objs = []
    for n, rec in records:
        report["read"] += 1
        cell = lambda key: rec.get(key, "").strip()  # noqa: E731
        day = _date(cell("date"))
        if day is None:
            report["skipped"].append({"row": n, "reason": f"日付「{cell('date')[:20]}」が読めません"})
            continue
        if not cell("question"):
            report["skipped"].append({"row": n, "reason": "問合せ内容が空です"})
            continue
        masked, kinds = mask_personal_text(cell("question"))
        report["masked"] += bool(kinds)
        objs.append(CallLog(date=day, channel=cell("channel")[:30], category=cell("category")[:100],
                            question=masked, batch=file_name[:200]))
    with transaction.atomic():
        CallLog.objects.bulk_create(objs, batch_size=1000)
    report["imported"] = len(objs)
    return report


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    parsed = parse_japanese_date(text)
    return parsed if isinstance(parsed, dt.date) else None


def call_analytics(*, examples: int = 5) -> dict:
    """Top needs, monthly trend and coverage of the imported calls.

    :returns: ``{"total", "by_category": [(category, n)], "by_month": [(YYYY-MM, n)], "by_channel": [...],
        "covered": n, "covered_share": 0..1, "covered_examples": [{"question", "entry_id", "entry_question",
        "score"}], "uncovered_groups": [...]}``
    """
    from .services import answer_threshold, current_index

    calls = CallLog.objects.all()
    total = calls.count()
    by_category = list(calls.values_list("category").annotate(n=Count("id")).order_by("-n")[:20])
    by_channel = list(calls.values_list("channel").annotate(n=Count("id")).order_by("-n"))
    months = Counter(d.strftime("%Y-%m") for d in calls.values_list("date", flat=True))
    index, threshold = current_index(), answer_threshold()
    covered, covered_examples, uncovered = 0, [], []
    for call in calls.only("question")[:5000]:
        hits = index.search(call.question, k=1)
        if hits and hits[0].score >= threshold:
            covered += 1
            if len(covered_examples) < examples:
                covered_examples.append({"question": call.question, "entry_id": hits[0].id, "score": hits[0].score})
        else:
            uncovered.append(call.question)
    considered = min(total, 5000)
    return {"total": total, "by_category": by_category, "by_channel": by_channel,
            "by_month": sorted(months.items()), "covered": covered,
            "covered_share": covered / considered if considered else 0.0,
            "covered_examples": covered_examples, "uncovered_groups": group_similar(uncovered)[:20]}
