"""The result table of a consultation (the layout the city publishes) and the import of a published result.
Part of the consultations app's public API through ``services`` (which re-exports these names).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from madoguchi.text import to_nfc

from .models import AnswerClass, Channel, Consultation, Opinion, OpinionGroup, Submission
from .services import (BUNDLED_KAWASAKI, TABLE_HEADER, TOKYO, ConsultationError, State, _history,  # noqa: F401
                       ensure_defaults, masked_summary, web_channel)

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


def export_result(consultation: Consultation, fmt: str, *, for_people: bool = True) -> tuple[bytes, str]:
    """The result table as ``csv`` (UTF-8 with BOM) or ``xlsx`` (sheet 「集計」 with the counts, sheet
    「意見と市の考え方」 with the rows).

    :returns: ``(bytes, content type)``
    :raises ValueError: unknown format
    """
    t = result_table(consultation)
    if fmt == "csv":
        from madoguchi.spreadsheet import excel_csv

        return excel_csv(TABLE_HEADER, t.table(), for_people=for_people), "text/csv; charset=utf-8"
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


