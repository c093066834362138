"""Q&A import and export (CSV, XLSX, JSON) and the FAQ as an open dataset.

Import reads CSV and XLSX through the datastore's readers (encoding detection, title rows, the same
errors as dataset uploads) and JSON in three shapes:

* ``[{"question": …, "answer": …, "category": …, "department": …}, …]`` (Japanese keys 質問/回答/分類/担当課
  too; the export's own shape);
* ``{"<id>": "Question: …\\nAnswer: …", …}`` or a list of such strings (the LocalgovFAQ corpus form);
* ``{"entries": [...]}``.

The department is taken from its column, or from the answer's 【お問い合わせ】 part when the file has none.
An entry with the same question text (after NFKC and space folding) is updated, not duplicated.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from .models import QaEntry

COLUMN_NAMES = {
    "question": re.compile(r"^(質問|問い|問|質問文|question|q)$", re.IGNORECASE),
    "answer": re.compile(r"^(回答|答え|答|回答文|answer|a)$", re.IGNORECASE),
    "category": re.compile(r"^(分類|カテゴリ|カテゴリー|category)$", re.IGNORECASE),
    "department": re.compile(r"^(担当課|担当|所管課|所管|問合せ先|お問い合わせ先|department)$", re.IGNORECASE),
    "state": re.compile(r"^(公開状態|状態|state)$", re.IGNORECASE),
}
STATES = {"公開": "published", "published": "published", "下書き": "draft", "draft": "draft",
          "公開終了": "archived", "archived": "archived"}
QA_TEXT = re.compile(r"^\s*Question:\s*(?P<q>.*?)\s*\n\s*Answer:\s*(?P<a>.*)$", re.DOTALL)
CONTACT = re.compile(r"【お問い合わせ】\s*(?P<d>[^\s。、【]+)")
EXPORT_FIELDS = ["id", "question", "answer", "category", "department", "state", "updated"]
EXPORT_LABELS = ["ID", "質問", "回答", "分類", "担当課", "公開状態", "最終更新"]
MAX_ENTRIES = 20_000


class FaqImportError(ValueError):
    """The file cannot be read as Q&A (message names file, row, column)."""


@dataclass
class ImportReport:
    """What an import read: counts and the rows it skipped with the reason."""

    file: str
    format: str
    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"row": n, "reason": str}
    columns: dict = field(default_factory=dict)  # our field -> the file's column name


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _department_from(answer: str) -> str:
    m = CONTACT.search(answer or "")
    return m.group("d")[:200] if m else ""


def _records_from_json(data: bytes, file_name: str) -> list[tuple[int, dict]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FaqImportError(f"{file_name}: JSON として読めません ({exc})") from None
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
        doc = doc["entries"]
    items = list(doc.values()) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise FaqImportError(f"{file_name}: Q&A の配列 (または id → 「Question: …\\nAnswer: …」) ではありません")
    out = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, str):
            m = QA_TEXT.match(item)
            out.append((n, {"question": m.group("q"), "answer": m.group("a").strip()} if m else {"_raw": item}))
        elif isinstance(item, dict):
            rec = {}
            for key, value in item.items():
                for name, pattern in COLUMN_NAMES.items():
                    if pattern.match(str(key).strip()):
                        rec[name] = "" if value is None else str(value)
            out.append((n, rec))
        else:
            out.append((n, {"_raw": repr(item)[:40]}))
    return out


def read_records(data: bytes, file_name: str, columns: dict[str, re.Pattern], required: dict[str, str]
                 ) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """The rows of a CSV or XLSX file (the datastore's readers: encoding detection, title rows) as
    ``[(file row number, {our field: text})]``, and ``{our field: the file's column name}``.

    :param columns: our field → the pattern its column name matches (the first matching column is used)
    :param required: our fields that must be found → their Japanese label for the error
    :raises FaqImportError: empty or unreadable file, or a required column missing (names the file's headers)
    """
    from madoguchi.datastore.services import IngestError, read_table

    if not data:
        raise FaqImportError(f"{file_name}: ファイルが空です")
    fmt = "xlsx" if file_name.lower().endswith((".xlsx", ".xlsm")) else "csv"
    try:
        raw = read_table(fmt, data, file=file_name, options={})
    except IngestError as exc:
        raise FaqImportError(str(exc)) from None
    index: dict[str, int] = {}
    for j, name in enumerate(raw.header):
        for ours, pattern in columns.items():
            if ours not in index and pattern.match(name.strip()):
                index[ours] = j
    missing = [label for key, label in required.items() if key not in index]
    if missing:
        raise FaqImportError(f"{file_name}: 列「{'」「'.join(missing)}」が見つかりません (見出し: {', '.join(raw.header[:10])})")
    rows = raw.rows if raw.rows is not None else [list(r) for r in zip(*(c.to_pylist() for c in raw.columns))]
    numbers = raw.row_numbers_at(list(range(len(rows))))
    records = [(numbers[i], {k: (row[j] or "") for k, j in index.items()}) for i, row in enumerate(rows)]
    return records, {k: raw.header[j] for k, j in index.items()}


def import_entries(data: bytes, file_name: str, *, user=None, state: str = QaEntry.State.DRAFT) -> ImportReport:
    """Import Q&A from a CSV, XLSX or JSON file; all or nothing (one transaction).

    :param state: the state of new entries unless the file has a 公開状態 column (default 下書き)
    :returns: ``ImportReport``
    :raises FaqImportError: unreadable file or missing 質問/回答 columns (message names file and columns)
    """
    from .services import save_entry

    name = file_name.lower()
    fmt = "json" if name.endswith(".json") else "xlsx" if name.endswith((".xlsx", ".xlsm")) else "csv"
    report = ImportReport(file=file_name, format=fmt)
    if not data:
        raise FaqImportError(f"{file_name}: ファイルが空です")
    if fmt == "json":
        records = _records_from_json(data, file_name)
    else:
        records, report.columns = read_records(data, file_name, COLUMN_NAMES, {"question": "質問", "answer": "回答"})
    if len(records) > MAX_ENTRIES:
        raise FaqImportError(f"{file_name}: {len(records)} 件は多すぎます (上限 {MAX_ENTRIES} 件)")
    existing = {_key(e.question): e for e in QaEntry.objects.all()}
    with transaction.atomic():
        for row, rec in records:
            report.read += 1
            question, answer = (rec.get("question") or "").strip(), (rec.get("answer") or "").strip()
            if not question or not answer:
                report.skipped.append({"row": row, "reason": "質問か回答が空です" if "_raw" not in rec else
                                       f"「Question: …\\nAnswer: …」の形ではありません: {rec['_raw'][:40]}"})
                continue
            entry = existing.get(_key(question))
            created = entry is None
            entry = entry or QaEntry(question=question, state=state)
            entry.answer = answer
            entry.category = (rec.get("category") or entry.category or "").strip()[:100]
            entry.department = ((rec.get("department") or "").strip() or entry.department
                                or _department_from(answer))[:200]
            if rec.get("state"):
                entry.state = STATES.get(rec["state"].strip().lower(), entry.state)
            entry.source = f"{file_name} {row}行目"[:200]
            save_entry(entry, user=user, note=f"取込: {file_name}")
            existing[_key(question)] = entry
            report.created += created
            report.updated += not created
    return report


def _rows(published_only: bool) -> list[list]:
    qs = QaEntry.objects.all().order_by("id")
    if published_only:
        qs = qs.filter(state=QaEntry.State.PUBLISHED)
    return [[e.id, e.question, e.answer, e.category, e.department, e.get_state_display(),
             e.updated.isoformat(timespec="seconds")] for e in qs]


def export_entries(fmt: str, *, published_only: bool = False, for_people: bool = True) -> tuple[bytes, str]:
    """All Q&A (or the published ones) as ``csv`` (UTF-8 with BOM, for Excel), ``xlsx`` or ``json``.

    :returns: ``(bytes, content type)``
    :raises ValueError: unknown format
    """
    rows = _rows(published_only)
    if fmt == "csv":
        from madoguchi.spreadsheet import excel_csv

        return excel_csv(EXPORT_LABELS, rows, for_people=for_people), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("FAQ")
        ws.append(EXPORT_LABELS)
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if fmt == "json":
        doc = [dict(zip(EXPORT_FIELDS, r)) for r in rows]
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), "application/json"
    raise ValueError(f"unknown format {fmt!r}")


FAQ_DATASET_SLUG = "faq"


def publish_dataset(*, user=None, organization=None):
    """Publish the published Q&A as the open dataset 「よくある質問（FAQ）」 (resource ``faq.csv``), through
    the ingestion task (a new version each time).

    :param organization: the publishing organisation (default: the first one)
    :returns: the queued ``IngestJob``
    :raises FaqImportError: no organisation exists to publish under
    """
    from madoguchi.catalog import services as catalog
    from madoguchi.catalog.models import Organization
    from madoguchi.datastore.services import create_job, enqueue_job

    organization = organization or Organization.objects.order_by("id").first()
    if organization is None:
        raise FaqImportError("公開する組織がありません。先に組織を登録してください")
    dataset = catalog.ensure_dataset(
        FAQ_DATASET_SLUG, title="よくある質問（FAQ）", organization=organization,
        description="市の問合せ対応で使っているよくある質問と回答です。公開中の Q&A を掲載しています。",
        tags=["FAQ", "よくある質問"])
    data, _ = export_entries("csv", published_only=True, for_people=False)
    job = create_job(dataset=dataset, resource_name="よくある質問 (CSV)", original_name="faq.csv", chunks=[data],
                     user=user, description="質問・回答・分類・担当課")
    enqueue_job(job)
    return job
