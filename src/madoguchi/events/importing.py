"""Import of CSV files in the standard event layout (``standard.py``) as published events."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import standard
from .models import Event
from .records import EventError, dedup_key, refresh_derived


@dataclass
class ImportReport:
    """Outcome of ``import_standard_csv``.

    ``unreadable``: ``[{"row": CSV line, "id": ID column, "column", "message"}]``;
    ``warnings``: ``[{"code", "column", "message", "rows": [lines ≤ 20], "count"}]``, one per code and column.
    """

    file: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unreadable: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _collect_warnings(found: list[tuple[int, tuple[str, str, str]]]) -> list[dict]:
    grouped: dict[tuple[str, str], dict] = {}
    for line, (code, column, message) in found:
        entry = grouped.setdefault((code, column), {"code": code, "column": column, "message": message,
                                                    "rows": [], "count": 0})
        entry["count"] += 1
        if len(entry["rows"]) < 20:
            entry["rows"].append(line)
    return list(grouped.values())


def parse_standard_csv(data: bytes) -> tuple[list[tuple[int, dict]], list[dict], list[dict]]:
    """Read a standard-layout CSV: ``(rows as (line, fields), unreadable, warnings)`` (see ``ImportReport``).

    :raises EventError: ``invalid`` (param ``file``) if the file is not an event list at all
    """
    try:
        _, rows = standard.read_rows(standard.decode(data))
    except standard.RowError as exc:
        raise EventError("invalid", exc.message, "file") from None
    parsed, unreadable, found = [], [], []
    for line, values in rows:
        try:
            row = standard.parse_row(values)
        except standard.RowError as exc:
            unreadable.append({"row": line, "id": (values.get("ID") or values.get("NO") or "").strip(),
                               "column": exc.column, "message": exc.message})
            continue
        parsed.append((line, row.fields))
        found += [(line, w) for w in row.warnings]
    return parsed, unreadable, _collect_warnings(found)


@transaction.atomic
def import_standard_csv(data: bytes, *, file_name: str = "", user=None) -> ImportReport:
    """Import a CSV in the standard event layout as published events of this city (origin ``import``).

    Idempotent: a row with the same 全国地方公共団体コード and ID as an imported event
    updates it (without an ID, the duplicate key decides). Rows that cannot be read
    are reported (``ImportReport.unreadable``) and the others imported, in one transaction.

    :raises EventError: ``invalid`` (param ``file``) if the file is not an event list
    """
    rows, unreadable, warnings = parse_standard_csv(data)
    report = ImportReport(file=file_name, read=len(rows) + len(unreadable), unreadable=unreadable,
                          warnings=warnings)
    now = timezone.now()
    for _, fields in rows:
        event = None
        if fields.get("source_id"):
            event = Event.objects.filter(origin=Event.Origin.IMPORT, city_code=fields.get("city_code", ""),
                                         source_id=fields["source_id"]).first()
        else:
            key = dedup_key(fields["title"], fields["start_date"], fields.get("start_time"),
                            fields.get("place_name", ""))
            event = Event.objects.filter(origin=Event.Origin.IMPORT, dedup_key=key).first()
        if event is None:
            event = Event(origin=Event.Origin.IMPORT, state=Event.State.PUBLISHED, published_at=now,
                          created_by=user if getattr(user, "pk", None) else None)
            report.created += 1
        else:
            for name in set(standard.COLUMN_FIELDS.values()) | {"area"}:
                setattr(event, name, Event._meta.get_field(name).get_default())
            report.updated += 1
        for name, value in fields.items():
            setattr(event, name, value)
        refresh_derived(event)
        event.save()
    return report
