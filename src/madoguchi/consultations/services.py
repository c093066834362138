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

import csv
import datetime as dt
import io
import logging
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from madoguchi.text import to_nfc

from .models import (
    AnswerClass,
    Attachment,
    Channel,
    Consultation,
    Document,
    Opinion,
    OpinionGroup,
    ResultEvent,
    Submission,
)

logger = logging.getLogger(__name__)
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
#: attachments of the public form: at most this many files, each at most this size
ATTACHMENT_MAX_COUNT = 3
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
#: extension → (content type, how the file must start); ``None``: text that must be UTF-8
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
}
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


# --- intake -----------------------------------------------------------------------------------------------

def attachment_error(upload) -> str | None:
    """Why an uploaded attachment is refused (type by extension and content, size), or ``None``."""
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower()
    if ext not in ATTACHMENT_TYPES:
        return (f"「{name}」は添付できない種類のファイルです。添付できるのは "
                f"{', '.join(sorted({e.lstrip('.').upper() for e in ATTACHMENT_TYPES}))} です。")
    if upload.size > ATTACHMENT_MAX_BYTES:
        return (f"「{name}」は大きすぎます ({upload.size / 1024 / 1024:.1f} MB)。"
                f"1 ファイル {ATTACHMENT_MAX_BYTES // 1024 // 1024} MB までです。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    _, magic = ATTACHMENT_TYPES[ext]
    if magic is None:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            return f"「{name}」は UTF-8 のテキストではありません。"
        finally:
            upload.seek(0)
    elif not head.startswith(magic):
        return f"「{name}」の中身が拡張子 ({ext}) の形式ではありません。"
    return None


def _clean_texts(texts: list[str]) -> list[str]:
    out = [to_nfc(t).strip() for t in texts if t and t.strip()]
    if not out:
        raise ConsultationError("意見を入力してください。", "text")
    for t in out:
        if len(t) > OPINION_MAX_CHARS:
            raise ConsultationError(f"意見は {OPINION_MAX_CHARS:,} 文字以内で入力してください ({len(t):,} 文字)。",
                                    "text")
    return out


def _store(consultation: Consultation, *, channel: Channel, received_on: dt.date, texts: list[str],
           contact: dict, attachments: list, user=None, consent: bool) -> Submission:
    texts = _clean_texts(texts)
    saved_files = []
    try:
        with transaction.atomic():
            sub = Submission.objects.create(
                consultation=consultation, channel=channel, received_on=received_on, consent=consent,
                entered_by=user if getattr(user, "pk", None) else None,
                **{k: to_nfc(contact.get(k) or "").strip() for k in ("name", "email", "address", "phone")})
            for t in texts:
                Opinion.objects.create(submission=sub, consultation=consultation, text=t)
            for upload in attachments:
                ext = Path(upload.name).suffix.lower()
                att = Attachment(submission=sub, original_name=upload.name[:200],
                                 content_type=ATTACHMENT_TYPES[ext][0], size=upload.size)
                att.file.save(f"{sub.pk}{ext}", upload, save=False)
                saved_files.append(att.file)
                att.save()
    except Exception:
        for f in saved_files:
            f.storage.delete(f.name)
        raise
    return sub


def submit_opinion(consultation: Consultation, *, text: str, consent: bool, name: str = "", email: str = "",
                   address: str = "", phone: str = "", attachments: list = (),
                   now: dt.datetime | None = None) -> Submission:
    """Store an opinion sent with the public form (one letter, channel インターネット), all or nothing, and
    queue a receipt mail when an address was given.

    :param attachments: uploaded files (at most ``ATTACHMENT_MAX_COUNT``, each checked by ``attachment_error``)
    :raises ConsultationError: outside the period (field ``None``), no consent (``consent``), empty or too
        long text (``text``), a refused attachment (``attachments``)
    """
    now = now or timezone.now()
    if not consultation.is_open(now):
        end = timezone.localtime(consultation.ends_at, TOKYO)
        if consultation.announced and now >= consultation.ends_at:
            raise ConsultationError(f"意見の募集は {end:%Y年%m月%d日 %H:%M} に終了しました。意見は受け付けられません。")
        raise ConsultationError("この案件は現在、意見を募集していません。")
    if not consent:
        raise ConsultationError("個人情報の取扱いに同意してください。", "consent")
    attachments = list(attachments)
    if len(attachments) > ATTACHMENT_MAX_COUNT:
        raise ConsultationError(f"添付ファイルは {ATTACHMENT_MAX_COUNT} 個までです。", "attachments")
    for upload in attachments:
        error = attachment_error(upload)
        if error:
            raise ConsultationError(error, "attachments")
    sub = _store(consultation, channel=web_channel(), received_on=local_date(now), texts=[text],
                 contact={"name": name, "email": email, "address": address, "phone": phone},
                 attachments=attachments, consent=True)
    if sub.email:
        from madoguchi.jobs.services import send_mail_later

        transaction.on_commit(lambda: send_mail_later(
            f"【受付】「{consultation.title}」への御意見", receipt_text(sub), [sub.email]))
    return sub


def receipt_text(sub: Submission) -> str:
    """The receipt mail's body (plain text, Japanese)."""
    c = sub.consultation
    return (f"{sub.name or '御意見をお寄せいただいた方'} 様\n\n"
            f"「{c.title}」への御意見を {sub.received_on:%Y年%m月%d日} に受け付けました (受付番号 {sub.pk})。\n"
            f"いただいた御意見と市の考え方は、募集の終了後にとりまとめて公表します。\n"
            f"個別の回答はいたしませんので御了承ください。\n\n{c.department}\n")


def enter_submission(consultation: Consultation, *, channel: Channel, received_on: dt.date, texts: list[str],
                     name: str = "", email: str = "", address: str = "", phone: str = "", user=None) -> Submission:
    """Staff entry of a letter received by e-mail, FAX, post or in person (one or more opinions).

    :raises ConsultationError: no text (``text``), received before the period began (``received_on``)
    """
    if received_on < local_date(consultation.starts_at):
        raise ConsultationError("受付日が募集開始より前です。", "received_on")
    sub = _store(consultation, channel=channel, received_on=received_on, texts=texts, user=user, consent=False,
                 contact={"name": name, "email": email, "address": address, "phone": phone}, attachments=[])
    _history(consultation, f"意見を登録 ({channel.name}, {len(sub.opinions.all())} 件)", user)
    return sub


def split_opinion(opinion: Opinion, parts: list[str], *, user=None) -> list[Opinion]:
    """Split one opinion into several of the same letter. The parts must hold the sender's words: joined
    they equal the original (ignoring white space).

    :returns: the opinions, the original (first part) first
    :raises ConsultationError: fewer than two parts, or the words changed
    """
    _require_editable(opinion.consultation)
    parts = [to_nfc(p).strip() for p in parts if p and p.strip()]
    if len(parts) < 2:
        raise ConsultationError("分ける位置に「---」だけの行を入れてください (2 つ以上に分けます)。", "text")
    squash = lambda s: "".join(to_nfc(s).split())
    if squash("".join(parts)) != squash(opinion.text):
        raise ConsultationError("分けるときに意見の文言を変えることはできません (区切りの行だけを入れてください)。", "text")
    with transaction.atomic():
        opinion.text = parts[0]
        opinion.save(update_fields=["text"])
        out = [opinion] + [Opinion.objects.create(submission=opinion.submission, consultation=opinion.consultation,
                                                  text=p, group=opinion.group) for p in parts[1:]]
    _history(opinion.consultation, f"意見を分割 (受付番号 {opinion.submission_id}, {len(parts)} 件)", user)
    return out


def merge_opinions(opinions: list[Opinion], *, user=None) -> Opinion:
    """Merge opinions of one letter into the first (texts joined by a line break); the others are deleted.

    :raises ConsultationError: fewer than two, or from different letters
    """
    opinions = sorted(opinions, key=lambda o: o.pk)
    if len(opinions) < 2:
        raise ConsultationError("まとめる意見を 2 つ以上選んでください。", "opinions")
    if len({o.submission_id for o in opinions}) != 1:
        raise ConsultationError("まとめられるのは同じ提出 (1 通) の意見だけです。", "opinions")
    first = opinions[0]
    _require_editable(first.consultation)
    with transaction.atomic():
        first.text = "\n".join(o.text for o in opinions)
        first.save(update_fields=["text"])
        Opinion.objects.filter(pk__in=[o.pk for o in opinions[1:]]).delete()
    _history(first.consultation, f"意見をまとめた (受付番号 {first.submission_id}, {len(opinions)} 件)", user)
    return first


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
    data, _ = export_result(consultation, "csv")
    job = create_job(dataset=ds, resource_name="意見の要旨と市の考え方 (CSV)",
                     original_name=f"{consultation.slug}-result.csv", chunks=[data], user=user,
                     description="番号・意見の要旨・市の考え方・区分")
    enqueue_job(job)
    return job


def _history(consultation: Consultation, note: str, user=None, *, state: str | None = None) -> None:
    ResultEvent.objects.create(consultation=consultation, state=state or consultation.result_state, note=note[:300],
                               user=user if getattr(user, "pk", None) else None)


# --- the result table -------------------------------------------------------------------------------------

@dataclass
class ResultTable:
    """The published layout: counts by class and by channel, then one row per summary."""

    consultation: Consultation
    letters: int = 0
    opinions: int = 0
    by_class: list[dict] = field(default_factory=list)     # {"code", "label", "description", "count"}
    by_channel: list[dict] = field(default_factory=list)   # {"name", "letters", "opinions"}
    rows: list[dict] = field(default_factory=list)         # {"number", "summary", "answer", "class"}

    def class_counts(self) -> dict[str, int]:
        return {c["code"]: c["count"] for c in self.by_class}

    def channel_counts(self) -> dict[str, int]:
        return {c["name"]: c["letters"] for c in self.by_channel}

    def table(self) -> list[list[str]]:
        return [[str(r["number"]), r["summary"], r["answer"], r["class"]] for r in self.rows]


def result_table(consultation: Consultation, *, public: bool = True) -> ResultTable:
    """The result in the city's layout. ``public``: summaries as published (masked); else as written
    (staff preview; masked like publication would)."""
    t = ResultTable(consultation)
    subs = consultation.submissions.annotate(n=Count("opinions")).filter(n__gt=0)
    t.letters, t.opinions = subs.count(), consultation.opinions.count()
    per_class = dict(consultation.opinions.values_list("group__answer_class__code").annotate(n=Count("id")))
    t.by_class = [{"code": c.code, "label": c.label, "description": c.description, "count": per_class.get(c.code, 0)}
                  for c in AnswerClass.objects.all()]
    shown = set(consultation.channels.values_list("pk", flat=True)) | set(subs.values_list("channel", flat=True))
    for ch in Channel.objects.filter(pk__in=shown):
        t.by_channel.append({"name": ch.name, "letters": subs.filter(channel=ch).count(),
                             "opinions": consultation.opinions.filter(submission__channel=ch).count()})
    for g in consultation.groups.select_related("answer_class"):
        summary = g.summary_public if public and consultation.result_published else masked_summary(g)[0]
        t.rows.append({"number": g.number, "summary": summary, "answer": g.answer,
                       "class": g.answer_class.code if g.answer_class else "", "group": g})
    return t


def export_result(consultation: Consultation, fmt: str) -> tuple[bytes, str]:
    """The result table as ``csv`` (UTF-8 with BOM) or ``xlsx`` (sheet 「集計」 with the counts, sheet
    「意見と市の考え方」 with the rows).

    :returns: ``(bytes, content type)``
    :raises ValueError: unknown format
    """
    t = result_table(consultation)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(TABLE_HEADER)
        w.writerows(t.table())
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        ws = wb.active
        ws.title = "集計"
        ws.append([f"「{consultation.title}」に関する意見募集の実施結果"])
        ws["A1"].font = Font(bold=True)
        ws.append(["意見提出数", f"{t.letters}通", "意見件数", f"{t.opinions}件"])
        ws.append([])
        ws.append(["提出方法", "通数", "件数"])
        for c in t.by_channel:
            ws.append([c["name"], c["letters"], c["opinions"]])
        ws.append([])
        ws.append(["区分", "内容", "件数"])
        for c in t.by_class:
            ws.append([c["code"], c["description"], c["count"]])
        ws.append(["合計", "", t.opinions])
        rows = wb.create_sheet("意見と市の考え方")
        rows.append(TABLE_HEADER)
        for r in t.table():
            rows.append([int(r[0]), r[1], r[2], r[3]])
        for col, width in zip("ABCD", (6, 60, 60, 6)):
            rows.column_dimensions[col].width = width
        for row in rows.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    raise ValueError(f"unknown format {fmt!r}")


# --- import of a published result -------------------------------------------------------------------------

def import_result(data: bytes, *, slug: str, department: str = "", user=None) -> Consultation:
    """Import a published public-comment result (the YAML shape of the bundled Kawasaki file: consultation,
    response_classes, submissions.by_channel, opinions[no, opinion, response, response_class]) as a
    published consultation; the same slug is replaced. All or nothing.

    The file gives channel counts only for the whole consultation, not per letter: letters (one per
    opinion when ``total_letters`` equals the opinions) get channels in the file's channel order so the
    published counts are reproduced.

    :raises ConsultationError: not the expected shape, or counts in the file that do not add up
    """
    import yaml

    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
        meta, opinions = doc["consultation"], doc["opinions"]
        classes = doc.get("response_classes") or {}
        by_channel = {k: int(v) for k, v in (meta.get("submissions", {}).get("by_channel") or {}).items()}
    except (UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ConsultationError(f"意見募集結果の YAML として読めません ({exc.__class__.__name__}: {exc})") from None
    letters = [ch for ch, n in by_channel.items() for _ in range(n)]
    if letters and len(letters) != len(opinions):
        raise ConsultationError(f"提出方法別の通数の合計 ({len(letters)}) が意見の数 ({len(opinions)}) と合いません"
                                "。1 通 1 件の結果だけを取り込めます。")
    ensure_defaults()
    start = dt.date.fromisoformat(str(meta["period"]["start"]))
    end = dt.date.fromisoformat(str(meta["period"]["end"]))
    with transaction.atomic():
        for code, desc in classes.items():
            AnswerClass.objects.update_or_create(code=code, defaults={"description": to_nfc(desc)})
        Consultation.objects.filter(slug=slug).delete()
        c = Consultation.objects.create(
            slug=slug, title=to_nfc(meta["title"]), department=to_nfc(department or meta.get("department", "")),
            summary=to_nfc(meta.get("summary", "") or f"「{meta['title']}」について市民の皆様から御意見を募集しました。"),
            starts_at=dt.datetime.combine(start, dt.time(0), TOKYO),
            ends_at=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), TOKYO),
            announced_via="\n".join(meta.get("announced_via") or []), announced=True,
            outcome=to_nfc(meta.get("outcome", "")), source=to_nfc(doc.get("source", ""))[:300])
        # the published breakdown names the channels (Kawasaki: its 「電子メール（専用フォーム）」 is counted
        # as インターネット); the call's own channel list is used only when the file has no breakdown
        channels = {}
        for i, name in enumerate(by_channel or meta.get("channels") or []):
            channels[name] = Channel.objects.get_or_create(name=to_nfc(name), defaults={"order": 10 + i})[0]
        c.channels.set(channels.values())
        for i, row in enumerate(sorted(opinions, key=lambda r: int(r["no"]))):
            ch = channels[letters[i]] if letters else web_channel()
            sub = Submission.objects.create(consultation=c, channel=ch, received_on=start)
            ac = AnswerClass.objects.filter(code=row["response_class"]).first()
            if ac is None:
                raise ConsultationError(f"意見 {row['no']}: 区分「{row['response_class']}」は区分表にありません。")
            g = OpinionGroup.objects.create(consultation=c, number=int(row["no"]), summary=to_nfc(row["opinion"]),
                                            answer=to_nfc(row["response"]), answer_class=ac, keep_unmasked=True)
            g.summary_public = g.summary
            g.save(update_fields=["summary_public"])
            Opinion.objects.create(submission=sub, consultation=c, text=g.summary, group=g)
        c.result_state, c.result_published_at = State.PUBLISHED, c.ends_at
        c.save(update_fields=["result_state", "result_published_at"])
        _history(c, f"公表済みの結果を取込 ({doc.get('source', '')})"[:300], user, state=State.PUBLISHED)
    return c


def import_bundled_kawasaki(*, user=None) -> Consultation:
    """Import the bundled Kawasaki result (川崎市情報化推進プラン（案）, 2016) as ``kawasaki-ict-plan-2016``."""
    return import_result(BUNDLED_KAWASAKI.read_bytes(), slug="kawasaki-ict-plan-2016",
                         department="川崎市", user=user)


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
