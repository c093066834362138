"""Staff pages of ``/reservations/staff/`` (``staff_member_required``): facilities
and slots, lottery periods, the pre-draw check and the draw, results export
(xlsx, CSV), bookings with cancel / no-show, usage statistics."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .errors import ReservationError
from .forms import PeriodForm, SlotsForm, parse_date
from .models import Booking, EntryStatus, Facility, LotteryPeriod, PeriodState
from .schedule import TOKYO


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    facilities = Facility.objects.annotate(unit_count=Count("units", distinct=True)).order_by("facility_type", "name")
    periods = LotteryPeriod.objects.annotate(entry_count=Count("entries"))
    return render(request, "reservations/staff/dashboard.html", {
        "facilities": facilities, "periods": periods, "slots_form": SlotsForm(initial={
            "start": timezone.localdate(), "end": timezone.localdate() + dt.timedelta(days=30)})})


@require_POST
@staff_member_required
def generate_slots(request: HttpRequest) -> HttpResponse:
    form = SlotsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "期間の指定が正しくありません: " + " ".join(
            str(e) for errors in form.errors.values() for e in errors))
        return redirect("reservations:staff")
    try:
        n = services.generate_slots(list(Facility.objects.filter(active=True)), form.cleaned_data["start"],
                                    form.cleaned_data["end"])
    except ReservationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"枠を {n} 件作成しました。")
    return redirect("reservations:staff")


@staff_member_required
def period_new(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            period = services.create_period(
                title=d["title"], facility_types=list(d["facility_types"]),
                application_opens_at=d["application_opens_at"], application_closes_at=d["application_closes_at"],
                draw_at=d["draw_at"], usage_starts_on=d["usage_starts_on"], usage_ends_on=d["usage_ends_on"],
                rules=form.rules())
        except ReservationError as exc:
            form.add_error(exc.param if exc.param in form.fields else None, exc.message)
        else:
            messages.success(request, f"抽選期間を作成し、乱数シードのハッシュを公表しました: {period.seed_sha256}")
            return redirect("reservations:staff_period", period_id=period.pk)
    return render(request, "reservations/staff/period_new.html", {"form": form})


def _can_draw(period: LotteryPeriod) -> bool:
    return period.state == PeriodState.CLOSED and timezone.now() >= period.draw_at


@staff_member_required
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(LotteryPeriod, pk=period_id)
    problems = services.find_problems(period) if not period.drawn_at else []
    counts = dict(period.entries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(request, "reservations/staff/period.html", {
        "period": period, "problems": problems, "active": counts.get(EntryStatus.ACTIVE, 0),
        "invalid": counts.get(EntryStatus.INVALID, 0), "withdrawn": counts.get(EntryStatus.WITHDRAWN, 0),
        "slots": period.slots.count(),
        "can_draw": _can_draw(period),
        "command": services.verification_command(period)})


@require_http_methods(["GET", "POST"])
@staff_member_required
def period_draw(request: HttpRequest, period_id: int) -> HttpResponse:
    """GET: the confirmation page (period, entries, 「抽選は取り消せません」; 「実行する」 and 「戻る」),
    changing nothing. POST: queue the draw (``services.enqueue_draw``); the worker draws, publishes
    and mails the applicants."""
    period = get_object_or_404(LotteryPeriod, pk=period_id)
    if period.drawn_at is not None:
        messages.error(request, f"「{period.title}」はすでに抽選済みです")
        return redirect("reservations:staff_period", period_id=period_id)
    if request.method == "GET":
        return render(request, "reservations/staff/confirm_draw.html", {
            "period": period, "active": period.entries.filter(status=EntryStatus.ACTIVE).count(),
            "problems": len(services.find_problems(period)), "slots": period.slots.count(),
            "can_draw": _can_draw(period)})
    result = services.enqueue_draw(period)
    outcome = result.return_value if result.status == "SUCCESSFUL" else None
    if outcome and outcome["ok"]:
        messages.success(request, f"抽選しました: 申込 {outcome['entries']} 件、当選 {outcome['won']} 件、繰り下げ "
                         f"{outcome['passed']} 件、落選 {outcome['lost']} 件、無効 {outcome['invalid']} 件。"
                         "乱数シードを公開しました。")
    elif outcome:
        messages.error(request, outcome["message"])
    elif result.status == "FAILED":
        messages.error(request, "抽選を実行できませんでした。管理者に連絡してください")
    else:
        messages.success(request, f"抽選を受け付けました。まもなく結果とシードを公開し、申込者にメールします"
                         f"（処理状況: /api/v1/jobs/{result.id}）。")
    return redirect("reservations:staff_period", period_id=period_id)


@staff_member_required
def period_export(request: HttpRequest, period_id: int, fmt: str) -> HttpResponse:
    """All entries with results and personal data, as ``xlsx`` or ``csv`` (UTF-8 BOM)."""
    period = get_object_or_404(LotteryPeriod, pk=period_id)
    if fmt == "xlsx":
        response = HttpResponse(services.results_xlsx(period),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(services.results_csv(period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lottery-{period.pk}-results-staff.{fmt}"'
    return response


@staff_member_required
def facility_bookings(request: HttpRequest, slug: str) -> HttpResponse:
    facility = get_object_or_404(Facility, slug=slug)
    day = parse_date(request.GET.get("date"), timezone.localdate())
    first = dt.datetime.combine(day, dt.time.min, TOKYO)
    bookings = (Booking.objects.filter(unit__facility=facility, start__gte=first,
                                       start__lt=first + dt.timedelta(days=7))
                .select_related("unit", "member", "group", "no_show", "cancellation").order_by("start", "unit"))
    return render(request, "reservations/staff/facility.html", {
        "facility": facility, "bookings": bookings, "day": day, "now": timezone.now(),
        "prev_week": day - dt.timedelta(days=7), "next_week": day + dt.timedelta(days=7)})


def _back(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = Booking.objects.select_related("unit__facility").filter(pk=booking_id).first()
    if booking is None:
        return redirect("reservations:staff")
    return redirect(f"/reservations/staff/facilities/{booking.unit.facility.slug}/?date="
                    f"{timezone.localtime(booking.start).date().isoformat()}")


@require_POST
@staff_member_required
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        services.cancel_booking(booking_id, by_user=request.user, reason=request.POST.get("reason", ""))
    except ReservationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"予約番号 {booking_id} を取り消しました。")
    return _back(request, booking_id)


@require_POST
@staff_member_required
def booking_no_show(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        services.record_no_show(booking_id, by_user=request.user, note=request.POST.get("note", ""))
    except ReservationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"予約番号 {booking_id} を無断不使用として記録しました。")
    return _back(request, booking_id)


def _bar_chart(totals) -> dict:
    """Server-side SVG bars of utilization per facility type (numbers also in the table)."""
    width, bar_h, gap, label_w = 640, 28, 14, 180
    bars = []
    for i, row in enumerate(totals):
        w = (width - label_w - 70) * row.utilization_percent / 100
        bars.append({"y": i * (bar_h + gap), "w": round(w, 1), "label": row.label,
                     "value": row.utilization_percent, "text_x": label_w + round(w, 1) + 6})
    return {"width": width, "height": len(totals) * (bar_h + gap), "bar_h": bar_h, "label_w": label_w,
            "text_dy": bar_h * 0.68, "bars": bars}


@staff_member_required
def stats(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = parse_date(request.GET.get("start"), today.replace(day=1))
    end = parse_date(request.GET.get("end"), (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
                     - dt.timedelta(days=1))
    if end < start:
        start, end = end, start
    rows, totals = services.usage_statistics(start, end)
    return render(request, "reservations/staff/stats.html", {
        "rows": rows, "totals": totals, "start": start, "end": end, "chart": _bar_chart(totals)})
