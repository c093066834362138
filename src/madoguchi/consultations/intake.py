"""Opinion intake of a consultation: the public form's submission (consent, checked attachments, within the
period, all or nothing) and staff entry of letters by channel, split and merged. Part of the consultations
app's public API through ``services`` (which re-exports these names).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from madoguchi.text import to_nfc
from madoguchi.uploads import content_matches

from .models import Attachment, Channel, Consultation, Opinion, Submission
from .services import (ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT, ATTACHMENT_TYPES, OPINION_MAX_CHARS, TOKYO,
                       ConsultationError, _history, _require_editable, local_date, web_channel)

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
    if not content_matches(upload, ext):
        if ATTACHMENT_TYPES[ext][1] is None:
            return f"「{name}」は UTF-8 のテキストではありません。"
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


