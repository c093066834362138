"""Staff views: write a notice, preview it per channel, send it, see its reach (staff only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .forms import NoticeForm
from .models import Notice


@staff_member_required
def home(request: HttpRequest) -> HttpResponse:
    """``/notices/staff/`` — staff: the notices, newest first, with their reach."""
    notices = list(Notice.objects.select_related("topic")[:50])
    rows = [(n, services.reach(n)["total"]) for n in notices]
    return render(request, "notices/staff_home.html", {"rows": rows})


@staff_member_required
def new(request: HttpRequest) -> HttpResponse:
    """``/notices/staff/new`` — staff: write a draft (nothing is sent until 「送信」 on its page)."""
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        notice = form.save(commit=False)
        notice.created_by = request.user
        notice.source = "staff"
        notice.save()
        return redirect("notices_staff:staff_notice", pk=notice.pk)
    return render(request, "notices/staff_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_member_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """``/notices/staff/<pk>/`` — staff: preview per channel, reach, failures."""
    obj = get_object_or_404(Notice.objects.select_related("topic"), pk=pk)
    return render(request, "notices/staff_notice.html", {
        "notice": obj, "preview": services.preview(obj), "reach": services.reach(obj),
        "failures": services.failures(obj)})


@staff_member_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /notices/staff/<pk>/send`` — staff (CSRF): queue a draft now or at its 送信日時."""
    obj = get_object_or_404(Notice, pk=pk)
    if obj.state != Notice.State.DRAFT:
        messages.error(request, "このお知らせは送信済みか予約済みです。")
    else:
        services.schedule(obj)
        messages.success(request, "送信を開始しました。" if obj.state == Notice.State.QUEUED else "送信を予約しました。")
    return redirect("notices_staff:staff_notice", pk=pk)
