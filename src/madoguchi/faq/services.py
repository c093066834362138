"""Public API of the inquiry assistant (issue #15); other apps import only this module.

* ``ask(question, channel=)`` — the answer to a typed question: a published Q&A with its score, source
  entry and department; a citizen service when the question belongs to one (garbage item → the garbage
  dictionary, shelters → the nearest-shelter page, procedures → the procedure guide); or "I do not know" below the threshold, with the
  hand-off offered. Every question is logged masked (``privacy.services.mask_personal_text``).
* ``handoff`` / ``answer_inquiry`` / ``entry_from_inquiry`` — the staff queue: an inquiry is answered by
  mail (task queue) and can become a new Q&A entry in one step.
* ``save_entry`` — every staff edit of a Q&A, with its history (``QaRevision``).
* ``import_entries`` / ``export_entries`` / ``publish_dataset`` — in ``importing`` (re-exported).
* ``analytics`` / ``import_call_log`` / ``call_analytics`` — in ``analytics`` (re-exported).
* ``purge_expired`` — deletes logs and answered inquiries after their retention periods.

Retrieval is ``faq.retrieval.FaqIndex`` (BM25 + a semantic ranking, fused); the built index is kept per
process and rebuilt when a published entry or a synonym changes (``current_index``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from madoguchi.jobs.services import send_mail_later
from madoguchi.privacy.services import mask_personal_text

from . import retrieval
from .models import CallLog, Inquiry, QaEntry, QaRevision, QuestionLog, Synonym, WeeklyCount

#: questions longer than this are cut before retrieval (a pasted letter still gets an answer)
MAX_QUESTION_CHARS = 1000
#: questions whose words mean the garbage dictionary / the shelter finder should answer
GARBAGE_WORDS = re.compile(r"ごみ|ゴミ|捨て|すて方|出し方|分別|粗大|資源物|収集日")
SHELTER_WORDS = re.compile(r"避難所|避難場所|避難先|ひなん")
#: words that make a garbage question a question about applying (粗大ごみの申込 → the procedure, not the dictionary)
APPLY_WORDS = re.compile(r"申込|申し込|申請|手続|届|予約")


class FaqError(ValueError):
    """Bad input from a person (message in Japanese, ``field`` names the form field)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass
class Hit:
    entry: QaEntry
    score: float


@dataclass
class Answer:
    """What the assistant says. ``status``: ``answered`` | ``service`` | ``unanswered`` | ``empty``."""

    status: str
    question: str = ""
    best: Hit | None = None
    alternatives: list[Hit] = field(default_factory=list)
    service: dict | None = None  # {"kind": "garbage"|"shelters"|"procedure", "title", "url", "items": [...]}
    message: str = ""
    log_id: int | None = None


# ------------------------------------------------------------------ the index

_lock = threading.Lock()
_cache: dict = {"key": None, "index": None}


def _index_key() -> tuple:
    published = QaEntry.objects.filter(state=QaEntry.State.PUBLISHED).aggregate(n=Count("id"), t=Max("updated"))
    synonyms = Synonym.objects.aggregate(n=Count("id"), t=Max("updated"))
    return published["n"], published["t"], synonyms["n"], synonyms["t"]


def synonym_table() -> dict[str, list[str]]:
    """Staff-edited synonyms: ``{term: [variants]}``."""
    return {s.term: s.variant_list() for s in Synonym.objects.all()}


def current_index() -> retrieval.FaqIndex:
    """The retrieval index of the published entries, rebuilt when they or the synonyms changed."""
    key = _index_key()
    with _lock:
        if _cache["key"] != key or _cache["index"] is None:
            entries = [retrieval.Entry(id=e.pk, question=e.question, answer=e.answer, category=e.category)
                       for e in QaEntry.objects.filter(state=QaEntry.State.PUBLISHED)]
            _cache["index"] = retrieval.FaqIndex.build(entries, synonyms=synonym_table())
            _cache["key"] = key
        return _cache["index"]


def answer_threshold() -> float:
    """The combined score above which the best entry is given as the answer (``FAQ_ANSWER_THRESHOLD``,
    or the retrieval engine's default chosen on the evaluation set)."""
    return settings.FAQ_ANSWER_THRESHOLD if settings.FAQ_ANSWER_THRESHOLD is not None \
        else retrieval.DEFAULT_THRESHOLD


# ------------------------------------------------------------------ asking


