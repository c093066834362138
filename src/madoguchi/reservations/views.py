"""Citizen pages of ``/reservations/``: facilities and availability, the lottery
(apply, periods, published files), booking and cancelling, my page, login and
registration. Thin: parse, call ``services``, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .errors import ReservationError
from .forms import ApplyForm, BookForm, RegisterForm, parse_date
from .models import (EntryStatus, Facility, FacilityType, LotteryEntry, LotteryPeriod, Member, Outcome,
                     PeriodState)

LOGIN_URL = "/reservations/login/"


def _member_or_register(request: HttpRequest) -> Member | None:
    return services.member_for_user(request.user)


def _applicant(member: Member, value: str):
    """``"self"`` → no group; ``"group-<id>"`` → that group if ``member`` represents it."""
    if value.startswith("group-"):
        group = services.groups_represented(member).filter(pk=value.removeprefix("group-")).first()
        if group is None:
            raise ReservationError("not_representative", "代表者になっている団体だけを選べます", "applicant")
        return group
    return None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    ftype = request.GET.get("type") or None
    ward = request.GET.get("ward") or None
    facilities = services.active_facilities(ftype if ftype in FacilityType.values else None, ward)
    wards = Facility.objects.filter(active=True).order_by("ward").values_list("ward", flat=True).distinct()
    return render(request, "reservations/index.html", {
        "facilities": facilities, "types": FacilityType.choices, "wards": wards, "type": ftype, "ward": ward,
        "periods": services.open_periods()})


@require_GET
def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    facility = get_object_or_404(services.active_facilities(), slug=slug)
    today = timezone.localdate()
    start = parse_date(request.GET.get("start"), today)
    units, days = services.availability(facility, start, 7)
    return render(request, "reservations/facility.html", {
        "facility": facility, "units": units, "days": days, "start": start,
        "prev_week": start - dt.timedelta(days=7), "next_week": start + dt.timedelta(days=7),
        "statuses": services.STATUSES})


def _slot_context(request: HttpRequest, slot_id: int, **extra) -> dict:
    try:
        slot, status = services.slot_with_status(slot_id)
    except ReservationError:
        raise Http404("枠がありません") from None
    member = _member_or_register(request)
    groups = list(services.groups_represented(member)) if member else []
    period = slot.lottery_period
    return {"slot": slot, "status": status, "symbol_label": services.STATUSES[status], "member": member,
            "period": period, "period_open": bool(period and period.state == PeriodState.OPEN),
            "apply_form": extra.pop("apply_form", None) or ApplyForm(member=member, groups=groups),
            "book_form": extra.pop("book_form", None) or BookForm(member=member, groups=groups), **extra}


@require_GET
def slot_detail(request: HttpRequest, slot_id: int) -> HttpResponse:
    return render(request, "reservations/slot.html", _slot_context(request, slot_id))


def _need_member(request: HttpRequest) -> Member | None:
    member = _member_or_register(request)
    if member is None:
        messages.error(request, "予約や抽選申込には利用者登録が必要です。")
    return member


@require_POST
@login_required(login_url=LOGIN_URL)
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Book a free slot. 302 to my page on success; the slot page with the reason
    otherwise (409 「この枠はすでに予約されています」 when someone was faster)."""
    member = _need_member(request)
    if member is None:
        return redirect("reservations:register")
    try:
        group = _applicant(member, request.POST.get("applicant", "self"))
        booking = services.book_slot(slot_id, member, group=group)
    except ReservationError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        return render(request, "reservations/slot.html", _slot_context(request, slot_id, error=exc),
                      status=exc.status)
    messages.success(request, f"予約しました（予約番号 {booking.pk}）。")
    return redirect("reservations:mine")


