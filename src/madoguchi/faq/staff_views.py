"""Staff pages of the inquiry assistant (``/faq/staff/…``): Q&A editing with history, import/export,
publication as a dataset, synonyms, the inquiry queue, analytics and the call-centre log.

Who may call: staff (``is_staff``; others are sent to the log-in page). Every POST needs the CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .forms import AnswerForm, CallLogForm, EntryForm, ImportForm, SynonymForm
from .importing import FaqImportError
from .models import CallLog, Inquiry, QaEntry, Synonym

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@staff_member_required
def home(request: HttpRequest) -> HttpResponse:
    qs = QaEntry.objects.all()
    q, state = request.GET.get("q", "").strip()[:100], request.GET.get("state", "")
    if q:
        qs = qs.filter(Q(question__icontains=q) | Q(answer__icontains=q) | Q(department__icontains=q))
    if state in QaEntry.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-updated"), 50).get_page(request.GET.get("page"))
    return render(request, "faq/staff_home.html", {
        "page": page, "q": q, "state": state, "states": QaEntry.State.choices,
        "open_inquiries": Inquiry.objects.filter(status=Inquiry.Status.OPEN).count(),
        "counts": {s: QaEntry.objects.filter(state=s).count() for s in QaEntry.State.values}})


@staff_member_required
def entry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(QaEntry, pk=pk) if pk else QaEntry()
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_entry(form.save(commit=False), user=request.user, note="編集" if pk else "作成")
        messages.success(request, "Q&A を保存しました。")
        return redirect("faq:entry_edit", pk=form.instance.pk)
    return render(request, "faq/entry_edit.html", {
        "form": form, "entry": entry, "revisions": entry.revisions.all()[:20] if pk else []})


def _upload(request: HttpRequest, form) -> tuple[bytes, str] | None:
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", f"ファイルが大きすぎます ({upload.size // 1_000_000} MB、上限 20 MB)。")
        return None
    return upload.read(), upload.name


@staff_member_required
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        got = _upload(request, form)
        if got:
            data, name = got
            state = QaEntry.State.PUBLISHED if form.cleaned_data.get("publish") else QaEntry.State.DRAFT
            try:
                report = services.import_entries(data, name, user=request.user, state=state)
            except FaqImportError as exc:
                form.add_error("file", str(exc))
    return render(request, "faq/import.html", {"form": form, "report": report}, status=400 if form.errors else 200)


@staff_member_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "json"):
        raise Http404("形式は csv・xlsx・json のどれかです")
    data, content_type = services.export_entries(fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="faq.{fmt}"'
    return response


@staff_member_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        services.publish_dataset(user=request.user)
    except FaqImportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "公開中の Q&A をオープンデータ「よくある質問（FAQ）」として登録しました (取込処理を実行中)。")
    return redirect("faq:staff")


@staff_member_required
def synonyms(request: HttpRequest) -> HttpResponse:
    form = SynonymForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            Synonym.objects.filter(pk=request.POST.get("delete")).delete()
            messages.success(request, "同義語を削除しました。")
            return redirect("faq:synonyms")
        if form.is_valid():
            form.save()
            messages.success(request, "同義語を登録しました。次の質問から使われます。")
            return redirect("faq:synonyms")
    return render(request, "faq/synonyms.html", {"form": form, "synonyms": Synonym.objects.all()})


@staff_member_required
def inquiries(request: HttpRequest) -> HttpResponse:
    qs = Inquiry.objects.all()
    status, department = request.GET.get("status", "open"), request.GET.get("department", "")
    if status in Inquiry.Status.values:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department=department)
    departments = Inquiry.objects.exclude(department="").values_list("department", flat=True).distinct()
    return render(request, "faq/inquiries.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "status": status, "department": department,
        "statuses": Inquiry.Status.choices, "departments": sorted(set(departments))})


@staff_member_required
def inquiry(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Inquiry, pk=pk)
    form = AnswerForm(request.POST or None, initial={"answer": item.answer})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "entry":
                entry = services.entry_from_inquiry(item, user=request.user)
                messages.success(request, "回答から Q&A (下書き) を作りました。確認して公開してください。")
                return redirect("faq:entry_edit", pk=entry.pk)
            if form.is_valid():
                services.answer_inquiry(item, form.cleaned_data["answer"], user=request.user)
                messages.success(request, "回答を保存し、メールの送信を受け付けました。")
                return redirect("faq:inquiry", pk=item.pk)
        except services.FaqError as exc:
            form.add_error(None, exc.message)
    return render(request, "faq/inquiry.html", {"item": item, "form": form})


@staff_member_required
def analytics_page(request: HttpRequest) -> HttpResponse:
    data = services.analytics(weeks=12)
    peak = max([w["asked"] for w in data["weeks"]] + [1])
    return render(request, "faq/analytics.html", {"data": data, "peak": peak})


@staff_member_required
def calls(request: HttpRequest) -> HttpResponse:
    form = CallLogForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        got = _upload(request, form)
        if got:
            try:
                report = services.import_call_log(*got)
            except FaqImportError as exc:
                form.add_error("file", str(exc))
    data = services.call_analytics() if CallLog.objects.exists() else None
    return render(request, "faq/calls.html", {"form": form, "report": report, "data": data},
                  status=400 if form.errors else 200)