def _procedure_for(question: str) -> dict | None:
    """The procedure guide's entry for a question about a procedure (procedures.services.answer_for_question):
    its online form first when it can be done online here, else its guide page."""
    from madoguchi.procedures import services as procedures

    procedure = procedures.answer_for_question(question)
    if procedure is None:
        return None
    url = procedure.online_url if procedure.online_here and procedure.online_url else \
        reverse("procedures:detail", args=[procedure.pk])
    return {"kind": "procedure", "title": gettext("手続きの案内: %(name)s") % {"name": procedure.name},
            "url": url, "items": [], "procedure_id": procedure.pk}


def _service_for(question: str) -> dict | None:
    if not GARBAGE_WORDS.search(question) or APPLY_WORDS.search(question):
        if found := _procedure_for(question):
            return found
    if SHELTER_WORDS.search(question):
        return {"kind": "shelters", "title": gettext("近くの避難所を探す"), "url": reverse("shelters:list"), "items": []}
    if GARBAGE_WORDS.search(question):
        from madoguchi.gomi import services as gomi

        try:
            source = gomi.get_source(None)
            result = gomi.search(source, question[:gomi.MAX_QUERY_CHARS], log=False)
        except gomi.GarbageError:  # no garbage dictionary published, or nothing to search for
            return None
        items = [{"name": m.name, "category": m.category, "notes": m.notes} for m in result.matches[:5]]
        if result.found and items:
            return {"kind": "garbage", "title": gettext("ごみの分け方・出し方"), "items": items,
                    "url": reverse("gomi:search") + "?" + _q(items[0]["name"])}
    return None


def _q(question: str) -> str:
    from django.utils.http import urlencode

    return urlencode({"q": question[:100]})


def ask(question: str, *, channel: str = "web", log: bool = True, now: dt.datetime | None = None) -> Answer:
    """Answer a typed question.

    :param question: any text (empty, 10,000 characters, emoji or HTML all get an ``Answer``; it is
        escaped by the templates and the API's JSON, never interpreted)
    :param channel: ``web`` | ``api`` | ``line`` (for the analytics)
    :returns: ``Answer``; ``status`` ``empty`` for a question without letters or digits
    """
    text = (question or "").strip()
    if not re.search(r"\w", text):
        return Answer(status="empty", message=gettext("質問を文章で入力してください。例:「住民票の写しはどこで取れますか」"))
    text = text[:MAX_QUESTION_CHARS]
    answer = Answer(status="unanswered", question=text)
    service = _service_for(text)
    hits = current_index().search(text, k=5)
    by_id = QaEntry.objects.in_bulk([h.id for h in hits])
    ranked = [Hit(by_id[h.id], h.score) for h in hits if h.id in by_id]
    if ranked and ranked[0].score >= answer_threshold():
        answer.status, answer.best, answer.alternatives = "answered", ranked[0], ranked[1:4]
    else:
        answer.alternatives = ranked[:3]
        answer.message = gettext("この質問にお答えできる Q&A が見つかりませんでした。担当課の職員に質問を送ることができます。")
    if service is not None:
        answer.service = service
        if answer.status == "unanswered":
            answer.status, answer.message = "service", ""
    if log:
        answer.log_id = _log(text, answer, channel, now).pk
    return answer


def _log(text: str, answer: Answer, channel: str, now: dt.datetime | None) -> QuestionLog:
    masked, _ = mask_personal_text(text)
    outcome = {"answered": QuestionLog.Outcome.ANSWERED, "service": QuestionLog.Outcome.SERVICE}.get(
        answer.status, QuestionLog.Outcome.UNANSWERED)
    best = answer.best
    return QuestionLog.objects.create(asked_at=now or timezone.now(), text=masked, channel=channel[:10],
                                      outcome=outcome, entry=best.entry if best else None,
                                      category=best.entry.category if best else "",
                                      score=round(best.score if best else (answer.alternatives[0].score
                                                                           if answer.alternatives else 0.0), 4))


# ------------------------------------------------------------------ hand-off to staff


