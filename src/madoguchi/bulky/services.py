"""Public API of bulky-waste collection (粗大ごみ収集申込, issue #14 point 4). Pages and the API call only this.

* ``install()`` — the built-in form ``bulky-waste`` (eforms kind ``bulky``) and the collection areas (idempotent);
  ``form()`` / ``current_version()`` read it
* ``install_fees(source)`` — parse the 粗大ごみ notices of a garbage source into ``FeeRule`` rows
* ``fee_table(source, q)`` / ``quote(source, lines)`` — the fee per item, the total of a request
* ``areas(source)`` / ``available_days(area)`` — where and when collection can be booked
* ``apply(...)`` — submit a request through ``applications.services.submit``; capacity and 処理券 are taken
  in the same transaction (``_reserve``), so a full day or a used ticket stores nothing
* ``cancel(request)`` — before the cut-off: frees the place and the tickets, withdraws the application
* ``route(area, date)`` — the day's collection list for staff

Rules (documented choices):

* Each area (町名 of the 5374 ``area_days``) has one bulky-collection weekday, assigned 月→金 in the order of
  the file (亀岡市 collects on application, the data has no bulky column); ``daily_capacity`` places a day.
* A date can be booked and cancelled until ``cutoff_days`` (2) days before it: on the 3rd for the 5th, not on the 4th.
* 処理券 (粗大ごみ料金シール): every ticket is worth ``TICKET_VALUE_YEN`` (200 円 — all of 亀岡市's fees are
  multiples of 200); its number has 6–12 digits. A number is used once (unique ``TicketUse``); the tickets
  must cover the total. Cancelling frees them (the sticker was never collected). Online payment: ``bulky.payment``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from madoguchi.applications import services as applications

from .setup import (  # noqa: F401  (public API)
    CATEGORY, DEFINITION, DEPARTMENT, FORM_SLUG, HORIZON_DAYS, MAX_COUNT, MAX_LINES, SEED_WEEKDAYS, SOURCE,
    TICKET_NUMBER, TICKET_VALUE_YEN, WEEKDAYS, current_version, fee_items, form, install, install_areas,
    install_fees, install_form,
)
from .errors import BulkyError
from .models import BulkyRequest, CollectionArea, CollectionDay, FeeRule, TicketUse

@dataclass
class Line:
    """One chosen item: ``yen`` per piece, ``count`` pieces."""

    rule: FeeRule
    size_label: str
    yen: int
    count: int

    def as_dict(self) -> dict:
        return {"name": self.rule.item, "size_label": self.size_label, "yen": self.yen, "count": self.count}


def today() -> dt.date:
    """Today in Asia/Tokyo."""
    return timezone.localdate()


# --- fees ----------------------------------------------------------------------------------------------

def fee_table(source: str = SOURCE, q: str = "", *, limit: int | None = None):
    """Usable fee rules of *source* whose item name contains *q* (NFKC, case-insensitive)."""
    from madoguchi.text import to_nfc

    qs = FeeRule.objects.filter(source=source).exclude(status=FeeRule.Status.NEEDS_REVIEW)
    q = to_nfc(q or "").strip()
    if q:
        import unicodedata
        qs = qs.filter(Q(item__icontains=q) | Q(item__icontains=unicodedata.normalize("NFKC", q)))
    return list(qs[:limit] if limit else qs)


def quote(source: str, lines: list[dict]) -> tuple[list[Line], int]:
    """The priced lines and total (yen) of ``[{"item": name or "rule": id, "size": tier label, "count": n}]``.

    :raises BulkyError: ``invalid_parameter`` (param ``items``) for an unknown item, a missing or unknown
        size, a count outside 1–``MAX_COUNT``, no lines or more than ``MAX_LINES``
    """
    if not lines:
        raise BulkyError("invalid_parameter", "品目を1つ以上選んでください", param="items")
    if len(lines) > MAX_LINES:
        raise BulkyError("invalid_parameter", f"品目は{MAX_LINES}件までです", param="items")
    keys = [raw.get("rule") or raw.get("item") for raw in lines]
    ids = {int(k) for k in keys if isinstance(k, int) or str(k).isdigit()}
    names = {str(k or "") for k in keys}
    by_id, by_name = {}, {}
    for r in (FeeRule.objects.filter(source=source).exclude(status=FeeRule.Status.NEEDS_REVIEW)
              .filter(Q(pk__in=ids) | Q(item__in=names)).order_by("pk")):  # one query for all lines
        by_id[r.pk] = r
        by_name.setdefault(r.item, r)
    out = []
    for raw, key in zip(lines, keys):
        rule = (by_id.get(int(key)) if isinstance(key, int) or str(key).isdigit() else None) \
            or by_name.get(str(key or ""))
        if rule is None:
            raise BulkyError("invalid_parameter", f"品目「{key}」は申し込めません (料金表にありません)", param="items")
        try:
            count = int(raw.get("count") or 1)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= MAX_COUNT:
            raise BulkyError("invalid_parameter", f"「{rule.item}」の数は1〜{MAX_COUNT}です", param="items")
        if rule.kind == FeeRule.Kind.FLAT:
            out.append(Line(rule, "", rule.yen, count))
            continue
        size = str(raw.get("size") or "")
        tier = next((t for t in rule.tiers if t["label"] == size), None)
        if tier is None:
            raise BulkyError("invalid_parameter", f"「{rule.item}」の大きさを選んでください", param="items")
        out.append(Line(rule, size, tier["yen"], count))
    return out, sum(x.yen * x.count for x in out)


def tickets_needed(total_yen: int) -> int:
    """How many 処理券 (each ``TICKET_VALUE_YEN``) cover *total_yen*."""
    return -(-total_yen // TICKET_VALUE_YEN)


def parse_tickets(text: str | list) -> list[str]:
    """Ticket numbers from text (one per line, or separated by spaces/commas) or a list; NFKC digits.

    :raises BulkyError: ``invalid_parameter`` (param ``tickets``) for a malformed or repeated number
    """
    import unicodedata

    parts = text if isinstance(text, list) else re.split(r"[\s,、]+", str(text or ""))
    numbers = []
    for p in parts:
        n = unicodedata.normalize("NFKC", str(p)).strip().replace("-", "")
        if not n:
            continue
        if not TICKET_NUMBER.match(n):
            raise BulkyError("invalid_parameter", f"処理券番号「{p}」は6〜12桁の数字で入力してください", param="tickets")
        if n in numbers:
            raise BulkyError("invalid_parameter", f"処理券番号 {n} が2回入力されています", param="tickets")
        numbers.append(n)
    return numbers


# --- areas and days ------------------------------------------------------------------------------------

def areas(source: str = SOURCE) -> list[CollectionArea]:
    return list(CollectionArea.objects.filter(source=source))


def get_area(source: str, area: str | int) -> CollectionArea:
    """The area by id or 町名.

    :raises BulkyError: ``invalid_parameter`` (param ``area``) when none is given; ``not_found`` (404, param
        ``area``) for an id or 町名 the source does not have
    """
    text = str(area if area is not None else "").strip()
    if not text:
        raise BulkyError("invalid_parameter", "収集地区 (町名) を選んでください", param="area")
    qs = CollectionArea.objects.filter(source=source)
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(name=text).first()
    if found is None:
        raise BulkyError("not_found", f"収集地区「{text[:50]}」はありません。一覧から選んでください", param="area",
                         status=404)
    return found


def first_bookable(area: CollectionArea, on: dt.date | None = None) -> dt.date:
    """The first date that can still be booked (or cancelled) on *on*: ``cutoff_days`` later."""
    return (on or today()) + dt.timedelta(days=area.cutoff_days)


def ensure_days(area: CollectionArea, start: dt.date, end: dt.date) -> None:
    """Create the ``CollectionDay`` rows of *area*'s weekdays from *start* to *end* (inclusive)."""
    wanted = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    wanted = [d for d in wanted if WEEKDAYS[d.weekday()] in area.weekdays]
    CollectionDay.objects.bulk_create([CollectionDay(area=area, date=d, capacity=area.daily_capacity)
                                       for d in wanted], ignore_conflicts=True)