@require_POST
@login_required(login_url=LOGIN_URL)
def apply(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Enter the lottery of the slot's period; errors re-render the slot page with the rule's message."""
    member = _need_member(request)
    if member is None:
        return redirect("reservations:register")
    groups = list(services.groups_represented(member))
    form = ApplyForm(request.POST, member=member, groups=groups)
    try:
        slot, _ = services.slot_with_status(slot_id)
    except ReservationError:
        raise Http404("枠がありません") from None
    if not form.is_valid():
        return render(request, "reservations/slot.html", _slot_context(request, slot_id, apply_form=form), status=400)
    try:
        if slot.lottery_period is None:
            raise ReservationError("not_in_lottery", "この枠は抽選の対象ではありません", "slot")
        group = _applicant(member, form.cleaned_data["applicant"])
        entry = services.apply_entry(slot.lottery_period, slot, member, group=group,
                                     preference=form.cleaned_data["preference"])
    except ReservationError as exc:
        return render(request, "reservations/slot.html", _slot_context(request, slot_id, error=exc, apply_form=form),
                      status=exc.status)
    messages.success(request, f"抽選に申し込みました（申込番号 {entry.pk}）。結果は抽選後にお知らせします。")
    return redirect("reservations:mine")


@login_required(login_url=LOGIN_URL)
def mine(request: HttpRequest) -> HttpResponse:
    """My page: bookings (cancel), lottery entries and results, groups."""
    member = _member_or_register(request)
    if member is None:
        return redirect("reservations:register")
    entries = (LotteryEntry.objects.filter(member=member).select_related("period", "slot__unit__facility", "group",
                                                                         "result")
               .order_by("-period__usage_starts_on", "pk"))
    now = timezone.now()
    bookings = list(services.bookings_of(member))
    for booking in bookings:
        booking.cancellable = services.can_cancel(booking, now)
    return render(request, "reservations/mine.html", {
        "member": member, "bookings": bookings, "entries": entries,
        "groups": member.groups.annotate(size=Count("memberships")).select_related("representative"),
        "deadline_hours": services.CANCEL_DEADLINE_HOURS, "now": now})


@require_http_methods(["GET", "POST"])
@login_required(login_url=LOGIN_URL)
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """GET: the confirmation page (facility, date and time, booking number; 「取り消す」 and
    「戻る」), changing nothing. POST: cancel (``services.cancel_booking``), back to my page."""
    member = _member_or_register(request)
    if request.method == "GET":
        booking = (services.bookings_of(member).filter(pk=booking_id).first() if member else None)
        if booking is None:
            messages.error(request, f"予約番号 {booking_id} の予約はありません（取消済みの可能性があります）。")
            return redirect("reservations:mine")
        now = timezone.now()
        return render(request, "reservations/confirm_cancel.html", {
            "booking": booking, "cancellable": services.can_cancel(booking, now),
            "deadline_hours": services.CANCEL_DEADLINE_HOURS, "now": now})
    try:
        if member is None:
            raise ReservationError("not_found", "予約がありません", "booking")
        services.cancel_booking(booking_id, member=member, by_user=request.user)
    except ReservationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"予約番号 {booking_id} を取り消しました。")
    return redirect("reservations:mine")


@require_http_methods(["GET", "POST"])
@login_required(login_url=LOGIN_URL)
def withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    """GET: the confirmation page (facility, date and time, entry number, lottery; 「取り消す」 and
    「戻る」), changing nothing. POST: withdraw (``services.withdraw_entry``), back to my page."""
    member = _member_or_register(request)
    if request.method == "GET":
        entry = (LotteryEntry.objects.filter(pk=entry_id, member=member, status=EntryStatus.ACTIVE)
                 .select_related("period", "slot__unit__facility", "group").first() if member else None)
        if entry is None:
            messages.error(request, f"申込番号 {entry_id} の有効な申込はありません（取消済みの可能性があります）。")
            return redirect("reservations:mine")
        return render(request, "reservations/confirm_withdraw.html", {
            "entry": entry, "withdrawable": entry.period.state == PeriodState.OPEN})
    try:
        if member is None:
            raise ReservationError("not_found", "申込がありません", "entry")
        services.withdraw_entry(entry_id, member)
    except ReservationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"申込番号 {entry_id} を取り消しました。")
    return redirect("reservations:mine")


@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reservations/periods.html", {"periods": LotteryPeriod.objects.all()})


@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    """Rules, window, committed seed hash; after the draw the seed, the published
    files, their hashes and the command that verifies the draw."""
    period = get_object_or_404(LotteryPeriod, pk=period_id)
    counts = dict(period.entries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    outcomes = {}
    if period.drawn_at:
        outcomes = dict(period.entries.filter(result__isnull=False).values_list("result__outcome")
                        .annotate(n=Count("pk")).values_list("result__outcome", "n"))
    return render(request, "reservations/period.html", {
        "period": period, "rules": period.effective_rules, "entry_count": counts.get(EntryStatus.ACTIVE, 0),
        "invalid_count": counts.get(EntryStatus.INVALID, 0),
        "outcomes": [(label, outcomes.get(code, 0)) for code, label in Outcome.choices],
        "types": dict(FacilityType.choices), "priority_labels": dict(services.exports.PRIORITY_LABELS),
        "command": services.verification_command(period),
        # where to apply: the facilities of the period's types (entries are made on a slot of a facility)
        "facilities": Facility.objects.filter(active=True, facility_type__in=period.facility_types)
                                      .order_by("ward", "name")})


@require_GET
def period_file(request: HttpRequest, period_id: int, which: str) -> HttpResponse:
    """The published anonymized ``entries.csv`` or ``results.csv`` (404 before the draw)."""
    period = get_object_or_404(LotteryPeriod, pk=period_id)
    try:
        data = services.published_file(period, which)
    except ReservationError as exc:
        raise Http404(exc.message) from None
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lottery-{period.pk}-{which}.csv"'
    return response


class ReservationLoginView(LoginView):
    template_name = "reservations/login.html"

    def get_default_redirect_url(self):
        return reverse("reservations:mine")


class ReservationLogoutView(LogoutView):
    next_page = "/reservations/"


def register(request: HttpRequest) -> HttpResponse:
    """利用者登録: creates the login and the Member, then logs in."""
    if request.user.is_authenticated and _member_or_register(request):
        return redirect("reservations:mine")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from django.db import transaction

        with transaction.atomic():
            user = form.save()
            services.register_member(user=user, name=form.cleaned_data["name"],
                                     name_kana=form.cleaned_data["name_kana"], email=user.email,
                                     ward=form.cleaned_data["ward"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "利用者登録が完了しました。")
        return redirect("reservations:mine")
    return render(request, "reservations/register.html", {"form": form})
