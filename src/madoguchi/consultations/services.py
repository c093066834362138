"""Public comment (パブリックコメント): the public API of ``madoguchi.consultations`` (the only module that writes).

Flow: a consultation is announced and open for a period → opinions arrive by the web form
(``submit_opinion``) or are entered by staff (``enter_submission``); staff split and merge opinions of a
letter (``split_opinion``, ``merge_opinions``) → group them under one summary with the city's answer and
class (``group_opinions``, ``save_group``) → the result goes draft → review → approved → published
(``change_result_state``, ``publish_result``), each step in the history → the result table
(``result_table``, ``export_result``: csv, xlsx, html) and a catalog dataset.

Errors: ``ConsultationError`` (message in Japanese; ``field`` names the form field when there is one).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from madoguchi.text import to_nfc
from madoguchi.uploads import FILE_TYPES

from .models import AnswerClass, Channel, Consultation, Document, Opinion, OpinionGroup, ResultEvent

logger = logging.getLogger(__name__)
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
#: attachments of the public form: at most this many files, each at most this size
ATTACHMENT_MAX_COUNT = 3
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
#: extension → (content type, how the file must start): the project's one table (``madoguchi.uploads``)
ATTACHMENT_TYPES = FILE_TYPES
OPINION_MAX_CHARS = 10_000
BUNDLED_KAWASAKI = Path(__file__).resolve().parent / "fixtures" / "kawasaki-ict-plan-2016-public-comment.yaml"

#: the default answer scheme (Kawasaki City's); a city edits the AnswerClass rows
DEFAULT_CLASSES = [
    ("A", "反映", "御意見を踏まえ、当初案に反映したもの", True),
    ("B", "趣旨に沿い推進", "御意見の趣旨が案に沿ったものであり、御意見の趣旨を踏まえ、取組を推進するもの", False),
    ("C", "参考", "今後の取組を進めていく上で参考とするもの", False),
    ("D", "質問・要望への説明", "案に対する質問・要望の御意見であり、案の内容を説明・確認するもの", False),
    ("E", "その他", "その他", False),
]
DEFAULT_CHANNELS = [("インターネット", True), ("電子メール", False), ("FAX", False), ("郵送", False), ("持参", False)]

State = Consultation.ResultState
#: allowed result state changes: (from, to) → history note
TRANSITIONS = {
    (State.DRAFT, State.REVIEW): "確認を依頼",
    (State.REVIEW, State.DRAFT): "差し戻し",
    (State.REVIEW, State.APPROVED): "承認",
    (State.APPROVED, State.DRAFT): "承認を取り消して修正",
    (State.APPROVED, State.PUBLISHED): "公表",
}
RESERVED_SLUGS = {"staff"}
TABLE_HEADER = ["番号", "意見の要旨", "市の考え方", "区分"]


class ConsultationError(ValueError):
    """A request the rules refuse; ``str()`` is the Japanese message, ``field`` the form field or ``None``."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- set-up -----------------------------------------------------------------------------------------------

def ensure_defaults() -> None:
    """Create the default answer classes (A–E) and channels when none exist (idempotent)."""
    if not AnswerClass.objects.exists():
        for i, (code, label, desc, reflected) in enumerate(DEFAULT_CLASSES):
            AnswerClass.objects.create(code=code, label=label, description=desc, reflected=reflected, order=i)
    if not Channel.objects.exists():
        for i, (name, web) in enumerate(DEFAULT_CHANNELS):
            Channel.objects.create(name=name, web=web, order=i)


def web_channel() -> Channel:
    """The channel of the public web form (インターネット by default)."""
    ensure_defaults()
    return Channel.objects.filter(web=True).order_by("order", "id").first() or Channel.objects.get_or_create(
        name="インターネット", defaults={"web": True})[0]


def local_date(when: dt.datetime) -> dt.date:
    return timezone.localtime(when, TOKYO).date()


# --- listing ----------------------------------------------------------------------------------------------

