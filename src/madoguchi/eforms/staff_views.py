"""The form builder of ``/staff/forms/`` — staff make application forms without code.

Who may call: staff (``is_staff``; others are sent to the log-in page). Every POST needs the CSRF token.
Pages: list; new form / settings; fields as rows (add, remove, move up/down, save draft); preview as citizens
see it (POST checks answers without storing them); publish (a NEW version, older ones stay); versions and
their JSON Schema.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.errors import ServiceError
from madoguchi.procedures import services as procedures

from . import definition as defs
from . import services
from .errors import FormError
from .forms import FieldRowFormSet, FormSettingsForm, field_to_row, row_to_field
from .models import Form, FormDraft, FormVersion


def _procedure_choices(request: HttpRequest, form: Form | None) -> list:
    found = procedures.search(request.GET.get("pq"), limit=20) if request.GET.get("pq") else []
    wanted = {p.pk for p in found}
    extra = []
    for pk in (request.POST.get("procedure"), form.procedure_id if form else None):
        try:
            if pk and int(pk) not in wanted:
                extra.append(procedures.get(int(pk)))
                wanted.add(int(pk))
        except (ServiceError, ValueError):
            pass
    return extra + found


@staff_member_required
def form_list(request: HttpRequest) -> HttpResponse:
    """All forms (published or not) with their current version number."""
    rows = [{"form": f, "version": f.current_version(), "period": services.period_text(f)}
            for f in Form.objects.select_related("procedure")]
    return render(request, "eforms/staff_list.html", {"rows": rows})


@staff_member_required
def form_settings(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Create a form (``slug`` None) or change its settings; ``?pq=`` searches procedures to link."""
    form = get_object_or_404(Form, slug=slug) if slug else None
    settings_form = FormSettingsForm(request.POST if request.method == "POST" else None, instance=form,
                                     procedure_choices=_procedure_choices(request, form))
    if request.method == "POST" and settings_form.is_valid():
        saved = settings_form.save(commit=False)
        saved.procedure_id = settings_form.cleaned_data.get("procedure")
        saved.save()
        FormDraft.objects.get_or_create(form=saved, defaults={"definition": _initial_definition(saved)})
        messages.success(request, _("フォーム「%(title)s」を保存しました。") % {"title": saved.title})
        return redirect("eforms_staff:fields" if form is None else "eforms_staff:settings", slug=saved.slug)
    return render(request, "eforms/staff_settings.html",
                  {"form_obj": form, "settings_form": settings_form, "pq": request.GET.get("pq", "")},
                  status=400 if settings_form.errors else 200)


def _initial_definition(form: Form) -> dict:
    current = form.current_version()
    return dict(current.definition) if current else {"fields": [], "attachments_note": ""}


def _draft(form: Form) -> FormDraft:
    draft, _created = FormDraft.objects.get_or_create(form=form, defaults={"definition": _initial_definition(form)})
    return draft


def _formset_for(definition: dict, data=None):
    initial = [field_to_row(f) for f in definition.get("fields") or []]
    return FieldRowFormSet(data, initial=None if data is not None else initial, prefix="f")