def handoff(question: str, email: str, *, log_id: int | None = None, department: str = "") -> Inquiry:
    """Make an inquiry for the department's staff queue from a question the assistant could not answer.

    :param department: 担当課 (from the closest entry, if any; staff can change it)
    :raises FaqError: empty question (``field="question"``) or a bad address (``field="email"``)
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = (question or "").strip()[:MAX_QUESTION_CHARS * 2]
    if not re.search(r"\w", text):
        raise FaqError("質問を入力してください。", "question")
    try:
        validate_email(email or "")
    except ValidationError:
        raise FaqError("回答をお送りするメールアドレスを正しく入力してください (例: name@example.jp)。", "email") from None
    log = QuestionLog.objects.filter(pk=log_id).first() if log_id else None
    with transaction.atomic():
        inquiry = Inquiry.objects.create(question=text, email=email, department=department[:200],
                                         category=log.category if log else "", log=log)
        if log is not None:
            QuestionLog.objects.filter(pk=log.pk).update(handed_off=True)
    return inquiry


def answer_inquiry(inquiry: Inquiry, answer: str, *, user=None) -> Inquiry:
    """Record the staff answer and send it to the citizen by mail (retried mail task).

    :raises FaqError: empty answer (``field="answer"``)
    """
    answer = (answer or "").strip()
    if not answer:
        raise FaqError("回答を入力してください。", "answer")
    inquiry.answer, inquiry.status = answer, Inquiry.Status.ANSWERED
    inquiry.answered_at, inquiry.answered_by = timezone.now(), user if getattr(user, "pk", None) else None
    body = (f"お問い合わせありがとうございます。\n\n■ご質問\n{inquiry.question}\n\n■回答 ({inquiry.department or '担当課'})\n"
            f"{answer}\n\nこのメールは送信専用です。")
    with transaction.atomic():
        inquiry.save()
        result = send_mail_later("【お問い合わせへの回答】", body, [inquiry.email])
        inquiry.mail_task_id = str(result.id) if result is not None else ""
        inquiry.save(update_fields=["mail_task_id"])
    return inquiry


def entry_from_inquiry(inquiry: Inquiry, *, user=None) -> QaEntry:
    """A draft Q&A from an answered inquiry (question masked of personal data), linked to it.

    :raises FaqError: the inquiry has no answer yet
    """
    if not inquiry.answer:
        raise FaqError("回答してから Q&A にしてください。", "answer")
    if inquiry.entry_id:
        return inquiry.entry
    question, _ = mask_personal_text(inquiry.question)
    entry = QaEntry(question=question, answer=inquiry.answer, category=inquiry.category,
                    department=inquiry.department, source=f"問合せ #{inquiry.pk}")
    save_entry(entry, user=user, note="問合せから作成")
    inquiry.entry = entry
    inquiry.save(update_fields=["entry"])
    return entry


def save_entry(entry: QaEntry, *, user=None, note: str = "") -> QaEntry:
    """Save a Q&A and record the revision (who, when, what)."""
    with transaction.atomic():
        entry.save()
        QaRevision.objects.create(entry=entry, question=entry.question, answer=entry.answer,
                                  category=entry.category, department=entry.department, state=entry.state,
                                  changed_by=user if getattr(user, "pk", None) else None, note=note[:200])
    return entry


# ------------------------------------------------------------------ retention


def purge_expired(*, now: dt.datetime | None = None) -> dict:
    """Delete question logs and call logs older than ``FAQ_LOG_RETENTION_DAYS`` (their counts are kept
    in ``WeeklyCount``) and answered or closed inquiries older than ``FAQ_INQUIRY_RETENTION_DAYS``.

    :returns: ``{"questions": n, "calls": n, "inquiries": n}`` deleted
    """
    from .analytics import week_of

    now = now or timezone.now()
    log_cut = now - dt.timedelta(days=settings.FAQ_LOG_RETENTION_DAYS)
    inquiry_cut = now - dt.timedelta(days=settings.FAQ_INQUIRY_RETENTION_DAYS)
    with transaction.atomic():
        old = QuestionLog.objects.filter(asked_at__lt=log_cut)
        for log in old.only("asked_at", "category", "outcome", "handed_off"):
            row, _ = WeeklyCount.objects.get_or_create(week=week_of(log.asked_at), category=log.category)
            row.asked += 1
            row.answered += log.outcome != QuestionLog.Outcome.UNANSWERED
            row.unanswered += log.outcome == QuestionLog.Outcome.UNANSWERED
            row.handed_off += log.handed_off
            row.save()
        questions = old.delete()[0]
        calls = CallLog.objects.filter(date__lt=log_cut.date()).delete()[0]
        inquiries = Inquiry.objects.filter(status__in=[Inquiry.Status.ANSWERED, Inquiry.Status.CLOSED],
                                           answered_at__lt=inquiry_cut).delete()[0]
    return {"questions": questions, "calls": calls, "inquiries": inquiries}


from .analytics import analytics, call_analytics, import_call_log  # noqa: E402,F401  (public API)
from .importing import ImportReport, export_entries, import_entries, publish_dataset  # noqa: E402,F401