def public_consultations(now: dt.datetime | None = None) -> dict[str, list[Consultation]]:
    """Announced consultations for the public list: ``{"open", "upcoming", "closed", "published"}``
    (closed = period over, result not yet published)."""
    now = now or timezone.now()
    qs = Consultation.objects.filter(announced=True).prefetch_related("channels")
    out = {"open": [], "upcoming": [], "closed": [], "published": []}
    for c in qs:
        if c.result_published:
            out["published"].append(c)
        elif c.starts_at > now:
            out["upcoming"].append(c)
        elif c.ends_at > now:
            out["open"].append(c)
        else:
            out["closed"].append(c)
    out["open"].sort(key=lambda c: c.ends_at)
    return out


def save_consultation(consultation: Consultation, *, user=None, note: str = "案件を保存") -> Consultation:
    """Save a consultation (text NFC) and note it in the history.

    :raises ConsultationError: the period ends before it starts (field ``ends_at``), slug ``staff`` (``slug``)
    """
    if consultation.slug in RESERVED_SLUGS:
        raise ConsultationError(f"URL 名「{consultation.slug}」は使えません。", "slug")
    if consultation.ends_at <= consultation.starts_at:
        raise ConsultationError("募集終了は募集開始より後にしてください。", "ends_at")
    for name in ("title", "department", "summary", "announced_via", "outcome"):
        setattr(consultation, name, to_nfc(getattr(consultation, name) or ""))
    consultation.save()
    _history(consultation, note, user)
    return consultation


def add_document(consultation: Consultation, *, title: str, file=None, url: str = "") -> Document:
    """Attach a draft document (an uploaded file or a link).

    :raises ConsultationError: neither or both of file and url given
    """
    if bool(file) == bool(url):
        raise ConsultationError("ファイルかリンクのどちらか一方を指定してください。", "file")
    return Document.objects.create(consultation=consultation, title=to_nfc(title), file=file or "", url=url,
                                   order=consultation.documents.count())


# --- answers ----------------------------------------------------------------------------------------------

def _require_editable(consultation: Consultation) -> None:
    if consultation.result_state != State.DRAFT:
        raise ConsultationError(f"結果は「{consultation.get_result_state_display()}」です。"
                                "編集するには作成中に戻してください。")