@staff_member_required
def form_fields(request: HttpRequest, slug: str) -> HttpResponse:
    """The fields as rows. POST ``action``: ``save``, ``add`` (a new empty row), ``up:N`` / ``down:N``
    (move row N); rows ticked 「削除」 are removed. The rows are kept as a draft; ``save`` also checks them
    (``check_definition``) and says which field is wrong."""
    form = get_object_or_404(Form, slug=slug)
    draft = _draft(form)
    problem = None
    if request.method == "POST":
        formset = _formset_for(draft.definition, request.POST)
        if formset.is_valid():
            rows = [row_to_field(r) for r in formset.cleaned_data if r and not r.get("DELETE")]
            action = request.POST.get("action", "save")
            if action == "add":
                rows.append({"name": "", "label": "", "kind": "text", "required": False})
            elif action.startswith(("up:", "down:")):
                way, _sep, index = action.partition(":")
                i = int(index) if index.isdigit() else -1
                j = i - 1 if way == "up" else i + 1
                if 0 <= i < len(rows) and 0 <= j < len(rows):
                    rows[i], rows[j] = rows[j], rows[i]
            draft.definition = {"fields": rows,
                                "attachments_note": request.POST.get("attachments_note", "").strip()}
            draft.updated_by = request.user
            draft.save()
            if action == "save":
                try:
                    defs.check_definition(draft.definition)
                except FormError as exc:
                    problem = exc.message
                else:
                    messages.success(request, _("下書きを保存しました。プレビューで確かめてから公開してください。"))
                    return redirect("eforms_staff:fields", slug=form.slug)
            else:
                return redirect(reverse("eforms_staff:fields", args=[form.slug]) + "#rows-end")
        else:
            problem = _("入力に誤りがあります。各行のエラーを確かめてください。")
        if problem:
            formset = _formset_for(draft.definition, request.POST) if not formset.is_valid() else \
                _formset_for(draft.definition)
    else:
        formset = _formset_for(draft.definition)
    return render(request, "eforms/staff_fields.html",
                  {"form_obj": form, "formset": formset, "problem": problem, "draft": draft},
                  status=400 if problem else 200)


def _draft_version(form: Form) -> FormVersion:
    """An unsaved FormVersion holding the checked draft (preview only). Raises FormError."""
    return FormVersion(form=form, number=0, definition=defs.check_definition(_draft(form).definition))


@staff_member_required
def form_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft as citizens will see it, step by step on one page; a POST checks the answers (nothing is stored)."""
    form = get_object_or_404(Form, slug=slug)
    try:
        version = _draft_version(form)
    except FormError as exc:
        messages.error(request, exc.message)
        return redirect("eforms_staff:fields", slug=form.slug)
    bound = request.method == "POST"
    groups = []
    for title, _fields in services.steps(version):
        groups.append((title, services.build_form(version, step=title, data=request.POST if bound else None,
                                                  files=request.FILES if bound else None)))
    valid = bound and all(g.is_valid() for _title, g in groups)
    answers = []
    if valid:
        clean = services.clean_data(version, request.POST)
        answers = [(f["label"], services.display_value(version, f["name"], clean.get(f["name"])))
                   for f in defs.fields_of(version) if f["name"] in clean]
    return render(request, "eforms/staff_preview.html",
                  {"form_obj": form, "version": version, "groups": groups, "valid": valid, "answers": answers})


@staff_member_required
@require_POST
def form_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the draft as a NEW version and publish the form; links the procedure's online application."""
    form = get_object_or_404(Form, slug=slug)
    try:
        version = services.publish(form, _draft(form).definition, request.user)
    except ServiceError as exc:  # FormError (the definition) or the procedure guide's refusal
        messages.error(request, exc.message)
        return redirect("eforms_staff:fields", slug=form.slug)
    messages.success(request, _("「%(title)s」を第%(number)s版として公開しました。") % {"title": form.title, "number": version.number})
    return redirect("eforms_staff:versions", slug=form.slug)


@staff_member_required
@require_POST
def form_unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    """Stop showing the form to citizens (versions and applications stay)."""
    form = get_object_or_404(Form, slug=slug)
    services.unpublish(form)
    messages.success(request, _("「%(title)s」の公開をやめました。") % {"title": form.title})
    return redirect("eforms_staff:versions", slug=form.slug)


@staff_member_required
def form_versions(request: HttpRequest, slug: str) -> HttpResponse:
    """The versions of a form, newest first, each with its JSON Schema."""
    form = get_object_or_404(Form, slug=slug)
    versions = form.versions.select_related("created_by").order_by("-number")
    return render(request, "eforms/staff_versions.html", {"form_obj": form, "versions": versions})


@staff_member_required
def version_schema(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Download the JSON Schema 2020-12 of version ``number`` (``application/schema+json``)."""
    form = get_object_or_404(Form, slug=slug)
    version = form.versions.filter(number=number).first()
    if version is None:
        raise Http404
    response = HttpResponse(json.dumps(services.to_json_schema(version), ensure_ascii=False, indent=1),
                            content_type="application/schema+json")
    response["Content-Disposition"] = f'attachment; filename="{form.slug}-v{number}.schema.json"'
    return response