def available_days(area: CollectionArea, *, on: dt.date | None = None) -> list[CollectionDay]:
    """Days of *area* with a place left, from ``first_bookable`` for ``HORIZON_DAYS``."""
    start = first_bookable(area, on)
    end = (on or today()) + dt.timedelta(days=HORIZON_DAYS)
    ensure_days(area, start, end)
    return list(area.days.filter(date__gte=start, date__lte=end, booked__lt=F("capacity")))


# --- requests ------------------------------------------------------------------------------------------

@dataclass
class _Plan:
    area: CollectionArea
    day: CollectionDay
    lines: list[Line]
    total_yen: int
    tickets: list[str]
    address: str
    phone: str
    request: BulkyRequest | None = None  # set by ``_reserve``


def _reserve(app, plan: _Plan) -> None:
    """Inside the submission transaction: one place of the day (one conditional UPDATE), the request,
    one ``TicketUse`` per number. Raises (so nothing is stored) when the day is full or a ticket used."""
    taken = CollectionDay.objects.filter(pk=plan.day.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise BulkyError("full", f"{plan.day.date:%Y-%m-%d} の{plan.area.name}の収集は受付件数に達しました。"
                                 "別の日を選んでください", param="date")
    req = BulkyRequest.objects.create(application=app, area=plan.area, day=plan.day,
                                      items=[x.as_dict() for x in plan.lines], total_yen=plan.total_yen,
                                      payment="ticket", address=plan.address, phone=plan.phone)
    req.application, req.area, req.day = app, plan.area, plan.day  # so the caller reads nothing again
    plan.request = req
    try:
        with transaction.atomic():  # one savepoint and one INSERT for all numbers
            TicketUse.objects.bulk_create([TicketUse(number=number, request=req) for number in plan.tickets])
    except IntegrityError:
        used = set(TicketUse.objects.filter(number__in=plan.tickets).values_list("number", flat=True))
        number = next((n for n in plan.tickets if n in used), plan.tickets[0])
        raise BulkyError("ticket_used", f"処理券番号 {number} はすでに使われています", param="tickets") from None


def apply(*, area: str | int, date: dt.date | str, items: list[dict], address: str, phone: str, email: str,
          tickets: str | list, client_token: str, source: str = SOURCE, now: dt.datetime | None = None,
          channel: str = "online") -> tuple[BulkyRequest, bool, str | None]:
    """Submit a bulky-waste request; returns ``(request, created, secret or None when replayed)``.

    The same *client_token* again returns the first request (``created=False``) without checking anything
    else. *items* as for ``quote``; *tickets* as for ``parse_tickets``.

    :raises BulkyError: ``invalid_parameter`` (param names the field), ``too_late`` (the date is before
        ``first_bookable``), ``full`` (no place left that day), ``ticket_used`` (names the number)
    :raises ApplicationError: from ``applications.services.submit`` (``invalid`` …)
    """
    existing = (BulkyRequest.objects.filter(application__client_token=client_token)
                .select_related("application", "day", "area").first() if client_token else None)
    if existing is not None:
        return existing, False, None
    now = now or timezone.now()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise BulkyError("invalid_parameter", f"収集日「{date[:40]}」は日付ではありません。"
                                                  "2026-12-09 の形で指定してください", param="date") from None
    # the usual case in one query: the day (materialised by ``available_days``) with its area
    by_area = Q(area__pk=area) if str(area).isdigit() else Q(area__name=str(area or ""))
    day = CollectionDay.objects.select_related("area").filter(by_area, area__source=source, date=date).first()
    the_area = day.area if day is not None else get_area(source, area)
    on = timezone.localdate(now)
    if date < first_bookable(the_area, on):
        raise BulkyError("too_late", f"{date:%Y-%m-%d} の収集の申込は締め切りました (収集日の{the_area.cutoff_days}日前まで)",
                         param="date")
    if day is None:  # a date beyond those materialised so far (``available_days`` creates them)
        ensure_days(the_area, date, date)
        day = CollectionDay.objects.filter(area=the_area, date=date).first()
    if day is None:
        raise BulkyError("invalid_parameter", f"{date:%Y-%m-%d} は{the_area.name}の収集日ではありません", param="date")
    lines, total = quote(source, items)
    numbers = parse_tickets(tickets)
    need = tickets_needed(total)
    if len(numbers) < need:
        raise BulkyError("invalid_parameter", f"料金 {total:,}円には処理券 ({TICKET_VALUE_YEN}円券) が{need}枚必要です"
                                              f" (入力 {len(numbers)}枚)", param="tickets")
    try:
        validate_email(email or "")
    except ValidationError:
        raise BulkyError("invalid_parameter", "メールアドレスを正しく入力してください", param="email") from None
    address, phone = (address or "").strip(), (phone or "").strip()
    plan = _Plan(the_area, day, lines, total, numbers, address, phone)
    data = {"area": the_area.name, "collection_date": date.isoformat(),
            "items": "\n".join(f"{x.rule.item} {x.size_label} {x.yen}円 ×{x.count}".replace("  ", " ") for x in lines),
            "total_yen": str(total), "address": address, "phone": phone, "tickets": "\n".join(numbers)}
    version = current_version()
    app, created, secret = applications.submit(version, data, {}, email=email, client_token=client_token,
                                               channel=channel, on_store=lambda a: _reserve(a, plan), now=now,
                                               token_checked=bool(client_token))
    req = plan.request if created else \
        BulkyRequest.objects.filter(application=app).select_related("application", "day", "area").first()
    if req is None:  # the token belongs to an application of another form
        raise BulkyError("conflict", "client_token は別の申請で使われています", param="client_token")
    return req, created, secret


def find(reference: str, secret: str) -> BulkyRequest:
    """The request of an application (reference + secret). :raises ApplicationError / BulkyError: not_found"""
    app = applications.find(reference, secret)
    req = BulkyRequest.objects.filter(application=app).select_related("day", "area").first()
    if req is None:
        raise BulkyError("not_found", "粗大ごみの申込が見つかりません", status=404)
    return req


def can_cancel(req: BulkyRequest, *, now: dt.datetime | None = None) -> bool:
    return req.cancelled_at is None and req.day.date >= first_bookable(req.area, timezone.localdate(now or timezone.now()))


def cancel(req: BulkyRequest, *, now: dt.datetime | None = None) -> BulkyRequest:
    """Cancel before the cut-off: frees the day's place (``booked - 1``) and the tickets, withdraws the
    application (status 取下げ).

    :raises BulkyError: ``conflict`` (already cancelled), ``too_late`` (after the cut-off)
    """
    now = now or timezone.now()
    if req.cancelled_at is not None:
        raise BulkyError("conflict", "この申込はすでに取り消されています")
    if not can_cancel(req, now=now):
        raise BulkyError("too_late", f"収集日の{req.area.cutoff_days}日前を過ぎたため、取り消しはできません。"
                                     "環境局 収集課へ電話でご連絡ください")
    with transaction.atomic():
        done = BulkyRequest.objects.filter(pk=req.pk, cancelled_at__isnull=True).update(cancelled_at=now)
        if not done:
            raise BulkyError("conflict", "この申込はすでに取り消されています")
        CollectionDay.objects.filter(pk=req.day_id, booked__gt=0).update(booked=F("booked") - 1)
        TicketUse.objects.filter(request=req).delete()
        applications.set_status(req.application, "withdrawn", by=None, reason="申込者による取消")
    req.refresh_from_db()
    return req


def route(area: CollectionArea, date: dt.date) -> list[BulkyRequest]:
    """The day's requests of *area* (not cancelled), in order of submission."""
    return list(BulkyRequest.objects.filter(area=area, day__date=date, cancelled_at__isnull=True)
                .select_related("application", "day").order_by("application__submitted_at", "id"))


def route_rows(requests: list[BulkyRequest], *, personal: bool) -> tuple[list[str], list[list]]:
    """Header and rows of a route list (CSV/xlsx); without *personal*, address and phone are masked."""
    header = ["受付番号", "町名", "収集日", "住所", "電話番号", "品目", "料金 (円)"]
    rows = []
    for r in requests:
        items = "、".join(f"{i['name']}{' ' + i['size_label'] if i['size_label'] else ''} ×{i['count']}" for i in r.items)
        rows.append([r.application.reference, r.area.name, r.day.date.isoformat(),
                     r.address if personal else "（権限なし）", r.phone if personal else "（権限なし）",
                     items, r.total_yen])
    return header, rows