def group_opinions(opinions: list[Opinion], *, group: OpinionGroup | None = None, user=None) -> OpinionGroup:
    """Put opinions under ``group``, or under a new group whose summary is their text (staff shorten it).

    :raises ConsultationError: no opinions, opinions of another consultation, result not editable
    """
    if not opinions:
        raise ConsultationError("意見を選んでください。", "opinions")
    consultation = opinions[0].consultation
    if any(o.consultation_id != consultation.pk for o in opinions) or (group and group.consultation_id
                                                                          != consultation.pk):
        raise ConsultationError("別の案件の意見はまとめられません。", "opinions")
    _require_editable(consultation)
    with transaction.atomic():
        if group is None:
            number = (consultation.groups.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            group = OpinionGroup.objects.create(consultation=consultation, number=number,
                                                summary="\n".join(o.text for o in opinions))
        Opinion.objects.filter(pk__in=[o.pk for o in opinions]).update(group=group)
    _history(consultation, f"意見 {len(opinions)} 件を要旨 {group.number} にまとめた", user)
    return group


def ungroup_opinion(opinion: Opinion, *, user=None) -> None:
    """Take an opinion out of its group; an emptied group is deleted and the rest renumbered."""
    consultation = opinion.consultation
    _require_editable(consultation)
    group = opinion.group
    with transaction.atomic():
        opinion.group = None
        opinion.save(update_fields=["group"])
        if group and not group.opinions.exists():
            group.delete()
            _renumber(consultation)
    _history(consultation, "意見を要旨から外した", user)


def _renumber(consultation: Consultation) -> None:
    groups = list(consultation.groups.order_by("number", "id"))
    for g in groups:  # two passes: the unique (consultation, number) constraint
        g.number += 100_000
        g.save(update_fields=["number"])
    for i, g in enumerate(groups, start=1):
        g.number = i
        g.save(update_fields=["number"])


def save_group(group: OpinionGroup, *, summary: str, answer: str, answer_class: AnswerClass | None,
               keep_unmasked: bool = False, user=None) -> OpinionGroup:
    """Write a group's summary, the city's answer (once for the group) and its class.

    :raises ConsultationError: empty summary (``summary``), result not editable
    """
    _require_editable(group.consultation)
    summary = to_nfc(summary or "").strip()
    if not summary:
        raise ConsultationError("意見の要旨を入力してください。", "summary")
    group.summary, group.answer, group.answer_class = summary, to_nfc(answer or "").strip(), answer_class
    group.keep_unmasked = keep_unmasked
    group.save()
    _history(group.consultation, f"要旨 {group.number} を編集", user)
    return group


def masked_summary(group: OpinionGroup) -> tuple[str, list[str]]:
    """The summary as it will be published: masked by the privacy scan when it finds personal data, unless
    staff confirmed it holds none (``keep_unmasked``); otherwise exactly as written."""
    from madoguchi.privacy.services import mask_personal_text

    masked, kinds = mask_personal_text(group.summary)
    if not kinds or group.keep_unmasked:
        return group.summary, kinds
    return masked, kinds


# --- review and publication -------------------------------------------------------------------------------

def publication_problems(consultation: Consultation, now: dt.datetime | None = None) -> list[str]:
    """Why the result cannot go to review or be published yet (Japanese sentences; empty when ready)."""
    now = now or timezone.now()
    problems = []
    if now < consultation.ends_at:
        problems.append("意見の募集期間が終わっていません。")
    loose = consultation.opinions.filter(group__isnull=True).count()
    if loose:
        problems.append(f"要旨にまとめていない意見が {loose} 件あります。")
    for g in consultation.groups.all():
        if not g.answer:
            problems.append(f"要旨 {g.number} に市の考え方がありません。")
        if g.answer_class_id is None:
            problems.append(f"要旨 {g.number} に対応区分がありません。")
        if not g.opinions.exists():
            problems.append(f"要旨 {g.number} に意見がありません。")
    return problems


def change_result_state(consultation: Consultation, to: str, *, user=None, note: str = "",
                        now: dt.datetime | None = None) -> Consultation:
    """Move the result along draft → review → approved → published (or back to draft), in the history.

    Publishing goes through ``publish_result``.

    :raises ConsultationError: a change not in ``TRANSITIONS``, or (to review/approved/published) the
        problems of ``publication_problems``
    """
    key = (consultation.result_state, to)
    if key not in TRANSITIONS:
        raise ConsultationError(f"「{consultation.get_result_state_display()}」から"
                                f"「{State(to).label if to in State.values else to}」には変更できません。")
    if to == State.PUBLISHED:
        return publish_result(consultation, user=user, now=now)
    if to != State.DRAFT:
        problems = publication_problems(consultation, now)
        if problems:
            raise ConsultationError(" ".join(problems))
    consultation.result_state = to
    consultation.save(update_fields=["result_state"])
    _history(consultation, (TRANSITIONS[key] + (f": {note}" if note else ""))[:300], user, state=to)
    return consultation


def publish_result(consultation: Consultation, *, user=None, now: dt.datetime | None = None,
                   dataset: bool = True) -> Consultation:
    """Publish an approved result: fix each group's published summary (masked), mark it published, and
    (``dataset``) publish the table as a catalog dataset through the ingestion task.

    :raises ConsultationError: not approved, or ``publication_problems``
    """
    if consultation.result_state != State.APPROVED:
        raise ConsultationError("公表できるのは承認済みの結果だけです。")
    problems = publication_problems(consultation, now)
    if problems:
        raise ConsultationError(" ".join(problems))
    with transaction.atomic():
        for g in consultation.groups.all():
            g.summary_public, g.masked_kinds = masked_summary(g)
            g.save(update_fields=["summary_public", "masked_kinds"])
        consultation.result_state = State.PUBLISHED
        consultation.result_published_at = now or timezone.now()
        consultation.save(update_fields=["result_state", "result_published_at"])
        _history(consultation, "公表", user, state=State.PUBLISHED)
    if dataset:
        transaction.on_commit(lambda: _publish_dataset_logged(consultation, user))
    return consultation


def _publish_dataset_logged(consultation: Consultation, user) -> None:
    """After the result is committed: publish the dataset; a failure is logged and noted in the history
    (the result stays published; staff rerun it with ``madoguchi consultations dataset <slug>``)."""
    try:
        job = publish_dataset(consultation, user=user)
    except Exception as exc:  # the published result must not be undone by a catalog problem
        logger.exception("consultations: dataset of %s failed", consultation.slug)
        _history(consultation, f"データセットの公開に失敗: {exc}", user)
    else:
        _history(consultation, f"データセット {dataset_slug(consultation)} の取込を開始 (ジョブ {job.pk})", user)


def dataset_slug(consultation: Consultation) -> str:
    return f"public-comment-{consultation.slug}"[:100]


def publish_dataset(consultation: Consultation, *, user=None):
    """Publish the result table as the dataset 「<title> 意見募集の結果」 (resource CSV) by the ingestion task.

    The organisation is the one titled like the department, else the first, else one made for the department.

    :returns: the queued ``IngestJob``
    """
    from madoguchi.catalog import services as catalog
    from madoguchi.catalog.models import Organization
    from madoguchi.datastore.services import create_job, enqueue_job

    org = (Organization.objects.filter(title=consultation.department).first()
           or Organization.objects.order_by("id").first()
           or catalog.ensure_organization("city", consultation.department))
    period = (f"{local_date(consultation.starts_at):%Y年%m月%d日}から"
              f"{local_date(consultation.ends_at - dt.timedelta(seconds=1)):%Y年%m月%d日}まで")
    ds = catalog.ensure_dataset(
        dataset_slug(consultation), title=f"{consultation.title} 意見募集（パブリックコメント）の結果",
        organization=org, tags=["パブリックコメント", "意見募集"],
        description=(f"「{consultation.title}」について{period}募集した御意見の要旨、市の考え方と対応区分です。"
                     f"担当: {consultation.department}。個人情報は公表前に伏せています。"))
    data, _ = export_result(consultation, "csv", for_people=False)  # ingested: values exact
    job = create_job(dataset=ds, resource_name="意見の要旨と市の考え方 (CSV)",
                     original_name=f"{consultation.slug}-result.csv", chunks=[data], user=user,
                     description="番号・意見の要旨・市の考え方・区分")
    enqueue_job(job)
    return job


def _history(consultation: Consultation, note: str, user=None, *, state: str | None = None) -> None:
    ResultEvent.objects.create(consultation=consultation, state=state or consultation.result_state, note=note[:300],
                               user=user if getattr(user, "pk", None) else None)


# --- metrics helpers --------------------------------------------------------------------------------------

def consultations_between(first: dt.date, last: dt.date):
    """Announced consultations whose period began between the dates (inclusive, Tokyo dates)."""
    lo = dt.datetime.combine(first, dt.time(0), TOKYO)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), TOKYO)
    return Consultation.objects.filter(announced=True, starts_at__gte=lo, starts_at__lt=hi)


def reflected_counts(consultations) -> tuple[int, int]:
    """``(opinions, opinions whose class counts as reflected)`` over published results of ``consultations``."""
    ops = Opinion.objects.filter(consultation__in=consultations, consultation__result_state=State.PUBLISHED)
    agg = ops.aggregate(n=Count("id"), a=Count("id", filter=Q(group__answer_class__reflected=True)))
    return agg["n"], agg["a"]


from .results import (ResultTable, export_result, import_bundled_kawasaki, import_result,  # noqa: E402,F401
                      result_table)
from .intake import (attachment_error, enter_submission, merge_opinions, receipt_text,  # noqa: E402,F401
                     split_opinion, submit_opinion)
