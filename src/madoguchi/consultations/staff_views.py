"""Staff pages of the public comment (``/consultations/staff/…``): consultations and their documents, entry
of letters received by e-mail/FAX/post/in person, splitting and merging opinions, grouping them under a
summary with the city's answer and class, review → approval → publication with history.

Who may call: staff (``is_staff``; others are sent to the log-in page). Every POST needs the CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .forms import (
    ConsultationForm,
    DocumentForm,
    EntryForm,
    GroupForm,
    SplitForm,
    split_parts,
)
from .models import Consultation, Opinion, OpinionGroup


@staff_member_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: every consultation with its result state and counts."""
    services.ensure_defaults()
    return render(request, "consultations/staff_home.html", {
        "consultations": Consultation.objects.all().prefetch_related("opinions", "submissions")})


@staff_member_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Staff: create or edit a consultation; add draft documents (file or link)."""
    services.ensure_defaults()
    c = get_object_or_404(Consultation, pk=pk) if pk else Consultation()
    form = ConsultationForm(request.POST or None, instance=c, prefix="c")
    doc_form = DocumentForm(prefix="d")
    if request.method == "POST" and request.POST.get("action") == "document" and pk:
        doc_form = DocumentForm(request.POST, request.FILES, prefix="d")
        form = ConsultationForm(instance=c, prefix="c")
        if doc_form.is_valid():
            try:
                services.add_document(c, title=doc_form.cleaned_data["title"], file=doc_form.cleaned_data["file"],
                                      url=doc_form.cleaned_data["url"])
            except services.ConsultationError as exc:
                doc_form.add_error(exc.field, str(exc))
            else:
                messages.success(request, "資料を追加しました。")
                return redirect("consultations_staff:staff_edit", pk=c.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            obj = form.save(commit=False)
            services.save_consultation(obj, user=request.user, note="案件を編集" if pk else "案件を作成")
            form.save_m2m()
        except services.ConsultationError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "案件を保存しました。")
            return redirect("consultations_staff:staff_edit", pk=obj.pk)
    return render(request, "consultations/staff_edit.html", {"c": c, "form": form, "doc_form": doc_form})


@staff_member_required
def work(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: the letters and opinions of a consultation, grouping and merging (POST ``action`` = ``group`` |
    ``merge`` with ``opinion`` ids and ``target`` = ``new`` or a group id), the groups, the result state."""
    c = get_object_or_404(Consultation, pk=pk)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("opinion") if i.isdigit()]
        chosen = list(Opinion.objects.filter(consultation=c, pk__in=ids))
        try:
            if request.POST.get("action") == "merge":
                services.merge_opinions(chosen, user=request.user)
                messages.success(request, "意見をまとめました。")
            else:
                target = request.POST.get("target", "new")
                group = get_object_or_404(OpinionGroup, consultation=c, pk=target) if target.isdigit() else None
                group = services.group_opinions(chosen, group=group, user=request.user)
                messages.success(request, f"要旨 {group.number} にまとめました。")
        except services.ConsultationError as exc:
            messages.error(request, str(exc))
        return redirect("consultations_staff:staff_work", pk=c.pk)
    return render(request, "consultations/staff_work.html", {
        "c": c, "submissions": c.submissions.select_related("channel").prefetch_related("opinions__group",
                                                                                         "attachments"),
        "groups": c.groups.select_related("answer_class").prefetch_related("opinions"),
        "problems": services.publication_problems(c), "events": c.events.select_related("user")[:30],
        "t": services.result_table(c, public=False)})


@staff_member_required
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: enter a letter received by e-mail, FAX, post or in person (several opinions split by ``---``)."""
    c = get_object_or_404(Consultation, pk=pk)
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enter_submission(c, channel=d["channel"], received_on=d["received_on"],
                                      texts=split_parts(d["text"]), name=d["name"], email=d["email"],
                                      address=d["address"], phone=d["phone"], user=request.user)
        except services.ConsultationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "意見を登録しました。")
            return redirect("consultations_staff:staff_work", pk=c.pk)
    return render(request, "consultations/staff_entry.html", {"c": c, "form": form}, status=400 if form.errors else 200)


@staff_member_required
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: split one opinion into several (lines holding only ``---`` mark where)."""
    op = get_object_or_404(Opinion.objects.select_related("consultation"), pk=pk)
    form = SplitForm(request.POST or None, initial={"text": op.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.split_opinion(op, split_parts(form.cleaned_data["text"]), user=request.user)
        except services.ConsultationError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "意見を分けました。")
            return redirect("consultations_staff:staff_work", pk=op.consultation_id)
    return render(request, "consultations/staff_split.html", {"op": op, "c": op.consultation, "form": form})


@staff_member_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: a group's summary (意見の要旨), the city's answer (市の考え方) and class; what the privacy scan
    would mask in the published summary."""
    g = get_object_or_404(OpinionGroup.objects.select_related("consultation"), pk=pk)
    form = GroupForm(request.POST or None, instance=g)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_group(g, summary=d["summary"], answer=d["answer"], answer_class=d["answer_class"],
                                keep_unmasked=d["keep_unmasked"], user=request.user)
        except services.ConsultationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"要旨 {g.number} を保存しました。")
            return redirect("consultations_staff:staff_work", pk=g.consultation_id)
    masked, kinds = services.masked_summary(g)
    return render(request, "consultations/staff_group.html", {"g": g, "c": g.consultation, "form": form,
                                                               "masked": masked, "kinds": kinds})


@staff_member_required
@require_POST
def ungroup(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: take an opinion out of its group."""
    op = get_object_or_404(Opinion, pk=pk)
    try:
        services.ungroup_opinion(op, user=request.user)
    except services.ConsultationError as exc:
        messages.error(request, str(exc))
    return redirect("consultations_staff:staff_work", pk=op.consultation_id)


@staff_member_required
@require_POST
def state(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: move the result to ``to`` (review, approved, published, draft) with an optional ``note``."""
    c = get_object_or_404(Consultation, pk=pk)
    try:
        services.change_result_state(c, request.POST.get("to", ""), user=request.user,
                                     note=request.POST.get("note", "").strip()[:200])
    except services.ConsultationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"結果を「{c.get_result_state_display()}」にしました。")
    return redirect("consultations_staff:staff_work", pk=c.pk)
